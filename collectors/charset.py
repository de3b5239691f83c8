"""The one charset policy: how the bytes of any answer become text, for every collector.

In order:

1. a byte-order mark (a PHP file saved "UTF-8 with BOM" is a classic WordPress pitfall);
2. UTF-8, when the bytes decode as strict UTF-8. Non-ASCII text in another charset almost never
   forms valid UTF-8 by accident, while many Indonesian government servers send UTF-8 pages
   labelled ISO-8859-1 (Apache's `AddDefaultCharset`, or no label at all, which requests reads
   as ISO-8859-1): trusting the label first garbles exactly those pages;
3. the document's own declaration (XML prolog, HTML `<meta charset>`), written by the CMS that
   produced the bytes, before
4. the Content-Type header, written by a server configuration that may know nothing of the page;
5. windows-1252, which browsers use for "latin-1" and for undeclared legacy pages.

Feeds go through the same policy: `utf8_xml` hands feedparser UTF-8 bytes whose XML declaration
says so, because feedparser alone would trust the declaration (a UTF-8 feed declared ISO-8859-1
comes out garbled).

A declared "latin-1", "iso-8859-1" or "ascii" is read as windows-1252, as browsers do (the bytes
0x80-0x9F are curly quotes and dashes there, never control characters). requests' own guess is
never used.
"""

from __future__ import annotations

import codecs
import re

XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
XML_DECLARATION_TEXT = re.compile(r"""^(\s*<\?xml[^>]*encoding\s*=\s*["'])[A-Za-z0-9._:-]+(["'])""")
# <meta charset="..."> or <meta http-equiv="Content-Type" content="text/html; charset=...">.
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Pages put long <head>s before their meta tag; the declaration is looked for this far in.
HEAD_BYTES = 4096
FALLBACK = "cp1252"


def codec_for(name: str | None) -> str | None:
    """A Python codec for a declared charset; None when unknown. Latin-1 means windows-1252."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    return FALLBACK if codec in ("latin-1", "iso8859-1", "ascii") else codec


def header_charset(content_type: str) -> str | None:
    """The codec named by a Content-Type header's charset parameter, if it names a known one."""
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return codec_for(value)
    return None


def declared_charset(content: bytes) -> str | None:
    """The codec the document declares for itself (XML prolog, then HTML meta), if known."""
    head = content[:HEAD_BYTES]
    for pattern in (XML_DECLARATION, META_CHARSET):
        if (match := pattern.search(head)) and (codec := codec_for(match.group(1).decode("ascii"))):
            return codec
    return None


def detect_encoding(content: bytes, content_type: str = "") -> str:
    """The codec to decode a body with, by the policy in this module's docstring."""
    for bom, name in BOMS:
        if content.startswith(bom):
            return name
    try:
        content.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    for declared in (declared_charset(content), header_charset(content_type)):
        # Bytes that failed as UTF-8 are not UTF-8, whatever the label says.
        if declared is not None and not declared.startswith("utf-8"):
            return declared
    return FALLBACK


def decode(content: bytes, content_type: str = "") -> str:
    """A body's text by the one policy; undecodable bytes become U+FFFD, never an exception."""
    return content.decode(detect_encoding(content, content_type), errors="replace")


def utf8_xml(content: bytes, content_type: str = "") -> bytes:
    """An XML document as UTF-8 bytes declared UTF-8, decoded by the one policy.

    Valid UTF-8 that declares nothing else is returned as it is (most feeds)."""
    encoding = detect_encoding(content, content_type)
    if encoding == "utf-8" and declared_charset(content) in (None, "utf-8"):
        return content
    text = content.decode(encoding, errors="replace").lstrip("\ufeff")
    text = XML_DECLARATION_TEXT.sub(r"\g<1>utf-8\g<2>", text, count=1)
    return text.encode("utf-8")
