"""Reading an import file row by row, within limits a hostile or careless file cannot exceed.

A CSV is read as a stream (a 50 MB file never sits in memory whole); an XLSX is a zip archive
whose members' declared sizes and compression ratios are checked before openpyxl opens it (a
311 KB "zip bomb" otherwise expands to gigabytes: openpyxl keeps the whole shared-strings table in
memory even in read-only mode), and it is then read in openpyxl's read-only, streaming mode.
Both stop with a TableError naming the row at the row cap, and at the header when it has more
columns than the cap.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pantau.tables import TableError, csv_rows, delimiter_of

# Rows and columns an import may have: a regency's year of manual posts is thousands of rows,
# the template has 8 columns.
MAX_ROWS = 1_000_000
MAX_COLUMNS = 50
# An XLSX member may expand at most this much (real spreadsheets: 5 to 30 times) ...
MAX_RATIO = 200
# ... unless it is small anyway; and these caps hold whatever the ratio.
RATIO_FREE_BYTES = 1 << 20
MAX_SHARED_STRINGS_BYTES = 64 << 20  # held in memory whole by openpyxl
MAX_XLSX_BYTES = 1 << 30  # all members, as declared, uncompressed
MAX_MEMBERS = 10_000

SHEET_NAME = "posts"

Rows = Iterator[tuple[int, dict[str, Any]]]


@contextmanager
def open_rows(path: Path) -> Iterator[tuple[list[str], Rows]]:
    """(header, rows) of a CSV or XLSX file: header lower-cased, rows as (row number, cells),
    blank rows left out. Raises TableError for a file or row that cannot be read."""
    if path.suffix.lower() == ".xlsx":
        with _xlsx_rows(path) as opened:
            yield opened
    else:
        with _csv_rows(path) as opened:
            yield opened


# ---------------------------------------------------------------------------------------------
# CSV


@contextmanager
def _csv_rows(path: Path) -> Iterator[tuple[list[str], Rows]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        try:
            first_line = handle.readline()
        except UnicodeDecodeError:
            raise _not_utf8(path) from None
        handle.seek(0)
        values = _checked(path, csv_rows(csv.reader(handle, delimiter=delimiter_of(first_line))))
        header_values = next(values, None)
        if header_values is None:
            yield [], iter(())
            return
        header = _header(header_values)
        yield header, _records(header, values)


def _checked(path: Path, rows: Iterator[list[str]]) -> Iterator[list[str]]:
    """The rows, a byte that is not UTF-8 reported at its line."""
    try:
        yield from rows
    except UnicodeDecodeError:
        raise _not_utf8(path) from None


def _not_utf8(path: Path) -> TableError:
    """Where the first byte that is not UTF-8 is: the text layer decodes in blocks, so the row
    being read when it fails is not necessarily the row holding the byte."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return TableError(number, f"not UTF-8 text (byte 0x{line[exc.start]:02x} on line {number}); "
                                          f"save the file as 'CSV UTF-8' in the spreadsheet")
    return TableError(0, "not UTF-8 text; save the file as 'CSV UTF-8' in the spreadsheet")


def _records(header: list[str], values: Iterator[list[str]]) -> Rows:
    for row, cells in enumerate(values, start=2):
        _check_row_number(row)
        if not any(v.strip() for v in cells):
            continue
        yield row, {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header) if name}


# ---------------------------------------------------------------------------------------------
# XLSX


def check_xlsx_archive(path: Path) -> None:
    """TableError when the archive would expand beyond what an import can hold."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise TableError(0, f"not an XLSX file (a spreadsheet saved as .xlsx): {exc}") from None
    if len(members) > MAX_MEMBERS:
        raise TableError(0, f"not an ordinary XLSX file: {len(members)} parts in the archive")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FREE_BYTES and ratio > MAX_RATIO:
            raise TableError(0, f"refused: {member.filename} would expand {ratio:,.0f} times "
                                f"(to {member.file_size:,} bytes); a spreadsheet never does (zip bomb?)")
        if member.filename.endswith("sharedStrings.xml") and member.file_size > MAX_SHARED_STRINGS_BYTES:
            raise TableError(0, f"refused: its text table is {member.file_size:,} bytes uncompressed "
                                f"(at most {MAX_SHARED_STRINGS_BYTES:,}); split the file")
    if total > MAX_XLSX_BYTES:
        raise TableError(0, f"refused: {total:,} bytes uncompressed (at most {MAX_XLSX_BYTES:,}); split the file")


@contextmanager
def _xlsx_rows(path: Path) -> Iterator[tuple[list[str], Rows]]:
    from openpyxl import load_workbook

    check_xlsx_archive(path)
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook[SHEET_NAME] if SHEET_NAME in workbook.sheetnames else workbook.worksheets[0]
        # One column past the cap: enough to notice a header that exceeds it.
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        first = next(rows, None)
        if first is None:
            yield [], iter(())
            return
        header = _header(["" if h is None else str(h) for h in first])
        yield header, _xlsx_records(header, rows)
    finally:
        workbook.close()


def _xlsx_records(header: list[str], rows: Iterator[tuple]) -> Rows:
    for row, values in enumerate(rows, start=2):
        _check_row_number(row)
        cells = {name: _cell(values[i] if i < len(values) else None) for i, name in enumerate(header) if name}
        if any(v != "" for v in cells.values()):
            yield row, cells


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return value


# ---------------------------------------------------------------------------------------------
# Limits shared by both


def _header(values: list[str]) -> list[str]:
    header = [v.strip().lower() for v in values]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise TableError(1, f"{len(header)} columns or more; an import has at most {MAX_COLUMNS}")
    return header


def _check_row_number(row: int) -> None:
    if row > MAX_ROWS + 1:
        raise TableError(row, f"more than {MAX_ROWS:,} rows; split the file")
