"""Clerk-edited tables: how their text becomes rows, and how a problem in them is named.

Shared by the registry (units.csv, sources.csv, settings.csv) and the manual-post import
(collectors/spreadsheet.py); a leaf module with no project imports, so the collectors can use it
without reaching the registry.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlparse


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


class TableError(ValueError):
    """A table that cannot be read past one row: not UTF-8, a cell over the size limit, a NUL."""

    def __init__(self, row: int, message: str):
        self.row = row
        super().__init__(message)

    def problem(self, file: str) -> Problem:
        return Problem(file, self.row, "-", str(self))


# A cell longer than this is no clerk's value (csv's own limit is 128 KiB; we say so ourselves).
MAX_CELL = 131072


def decode_table(data: bytes) -> str:
    """UTF-8 text, a BOM dropped; TableError naming the row of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise TableError(row, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as "
                              f"'CSV UTF-8' in the spreadsheet") from None


def delimiter_of(first_line: str) -> str:
    # Indonesian Excel saves with `;` because `,` is the decimal separator there.
    return ";" if first_line.count(";") > first_line.count(",") else ","


def csv_rows(reader) -> Iterator[list[str]]:
    """The rows of a csv.reader; a row it cannot read becomes a TableError naming that row."""
    row = 0
    while True:
        row += 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                message = f"a cell is longer than {MAX_CELL} characters (or a quote is never closed)"
            else:
                message = f"cannot read this row: {exc}"
            raise TableError(row, message) from None
        yield values


def parse_table(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header (lower-cased) and one dict per row; a blank row stays as {} to keep row numbers.

    TableError when a row cannot be read."""
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=delimiter_of(first_line))
    rows = list(csv_rows(reader))
    if not rows:
        return [], []
    header = [h.strip().lower() for h in rows[0]]
    records = []
    for values in rows[1:]:
        if not any(v.strip() for v in values):
            records.append({})  # keep row numbering; blank lines are skipped by callers
            continue
        record = {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)}
        records.append(record)
    return header, records


def is_http_url(value: str) -> bool:
    try:
        parsed = urlparse(value)
    except ValueError:  # "Invalid IPv6 URL": `http://[::1`
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)
