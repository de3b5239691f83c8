"""The numbers of DESIGN.md, on literal frames: one case per rule, expected value first."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from pantau import calendar
from pantau import metrics as m
from pantau.models import Post
from pantau.registry import Settings
from pantau.store import Store

ZONE = Settings().zone

UNITS = [
    ("bupati", "Bupati", "pimpinan", ""),
    ("wabup", "Wakil Bupati", "pimpinan", ""),
    ("opd-a", "Dinas A", "opd", ""),
    ("opd-b", "Dinas B", "opd", ""),
    ("kec-x", "Kecamatan X", "kecamatan", ""),
    ("desa-1", "Desa 1", "desa", "kec-x"),
    ("desa-2", "Desa 2", "desa", "kec-x"),
    ("kel-3", "Kelurahan 3", "kelurahan", "kec-x"),
]


def frame_units(rows=UNITS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit_id", "name", "kind", "parent_id"])


def frame_sources(unit_ids, collector="wordpress") -> pd.DataFrame:
    return pd.DataFrame([(f"s-{u}", u, "website", collector, True) for u in unit_ids],
                        columns=["source_id", "unit_id", "platform", "collector", "active"])


def frame_posts(rows) -> pd.DataFrame:
    """rows: (unit_id, ISO instant with offset)."""
    return pd.DataFrame({"unit_id": [r[0] for r in rows],
                         "published_at": pd.to_datetime([r[1] for r in rows], utc=True)})


def every_day_success(unit_ids, start: date, end: date) -> pd.DataFrame:
    days = pd.date_range(start, end, freq="D")
    return pd.DataFrame([(u, d) for u in unit_ids for d in days], columns=["unit_id", "day"])


def facts(posts_rows, today: date, units=UNITS, sourced=None, success=None) -> m.Facts:
    units_frame = frame_units(units)
    ids = [u[0] for u in units] if sourced is None else sourced
    if success is None:
        success = every_day_success(ids, today - timedelta(days=120), today)
    return m.make_facts(units_frame, frame_sources(ids), m.daily_counts(frame_posts(posts_rows), ZONE),
                        Settings(), today, success=success)


def row(table: pd.DataFrame, unit_id: str, **where) -> pd.Series:
    selected = table[table["unit_id"] == unit_id]
    for key, value in where.items():
        selected = selected[selected[key] == value]
    assert len(selected) == 1
    return selected.iloc[0]


# -- local days ----------------------------------------------------------------------------------

@pytest.mark.parametrize("expected_day, instant", [
    ("2025-09-10", "2025-09-10T16:30:00Z"),       # 23:30 WIB: still the 10th locally
    ("2025-09-11", "2025-09-10T17:00:00Z"),       # 00:00 WIB on the 11th
    ("2025-09-10", "2025-09-10T00:30:00+07:00"),
    ("2025-09-09", "2025-09-09T23:59:59+07:00"),
])
def test_local_day_of_a_post(expected_day, instant):
    daily = m.daily_counts(frame_posts([("opd-a", instant)]), ZONE)
    assert daily["day"].tolist() == [pd.Timestamp(expected_day)]


def test_post_at_2330_wib_on_sunday_counts_in_that_week_not_the_next():
    # Sunday 2025-09-14 23:30 WIB = 16:30 UTC
    f = facts([("opd-a", "2025-09-14T16:30:00Z")], today=date(2025, 9, 24))
    weekly = m.weekly_table(f, date(2025, 9, 8), date(2025, 9, 21))
    assert row(weekly, "opd-a", week="2025-W37")["posts"] == 1
    assert row(weekly, "opd-a", week="2025-W38")["posts"] == 0


@pytest.mark.parametrize("expected, label", [
    ("2025-W37", "2025-09-08"), ("2025-W37", "2025-09-14"), ("2025-W40", "2025-10-01"),
    ("2026-W01", "2025-12-29"), ("2025-W01", "2024-12-30"),
])
def test_iso_week_labels(expected, label):
    assert calendar.week_label(date.fromisoformat(label)) == expected
    assert calendar.parse_week(expected) == calendar.week_start(date.fromisoformat(label))


def test_period_bounds_are_one_iso_week():
    assert calendar.weeks_overlapping(date(2025, 9, 1), date(2025, 9, 7)) == [pd.Timestamp("2025-09-01")]
    assert len(calendar.weeks_overlapping(date(2025, 9, 1), date(2025, 9, 8))) == 2


# -- weekly table --------------------------------------------------------------------------------

def test_units_without_posts_appear_with_zeros():
    f = facts([("bupati", "2025-09-10T03:00:00Z")], today=date(2025, 9, 24))
    weekly = m.weekly_table(f, date(2025, 9, 8), date(2025, 9, 14))
    assert len(weekly) == len(UNITS)
    quiet = row(weekly, "desa-2")
    assert (quiet["posts"], quiet["active_days"], quiet["target"], bool(quiet["target_met"])) == (0, 0, 1, False)


def test_week_crossing_a_month_boundary_counts_both_months():
    f = facts([("opd-a", "2025-09-30T02:00:00Z"), ("opd-a", "2025-10-02T02:00:00Z"),
               ("opd-a", "2025-10-02T05:00:00Z"), ("opd-a", "2025-10-06T02:00:00Z")], today=date(2025, 10, 20))
    weekly = m.weekly_table(f, date(2025, 9, 29), date(2025, 10, 5))
    r = row(weekly, "opd-a")
    assert (r["week"], r["posts"], r["active_days"], bool(r["target_met"])) == ("2025-W40", 3, 2, True)


@pytest.mark.parametrize("expected_target, expected_met, kind_unit, posts", [
    (2, True, "opd-a", 2),
    (2, False, "opd-a", 1),
    (2, True, "kec-x", 2),
    (1, True, "desa-1", 1),
    (1, False, "kel-3", 0),
    (None, None, "bupati", 5),
])
def test_target_by_kind(expected_target, expected_met, kind_unit, posts):
    rows = [(kind_unit, f"2025-09-{9 + i:02d}T03:00:00Z") for i in range(posts)]
    weekly = m.weekly_table(facts(rows, today=date(2025, 9, 24)), date(2025, 9, 8), date(2025, 9, 14))
    r = row(weekly, kind_unit)
    assert (None if pd.isna(r["target"]) else r["target"]) == expected_target
    assert (None if pd.isna(r["target_met"]) else bool(r["target_met"])) == expected_met


# -- leaders' reference and pace -------------------------------------------------------------------

def test_leaders_reference_counts_a_silent_leader_as_zero():
    # Bupati active 4 days, the vice-regent none: reference = (4 + 0) / 2 = 2
    rows = [("bupati", f"2025-09-{8 + i:02d}T03:00:00Z") for i in range(4)] + [("opd-a", "2025-09-09T03:00:00Z")]
    table = m.period_table(facts(rows, today=date(2025, 9, 24)), date(2025, 9, 8), date(2025, 9, 14))
    assert table.attrs["reference"] == 2.0
    assert row(table, "opd-a")["pace"] == 0.5
    assert bool(row(table, "opd-a")["keeps_pace"]) is True  # 0.5 >= default threshold 0.5


def test_reference_zero_leaves_pace_undefined():
    table = m.period_table(facts([("opd-a", "2025-09-09T03:00:00Z")], today=date(2025, 9, 24)),
                           date(2025, 9, 8), date(2025, 9, 14))
    assert table.attrs["reference"] == 0
    assert math.isnan(row(table, "opd-a")["pace"])
    assert bool(row(table, "opd-a")["keeps_pace"]) is False


@pytest.mark.parametrize("expected, active, reference", [
    (0.5, 2, 4), (1.25, 5, 4), (0.0, 0, 3), (float("nan"), 3, 0), (float("nan"), 0, 0),
])
def test_pace(expected, active, reference):
    value = m.pace(active, reference)
    assert (math.isnan(value) and math.isnan(expected)) or value == expected


def test_several_posts_one_day_is_one_active_day():
    rows = [("opd-a", "2025-09-09T01:00:00Z"), ("opd-a", "2025-09-09T10:00:00Z"), ("opd-a", "2025-09-09T16:59:00Z")]
    table = m.period_table(facts(rows, today=date(2025, 9, 24)), date(2025, 9, 8), date(2025, 9, 14))
    assert (row(table, "opd-a")["posts"], row(table, "opd-a")["active_days"]) == (3, 1)


# -- status ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("expected, days_ago", [
    ("aktif", 0), ("aktif", 7), ("kurang aktif", 8), ("kurang aktif", 30), ("dorman", 31), ("dorman", None),
])
def test_status_by_days_since_last_post(expected, days_ago):
    today = date(2025, 9, 24)
    rows = [] if days_ago is None else [("opd-a", f"{today - timedelta(days=days_ago)}T10:00:00+07:00")]
    f = facts(rows, today=today)
    result = m.status_on(f, pd.DataFrame({"unit_id": ["opd-a"], "ref_day": [pd.Timestamp(today)]}))
    assert result["status"].iloc[0] == expected
    assert (None if pd.isna(result["days_since_last_post"].iloc[0]) else result["days_since_last_post"].iloc[0]) \
        == days_ago


def test_broken_collection_is_tanpa_data_never_dorman():
    today = date(2025, 9, 24)
    # opd-b last posted 40 days ago, and its only source has failed for the last 5 days.
    success = pd.concat([every_day_success(["opd-a"], today - timedelta(days=60), today),
                         every_day_success(["opd-b"], today - timedelta(days=60), today - timedelta(days=5))])
    f = facts([("opd-b", f"{today - timedelta(days=40)}T10:00:00+07:00")], today=today,
              sourced=["opd-a", "opd-b"], success=success)
    result = m.status_on(f, pd.DataFrame({"unit_id": ["opd-a", "opd-b", "opd-b", "kec-x"],
                                          "ref_day": pd.to_datetime([today, today, today - timedelta(days=5),
                                                                     today])}))
    assert result["status"].tolist() == ["dorman", "tanpa data", "dorman", "tanpa data"]


@pytest.mark.parametrize("expected, last_success_days_before", [
    ("dorman", 0), ("dorman", 3), ("tanpa data", 4),
])
def test_health_window_is_three_days(expected, last_success_days_before):
    today = date(2025, 9, 24)
    success = every_day_success(["opd-a"], today - timedelta(days=30), today - timedelta(days=last_success_days_before))
    f = facts([], today=today, sourced=["opd-a"], success=success)
    assert m.status_on(f, pd.DataFrame({"unit_id": ["opd-a"], "ref_day": [pd.Timestamp(today)]}))["status"][0] \
        == expected


def test_manual_source_counts_as_success_on_import_day():
    today = date(2025, 9, 24)
    units = frame_units()
    sources = pd.DataFrame([("manual:desa-1:instagram", "desa-1", "instagram", "manual", True)],
                           columns=list(m.SOURCE_FRAME_COLUMNS))
    imported = datetime(2025, 9, 22, 2, 0, tzinfo=UTC)  # 09:00 WIB on the 22nd
    log = pd.DataFrame({"source_id": ["manual:desa-1:instagram"], "at": pd.to_datetime([imported], utc=True)})
    success = m.success_days(log, sources, ZONE)
    assert success["day"].tolist() == [pd.Timestamp("2025-09-22")]
    posts = frame_posts([("desa-1", "2025-09-20T10:00:00+07:00")])
    f = m.make_facts(units, sources, m.daily_counts(posts, ZONE), Settings(), today, success=success)
    refs = pd.DataFrame({"unit_id": ["desa-1", "desa-1", "desa-1"],
                         "ref_day": pd.to_datetime(["2025-09-24", "2025-09-26", "2025-09-21"])})
    # On the 24th the import (22nd) is within 3 days; by the 26th it is stale; on the 21st not yet done.
    assert m.status_on(f, refs)["status"].tolist() == ["aktif", "tanpa data", "tanpa data"]


def test_tiktok_only_unit_has_no_post_source():
    sources = pd.DataFrame([("tt", "opd-a", "tiktok", "tiktok", True)], columns=list(m.SOURCE_FRAME_COLUMNS))
    f = m.make_facts(frame_units(), sources, m.daily_counts(frame_posts([]), ZONE), Settings(), date(2025, 9, 24),
                     success=every_day_success(["opd-a"], date(2025, 9, 1), date(2025, 9, 24)))
    weekly = m.weekly_table(f, date(2025, 9, 15), date(2025, 9, 21))
    assert (row(weekly, "opd-a")["status"], row(weekly, "opd-a")["data_status"]) == ("tanpa data", "tanpa sumber")


def test_past_week_status_is_taken_at_its_sunday():
    today = date(2025, 9, 24)
    f = facts([("opd-a", "2025-09-01T10:00:00+07:00")], today=today)
    weekly = m.weekly_table(f, date(2025, 9, 1), date(2025, 9, 21))
    assert row(weekly, "opd-a", week="2025-W36")[["status", "days_since_last_post"]].tolist() == ["aktif", 6]
    assert row(weekly, "opd-a", week="2025-W37")[["status", "days_since_last_post"]].tolist() == ["kurang aktif", 13]


def test_data_status_per_week():
    today = date(2025, 9, 24)
    success = pd.concat([every_day_success(["opd-a"], date(2025, 9, 1), today),
                         every_day_success(["opd-b"], date(2025, 9, 1), date(2025, 9, 7))])
    f = facts([], today=today, sourced=["opd-a", "opd-b"], success=success)
    weekly = m.weekly_table(f, date(2025, 9, 1), date(2025, 9, 14))
    assert [row(weekly, u, week=w)["data_status"] for u, w in
            [("opd-a", "2025-W37"), ("opd-b", "2025-W36"), ("opd-b", "2025-W37"), ("kec-x", "2025-W37")]] \
        == ["ok", "ok", "gagal", "tanpa sumber"]


# -- streak ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("expected, weeks_with_two_posts", [
    (3, [1, 2, 3]),          # the three last complete weeks
    (0, [2, 3, 4]),          # the last complete week missed
    (1, [1, 3, 4]),
    (0, []),
])
def test_streak_ends_with_the_last_complete_week(expected, weeks_with_two_posts):
    today = date(2025, 9, 24)  # Wednesday of W39: the last complete week is W38
    last_monday = calendar.last_complete_week(today)
    rows = []
    for back in weeks_with_two_posts:
        monday = last_monday - pd.Timedelta(weeks=back - 1)
        rows += [("opd-a", f"{(monday + pd.Timedelta(days=d)).date()}T10:00:00+07:00") for d in (0, 2)]
    rows.append(("opd-a", "2025-09-23T10:00:00+07:00"))  # the running week never counts
    table = m.period_table(facts(rows, today=today), date(2025, 9, 22), date(2025, 9, 28))
    assert row(table, "opd-a")["streak"] == expected
    assert pd.isna(row(table, "bupati")["streak"])


# -- kecamatan roll-up and changes ---------------------------------------------------------------

def test_kecamatan_rollup():
    rows = [("kec-x", "2025-09-09T03:00:00Z"), ("desa-1", "2025-09-09T03:00:00Z"), ("desa-1", "2025-09-10T03:00:00Z"),
            ("desa-1", "2025-09-11T03:00:00Z"), ("kel-3", "2025-09-12T03:00:00Z")]
    f = facts(rows, today=date(2025, 9, 24), sourced=["bupati", "kec-x", "desa-1", "kel-3"])
    table = m.period_table(f, date(2025, 9, 8), date(2025, 9, 14))
    roll = m.kecamatan_rollup(table)
    r = roll.iloc[0]
    assert (r["unit_id"], r["own_posts"], r["villages"], r["villages_active"]) == ("kec-x", 1, 3, 2)
    assert r["median_village_posts"] == 1.0  # posts 3, 0, 1
    assert r["coverage"] == pytest.approx(2 / 3)


def test_a_village_whose_only_source_is_tiktok_has_no_source_in_any_number():
    """TikTok yields activity, not posts, and X has no collector: one rule ("has a source whose
    posts count") decides the status, the roll-up's coverage and the page's per-village column."""
    today = date(2025, 9, 24)
    sources = pd.DataFrame([
        ("s-kec-x", "kec-x", "website", "wordpress", True),
        ("s-desa-1", "desa-1", "website", "wordpress", True),
        ("tt-desa-2", "desa-2", "tiktok", "tiktok", True),  # TikTok only
        ("x-kel-3", "kel-3", "x", "", True),  # X only
    ], columns=list(m.SOURCE_FRAME_COLUMNS))
    ids = ["kec-x", "desa-1", "desa-2", "kel-3"]
    f = m.make_facts(frame_units(), sources, m.daily_counts(frame_posts([("desa-2", "2025-09-20T03:00:00Z")]), ZONE),
                     Settings(), today, success=every_day_success(ids, today - timedelta(days=120), today))
    table = m.period_table(f, date(2025, 9, 15), date(2025, 9, 21))
    villages = table[table["parent_id"] == "kec-x"].set_index("unit_id")
    assert villages["has_source"].to_dict() == {"desa-1": True, "desa-2": False, "kel-3": False}
    assert villages.loc["desa-2", "status"] == m.TANPA_DATA
    roll = m.kecamatan_rollup(table).set_index("unit_id")
    assert roll.loc["kec-x", "villages_with_source"] == 1 == int(villages["has_source"].sum())
    assert roll.loc["kec-x", "coverage"] == pytest.approx(1 / 3)


def test_status_changes_between_periods():
    today = date(2025, 9, 24)
    f = facts([("opd-a", "2025-09-01T10:00:00+07:00")], today=today)
    previous = m.period_status(f, date(2025, 9, 7))
    assert previous.set_index("unit_id")["status"].to_dict() == \
        m.period_table(f, date(2025, 9, 1), date(2025, 9, 7)).set_index("unit_id")["status"].to_dict()
    current = m.period_table(f, date(2025, 9, 15), date(2025, 9, 21))
    changes = m.status_changes(previous, current)
    assert row(changes, "opd-a")[["before", "after"]].tolist() == ["aktif", "kurang aktif"]
    assert "opd-b" not in set(changes["unit_id"])  # dorman both times


# -- SQL and pandas agree -------------------------------------------------------------------------

def test_daily_counts_in_sql_match_pandas(store: Store):
    instants = [datetime(2025, 9, 10, 16, 30, tzinfo=UTC), datetime(2025, 9, 10, 17, 0, tzinfo=UTC),
                datetime(2025, 9, 10, 2, 0, tzinfo=UTC), datetime(2025, 8, 31, 18, 0, tzinfo=UTC)]
    store.upsert_posts("opd-a", "website",
                       [Post("s-a", str(i), f"https://a.example/{i}", "t", ts) for i, ts in enumerate(instants)])
    store.upsert_posts("opd-b", "website", [Post("s-b", "1", "https://b.example/1", "t", instants[0])])
    start, end = datetime(2025, 8, 1, tzinfo=ZONE), datetime(2025, 10, 1, tzinfo=ZONE)
    in_sql = store.daily_post_counts(start, end, timedelta(hours=7))
    in_pandas = m.daily_counts(store.posts_frame(columns=["unit_id", "published_at"]), ZONE)
    key = ["unit_id", "day"]
    pd.testing.assert_frame_equal(in_sql.sort_values(key).reset_index(drop=True),
                                  in_pandas.sort_values(key).reset_index(drop=True), check_dtype=False)
    weeks_sql = store.weekly_post_counts(start, end, timedelta(hours=7)).sort_values(["unit_id", "week_start"])
    weeks_pandas = m.weeks_of(in_pandas).sort_values(["unit_id", "week_start"])
    pd.testing.assert_frame_equal(weeks_sql.reset_index(drop=True), weeks_pandas.reset_index(drop=True),
                                  check_dtype=False)
    # Sunday 31 August 18:00 UTC is Monday 1 September 01:00 WIB: the week of 1 September
    assert set(weeks_sql["week_start"]) == {pd.Timestamp("2025-09-01"), pd.Timestamp("2025-09-08")}
    assert in_sql.set_index(key).loc[("opd-a", pd.Timestamp("2025-09-10")), "posts"] == 2
    assert in_sql.set_index(key).loc[("opd-a", pd.Timestamp("2025-09-01")), "posts"] == 1


def _sorted(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    return frame.sort_values(key).reset_index(drop=True)


def test_per_day_rollup_answers_exactly_what_the_posts_say(store: Store):
    wib = timedelta(hours=7)
    start, end = datetime(2025, 8, 1, tzinfo=ZONE), datetime(2025, 10, 1, tzinfo=ZONE)
    early = [Post("s-a", f"e{i}", "", "t", datetime(2025, 9, 10, 16, 59, tzinfo=UTC) + timedelta(hours=i))
             for i in range(3)]  # 23:59 WIB on the 10th, then 00:59 and 01:59 on the 11th
    store.upsert_posts("opd-a", "website", early)
    assert store.ensure_day_rollup(wib) and not store.ensure_day_rollup(wib)  # built once, from the posts
    assert store.day_rollup_offsets() == [wib]
    # Later writes keep it in step: new posts, a re-collection, a date-only post gaining its time
    # (17:00 UTC on the 9th is the 10th 00:00 WIB; the exact time moves it to the 11th).
    archived = Post("s-b", "/artikel/x", "", "t", datetime(2025, 9, 9, 17, 0, tzinfo=UTC), date_only=True)
    store.upsert_posts("desa-b", "website", [archived])
    store.upsert_posts("opd-a", "website", early + [Post("s-a", "n", "", "t", datetime(2025, 8, 31, 18, tzinfo=UTC))])
    store.upsert_posts("desa-b", "website", [Post("s-b", "/artikel/x", "", "t", datetime(2025, 9, 11, 3, tzinfo=UTC))])
    rolled = store.daily_post_counts(start, end, wib)
    direct = m.daily_counts(store.posts_frame(columns=["unit_id", "published_at"]), ZONE)
    key = ["unit_id", "day"]
    pd.testing.assert_frame_equal(_sorted(rolled, key), _sorted(direct, key), check_dtype=False)
    assert rolled.set_index(key).loc[("desa-b", pd.Timestamp("2025-09-11")), "posts"] == 1
    assert ("desa-b", pd.Timestamp("2025-09-10")) not in rolled.set_index(key).index  # moved, not doubled
    weeks = store.weekly_post_counts(start, end, wib)
    pd.testing.assert_frame_equal(_sorted(weeks, ["unit_id", "week_start"]),
                                  _sorted(m.weeks_of(direct), ["unit_id", "week_start"]), check_dtype=False)
    # An offset without a rollup, or a period that is not whole local days, is counted from posts.
    wita = timedelta(hours=8)
    assert store.daily_post_counts(start, end, wita)["posts"].sum() == 5
    noon = store.daily_post_counts(start + timedelta(hours=12), end, wib)
    assert noon["posts"].sum() == 5 and set(noon["unit_id"]) == {"opd-a", "desa-b"}


def test_per_day_rollup_loses_no_count_under_concurrent_writers(store: Store):
    from concurrent.futures import ThreadPoolExecutor
    wib = timedelta(hours=7)
    store.ensure_day_rollup(wib)
    days = [datetime(2025, 9, 10 + d, 3, tzinfo=UTC) for d in range(5)]

    def write(worker: int) -> None:
        # Each batch touches the five days, half of the writers in the opposite order.
        order = days if worker % 2 else days[::-1]
        for batch in range(5):
            store.upsert_posts("opd-a", "website", [Post(f"s-{worker}", f"{batch}-{i}", "", "t", order[i % 5])
                                                    for i in range(20)])

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(4)))
    start, end = datetime(2025, 9, 1, tzinfo=ZONE), datetime(2025, 10, 1, tzinfo=ZONE)
    assert store.daily_post_counts(start, end, wib)["posts"].tolist() == [80] * 5


def test_streak_reaches_past_the_loaded_window_only_for_units_that_need_it():
    today = date(2025, 9, 24)
    last = calendar.last_complete_week(today)
    rows = []
    for back in range(8):  # eight complete weeks in a row with two posts
        monday = last - pd.Timedelta(weeks=back)
        rows += [("opd-a", f"{(monday + pd.Timedelta(days=d)).date()}T10:00:00+07:00") for d in (1, 3)]
    rows.append(("opd-b", f"{last.date()}T10:00:00+07:00"))
    full = m.daily_counts(frame_posts(rows), ZONE)
    start = last - pd.Timedelta(weeks=2)
    short = m.make_facts(frame_units(), frame_sources([u[0] for u in UNITS]), full[full["day"] >= start], Settings(),
                         today, success=every_day_success([u[0] for u in UNITS], date(2025, 6, 1), today),
                         start=start.date())
    asked = []

    def history(unit_ids, first, before):
        asked.append(sorted(unit_ids))
        return m.weeks_of(full[full["unit_id"].isin(unit_ids) & (full["day"] >= first) & (full["day"] < before)])

    period = (date(2025, 9, 22), date(2025, 9, 28))
    assert row(m.period_table(short, *period), "opd-a")["streak"] == 3  # what the window alone shows
    table = m.period_table(short, *period, history=history)
    assert (row(table, "opd-a")["streak"], row(table, "opd-b")["streak"]) == (8, 0)
    assert asked == [["opd-a"]]
    with pytest.raises(ValueError, match="before the loaded facts"):
        m.period_table(short, date(2025, 8, 1), date(2025, 8, 31))


PROVINCE_UNITS = [
    ("3316-bupati", "Bupati Blora", "pimpinan", "", "33.16"),
    ("3316-wabup", "Wakil Bupati Blora", "pimpinan", "", "33.16"),
    ("3316-kec-a", "Kecamatan A", "kecamatan", "", "33.16.01"),
    ("3374-walikota", "Wali Kota Semarang", "pimpinan", "", "33.74"),
    ("3374-wawali", "Wakil Wali Kota Semarang", "pimpinan", "", "33.74"),
    ("3374-kec-b", "Kecamatan B", "kecamatan", "", "33.74.01"),
]


def province_facts(posts_rows, today):
    units = pd.DataFrame(PROVINCE_UNITS, columns=["unit_id", "name", "kind", "parent_id", "code"])
    ids = units["unit_id"].tolist()
    return m.make_facts(units, frame_sources(ids), m.daily_counts(frame_posts(posts_rows), ZONE), Settings(), today,
                        success=every_day_success(ids, today - timedelta(days=120), today))


def test_in_a_province_each_unit_keeps_pace_with_its_own_regencys_leaders():
    # Blora's leaders: 6 and 2 active days (reference 4); Semarang's: 1 and 1 (reference 1).
    rows = [("3316-bupati", f"2025-09-{8 + i:02d}T03:00:00Z") for i in range(6)]
    rows += [("3316-wabup", f"2025-09-{8 + i:02d}T03:00:00Z") for i in range(2)]
    rows += [("3374-walikota", "2025-09-08T03:00:00Z"), ("3374-wawali", "2025-09-09T03:00:00Z")]
    # Each kecamatan active 2 days: half of Blora's pace, twice Semarang's.
    rows += [(k, f"2025-09-1{d}T03:00:00Z") for k in ("3316-kec-a", "3374-kec-b") for d in (0, 1)]
    f = province_facts(rows, today=date(2025, 9, 24))
    table = m.period_table(f, date(2025, 9, 8), date(2025, 9, 14))
    assert row(table, "3316-kec-a")["pace"] == 0.5
    assert row(table, "3374-kec-b")["pace"] == 2.0
    assert row(table, "3316-bupati")["pace"] == 1.5
    weekly = m.weekly_table(f, date(2025, 9, 8), date(2025, 9, 14))
    assert row(weekly, "3316-kec-a")["reference"] == 4.0
    assert row(weekly, "3374-kec-b")["reference"] == 1.0
    assert row(weekly, "3374-kec-b")["pace"] == 2.0


def test_one_regency_with_coded_areas_keeps_one_reference():
    # Blora's own registry: leaders without a code, kecamatan with one; one reference for all.
    units = [(u, n, k, p, "" if k == "pimpinan" else "33.16.01") for u, n, k, p in UNITS]
    frame = pd.DataFrame(units, columns=["unit_id", "name", "kind", "parent_id", "code"])
    assert m.leader_regencies(frame) is None


def test_province_week_reference_is_each_regencys_own_leaders():
    # Two regencies: regency A's leaders publish on 3 days of the week, B's on 1. Each OPD's
    # weekly reference (and so its pace) is its own regency's, computed by leaders_reference.
    units = pd.DataFrame([("a-bupati", "Bupati A", "pimpinan", "", "33.01"),
                          ("a-opd", "Dinas A", "opd", "", "33.01"),
                          ("b-bupati", "Bupati B", "pimpinan", "", "33.02"),
                          ("b-opd", "Dinas B", "opd", "", "33.02")],
                         columns=["unit_id", "name", "kind", "parent_id", "code"])
    ids = units["unit_id"].tolist()
    posts = [("a-bupati", f"2025-09-0{d}T09:00:00+07:00") for d in (1, 2, 3)]
    posts += [("b-bupati", "2025-09-01T09:00:00+07:00"), ("a-opd", "2025-09-01T09:00:00+07:00"),
              ("b-opd", "2025-09-01T09:00:00+07:00")]
    today = date(2025, 9, 7)
    f = m.make_facts(units, frame_sources(ids), m.daily_counts(frame_posts(posts), ZONE), Settings(), today,
                     success=every_day_success(ids, today - timedelta(days=120), today))
    weekly = m.weekly_table(f, date(2025, 9, 1), today).set_index("unit_id")
    assert weekly.loc["a-opd", "reference"] == 3.0 and weekly.loc["b-opd", "reference"] == 1.0
    assert weekly.loc["a-opd", "pace"] == pytest.approx(1 / 3) and weekly.loc["b-opd", "pace"] == 1.0
