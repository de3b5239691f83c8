"""Listings without dates: each new item dated from its own article page, over a real local server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from collectors import article_date, html_listing
from collectors.base import CollectContext
from collectors.dates import DateParseError
from collectors.http import HttpClient, HttpPolicy
from pantau.collection import collect_source
from pantau.models import Source, Unit
from pantau.registry import Registry
from tests.fixture_server import LOOPBACK, FixtureServer, Reply, static

HERE = Path(__file__).parent / "fixtures" / "html_listing" / "nodate"
TRUTH = json.loads((HERE / "articles.json").read_text())
JAKARTA = ZoneInfo("Asia/Jakarta")
OPTIONS = {"item": "div.daftar-berita div.berita", "title": "h3.judul a", "link": "h3.judul a",
           "next": "ul.pagination a.next"}
# Friday 12 September 2025, 17:00 WIB.
NOW = datetime(2025, 9, 12, 10, 0, tzinfo=UTC)
SINCE = datetime(2025, 1, 1, tzinfo=JAKARTA)


def expected_time(value: str) -> tuple[datetime, bool]:
    """(instant, date_only) of a truth row: a bare day is local midnight, date-only."""
    if "T" in value:
        return datetime.fromisoformat(value).astimezone(UTC), False
    return datetime.fromisoformat(value).replace(tzinfo=JAKARTA).astimezone(UTC), True


def serve_site(server: FixtureServer) -> str:
    pages = {1: (HERE / "listing_1.html").read_text(), 2: (HERE / "listing_2.html").read_text()}
    server.route("/berita", lambda request: Reply(200, pages[int(request.query.get("hal", "1"))], {},
                                                   "text/html; charset=UTF-8"))
    for row in TRUTH:
        server.route(row["path"], static((HERE / f"article_{row['id']}.html").read_text()))
    return server.url("/berita")


def source(address: str, options: dict | None = None) -> Source:
    return Source("kec-jepon-web", "kec-jepon", "website", "html_listing", address, options=options or OPTIONS)


def register(store, src: Source) -> None:
    store.sync_registry(Registry(units=(Unit("kec-jepon", "Kecamatan Jepon", "kecamatan"),), sources=(src,)))


def collect_twice(store, address: str, server: FixtureServer, options: dict | None = None):
    src = source(address, options)
    register(store, src)
    policy = HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0)
    with HttpClient(policy) as client:
        first = collect_source(src, store, client, zone=JAKARTA, fallback_since=SINCE, now=NOW)
    before = len(server.requests)
    with HttpClient(policy) as client:
        second = collect_source(src, store, client, zone=JAKARTA, fallback_since=SINCE, now=NOW)
    return first, second, server.requests[before:]


def test_every_article_dated_from_its_own_page(store):
    with FixtureServer() as server:
        address = serve_site(server)
        first, second, rerun_requests = collect_twice(store, address, server)
        frame = store.posts_frame()
    assert first.status == "ok" and first.route == "html"
    dated = [row for row in TRUTH if row["published"] != "none"]
    assert len(dated) == 10
    stored = {row.external_id.removeprefix(server.base): row for row in frame.itertuples()}
    assert sorted(stored) == sorted(row["path"] for row in dated)
    for row in dated:
        when, date_only = expected_time(row["published"])
        post = stored[row["path"]]
        assert (row["path"], post.published_at.to_pydatetime(), bool(post.date_only)) == (row["path"], when, date_only)
        assert post.title == row["title"]
    # The undated article is an item error, never dated today; the others are stored.
    assert first.items_new == 10
    assert "1 item(s) skipped" in first.error and "pengumuman-pendaftaran-perangkat-desa" in first.error
    # A re-run with nothing new costs the listing page alone, and adds nothing.
    assert [r.target for r in rerun_requests] == ["/berita"]
    assert second.requests == 1 and second.items_new == 0 and second.status == "ok"


def test_first_collection_reads_each_article_once_and_both_listing_pages(store):
    with FixtureServer() as server:
        address = serve_site(server)
        collect_twice(store, address, server)
        first_run = [r.path for r in server.requests]
    articles = [r for r in first_run if r.startswith("/berita/baca/")]
    # 11 article pages in the first run, then none in the re-run.
    assert len(articles) == len(set(articles)) == 11
    assert first_run.count("/berita") == 3  # two listing pages, then the re-run's one


def test_only_new_articles_are_read(store):
    """A collection after two new posts reads the listing and those two pages, then stops."""
    with FixtureServer() as server:
        address = serve_site(server)
        listing = (HERE / "listing_1.html").read_text()
        # Before: the site as it was without its two newest articles.
        older = listing.replace('/berita/baca/118/', '/gone/118/').replace('/berita/baca/117/', '/gone/117/')
        state = {"listing": older}
        server.route("/berita", lambda request: Reply(
            200, state["listing"] if request.query.get("hal", "1") == "1" else (HERE / "listing_2.html").read_text(),
            {}, "text/html; charset=UTF-8"))
        server.route("/gone/*", lambda request: Reply(404, "<h1>404</h1>", {}, "text/html"))
        src = source(address)
        register(store, src)
        with HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0)) as client:
            collect_source(src, store, client, zone=JAKARTA, fallback_since=SINCE, now=NOW)
        state["listing"] = listing
        before = len(server.requests)
        with HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0)) as client:
            run = collect_source(src, store, client, zone=JAKARTA, fallback_since=SINCE, now=NOW)
        targets = [r.target for r in server.requests[before:]]
    # (The two article pages are fetched at once: in either order.)
    assert targets[0] == "/berita" and sorted(targets[1:]) == [
        "/berita/baca/117/rakor-penanganan-stunting", "/berita/baca/118/camat-jepon-pantau-distribusi-pupuk"]
    assert run.items_new == 2
    # The two 404s of the first run were item errors; nothing stored was marked gone.
    assert store.posts_frame()["missing_since"].isna().all()


def test_failed_article_stops_the_walk_and_keeps_newer_posts():
    with FixtureServer() as server:
        address = serve_site(server)
        server.route("/berita/baca/114/monitoring-dana-desa-tahap-ii", lambda r: Reply(503, "busy", {}, "text/plain"))
        client = HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0, respect_robots=False))
        ctx = CollectContext(source=source(address), since=SINCE, http=client.for_source("s"), zone=JAKARTA, now=NOW)
        result = html_listing.collect(ctx)
    assert [p.external_id.removeprefix(server.base) for p in result.posts] == [row["path"] for row in TRUTH[:3]]
    assert result.truncated is True and any("article page failed" in n for n in result.notes)
    assert "/berita?hal=2" not in [r.target for r in server.requests]


def test_undated_page_is_remembered_not_fetched_again():
    with FixtureServer() as server:
        address = serve_site(server)
        client = HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0, respect_robots=False))
        state: dict = {}
        undated = "/berita/baca/115/pengumuman-pendaftaran-perangkat-desa"
        for _ in range(2):
            ctx = CollectContext(source=source(address), since=SINCE, http=client.for_source("s"), zone=JAKARTA,
                                 now=NOW, state=state)
            result = html_listing.collect(ctx)
            assert len(result.item_errors) == 1 and undated in result.item_errors[0]
        assert len(server.hits(undated)) == 1


def test_since_stops_the_walk_at_an_older_article():
    with FixtureServer() as server:
        address = serve_site(server)
        client = HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0, respect_robots=False))
        since = datetime(2025, 9, 9, tzinfo=JAKARTA)
        ctx = CollectContext(source=source(address), since=since, http=client.for_source("s"), zone=JAKARTA, now=NOW)
        result = html_listing.collect(ctx)
        targets = [r.target for r in server.requests]
    assert len(result.posts) == 3
    # The article of 8 September is older than since: the walk ends there. Articles are fetched
    # two at once (the per-host limit), so its neighbour is the one fetched in vain.
    articles = [t.rsplit("/", 2)[-2] for t in targets if t.startswith("/berita/baca/")]
    assert sorted(articles, reverse=True) == ["118", "117", "116", "115", "114", "113"]
    assert "/berita?hal=2" not in targets


@pytest.mark.parametrize("expected, rule, name", [
    ("2025-09-12T07:45:00+07:00", "open_graph", "article_118.html"),
    ("2025-09-11T16:20:00+07:00", "json_ld", "article_117.html"),
    ("2025-09-10T14:30:00+07:00", "visible", "article_116.html"),
    ("2025-09-08T09:05:00+07:00", "time", "article_114.html"),
    ("2025-09-05T10:00:00+07:00", "microdata", "article_113.html"),
    ("2025-09-04", "dublin_core", "article_112.html"),
    ("2025-09-03T19:15:00+07:00", "dublin_core+visible", "article_111.html"),
    ("2025-09-01", "text", "article_110.html"),
    ("2025-08-29T08:10:00+07:00", "visible", "article_109.html"),
    ("2025-08-27", "htmldate", "article_108.html"),
])
def test_rule_that_dates_each_page(expected, rule, name):
    found = article_date.page_date((HERE / name).read_text(), JAKARTA, NOW)
    assert (found.rule, found.parsed.when, found.parsed.date_only) == (rule, *expected_time(expected))


def test_page_without_a_date_raises_even_with_dates_around_it():
    html = (HERE / "article_115.html").read_text()
    # The header prints today's date and the sidebar lists dated news: none is the article's.
    assert "Jumat, 12 September 2025" in html and "14/07/2025" in html
    with pytest.raises(DateParseError):
        article_date.page_date(html, JAKARTA, NOW)


@pytest.mark.parametrize("html, expected", [
    # A date in the future is not a publication date: the next rule decides.
    ('<meta property="article:published_time" content="2031-01-01T00:00:00+07:00">'
     '<h1>Judul</h1><p>BLORA - (29/6/2020) Bupati</p>', "2020-06-29"),
    # JSON-LD that does not parse is skipped, not fatal.
    ('<script type="application/ld+json">{"datePublished": </script><h1>Judul</h1>'
     '<div class="tanggal">Senin, 29 Juni 2020</div>', "2020-06-29"),
    # A WebPage's datePublished only when no Article says.
    ('<script type="application/ld+json">[{"@type":"WebPage","datePublished":"2019-01-01"},'
     '{"@type":"BlogPosting","datePublished":"2020-06-29"}]</script>', "2020-06-29"),
])
def test_rule_edges(html, expected):
    found = article_date.page_date(f"<html><head></head><body>{html}</body></html>", JAKARTA, NOW)
    assert found.parsed.when == expected_time(expected)[0]


def test_year_only_guess_is_never_accepted():
    """htmldate may turn a page with only a year into 1 January; nothing on the page says so."""
    html = ("<html><head><title>Profil</title></head><body><h1>Profil Kecamatan</h1>"
            "<p>Kecamatan ini berdiri tahun 2025 dan terus berbenah.</p><footer>&copy; 2025</footer></body></html>")
    with pytest.raises(DateParseError):
        article_date.page_date(html, JAKARTA, NOW)


def test_post_gone_above_the_first_stored_item_is_marked_not_deleted(store):
    """Stopping at the first stored item still notices a newer stored post the listing dropped,
    and never marks the older stored posts it did not re-read."""
    with FixtureServer() as server:
        address = serve_site(server)
        listing = (HERE / "listing_1.html").read_text()
        shown = {"page": listing}
        server.route("/berita", lambda request: Reply(
            200, shown["page"] if request.query.get("hal", "1") == "1" else (HERE / "listing_2.html").read_text(),
            {}, "text/html; charset=UTF-8"))
        src = source(address)
        register(store, src)
        with HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0)) as client:
            first = collect_source(src, store, client, zone=JAKARTA, fallback_since=SINCE, now=NOW)
        newest = "/berita/baca/118/camat-jepon-pantau-distribusi-pupuk"
        start = listing.index(f'<div class="berita">\n    <h3 class="judul"><a href="{newest}"')
        shown["page"] = listing[:start] + listing[listing.index("</div>", listing.index("selengkapnya", start)) + 6:]
        assert newest not in shown["page"]
        with HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0)) as client:
            second = collect_source(src, store, client, zone=JAKARTA, fallback_since=SINCE, now=NOW)
        frame = store.posts_frame()
    # The first run skipped an undated item, so it looked for nothing gone; the second is complete.
    assert first.items_new == 10 and second.requests == 1
    gone = {row.external_id.removeprefix(server.base) for row in frame.itertuples() if pd.notna(row.missing_since)}
    assert gone == {newest}
    assert len(frame) == 10  # marked, never deleted


def test_text_date_is_read_after_the_articles_heading_not_the_logo():
    html = ("<html><body><div class='brand'><h1>Pemerintah Kabupaten Blora</h1><p>Jl. Pemuda 2, 1/2/2019</p></div>"
            "<div class='isi'><h3>Bupati Tinjau Embung</h3><p>BLORA - (29/6/2020) Bupati meninjau embung.</p></div>"
            "</body></html>")
    found = article_date.page_date(html, JAKARTA, NOW, title="Bupati  Tinjau Embung")
    assert (found.rule, found.parsed.when) == ("text", expected_time("2020-06-29")[0])
