"""Indonesian publication dates, as ordered rules, cheapest first.

`parse_date(text, zone, now)` returns an aware UTC instant and whether only a day was given.
A bare date is local to the regency (`zone`) at 00:00 and marked date-only; a time without a
zone word is local too. Relative forms ("2 jam yang lalu", "kemarin") need `now`; without it
they raise. An unparseable string raises DateParseError: the item is skipped and reported,
never silently dated "today".

The rules follow htmldate's extractors.py habit: each pattern is a module constant, tried in
order, cheapest first, with a comment naming the site or form that forced it. Every numeric
date is DAY first, as Indonesians write it ("10/9/2025" is 10 September). A rule that matches
a date that cannot exist ("31 Februari 2025") raises instead of letting a looser rule guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from collectors.errors import ParseError


class DateParseError(ParseError):
    kind = "date_error"


class DateOutOfRange(DateParseError):
    """A readable date no post can have: before EARLIEST_PUBLICATION or in the future."""

    kind = "date_out_of_range"


@dataclass(frozen=True)
class ParsedDate:
    when: datetime  # aware, UTC
    date_only: bool = False


# No Indonesian government site published before this; an earlier year is a misreading
# (dateparser reads "13 Sep '25" as 1925).
EARLIEST_YEAR = 1995
# The window every stored publication date lies in: [EARLIEST_PUBLICATION, now + FUTURE_MARGIN].
# Outside it a date is an item error, never stored: a post dated 2030 would otherwise become
# its source's restart point, and one dated year 1 or 9999 breaks every page that reads it.
# The margin absorbs a site's clock or zone set a day off.
EARLIEST_PUBLICATION = datetime(EARLIEST_YEAR, 1, 1, tzinfo=UTC)
FUTURE_MARGIN = timedelta(days=2)
# A bare number is no date: dateparser would read "1700000000" as a Unix time, and a spreadsheet
# number as anything. No import format or site gives epoch seconds, so it is refused. ("14.30"
# is a time of day, not a number: a fraction needs three digits before the point here; eight
# digits that make a day are ISO 8601's compact form, "20250910".)
BARE_NUMBER = re.compile(r"^[+-]?\d+$|^[+-]?\d{3,}[.,]\d+$")

# Month names and the abbreviations seen on Indonesian sites, plus English.
MONTHS: dict[str, int] = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    # OpenSID's bulan() short names print "Ags"; CLDR id prints "Agu", id_ID "Agt".
    "agustus": 8, "ags": 8, "agu": 8, "agt": 8, "agst": 8, "aug": 8, "august": 8,
    # "Sept" appears on WordPress themes with custom date formats.
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    # "Nopember" is the older spelling still found on village sites.
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}
# Day names ("Rabu, 10 September 2025", "Jum'at", "Ahad") need no rule: the date patterns below
# search past them. "Minggu" is Sunday there but "week" in "2 minggu yang lalu", which
# RELATIVE_AGO reads only with "lalu", so a Sunday is never taken for a week.
# Indonesian zone words: WIB (Java, Sumatra), WITA (Bali, Sulawesi), WIT (Maluku, Papua).
ZONE_WORDS: dict[str, int] = {"wib": 7, "wita": 8, "wit": 9, "utc": 0, "gmt": 0, "z": 0}

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ZONE = r"wita|wib|wit|utc|gmt|z|[+-]\d{2}:?\d{2}"
# A time after a date: "14:30", "14.30" (Indonesian dot time), "14:30:00", "pukul 14.30 WIB",
# "- 14:30", "| 2:30 PM". The separators are optional words and punctuation.
_TIME = (r"(?:[\s,|/@-]|pukul|pkl\.?|jam|at)*?"
         r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?"
         r"\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?"
         rf"\s*(?P<zone>{_ZONE})?(?![a-z\d])")

# --- The patterns, cheapest first (searched on normalised, lower-case text) ---------------

# RFC 822 as RSS writes it: WordPress "Wed, 10 Sep 2025 07:30:00 +0000", OpenSID DATE_RSS
# "+0700". Only with an explicit offset: email.utils reads an unknown zone word as local.
RFC822 = re.compile(r"^(?:[a-z]{3},\s*)?\d{1,2}\s+[a-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?"
                    r"\s+(?:[+-]\d{4}|gmt|ut|utc|z)$")
# A bare ISO day, "2025-09-10" (also the compact "20250910" fromisoformat accepts).
ISO_DAY = re.compile(r"\d{4}-?\d{2}-?\d{2}")
# "2 jam yang lalu", "30 menit lalu", "3 hari yang lalu", "2 minggu yang lalu" (minggu = week),
# "sepekan lalu"; English "2 hours ago" from themes left untranslated.
RELATIVE_AGO = re.compile(
    r"^(?:(?P<count>\d+|se|satu)\s*)?(?P<unit>detik|menit|jam|hari|minggu|pekan|bulan|tahun)\s+(?:yang\s+)?lalu$"
    r"|^(?P<en_count>\d+|an?|one)\s+(?P<en_unit>second|minute|hour|day|week|month|year)s?\s+ago$")
# "Baru saja" on items posted minutes ago (news portals, Facebook-style widgets).
JUST_NOW = frozenset({"baru saja", "just now", "beberapa detik yang lalu"})
# "hari ini", "kemarin", "kemarin lusa", optionally with a time: "kemarin pukul 14.30".
RELATIVE_DAY = re.compile(rf"^(?P<word>hari ini|kemarin lusa|kemarin|today|yesterday)(?:{_TIME})?$")
# Day, month name, year: OpenSID tgl_indo "10 September 2025", tgl_indo2 "10 September 2025 14:30:00",
# "Rabu, 10 September 2025 14:30 WIB", "10 Sep 2025", "10 Ags 2025", "10-Sep-2025", "10th September 2025",
# and the blog-theme short year "13 Sep '25".
DAY_MONTH_YEAR = re.compile(
    rf"(?<![\d])(?P<day>\d{{1,2}})(?:st|nd|rd|th)?[\s/-]*(?P<month>{_MONTH})(?![a-z])\.?[\s,/-]*"
    rf"(?P<year>\d{{4}}|'\d{{2}})(?!\d)(?:{_TIME})?")
# Month name first, as English WordPress themes print it: "September 10, 2025 at 2:30 pm".
MONTH_DAY_YEAR = re.compile(
    rf"(?<![a-z])(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?!\d),?\s+"
    rf"(?P<year>\d{{4}})(?!\d)(?:{_TIME})?")
# Numeric, year first: "2025/09/10", "2025.09.10 14:30" (Joomla and custom CMS templates).
YEAR_MONTH_DAY = re.compile(
    rf"(?<![\d./-])(?P<year>\d{{4}})(?P<sep>[/.-])(?P<month>\d{{1,2}})(?P=sep)(?P<day>\d{{1,2}})(?![\d])(?:{_TIME})?")
# Numeric, DAY first: "10/9/2025", "Rabu (10/9/2025)" (detik-style listings), "10-09-2025",
# "10.09.2025"; a two-digit year only with slashes ("10/09/25").
DAY_MONTH_YEAR_NUMERIC = re.compile(
    rf"(?<![\d./-])(?P<day>\d{{1,2}})(?P<sep>[/.-])(?P<month>\d{{1,2}})(?P=sep)"
    rf"(?P<year>\d{{4}}|(?<=/)\d{{2}})(?![\d])\)?(?:{_TIME})?")
# A time alone, as news listings print today's items: "14.30", "pukul 14.30 WIB".
TIME_ONLY = re.compile(rf"^{_TIME}$")


def _normalise(text: str) -> str:
    value = text.replace("\xa0", " ").replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    value = value.strip().lower()
    # "Jum'at" and "Jum at" are spelled apart on many village sites.
    value = re.sub(r"\bjum'?\s?at\b", "jumat", value)
    return " ".join(value.split())


def _offset(word: str | None, zone: ZoneInfo):
    if not word:
        return zone
    if word in ZONE_WORDS:
        return timezone(timedelta(hours=ZONE_WORDS[word]))
    sign = -1 if word[0] == "-" else 1
    digits = word[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _clock(match: re.Match) -> time | None:
    """The time of day a match carries, or None when it has none."""
    if match.group("hour") is None:
        return None
    hour, minute = int(match.group("hour")), int(match.group("minute"))
    second = int(match.group("second") or 0)
    ampm = (match.group("ampm") or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} with {ampm}")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    return time(hour, minute, second)


def _assemble(day: date, match: re.Match, zone: ZoneInfo) -> ParsedDate:
    clock = _clock(match)
    if clock is None:
        return ParsedDate(datetime.combine(day, time(), zone).astimezone(UTC), date_only=True)
    local = datetime.combine(day, clock, _offset(match.group("zone"), zone))
    return ParsedDate(local.astimezone(UTC))


def _year(text: str) -> int:
    digits = text.lstrip("'")
    # Only a two-digit year ("10/09/25", "13 Sep '25") is this century's; "0001" is year 1.
    return int(digits) + 2000 if len(digits) == 2 else int(digits)


def _need_now(now: datetime | None, text: str) -> datetime:
    if now is None:
        raise DateParseError(f"relative date {text!r} needs a reference time")
    if now.tzinfo is None:
        raise TypeError("now must be timezone-aware")
    return now


# --- Rules: (raw text, normalised text, zone, now) -> ParsedDate | None ----------------------

def parse_iso(raw: str, norm: str, zone: ZoneInfo, now: datetime | None = None) -> ParsedDate | None:
    # ISO 8601: WordPress REST date_gmt, Blogger/YouTube Atom, Graph API "+0000", <time datetime>.
    candidate = raw.strip()
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if ISO_DAY.fullmatch(candidate):
        return ParsedDate(datetime.combine(value.date(), time(), zone).astimezone(UTC), date_only=True)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return ParsedDate(value.astimezone(UTC))


def parse_rfc822(raw: str, norm: str, zone: ZoneInfo, now: datetime | None = None) -> ParsedDate | None:
    if not RFC822.match(norm):
        return None
    try:
        value = parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if value is None:
        return None
    if value.tzinfo is None:  # "-0000" means "zone unknown": take the regency's.
        value = value.replace(tzinfo=zone)
    return ParsedDate(value.astimezone(UTC))


_AGO_UNITS = {"detik": "seconds", "second": "seconds", "menit": "minutes", "minute": "minutes",
              "jam": "hours", "hour": "hours", "hari": "days", "day": "days", "minggu": "weeks",
              "pekan": "weeks", "week": "weeks", "bulan": "months", "month": "months",
              "tahun": "years", "year": "years"}


def parse_relative_ago(raw: str, norm: str, zone: ZoneInfo, now: datetime | None = None) -> ParsedDate | None:
    if norm in JUST_NOW:
        return ParsedDate(_need_now(now, raw).astimezone(UTC))
    match = RELATIVE_AGO.match(norm)
    if not match:
        return None
    now = _need_now(now, raw)
    count_text = match.group("count") or match.group("en_count") or "1"
    count = int(count_text) if count_text.isdigit() else 1
    unit = _AGO_UNITS[match.group("unit") or match.group("en_unit")]
    if unit in ("seconds", "minutes", "hours"):
        # Precise enough to keep the instant.
        return ParsedDate((now - timedelta(**{unit: count})).astimezone(UTC))
    # "3 hari yang lalu" names a day, not an instant: keep the local day, date-only.
    today = now.astimezone(zone).date()
    if unit == "days":
        day = today - timedelta(days=count)
    elif unit == "weeks":
        day = today - timedelta(weeks=count)
    else:
        months = count * (12 if unit == "years" else 1)
        index = today.year * 12 + today.month - 1 - months
        year, month = divmod(index, 12)
        day = date(year, month + 1, min(today.day, 28))
    return ParsedDate(datetime.combine(day, time(), zone).astimezone(UTC), date_only=True)


_DAYS_BACK = {"hari ini": 0, "today": 0, "kemarin": 1, "yesterday": 1, "kemarin lusa": 2}


def parse_relative_day(raw: str, norm: str, zone: ZoneInfo, now: datetime | None = None) -> ParsedDate | None:
    match = RELATIVE_DAY.match(norm)
    if not match:
        return None
    now = _need_now(now, raw)
    day = now.astimezone(zone).date() - timedelta(days=_DAYS_BACK[match.group("word")])
    return _assemble(day, match, zone)


def _named_month_date(match: re.Match) -> date:
    return date(_year(match.group("year")), MONTHS[match.group("month")], int(match.group("day")))


def parse_day_month_year(raw: str, norm: str, zone: ZoneInfo, now: datetime | None = None) -> ParsedDate | None:
    match = DAY_MONTH_YEAR.search(norm)
    return _assemble(_named_month_date(match), match, zone) if match else None


def parse_month_day_year(raw: str, norm: str, zone: ZoneInfo, now: datetime | None = None) -> ParsedDate | None:
    match = MONTH_DAY_YEAR.search(norm)
    return _assemble(_named_month_date(match), match, zone) if match else None


def parse_year_month_day(raw: str, norm: str, zone: ZoneInfo, now: datetime | None = None) -> ParsedDate | None:
    match = YEAR_MONTH_DAY.search(norm)
    if not match:
        return None
    day = date(int(match.group("year")), int(match.group("month")), int(match.group("day")))
    return _assemble(day, match, zone)


def parse_day_first_numeric(raw: str, norm: str, zone: ZoneInfo, now: datetime | None = None) -> ParsedDate | None:
    match = DAY_MONTH_YEAR_NUMERIC.search(norm)
    if not match:
        return None
    # Strictly day first: "9/25/2025" raises rather than being swapped, so a site printing
    # month-first shows up as item errors instead of half its dates silently wrong.
    day = date(_year(match.group("year")), int(match.group("month")), int(match.group("day")))
    return _assemble(day, match, zone)


def parse_time_only(raw: str, norm: str, zone: ZoneInfo, now: datetime | None = None) -> ParsedDate | None:
    match = TIME_ONLY.match(norm)
    if not match:
        return None
    # News listings print only the time for today's items. A time later than now is
    # yesterday's (posts are never from the future).
    now = _need_now(now, raw)
    today = now.astimezone(zone).date()
    parsed = _assemble(today, match, zone)
    if parsed.when > now:
        parsed = _assemble(today - timedelta(days=1), match, zone)
    return parsed


def parse_with_dateparser(raw: str, norm: str, zone: ZoneInfo, now: datetime | None = None) -> ParsedDate | None:
    """Last resort for forms the rules above do not know; it must find a day, a month and a year."""
    if not re.search(r"\d", norm):
        return None
    import dateparser  # slow import, only when the explicit rules all failed

    def run(base: datetime) -> datetime | None:
        return dateparser.parse(norm, languages=["id", "en"], settings={
            "DATE_ORDER": "DMY", "TIMEZONE": str(zone), "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month", "year"],
            "RELATIVE_BASE": base.astimezone(zone).replace(tzinfo=None)})

    base = now or datetime(2000, 1, 1, tzinfo=UTC)
    value = run(base)
    if value is None:
        return None
    if now is None and run(datetime(2001, 6, 15, tzinfo=UTC)) != value:
        raise DateParseError(f"relative date {raw!r} needs a reference time")
    date_only = value.timetz().replace(tzinfo=None) == time() and not re.search(r"\d[:.]\d\d", norm)
    return ParsedDate(value.astimezone(UTC), date_only)


RULES: tuple[Callable[..., ParsedDate | None], ...] = (
    parse_iso,
    parse_rfc822,
    parse_relative_ago,
    parse_relative_day,
    parse_day_month_year,
    parse_month_day_year,
    parse_year_month_day,
    parse_day_first_numeric,
    parse_time_only,
    parse_with_dateparser,
)


def _day_text(when: datetime) -> str:
    # strftime writes year 1 as "1"; a reader needs the four digits to see what went wrong.
    return f"{when.year:04d}-{when.month:02d}-{when.day:02d} {when.hour:02d}:{when.minute:02d} UTC"


def publication_window(now: datetime) -> tuple[datetime, datetime]:
    """The first and last instant a post collected or imported at `now` may be dated."""
    return EARLIEST_PUBLICATION, now + FUTURE_MARGIN


def check_publication_date(when: datetime, now: datetime) -> datetime:
    """The one check of a publication date before it is stored: `when` itself when it lies in
    [EARLIEST_PUBLICATION, now + FUTURE_MARGIN], else DateOutOfRange (an item error)."""
    if when.tzinfo is None or now.tzinfo is None:
        raise TypeError("publication dates are checked as aware instants")
    earliest, latest = publication_window(now)
    if when < earliest:
        raise DateOutOfRange(f"publication date {_day_text(when)} is before {earliest:%Y-%m-%d}: "
                             f"not a plausible publication date")
    if when > latest:
        raise DateOutOfRange(f"publication date {_day_text(when)} is in the future "
                             f"(later than {_day_text(latest)}, two days after now)")
    return when


def parse_date(text: str, zone: ZoneInfo, now: datetime | None = None) -> ParsedDate:
    """Parse a publication date; `now` (aware) anchors relative forms ("2 jam yang lalu")."""
    if not text or not text.strip():
        raise DateParseError("empty date")
    if BARE_NUMBER.match(text.strip()) and not ISO_DAY.fullmatch(text.strip()):  # "20250910" is ISO 8601
        raise DateParseError(f"{text.strip()[:40]!r} is a bare number, not a date "
                             f"(never read as a Unix time or a spreadsheet serial)")
    norm = _normalise(text)
    for rule in RULES:
        try:
            parsed = rule(text, norm, zone, now)
        # matched, but no such day or time ("31 Februari 2025"), or beyond what a datetime holds
        # once moved to UTC ("31 Dec 9999 23:00 -0700")
        except (ValueError, OverflowError) as exc:
            raise DateParseError(f"impossible date {text.strip()[:80]!r}: {exc}") from exc
        if parsed is not None:
            if parsed.when.year < EARLIEST_YEAR:
                raise DateParseError(f"implausible publication date {text.strip()[:80]!r} ({parsed.when.year})")
            return parsed
    raise DateParseError(f"unrecognised date {text.strip()[:80]!r}")


def _numeric_day(match: re.Match) -> date:
    return date(_year(match.group("year")), int(match.group("month")), int(match.group("day")))


# The explicit forms a date can take inside running text, with how each builds its day. No
# relative words ("kemarin" in a sentence is not the article's date) and no dateparser guess.
_IN_TEXT: tuple[tuple[re.Pattern, Callable[[re.Match], date]], ...] = (
    (DAY_MONTH_YEAR, _named_month_date),
    (MONTH_DAY_YEAR, _named_month_date),
    (YEAR_MONTH_DAY, _numeric_day),
    (DAY_MONTH_YEAR_NUMERIC, _numeric_day),
)


def find_dates(text: str, zone: ZoneInfo) -> list[ParsedDate]:
    """Every date written in a longer text, in reading order: "BLORA - (29/6/2020) Bupati ..."
    gives 29 June 2020. Impossible dates ("31/2/2020") and years before EARLIEST_YEAR are skipped."""
    norm = _normalise(text)
    spans: list[tuple[int, int, ParsedDate]] = []
    for pattern, build in _IN_TEXT:
        for match in pattern.finditer(norm):
            try:
                parsed = _assemble(build(match), match, zone)
            except (ValueError, OverflowError):
                continue
            if parsed.when.year >= EARLIEST_YEAR:
                spans.append((match.start(), match.end(), parsed))
    spans.sort(key=lambda span: (span[0], -span[1]))
    found, end = [], -1
    for start, stop, parsed in spans:
        if start >= end:  # "10 September 2025" is not also read as "September 2025"
            found.append(parsed)
            end = stop
    return found


def search_date(text: str, zone: ZoneInfo) -> ParsedDate | None:
    """The first date written in a longer text, or None."""
    dates = find_dates(text, zone)
    return dates[0] if dates else None


def on_or_after(when: datetime, date_only: bool, since: datetime, zone: ZoneInfo) -> bool:
    """Whether an item is wanted for `since`; a date-only item counts by its local day."""
    if date_only:
        return when.astimezone(zone).date() >= since.astimezone(zone).date()
    return when >= since
