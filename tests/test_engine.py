"""The distributed engine end to end: two simulated regencies, Redis, PostgreSQL and two
`pantau worker` processes on loopback; the store must equal the simulator's ground truth, the
per-host limit must hold across the workers, and a worker killed mid-run must lose nothing and
duplicate nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("celery", reason="the engine extra (celery[redis]) is not installed")

from collectors.kinds import COLLECTORS  # noqa: E402
from pantau.collection import summary_lines  # noqa: E402
from pantau.engine.celery_app import make_app  # noqa: E402
from pantau.engine.cluster import LocalCluster, redis_server_binary  # noqa: E402
from pantau.engine.dispatch import run_collection_on_engine  # noqa: E402
from pantau.engine.redis_limiter import RedisLimiter  # noqa: E402
from pantau.registry import load_registry  # noqa: E402
from pantau.sim.faults import FaultPlan  # noqa: E402
from pantau.sim.province import synthetic_regency  # noqa: E402
from pantau.sim.registry import SIM_CREDENTIALS, write_registry  # noqa: E402
from pantau.sim.server import SimServer  # noqa: E402
from pantau.sim.truth import compare  # noqa: E402
from pantau.sim.world import build_world  # noqa: E402

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def cluster():
    redis_server_binary()  # a clear failure (not a skip) when CI forgot to install it
    with LocalCluster() as engine:
        engine.start_redis()
        yield engine


def two_regencies():
    return synthetic_regency("33.16", "Blora") + synthetic_regency("33.74", "Semarang", kota=True)


def url_of(store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def collect(cluster, store, world, tmp_path, kill_after_requests: int | None = None, server=None):
    registry = load_registry(write_registry(world, tmp_path / "registry"))
    store.sync_registry(registry)
    cluster.db_url = url_of(store)
    cluster.start_workers(2, concurrency=4, env=dict(SIM_CREDENTIALS), request_timeout=5, visibility_timeout=8)
    outcome = {}

    def run():
        outcome["summary"] = run_collection_on_engine(store, registry, make_app(cluster.broker_url),
                                                      since=world.start, now=world.end, timeout=180)

    runner = threading.Thread(target=run)
    runner.start()
    killed = False
    if kill_after_requests is not None:
        deadline = time.monotonic() + 120
        while server.stats()["requests"] < kill_after_requests and runner.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        killed = runner.is_alive()
        cluster.kill_worker(0)
    runner.join(240)
    logs = cluster.worker_logs()
    cluster.stop_workers()
    assert "summary" in outcome, logs
    return registry, outcome["summary"], killed


def truth_of(world, store, summary):
    collected = {a.source_id: [(world.end, a.route)] for a in summary.attempts if a.status == "ok"}
    return compare(world, store, collected, world.start, kinds=set(COLLECTORS))


def test_two_regencies_on_two_workers_equal_the_ground_truth(cluster, pg_store, tmp_path):
    world = build_world(two_regencies(), seed=5)
    with SimServer(world, FaultPlan.off(latency_ms=20)) as server:
        registry, summary, _ = collect(cluster, pg_store, world, tmp_path)
        stats = server.stats()
    collectable = [s for s in registry.sources if s.active and s.collector]
    assert summary.ok == len(collectable) and summary.failed == 0
    comparison = truth_of(world, pg_store, summary)
    assert comparison.unexplained == 0, comparison.report()
    assert comparison.posts_stored == comparison.posts_expected > 0
    # Both regencies are in the one store; the limit held across both workers.
    assert {u[:4] for u in pg_store.posts_frame(columns=["unit_id"])["unit_id"]} == {"3316", "3374"}
    assert 1 <= stats["max_per_host"] <= 2
    # The attempt log and the summary are what one machine's run writes and prints.
    attempts = pg_store.attempts_frame()
    assert len(attempts) == len(summary.attempts) == len([s for s in registry.sources if s.active])
    assert summary_lines(summary)[0].startswith(f"sources: {len(summary.attempts)} (")


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(cluster, pg_store, tmp_path):
    world = build_world(two_regencies(), seed=6)
    with SimServer(world, FaultPlan.off(latency_ms=60)) as server:
        registry, summary, killed = collect(cluster, pg_store, world, tmp_path, kill_after_requests=40,
                                            server=server)
        stats = server.stats()
    assert killed, "the run ended before a worker could be killed"
    collectable = [s for s in registry.sources if s.active and s.collector]
    assert summary.ok == len(collectable) and summary.failed == 0
    comparison = truth_of(world, pg_store, summary)
    assert comparison.unexplained == 0, comparison.report()
    posts = pg_store.posts_frame(columns=["source_id", "external_id"])
    assert len(posts) == len(posts.drop_duplicates()) == comparison.posts_expected
    assert stats["max_per_host"] <= 2


def test_the_redis_limiter_never_lets_three_requests_at_one_host(cluster):
    limiters = [RedisLimiter.from_url(cluster.broker_url, per_host=2, lease_seconds=30) for _ in range(3)]
    inside, peak, lock = [0], [0], threading.Lock()

    def hit(limiter):
        for _ in range(5):
            with limiter.slot("127.0.0.1:9"):
                with lock:
                    inside[0] += 1
                    peak[0] = max(peak[0], inside[0])
                time.sleep(0.01)
                with lock:
                    inside[0] -= 1

    threads = [threading.Thread(target=hit, args=(lim,)) for lim in limiters for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 2


def test_a_dead_holders_slot_expires(cluster):
    limiter = RedisLimiter.from_url(cluster.broker_url, per_host=1, lease_seconds=0.3)
    held = limiter.slot("127.0.0.1:10")
    held.__enter__()  # never released: its holder "died"
    started = time.monotonic()
    with limiter.slot("127.0.0.1:10"):
        waited = time.monotonic() - started
    assert waited >= 0.2


def test_pantau_collect_on_the_engine_prints_the_usual_summary(cluster, pg_store, tmp_path):
    world = build_world(synthetic_regency("33.16", "Blora", opd=2, kecamatan=1, villages=3), seed=8, weeks=4)
    with SimServer(world, FaultPlan.off()):
        registry_dir = write_registry(world, tmp_path / "registry")
        registry = load_registry(registry_dir)
        cluster.db_url = url_of(pg_store)
        cluster.start_workers(1, concurrency=4, env=dict(SIM_CREDENTIALS), request_timeout=5)
        try:
            done = subprocess.run(
                [sys.executable, "-m", "pantau", "collect", "--engine", "celery", "--broker", cluster.broker_url,
                 "--db", cluster.db_url, "--registry", str(registry_dir), "--since", world.start.date().isoformat(),
                 "--engine-timeout", "120"],
                capture_output=True, text=True, env={**os.environ, "PANTAU_NOW": world.end.isoformat()})
        finally:
            cluster.stop_workers()
    active = [s for s in registry.sources if s.active]
    collectable = [s for s in active if s.collector]
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith(f"sources: {len(active)} ({len(collectable)} ok, 0 failed")
    assert pg_store.post_count() > 0


def test_the_engine_refuses_a_sqlite_store(cluster, tmp_path):
    done = subprocess.run([sys.executable, "-m", "pantau", "collect", "--engine", "celery", "--broker",
                           cluster.broker_url, "--db", f"sqlite:///{tmp_path / 'x.db'}"], capture_output=True, text=True)
    assert done.returncode == 1 and "PostgreSQL" in done.stderr


def test_the_engine_needs_a_broker(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PANTAU_BROKER"}
    done = subprocess.run([sys.executable, "-m", "pantau", "collect", "--engine", "celery", "--db",
                           f"sqlite:///{tmp_path / 'x.db'}"], capture_output=True, text=True, env=env)
    assert done.returncode == 1 and "PANTAU_BROKER" in done.stderr
