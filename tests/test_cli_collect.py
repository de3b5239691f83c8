"""`pantau collect` end to end: a registry on disk, a real local server, a database file."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pantau.store import Store
from tests.fixture_server import FixtureServer, static
from tests.test_runner import ITEMS, rss

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PANTAU_NOW": "2025-09-30T19:00:00+07:00", **(env or {})}
    return subprocess.run([sys.executable, "-m", "pantau", *args], capture_output=True, cwd=ROOT, timeout=120,
                          env=full_env, text=True)


def write_registry(folder: Path, sources: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(
        "unit_id,name,kind,parent_id,code\nbupati,Bupati Blora,pimpinan,,\ndinkes,Dinas Kesehatan,opd,,\n")
    (folder / "sources.csv").write_text("source_id,unit_id,platform,collector,address,options,active\n"
                                        + "".join(line + "\n" for line in sources))
    (folder / "settings.csv").write_text("key,value\ntimezone,Asia/Jakarta\n")
    return folder


@pytest.fixture
def server():
    with FixtureServer() as s:
        s.route("/feed/", static(rss(ITEMS, s.base), "application/rss+xml; charset=UTF-8"))
        s.route("/down/feed/", static("oops", status=404))
        yield s


def test_collect_stores_posts_and_rerun_adds_nothing(tmp_path, server):
    registry = write_registry(tmp_path / "reg", [
        f"web-dinkes,dinkes,website,feed,{server.url('/feed/')},,true",
        f"web-bupati,bupati,website,feed,{server.url('/down/feed/')},,",
        "x-bupati,bupati,x,,https://x.com/bupati,,",
    ])
    db = f"sqlite:///{tmp_path / 'p.db'}"
    first = run_cli("collect", "--registry", str(registry), "--db", db, "--workers", "2")
    assert first.returncode == 0, first.stderr
    assert "1 ok, 1 failed, 1 skipped" in first.stdout
    assert "3 new" in first.stdout
    assert "HTTP 404" in first.stdout and "no collector for platform x" in first.stdout
    second = run_cli("collect", "--registry", str(registry), "--db", db)
    assert second.returncode == 0, second.stderr
    assert "0 new" in second.stdout
    store = Store(db)
    try:
        assert store.post_count("web-dinkes") == 3
        assert len(store.attempts_frame()) == 6
        # PANTAU_NOW pinned "now" (2025-09-30, WIB): a first run reaches back one year, so all posts count.
        assert store.posts_frame()["published_at"].min() == datetime(2025, 9, 10, 7, 30, tzinfo=UTC)
    finally:
        store.dispose()


def test_collect_one_source_by_id(tmp_path, server):
    registry = write_registry(tmp_path / "reg", [
        f"web-dinkes,dinkes,website,feed,{server.url('/feed/')},,",
        f"web-bupati,bupati,website,feed,{server.url('/down/feed/')},,",
    ])
    db = f"sqlite:///{tmp_path / 'p.db'}"
    result = run_cli("collect", "--registry", str(registry), "--db", db, "--source", "web-dinkes")
    assert result.returncode == 0, result.stderr
    assert "sources: 1 (1 ok" in result.stdout
    assert server.hits("/down/feed/") == []
    unknown = run_cli("collect", "--registry", str(registry), "--db", db, "--source", "nope")
    assert unknown.returncode == 1 and "nope" in unknown.stderr


def test_a_second_concurrent_collection_exits_3(tmp_path, server):
    registry = write_registry(tmp_path / "reg", [f"web-dinkes,dinkes,website,feed,{server.url('/feed/')},,"])
    db = f"sqlite:///{tmp_path / 'p.db'}"
    store = Store(db)
    try:
        assert store.acquire_lock("collect")
        result = run_cli("collect", "--registry", str(registry), "--db", db)
        assert result.returncode == 3
        assert "already running" in result.stderr
        assert server.hits("/feed/") == [] and store.post_count() == 0
        store.release_lock("collect")
        assert run_cli("collect", "--registry", str(registry), "--db", db).returncode == 0
        assert store.acquire_lock("collect"), "the CLI must release the lock when done"
    finally:
        store.dispose()


def test_invalid_registry_exits_1(tmp_path):
    registry = write_registry(tmp_path / "reg", ["web-x,nobody,website,feed,http://127.0.0.1:9/,,"])
    result = run_cli("collect", "--registry", str(registry), "--db", f"sqlite:///{tmp_path / 'p.db'}")
    assert result.returncode == 1
    assert "sources.csv:2:unit_id" in result.stderr


def test_bad_pinned_clock_exits_1(tmp_path):
    registry = write_registry(tmp_path / "reg", [])
    result = run_cli("collect", "--registry", str(registry), "--db", f"sqlite:///{tmp_path / 'p.db'}",
                     env={"PANTAU_NOW": "yesterday"})
    assert result.returncode == 1 and "PANTAU_NOW" in result.stderr


def test_wrong_usage_exits_2(tmp_path):
    assert run_cli("collect", "--workers", "0").returncode == 2
    assert run_cli("collect", "--since", "10/9/2025").returncode == 2
