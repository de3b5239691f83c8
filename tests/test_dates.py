"""Indonesian publication dates: a table of real-world forms, expected value first."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from collectors.dates import DateParseError, parse_date

JAKARTA = ZoneInfo("Asia/Jakarta")
MAKASSAR = ZoneInfo("Asia/Makassar")
# Friday 12 September 2025, 17:00 WIB.
NOW = datetime(2025, 9, 12, 10, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


FORMS = [
    # expected instant, date_only, text
    # --- machine formats
    ("2025-09-10T14:30:00+07:00", False, "2025-09-10T14:30:00+07:00"),
    ("2025-09-10T07:30:00+00:00", False, "2025-09-10T07:30:00Z"),
    ("2025-09-10T14:30:00+07:00", False, "2025-09-10 14:30:00"),  # WordPress REST "date" (local, naive)
    ("2025-09-10T00:00:00+07:00", True, "2025-09-10"),
    ("2025-09-10T09:30:00.002+00:00", False, "2025-09-10T02:30:00.002-07:00"),  # Blogger default zone
    ("2025-09-10T07:30:00+00:00", False, "2025-09-10T07:30:00+0000"),  # Graph API
    ("2025-09-10T07:30:00+00:00", False, "Wed, 10 Sep 2025 07:30:00 +0000"),  # WordPress /feed/
    ("2025-09-10T14:30:00+07:00", False, "Wed, 10 Sep 2025 14:30:00 +0700"),  # OpenSID DATE_RSS
    ("2025-09-10T07:30:00+00:00", False, "Wed, 10 Sep 2025 07:30:00 GMT"),
    # --- OpenSID tgl_indo / tgl_indo2 and day names
    ("2025-09-10T00:00:00+07:00", True, "10 September 2025"),
    ("2025-09-10T00:00:00+07:00", True, "Rabu, 10 September 2025"),
    ("2025-09-10T14:30:00+07:00", False, "Rabu, 10 September 2025 14:30 WIB"),
    ("2025-09-10T14:30:00+07:00", False, "10 September 2025 14:30:00"),
    ("2025-09-10T14:30:00+07:00", False, "Rabu, 10 September 2025 - 14:30"),
    ("2025-09-10T14:30:00+07:00", False, "10 September 2025, pukul 14.30 WIB"),
    ("2025-09-10T14:30:00+07:00", False, "Rabu, 10 September 2025 | 14:30 WIB"),
    ("2025-09-12T00:00:00+07:00", True, "Jum'at, 12 September 2025"),
    ("2025-09-12T00:00:00+07:00", True, "Jum\u2019at, 12 September 2025"),
    ("2025-09-12T00:00:00+07:00", True, "Jumat, 12 September 2025"),
    ("2025-09-14T00:00:00+07:00", True, "Minggu, 14 September 2025"),
    ("2025-09-14T00:00:00+07:00", True, "Ahad, 14 September 2025"),
    ("2025-09-10T00:00:00+07:00", True, "RABU, 10 SEPTEMBER 2025"),
    ("2025-09-10T00:00:00+07:00", True, "10\u00a0September\u00a02025"),
    ("2025-09-10T00:00:00+07:00", True, "Diposting pada 10 September 2025 oleh Admin Desa"),
    # --- abbreviations
    ("2025-09-10T00:00:00+07:00", True, "10 Sep 2025"),
    ("2025-09-10T00:00:00+07:00", True, "10 Sept 2025"),
    ("2025-09-10T00:00:00+07:00", True, "10 Sept. 2025"),
    ("2025-08-17T00:00:00+07:00", True, "17 Ags 2025"),  # OpenSID short month
    ("2025-08-17T00:00:00+07:00", True, "17 Agu 2025"),  # CLDR id
    ("2025-08-17T00:00:00+07:00", True, "17 Agt 2025"),  # CLDR id_ID
    ("2025-08-17T00:00:00+07:00", True, "17 Agustus 2025"),
    ("2025-05-02T00:00:00+07:00", True, "2 Mei 2025"),
    ("2025-10-01T00:00:00+07:00", True, "1 Okt 2025"),
    ("2025-11-03T00:00:00+07:00", True, "3 Nopember 2025"),
    ("2025-12-24T00:00:00+07:00", True, "24 Des 2025"),
    ("2025-02-05T00:00:00+07:00", True, "5 Pebruari 2025"),
    ("2025-09-10T00:00:00+07:00", True, "10-Sep-2025"),
    ("2025-09-13T00:00:00+07:00", True, "Sabtu, 13 Sep '25"),
    # --- English
    ("2025-09-10T00:00:00+07:00", True, "September 10, 2025"),
    ("2025-09-10T14:30:00+07:00", False, "September 10, 2025 at 2:30 pm"),
    ("2025-09-10T00:00:00+07:00", True, "Wednesday, 10th September 2025"),
    ("2025-09-10T00:00:00+07:00", True, "Sep 10, 2025"),
    # --- numeric, day first
    ("2025-09-10T00:00:00+07:00", True, "10/9/2025"),
    ("2025-09-10T00:00:00+07:00", True, "10/09/2025"),
    ("2025-09-10T00:00:00+07:00", True, "Rabu (10/9/2025)"),
    ("2025-09-10T14:30:00+07:00", False, "Rabu (10/9/2025) 14:30 WIB"),
    ("2025-09-10T14:30:00+07:00", False, "10/9/2025 14.30"),  # pantau import form
    ("2025-09-10T00:00:00+07:00", True, "10-09-2025"),
    ("2025-09-10T00:00:00+07:00", True, "10.09.2025"),
    ("2025-09-03T00:00:00+07:00", True, "3/9/2025"),  # 3 September, never 9 March
    ("2025-09-10T00:00:00+07:00", True, "10/09/25"),
    ("2025-09-10T00:00:00+07:00", True, "2025/09/10"),
    ("2025-09-10T14:30:00+07:00", False, "2025.09.10 14:30"),
    # --- zones: WIB +7, WITA +8, WIT +9
    ("2025-09-10T14:30:00+08:00", False, "10 September 2025 14:30 WITA"),
    ("2025-09-10T14:30:00+09:00", False, "10 September 2025 14:30 WIT"),
    ("2025-09-10T14:30:00+07:00", False, "10 September 2025 pukul 14.30 WIB"),
    # --- late evening stays on the local day (16:30 UTC = 23:30 WIB on the 10th)
    ("2025-09-10T16:30:00+00:00", False, "Rabu, 10 September 2025 23:30 WIB"),
    ("2025-09-10T16:30:00+00:00", False, "Wed, 10 Sep 2025 16:30:00 +0000"),
    ("2025-09-10T17:30:00+00:00", False, "Thu, 11 Sep 2025 00:30:00 +0700"),
    # --- relative to NOW (12 Sep 2025 17:00 WIB)
    ("2025-09-12T15:00:00+07:00", False, "2 jam yang lalu"),
    ("2025-09-12T16:30:00+07:00", False, "30 menit yang lalu"),
    ("2025-09-12T16:30:00+07:00", False, "30 menit lalu"),
    ("2025-09-09T00:00:00+07:00", True, "3 hari yang lalu"),
    ("2025-08-29T00:00:00+07:00", True, "2 minggu yang lalu"),  # minggu = week here
    ("2025-09-05T00:00:00+07:00", True, "seminggu yang lalu"),
    ("2025-09-11T00:00:00+07:00", True, "kemarin"),
    ("2025-09-11T14:30:00+07:00", False, "Kemarin pukul 14.30"),
    ("2025-09-12T00:00:00+07:00", True, "Hari ini"),
    ("2025-09-12T14:30:00+07:00", False, "14.30"),
    ("2025-09-12T14:30:00+07:00", False, "pukul 14.30 WIB"),
    ("2025-09-11T20:00:00+07:00", False, "20:00"),  # later than now: yesterday evening
    ("2025-09-12T14:00:00+07:00", False, "3 hours ago"),
    ("2025-09-12T17:00:00+07:00", False, "Baru saja"),
]


@pytest.mark.parametrize(("expected", "date_only", "text"), FORMS)
def test_forms(expected, date_only, text):
    parsed = parse_date(text, JAKARTA, now=NOW)
    assert parsed.when == at(expected)
    assert parsed.when.tzinfo == UTC
    assert parsed.date_only is date_only


def test_table_is_large_enough():
    assert len(FORMS) >= 40


@pytest.mark.parametrize(("local_day", "text"), [
    (date(2025, 9, 10), "Rabu, 10 September 2025 23:30 WIB"),
    (date(2025, 9, 10), "10 September 2025"),
    (date(2025, 9, 11), "Thu, 11 Sep 2025 00:30:00 +0700"),
    (date(2025, 9, 10), "Wed, 10 Sep 2025 16:59:59 +0000"),
    (date(2025, 9, 11), "Wed, 10 Sep 2025 17:00:00 +0000"),
])
def test_local_day(local_day, text):
    assert parse_date(text, JAKARTA).when.astimezone(JAKARTA).date() == local_day


def test_bare_date_is_local_to_the_regency_zone():
    assert parse_date("10 September 2025", MAKASSAR).when == at("2025-09-10T00:00:00+08:00")
    assert parse_date("10/9/2025 14.30", MAKASSAR).when == at("2025-09-10T14:30:00+08:00")
    # An explicit zone word beats the regency's zone.
    assert parse_date("10/9/2025 14.30 WIB", MAKASSAR).when == at("2025-09-10T14:30:00+07:00")


@pytest.mark.parametrize("text", ["2 jam yang lalu", "kemarin", "hari ini", "14.30", "3 hari yang lalu"])
def test_relative_forms_need_now(text):
    with pytest.raises(DateParseError, match="reference time"):
        parse_date(text, JAKARTA)


@pytest.mark.parametrize("text", [
    "",
    "   ",
    "Baca selengkapnya",
    "Senin",
    "Minggu",  # Sunday, with no date
    "September 2025",  # no day
    "31 Februari 2025",  # no such day
    "32/1/2025",
    "9/25/2025",  # month-first: refused, not swapped
    "10 September",  # no year
    "25:61",
    "Admin Desa 123 Dibaca",
    "Dibaca 1.176 kali",
    "Perda No. 3 Tahun 2025",
    "10 September 1925",  # implausible for a publication
])
def test_invalid_inputs_raise(text):
    with pytest.raises(DateParseError):
        parse_date(text, JAKARTA, now=NOW)
