"""A regency page reads and computes its own units only (pantau.loading.load_facts with unit_ids)
and must show the very numbers the whole province's table holds for those units: pace against
the regency's own leaders, weeks met, streaks (history read further back included), status, the
previous period's status; and the faster regency_of, in_set and weekly_counts give what the
pandas chains they replace gave."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from pantau import loading, metrics
from pantau.metrics.weekly import _weekly_counts_merged, weekly_counts
from pantau.regencies import regencies, regency_unit_ids, within_regency
from pantau.registry import load_registry
from pantau.sim.dashboard_bench import seed_store
from pantau.sim.province import synthetic_regency
from pantau.sim.registry import write_registry
from pantau.sim.world import build_world
from pantau.store import Store


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    folder = tmp_path_factory.mktemp("regency-facts")
    units = synthetic_regency("33.16", "Blora", opd=3, kecamatan=2, villages=4) + \
        synthetic_regency("33.74", "Semarang", kota=True, opd=3, kecamatan=2, villages=4) + \
        synthetic_regency("33.01", "Cilacap", opd=2, kecamatan=1, villages=3)
    world = build_world(units, seed=11, weeks=12)
    registry = load_registry(write_registry(world, folder / "registry"))
    store = Store(f"sqlite:///{folder / 'pantau.db'}")
    store.sync_registry(registry)
    seed_store(store, world, registry, world.post_count())
    yield store, registry, world.last_day
    store.dispose()


def test_a_regencys_own_facts_give_the_provinces_numbers(province):
    store, registry, today = province
    # A window shorter than the streak look-back, so long streaks read older weeks (history).
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=6)
    whole = loading.load_facts(store, registry, start, today)
    history = loading.history_loader(store, registry)
    codes = list(regencies(whole.units)["regency"])
    assert codes == ["33.01", "33.16", "33.74"]
    periods = [(today - timedelta(days=today.weekday() + 7), today - timedelta(days=today.weekday() + 1)),
               (today.replace(day=1), today), (start, today)]
    compared = 0
    for first, last in periods:
        full = metrics.period_table(whole, first, last, history=history)
        assert full["streak"].max() > 6  # some streaks reach past the loaded weeks
        for code in codes:
            ids = regency_unit_ids(whole.units, code)
            own = loading.load_facts(store, registry, start, today, unit_ids=ids)
            assert set(own.units["unit_id"]) == ids == set(within_regency(whole.units, code)["unit_id"])
            assert len(own.daily) == whole.daily["unit_id"].isin(ids).sum() > 0
            expected = within_regency(full, code).reset_index(drop=True)
            got = metrics.period_table(own, first, last, history=history)
            pd.testing.assert_frame_equal(got, expected)
            assert got.attrs["reference"] == expected.attrs["reference"]
            before = metrics.period_status(own, first - timedelta(days=1))
            pd.testing.assert_frame_equal(
                before, within_regency(metrics.period_status(whole, first - timedelta(days=1)), code, whole.units)
                .reset_index(drop=True))
            compared += len(got)
            weekly_own = metrics.weekly_table(own, first, last)  # the Unit page's weekly table
            weekly_all = metrics.weekly_table(whole, first, last)
            pd.testing.assert_frame_equal(weekly_own,
                                          weekly_all[weekly_all["unit_id"].isin(ids)].reset_index(drop=True))
    assert compared == 3 * len(whole.units)


def test_regency_of_takes_the_first_two_parts_of_any_code():
    codes = pd.Series(["33.16.01.2001", "33.16", "33", "", None, "33.74.", "a.b.c", ".x.y", "..", "a\nb.c.d"],
                      index=list("abcdefghij"))
    got = metrics.regency_of(codes)
    assert got.tolist() == ["33.16", "33.16", "33", "", "", "33.74", "a.b", ".x", ".", "a\nb.c"]
    # exactly what the pandas chain it replaces gave, dtype and index included
    pd.testing.assert_series_equal(got, codes.fillna("").astype(str).str.split(".").str[:2].str.join("."))


def test_provinces_table_without_streaks_differs_only_in_the_streaks(province):
    store, registry, today = province
    whole = loading.load_facts(store, registry, today - timedelta(weeks=13), today)
    first, last = today.replace(day=1), today
    full = metrics.period_table(whole, first, last, history=loading.history_loader(store, registry))
    lean = metrics.period_table(whole, first, last, streak=pd.Series(pd.NA, index=whole.units["unit_id"], dtype="Int64"))
    assert lean["streak"].isna().all() and full["streak"].notna().any()
    pd.testing.assert_frame_equal(lean.drop(columns="streak"), full.drop(columns="streak"))
    # Provinsi reads its facts from the period's first day only: the same figures
    for first, last in ((today.replace(day=1), today), (today - timedelta(days=today.weekday() + 7), today),
                        (today - timedelta(days=40), today - timedelta(days=20))):
        full = metrics.period_table(whole, first, last, history=loading.history_loader(store, registry))
        from_first = loading.load_facts(store, registry, first, today)
        assert len(from_first.daily) < len(whole.daily)
        lean = metrics.period_table(from_first, first, last,
                                    streak=pd.Series(pd.NA, index=whole.units["unit_id"], dtype="Int64"))
        # the last post before the period's first day counts (days since it), and so do successes
        assert lean["days_since_last_post"].notna().sum() > lean["posts"].gt(0).sum()
        assert last != today or (lean["status"] != "tanpa data").any()
        pd.testing.assert_frame_equal(lean.drop(columns=["streak", "weeks_met", "weeks_complete"]),
                                      full.drop(columns=["streak", "weeks_met", "weeks_complete"]))


def test_in_set_answers_as_isin():
    values = pd.Series(["a", "b", "c", "a"], dtype="str")
    assert metrics.in_set(values, {"a", "c"}).tolist() == values.isin({"a", "c"}).tolist() == [True, False, True, True]
    assert metrics.in_set(values, ["b"]).tolist() == [False, True, False, False]
    assert metrics.in_set(values.iloc[:0], {"a"}).tolist() == []


def test_weekly_counts_by_position_equal_the_cross_join_and_merge(province):
    store, registry, today = province
    whole = loading.load_facts(store, registry, today - timedelta(weeks=12), today)
    monday = today - timedelta(days=today.weekday())
    every = [pd.Timestamp(monday) - pd.Timedelta(weeks=w) for w in range(11, -1, -1)]
    for mondays in (every, every[3:5], every[-1:], []):
        got = weekly_counts(whole.daily, whole.units, mondays, whole.settings)
        expected = _weekly_counts_merged(whole.daily, whole.units, pd.Index(pd.Series(mondays, dtype="datetime64[ns]")),
                                         whole.settings)
        pd.testing.assert_frame_equal(got, expected)
        assert len(got) == len(whole.units) * len(mondays)
    assert got.empty and weekly_counts(whole.daily, whole.units, every, whole.settings)["posts"].sum() > 0
