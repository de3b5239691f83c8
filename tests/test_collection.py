"""pantau/collection.py (the orchestrator): every source ends as one recorded attempt; re-runs never duplicate."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest

from collectors.base import CollectContext, CollectResult
from collectors.errors import ParseError
from collectors.http import HttpPolicy
from collectors.kinds import COLLECTORS
from pantau.collection import (
    CollectionLocked,
    UnknownSource,
    collection_lock,
    default_since,
    interleave_by_host,
    run_collection,
    since_for,
    summary_lines,
)
from pantau.models import Post, Source, Unit
from pantau.registry import Registry, Settings
from tests.fixture_server import LOOPBACK, FixtureServer, Reply, static

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2025, 9, 30, 12, 0, tzinfo=UTC)
FAST = HttpPolicy(private_networks=LOOPBACK, connect_timeout=1.0, read_timeout=1.0, max_retries=1, backoff=0.01, max_backoff=0.02)


def rss(items: list[tuple[int, datetime, str]], base: str) -> bytes:
    """A WordPress-style RSS 2.0 feed (pubDate in GMT with +0000, guid ?p=ID)."""
    entries = "".join(
        f"<item><title>{title}</title><link>{base}/?p={pid}</link>"
        f"<pubDate>{format_datetime(when.astimezone(UTC)).replace('-0000', '+0000')}</pubDate>"
        f'<guid isPermaLink="false">{base}/?p={pid}</guid><description><![CDATA[{title}]]></description></item>'
        for pid, when, title in items
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Situs</title>'
            f"<link>{base}</link><description>d</description>{entries}</channel></rss>").encode()


def registry_of(*sources: Source) -> Registry:
    units = (Unit("bupati", "Bupati Blora", "pimpinan"), Unit("dinkes", "Dinas Kesehatan", "opd"))
    return Registry(units, tuple(sources), Settings(private_networks=LOOPBACK))


def feed_source(source_id: str, url: str, unit: str = "dinkes") -> Source:
    return Source(source_id, unit, "website", "feed", url)


@pytest.fixture
def server():
    with FixtureServer() as s:
        yield s


ITEMS = [(101, datetime(2025, 9, 10, 7, 30, tzinfo=UTC), "Rapat koordinasi"),
         (102, datetime(2025, 9, 12, 17, 5, tzinfo=UTC), "Posyandu balita"),
         (103, datetime(2025, 9, 29, 1, 0, tzinfo=UTC), "Vaksinasi")]


def test_rerunning_a_collection_adds_nothing(store, server):
    server.route("/feed/", static(rss(ITEMS, server.base), "application/rss+xml; charset=UTF-8"))
    registry = registry_of(feed_source("web-dinkes", server.url("/feed/")))
    first = run_collection(store, registry, now=NOW, http_policy=FAST)
    assert (first.ok, first.failed, first.posts_new) == (1, 0, 3)
    second = run_collection(store, registry, now=NOW, http_policy=FAST)
    assert (second.ok, second.posts_new) == (1, 0)
    frame = store.posts_frame()
    assert sorted(frame["external_id"]) == ["101", "102", "103"]
    assert frame.set_index("external_id").loc["102", "published_at"] == datetime(2025, 9, 12, 17, 5, tzinfo=UTC)
    attempts = store.attempts_frame().sort_values("id")  # both runs pinned to the same "now"
    assert list(attempts["status"]) == ["ok", "ok"]
    assert list(attempts["items_new"]) == [3, 0]
    assert attempts["requests"].tolist() == [2, 1]  # robots.txt and the feed; then the feed (robots.txt remembered)


def test_a_failing_source_does_not_stop_the_others(store, server):
    server.route("/good/feed/", static(rss(ITEMS, server.base), "application/rss+xml"))
    server.route("/broken/feed/", static("<html>Internal Server Error</html>", status=500))
    server.route("/garbage/feed/", static("this is not xml at all {", "text/plain"))
    registry = registry_of(
        feed_source("web-broken", server.url("/broken/feed/")),
        feed_source("web-good", server.url("/good/feed/")),
        feed_source("web-garbage", server.url("/garbage/feed/")),
        Source("x-bupati", "bupati", "x", "", "https://x.com/bupati"),
        Source("ig-dinkes", "dinkes", "instagram", "no-such-kind", "dinkes"),
    )
    summary = run_collection(store, registry, now=NOW, http_policy=FAST, workers=3)
    assert (summary.ok, summary.failed, summary.skipped, summary.posts_new) == (1, 2, 2, 3)
    attempts = store.attempts_frame().set_index("source_id")
    assert attempts.loc["web-good", "status"] == "ok"
    assert attempts.loc["web-broken", "status"] == "error"
    assert attempts.loc["web-broken", "error_kind"] == "http_status"
    assert "HTTP 500" in attempts.loc["web-broken", "error"]
    assert len(server.hits("/broken/feed/")) == 2  # the try and one retry
    # robots.txt once for the host (counted to whichever source came first), then the feeds
    assert summary.requests == 1 + 2 + 1 + 1 == attempts["requests"].sum()
    assert attempts.loc["web-garbage", "error_kind"] == "parse_error"
    assert attempts.loc["x-bupati", "status"] == "not_collectable"
    assert attempts.loc["x-bupati", "error"] == "no collector for platform x"
    assert attempts.loc["ig-dinkes", "status"] == "not_collectable"
    text = "\n".join(summary_lines(summary))
    assert "1 ok, 2 failed, 2 skipped" in text and "no collector for platform x" in text
    assert "reasons: http_status 1, not_collectable 2, parse_error 1" in text
    assert "3 new" in text


def probe(record: list, result: CollectResult | None = None, error: Exception | None = None):
    def collect(ctx: CollectContext) -> CollectResult:
        record.append(ctx)
        if error is not None:
            raise error
        return result or CollectResult(route="probe")
    return collect


def test_since_is_newest_stored_minus_three_days(store, monkeypatch):
    seen: list[CollectContext] = []
    monkeypatch.setitem(COLLECTORS, "probe", probe(seen))
    old = Source("old", "dinkes", "website", "probe", "http://127.0.0.1:9/")
    fresh = Source("fresh", "dinkes", "website", "probe", "http://127.0.0.1:9/")
    store.upsert_posts("dinkes", "website", [
        Post("old", "1", "u", "t", datetime(2025, 9, 20, 3, 0, tzinfo=UTC)),
        Post("old", "2", "u", "t", datetime(2025, 9, 25, 3, 0, tzinfo=UTC)),
    ])
    run_collection(store, registry_of(old, fresh), now=NOW, since=date(2025, 9, 1), http_policy=FAST)
    by_id = {ctx.source.source_id: ctx for ctx in seen}
    assert by_id["old"].since == datetime(2025, 9, 22, 3, 0, tzinfo=UTC)
    # --since is a local date at local midnight (WIB = UTC+7)
    assert by_id["fresh"].since == datetime(2025, 8, 31, 17, 0, tzinfo=UTC)
    assert by_id["fresh"].now == NOW and by_id["fresh"].zone == WIB
    seen.clear()
    run_collection(store, registry_of(fresh), now=NOW, http_policy=FAST)
    assert seen[0].since == datetime(2024, 9, 29, 17, 0, tzinfo=UTC)  # one year back from now, local midnight


def test_since_helpers():
    assert since_for(None, NOW) == NOW
    assert since_for(NOW, datetime(2000, 1, 1, tzinfo=UTC)) == NOW - timedelta(days=3)
    assert default_since(datetime(2024, 2, 29, 5, 0, tzinfo=UTC), WIB) == datetime(2023, 2, 27, 17, 0, tzinfo=UTC)


def test_truncated_feed_records_a_coverage_gap(store, server):
    source = feed_source("web-dinkes", server.url("/feed/"))
    store.upsert_posts("dinkes", "website", [Post("web-dinkes", "50", "u", "t", datetime(2025, 9, 1, 2, 0, tzinfo=UTC))])
    newest = [(200 + i, datetime(2025, 9, 20, 2, 0, tzinfo=UTC) + timedelta(days=i), f"Berita {i}") for i in range(5)]
    server.route("/feed/", static(rss(newest, server.base), "application/rss+xml"))
    run_collection(store, registry_of(source), now=NOW, http_policy=FAST)
    gaps = store.gaps_frame()
    assert len(gaps) == 1
    assert gaps.loc[0, "gap_start"] == datetime(2025, 9, 1, 2, 0, tzinfo=UTC)
    assert gaps.loc[0, "gap_end"] == datetime(2025, 9, 20, 2, 0, tzinfo=UTC)
    assert gaps.loc[0, "detected_at"] == NOW
    # The next run reaches back to what it stored: no new gap.
    run_collection(store, registry_of(source), now=NOW, http_policy=FAST)
    assert len(store.gaps_frame()) == 1


def test_errors_are_recorded_by_kind_and_redacted(store, server, monkeypatch):
    seen: list = []
    monkeypatch.setitem(COLLECTORS, "bug", probe(seen, error=KeyError("date_gmt")))
    monkeypatch.setitem(COLLECTORS, "parse", probe(seen, error=ParseError("HTML instead of JSON at http://h/x?access_token=SECRET")))
    server.route("/robots.txt", static(b"User-agent: *\nDisallow: /\n", "text/plain"))
    registry = registry_of(
        Source("buggy", "dinkes", "website", "bug", "http://127.0.0.1:9/"),
        Source("parsing", "dinkes", "website", "parse", "http://127.0.0.1:9/"),
        feed_source("blocked", server.url("/feed/")),
    )
    summary = run_collection(store, registry, now=NOW, http_policy=FAST)
    assert summary.failed == 3
    attempts = store.attempts_frame().set_index("source_id")
    assert attempts.loc["buggy", "error_kind"] == "bug"
    assert attempts.loc["buggy", "error"] == "KeyError: 'date_gmt'"
    assert attempts.loc["parsing", "error_kind"] == "parse_error"
    assert "SECRET" not in attempts.loc["parsing", "error"]
    assert attempts.loc["blocked", "status"] == "robots_disallowed"
    assert server.hits("/feed/") == []
    assert not attempts["ok"].any()


def test_state_and_validators_survive_between_runs(store, server, monkeypatch):
    def conditional(ctx: CollectContext) -> CollectResult:
        ctx.state["api_root"] = "remembered"
        response = ctx.http.get(ctx.source.address, conditional=True)
        return CollectResult(route="probe", not_modified=response.not_modified)
    monkeypatch.setitem(COLLECTORS, "cond", conditional)

    def page(request):
        if request.header("If-None-Match") == '"abc"':
            return Reply(304)
        return Reply(200, "x", {"ETag": '"abc"'}, "text/plain")
    server.route("/data", page)
    registry = registry_of(Source("c", "dinkes", "website", "cond", server.url("/data")))
    run_collection(store, registry, now=NOW, http_policy=FAST)
    assert store.get_state("c")["api_root"] == "remembered"
    run_collection(store, registry, now=NOW, http_policy=FAST)
    assert server.hits("/data")[-1].header("If-None-Match") == '"abc"'
    assert store.attempts_frame()["status"].tolist() == ["ok", "ok"]


def test_source_selection(store, monkeypatch):
    seen: list = []
    monkeypatch.setitem(COLLECTORS, "probe", probe(seen))
    a = Source("a", "dinkes", "website", "probe", "http://127.0.0.1:9/")
    b = Source("b", "dinkes", "website", "feed", "http://127.0.0.1:9/feed/", active=False)
    registry = registry_of(a, b)
    summary = run_collection(store, registry, kind="probe", now=NOW, http_policy=FAST)
    assert [r.source_id for r in summary.attempts] == ["a"]
    summary = run_collection(store, registry, source_ids=["b"], now=NOW, http_policy=FAST)
    assert summary.attempts[0].status == "skipped"  # named, but inactive
    with pytest.raises(UnknownSource):
        run_collection(store, registry, source_ids=["nope"], now=NOW)


def test_interleave_spreads_hosts():
    sources = [Source(f"{h}{i}", "u", "website", "feed", f"http://{h}.example/feed{i}") for h in "aab" for i in range(2)]
    ordered = [s.address.split("//")[1][0] for s in interleave_by_host(sources)]
    assert ordered[:2] == ["a", "b"]


def test_collection_lock(store):
    with collection_lock(store):
        with pytest.raises(CollectionLocked), collection_lock(store):
            pass
    with collection_lock(store):  # released
        pass


def test_politeness_key():
    from pantau.collection import politeness_key
    assert politeness_key(Source("a", "u", "website", "wordpress", "https://dinkes.blorakab.go.id/")) == "dinkes.blorakab.go.id:443"
    assert politeness_key(Source("b", "u", "instagram", "instagram", "dinkesblora")) == "instagram"
    assert politeness_key(Source("c", "u", "facebook", "facebook", "123456", {"api_base": "http://127.0.0.1:8080/v25.0"})) == "127.0.0.1:8080"


def test_a_post_deleted_upstream_is_marked_never_removed(store, server):
    recent = [*ITEMS, (104, datetime(2025, 9, 28, 3, 0, tzinfo=UTC), "Berita yang kemudian dihapus")]
    server.route("/feed/", static(rss(recent, server.base), "application/rss+xml"))
    registry = registry_of(feed_source("web-dinkes", server.url("/feed/")))
    run_collection(store, registry, now=NOW, http_policy=FAST)
    server.route("/feed/", static(rss(ITEMS, server.base), "application/rss+xml"))
    run_collection(store, registry, now=NOW, http_policy=FAST)
    frame = store.posts_frame().set_index("external_id")
    assert len(frame) == 4  # still stored, still counted
    assert frame["missing_since"].notna().to_dict() == {"101": False, "102": False, "103": False, "104": True}
    server.route("/feed/", static(rss(recent, server.base), "application/rss+xml"))
    run_collection(store, registry, now=NOW, http_policy=FAST)
    assert store.posts_frame()["missing_since"].isna().all()  # back upstream: unmarked
