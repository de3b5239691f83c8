"""Indonesian publication dates, as ordered rules, cheapest first.

`parse_date(text, zone)` returns an aware UTC instant and whether only a day was given.
A bare date or time is local to the regency (`zone`). An unparseable string raises
DateParseError: the item is skipped and reported, never silently dated "today".

FIRST VERSION: ISO 8601 and RFC 822 only. The Indonesian rules (month names and their
abbreviations, day names, day-first numeric forms, WIB/WITA/WIT, relative forms) come with the
web collectors issue; the signature stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from collectors.base import ParseError


class DateParseError(ParseError):
    kind = "date_error"


@dataclass(frozen=True)
class ParsedDate:
    when: datetime  # aware, UTC
    date_only: bool = False


def _localise(value: datetime, zone: ZoneInfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def parse_iso(text: str, zone: ZoneInfo) -> ParsedDate | None:
    candidate = text.strip()
    if candidate.endswith("Z"):
        candidate = candidate[:-1] + "+00:00"
    # Graph API writes +0000 without a colon, which fromisoformat accepts since 3.11.
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    date_only = len(candidate) == 10
    return ParsedDate(_localise(value, zone), date_only)


def parse_rfc822(text: str, zone: ZoneInfo) -> ParsedDate | None:
    try:
        value = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if value is None:
        return None
    return ParsedDate(_localise(value, zone))


RULES = (parse_iso, parse_rfc822)


def parse_date(text: str, zone: ZoneInfo, now: datetime | None = None) -> ParsedDate:
    """Parse a publication date; `now` anchors relative forms ("2 jam yang lalu")."""
    if not text or not text.strip():
        raise DateParseError("empty date")
    for rule in RULES:
        parsed = rule(text, zone)
        if parsed is not None:
            return parsed
    raise DateParseError(f"unrecognised date {text.strip()[:80]!r}")
