"""OpenSID village sites replayed from a real local HTTP server.

The fixtures (tests/fixtures/opensid, built by generate.py after OpenSID's own views) are one
village with 70 articles; articles.json is the ground truth every test compares against.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from collectors import opensid, opensid_archive
from collectors.base import CollectContext
from collectors.errors import HttpStatusError, ParseError
from collectors.http import HttpClient, HttpPolicy
from pantau.models import Source
from tests.fixture_server import LOOPBACK

FIXTURES = Path(__file__).parent / "fixtures" / "opensid"
JAKARTA = ZoneInfo("Asia/Jakarta")
SITE = "https://sidomulyo.desa.id/"
ARTICLES = json.loads((FIXTURES / "articles.json").read_text())


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JAKARTA)


def uploaded(article: dict) -> datetime:
    return datetime.fromisoformat(article["uploaded"])


def article_id(article: dict) -> str:
    when = uploaded(article)
    return f"/artikel/{when.year}/{when.month}/{when.day}/{article['slug']}"


def published_since(since: datetime) -> list[dict]:
    return [a for a in ARTICLES if uploaded(a) >= since]


def host_site(httpserver, *, prefix: str = "", feed: str | None = "feed.xml", archive: str | None = "arsip",
              index: bool = True) -> str:
    """Serve the village under `prefix` ("" or "index.php/"); missing routes answer 404."""
    httpserver.no_handler_status_code = 404
    base = httpserver.url_for("/") + prefix

    def serve(path: str, name: str, content_type: str) -> None:
        body = (FIXTURES / name).read_text().replace(SITE, base)
        httpserver.expect_request("/" + prefix + path).respond_with_data(body, content_type=content_type)

    if feed:
        serve("feed.xml", feed, "text/xml; charset=UTF-8")
    if archive:
        for page in range(1, 5):
            serve(f"{archive}/{page}", f"arsip_{page}.html", "text/html; charset=UTF-8")
    if index:
        for page in range(1, 8):
            serve(f"index/{page}", f"index_{page}.html", "text/html; charset=UTF-8")
    # Each article's own page (the archive lists static pages and agenda too: entries the feed
    # does not vouch for are read there once).
    httpserver.expect_request(re.compile("^/" + re.escape(prefix) + r"artikel/")).respond_with_handler(article_page)
    return base


def article_page(request):
    from werkzeug import Response

    slug = request.path.rstrip("/").rsplit("/", 1)[-1]
    article = next((a for a in ARTICLES if a["slug"] == slug), None)
    if article is None:
        return Response("not found", status=404)
    when = uploaded(article)
    body = (f'<html><body><div class="single_page_area"><h2 class="post_titile">{article["title"]}</h2>'
            f'<div class="post_commentbox"><span class="meta_date">{when:%d}-{when:%m}-{when:%Y} '
            f'{when:%H:%M:%S}</span></div><p>Isi.</p></div></body></html>')
    return Response(body, content_type="text/html; charset=UTF-8")


def make_ctx(address: str, since: datetime, state: dict | None = None, now: datetime | None = None) -> CollectContext:
    client = HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0, respect_robots=False))
    source = Source("desa-sidomulyo-web", "desa-sidomulyo", "website", "opensid", address)
    return CollectContext(source=source, since=since, http=client.for_source(source.source_id), zone=JAKARTA,
                          state=state if state is not None else {}, now=now)


PROBES = re.compile(r"^/(index\.php/)?(feed|internal_api/arsip|sitemap\.xml)$")


def all_requested(httpserver) -> list[str]:
    return [request.path for request, _ in httpserver.log]


def requested(httpserver) -> list[str]:
    """The feed and listing requests, without the probes these older-release fixtures answer 404
    (index.php/feed, the JSON archive, the sitemap) and without reads of entry pages (the archive
    lists static pages too): tests/test_opensid_routes.py asserts those."""
    return [request.path for request, response in httpserver.log
            if not (response.status_code == 404 and PROBES.match(request.path))
            and "/artikel/" not in request.path]


def test_first_collection_completes_the_truncated_feed_from_the_archive(httpserver):
    base = host_site(httpserver)
    since = local("2025-06-01T00:00")
    result = opensid.collect(make_ctx(base, since))

    assert result.route == "feed+archive"
    assert result.truncated is False
    assert [p.external_id for p in result.posts] == [article_id(a) for a in published_since(since)]
    assert len(result.posts) == 70
    by_id = {p.external_id: p for p in result.posts}
    for rank, article in enumerate(ARTICLES):
        post = by_id[article_id(article)]
        assert post.views == article["views"]  # "Dibaca", with "1.234" read as 1234
        assert post.title == article["title"]
        if rank < 50:  # in the feed: the full timestamp wins over the archive's day
            assert post.published_at == uploaded(article)
            assert post.date_only is False
        else:  # archive only: read once on its own page (is it an article?), which shows the time
            assert post.published_at == uploaded(article)
            assert post.date_only is False
        assert post.published_at.astimezone(JAKARTA).date() == uploaded(article).date()
        assert post.url == base + article_id(article)[1:]
    late = next(a for a in ARTICLES if uploaded(a).hour == 23 and uploaded(a).minute == 30)
    assert by_id[article_id(late)].published_at.astimezone(JAKARTA).date() == uploaded(late).date()
    # The feed's routes in turn, the JSON archive (GET, then POST) absent, the archive down to its
    # last page and no further, each entry the feed does not vouch for once, then the sitemap.
    assert requested(httpserver) == ["/feed.xml", "/arsip/1", "/arsip/2", "/arsip/3", "/arsip/4"]
    paths = all_requested(httpserver)
    assert paths[:8] == ["/index.php/feed", "/feed.xml", "/internal_api/arsip", "/internal_api/arsip",
                         "/arsip/1", "/arsip/2", "/arsip/3", "/arsip/4"]
    assert sorted(paths[8:-1]) == sorted(article_id(a) for a in ARTICLES[50:])
    assert paths[-1] == "/sitemap.xml"


def test_incremental_collection_uses_the_feed_alone(httpserver):
    base = host_site(httpserver)
    since = local("2025-08-20T00:00")
    result = opensid.collect(make_ctx(base, since))
    assert result.route == "feed"
    assert [p.external_id for p in result.posts] == [article_id(a) for a in published_since(since)]
    assert 0 < len(result.posts) < 50
    assert all(not p.date_only for p in result.posts)
    assert requested(httpserver) == ["/feed.xml"]


def test_old_broken_feed_falls_back_to_the_archive_and_stops_paging(httpserver):
    base = host_site(httpserver, feed="feed_old.xml")
    since = local("2025-07-20T00:00")
    result = opensid.collect(make_ctx(base, since))
    assert result.route == "archive"
    assert any("after </channel>" in note for note in result.notes)
    expected = published_since(since)
    assert [p.external_id for p in result.posts] == [article_id(a) for a in expected]
    # Each entry is read once on its own page (the archive lists static pages and agenda too),
    # which shows the upload time the archive's day lacks.
    assert not any(p.date_only for p in result.posts)
    assert [p.published_at for p in result.posts] == [uploaded(a) for a in expected]
    # Page 2 reaches articles older than since: pages 3 and 4 are never asked for.
    assert requested(httpserver) == ["/feed.xml", "/arsip/1", "/arsip/2"]


def test_index_php_prefix_gives_the_same_identities(httpserver):
    since = local("2025-06-01T00:00")
    plain = opensid.collect(make_ctx(host_site(httpserver), since))
    httpserver.clear()
    base = host_site(httpserver, prefix="index.php/")
    prefixed = opensid.collect(make_ctx(base, since))
    assert [p.external_id for p in prefixed.posts] == [p.external_id for p in plain.posts]
    assert [p.published_at for p in prefixed.posts] == [p.published_at for p in plain.posts]
    assert all("/index.php/artikel/" in p.url for p in prefixed.posts)


def test_feed_and_archive_agree_on_identity(httpserver):
    """Switching route (feed one day, archive the next) never duplicates a post."""
    since = local("2025-08-01T00:00")
    from_feed = opensid.collect(make_ctx(host_site(httpserver), since))
    httpserver.clear()
    from_archive = opensid.collect(make_ctx(host_site(httpserver, feed=None), since))
    assert from_feed.route == "feed"
    assert from_archive.route == "archive"
    assert {p.external_id for p in from_feed.posts} == {p.external_id for p in from_archive.posts}


def test_older_install_serves_the_archive_under_first(httpserver):
    base = host_site(httpserver, feed=None, archive="first/arsip")
    since = local("2025-08-20T00:00")
    state: dict = {}
    result = opensid.collect(make_ctx(base, since, state))
    assert result.route == "archive"
    assert [p.external_id for p in result.posts] == [article_id(a) for a in published_since(since)]
    assert state["opensid_archive_route"] == "first/arsip"
    assert requested(httpserver) == ["/feed.xml", "/arsip/1", "/first/arsip/1"]
    # The next run goes straight to the route that answered; the missing feed is asked again weekly.
    httpserver.clear_log()
    opensid.collect(make_ctx(base, since, state))
    assert requested(httpserver) == ["/first/arsip/1"]


def test_home_list_with_url_dates_when_feed_and_archive_are_missing(httpserver):
    base = host_site(httpserver, feed=None, archive=None)
    since = local("2025-08-01T00:00")
    result = opensid.collect(make_ctx(base, since))
    assert result.route == "index"
    expected = published_since(since)
    # The "Berita Utama" headline repeats an article on every page: counted once.
    assert [p.external_id for p in result.posts] == [article_id(a) for a in expected]
    assert all(p.date_only for p in result.posts)
    assert [p.published_at.astimezone(JAKARTA).date() for p in result.posts] == [uploaded(a).date() for a in expected]
    assert [p.views for p in result.posts] == [a["views"] for a in expected]
    assert requested(httpserver)[-1] == "/index/3"


def test_nothing_usable_is_a_parse_error(httpserver):
    httpserver.no_handler_status_code = 404
    httpserver.expect_request("/").respond_with_data("<html><body>Situs dalam perbaikan</body></html>",
                                                     content_type="text/html")
    with pytest.raises(ParseError, match="no usable route"):
        opensid.collect(make_ctx(httpserver.url_for("/"), local("2025-08-01T00:00")))


@pytest.mark.parametrize(("expected", "address"), [
    ("https://desa.id/", "https://desa.id"),
    ("https://desa.id/", "https://desa.id/"),
    ("https://desa.id/index.php/", "https://desa.id/index.php"),
    ("https://desa.id/index.php/", "https://desa.id/index.php/feed.xml"),
    ("https://desa.id/", "https://desa.id/first/arsip"),
])
def test_site_root(expected, address):
    assert opensid.site_root(address) == expected


def test_bare_address_of_a_site_without_url_rewriting(httpserver):
    """Only index.php/ routes answer: found by retrying under index.php/, then remembered."""
    base = host_site(httpserver, prefix="index.php/")
    root = base.removesuffix("index.php/")
    since = local("2025-08-20T00:00")
    state: dict = {}
    result = opensid.collect(make_ctx(root, since, state))
    assert result.route == "feed"
    assert [p.external_id for p in result.posts] == [article_id(a) for a in published_since(since)]
    assert state["opensid_site"] == base
    httpserver.clear_log()
    opensid.collect(make_ctx(root, since, state))
    assert requested(httpserver) == ["/index.php/feed.xml"]


def test_site_down_is_reported_as_down(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data("Service Unavailable", status=503)
    httpserver.no_handler_status_code = 503
    with pytest.raises(HttpStatusError) as info:
        opensid.collect(make_ctx(httpserver.url_for("/"), local("2025-08-20T00:00")))
    assert info.value.status == 503
    # index.php/feed is one of the feed's own routes; the site is not tried again under index.php/.
    assert not any(path.startswith("/index.php/") and path != "/index.php/feed" for path in requested(httpserver))


def test_archive_without_article_paths_is_not_zero_posts(httpserver):
    """An old archive linking first/artikel/{id} cannot give identities: the home list is used."""
    base = host_site(httpserver, feed=None, archive=None)
    old = re.sub(r'href="[^"]*/artikel/\d+/\d+/\d+/[^"]*"', 'href="' + base + 'first/artikel/123"',
                 (FIXTURES / "arsip_1.html").read_text())
    httpserver.expect_request("/arsip/1").respond_with_data(old, content_type="text/html")
    result = opensid.collect(make_ctx(base, local("2025-08-20T00:00")))
    assert result.route == "index"
    assert any("no readable article on " in note and "arsip/1" in note for note in result.notes)
    assert [p.external_id for p in result.posts] == [article_id(a) for a in published_since(local("2025-08-20T00:00"))]


def test_sidebar_table_is_not_the_archive():
    page = """<html><body><table class="table table-striped"><tr><th>Statistik</th><th>Jumlah</th></tr>
    <tr><td>Pengunjung hari ini</td><td>12</td></tr></table></body></html>"""
    with pytest.raises(ParseError, match="no archive table"):
        opensid_archive.parse_archive(page, "https://desa.id/arsip/1", None)


def test_switching_route_never_duplicates_in_the_store(httpserver, sqlite_store):
    since = local("2025-08-01T00:00")
    from_feed = opensid.collect(make_ctx(host_site(httpserver), since))
    seen, new = sqlite_store.upsert_posts("desa-sidomulyo", "website", from_feed.posts)
    assert seen == new == len(published_since(since))
    httpserver.clear()
    from_archive = opensid.collect(make_ctx(host_site(httpserver, feed="feed_old.xml"), since))
    assert from_archive.route == "archive"
    assert sqlite_store.upsert_posts("desa-sidomulyo", "website", from_archive.posts) == (seen, 0)


def test_truncated_feed_without_html_routes_is_reported_truncated(httpserver):
    base = host_site(httpserver, archive=None, index=False)
    since = local("2025-06-01T00:00")
    result = opensid.collect(make_ctx(base, since))
    assert result.route == "feed"
    assert len(result.posts) == 50
    assert result.truncated is True  # the runner records the coverage gap
    assert any("archive unusable" in note for note in result.notes)


# --- re-runs with nothing new: one request ---------------------------------------------------

NEWEST = uploaded(ARTICLES[0])
RERUN_SINCE = NEWEST - timedelta(days=3)  # the runner's since: newest stored minus the overlap
RUN_DAY = local("2025-09-10T06:00")


def feed_with(count: int) -> str:
    """feed.xml as a village with only its `count` newest articles serves it."""
    text = (FIXTURES / "feed.xml").read_text()
    items = re.findall(r"\s*<item>.*?</item>", text, flags=re.DOTALL)
    return text.replace("".join(items), "".join(items[:count]))


def empty_archive() -> str:
    text = (FIXTURES / "arsip_1.html").read_text()
    text = re.sub(r"<tbody>.*?</tbody>", "<tbody></tbody>", text, flags=re.DOTALL)
    return re.sub(r"Halaman 1 dari \d+", "Halaman 1 dari 1", text)


def serve(httpserver, path: str, body: str, content_type: str = "text/xml; charset=UTF-8") -> None:
    httpserver.expect_request(path).respond_with_data(body.replace(SITE, httpserver.url_for("/")),
                                                      content_type=content_type)


def test_rerun_of_a_new_feed_costs_one_request(httpserver):
    base = host_site(httpserver)
    state: dict = {}
    opensid.collect(make_ctx(base, local("2025-06-01T00:00"), state, now=RUN_DAY))
    httpserver.clear_log()
    result = opensid.collect(make_ctx(base, RERUN_SINCE, state, now=RUN_DAY))
    assert result.route == "feed"
    assert [p.external_id for p in result.posts] == [article_id(a) for a in published_since(RERUN_SINCE)]
    assert requested(httpserver) == ["/feed.xml"]
    assert state["opensid_feed"]["status"] == "ok"


def test_feed_shorter_than_its_limit_lists_every_article(httpserver):
    """A village with 3 articles, all within the overlap: the feed alone is the whole list."""
    host_site(httpserver, feed=None)
    serve(httpserver, "/feed.xml", feed_with(3))
    for since in (local("2025-01-01T00:00"), RERUN_SINCE):  # first collection, then the re-run
        httpserver.clear_log()
        result = opensid.collect(make_ctx(httpserver.url_for("/"), since))
        assert result.route == "feed"
        assert result.truncated is False
        assert [p.external_id for p in result.posts] == [article_id(a) for a in ARTICLES[:3]]
        assert requested(httpserver) == ["/feed.xml"]


def test_empty_feed_counts_once_the_archive_confirms_it(httpserver):
    host_site(httpserver, feed=None, archive=None, index=False)
    serve(httpserver, "/feed.xml", feed_with(0))
    serve(httpserver, "/arsip/1", empty_archive(), "text/html; charset=UTF-8")
    state: dict = {}
    first = opensid.collect(make_ctx(httpserver.url_for("/"), local("2025-01-01T00:00"), state))
    assert first.posts == []
    assert requested(httpserver) == ["/feed.xml", "/arsip/1"]
    assert state["opensid_feed"]["status"] == "empty"
    httpserver.clear_log()
    again = opensid.collect(make_ctx(httpserver.url_for("/"), local("2025-01-01T00:00"), state))
    assert (again.posts, again.route, again.truncated) == ([], "feed", False)
    assert requested(httpserver) == ["/feed.xml"]


def test_empty_feed_of_a_village_with_articles_is_not_trusted(httpserver):
    host_site(httpserver, feed=None)
    serve(httpserver, "/feed.xml", feed_with(0))
    state: dict = {}
    since = local("2025-08-20T00:00")
    result = opensid.collect(make_ctx(httpserver.url_for("/"), since, state, now=RUN_DAY))
    assert result.route == "archive"
    assert [p.external_id for p in result.posts] == [article_id(a) for a in published_since(since)]
    assert state["opensid_feed"]["status"] == "broken"


def test_old_broken_feed_is_remembered_and_rechecked_weekly(httpserver):
    base = host_site(httpserver, feed="feed_old.xml")
    state: dict = {}
    opensid.collect(make_ctx(base, local("2025-07-20T00:00"), state, now=RUN_DAY))
    assert requested(httpserver) == ["/feed.xml", "/arsip/1", "/arsip/2"]
    assert state["opensid_feed"]["status"] == "broken"

    httpserver.clear_log()
    rerun = opensid.collect(make_ctx(base, RERUN_SINCE, state, now=RUN_DAY + timedelta(hours=6)))
    assert rerun.route == "archive"
    assert [p.external_id for p in rerun.posts] == [article_id(a) for a in published_since(RERUN_SINCE)]
    assert requested(httpserver) == ["/arsip/1"]

    httpserver.clear_log()  # a week on, the feed is tried again (the site may have been upgraded)
    opensid.collect(make_ctx(base, RERUN_SINCE, state, now=RUN_DAY + timedelta(days=7)))
    assert requested(httpserver) == ["/feed.xml", "/arsip/1"]
    assert state["opensid_feed"]["checked"] == (RUN_DAY + timedelta(days=7)).isoformat()


def test_upgraded_site_leaves_the_broken_feed_behind(httpserver):
    base = host_site(httpserver)
    checked = (RUN_DAY - timedelta(days=8)).isoformat()
    state = {"opensid_feed": {"site": base, "status": "broken", "checked": checked}}
    result = opensid.collect(make_ctx(base, RERUN_SINCE, state, now=RUN_DAY))
    assert result.route == "feed"
    assert requested(httpserver) == ["/feed.xml"]
    assert state["opensid_feed"]["status"] == "ok"
