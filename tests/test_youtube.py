"""YouTube public feed collector against a local server standing in for www.youtube.com (web_base)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from collectors import youtube
from collectors.base import CollectContext
from collectors.errors import HttpStatusError, NotCollectable, ParseError, SourceNotFound
from collectors.http import HttpClient, HttpPolicy
from pantau.models import Source
from tests.fixture_server import LOOPBACK

FIXTURES = Path(__file__).parent / "fixtures" / "youtube"
JAKARTA = ZoneInfo("Asia/Jakarta")
CHANNEL = "UCxr4vJ2Xl3oqDAbW2qTBcuQ"
FEATURED = "UCiQ3aTfLi4DdX6Fm0zrF1Qw"  # another channel, listed on the page before its own id
FEED_15 = (FIXTURES / "feed_15.xml").read_bytes()
PUBLISHED = [datetime.fromisoformat(p) for p in re.findall(r"<entry>.*?<published>([^<]+)", FEED_15.decode(), re.S)]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JAKARTA)


def make_ctx(httpserver, address: str, since: datetime, state: dict | None = None) -> CollectContext:
    client = HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0, respect_robots=False))
    source = Source("pemkab-yt", "pimpinan-bupati", "youtube", "youtube", address,
                    options={"web_base": httpserver.url_for("/").rstrip("/")})
    return CollectContext(source=source, since=since, http=client.for_source(source.source_id), zone=JAKARTA,
                          state=state if state is not None else {})


def serve_feed(httpserver, body: bytes = FEED_15, channel: str = CHANNEL, status: int = 200,
               content_type: str = "text/xml; charset=UTF-8") -> None:
    httpserver.no_handler_status_code = 404
    httpserver.expect_request("/feeds/videos.xml", query_string={"channel_id": channel}).respond_with_data(
        body, status=status, content_type=content_type)


def serve_page(httpserver, path: str, name: str = "channel_page.html") -> None:
    httpserver.expect_request(path).respond_with_data((FIXTURES / name).read_bytes(),
                                                      content_type="text/html; charset=utf-8")


def paths(httpserver) -> list[str]:
    return [request.path for request, _ in httpserver.log]


def test_first_collection_from_a_feed_url(httpserver):
    serve_feed(httpserver)
    ctx = make_ctx(httpserver, f"https://www.youtube.com/feeds/videos.xml?channel_id={CHANNEL}", local("2025-01-01T00:00"))
    result = youtube.collect(ctx)
    assert len(PUBLISHED) == 15
    assert len(result.posts) == 15
    assert [p.published_at for p in result.posts] == PUBLISHED
    newest = result.posts[0]
    assert re.fullmatch(r"[\w-]{11}", newest.external_id)
    assert newest.url == f"https://www.youtube.com/watch?v={newest.external_id}"
    assert newest.title == "Bupati Blora Buka Festival Barongan 2025"
    assert newest.published_at == datetime(2025, 9, 10, 16, 30, 11, tzinfo=UTC)
    assert newest.published_at.astimezone(JAKARTA).date() == date(2025, 9, 10)  # 23:30 WIB
    assert newest.views == 1000 and newest.likes == 40
    assert result.posts[14].views == 1000 + 14 * 137
    assert any("/shorts/" in p.url for p in result.posts)
    assert newest.excerpt.startswith("Bupati Blora Buka Festival Barongan 2025. Saksikan")
    # 15 entries, the oldest still after since: the feed cannot reach further back.
    assert result.truncated is True
    assert result.route == "feed"


def test_incremental_collection(httpserver):
    serve_feed(httpserver)
    since = local("2025-08-25T00:00")
    result = youtube.collect(make_ctx(httpserver, f"https://www.youtube.com/channel/{CHANNEL}", since))
    assert [p.published_at for p in result.posts] == [p for p in PUBLISHED if p >= since]
    assert 0 < len(result.posts) < 15
    assert result.truncated is False


def test_small_channel_is_not_truncated(httpserver):
    serve_feed(httpserver, (FIXTURES / "feed_4.xml").read_bytes())
    result = youtube.collect(make_ctx(httpserver, CHANNEL, local("2025-01-01T00:00")))
    assert len(result.posts) == 4
    assert result.truncated is False  # four videos is all the channel has


@pytest.mark.parametrize(("address", "page"), [
    ("@pemkabblora", "/@pemkabblora"),
    ("https://www.youtube.com/@pemkabblora", "/@pemkabblora"),
    ("https://www.youtube.com/@pemkabblora/videos", "/@pemkabblora"),
    ("https://www.youtube.com/c/PemkabBlora", "/c/PemkabBlora"),
    ("youtube.com/user/humasblora", "/user/humasblora"),
])
def test_handle_resolves_to_the_pages_own_channel_and_is_cached(httpserver, address, page):
    serve_feed(httpserver)
    serve_page(httpserver, page)
    state: dict = {}
    result = youtube.collect(make_ctx(httpserver, address, local("2025-08-25T00:00"), state))
    assert result.posts
    assert state[youtube.STATE_KEY] == {"address": address, "channel_id": CHANNEL}
    assert paths(httpserver) == [page, "/feeds/videos.xml"]
    httpserver.clear_log()
    youtube.collect(make_ctx(httpserver, address, local("2025-08-25T00:00"), state))
    assert paths(httpserver) == ["/feeds/videos.xml"]


def test_first_uc_string_on_the_page_is_not_taken():
    text = (FIXTURES / "channel_page.html").read_text()
    assert re.search(r"UC[\w-]{22}", text).group() == FEATURED
    assert youtube.channel_id_from_page(text) == CHANNEL


def test_page_with_only_initial_data_uses_external_id(httpserver):
    text = (FIXTURES / "channel_page_initial_data_only.html").read_text()
    assert "og:url" not in text and 'rel="canonical"' not in text
    assert youtube.channel_id_from_page(text) == CHANNEL
    serve_feed(httpserver)
    serve_page(httpserver, "/@pemkabblora", "channel_page_initial_data_only.html")
    assert youtube.collect(make_ctx(httpserver, "@pemkabblora", local("2025-08-25T00:00"))).posts


def test_itemprop_channel_id():
    page = f'<html><head><meta itemprop="channelId" content="{CHANNEL}"></head><body>"browseId":"{FEATURED}"</body></html>'
    assert youtube.channel_id_from_page(page) == CHANNEL


def test_page_without_channel_markers_is_a_parse_error(httpserver):
    httpserver.expect_request("/@pemkabblora").respond_with_data(
        f'<html><body><a href="/channel/{FEATURED}">Humas Jateng</a></body></html>', content_type="text/html")
    with pytest.raises(ParseError, match="no channel id"):
        youtube.collect(make_ctx(httpserver, "@pemkabblora", local("2025-08-25T00:00")))


def test_unknown_handle_is_source_not_found(httpserver):
    httpserver.no_handler_status_code = 404
    with pytest.raises(SourceNotFound):
        youtube.collect(make_ctx(httpserver, "@tidakada", local("2025-08-25T00:00")))


@pytest.mark.parametrize("status", [404, 500])
def test_feed_error_page_is_a_failed_attempt_not_zero_videos(httpserver, status):
    serve_feed(httpserver, (FIXTURES / "error_404.html").read_bytes(), status=status, content_type="text/html; charset=UTF-8")
    with pytest.raises(HttpStatusError) as info:
        youtube.collect(make_ctx(httpserver, CHANNEL, local("2025-08-25T00:00")))
    assert info.value.status == status


def test_error_page_with_status_200_is_a_parse_error(httpserver):
    serve_feed(httpserver, (FIXTURES / "error_404.html").read_bytes(), content_type="text/html; charset=UTF-8")
    with pytest.raises(ParseError):
        youtube.collect(make_ctx(httpserver, CHANNEL, local("2025-08-25T00:00")))


@pytest.mark.parametrize("address", ["https://www.youtube.com/watch?v=abcdefghijk", "Pemkab Blora"])
def test_unusable_address(httpserver, address):
    with pytest.raises(NotCollectable):
        youtube.collect(make_ctx(httpserver, address, local("2025-08-25T00:00")))


def test_uploads_playlist_feed_url(httpserver):
    playlist = "UULF" + CHANNEL[2:]
    httpserver.expect_request("/feeds/videos.xml", query_string={"playlist_id": playlist}).respond_with_data(
        FEED_15, content_type="text/xml; charset=UTF-8")
    address = f"https://www.youtube.com/feeds/videos.xml?playlist_id={playlist}"
    result = youtube.collect(make_ctx(httpserver, address, local("2025-08-25T00:00")))
    assert [p.published_at for p in result.posts] == [p for p in PUBLISHED if p >= local("2025-08-25T00:00")]
