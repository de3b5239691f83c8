"""robots.txt in the distributed engine: a run reads it at most once per host in each worker
process, however many of that host's sources the process collects, and a later run reads it
from the copy each source remembered. The engine's own task (pantau.engine.tasks) runs in
worker contexts as `pantau worker` builds them (a thread pool per process), against a fixture
server that counts the /robots.txt requests."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

pytest.importorskip("celery", reason="the engine extra (celery[redis]) is not installed")

from celery import Celery  # noqa: E402

from collectors.http import HttpPolicy  # noqa: E402
from collectors.limits import LocalLimiter  # noqa: E402
from pantau.engine.celery_app import TASK_COLLECT  # noqa: E402
from pantau.engine.tasks import WorkerContext, register, source_to_message  # noqa: E402
from pantau.models import Source, Unit  # noqa: E402
from pantau.registry import Registry  # noqa: E402
from pantau.store import Store  # noqa: E402
from tests.fixture_server import LOOPBACK, FixtureServer, fixture, static  # noqa: E402

SOURCES = 8
THREADS = 4  # a worker's --concurrency: its threads share one process's client
NOW = datetime(2025, 9, 12, 10, 0, tzinfo=UTC)
ROBOTS = "User-agent: *\nDisallow: /admin/\n"


class WorkerProcess:
    """One worker process's side: its context and its registered task, called as the pool does."""

    def __init__(self, db_url: str):
        policy = HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0, delay=0)
        self.context = WorkerContext(store=Store(db_url), policy=policy, limiter=LocalLimiter(policy.per_host))
        app = Celery("pantau-test")  # no broker: apply() runs the task here, as a worker thread does
        register(app, self.context)
        self.task = app.tasks[TASK_COLLECT]

    def collect(self, run_id: str, sources: list[Source]) -> list[dict]:
        def one(source: Source) -> dict:
            args = (run_id, source_to_message(source), "Asia/Jakarta", (NOW - timedelta(days=30)).isoformat(),
                    NOW.isoformat(), True, list(LOOPBACK))
            return self.task.apply(args=args).get(disable_sync_subtasks=False)

        with ThreadPoolExecutor(THREADS) as pool:
            return list(pool.map(one, sources))


@pytest.fixture
def host():
    with FixtureServer() as server:
        server.route("/robots.txt", static(ROBOTS, "text/plain"))
        server.route("/feed/*", static(fixture("feed", "wordpress_feed.xml"), "application/rss+xml"))
        yield server


def test_a_run_reads_robots_once_per_host_per_worker_process(host, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'pantau.db'}"
    sources = [Source(f"opd-{i}-web", f"opd-{i}", "website", "feed", host.url(f"/feed/{i}")) for i in range(SOURCES)]
    store = Store(db_url)
    store.sync_registry(Registry(tuple(Unit(s.unit_id, f"Dinas {i}", "opd") for i, s in enumerate(sources)),
                                 tuple(sources)))
    workers = [WorkerProcess(db_url), WorkerProcess(db_url)]
    try:
        # Two processes share the run's sources of one host, each collecting its half on its threads.
        halves = [sources[0::2], sources[1::2]]
        with ThreadPoolExecutor(2) as pool:
            done = pool.map(lambda pair: pair[0].collect("run-1", pair[1]), zip(workers, halves, strict=True))
            runs = [r for each in done for r in each]
        assert [r["ok"] for r in runs] == [True] * SOURCES, runs
        assert len(host.hits("/robots.txt")) == 2  # one per process
        assert sum(len(host.hits(f"/feed/{i}")) for i in range(SOURCES)) == SOURCES

        # A later run in the same processes: every source remembered the host's robots.txt.
        runs = workers[0].collect("run-2", sources)
        assert [r["ok"] for r in runs] == [True] * SOURCES
        assert len(host.hits("/robots.txt")) == 2
    finally:
        for worker in workers:
            worker.context.close()
        store.dispose()


def test_a_process_alone_reads_robots_once_for_all_its_sources(host, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'pantau.db'}"
    sources = [Source(f"desa-{i}-web", f"desa-{i}", "website", "feed", host.url(f"/feed/{i}")) for i in range(SOURCES)]
    store = Store(db_url)
    store.sync_registry(Registry(tuple(Unit(s.unit_id, f"Desa {i}", "opd") for i, s in enumerate(sources)),
                                 tuple(sources)))
    worker = WorkerProcess(db_url)
    try:
        runs = worker.collect("run-1", sources)
        assert [r["ok"] for r in runs] == [True] * SOURCES, runs
        assert len(host.hits("/robots.txt")) == 1
    finally:
        worker.context.close()
        store.dispose()
