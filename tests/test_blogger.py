"""The Blogger collector against a local server speaking Blogger's alt=json feed."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from collectors import blogger
from collectors.base import CollectContext
from collectors.errors import HttpStatusError, ParseError
from collectors.http import HttpClient, HttpPolicy
from pantau.collection import OVERLAP, run_collection
from pantau.models import Source, Unit
from pantau.registry import Registry, Settings
from tests.fixture_server import LOOPBACK, BloggerSite, FixtureServer, blogger_time, static

ZONE = ZoneInfo("Asia/Jakarta")
NOW = datetime(2025, 9, 30, 12, 0, tzinfo=UTC)
FAST = HttpPolicy(private_networks=LOOPBACK, connect_timeout=1.0, read_timeout=1.0, max_retries=1, backoff=0.01, max_backoff=0.02)


@pytest.fixture
def server():
    with FixtureServer() as s:
        yield s


@pytest.fixture
def client():
    with HttpClient(FAST) as c:
        yield c


def context(client: HttpClient, address: str, since: datetime) -> CollectContext:
    source = Source("blog-sendangwungu", "sendangwungu", "website", "blogger", address)
    return CollectContext(source, since, client.for_source(source.source_id), ZONE, {}, now=NOW)


def expected(site: BloggerSite, since: datetime) -> dict[str, datetime]:
    return {e["id"]["$t"].rpartition(".post-")[2]: blogger_time(e["published"]["$t"]).astimezone(UTC)
            for e in site.entries if blogger_time(e["published"]["$t"]) >= since}


def test_first_collection(server, client):
    site = BloggerSite(server)
    since = datetime(2025, 1, 1, tzinfo=UTC)
    result = blogger.collect(context(client, site.address, since))
    assert result.route == "json"
    assert {p.external_id: p.published_at for p in result.posts} == expected(site, since)
    assert len(result.posts) == 40
    request = server.hits("/feeds/posts/default")[0]
    assert request.query["alt"] == "json" and request.query["orderby"] == "published"
    assert request.query["published-min"] == "2025-01-01T07:00:00+07:00"
    assert request.query["start-index"] == "1"


def test_minus_seven_hours_offsets_become_utc(server, client):
    site = BloggerSite(server)
    result = blogger.collect(context(client, site.address, datetime(2025, 9, 1, tzinfo=UTC)))
    entry = next(e for e in site.entries if e["published"]["$t"] == "2025-09-09T10:30:00.002-07:00")
    post_id = entry["id"]["$t"].rpartition(".post-")[2]
    post = next(p for p in result.posts if p.external_id == post_id)
    # 10:30 in Blogger's default -07:00 is 17:30 UTC, 00:30 WIB on the 10th
    assert post.published_at == datetime(2025, 9, 9, 17, 30, 0, 2000, tzinfo=UTC)
    assert post.url == entry["link"][-1]["href"] and post.url.endswith(".html")
    assert post.title == entry["title"]["$t"]
    assert post.comments == int(entry["thr$total"]["$t"])
    assert post_id.isdigit() and len(post_id) >= 18


def test_paging_with_start_index(server, client):
    site = BloggerSite(server, cap=15)  # Blogger returns fewer than asked for
    since = datetime(2025, 1, 1, tzinfo=UTC)
    result = blogger.collect(context(client, site.address, since))
    assert len(result.posts) == 40
    starts = [r.query["start-index"] for r in server.hits("/feeds/posts/default")]
    assert starts == ["1", "16", "31"]  # 31 + 10 = 41 > totalResults 40: done


def test_published_min_limits_the_answer(server, client):
    site = BloggerSite(server, cap=15)
    since = datetime(2025, 8, 15, tzinfo=UTC)
    result = blogger.collect(context(client, site.address, since))
    assert {p.external_id for p in result.posts} == set(expected(site, since))
    assert len(server.hits("/feeds/posts/default")) == 1


def test_html_instead_of_json_is_a_parse_error(server, client):
    server.route("/feeds/posts/default", static("<html><body>Blog tidak ditemukan</body></html>"))
    with pytest.raises(ParseError):
        blogger.collect(context(client, server.url("/"), datetime(2025, 9, 1, tzinfo=UTC)))


def test_a_missing_blog_is_an_http_error(server, client):
    server.route("/feeds/posts/default", static("<html>Not Found</html>", status=404))
    with pytest.raises(HttpStatusError) as caught:
        blogger.collect(context(client, server.url("/"), datetime(2025, 9, 1, tzinfo=UTC)))
    assert caught.value.status == 404


def test_incremental_collections(store, server):
    site = BloggerSite(server, cap=25)
    source = Source("blog-sendangwungu", "sendangwungu", "website", "blogger", site.address + "p/profil-desa.html")
    registry = Registry((Unit("sendangwungu", "Sendangwungu", "desa", "banjarejo"),), (source,), Settings(private_networks=LOOPBACK))
    first = run_collection(store, registry, now=NOW, since=datetime(2025, 1, 1).date(), http_policy=FAST)
    assert first.ok == 1 and first.posts_new == 40
    before = len(server.requests)
    second = run_collection(store, registry, now=NOW, http_policy=FAST)
    assert second.posts_new == 0 and store.post_count() == 40
    assert len(server.requests) - before == 1  # one feed page (robots.txt remembered for a day)
    newest = max(blogger_time(e["published"]["$t"]) for e in site.entries)
    floor = datetime.fromisoformat(server.hits("/feeds/posts/default")[-1].query["published-min"])
    assert floor == (newest - OVERLAP).replace(microsecond=0)  # newest stored minus 3 days, to the second
    site.add_entry("8123456789012345678", "2025-09-29T09:05:00.000-07:00", "Penyaluran BLT Dana Desa Tahap IV")
    third = run_collection(store, registry, now=NOW, http_policy=FAST)
    assert third.posts_new == 1
    stored = store.posts_frame().set_index("external_id").loc["8123456789012345678"]
    assert stored["published_at"] == datetime(2025, 9, 29, 16, 5, tzinfo=UTC)
