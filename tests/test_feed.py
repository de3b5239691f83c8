"""RSS/Atom feeds served by a real local HTTP server: WordPress /feed/, Blogger Atom, OpenSID feed.xml."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from collectors import feed
from collectors.base import CollectContext
from collectors.errors import HttpStatusError, ParseError
from collectors.http import HttpClient, HttpPolicy
from pantau.models import Source
from tests.fixture_server import LOOPBACK

FIXTURES = Path(__file__).parent / "fixtures"
JAKARTA = ZoneInfo("Asia/Jakarta")
OPENSID_SITE = "https://sidomulyo.desa.id/"


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JAKARTA)


def make_ctx(address: str, since: datetime, collector: str = "feed") -> CollectContext:
    client = HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0, respect_robots=False))
    source = Source("src-1", "unit-1", "website", collector, address)
    return CollectContext(source=source, since=since, http=client.for_source("src-1"), zone=JAKARTA)


def serve(httpserver, path: str, body: bytes, content_type: str = "application/rss+xml; charset=UTF-8", status=200):
    httpserver.expect_request(path).respond_with_data(body, status=status, content_type=content_type)
    return httpserver.url_for(path)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_wordpress_feed_first_collection(httpserver):
    url = serve(httpserver, "/feed/", fixture("feed/wordpress_feed.xml"))
    result = feed.collect(make_ctx(url, local("2025-08-01T00:00")))
    assert len(result.posts) == 10
    newest = result.posts[0]
    # guid ?p=4521 is the WordPress post id, the same id the REST route gives.
    assert newest.external_id == "4521"
    assert newest.url == "https://dinkominfo.blorakab.go.id/2025/09/10/bupati-blora-resmikan-gedung-layanan-terpadu/"
    assert newest.published_at == datetime(2025, 9, 10, 16, 30, tzinfo=UTC)
    # 16:30 UTC is 23:30 WIB: still the 10th locally.
    assert newest.published_at.astimezone(JAKARTA).date() == date(2025, 9, 10)
    assert newest.date_only is False
    assert newest.comments == 0 and result.posts[1].comments == 1
    assert newest.excerpt.startswith("BLORA \u2013 Bupati Blora Resmikan")
    assert "<" not in newest.excerpt and "&#" not in newest.excerpt
    assert [p.external_id for p in result.posts] == [str(4521 - 7 * i) for i in range(10)]
    assert result.route == "rss"
    # Ten entries, the oldest on 22 Aug, well after `since`: older posts may lie beyond the feed.
    assert result.truncated is True


def test_wordpress_feed_incremental(httpserver):
    url = serve(httpserver, "/feed/", fixture("feed/wordpress_feed.xml"))
    result = feed.collect(make_ctx(url, local("2025-09-04T00:00")))
    assert [p.published_at.astimezone(JAKARTA).date().day for p in result.posts] == [10, 8, 6, 4]
    assert result.truncated is False


def test_blogger_atom(httpserver):
    url = serve(httpserver, "/feeds/posts/default", fixture("feed/blogger_atom.xml"), "application/atom+xml")
    result = feed.collect(make_ctx(url, local("2025-08-01T00:00")))
    assert result.route == "atom"
    assert len(result.posts) == 5
    first = result.posts[0]
    assert first.external_id == "7123456789012345670"
    assert first.url == "https://desa-ngawenblora.blogspot.com/2025/09/musyawarah-dusun-perencanaan-pembangunan.html"
    # -07:00 is Blogger's default zone; 09:30 there is 23:30 WIB on the 10th.
    assert first.published_at == datetime(2025, 9, 10, 16, 30, 0, 2000, tzinfo=UTC)
    assert first.published_at.astimezone(JAKARTA).date() == date(2025, 9, 10)
    assert [p.comments for p in result.posts] == [0, 1, 2, 3, 4]
    assert first.excerpt == "Musyawarah Dusun Perencanaan Pembangunan di Desa Ngawen."


def test_opensid_feed_ids_and_offsets(httpserver):
    url = serve(httpserver, "/feed.xml", fixture("opensid/feed.xml"))
    result = feed.read_feed(make_ctx(url, local("2025-09-01T00:00")), url, route="feed", require_entries=True)
    assert result.route == "feed"
    newest = result.posts[0]
    assert newest.external_id == "/artikel/2025/9/9/lomba-agustusan-tingkat-desa-70"
    assert newest.published_at == local("2025-09-09T23:00")
    assert newest.title == "Lomba Agustusan Tingkat Desa (70)"
    assert newest.excerpt.startswith("Sidomulyo \u2013 Lomba Agustusan")
    assert all(p.published_at >= local("2025-09-01T00:00") for p in result.posts)
    assert result.truncated is False  # the feed's 50 items reach back to July


def test_opensid_feed_behind_index_php_gives_same_ids(httpserver):
    plain = fixture("opensid/feed.xml")
    prefixed = plain.replace(OPENSID_SITE.encode(), httpserver.url_for("/index.php/").encode())
    url_a = serve(httpserver, "/feed.xml", plain)
    url_b = serve(httpserver, "/index.php/feed.xml", prefixed)
    since = local("2025-06-01T00:00")
    a = feed.read_feed(make_ctx(url_a, since), url_a)
    b = feed.read_feed(make_ctx(url_b, since), url_b)
    assert len(a.posts) == 50
    assert [p.external_id for p in a.posts] == [p.external_id for p in b.posts]
    assert "/index.php/artikel/" in b.posts[0].url
    assert a.truncated is True  # 50 newest only, oldest 16 July > 1 June


def test_old_broken_opensid_feed_is_a_parse_error(httpserver):
    url = serve(httpserver, "/feed.xml", fixture("opensid/feed_old.xml"))
    with pytest.raises(ParseError, match="after </channel>"):
        feed.read_feed(make_ctx(url, local("2025-06-01T00:00")), url, require_entries=True)


def test_feed_cut_short_is_a_parse_error_not_a_short_feed(httpserver):
    whole = fixture("opensid/feed_old.xml")
    url = serve(httpserver, "/feed.xml", fixture("feed/wordpress_feed.xml")[:-400])
    with pytest.raises(ParseError, match="cut short"):
        feed.read_feed(make_ctx(url, local("2025-06-01T00:00")), url)
    assert whole  # the fixture itself is whole: only the cut copy fails


def test_undated_entries_are_a_parse_error(httpserver):
    body = fixture("opensid/feed_old.xml").replace(b"</channel>\n", b"").replace(b"</rss>", b"</channel></rss>")
    url = serve(httpserver, "/feed.xml", body)
    with pytest.raises(ParseError, match="no dated entry"):
        feed.read_feed(make_ctx(url, local("2025-06-01T00:00")), url)


def test_empty_feed(httpserver):
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Desa</title>'
            b"<link>https://x/</link><description>d</description></channel></rss>")
    url = serve(httpserver, "/feed.xml", body)
    ctx = make_ctx(url, local("2025-06-01T00:00"))
    assert feed.read_feed(ctx, url).posts == []
    with pytest.raises(ParseError, match="no entries"):
        feed.read_feed(ctx, url, require_entries=True)


def test_html_page_instead_of_feed_is_a_parse_error(httpserver):
    body = b"<!DOCTYPE html><html><head><title>Beranda</title></head><body><h1>Selamat datang</h1></body></html>"
    url = serve(httpserver, "/feed/", body, "text/html; charset=UTF-8")
    with pytest.raises(ParseError):
        feed.collect(make_ctx(url, local("2025-06-01T00:00")))


def test_missing_feed_is_a_fetch_error(httpserver):
    url = serve(httpserver, "/feed/", b"<html><body>404 Not Found</body></html>", "text/html", status=404)
    with pytest.raises(HttpStatusError) as info:
        feed.collect(make_ctx(url, local("2025-06-01T00:00")))
    assert info.value.status == 404


def test_rss10_dc_date_is_the_publication_date(httpserver):
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
 <channel rdf:about="https://dinkes.blorakab.go.id/rss.xml"><title>Dinas Kesehatan</title>
  <link>https://dinkes.blorakab.go.id/</link><description>Berita</description></channel>
 <item rdf:about="https://dinkes.blorakab.go.id/berita/imunisasi-campak">
  <title>Imunisasi Campak Serentak</title><link>https://dinkes.blorakab.go.id/berita/imunisasi-campak</link>
  <dc:date>2025-09-10T23:30:00+07:00</dc:date></item>
</rdf:RDF>"""
    url = serve(httpserver, "/rss.xml", body)
    result = feed.collect(make_ctx(url, local("2025-09-01T00:00")))
    assert [(p.external_id, p.published_at) for p in result.posts] == [
        ("https://dinkes.blorakab.go.id/berita/imunisasi-campak", datetime(2025, 9, 10, 16, 30, tzinfo=UTC))]


def test_atom_updated_is_never_a_publication_date(httpserver):
    body = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
 <title>x</title><id>urn:x</id><updated>2025-09-11T00:00:00Z</updated>
 <entry><id>urn:x:1</id><title>Edited</title><link rel="alternate" href="https://x/1"/>
  <updated>2025-09-11T00:00:00Z</updated></entry></feed>"""
    url = serve(httpserver, "/atom.xml", body, "application/atom+xml")
    with pytest.raises(ParseError, match="no dated entry"):
        feed.collect(make_ctx(url, local("2025-09-01T00:00")))
