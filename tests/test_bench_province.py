"""`pantau bench dashboard --registry DIR`: the province's units are the ones simulated, and a
store seeded with fewer posts than the simulation holds keeps every regency's share (no timing
here: figures live in the benchmark)."""

from __future__ import annotations

from pathlib import Path

from pantau.config import PROJECT_ROOT
from pantau.registry import load_registry
from pantau.sim.dashboard_bench import PROVINCE_WEEKS, bench_units, seed_store
from pantau.sim.province import synthetic_regency
from pantau.sim.registry import write_registry
from pantau.sim.world import build_world
from pantau.store import Store


def test_the_jawa_tengah_registry_is_benched_as_a_province():
    units, settings, weeks, province = bench_units(PROJECT_ROOT / "data" / "jawa-tengah")
    assert province and weeks == PROVINCE_WEEKS
    assert len(units) == 9314  # 9,209 areas and leaders, three made-up OPD for each of 35 regencies
    assert settings.regency_name == "Provinsi Jawa Tengah"
    _, _, weeks, province = bench_units(None)  # Blora, as before
    assert not province and weeks is None


def test_fewer_posts_than_simulated_keep_every_units_share(tmp_path: Path):
    units = synthetic_regency("33.16", "Blora", opd=2, kecamatan=2, villages=2) + \
        synthetic_regency("33.74", "Semarang", kota=True, opd=2, kecamatan=2, villages=2)
    world = build_world(units, seed=3, weeks=10)
    registry = load_registry(write_registry(world, tmp_path / "registry"))
    store = Store(f"sqlite:///{tmp_path / 'bench.db'}")
    try:
        store.sync_registry(registry)
        channels = [c for c in world.channels if c.collector and c.variant != "tiktok" and c.posts]
        base = sum(len(c.posts) for c in channels)
        total = base // 3
        assert seed_store(store, world, registry, total) == total
        stored = store.posts_frame(columns=["source_id", "unit_id"])
        assert len(stored) == total
        # Every channel with three posts or more keeps about a third of them, the last ones too.
        per_source = stored["source_id"].value_counts()
        for channel in channels:
            if len(channel.posts) >= 3:
                assert abs(per_source.get(channel.source_id, 0) - len(channel.posts) / 3) <= 1, channel.source_id
        assert set(stored["unit_id"].str[:4]) == {"3316", "3374"}
    finally:
        store.dispose()
