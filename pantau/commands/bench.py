"""pantau bench collect|dashboard: the performance targets of DESIGN.md, measured.

Each figure is printed as one `key: value` line with the machine, the inputs and the ratio to
its bound. Timings live here, never in tests.

collect: a regency-sized simulated registry (one loopback host:port per unit, faults off, a
fixed latency per response) served by a simulator in its own process; one full collection,
then a re-run with nothing new. Ideal bound = requests x latency / allowed concurrency, with
allowed concurrency = min(workers, 2 x hosts). Every request counts: robots.txt, discovery,
retries.

dashboard: a store of N simulated posts; the metric computations behind each page timed, and
full AppTest renders of Ringkasan and of filter changes in fresh processes started like the
dashboard server (server.py), medians of --repeat processes. `--registry DIR` simulates that
registry's units instead of Blora's (a province: data/jawa-tengah, and Provinsi rendered too).
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pantau.commands.common import fail
from pantau.config import normalise_db_url

NAME = "bench"
HELP = "benchmarks: collection against the simulator, dashboard render times, a phone's page load"

COLLECT_RATIO_TARGET = 1.5
MAX_PER_HOST = 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", choices=("collect", "dashboard", "web", "province"),
                        help="which benchmark (province: a province registry simulated and collected by the "
                             "celery engine, plain and with a worker killed, against ground truth)")
    parser.add_argument("--sources", type=int, default=1000, help="collect: simulated sources (default 1000)")
    parser.add_argument("--latency-ms", type=float, default=150.0, help="collect: latency per response (default 150)")
    parser.add_argument("--workers", type=int, default=8, help="collect: collection threads (default 8)")
    parser.add_argument("--posts", type=int, default=200_000, help="dashboard: posts in the store (default 200000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="dashboard: fresh render processes; figures are their median (default 3)")
    parser.add_argument("--keep", metavar="DIR",
                        help="dashboard: keep the store and its registry in DIR; a later run with the same "
                             "--posts and --seed measures it again without seeding (for the 10-million-post hand "
                             "run). The store is a SQLite file there unless --db names one (e.g. PostgreSQL); "
                             "$PANTAU_DB is never used, so a benchmark never writes into a real database")
    parser.add_argument("--seed", type=int, default=1, help="simulation seed (default 1)")
    parser.add_argument("--engine", choices=("threads", "celery"), default="threads",
                        help="collect: threads in this process (default), or the Celery engine: starts Redis, a "
                             "throwaway PostgreSQL (or databases on --db's server) and worker processes on loopback")
    parser.add_argument("--workers-processes", type=int, nargs="+", default=[1, 2, 4], metavar="N",
                        help="collect --engine celery: worker process counts to measure (default 1 2 4)")
    parser.add_argument("--worker-concurrency", type=int, default=8, metavar="N",
                        help="collect --engine celery: collection threads per worker process (default 8)")
    parser.add_argument("--province-registry", default="data/jawa-tengah", metavar="DIR",
                        help="province: the province's registry (default data/jawa-tengah)")
    parser.add_argument("--weeks", type=int, default=8, help="province: simulated weeks of posts (default 8)")
    parser.add_argument("--opd-per-regency", type=int, default=3,
                        help="province: made-up OPD per regency (the dataset has none; default 3)")
    parser.add_argument("--port-base", type=int, default=0, metavar="PORT",
                        help="collect --engine celery: take Redis's and PostgreSQL's ports from PORT up "
                             "(default: any free port)")
    web = parser.add_argument_group("web: a phone's first and repeat visit in headless Chromium")
    web.add_argument("--links", nargs="+", choices=("unthrottled", "fast4g", "slow4g"),
                     default=["unthrottled", "fast4g", "slow4g"], help="network links to emulate (default all)")
    web.add_argument("--serve", nargs="+", choices=("nginx", "nginx-https", "demo", "summary"),
                     default=["nginx", "nginx-https", "demo", "summary"],
                     help="ways of serving to measure: through nginx from deploy/ over HTTP and over HTTPS "
                          "(self-signed; HTTP/2, brotli), as the demo serves, and the static summary page "
                          "(/ringkas through nginx over HTTPS) (default all)")
    web.add_argument("--url", action="append", default=[], metavar="NAME=URL",
                     help="measure a running dashboard instead of seeding and serving one (repeatable)")
    web.add_argument("--chromium", default=os.environ.get("PANTAU_CHROMIUM", "/usr/bin/chromium"),
                     help="Chromium executable (default $PANTAU_CHROMIUM or /usr/bin/chromium)")
    web.add_argument("--timeout", type=float, default=180.0, help="seconds a visit may take (default 180)")


def run(args: argparse.Namespace) -> int:
    if args.what == "province":
        return bench_province(args)
    if args.what == "collect" and args.engine == "celery":
        return bench_collect_engine(args)
    if args.what == "collect":
        return bench_collect(args)
    if args.what == "web":
        return bench_web(args)
    return bench_dashboard(args)


def emit(key: str, value) -> None:
    if isinstance(value, float):
        value = f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"
    print(f"{key}: {value}", flush=True)


def machine() -> None:
    emit("machine.cpus", os.cpu_count())
    emit("machine.platform", platform.platform())
    emit("machine.python", platform.python_version())


def peak_memory_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


# --- collect -------------------------------------------------------------------------------------

def bench_collect(args: argparse.Namespace) -> int:
    from pantau.collection import run_collection
    from pantau.registry import load_registry
    from pantau.sim.faults import FaultPlan
    from pantau.sim.process import SimProcess
    from pantau.sim.registry import SIM_CREDENTIALS, write_registry
    from pantau.sim.world import WEEKS, build_world, synthetic_units
    from pantau.store import Store

    if args.sources < 1 or args.workers < 1 or args.latency_ms < 0:
        return fail("--sources and --workers must be positive, --latency-ms not negative")
    if not args.verbose:
        # Platforms without a collector yet warn once per source: noise in a benchmark's output.
        logging.getLogger("collectors").setLevel(logging.ERROR)
    units = synthetic_units(args.sources)
    world = build_world(units, seed=args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="pantau-bench-"))
    simulator = SimProcess(world, FaultPlan.off(latency_ms=args.latency_ms), WEEKS)
    try:
        registry = load_registry(write_registry(world, tmp / "registry"))
        sources = [s for s in registry.sources if s.active and s.collector]
        hosts = len(world.hosts)
        store = Store(f"sqlite:///{tmp / 'bench.db'}")
        store.sync_registry(registry)
        machine()
        emit("inputs.sources", len(sources))
        emit("inputs.hosts", hosts)
        emit("inputs.posts_upstream", world.post_count())
        emit("inputs.latency_ms", args.latency_ms)
        emit("inputs.workers", args.workers)
        allowed = min(args.workers, 2 * hosts)
        latency = args.latency_ms / 1000
        runs = {}
        for label in ("full", "rerun"):
            simulator.reset_stats()
            started = time.perf_counter()
            summary = run_collection(store, registry, since=world.start, now=world.end, workers=args.workers,
                                     credentials=SIM_CREDENTIALS)
            wall = time.perf_counter() - started
            stats = simulator.stats()
            runs[label] = (summary, wall, stats)
            ideal = stats["requests"] * latency / allowed
            emit(f"{label}.wall_s", wall)
            emit(f"{label}.sources_ok", summary.ok)
            emit(f"{label}.sources_failed", summary.failed)
            emit(f"{label}.posts_new", summary.posts_new)
            emit(f"{label}.requests", stats["requests"])
            emit(f"{label}.requests_robots", stats["robots"])
            emit(f"{label}.allowed_concurrency", allowed)
            emit(f"{label}.ideal_s", ideal)
            emit(f"{label}.ratio", wall / ideal if ideal else float("nan"))
            emit(f"{label}.max_concurrent_per_host", stats["max_per_host"])
            emit(f"{label}.max_concurrent_total", stats["max_in_flight"])
        full_summary, full_wall, full_stats = runs["full"]
        rerun_summary, _, rerun_stats = runs["rerun"]
        # Sources of a kind without a collector send nothing; they do not dilute the ratio.
        collected = sum(1 for a in rerun_summary.attempts if a.status not in ("not_collectable", "skipped"))
        emit("rerun.sources_collected", collected)
        per_source = rerun_stats["requests"] / max(1, collected)
        emit("rerun.requests_per_source", per_source)
        # Which kinds cost more than one request on a re-run (as the collectors count them).
        kinds = {s.source_id: s.collector for s in sources}
        by_kind: dict[str, list[int]] = {}
        for attempt in rerun_summary.attempts:
            if attempt.status not in ("not_collectable", "skipped"):
                by_kind.setdefault(kinds.get(attempt.source_id, "?"), []).append(attempt.requests)
        for kind, counts in sorted(by_kind.items()):
            emit(f"rerun.requests_per_source.{kind}", sum(counts) / len(counts))
        emit("target.ratio", f"<= {COLLECT_RATIO_TARGET}")
        emit("target.max_concurrent_per_host", f"<= {MAX_PER_HOST}")
        emit("target.rerun_requests_per_source", "<= 1")
        emit("result.ratio_ok", full_wall / (full_stats["requests"] * latency / allowed) <= COLLECT_RATIO_TARGET
             if full_stats["requests"] and latency else "n/a")
        emit("result.per_host_ok", max(full_stats["max_per_host"], rerun_stats["max_per_host"]) <= MAX_PER_HOST)
        emit("result.rerun_ok", per_source <= 1)
        emit("memory.peak_collector_mb", peak_memory_mb())
        store.dispose()
    finally:
        simulator.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    emit("memory.peak_simulator_mb", peak_memory_mb(resource.RUSAGE_CHILDREN))
    return 0


# --- web ---------------------------------------------------------------------------------------

def bench_web(args: argparse.Namespace) -> int:
    from pantau.sim import web_bench

    if args.repeat < 1 or args.timeout <= 0:
        return fail("--repeat and --timeout must be positive")
    if any("=" not in u for u in args.url):
        return fail("--url takes NAME=URL, e.g. --url prod=https://pantau.example.go.id")
    return web_bench.run(args, emit, machine)


def bench_collect_engine(args: argparse.Namespace) -> int:
    if args.sources < 1 or args.latency_ms < 0 or args.worker_concurrency < 1 or min(args.workers_processes) < 1:
        return fail("--sources, --worker-concurrency and --workers-processes must be positive, --latency-ms not "
                    "negative")
    try:
        from pantau.sim import engine_bench
    except ImportError as exc:
        return fail(f"the celery engine needs the engine extra (pip install 'pantau[engine]'): {exc}")
    return engine_bench.run(args, emit, machine)


def bench_province(args: argparse.Namespace) -> int:
    try:
        from pantau.sim import engine_bench
    except ImportError as exc:
        return fail(f"the province benchmark needs the engine extra (pip install 'pantau[engine]'): {exc}")
    args.expected_requests = 0
    return engine_bench.run_province(args, emit, machine)


# --- dashboard -----------------------------------------------------------------------------------

def bench_dashboard(args: argparse.Namespace) -> int:
    from pantau.sim import dashboard_bench

    try:
        if args.posts < 1 or args.repeat < 1:
            return fail("--posts and --repeat must be positive")
        registry = Path(args.registry) if getattr(args, "registry", None) else None
        return dashboard_bench.run(args.posts, args.seed, emit, machine, args.repeat, keep=args.keep,
                                   db_url=normalise_db_url(args.db) if args.db else None, registry_dir=registry)
    except ImportError as exc:
        print(f"pantau: the dashboard benchmark needs the dashboard modules: {exc}", file=sys.stderr)
        return 1
    except dashboard_bench.StoreMismatch as exc:
        return fail(str(exc))
