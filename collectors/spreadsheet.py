"""Manual posts from a CSV or XLSX file: reading, validating, and the blank template.

For channels no API reaches, a clerk fills one row per post with the columns
`unit_id, platform, url, published_at, title, likes, comments, views`. The whole file is
validated before anything is written, and every problem is named `FILE:ROW:COLUMN: message`
(the header is row 1; for XLSX the row is the spreadsheet's own row number).

The file is read twice as a stream (collectors/spreadsheet_read.py, which also holds the caps on
size): once to validate, once to hand the valid posts to the writer, so no pass holds the whole
file. A cell longer than MAX_LENGTHS rejects its row; it is never cut short.

Rows whose `unit_id` starts with `#` are notes, ignored and counted: the template's notes and
its example row are written that way, so importing the untouched template is valid and adds
nothing. A filled-in copy of the example row must have its `#` removed to count.

`published_at` accepts ISO 8601 and the Indonesian day-first forms "10/9/2025 14.30" and
"Rabu, 10 September 2025" (WIB/WITA/WIT honoured, otherwise the regency's zone).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from collectors.dates import DateOutOfRange, DateParseError, ParsedDate, check_publication_date, parse_date
from collectors.spreadsheet_read import SHEET_NAME, open_rows
from pantau.models import MANUAL_COLLECTOR, PLATFORMS, Post, Source
from pantau.tables import Problem, TableError, is_http_url

IMPORT_COLUMNS = ("unit_id", "platform", "url", "published_at", "title", "likes", "comments", "views")
REQUIRED_COLUMNS = ("unit_id", "platform", "url", "published_at")
COUNT_COLUMNS = ("likes", "comments", "views")
NOTE_PREFIX = "#"
NOTES_SHEET = "Petunjuk"
SUFFIXES = (".csv", ".xlsx")
# Longest cells a row may hold; a longer one rejects the row (FILE:ROW:COLUMN), never cut
# silently: a clerk who pasted a whole page into `title` should see it. 2,200 characters is an
# Instagram caption's limit; a url is the post's key in the store, whose external_id column is
# String(500) (pantau/store/schema.py), so longer ones fail on PostgreSQL.
MAX_LENGTHS = {"unit_id": 100, "platform": 20, "url": 500, "published_at": 100, "title": 2200,
               "likes": 20, "comments": 20, "views": 20}
# Counts are stored as INTEGER, 32 bits on PostgreSQL.
MAX_COUNT = 2_147_483_647
# Problems reported of one file; the rest are counted.
MAX_REPORTED = 500

# Hosts a post URL of each platform may live on; `website` takes any http(s) URL.
PLATFORM_HOSTS = {
    "instagram": ("instagram.com",),
    "facebook": ("facebook.com", "fb.com", "fb.watch"),
    "youtube": ("youtube.com", "youtu.be"),
    "tiktok": ("tiktok.com",),
    "x": ("x.com", "twitter.com"),
}

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "pebruari": 2, "maret": 3, "mar": 3, "april": 4, "apr": 4,
    "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "oct": 10, "november": 11, "nov": 11,
    "nopember": 11, "desember": 12, "des": 12, "dec": 12,
}
DAY_NAMES = {"senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4, "sabtu": 5, "minggu": 6,
             "ahad": 6}
ZONE_WORDS = {"wib": 7, "wita": 8, "wit": 9}
TIME = r"(?:[ ,T]+(?:pukul\s+|jam\s+)?(\d{1,2})[.:](\d{2})(?:[.:](\d{2}))?)?\s*(wib|wita|wit)?"
# "10/9/2025 14.30", "10-09-2025", "10/09/2025 07:05 WIB": day first, as Indonesians write it.
DAY_FIRST_NUMERIC = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})" + TIME + r"$", re.IGNORECASE)
# "Rabu, 10 September 2025", "10 Sep 2025 pukul 14.30 WIB".
DAY_MONTH_NAME = re.compile(
    r"^(?:([a-z']+),?\s+)?(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})" + TIME + r"$", re.IGNORECASE
)


@dataclass(frozen=True)
class ManualPost:
    row: int
    unit_id: str
    platform: str
    url: str
    published_at: datetime
    date_only: bool
    title: str
    likes: int | None
    comments: int | None
    views: int | None

    @property
    def source_id(self) -> str:
        return manual_source_id(self.unit_id, self.platform)

    def to_post(self) -> Post:
        return Post(source_id=self.source_id, external_id=self.url, url=self.url, title=self.title,
                    published_at=self.published_at, likes=self.likes, comments=self.comments,
                    views=self.views, date_only=self.date_only)


@dataclass
class ImportFile:
    """What the validating pass found: the problems to report and the counts."""

    path: Path
    problems: list[Problem] = field(default_factory=list)  # the first MAX_REPORTED
    invalid_row_numbers: set[int] = field(default_factory=set)
    valid_rows: int = 0
    notes: int = 0  # rows starting with '#'
    # The file itself is wrong (not readable, a missing column, over a limit): nothing of it can
    # be imported, not even with --skip-invalid.
    unreadable: bool = False

    @property
    def invalid_rows(self) -> int:
        return len(self.invalid_row_numbers)


def manual_source_id(unit_id: str, platform: str) -> str:
    return f"{MANUAL_COLLECTOR}:{unit_id}:{platform}"


def manual_source(unit_id: str, platform: str) -> Source:
    return Source(manual_source_id(unit_id, platform), unit_id, platform, MANUAL_COLLECTOR, "", {}, True)


# ---------------------------------------------------------------------------------------------
# Dates


def parse_import_date(value: Any, zone: ZoneInfo) -> ParsedDate:
    """A publication time from a cell: spreadsheet datetimes, Indonesian forms, then parse_date."""
    if isinstance(value, datetime):
        local = value if value.tzinfo else value.replace(tzinfo=zone)
        is_midnight = (local.hour, local.minute, local.second) == (0, 0, 0)
        return ParsedDate(local.astimezone(UTC), date_only=is_midnight and value.tzinfo is None)
    if isinstance(value, date):
        return ParsedDate(datetime(value.year, value.month, value.day, tzinfo=zone).astimezone(UTC), True)
    text = " ".join(str(value).split())
    if match := DAY_FIRST_NUMERIC.match(text):
        day, month, year = (int(g) for g in match.groups()[:3])
        return _assemble(year, month, day, match.groups()[3:], zone, text)
    if match := DAY_MONTH_NAME.match(text):
        day_name, day, month_name, year = match.groups()[:4]
        month = MONTHS.get(month_name.lower())
        if month is None:
            raise DateParseError(f"unknown month {month_name!r} in {text!r}")
        parsed = _assemble(int(year), month, int(day), match.groups()[4:], zone, text)
        if day_name:
            weekday = DAY_NAMES.get(day_name.lower())
            if weekday is None:
                raise DateParseError(f"unknown day name {day_name!r} in {text!r}")
            if parsed.when.astimezone(_zone_of(match.groups()[7], zone)).weekday() != weekday:
                raise DateParseError(f"{day_name} does not fall on {day} {month_name} {year}")
        return parsed
    return parse_date(text, zone)


def _zone_of(word: str | None, zone: ZoneInfo) -> timezone | ZoneInfo:
    return timezone(timedelta(hours=ZONE_WORDS[word.lower()])) if word else zone


def _assemble(year: int, month: int, day: int, clock: tuple, zone: ZoneInfo, text: str) -> ParsedDate:
    hour, minute, second, zone_word = clock
    try:
        local = datetime(year, month, day, int(hour or 0), int(minute or 0), int(second or 0),
                         tzinfo=_zone_of(zone_word, zone))
        when = local.astimezone(UTC)
    except (ValueError, OverflowError) as exc:  # OverflowError: year 1 moved to UTC
        raise DateParseError(f"impossible date {text!r} ({exc})") from exc
    return ParsedDate(when, date_only=hour is None)


# ---------------------------------------------------------------------------------------------
# Reading and validating, in two passes over the file


def read_import(path: Path, unit_ids: set[str], zone: ZoneInfo, now: datetime | None = None) -> ImportFile:
    """Read and validate a whole import file; nothing is written here, and no post is kept.

    The first pass: the problems (the first MAX_REPORTED of them) and the counts. The posts come
    from a second pass, `iter_posts`, so a large file never sits in memory as posts.
    """
    result = ImportFile(path)
    for row, post, problems in _checked_rows(path, unit_ids, zone, now):
        if post is NOTE:
            result.notes += 1
        elif post is UNREADABLE:
            result.unreadable = True
            result.problems.extend(problems)
        elif problems:
            result.invalid_row_numbers.add(row)
            result.problems.extend(problems[: max(0, MAX_REPORTED - len(result.problems))])
        else:
            result.valid_rows += 1
    return result


def iter_posts(path: Path, unit_ids: set[str], zone: ZoneInfo, now: datetime) -> Iterator[ManualPost]:
    """The valid posts of a file `read_import` checked with the same `now`, read again."""
    for _row, post, problems in _checked_rows(path, unit_ids, zone, now):
        if isinstance(post, ManualPost) and not problems:
            yield post


NOTE = object()  # what _checked_rows gives for a note row (unit_id starting with '#')
UNREADABLE = object()  # ... and for a problem of the whole file


def _checked_rows(path: Path, unit_ids: set[str], zone: ZoneInfo,
                  now: datetime | None) -> Iterator[tuple[int, Any, list[Problem]]]:
    """(row, post or None or NOTE, problems) for every row; UNREADABLE with a problem of the file."""
    file = str(path)
    if path.suffix.lower() not in SUFFIXES:
        yield 0, UNREADABLE, [Problem(file, 0, "-", "expected a .csv or .xlsx file")]
        return
    try:
        with open_rows(path) as (header, rows):
            missing = [Problem(file, 1, c, f"missing column {c!r}") for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                yield 1, UNREADABLE, missing
                return
            now = now or datetime.now(UTC)
            first_row_of: dict[str, int] = {}
            for row, cells in rows:
                if str(cells.get("unit_id", "")).startswith(NOTE_PREFIX):
                    yield row, NOTE, []
                    continue
                problems = _size_problems(file, row, cells)
                if problems:  # not parsed further: a 20 MB cell is not worth reading
                    yield row, None, problems
                    continue
                post, problems = _validate_row(file, row, cells, unit_ids, zone, now, first_row_of)
                yield row, post, problems
    except TableError as exc:
        yield exc.row, UNREADABLE, [exc.problem(file)]
    except (OSError, ValueError, KeyError) as exc:
        yield 0, UNREADABLE, [Problem(file, 0, "-", f"cannot read the file: {exc}")]
    except Exception as exc:  # openpyxl raises assorted errors for a damaged XLSX
        yield 0, UNREADABLE, [Problem(file, 0, "-", f"cannot read the file: {type(exc).__name__}: {exc}")]


def _size_problems(file: str, row: int, cells: dict[str, Any]) -> list[Problem]:
    """Cells longer than anything a post holds (a 20 MB title): the row is rejected, not cut."""
    return [Problem(file, row, column, f"{len(str(cells[column])):,} characters; at most {limit:,}")
            for column, limit in MAX_LENGTHS.items() if len(str(cells.get(column, ""))) > limit]


def _validate_row(file: str, row: int, cells: dict[str, Any], unit_ids: set[str], zone: ZoneInfo,
                  now: datetime, first_row_of: dict[str, int]) -> tuple[ManualPost | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(file, row, column, message))

    unit_id = str(cells.get("unit_id", "")).strip()
    if not unit_id:
        problem("unit_id", "empty unit_id")
    elif unit_id not in unit_ids:
        problem("unit_id", f"unknown unit {unit_id!r} (not in the registry's units.csv)")
    platform = str(cells.get("platform", "")).strip().lower()
    if platform not in PLATFORMS:
        problem("platform", f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    url = str(cells.get("url", "")).strip()
    if not url:
        problem("url", "empty url")
    elif not is_http_url(url):
        problem("url", f"{url[:80]!r} is not an http(s) URL")
    elif platform in PLATFORM_HOSTS and not _host_matches(url, PLATFORM_HOSTS[platform]):
        problem("url", f"{url[:80]!r} is not on {' or '.join(PLATFORM_HOSTS[platform])} (platform {platform})")
    elif url in first_row_of:
        problem("url", f"duplicate url (first on row {first_row_of[url]})")
    else:
        first_row_of[url] = row
    parsed: ParsedDate | None = None
    raw_date = cells.get("published_at", "")
    if raw_date == "":
        problem("published_at", "empty published_at")
    else:
        try:
            parsed = parse_import_date(raw_date, zone)
            check_publication_date(parsed.when, now)  # the same window as every collected post
        except DateOutOfRange as exc:
            parsed = None
            problem("published_at", f"{raw_date}: {exc}")
        except DateParseError as exc:
            parsed = None
            problem("published_at", f"{exc}; write e.g. 2025-09-10T14:30, 10/9/2025 14.30 or "
                                    f"Rabu, 10 September 2025")
    counts: dict[str, int | None] = {}
    for column in COUNT_COLUMNS:
        try:
            counts[column] = _count(cells.get(column, ""))
        except ValueError as exc:
            problem(column, str(exc))
    if problems or parsed is None:
        return None, problems
    post = ManualPost(row, unit_id, platform, url, parsed.when, parsed.date_only,
                      " ".join(str(cells.get("title", "")).split()), counts["likes"], counts["comments"],
                      counts["views"])
    return post, problems


def _host_matches(url: str, hosts: tuple[str, ...]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in hosts)


def _count(value: Any) -> int | None:
    if value == "" or value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number, got {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"expected a whole number, got {value!r}")
        number = int(value)
    else:
        text = str(value).strip()
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(f"expected a whole number without separators, got {text!r}")
        number = int(text)
    if number < 0:
        raise ValueError(f"must not be negative, got {number}")
    if number > MAX_COUNT:
        raise ValueError(f"{number} is more than {MAX_COUNT:,}")
    return number


# ---------------------------------------------------------------------------------------------
# The template

EXAMPLE_ROW = ("#bupati", "instagram", "https://www.instagram.com/p/CONTOH123/", "10/9/2025 14.30",
               "Contoh: rapat koordinasi stunting", "120", "8", "")
COLUMN_NOTES = (
    ("unit_id", "Kode unit persis seperti di units.csv (mis. bupati, dinkominfo, desa-...). Wajib."),
    ("platform", "Salah satu: website, instagram, facebook, youtube, tiktok, x. Wajib."),
    ("url", "Alamat lengkap unggahan, diawali https://. Wajib; satu alamat hanya sekali."),
    ("published_at", "Waktu terbit (WIB bila tidak disebut): 2025-09-10T14:30, 10/9/2025 14.30 "
                     "(hari/bulan/tahun) atau Rabu, 10 September 2025. Wajib."),
    ("title", "Judul atau kalimat pertama keterangan. Boleh kosong."),
    ("likes", "Jumlah suka, bilangan bulat tanpa titik. Kosongkan bila tidak diketahui."),
    ("comments", "Jumlah komentar, bilangan bulat. Kosongkan bila tidak diketahui."),
    ("views", "Jumlah tayangan, bilangan bulat. Kosongkan bila tidak diketahui."),
)
GENERAL_NOTES = (
    "Baris yang kolom unit_id-nya diawali tanda # adalah catatan dan diabaikan saat impor.",
    "Baris contoh diawali #: salin, hapus tanda #, lalu isi dengan unggahan sungguhan.",
    "Impor ulang berkas yang sama tidak menambah unggahan ganda.",
)


def write_template(path: Path) -> None:
    """A blank import file with an example row and Indonesian notes (all ignored on import)."""
    if path.suffix.lower() == ".xlsx":
        _write_xlsx_template(path)
        return
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(IMPORT_COLUMNS)
        for note in GENERAL_NOTES:
            writer.writerow([f"{NOTE_PREFIX} {note}"])
        for column, note in COLUMN_NOTES:
            writer.writerow([f"{NOTE_PREFIX} {column}: {note}"])
        writer.writerow(EXAMPLE_ROW)


def _write_xlsx_template(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    sheet.append(list(IMPORT_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(list(EXAMPLE_ROW))
    for letter, width in zip("ABCDEFGH", (16, 12, 44, 22, 40, 8, 10, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    notes = workbook.create_sheet(NOTES_SHEET)
    notes.append(["kolom", "petunjuk"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column, note in COLUMN_NOTES:
        notes.append([column, note])
    notes.append([])
    for note in GENERAL_NOTES:
        notes.append(["", note])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 110
    workbook.save(path)
