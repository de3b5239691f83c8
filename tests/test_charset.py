"""collectors/charset.py: the one charset policy every collector's text goes through."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from collectors import feed
from collectors.base import CollectContext
from collectors.charset import decode, detect_encoding, utf8_xml
from collectors.http import HttpClient, HttpPolicy
from pantau.models import Source
from tests.fixture_server import LOOPBACK

TEXT = "Jum\u2019at Bersih \u2013 Desa Cep\u00f9"
RUSSIAN = "\u041f\u0440\u0438\u0432\u0435\u0442"  # any non-Latin text in a charset only the header names
META_1252 = f'<html><head><meta charset="windows-1252"></head><body>{TEXT}</body></html>'


@pytest.mark.parametrize(("expected", "body", "content_type"), [
    # BOM first, whatever the label says
    ("utf-8-sig", b"\xef\xbb\xbf" + TEXT.encode(), "text/html; charset=iso-8859-1"),
    # valid UTF-8 is UTF-8 even when labelled ISO-8859-1 (the common Indonesian server default)
    ("utf-8", TEXT.encode(), "text/html; charset=ISO-8859-1"),
    ("utf-8", TEXT.encode(), "text/html"),
    ("utf-8", b"plain ascii", "text/html; charset=no-such-codec"),
    # not UTF-8: the document's declaration before the server's label
    ("cp1252", META_1252.encode("cp1252"), "text/html; charset=koi8-r"),
    ("cp1252", f'<?xml version="1.0" encoding="ISO-8859-1"?><rss>{TEXT}</rss>'.encode("cp1252"), "text/xml"),
    # no declaration: the header
    ("koi8-r", "\u041f\u0440\u0438\u0432\u0435\u0442".encode("koi8-r"), "text/plain; charset=koi8-r"),
    # a UTF-8 label on bytes that are not UTF-8 is wrong: windows-1252
    ("cp1252", TEXT.encode("cp1252"), "text/html; charset=utf-8"),
    ("cp1252", TEXT.encode("cp1252"), ""),
])
def test_one_policy(expected, body, content_type):
    assert detect_encoding(body, content_type) == expected


def test_decoding_never_raises():
    assert decode(b"\xff\xfe\x00broken", "text/html; charset=utf-8")
    assert "\ufffd" not in decode(TEXT.encode("cp1252"), "")
    assert decode(TEXT.encode("cp1252"), "") == TEXT


# Feeds: feedparser is handed bytes the policy already decoded; on its own it never sees the
# Content-Type header, so a feed whose only declaration is the header came out garbled.

def rss(title: str, declaration: str) -> str:
    return (f"<?xml version=\"1.0\"{declaration}?><rss version=\"2.0\"><channel><title>Desa</title>"
            f"<link>https://desa.example/</link><description>d</description><item><title>{title}</title>"
            "<link>https://desa.example/?p=7</link><guid>https://desa.example/?p=7</guid>"
            "<pubDate>Wed, 10 Sep 2025 07:00:00 +0700</pubDate></item></channel></rss>")


@pytest.mark.parametrize(("title", "body", "content_type"), [
    # UTF-8 bytes declared ISO-8859-1 (a template copied from an old site)
    (TEXT, rss(TEXT, ' encoding="ISO-8859-1"').encode(), "application/rss+xml"),
    # windows-1252 bytes, no declaration, no charset
    (TEXT, rss(TEXT, "").encode("cp1252"), "text/xml"),
    # windows-1252 bytes labelled UTF-8 by the server
    (TEXT, rss(TEXT, "").encode("cp1252"), "application/rss+xml; charset=UTF-8"),
    # declared correctly
    (TEXT, rss(TEXT, ' encoding="windows-1252"').encode("cp1252"), "application/rss+xml"),
    (TEXT, rss(TEXT, ' encoding="UTF-8"').encode(), "application/rss+xml; charset=UTF-8"),
    # the header alone names the charset (feedparser by itself read this as windows-1252)
    (RUSSIAN, rss(RUSSIAN, "").encode("koi8-r"), "application/rss+xml; charset=koi8-r"),
])
def test_feed_titles_are_decoded_by_the_policy(httpserver, title, body, content_type):
    httpserver.expect_request("/feed/").respond_with_data(body, content_type=content_type)
    client = HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0, respect_robots=False))
    source = Source("src-1", "unit-1", "website", "feed", httpserver.url_for("/feed/"))
    ctx = CollectContext(source=source, since=datetime(2025, 9, 1, tzinfo=UTC), http=client.for_source("src-1"),
                         zone=ZoneInfo("Asia/Jakarta"))
    assert [p.title for p in feed.collect(ctx).posts] == [title]


def test_valid_utf8_feeds_reach_feedparser_untouched():
    body = rss(TEXT, ' encoding="UTF-8"').encode()
    assert utf8_xml(body, "text/xml") is body
    assert utf8_xml(rss(TEXT, ' encoding="ISO-8859-1"').encode()).startswith(b'<?xml version="1.0" encoding="utf-8"?>')
