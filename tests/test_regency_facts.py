"""A regency page computes its own units only (pantau.regencies.regency_facts) and must show the
very numbers the whole province's table holds for those units: pace against the regency's own
leaders, weeks met, streaks (history read further back included), status, the previous period's
status and the fast regency_of."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from pantau import loading, metrics
from pantau.regencies import regencies, regency_facts, within_regency
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
            own = regency_facts(whole, code)
            assert set(own.units["unit_id"]) == set(within_regency(whole.units, code)["unit_id"])
            expected = within_regency(full, code).reset_index(drop=True)
            got = metrics.period_table(own, first, last, history=history)
            pd.testing.assert_frame_equal(got, expected)
            assert got.attrs["reference"] == expected.attrs["reference"]
            before = metrics.period_status(own, first - timedelta(days=1))
            pd.testing.assert_frame_equal(
                before, within_regency(metrics.period_status(whole, first - timedelta(days=1)), code, whole.units)
                .reset_index(drop=True))
            compared += len(got)
    assert compared == 3 * len(whole.units)


def test_regency_of_takes_the_first_two_parts_of_any_code():
    codes = pd.Series(["33.16.01.2001", "33.16", "33", "", None, "33.74.", "a.b.c"], index=list("abcdefg"))
    assert metrics.regency_of(codes).tolist() == ["33.16", "33.16", "33", "", "", "33.74", "a.b"]
    assert metrics.regency_of(codes).index.tolist() == list("abcdefg")
