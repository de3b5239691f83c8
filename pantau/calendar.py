"""Days, weeks and months in the regency's zone: the one place a date becomes instants.

Conventions every number follows:
- a *day* is a naive pandas Timestamp at local midnight in the regency zone;
- a week is an ISO week, Monday to Sunday local, named like `2025-W37`;
- periods are local calendar days, both ends inclusive; as instants they are [start, end) in UTC
  (`day_bounds`), which is how the store is asked.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

ONE_DAY = pd.Timedelta(days=1)

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")


def to_day(value: date | datetime | pd.Timestamp) -> pd.Timestamp:
    """A calendar date as a naive midnight Timestamp (the representation of a day here)."""
    return pd.Timestamp(value.year, value.month, value.day)


def local_midnight(day: date | pd.Timestamp, zone: ZoneInfo) -> datetime:
    """The aware instant a local calendar day begins."""
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def day_bounds(start: date | pd.Timestamp | None, end: date | pd.Timestamp | None,
               zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """Local calendar days start..end, both inclusive -> the instants [lower, upper).

    An open end (None) stays None. `end` is inclusive: the upper bound is the next midnight.
    """
    lower = local_midnight(start, zone) if start is not None else None
    upper = local_midnight(end, zone) + timedelta(days=1) if end is not None else None
    return lower, upper


def local_days(times: pd.Series, zone: ZoneInfo) -> pd.Series:
    """Aware instants -> the local calendar day they fall on in the zone."""
    if times.empty:
        return pd.Series([], dtype="datetime64[ns]", index=times.index)
    local = pd.to_datetime(times, utc=True).dt.tz_convert(zone).dt.tz_localize(None)
    return local.dt.normalize().astype("datetime64[ns]")


def week_start(day: date | pd.Timestamp) -> pd.Timestamp:
    day = to_day(day)
    return day - pd.Timedelta(days=day.weekday())


def week_label(day: date | pd.Timestamp) -> str:
    iso = to_day(day).isocalendar()
    return f"{iso[0]}-W{iso[1]:02d}"


def parse_week(label: str) -> pd.Timestamp:
    """`2025-W37` -> the Monday of that ISO week; ValueError when malformed."""
    try:
        year, week = label.strip().upper().split("-W")
        return to_day(date.fromisocalendar(int(year), int(week), 1))
    except ValueError as exc:
        raise ValueError(f"expected a week like 2025-W37, got {label!r}") from exc


def weeks_overlapping(start: date | pd.Timestamp, end: date | pd.Timestamp) -> list[pd.Timestamp]:
    """Mondays of the ISO weeks that overlap [start, end]."""
    first, last = week_start(start), week_start(end)
    return list(pd.date_range(first, last, freq="7D"))


def last_complete_week(today: date | pd.Timestamp) -> pd.Timestamp:
    """Monday of the newest ISO week that has ended before `today` (a Sunday is still running)."""
    return week_start(today) - pd.Timedelta(days=7)


def week_mondays(series: pd.Series) -> pd.Series:
    """Each day's ISO week Monday, for a Series of days."""
    return series - pd.to_timedelta(series.dt.day_of_week, unit="D")


def month_label(day: date | pd.Timestamp) -> str:
    """`Desember 2026`."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def date_label(day: date | pd.Timestamp) -> str:
    """`4 Desember 2026`: how the pages and the recap write a date."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def today_in(timezone: str) -> date:
    """The local calendar date now in the zone."""
    return datetime.now(ZoneInfo(timezone)).date()


def fixed_utc_offset(zone: ZoneInfo, start: date, end: date) -> timedelta | None:
    """The zone's UTC offset when it does not change over [start, end], else None."""
    days = pd.date_range(to_day(start) - ONE_DAY, to_day(end) + ONE_DAY, freq="D")
    offsets = {datetime(d.year, d.month, d.day, 12, tzinfo=zone).utcoffset() for d in days}
    return offsets.pop() if len(offsets) == 1 else None
