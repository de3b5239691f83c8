"""pantau demo: a simulated regency on loopback, crawled by the real collectors, then the dashboard.

No internet is needed: every unit's channels are served by pantau.sim in their platforms' real
formats (faults included), the collectors crawl them over HTTP in weekly rounds with the clock
pinned (a first collection of the year some weeks before the end, then every Sunday evening, the
last on the simulation's last day), so the attempt log holds a realistic history, and the result
is checked against the simulation's ground truth.
`--collect-only` stops there and exits 0 only when every difference is explained by a
persisting injected fault; otherwise the dashboard opens on the collected store, marked as
simulated, and the simulator keeps serving (post links work) until Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pantau.collection import CollectionLocked, collection_lock, summary_lines
from pantau.commands.common import CommandError, fail
from pantau.config import DATA_DIR, DEFAULT_REGISTRY, PROJECT_ROOT, normalise_db_url
from pantau.registry import RegistryError, load_registry
from pantau.sim.faults import FaultPlan
from pantau.sim.registry import SIM_CREDENTIALS, describe, write_registry
from pantau.sim.scenario import WEEKLY_ROUNDS, Round, run_scenario
from pantau.sim.server import SimServer
from pantau.sim.world import DEFAULT_LAST_DAY, WEEKS, build_world
from pantau.store import Store

NAME = "demo"
HELP = "serve a simulated regency on loopback, collect it with the real collectors, open the dashboard"

# Never the production database: a demo must not mix simulated posts into real ones, so
# $PANTAU_DB is deliberately not consulted.
DEFAULT_DEMO_DB = DATA_DIR / "demo.db"
DB_HELP = ("database URL or SQLite file (default: data/demo.db; $PANTAU_DB is ignored, so simulated "
           "posts never mix with real ones)")
# Below Linux's ephemeral range (32768-60999), where outgoing connections would collide.
DEFAULT_SIM_PORT = 21000
# The demo crawls YouTube through the public feed (15 newest videos), so the feed's coverage
# gap shows on the dashboard; the Data API answers are exercised by the tests.
DEMO_CREDENTIALS = {k: v for k, v in SIM_CREDENTIALS.items() if k != "PANTAU_YOUTUBE_KEY"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8501, help="dashboard port (default 8501)")
    parser.add_argument("--seed", type=int, default=1, help="simulation seed (default 1): same seed, same posts")
    parser.add_argument("--collect-only", action="store_true",
                        help="collect and compare with the ground truth, do not open the dashboard")
    parser.add_argument("--workers", type=int, default=8, help="collection threads (default 8)")
    parser.add_argument("--weeks", type=int, default=WEEKS, help=f"weeks simulated, ending {DEFAULT_LAST_DAY} "
                                                                  f"(default {WEEKS})")
    parser.add_argument("--weekly-rounds", type=int, default=WEEKLY_ROUNDS, metavar="N",
                        help=f"Sunday-evening collections before the last day (default {WEEKLY_ROUNDS}, at most "
                             "--weeks - 1); the first reaches back over the whole year, the others are "
                             "incremental, and a last one runs on the last day")
    defaults = FaultPlan()
    faults = parser.add_argument_group("faults injected by the simulator (defaults: what real sites do)")
    faults.add_argument("--faults", choices=("realistic", "none"), default="realistic",
                        help="'none' serves every channel healthy: the ground truth must then show 0 differences")
    faults.add_argument("--transient-share", type=float, default=defaults.transient_share, metavar="SHARE",
                        help="share of channels hit once by a 503, 429, timeout, reset, cut body, broken XML or "
                             f"feed 404, which retries must recover (default {defaults.transient_share})")
    faults.add_argument("--sites-down", type=int, default=defaults.sites_down, metavar="N",
                        help=f"websites down for the whole run (default {defaults.sites_down})")
    faults.add_argument("--robots-disallowed", type=int, default=defaults.robots_disallowed, metavar="N",
                        help=f"websites whose robots.txt disallows Pantau (default {defaults.robots_disallowed})")
    faults.add_argument("--outages", type=int, default=defaults.outages, metavar="N",
                        help="websites down until three days before the last day, caught up by the last "
                             f"collection (default {defaults.outages})")
    faults.add_argument("--latency-ms", type=float, default=0.0, metavar="MS",
                        help="added to every response (default 0)")
    parser.add_argument("--sim-port", type=int, default=DEFAULT_SIM_PORT, metavar="PORT",
                        help=f"first loopback port of the simulator (default {DEFAULT_SIM_PORT}; one port per unit "
                             "follows). Fixed ports keep re-runs on the same database consistent.")


def run(args: argparse.Namespace) -> int:
    db_url = normalise_db_url(args.db) if args.db else f"sqlite:///{DEFAULT_DEMO_DB}"
    try:
        units_registry = load_registry(args.registry or DEFAULT_REGISTRY)
    except RegistryError as exc:
        return fail(f"the registry has {len(exc.problems)} problem(s):\n{exc}")
    if args.weeks < 2:
        return fail("--weeks must be at least 2 (the demo collects at least twice, a week apart)")
    if args.weekly_rounds < 1:
        return fail("--weekly-rounds must be at least 1 (a first collection a week or more before the last day)")
    if not 0 <= args.transient_share <= 1:
        return fail("--transient-share must be between 0 and 1")
    if min(args.sites_down, args.robots_disallowed, args.outages) < 0 or args.latency_ms < 0:
        return fail("--sites-down, --robots-disallowed, --outages and --latency-ms cannot be negative")
    if args.faults == "none":
        plan = FaultPlan.off(latency_ms=args.latency_ms)
    else:
        plan = FaultPlan(latency_ms=args.latency_ms, transient_share=args.transient_share,
                         sites_down=args.sites_down, robots_disallowed=args.robots_disallowed, outages=args.outages)
    world = build_world(units_registry.units, seed=args.seed, weeks=args.weeks)
    try:
        server = SimServer(world, plan, base_port=args.sim_port)
    except OSError as exc:
        return fail(f"cannot listen on loopback ports {args.sim_port}..{args.sim_port + len(world.hosts)}: {exc}; "
                    "choose another range with --sim-port")
    folder = Path(tempfile.mkdtemp(prefix="pantau-demo-registry-"))
    server.start()
    try:
        return _collect_and_show(args, world, server, folder, db_url, units_registry.settings)
    except CommandError as exc:
        return fail(str(exc))
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _collect_and_show(args, world, server, folder: Path, db_url: str, settings) -> int:
    write_registry(world, folder, settings=settings)
    registry = load_registry(folder)
    print(f"simulation: seed {args.seed}, {world.first_day} .. {world.last_day}, {describe(world)}")
    print(f"simulator: {len(world.hosts)} loopback hosts from port {world.hosts[0].port if world.hosts else '-'}; "
          f"registry written to {folder}")
    store = Store(db_url)
    try:
        store.sync_registry(registry)
        started = time.monotonic()
        try:
            with collection_lock(store):
                result = run_scenario(world, server, store, registry, weekly_rounds=args.weekly_rounds,
                                      workers=args.workers, credentials=DEMO_CREDENTIALS)
        except CollectionLocked as exc:
            print(f"pantau: {exc}", file=sys.stderr)
            return 3
        elapsed = time.monotonic() - started
        last = len(result.rounds) - 1
        for index, round_ in enumerate(result.rounds):
            # The first collection and the last day in full; the weekly rounds between, one line each.
            _print_round(round_, world.zone, full=index in (0, last))
        stats = server.stats()
        print(f"collected in {elapsed:.1f} s, {stats['requests']} requests served")
        persisting = sorted(f"{c.source_id} ({c.persisting})" for c in world.channels if c.persisting)
        outages = sorted(h.channels[0].source_id for h in world.hosts if h.outage_until is not None)
        print(f"faults fired: {stats['faults_fired']}; persisting: {', '.join(persisting) or 'none'}; "
              f"down until 3 days before the end: {', '.join(outages) or 'none'}")
        print(f"coverage gaps recorded: {len(store.gaps_frame())}")
        comparison = result.comparison
        for line in comparison.report():
            print(line)
        if explanation := comparison.explanation_line():
            print(explanation)
        print(comparison.summary_line())
        if args.collect_only:
            return 0 if comparison.exact else 1
        return _dashboard(args, world, folder, db_url)
    finally:
        store.dispose()


def _print_round(round_: Round, zone, *, full: bool) -> None:
    when = f"{round_.at.astimezone(zone):%Y-%m-%d %H:%M %Z}"
    retry = f"retry pass: {round_.retry.ok} ok, {round_.retry.failed} failed" if round_.retry else ""
    if not full:
        first = round_.first
        print(f"collection at {when}: {first.ok} ok, {first.failed} failed, {first.skipped} skipped, "
              f"{first.posts_new} new posts, {first.requests} requests" + (f"; {retry}" if retry else ""))
        return
    print(f"collection at {when}:")
    for line in summary_lines(round_.first):
        print(f"  {line}")
    if retry:
        print(f"  {retry}")


def _dashboard(args, world, folder: Path, db_url: str) -> int:
    # server.py serves dashboard.py with the pages' modules loaded at startup.
    app = PROJECT_ROOT / "server.py"
    if not app.exists():
        raise CommandError(f"{app} not found: the dashboard is not installed in this checkout")
    env = dict(os.environ)
    env.update({
        "PANTAU_DB": db_url,
        "PANTAU_REGISTRY": str(folder),
        "PANTAU_SIMULATED": "1",
        "PANTAU_TODAY": world.last_day.isoformat(),
    })
    env.setdefault("PANTAU_MODE", "public")
    command = [sys.executable, "-m", "streamlit", "run", str(app),
               "--server.port", str(args.port), "--server.headless", "true",
               "--browser.gatherUsageStats", "false"]
    print(f"dashboard: http://localhost:{args.port} (simulated data; Ctrl-C to stop)")
    process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        return 0
