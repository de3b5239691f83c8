"""The one place that decides whether a post's link may be clickable.

A post's URL comes from a scraped page, an API answer or a clerk's spreadsheet: hostile input.
Every page and export asks `safe_link` before turning it into a link, so a `javascript:` or
`data:` address, however it is spelled, is never one.

The rule is an allowlist, not a blocklist: only an absolute http(s) URL with a host passes.
Before the scheme is read, the URL is normalised the way browsers do (WHATWG URL parsing):
leading and trailing C0 controls and spaces are dropped, tabs and newlines anywhere are removed,
and the scheme is case-insensitive. HTML character references are decoded too, because a
Markdown renderer decodes them in link targets (`&#106;avascript:` is `javascript:` there).
The link handed back is percent-encoded, so it cannot end a Markdown link target early or open
markup.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

# What browsers strip before parsing a URL: C0 controls and space at both ends, and ASCII tab
# and newlines anywhere (`java\tscript:` is `javascript:` to a browser).
_EDGE = "".join(chr(c) for c in range(0x21))
_INNER = re.compile(r"[\t\n\r]")
# Characters left as they are when the link is re-encoded: RFC 3986 reserved and unreserved
# characters and '%' (existing escapes). Parentheses, quotes, angle brackets, spaces, backslashes
# and everything non-ASCII are percent-encoded.
_KEEP = "-._~:/?#[]@!$&*+,;=%"
ALLOWED_SCHEMES = ("http", "https")


def _normalised(url: str) -> str:
    """The URL as a browser reads it, after a Markdown renderer decoded its character references."""
    previous = None
    text = url
    # Decoded until stable: `&amp;#106;` is a reference to a reference.
    for _ in range(3):
        if text == previous:
            break
        previous, text = text, html.unescape(text)
    return _INNER.sub("", text.strip(_EDGE))


def safe_link(url) -> str | None:
    """An absolute http(s) URL fit to be a link target, percent-encoded; None for anything else."""
    if not isinstance(url, str) or not url:
        return None
    text = _normalised(url)
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        return None  # a control character left inside: not a URL anyone published
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
    except ValueError:  # a malformed IPv6 host or port
        return None
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.netloc or not hostname:
        return None
    return quote(text, safe=_KEEP)


def is_safe_link(url) -> bool:
    return safe_link(url) is not None
