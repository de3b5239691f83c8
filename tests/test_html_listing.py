"""Generic HTML listings with CSS selectors, served by a real local HTTP server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from collectors import html_listing
from collectors.base import CollectContext
from collectors.errors import HttpStatusError, NotCollectable, ParseError
from collectors.http import HttpClient, HttpPolicy
from pantau.models import Source
from tests.fixture_server import LOOPBACK

FIXTURES = Path(__file__).parent / "fixtures" / "html_listing"
JAKARTA = ZoneInfo("Asia/Jakarta")
JOOMLA_SITE = "https://cepu.blorakab.go.id"
JOOMLA = json.loads((FIXTURES / "joomla_articles.json").read_text())
JOOMLA_OPTIONS = {"item": "div.blog div[itemprop=blogPost]", "title": "h2[itemprop=name] a",
                  "link": "h2[itemprop=name] a", "date": "dd.published time", "next": "li.pagination-next a"}
CUSTOM_OPTIONS = {"item": "article.post-card", "title": ".post-title", "link": "a.post-link",
                  "date": ".post-date", "next": "ul.pagination a[rel=next]"}
# Friday 12 September 2025, 17:00 WIB.
NOW = datetime(2025, 9, 12, 10, 0, tzinfo=UTC)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JAKARTA)


def published(article: dict) -> datetime:
    return datetime.fromisoformat(article["published"])


def make_ctx(address: str, options: dict, since: datetime, now: datetime | None = None) -> CollectContext:
    client = HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0, respect_robots=False))
    source = Source("kec-cepu-web", "kec-cepu", "website", "html_listing", address, options=options)
    return CollectContext(source=source, since=since, http=client.for_source(source.source_id), zone=JAKARTA, now=now)


def host_joomla(httpserver) -> str:
    httpserver.no_handler_status_code = 404
    base = httpserver.url_for("").rstrip("/")
    for start in (0, 10, 20):
        body = (FIXTURES / f"joomla_start_{start}.html").read_text().replace(JOOMLA_SITE, base)
        httpserver.expect_request("/index.php/berita", query_string=f"start={start}" if start else "").respond_with_data(
            body, content_type="text/html; charset=utf-8")
    return base + "/index.php/berita"


def paths(httpserver) -> list[str]:
    return [request.full_path.rstrip("?") for request, _ in httpserver.log]


def test_joomla_first_collection_follows_next_links(httpserver):
    address = host_joomla(httpserver)
    base = address.removesuffix("/index.php/berita")
    since = local("2025-07-01T00:00")
    result = html_listing.collect(make_ctx(address, {**JOOMLA_OPTIONS, "date_attr": "datetime"}, since))
    expected = [a for a in JOOMLA if published(a) >= since]
    assert len(expected) == 25
    assert [p.url for p in result.posts] == [base + a["path"] for a in expected]
    assert [p.external_id for p in result.posts] == [a["path"] for a in expected]  # the URL within the site
    assert [p.published_at for p in result.posts] == [published(a) for a in expected]
    assert all(p.published_at.tzinfo == UTC and not p.date_only for p in result.posts)
    assert [p.title for p in result.posts] == [a["title"] for a in expected]
    assert result.item_errors == [] and result.truncated is False and result.route == "html"
    assert paths(httpserver) == ["/index.php/berita", "/index.php/berita?start=10", "/index.php/berita?start=20"]


def test_joomla_incremental_stops_at_since(httpserver):
    address = host_joomla(httpserver)
    since = local("2025-08-20T00:00")
    result = html_listing.collect(make_ctx(address, {**JOOMLA_OPTIONS, "date_attr": "datetime"}, since))
    expected = [a for a in JOOMLA if published(a) >= since]
    assert 10 < len(expected) < 25
    assert [p.published_at for p in result.posts] == [published(a) for a in expected]
    # Page 2 reaches an article older than since: page 3 is never asked for.
    assert paths(httpserver) == ["/index.php/berita", "/index.php/berita?start=10"]


def test_joomla_text_dates_are_local_days(httpserver):
    """Without date_attr the visible "Diterbitkan: Kamis, 11 September 2025" gives date-only items."""
    address = host_joomla(httpserver)
    since = local("2025-08-01T00:00")
    result = html_listing.collect(make_ctx(address, JOOMLA_OPTIONS, since))
    expected = [a for a in JOOMLA if published(a).date() >= since.date()]
    assert [p.published_at for p in result.posts] == [
        published(a).replace(hour=0, minute=0).astimezone(UTC) for a in expected]
    assert all(p.date_only for p in result.posts)
    late = JOOMLA[3]
    assert published(late).hour == 23
    assert result.posts[3].published_at.astimezone(JAKARTA).date() == published(late).date()


def test_page_cap_marks_truncated(httpserver):
    address = host_joomla(httpserver)
    options = {**JOOMLA_OPTIONS, "date_attr": "datetime", "max_pages": 2}
    result = html_listing.collect(make_ctx(address, options, local("2025-01-01T00:00")))
    assert len(result.posts) == 20
    assert result.truncated is True
    assert any("2 pages" in note for note in result.notes)


def serve_custom(httpserver, content_type: str = "text/html; charset=ISO-8859-1") -> str:
    httpserver.no_handler_status_code = 404
    # Labelled ISO-8859-1 though the bytes are UTF-8 with typographic quotes ("Jum’at"):
    # the wrong-charset pitfall of many government servers.
    httpserver.expect_request("/berita", query_string="").respond_with_data(
        (FIXTURES / "custom_cms_relative.html").read_bytes(), content_type=content_type)
    return httpserver.url_for("/berita")


def test_relative_and_day_first_dates_with_wrong_charset(httpserver):
    address = serve_custom(httpserver)
    result = html_listing.collect(make_ctx(address, CUSTOM_OPTIONS, local("2025-09-01T00:00"), now=NOW))
    site = httpserver.url_for("").rstrip("/")
    got = [(p.title, p.published_at.astimezone(JAKARTA).isoformat(), p.date_only) for p in result.posts]
    assert got == [
        ("Peresmian \u201cPojok Baca\u201d Desa Ngloram", "2025-09-12T15:00:00+07:00", False),
        ("Jum\u2019at Bersih Lingkungan RT 03", "2025-09-12T00:00:00+07:00", True),
        ("Rapat Persiapan Sedekah Bumi", "2025-09-11T00:00:00+07:00", True),
        ("Posyandu Remaja Perdana", "2025-09-09T00:00:00+07:00", True),
        ("Penyerahan Sertifikat PTSL", "2025-09-10T08:15:00+07:00", False),
        ("Musdes Penyusunan RKPDes 2026", "2025-09-05T00:00:00+07:00", True),
    ]
    # External id = the link's URL within the site, without its fragment; a link to another site
    # keeps its absolute URL.
    assert result.posts[2].external_id == "/berita/rapat-persiapan-sedekah-bumi"
    assert result.posts[2].url == site + "/berita/rapat-persiapan-sedekah-bumi"
    assert result.posts[4].external_id == "https://ngloram.desa.id/berita/penyerahan-sertifikat-ptsl"
    # The undated item is reported, never dated today.
    assert len(result.item_errors) == 1 and "pengumuman-seleksi-perangkat" in result.item_errors[0]
    # "17 Agt 2025" is older than since: the next page is not fetched.
    assert paths(httpserver) == ["/berita"]


def test_wrong_charset_label_would_garble_the_text(httpserver):
    """The pitfall is real: decoding by the label mangles the page; the one charset policy does not."""
    address = serve_custom(httpserver)
    response = make_ctx(address, CUSTOM_OPTIONS, NOW).http.get(address)
    assert "charset=ISO-8859-1" in response.headers["Content-Type"]
    assert "Jum\u2019at" not in response.content.decode("iso-8859-1")
    assert "Jum\u2019at Bersih" in response.text


def test_relative_dates_without_now_use_the_clock(httpserver):
    address = serve_custom(httpserver)
    result = html_listing.collect(make_ctx(address, CUSTOM_OPTIONS, local("2025-09-01T00:00")))
    newest = result.posts[0]
    assert newest.title.startswith("Peresmian")
    assert abs((datetime.now(UTC) - newest.published_at).total_seconds() - 7200) < 300


def test_later_page_failure_keeps_earlier_posts(httpserver):
    address = serve_custom(httpserver)
    httpserver.expect_request("/berita", query_string="page=2").respond_with_data("boom", status=500)
    result = html_listing.collect(make_ctx(address, CUSTOM_OPTIONS, local("2025-01-01T00:00"), now=NOW))
    assert len(result.posts) == 7
    assert result.truncated is True
    assert any("page 2 failed" in note for note in result.notes)


def test_windows_1252_page_with_meta_charset(httpserver):
    httpserver.expect_request("/news").respond_with_data((FIXTURES / "windows1252.html").read_bytes(),
                                                         content_type="text/html")
    options = {"item": "ul.news li", "link": "a", "date": "em"}
    result = html_listing.collect(make_ctx(httpserver.url_for("/news"), options, local("2025-09-01T00:00")))
    assert [p.title for p in result.posts] == ["Kunjungan Kerja Bupati ke Kecamatan Todanan",
                                               "Peluncuran \u201cBlora Smart City\u201d"]
    assert [p.published_at for p in result.posts] == [local("2025-09-12T00:00"), local("2025-09-11T00:00")]


def test_all_dates_unreadable_is_a_parse_error(httpserver):
    address = serve_custom(httpserver)
    options = {**CUSTOM_OPTIONS, "date": ".post-title"}  # wrong selector: titles are not dates
    with pytest.raises(ParseError, match="none of the 8 items"):
        html_listing.collect(make_ctx(address, options, local("2025-09-01T00:00"), now=NOW))


def test_no_item_matches_is_a_parse_error(httpserver):
    address = serve_custom(httpserver)
    with pytest.raises(ParseError, match="item selector"):
        html_listing.collect(make_ctx(address, {**CUSTOM_OPTIONS, "item": "div.news-item"}, local("2025-09-01T00:00")))


def test_missing_selectors_are_not_collectable(httpserver):
    # Without "date" the listing is dated from its article pages; without "item" it cannot be read.
    with pytest.raises(NotCollectable, match="item"):
        html_listing.collect(make_ctx(httpserver.url_for("/berita"), {"link": "a"}, local("2025-09-01T00:00")))
    with pytest.raises(NotCollectable, match="preset"):
        html_listing.collect(make_ctx(httpserver.url_for("/berita"), {"preset": "nope"}, local("2025-09-01T00:00")))


def test_first_page_failure_raises(httpserver):
    httpserver.no_handler_status_code = 404
    with pytest.raises(HttpStatusError):
        html_listing.collect(make_ctx(httpserver.url_for("/berita"), CUSTOM_OPTIONS, local("2025-09-01T00:00")))


def test_next_link_back_to_the_same_page_stops(httpserver):
    body = ('<html><body><div class="i"><a href="/a">A</a><span>10 September 2025</span></div>'
            '<a class="next" href="/list">Berikutnya</a></body></html>')
    httpserver.expect_request("/list").respond_with_data(body, content_type="text/html; charset=utf-8")
    options = {"item": "div.i", "link": "a", "date": "span", "next": "a.next"}
    result = html_listing.collect(make_ctx(httpserver.url_for("/list"), options, local("2025-01-01T00:00")))
    assert len(result.posts) == 1
    assert len(httpserver.log) == 1
