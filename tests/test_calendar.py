"""The one conversion of local calendar days into instants, and the reference date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from pantau import calendar
from pantau.config import reference_date

WIB = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize("expected, start, end", [
    ((datetime(2025, 8, 31, 17, tzinfo=UTC), datetime(2025, 9, 7, 17, tzinfo=UTC)), date(2025, 9, 1), date(2025, 9, 7)),
    ((datetime(2025, 9, 6, 17, tzinfo=UTC), datetime(2025, 9, 7, 17, tzinfo=UTC)), date(2025, 9, 7), date(2025, 9, 7)),
    ((None, datetime(2026, 1, 1, 17, tzinfo=UTC)), None, date(2026, 1, 1)),
    ((datetime(2025, 12, 31, 17, tzinfo=UTC), None), date(2026, 1, 1), None),
    ((None, None), None, None),
])
def test_day_bounds_are_local_midnights_with_the_end_day_included(expected, start, end):
    assert calendar.day_bounds(start, end, WIB) == expected


def test_a_zone_with_daylight_saving_gets_the_offset_of_each_end():
    lower, upper = calendar.day_bounds(date(2025, 3, 29), date(2025, 3, 30), ZoneInfo("Europe/Berlin"))
    assert lower.astimezone(UTC) == datetime(2025, 3, 28, 23, tzinfo=UTC)  # CET
    assert upper.astimezone(UTC) == datetime(2025, 3, 30, 22, tzinfo=UTC)  # CEST from the 30th
    assert calendar.fixed_utc_offset(ZoneInfo("Europe/Berlin"), date(2025, 3, 29), date(2025, 3, 30)) is None
    assert calendar.fixed_utc_offset(WIB, date(2025, 1, 1), date(2025, 12, 31)).total_seconds() == 7 * 3600


@pytest.mark.parametrize("expected, day", [
    ("1 Januari 2026", date(2026, 1, 1)),
    ("31 Desember 2025", date(2025, 12, 31)),
])
def test_dates_are_written_in_indonesian(expected, day):
    assert calendar.date_label(day) == expected
    assert calendar.month_label(day) == expected.split(" ", 1)[1]


def test_the_reference_date_is_pinned_by_pantau_today(monkeypatch):
    monkeypatch.setenv("PANTAU_TODAY", "2025-09-24")
    assert reference_date("Asia/Jakarta") == date(2025, 9, 24)
    monkeypatch.setenv("PANTAU_TODAY", "24-09-2025")
    with pytest.raises(ValueError, match="PANTAU_TODAY must be a date as YYYY-MM-DD, got '24-09-2025'"):
        reference_date("Asia/Jakarta")
    monkeypatch.delenv("PANTAU_TODAY")
    assert reference_date("Asia/Jakarta") == datetime.now(WIB).date()
