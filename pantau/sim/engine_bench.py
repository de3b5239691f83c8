"""`pantau bench collect --engine celery`: the distributed engine measured on loopback.

Starts Redis, a throwaway PostgreSQL (unless --db names a server to create databases on) and a
simulator process; for each worker-process count, a fresh database and that many `pantau
worker` processes collect the whole simulated registry once. Printed per count: wall time,
sources and requests per second, the speed-up over one process, and the most requests the
simulator ever saw at once on one host (across all workers). Then one more run with the
largest count in which one worker is SIGKILLed mid-run: its unacknowledged sources come back
after the broker's visibility timeout, and the store is compared with the ground truth
(posts lost, posts duplicated, unexplained differences: all must be 0).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text

from collectors.kinds import COLLECTORS
from pantau.engine.celery_app import make_app
from pantau.engine.cluster import LocalCluster
from pantau.engine.dispatch import run_collection_on_engine
from pantau.registry import Registry, load_registry
from pantau.sim.faults import FaultPlan
from pantau.sim.process import SimProcess
from pantau.sim.registry import SIM_CREDENTIALS, write_registry
from pantau.sim.truth import compare, normalise_id
from pantau.sim.world import WEEKS, World, build_world, synthetic_units
from pantau.store import Store

SPEEDUP_TARGET = 3.0
MAX_PER_HOST = 2
# Seconds before a dead worker's sources are handed to another: short, the sources take < 1 s.
VISIBILITY_TIMEOUT = 20.0
REQUEST_TIMEOUT = 10.0
READY_TIMEOUT = 120.0


def wait_ready(app, count: int) -> None:
    """Until `count` workers answer a ping (started, connected, consuming)."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        answers = app.control.ping(timeout=1.0) or []
        if len(answers) >= count:
            return
    raise RuntimeError(f"only {len(answers)} of {count} workers came up within {READY_TIMEOUT:g} s")


class Databases:
    """One fresh database per run on one PostgreSQL server; all dropped at the end."""

    def __init__(self, admin_url: str):
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.base = admin_url.rpartition("/")[0]
        self.names: list[str] = []

    def fresh(self) -> str:
        name = f"pantau_bench_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return f"{self.base}/{name}"

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def engine_run(cluster: LocalCluster, databases: Databases, registry: Registry, world: World,
               simulator: SimProcess, processes: int, concurrency: int,
               kill_at: float | None = None) -> dict:
    """One full collection by `processes` workers into a fresh database; figures and the store."""
    db_url = databases.fresh()
    store = Store(db_url)
    store.sync_registry(registry)
    cluster.db_url = db_url
    app = make_app(cluster.broker_url)
    cluster.start_workers(processes, concurrency=concurrency, env=dict(SIM_CREDENTIALS),
                          request_timeout=REQUEST_TIMEOUT, visibility_timeout=VISIBILITY_TIMEOUT)
    try:
        wait_ready(app, processes)
        simulator.reset_stats()
        killed = False
        started = time.perf_counter()
        if kill_at is None:
            summary = run_collection_on_engine(store, registry, app, since=world.start, now=world.end, timeout=3600)
        else:
            summary, killed = _run_killing_one(cluster, store, registry, app, world, simulator, kill_at)
        wall = time.perf_counter() - started
        stats = simulator.stats()
    finally:
        cluster.stop_workers()
        app.close()
    return {"summary": summary, "wall": wall, "stats": stats, "store": store, "killed": killed}


def _run_killing_one(cluster, store, registry, app, world, simulator, kill_at: float):
    """The collection in a thread; worker 0 SIGKILLed once the simulator has served `kill_at`
    requests (a share of a full run's, so the kill lands mid-run)."""
    import threading

    outcome: dict = {}

    def collect() -> None:
        outcome["summary"] = run_collection_on_engine(store, registry, app, since=world.start, now=world.end,
                                                      timeout=3600)

    thread = threading.Thread(target=collect, name="bench-collect")
    thread.start()
    while thread.is_alive() and simulator.stats()["requests"] < kill_at:
        time.sleep(0.05)
    killed = thread.is_alive()
    cluster.kill_worker(0)
    thread.join()
    return outcome["summary"], killed


def losses(world: World, store: Store, summary) -> dict:
    """Posts lost and duplicated against the ground truth."""
    collected = {a.source_id: [(world.end, a.route)] for a in summary.attempts if a.status == "ok"}
    comparison = compare(world, store, collected, world.start, kinds=set(COLLECTORS))
    frame = store.posts_frame(columns=["source_id", "external_id"])
    keys = {(s, normalise_id(e)) for s, e in frame.itertuples(index=False)}
    with store.engine.connect() as conn:  # the whole database over its posts: tables and indexes
        size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    lost = sum(len(d.missing) for d in comparison.differences)
    extra = sum(len(d.extra) for d in comparison.differences)
    return {"lost": lost, "duplicated": len(frame) - len(keys) + extra, "unexplained": comparison.unexplained,
            "expected": comparison.posts_expected, "stored": len(frame),
            "bytes_per_post": size / max(1, len(frame))}


def run(args: argparse.Namespace, emit: Callable[[str, object], None], machine: Callable[[], None]) -> int:
    counts = sorted(set(args.workers_processes))
    if not args.verbose:
        logging.getLogger("collectors").setLevel(logging.ERROR)
    units = synthetic_units(args.sources)
    world = build_world(units, seed=args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="pantau-bench-engine-"))
    cluster = LocalCluster(port_base=args.port_base)
    simulator = SimProcess(world, FaultPlan.off(latency_ms=args.latency_ms), WEEKS)
    databases: Databases | None = None
    try:
        registry = load_registry(write_registry(world, tmp / "registry"))
        sources = [s for s in registry.sources if s.active and s.collector]
        cluster.start_redis()
        databases = Databases(args.db if args.db else cluster.start_postgres())
        machine()
        emit("inputs.engine", "celery (redis broker, postgresql store)")
        emit("inputs.sources", len(sources))
        emit("inputs.hosts", len(world.hosts))
        emit("inputs.latency_ms", args.latency_ms)
        emit("inputs.worker_threads_per_process", args.worker_concurrency)
        emit("inputs.worker_processes", " ".join(str(c) for c in counts))
        throughput: dict[int, float] = {}
        per_host = 0
        requests_full = 0
        for count in counts:
            result = engine_run(cluster, databases, registry, world, simulator, count, args.worker_concurrency)
            summary, wall, stats = result["summary"], result["wall"], result["stats"]
            throughput[count] = summary.ok / wall
            per_host = max(per_host, stats["max_per_host"])
            requests_full = stats["requests"]
            emit(f"workers_{count}.wall_s", wall)
            emit(f"workers_{count}.sources_ok", summary.ok)
            emit(f"workers_{count}.sources_failed", summary.failed)
            emit(f"workers_{count}.posts_new", summary.posts_new)
            emit(f"workers_{count}.requests", stats["requests"])
            emit(f"workers_{count}.sources_per_s", throughput[count])
            emit(f"workers_{count}.requests_per_s", stats["requests"] / wall)
            emit(f"workers_{count}.speedup_vs_1", throughput[count] / throughput[counts[0]] * counts[0]
                 if counts[0] == 1 else float("nan"))
            emit(f"workers_{count}.max_concurrent_per_host", stats["max_per_host"])
            emit(f"workers_{count}.max_concurrent_total", stats["max_in_flight"])
            result["store"].dispose()
        biggest = counts[-1]
        kill = engine_run(cluster, databases, registry, world, simulator, max(2, biggest), args.worker_concurrency,
                          kill_at=requests_full * 0.3)
        lost = losses(world, kill["store"], kill["summary"])
        per_host = max(per_host, kill["stats"]["max_per_host"])
        kill["store"].dispose()
        emit("kill.worker_processes", max(2, biggest))
        emit("kill.killed_mid_run", kill["killed"])
        emit("kill.wall_s", kill["wall"])
        emit("kill.visibility_timeout_s", VISIBILITY_TIMEOUT)
        emit("kill.sources_ok", kill["summary"].ok)
        emit("kill.sources_failed", kill["summary"].failed)
        emit("kill.posts_expected", lost["expected"])
        emit("kill.posts_stored", lost["stored"])
        emit("kill.posts_lost", lost["lost"])
        emit("kill.posts_duplicated", lost["duplicated"])
        emit("kill.unexplained_differences", lost["unexplained"])
        emit("kill.max_concurrent_per_host", kill["stats"]["max_per_host"])
        emit("store.database_bytes_per_post", lost["bytes_per_post"])
        emit("target.speedup_4_vs_1", f">= {SPEEDUP_TARGET:g}")
        emit("target.max_concurrent_per_host", f"<= {MAX_PER_HOST}")
        if 1 in throughput and 4 in throughput:
            emit("result.speedup_ok", throughput[4] / throughput[1] >= SPEEDUP_TARGET)
        emit("result.per_host_ok", per_host <= MAX_PER_HOST)
        emit("result.kill_ok", kill["killed"] and lost["lost"] == 0 and lost["duplicated"] == 0
             and lost["unexplained"] == 0)
    finally:
        simulator.stop()
        if databases is not None:
            databases.drop_all()
        cluster.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def run_province(args: argparse.Namespace, emit: Callable[[str, object], None], machine: Callable[[], None]) -> int:
    """A whole province's registry simulated on loopback and collected by the engine twice: once
    as it is, once with a worker killed mid-run; each compared with the ground truth."""
    from pantau.sim.province import with_simulated_opd

    if not args.verbose:
        logging.getLogger("collectors").setLevel(logging.ERROR)
    units = with_simulated_opd(list(load_registry(args.province_registry).units), args.opd_per_regency)
    started = time.perf_counter()
    world = build_world(units, seed=args.seed, weeks=args.weeks)
    built = time.perf_counter() - started
    tmp = Path(tempfile.mkdtemp(prefix="pantau-province-"))
    cluster = LocalCluster(port_base=args.port_base)
    simulator = SimProcess(world, FaultPlan.off(latency_ms=args.latency_ms), args.weeks)
    databases: Databases | None = None
    processes = max(args.workers_processes)
    try:
        registry = load_registry(write_registry(world, tmp / "registry"))
        sources = [s for s in registry.sources if s.active and s.collector]
        cluster.start_redis()
        databases = Databases(args.db if args.db else cluster.start_postgres())
        machine()
        regencies = {u.unit_id.split("-", 1)[0] for u in units}
        emit("inputs.regencies", len(regencies))
        emit("inputs.units", len(units))
        emit("inputs.hosts", len(world.hosts))
        emit("inputs.sources", len(sources))
        emit("inputs.weeks", args.weeks)
        emit("inputs.posts_upstream", world.post_count())
        emit("inputs.latency_ms", args.latency_ms)
        emit("inputs.worker_processes", processes)
        emit("inputs.worker_threads_per_process", args.worker_concurrency)
        emit("inputs.world_build_s", built)
        ok = True
        for label, kill_at in (("plain", None), ("kill", 0.3)):
            result = engine_run(cluster, databases, registry, world, simulator, processes, args.worker_concurrency,
                                kill_at=None if kill_at is None else kill_at * max(1, args.expected_requests))
            found = losses(world, result["store"], result["summary"])
            stored_regencies = {u.split("-", 1)[0] for u in result["store"].posts_frame(columns=["unit_id"])["unit_id"]}
            result["store"].dispose()
            summary, stats = result["summary"], result["stats"]
            if kill_at is None:
                args.expected_requests = stats["requests"]
            emit(f"{label}.wall_s", result["wall"])
            emit(f"{label}.sources_ok", summary.ok)
            emit(f"{label}.sources_failed", summary.failed)
            emit(f"{label}.requests", stats["requests"])
            emit(f"{label}.sources_per_s", summary.ok / result["wall"])
            emit(f"{label}.regencies_with_posts", len(stored_regencies))
            emit(f"{label}.posts_expected", found["expected"])
            emit(f"{label}.posts_stored", found["stored"])
            emit(f"{label}.posts_lost", found["lost"])
            emit(f"{label}.posts_duplicated", found["duplicated"])
            emit(f"{label}.unexplained_differences", found["unexplained"])
            emit(f"{label}.max_concurrent_per_host", stats["max_per_host"])
            emit(f"{label}.database_bytes_per_post", found["bytes_per_post"])
            # A failed source is in the attempt log and the ground truth's comparison; named here too.
            for attempt in summary.attempts:
                if attempt.status not in ("ok", "not_collectable", "skipped"):
                    emit(f"{label}.failed_source", f"{attempt.source_id} {attempt.error_kind} {attempt.error[:120]}")
            if kill_at is not None:
                emit(f"{label}.killed_mid_run", result["killed"])
                ok = ok and result["killed"]
            ok = ok and found["lost"] == 0 and found["duplicated"] == 0 and found["unexplained"] == 0 \
                and stats["max_per_host"] <= MAX_PER_HOST
        emit("result.province_ok", ok)
    finally:
        simulator.stop()
        if databases is not None:
            databases.drop_all()
        cluster.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1
