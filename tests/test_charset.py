"""collectors/charset.py: the one charset policy every collector's text goes through."""

from __future__ import annotations

import pytest

from collectors.charset import decode, detect_encoding

TEXT = "Jum\u2019at Bersih \u2013 Desa Cep\u00f9"
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
