"""Credentials never leave in a URL, a message, a log line or a page: the one redaction rule.

The API collectors pass tokens as query parameters (`access_token`, `key`), as the platforms
document, and Graph API `paging.next` links carry the token. Everything that may quote such a URL
goes through here before it is stored, logged or shown: the HTTP layer's error messages, the
attempt log, urllib3's request lines (a logging filter), the Sumber page.

A secret is always replaced by the one marker `***`. It is URL-safe (square brackets are reserved
in URLs and would come back percent-encoded from `urlencode`), so a redacted URL stays a readable,
valid URL, and a text redacted twice is unchanged.

A leaf module: it imports nothing from the project, so the collectors, the core and the views
can all use it without importing each other.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MARKER = "***"
# Query parameters that carry credentials.
SECRET_PARAMS = frozenset({"access_token", "key", "api_key", "apikey", "token", "client_secret",
                           "appsecret_proof", "password", "sig", "signature", "input_token", "fb_exchange_token"})

URL_IN_TEXT = re.compile(r"https?://[^\s'\"<>)]+")
# A secret parameter outside a full URL: urllib3 logs `"GET /path?key=... HTTP/1.1"`, with the
# host apart from the path, so the URL pattern above never sees that query.
SECRET_IN_QUERY = re.compile(r"(?<=[?&])(" + "|".join(sorted(SECRET_PARAMS)) + r")=[^&\s\"'#]*", re.IGNORECASE)
# Loggers of libraries that print request URLs.
URL_LOGGERS = ("urllib3.connectionpool", "requests")


def redact_url(url: str) -> str:
    """The URL without credential query parameters or a password."""
    if not url:
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:  # user:password@host
        netloc = MARKER + "@" + netloc.rpartition("@")[2]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, MARKER if k.lower() in SECRET_PARAMS else v) for k, v in pairs], safe="/*:")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """A message with every URL in it redacted, every secret query parameter outside a URL
    masked, and each of `secrets` (a token an API echoed back in its error text) replaced."""
    cleaned = URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text or "")
    cleaned = SECRET_IN_QUERY.sub(lambda m: f"{m.group(1)}={MARKER}", cleaned)
    for secret in secrets:
        if secret:
            cleaned = cleaned.replace(secret, MARKER)
    return cleaned


class RedactSecrets(logging.Filter):
    """Rewrites a log record whose message carries a credential, before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactSecrets()


def install_log_filter() -> None:
    """Attach the filter to the loggers that print request URLs (idempotent)."""
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
