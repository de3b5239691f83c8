"""`pantau bench dashboard`: a store of N simulated posts, the metrics behind each page timed,
then Ringkasan rendered by Streamlit's AppTest (cold, then in a new session), and a filter change.

The posts are the simulated Blora year, repeated with shifted times and distinct identities
until there are N of them: the same units, kinds and rhythms, at a larger volume.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from pantau.config import DEFAULT_REGISTRY, PROJECT_ROOT
from pantau.models import CollectionRun, Post
from pantau.registry import load_registry
from pantau.sim.registry import write_registry
from pantau.sim.world import World, build_world
from pantau.store import Store

FIRST_RENDER_TARGET = 1.0
FILTER_CHANGE_TARGET = 0.3
BATCH = 5000


def seed_store(store: Store, world: World, registry, total: int) -> int:
    """Insert `total` posts shaped like the world's year; one successful attempt per source."""
    channels = [c for c in world.channels if c.collector and c.variant != "tiktok" and c.posts]
    base = sum(len(c.posts) for c in channels)
    copies = -(-total // max(1, base))
    span = (world.end - world.start).total_seconds()
    inserted = 0
    platform_of = {s.source_id: s.platform for s in registry.sources}
    for channel in channels:
        batch = []
        for copy in range(copies):
            for post in channel.posts:
                if inserted + len(batch) >= total:
                    break
                # Shift each copy by a prime number of minutes, wrapped inside the year.
                offset = (post.published - world.start).total_seconds() + copy * 6151 * 60
                when = world.start + timedelta(seconds=offset % span)
                batch.append(Post(channel.source_id, f"{post.external_id}~{copy}", "", post.title, when))
        for i in range(0, len(batch), BATCH):
            store.upsert_posts(channel.unit_id, platform_of[channel.source_id], batch[i:i + BATCH])
        inserted += len(batch)
    for channel in channels:
        moment = world.end - timedelta(hours=1)
        store.record_attempt(CollectionRun(channel.source_id, moment, moment, ok=True, status="ok"))
    return inserted


def timed(fn: Callable, *args):
    started = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - started


def run(posts: int, seed: int, emit: Callable, machine: Callable) -> int:
    from pantau import metrics  # the dashboard's metrics: an ImportError says the dashboard is missing

    units = load_registry(DEFAULT_REGISTRY)
    world = build_world(units.units, seed=seed)
    tmp = Path(tempfile.mkdtemp(prefix="pantau-bench-dash-"))
    try:
        folder = write_registry(world, tmp / "registry", settings=units.settings)
        registry = load_registry(folder)
        db_url = f"sqlite:///{tmp / 'dashboard.db'}"
        store = Store(db_url)
        store.sync_registry(registry)
        machine()
        count, seconds = timed(seed_store, store, world, registry, posts)
        emit("inputs.posts", count)
        emit("inputs.units", len(registry.units))
        emit("inputs.sources", len(registry.sources))
        emit("inputs.store", "sqlite")
        emit("setup.seed_store_s", seconds)
        today = world.last_day
        week_start = today - timedelta(days=today.weekday())
        month_start = today.replace(day=1)
        window = week_start - timedelta(weeks=12)  # a Monday: weekly tables cover whole weeks
        facts, seconds = timed(metrics.load_facts, store, registry, window, today)
        emit("metrics.load_facts_13_weeks_s", seconds)
        year_facts, seconds = timed(metrics.load_facts, store, registry, world.first_day, today)
        emit("metrics.load_facts_year_s", seconds)
        for label, start in (("week", week_start), ("month", month_start)):
            table, seconds = timed(metrics.period_table, facts, start, today)
            emit(f"metrics.period_table_{label}_s", seconds)
        _, seconds = timed(metrics.period_table, year_facts, world.first_day, today)
        emit("metrics.period_table_year_s", seconds)
        _, seconds = timed(metrics.weekly_table, facts, window, today)
        emit("metrics.weekly_table_13_weeks_s", seconds)
        month_table = metrics.period_table(facts, month_start, today)
        _, seconds = timed(metrics.kecamatan_rollup, month_table, facts.sources)
        emit("metrics.kecamatan_rollup_s", seconds)
        store.dispose()
        render(db_url, folder, today, emit)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def render(db_url: str, folder: Path, today, emit: Callable) -> None:
    # Bare-mode notices ("missing ScriptRunContext") are noise in a benchmark's output.
    from streamlit import logger as streamlit_logger
    from streamlit.testing.v1 import AppTest

    streamlit_logger.set_log_level("error")
    os.environ.update({"PANTAU_DB": db_url, "PANTAU_REGISTRY": str(folder), "PANTAU_TODAY": today.isoformat(),
                       "PANTAU_SIMULATED": "1", "PANTAU_MODE": "public"})
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=300)
    _, first = timed(app.run)
    if app.exception:
        raise RuntimeError(f"Ringkasan failed to render: {app.exception[0].message}")
    emit("render.ringkasan_first_s", first)
    emit("render.ringkasan_first_ratio", first / FIRST_RENDER_TARGET)
    # What a visitor meets once the server has run a while but the data caches are empty (after
    # a TTL expiry or a new collection): modules imported, every query and metric computed anew.
    import streamlit as st

    st.cache_data.clear()  # a TTL expiry empties these; the engine and registry resources stay
    cold = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=300)
    _, cold_cache = timed(cold.run)
    emit("render.ringkasan_cold_caches_warm_process_s", cold_cache)
    emit("render.ringkasan_cold_caches_warm_process_ratio", cold_cache / FIRST_RENDER_TARGET)
    again = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=300)
    _, warm = timed(again.run)
    emit("render.ringkasan_new_session_s", warm)
    emit("render.ringkasan_new_session_ratio", warm / FIRST_RENDER_TARGET)
    kinds = again.multiselect(key="ringkasan-kinds")
    kinds.set_value(["opd", "kecamatan", "desa"])
    _, change = timed(again.run)
    emit("render.filter_kinds_s", change)
    emit("render.filter_kinds_ratio", change / FILTER_CHANGE_TARGET)
    period = again.radio(key="ringkasan-kind")
    period.set_value("Bulan")
    _, change = timed(again.run)
    emit("render.filter_period_s", change)
    emit("render.filter_period_ratio", change / FILTER_CHANGE_TARGET)
    if again.exception:
        raise RuntimeError(f"Ringkasan failed after a filter change: {again.exception[0].message}")
    emit("target.first_render_s", f"< {FIRST_RENDER_TARGET}")
    emit("target.filter_change_s", f"< {FILTER_CHANGE_TARGET}")
