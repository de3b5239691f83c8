"""The WordPress collector against a real local WordPress-like server, pitfalls included."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from collectors import wordpress
from collectors.base import CollectContext
from collectors.errors import CollectorError, RequestTimeout, RobotsDisallowed
from collectors.http import HttpClient, HttpPolicy
from pantau.collection import run_collection
from pantau.models import Source, Unit
from pantau.registry import Registry, Settings
from tests.fixture_server import LOOPBACK, WIB, FixtureServer, Reply, WordPressSite, fixture, static

ZONE = ZoneInfo("Asia/Jakarta")
NOW = datetime(2025, 9, 30, 12, 0, tzinfo=UTC)
FAST = HttpPolicy(private_networks=LOOPBACK, connect_timeout=1.0, read_timeout=1.0, max_retries=1, backoff=0.01, max_backoff=0.02)
FULL_DATETIME_NO_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


@pytest.fixture
def server():
    with FixtureServer() as s:
        yield s


@pytest.fixture
def client():
    with HttpClient(FAST) as c:
        yield c


def context(client: HttpClient, address: str, since: datetime, state: dict | None = None) -> CollectContext:
    source = Source("web-dinkes", "dinkes", "website", "wordpress", address)
    return CollectContext(source, since, client.for_source(source.source_id), ZONE, state if state is not None else {},
                          now=NOW)


def posts_requests(server: FixtureServer) -> list:
    return [r for r in server.requests
            if r.path.endswith("/wp-json/wp/v2/posts") or r.query.get("rest_route", "").startswith("/wp/v2/posts")]


def assert_no_bare_after(server: FixtureServer) -> None:
    afters = [r.query["after"] for r in posts_requests(server) if "after" in r.query]
    assert afters, "the collector must filter with after="
    assert all(FULL_DATETIME_NO_OFFSET.match(a) for a in afters), afters


def expected(site: WordPressSite, since: datetime) -> dict[str, datetime]:
    return {str(p["id"]): datetime.fromisoformat(p["date_gmt"]).replace(tzinfo=UTC) for p in site.posts
            if datetime.fromisoformat(p["date_gmt"]).replace(tzinfo=UTC) >= since}


# ---------------------------------------------------------------------------------------------
# REST


def test_first_collection_pages_through_rest(server, client):
    site = WordPressSite(server)
    since = datetime(2025, 1, 1, tzinfo=UTC)
    ctx = context(client, site.address, since)
    result = wordpress.collect(ctx)
    assert result.route == "rest"
    got = {p.external_id: p.published_at for p in result.posts}
    assert got == expected(site, since) and len(got) == 130
    pages = posts_requests(server)
    assert [r.query["page"] for r in pages] == ["1", "2"]  # 100 + 30, X-WP-TotalPages: 2
    assert {r.query["per_page"] for r in pages} == {"100"}
    assert pages[0].query["_fields"] == "id,date,date_gmt,link,title,modified_gmt"
    assert_no_bare_after(server)
    assert ctx.state[wordpress.STATE_ROOT] == site.base + "/wp-json/"
    assert ctx.state[wordpress.STATE_ROUTE] == "rest"


def test_dates_titles_and_links(server, client):
    site = WordPressSite(server)
    result = wordpress.collect(context(client, site.address, datetime(2025, 9, 1, tzinfo=UTC)))
    by_id = {p.external_id: p for p in result.posts}
    midnight = next(p for p in site.posts if p["date"] == "2025-09-10T00:30:00")
    post = by_id[str(midnight["id"])]
    # 00:30 WIB on 10 September is 17:30 UTC on the 9th: counted by date_gmt, in UTC
    assert post.published_at == datetime(2025, 9, 9, 17, 30, tzinfo=UTC)
    assert post.url == midnight["link"]
    assert post.external_id == midnight["guid"]["rendered"].rpartition("?p=")[2]


def test_titles_are_unescaped_plain_text(server, client):
    site = WordPressSite(server)
    result = wordpress.collect(context(client, site.address, datetime(2025, 1, 1, tzinfo=UTC)))
    titles = {p.title for p in result.posts}
    assert "Rapat Koordinasi Posyandu \u2013 Kecamatan Cepu" in titles
    assert "Sosialisasi \u201cGerakan Masyarakat Hidup Sehat\u201d" in titles
    assert "Pelatihan Kader Kesehatan & PKK" in titles


def test_after_is_site_local_with_a_day_of_margin(server, client):
    site = WordPressSite(server)
    since = datetime(2025, 9, 1, 17, 0, tzinfo=UTC)  # 2 September 00:00 WIB
    result = wordpress.collect(context(client, site.address, since))
    assert posts_requests(server)[0].query["after"] == "2025-09-01T00:00:00"
    assert {p.external_id for p in result.posts} == set(expected(site, since))
    assert all(p.published_at >= since for p in result.posts)


def test_html_link_tag_discovery(server, client):
    site = WordPressSite(server, discovery="html")
    result = wordpress.collect(context(client, site.address, datetime(2025, 9, 1, tzinfo=UTC)))
    assert result.route == "rest" and result.posts


def test_rest_route_variant_for_plain_permalinks(server, client):
    site = WordPressSite(server, plain=True)
    since = datetime(2025, 8, 1, tzinfo=UTC)
    ctx = context(client, site.address, since)
    result = wordpress.collect(ctx)
    assert result.route == "rest_route"
    assert {p.external_id for p in result.posts} == set(expected(site, since))
    assert not [r for r in server.requests if r.path.startswith("/wp-json")]
    assert all(r.query["rest_route"] == "/wp/v2/posts" for r in posts_requests(server))
    assert_no_bare_after(server)


def test_no_api_link_falls_back_to_rest_route(server, client):
    site = WordPressSite(server, discovery="none")
    result = wordpress.collect(context(client, site.address, datetime(2025, 9, 1, tzinfo=UTC)))
    assert result.route == "rest_route" and result.posts
    assert "rest failed" in result.notes[0]


def test_past_the_end_400_ends_the_list(server, client):
    site = WordPressSite(server)
    site.posts = site.posts[:100]

    def without_paging_headers(request):  # a proxy that drops X-WP-TotalPages
        reply = site.rest_endpoint(request)
        reply.headers = {k: v for k, v in reply.headers.items() if not k.startswith("X-WP")}
        return reply
    server.route("/wp-json/*", without_paging_headers)
    result = wordpress.collect(context(client, site.address, datetime(2025, 1, 1, tzinfo=UTC)))
    assert len(result.posts) == 100 and result.route == "rest"
    statuses = [r.query["page"] for r in posts_requests(server)]
    assert statuses == ["1", "2"]  # page 2 answered 400 rest_post_invalid_page_number: end, not error


def test_bare_date_would_be_refused(server, client):
    """The server refuses what WordPress refuses; the collector's own requests pass."""
    WordPressSite(server)
    http = client.for_source("probe")
    with pytest.raises(CollectorError) as caught:
        http.get(server.url("/wp-json/wp/v2/posts"), params={"after": "2025-09-01"})
    assert caught.value.json()["code"] == "rest_invalid_param"


# ---------------------------------------------------------------------------------------------
# Refusals fall through to RSS


@pytest.mark.parametrize(("rest", "discovery"), [
    ("login_required", "none"),  # the "Disable WP REST API" plugin also removes the link
    ("disabled", "header"),
    ("waf_403", "header"),
    ("waf_200", "header"),
    ("absent", "none"),
])
def test_refused_rest_falls_back_to_rss(server, client, rest, discovery):
    site = WordPressSite(server, rest=rest, discovery=discovery)
    since = datetime(2025, 9, 1, tzinfo=UTC)
    ctx = context(client, site.address, since)
    result = wordpress.collect(ctx)
    assert result.route == "rss"
    assert {p.external_id: p.published_at for p in result.posts} == expected(site, since)
    assert ctx.state[wordpress.STATE_ROUTE] == "rss"
    assert not result.truncated


def test_rss_pages_until_older_than_since(server, client):
    site = WordPressSite(server, rest="login_required", discovery="none")
    since = datetime(2025, 7, 20, tzinfo=UTC)
    result = wordpress.collect(context(client, site.address, since))
    want = expected(site, since)
    assert {p.external_id: p.published_at for p in result.posts} == want
    pages = [r.query.get("paged", "1") for r in server.hits("/feed/")]
    assert pages == [str(n) for n in range(1, len(want) // 10 + 2)]
    assert not result.truncated


def test_rss_that_runs_out_before_since_is_complete(server, client):
    site = WordPressSite(server, rest="disabled")
    site.posts = site.posts[:25]
    result = wordpress.collect(context(client, site.address, datetime(2024, 1, 1, tzinfo=UTC)))
    assert len(result.posts) == 25 and not result.truncated
    assert [r.query.get("paged", "1") for r in server.hits("/feed/")] == ["1", "2", "3", "4"]  # 4th: 404


def test_rss_of_a_plain_permalink_site(server, client):
    site = WordPressSite(server, plain=True, rest="disabled", discovery="none")
    result = wordpress.collect(context(client, site.address, datetime(2025, 9, 1, tzinfo=UTC)))
    assert result.route == "rss" and result.posts
    assert any(r.query.get("feed") == "rss2" for r in server.requests)


def test_html_listing_is_the_last_resort(server, client):
    site = WordPressSite(server, rest="absent", discovery="none", feed=False)
    since = datetime(2025, 8, 1, tzinfo=UTC)
    result = wordpress.collect(context(client, site.address, since))
    assert result.route == "html"
    assert {p.external_id: p.published_at for p in result.posts} == expected(site, since)
    assert server.hits("/page/2/") and not server.hits("/page/9/")


def test_html_listing_dates_from_article_published_time(server, client):
    site = WordPressSite(server, rest="absent", discovery="none", feed=False)
    site.posts = site.posts[:3]
    page = ('<html><head><meta property="article:published_time" content="2025-09-10T00:30:00+07:00" /></head>'
            "<body>isi</body></html>")
    server.route("/berita/satu/", static(page))
    listing = ('<html><body><article id="post-77" class="post-77 post"><h2 class="entry-title">'
               f'<a href="{server.url("/berita/satu/")}">Satu</a></h2></article></body></html>')
    server.route("/", static(listing))
    result = wordpress.collect(context(client, site.address, datetime(2025, 1, 1, tzinfo=UTC)))
    assert [(p.external_id, p.published_at) for p in result.posts] == [("77", datetime(2025, 9, 9, 17, 30, tzinfo=UTC))]


def test_every_route_failing_lists_the_reasons(server, client):
    WordPressSite(server, rest="login_required", discovery="none", feed=False, listing=False)
    with pytest.raises(CollectorError) as caught:
        wordpress.collect(context(client, server.url("/"), datetime(2025, 9, 1, tzinfo=UTC)))
    message = str(caught.value)
    assert "rest_route: HTTP 401 (" in message and "rest_login_required" in message
    assert "rss: HTTP 404" in message and "html: HTTP 404" in message


def test_robots_disallowing_every_route(server, client):
    server.route("/robots.txt", static(b"User-agent: *\nDisallow: /\n", "text/plain"))
    WordPressSite(server)
    with pytest.raises(RobotsDisallowed):
        wordpress.collect(context(client, server.url("/"), datetime(2025, 9, 1, tzinfo=UTC)))
    assert [r.path for r in server.requests] == ["/robots.txt"]


def test_robots_disallowing_the_api_only_falls_back(server, client):
    server.route("/robots.txt", static(b"User-agent: *\nDisallow: /wp-json/\n", "text/plain"))
    site = WordPressSite(server)
    result = wordpress.collect(context(client, site.address, datetime(2025, 9, 1, tzinfo=UTC)))
    assert result.route == "rest_route" and result.posts
    assert not [r for r in server.requests if r.path.startswith("/wp-json")]
    assert "robots.txt" in result.notes[0]


def test_a_site_that_does_not_answer_stops_at_once(server):
    server.route("/", lambda _r: Reply(200, "slow", delay=0.5))
    with HttpClient(HttpPolicy(private_networks=LOOPBACK, read_timeout=0.1, max_retries=0)) as c, pytest.raises(RequestTimeout):
        wordpress.collect(context(c, server.url("/"), datetime(2025, 9, 1, tzinfo=UTC)))
    assert [r.path for r in server.requests] == ["/robots.txt", "/"]  # no other route tried


# ---------------------------------------------------------------------------------------------
# Through the runner: first run, re-runs, new posts


def registry_for(*sources: Source) -> Registry:
    return Registry((Unit("dinkes", "Dinas Kesehatan", "opd"),), tuple(sources), Settings(private_networks=LOOPBACK))


@pytest.mark.parametrize("rest", ["ok", "login_required"])
def test_incremental_collections(store, server, rest):
    site = WordPressSite(server, rest=rest, discovery="header" if rest == "ok" else "none")
    registry = registry_for(Source("web-dinkes", "dinkes", "website", "wordpress", site.address))
    first = run_collection(store, registry, now=NOW, since=datetime(2025, 1, 1).date(), http_policy=FAST)
    assert first.ok == 1 and first.posts_new == 130
    frame = store.posts_frame()
    assert dict(zip(frame["external_id"], frame["published_at"], strict=True)) == expected(site, datetime(2025, 1, 1, tzinfo=UTC))

    before = len(server.requests)
    second = run_collection(store, registry, now=NOW, http_policy=FAST)
    assert second.posts_new == 0 and store.post_count() == 130
    # one request: the route, the API root and robots.txt are remembered
    assert len(server.requests) - before == 1
    assert second.attempts[0].route == ("rest" if rest == "ok" else "rss")

    site.add_post(9001, datetime(2025, 9, 29, 23, 15, tzinfo=WIB), "Bupati meninjau Puskesmas Kunduran")
    third = run_collection(store, registry, now=NOW, http_policy=FAST)
    assert third.posts_new == 1
    new = store.posts_frame().set_index("external_id").loc["9001"]
    assert new["published_at"] == datetime(2025, 9, 29, 16, 15, tzinfo=UTC)
    assert new["title"] == "Bupati meninjau Puskesmas Kunduran"
    if rest == "ok":
        assert_no_bare_after(server)


def test_same_post_by_rest_and_rss_is_one_post(sqlite_store, server):
    site = WordPressSite(server)
    registry = registry_for(Source("web-dinkes", "dinkes", "website", "wordpress", site.address))
    run_collection(sqlite_store, registry, now=NOW, since=datetime(2025, 9, 1).date(), http_policy=FAST)
    count = sqlite_store.post_count()
    site.rest = "waf_403"  # the site installs a firewall: RSS takes over, ids stay the same
    summary = run_collection(sqlite_store, registry, now=NOW, http_policy=FAST)
    assert summary.attempts[0].route == "rss" and summary.posts_new == 0
    assert sqlite_store.post_count() == count


def test_fixture_is_real_wordpress_shape():
    import json
    posts = json.loads(fixture("wordpress", "posts.json"))
    assert {"id", "date", "date_gmt", "guid", "link", "title", "modified_gmt", "_links"} <= set(posts[0])
    assert posts[0]["guid"]["rendered"].endswith(f"?p={posts[0]['id']}")


def test_php_notices_before_the_json(server, client):
    site = WordPressSite(server)

    def noisy(request):
        reply = site.rest_endpoint(request)
        reply.body = ("<br />\n<b>Deprecated</b>:  Function create_function() is deprecated in "
                      "<b>/home/dinkes/public_html/wp-content/plugins/old/old.php</b> on line <b>12</b><br />\n"
                      + reply.body)
        return reply
    server.route("/wp-json/*", noisy)
    result = wordpress.collect(context(client, site.address, datetime(2025, 9, 1, tzinfo=UTC)))
    assert result.route == "rest" and {p.external_id for p in result.posts} == set(expected(site, datetime(2025, 9, 1, tzinfo=UTC)))


def test_a_feed_cut_short_fails_the_attempt_instead_of_falling_through(server, client):
    site = WordPressSite(server, rest="login_required", discovery="none")

    def php_died(request):
        reply = site.feed(request)
        body = reply.payload()
        reply.body = body[: len(body) * 3 // 5] + (
            b"<br />\n<b>Fatal error</b>:  Allowed memory size of 134217728 bytes exhausted (tried to allocate "
            b"20480 bytes) in <b>/var/www/html/wp-includes/formatting.php</b> on line <b>5128</b><br />\n")
        return reply
    server.route("/feed/", php_died)
    with pytest.raises(wordpress.BrokenAnswer) as caught:
        wordpress.collect(context(client, site.address, datetime(2025, 1, 1, tzinfo=UTC)))
    assert caught.value.kind == "parse_error" and "cut short" in str(caught.value)
    assert not server.hits("/page/2/")  # a partial feed is not a reason to take another route


def test_a_cache_comment_after_the_feed_is_fine(server, client):
    site = WordPressSite(server, rest="disabled")

    def cached(request):
        reply = site.feed(request)
        reply.body = reply.payload() + b"\n<!-- Performance optimized by W3 Total Cache. Served from: dinkes.blorakab.go.id @ 2025-09-30 10:00:00 by W3 Total Cache -->\n"
        return reply
    server.route("/feed/", cached)
    since = datetime(2025, 9, 1, tzinfo=UTC)
    result = wordpress.collect(context(client, site.address, since))
    assert result.route == "rss" and {p.external_id for p in result.posts} == set(expected(site, since))


def test_a_site_ignoring_after_is_not_paged_to_the_end(server, client):
    site = WordPressSite(server)
    site.posts = site.posts * 3  # 390 posts, 4 pages
    for n, post in enumerate(site.posts):
        site.posts[n] = {**post, "id": 10000 + n}

    def ignoring_after(request):
        request.query.pop("after", None)
        return site.rest_endpoint(request)
    server.route("/wp-json/*", ignoring_after)
    since = datetime(2025, 9, 1, tzinfo=UTC)
    result = wordpress.collect(context(client, site.address, since))
    assert [r.query["page"] for r in posts_requests(server)] == ["1"]
    assert result.posts and all(p.published_at >= since for p in result.posts)
