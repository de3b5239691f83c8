"""`pantau collect` end to end: a registry on disk, a real local server, a database file."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pantau.cli import main
from pantau.store import Store
from tests.fixture_server import BloggerSite, FixtureServer, WordPressSite, blogger_time, static
from tests.test_collection import ITEMS, rss

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PANTAU_NOW": "2025-09-30T19:00:00+07:00", **(env or {})}
    return subprocess.run([sys.executable, "-m", "pantau", *args], capture_output=True, cwd=ROOT, timeout=120,
                          env=full_env, text=True)


def run_main(capsys, monkeypatch, *args: str) -> tuple[int, str, str]:
    """The same CLI in-process (spawning costs seconds of imports per call)."""
    monkeypatch.setenv("PANTAU_NOW", "2025-09-30T19:00:00+07:00")
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_registry(folder: Path, sources: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(
        "unit_id,name,kind,parent_id,code\nbupati,Bupati Blora,pimpinan,,\ndinkes,Dinas Kesehatan,opd,,\n")
    (folder / "sources.csv").write_text("source_id,unit_id,platform,collector,address,options,active\n"
                                        + "".join(line + "\n" for line in sources))
    # The fixture server listens on loopback, which collection refuses unless the registry permits it.
    (folder / "settings.csv").write_text("key,value\ntimezone,Asia/Jakarta\nallow_private_addresses,127.0.0.0/8\n")
    return folder


@pytest.fixture
def server():
    with FixtureServer() as s:
        s.route("/feed/", static(rss(ITEMS, s.base), "application/rss+xml; charset=UTF-8"))
        s.route("/down/feed/", static("oops", status=404))
        yield s


def test_collect_records_failures_and_rerun_adds_nothing(tmp_path, server, capsys, monkeypatch):
    registry = write_registry(tmp_path / "reg", [
        f"web-dinkes,dinkes,website,feed,{server.url('/feed/')},,true",
        f"web-bupati,bupati,website,feed,{server.url('/down/feed/')},,",
        "x-bupati,bupati,x,,https://x.com/bupati,,",
    ])
    db = f"sqlite:///{tmp_path / 'p.db'}"
    code, out, err = run_main(capsys, monkeypatch, "collect", "--registry", str(registry), "--db", db, "--workers", "2")
    assert code == 0, err
    assert "1 ok, 1 failed, 1 skipped" in out
    assert "3 new" in out
    assert "HTTP 404" in out and "no collector for platform x" in out
    code, out, err = run_main(capsys, monkeypatch, "collect", "--registry", str(registry), "--db", db)
    assert code == 0, err
    assert "0 new" in out
    store = Store(db)
    try:
        assert store.post_count("web-dinkes") == 3
        assert len(store.attempts_frame()) == 6
        # PANTAU_NOW pinned "now" (2025-09-30, WIB): a first run reaches back one year, so all posts count.
        assert store.posts_frame()["published_at"].min() == datetime(2025, 9, 10, 7, 30, tzinfo=UTC)
    finally:
        store.dispose()


def test_collect_stores_exactly_what_the_sites_publish(tmp_path):
    with FixtureServer() as one, FixtureServer() as two, FixtureServer() as three:
        rest_site = WordPressSite(one)
        rss_site = WordPressSite(two, rest="login_required", discovery="none")
        blog = BloggerSite(three, cap=25)
        registry = write_registry(tmp_path / "reg", [
            f"web-dinkes,dinkes,website,wordpress,{rest_site.address},,",
            f"web-bupati,bupati,website,wordpress,{rss_site.address},,",
            f"blog-bupati,bupati,website,blogger,{blog.address},,",
        ])
        truth = {("web-dinkes", str(p["id"])): datetime.fromisoformat(p["date_gmt"]).replace(tzinfo=UTC)
                 for p in rest_site.posts}
        truth |= {("web-bupati", str(p["id"])): datetime.fromisoformat(p["date_gmt"]).replace(tzinfo=UTC)
                  for p in rss_site.posts}
        truth |= {("blog-bupati", e["id"]["$t"].rpartition(".post-")[2]): blogger_time(e["published"]["$t"]).astimezone(UTC)
                  for e in blog.entries}
        db = f"sqlite:///{tmp_path / 'p.db'}"
        for run in range(2):
            result = run_cli("collect", "--registry", str(registry), "--db", db)
            assert result.returncode == 0, result.stderr
            assert "3 ok, 0 failed" in result.stdout
            assert f"posts: {0 if run else len(truth)} new" in result.stdout
            store = Store(db)
            try:
                frame = store.posts_frame()
                stored = {(s, e): t for s, e, t in zip(frame["source_id"], frame["external_id"], frame["published_at"], strict=True)}
                assert stored == truth
                attempts = store.attempts_frame()
            finally:
                store.dispose()
        last = attempts.sort_values("id").tail(3).set_index("source_id")
        assert last["items_new"].sum() == 0 and (last["requests"] == 1).all()
        assert last.loc["web-bupati", "route"] == "rss" and last.loc["web-dinkes", "route"] == "rest"
        # PANTAU_NOW pins the attempt log's clock too
        assert (attempts["started_at"] >= datetime(2025, 9, 30, 12, 0, tzinfo=UTC)).all()
        assert (attempts["started_at"] < datetime(2025, 9, 30, 12, 5, tzinfo=UTC)).all()


def test_collect_one_source_by_id(tmp_path, server, capsys, monkeypatch):
    registry = write_registry(tmp_path / "reg", [
        f"web-dinkes,dinkes,website,feed,{server.url('/feed/')},,",
        f"web-bupati,bupati,website,feed,{server.url('/down/feed/')},,",
    ])
    db = f"sqlite:///{tmp_path / 'p.db'}"
    code, out, err = run_main(capsys, monkeypatch, "collect", "--registry", str(registry), "--db", db, "--source", "web-dinkes")
    assert code == 0, err
    assert "sources: 1 (1 ok" in out
    assert server.hits("/down/feed/") == []
    code, out, err = run_main(capsys, monkeypatch, "collect", "--registry", str(registry), "--db", db, "--source", "nope")
    assert code == 1 and "nope" in err
    code, out, err = run_main(capsys, monkeypatch, "collect", "--registry", str(registry), "--db", db,
                              "--source", "web-dinkes", "web-bupati", "--workers", "1")
    assert code == 0 and "sources: 2 (1 ok, 1 failed" in out


def test_a_second_concurrent_collection_exits_3(tmp_path, server, capsys, monkeypatch):
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
        assert run_main(capsys, monkeypatch, "collect", "--registry", str(registry), "--db", db)[0] == 0
        assert store.acquire_lock("collect"), "the CLI must release the lock when done"
    finally:
        store.dispose()


def test_invalid_registry_exits_1(tmp_path, capsys, monkeypatch):
    registry = write_registry(tmp_path / "reg", ["web-x,nobody,website,feed,http://127.0.0.1:9/,,"])
    code, _out, err = run_main(capsys, monkeypatch, "collect", "--registry", str(registry), "--db", f"sqlite:///{tmp_path / 'p.db'}")
    assert code == 1
    assert "sources.csv:2:unit_id" in err


def test_bad_pinned_clock_exits_1(tmp_path, capsys, monkeypatch):
    registry = write_registry(tmp_path / "reg", [])
    monkeypatch.setenv("PANTAU_NOW", "yesterday")
    code = main(["collect", "--registry", str(registry), "--db", f"sqlite:///{tmp_path / 'p.db'}"])
    assert code == 1 and "PANTAU_NOW" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--workers", "0"], ["--since", "10/9/2025"], ["--kind", "myspace"]])
def test_wrong_usage_exits_2(args):
    with pytest.raises(SystemExit) as caught:
        main(["collect", *args])
    assert caught.value.code == 2
