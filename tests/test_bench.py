"""`pantau bench` runs end to end on small inputs and prints every figure it promises.

Timings are never asserted here (they live in the benchmark's output); what is asserted are the
inputs it reports, that every figure is a number, that ratios are figure / target, and the
collection properties that do not depend on the machine: at most two requests at once per host,
at most one request per source on a re-run with nothing new.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench(*args: str, code: int = 0) -> dict[str, str]:
    done = subprocess.run([sys.executable, "-m", "pantau", "bench", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert done.returncode == code, done.stdout + done.stderr
    if code:
        return {"stderr": done.stderr}
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    figures = dict(line.split(": ", 1) for line in lines)
    assert len(figures) == len(lines), "a key was printed twice"
    return figures


def test_bench_dashboard_reports_every_render_figure_with_its_ratio():
    figures = bench("dashboard", "--posts", "3000", "--repeat", "2")
    assert figures["inputs.posts"] == "3000"
    assert figures["inputs.render_processes"] == "2"
    assert figures["machine.cpus"].isdigit()
    for key, target in (("render.ringkasan_first", 1.0), ("render.ringkasan_cold_caches", 1.0),
                        ("render.ringkasan_new_session", 1.0), ("render.filter_kinds", 0.3),
                        ("render.filter_period", 0.3)):
        median, worst = float(figures[f"{key}_s"]), float(figures[f"{key}_max_s"])
        assert 0 < median <= worst
        assert abs(float(figures[f"{key}_ratio"]) - median / target) < 0.002
    assert float(figures["memory.dashboard_peak_mb"]) > 50  # a process with pandas loaded, really measured
    assert float(figures["startup.preload_s"]) > 0
    assert figures["inputs.day_rollup"] == "built" and figures["inputs.store"] == "sqlite"


def test_bench_dashboard_keeps_its_store_and_measures_it_again(tmp_path):
    kept = tmp_path / "kept"
    first = bench("dashboard", "--posts", "1500", "--repeat", "1", "--keep", str(kept))
    assert float(first["setup.seed_store_s"]) > 0 and (kept / "dashboard.db").exists()
    again = bench("dashboard", "--posts", "1500", "--repeat", "1", "--keep", str(kept))
    assert again["setup.seed_store_s"] == "reused" and again["inputs.posts"] == "1500"
    refused = bench("dashboard", "--posts", "1600", "--repeat", "1", "--keep", str(kept), code=1)
    assert "holds 1500 posts, not 1600" in refused["stderr"]


def test_bench_collect_keeps_per_host_and_rerun_bounds():
    figures = bench("collect", "--sources", "24", "--latency-ms", "5", "--workers", "4")
    assert int(figures["inputs.sources"]) >= 24
    assert int(figures["full.requests"]) > int(figures["rerun.requests"]) > 0
    assert int(figures["full.sources_failed"]) == 0  # faults are off in the benchmark
    assert int(figures["full.max_concurrent_per_host"]) <= 2
    assert float(figures["rerun.requests_per_source"]) <= 1
    assert figures["result.per_host_ok"] == "True" and figures["result.rerun_ok"] == "True"
    assert int(figures["rerun.posts_new"]) == 0


def test_bench_seeding_copies_in_sql_exactly_what_the_write_path_writes(store, tmp_path):
    from datetime import timedelta

    from pantau.config import DEFAULT_REGISTRY
    from pantau.registry import load_registry
    from pantau.sim.dashboard_bench import _seed_copies, seed_store
    from pantau.sim.registry import write_registry
    from pantau.sim.world import build_world, small_regency
    from pantau.store import Store

    blora = load_registry(DEFAULT_REGISTRY)
    world = build_world(small_regency(blora.units, opd=4, kecamatan=2, villages=3), seed=5, weeks=10)
    registry = load_registry(write_registry(world, tmp_path / "registry", settings=blora.settings))
    channels = [c for c in world.channels if c.collector and c.variant != "tiktok" and c.posts]
    base = sum(len(c.posts) for c in channels)
    total = base * 3 - 7  # three copies, the last one cut short
    stores = {"sql": store, "python": Store(f"sqlite:///{tmp_path / 'python'}.db")}  # SQLite and PostgreSQL
    for each in stores.values():
        each.sync_registry(registry)
    assert seed_store(stores["sql"], world, registry, total) == total
    assert _seed_copies(stores["python"], world, registry, channels, 3, total) == total
    columns = ["source_id", "external_id", "unit_id", "published_at"]
    key = ["source_id", "external_id"]
    frames = {name: s.posts_frame(columns=columns).sort_values(key).reset_index(drop=True)
              for name, s in stores.items()}
    assert len(frames["sql"]) == total
    # Copies cut short differ in which posts they hold; the shifts and ids of shared posts agree.
    shared = frames["sql"].merge(frames["python"], on=key, suffixes=("_sql", "_py"))
    assert len(shared) > total - base
    assert (shared["published_at_sql"] == shared["published_at_py"]).all()
    assert (shared["unit_id_sql"] == shared["unit_id_py"]).all()
    # The rollup rebuilt after the bulk copy answers what the posts say.
    wib = timedelta(hours=7)
    start, end = world.start.astimezone(blora.settings.zone), world.end.astimezone(blora.settings.zone)
    start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    end = end.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    assert stores["sql"].day_rollup_offsets() == [wib]
    assert stores["sql"].daily_post_counts(start, end, wib)["posts"].sum() == total
    stores["python"].dispose()
