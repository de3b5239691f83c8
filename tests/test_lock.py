"""The collection lock names its holder and is released as soon as that holder is gone
(issue 18, point 3): a killed `pantau collect` blocks the next one not at all; a live one, or a
collection on another machine whose heartbeat is fresh, still does. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import insert, inspect, text

from pantau.store import Store, locks, to_db_time
from pantau.store.convert import utcnow
from pantau.store.lock_holder import process_start, this_process
from pantau.store.schema import _lock_holder
from tests.fixture_server import FixtureServer, Reply, static
from tests.test_cli_collect import ROOT, run_main, write_registry
from tests.test_collection import ITEMS, rss

# Long enough for the test to act while `pantau collect` waits on the slow feed; it never
# elapses in a passing test (the gate opens first).
HOLD = 60.0


@pytest.fixture
def slow_site():
    """A feed that answers only once `gate` is set: a collection against it is mid-run until then."""
    gate = threading.Event()
    with FixtureServer() as server:
        feed = rss(ITEMS, server.base)

        def slow(_request):
            gate.wait(HOLD)
            return Reply(200, feed, {}, "application/rss+xml; charset=UTF-8")

        server.route("/feed/", slow)
        server.route("/fast/feed/", static(feed, "application/rss+xml; charset=UTF-8"))
        yield server, gate
        gate.set()


@pytest.fixture
def db_url(store):
    """The database of the `store` fixture (SQLite, and PostgreSQL when configured), by URL."""
    return store.engine.url.render_as_string(hide_password=False)


def start_collect(registry, db: str, **env: str) -> subprocess.Popen:
    full_env = {**os.environ, "PANTAU_NOW": "2025-09-30T19:00:00+07:00", **env}
    return subprocess.Popen([sys.executable, "-m", "pantau", "collect", "--registry", str(registry), "--db", db],
                            cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until(condition, what: str, process: subprocess.Popen | None = None, limit: float = HOLD) -> None:
    end = time.monotonic() + limit
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"`pantau collect` ended before {what}: {process.communicate()}")
        if time.monotonic() > end:
            pytest.fail(f"never {what}")
        time.sleep(0.05)


def mid_run(server: FixtureServer, store: Store, process: subprocess.Popen) -> None:
    """Wait until the subprocess holds the lock and waits on the slow feed."""
    wait_until(lambda: server.hits("/feed/") and store.lock_holder() is not None, "reached the slow feed", process)


def test_a_killed_collection_does_not_block_the_next_one(tmp_path, slow_site, store, db_url, capsys, monkeypatch):
    """Before: every run exited 3 for six hours after the kill."""
    server, gate = slow_site
    registry = write_registry(tmp_path / "reg", [f"web-dinkes,dinkes,website,feed,{server.url('/feed/')},,"])
    process = start_collect(registry, db_url)
    try:
        mid_run(server, store, process)
        holder = store.lock_holder()
        assert (holder.holder.host, holder.holder.pid) == (socket.gethostname(), process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert store.lock_holder() is not None  # the killed holder never released it
    gate.set()
    code, out, err = run_main(capsys, monkeypatch, "collect", "--registry", str(registry), "--db", db_url)
    assert code == 0, err
    assert "sources: 1 (1 ok" in out
    assert store.lock_holder() is None  # released when done


def test_a_live_collection_still_blocks_and_is_named(tmp_path, slow_site, store, db_url, capsys, monkeypatch):
    server, gate = slow_site
    registry = write_registry(tmp_path / "reg", [f"web-dinkes,dinkes,website,feed,{server.url('/feed/')},,"])
    process = start_collect(registry, db_url, PANTAU_LOCK_HEARTBEAT_SECONDS="0.2")
    try:
        mid_run(server, store, process)
        first_beat = store.lock_holder().heartbeat_at
        # the running collection refreshes its heartbeat
        wait_until(lambda: store.lock_holder().heartbeat_at > first_beat, "refreshed the heartbeat", process)
        code, _out, err = run_main(capsys, monkeypatch, "collect", "--registry", str(registry), "--db", db_url)
        assert code == 3
        assert "already running" in err
        assert f"host {socket.gethostname()}, pid {process.pid}, since " in err
        gate.set()
        out, err = process.communicate(timeout=HOLD)
        assert process.returncode == 0, err
    finally:
        if process.poll() is None:
            process.kill()
    assert store.lock_holder() is None


def foreign_lock(store: Store, heartbeat_age: timedelta) -> None:
    """A lock row as a collection on another machine writes it."""
    now = utcnow()
    with store.engine.begin() as conn:
        conn.execute(insert(locks).values(
            name="collect", holder="other-host:4242", acquired_at=to_db_time(now - heartbeat_age - timedelta(hours=1)),
            holder_host="other-host", holder_pid=4242, holder_started="12345", boot_id="another-boot",
            heartbeat_at=to_db_time(now - heartbeat_age)))


def test_another_hosts_lock_with_a_fresh_heartbeat_blocks(tmp_path, store, db_url, capsys, monkeypatch):
    foreign_lock(store, timedelta(seconds=5))
    registry = write_registry(tmp_path / "reg", [])
    code, _out, err = run_main(capsys, monkeypatch, "collect", "--registry", str(registry), "--db", db_url)
    assert code == 3
    assert "host other-host, pid 4242, since " in err
    assert store.lock_holder().holder.host == "other-host"


def test_another_hosts_lock_with_an_old_heartbeat_is_taken_over(tmp_path, store, db_url, capsys, monkeypatch):
    foreign_lock(store, timedelta(minutes=2))
    registry = write_registry(tmp_path / "reg", [])
    code, _out, err = run_main(capsys, monkeypatch, "collect", "--registry", str(registry), "--db", db_url)
    assert code == 0, err
    assert store.lock_holder() is None


def test_the_stale_bound_is_configurable(tmp_path, store, db_url, capsys, monkeypatch):
    foreign_lock(store, timedelta(seconds=20))
    registry = write_registry(tmp_path / "reg", [])
    assert run_main(capsys, monkeypatch, "collect", "--registry", str(registry), "--db", db_url)[0] == 3  # 60 s
    monkeypatch.setenv("PANTAU_LOCK_HEARTBEAT_SECONDS", "2")
    monkeypatch.setenv("PANTAU_LOCK_STALE_SECONDS", "10")
    assert run_main(capsys, monkeypatch, "collect", "--registry", str(registry), "--db", db_url)[0] == 0


def test_a_pid_reused_by_another_process_does_not_hold_the_lock(store):
    """Same host, the pid of a running process (this one) but another start time: the holder
    died and its pid was given to a later process."""
    me = this_process()
    with store.engine.begin() as conn:
        conn.execute(insert(locks).values(
            name="collect", holder=me.label, acquired_at=to_db_time(utcnow()), holder_host=me.host,
            holder_pid=me.pid, holder_started="1", boot_id=me.boot_id, heartbeat_at=to_db_time(utcnow())))
    assert store.acquire_lock() is True
    assert store.lock_holder().holder.started == me.started == process_start(os.getpid())


def test_a_lock_from_before_the_last_boot_is_released(store):
    me = this_process()
    with store.engine.begin() as conn:
        conn.execute(insert(locks).values(
            name="collect", holder=me.label, acquired_at=to_db_time(utcnow()), holder_host=me.host,
            holder_pid=me.pid, holder_started=me.started, boot_id="an-earlier-boot",
            heartbeat_at=to_db_time(utcnow())))
    assert store.acquire_lock() is True


def test_a_live_holder_in_this_process_blocks(store):
    assert store.acquire_lock() is True
    assert store.acquire_lock(stale_after=timedelta(seconds=0)) is False  # heartbeat age is no reason here
    store.release_lock()
    assert store.acquire_lock() is True


def test_migration_adds_the_holder_columns_to_an_older_store_and_is_idempotent(store):
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE locks"))
        conn.execute(text("CREATE TABLE locks (name VARCHAR(100) PRIMARY KEY, holder VARCHAR(200) NOT NULL, "
                          "acquired_at TIMESTAMP NOT NULL)"))
        conn.execute(text("INSERT INTO locks (name, holder, acquired_at) VALUES ('collect', 'old-host:77', :at)"),
                     {"at": to_db_time(utcnow())})
        conn.execute(text("DELETE FROM schema_migrations WHERE name = '0005_lock_holder'"))
    assert store.migrate() == ["0005_lock_holder"]
    columns = {c["name"] for c in inspect(store.engine).get_columns("locks")}
    assert {"holder_host", "holder_pid", "holder_started", "boot_id", "heartbeat_at"} <= columns
    _lock_holder(store.engine)  # again, as a second process migrating at the same moment would
    held = store.lock_holder()  # the old row reads as its host and pid, with no heartbeat
    assert (held.holder.host, held.holder.pid, held.heartbeat_at) == ("old-host", 77, None)
    assert store.acquire_lock() is False  # a legacy row keeps its old six-hour rule
