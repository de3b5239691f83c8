"""Credentials never leave in a URL, a message, a log line or a page: the one redaction rule.

The API collectors pass tokens as query parameters (`access_token`, `key`), as the platforms
document, and Graph API `paging.next` links carry the token. Everything that may quote such a URL
goes through here before it is stored, logged or shown: the HTTP layer's error messages, the
attempt log, urllib3's request lines (a logging filter), the Sumber page.

A secret is always replaced by the one marker `***`. It is URL-safe (square brackets are reserved
in URLs and would come back percent-encoded from `urlencode`), so a redacted URL stays a readable,
valid URL, and a text redacted twice is unchanged.

Two rules, applied together by `redact_text`:

- by value: every configured secret (registered once with `register_secret`, by
  `pantau.config` when it reads the credentials and by a collector when it is given its token)
  is masked in every form it takes on the way: raw, percent-encoded as `quote` and `quote_plus`
  write it (`+ / =` become `%2B %2F %3D`, a space `+`, hex digits in either case), escaped as in
  JSON (`\\/`), and percent-encoded twice;
- by name: the value of a credential parameter (`access_token=`, `key=`, `client_secret=`...)
  in a URL, a bare query string or a log line, and of a JSON-ish `"access_token": "..."`.

A leaf module: it imports nothing from the project, so the collectors, the core and the views
can all use it without importing each other.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

MARKER = "***"
# Query parameters that carry credentials.
SECRET_PARAMS = frozenset({"access_token", "key", "api_key", "apikey", "token", "client_secret",
                           "appsecret_proof", "password", "sig", "signature", "input_token", "fb_exchange_token"})

URL_IN_TEXT = re.compile(r"https?://[^\s'\"<>)]+")
# A secret parameter outside a full URL: urllib3 logs `"GET /path?key=... HTTP/1.1"`, with the
# host apart from the path, so the URL pattern above never sees that query.
# Also a bare `access_token=...` in any text (an API echoing its request, a form body), when the
# name stands alone (not the tail of `monkey=`).
_NAMES = "|".join(sorted(SECRET_PARAMS, key=len, reverse=True))
SECRET_IN_QUERY = re.compile(r"(?<![\w.%-])(" + _NAMES + r")=(?!\*\*\*(?:[^\w%+/=-]|$))[^&\s\"'#,;)<>]*",
                             re.IGNORECASE)
# The same names as keys of a JSON-ish mapping: "access_token": "...", 'key': '...'.
SECRET_IN_MAPPING = re.compile(r"""(["'])(""" + _NAMES + r""")\1(\s*[:=]\s*)(["'])(?:\\.|(?!\4).)*\4""",
                               re.IGNORECASE)
# A secret shorter than this is not registered for masking by value: it would mask ordinary
# words. Real tokens and keys are tens to hundreds of characters.
MIN_SECRET_LENGTH = 8
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


_registered: set[str] = set()
_registered_lock = threading.Lock()
_patterns: re.Pattern[str] | None = None


def register_secret(value: str | None) -> None:
    """Remember a configured secret, so every writer masks it in every form (idempotent)."""
    global _patterns
    if not value or len(value) < MIN_SECRET_LENGTH:
        return
    with _registered_lock:
        if value not in _registered:
            _registered.add(value)
            _patterns = None


def registered_secrets() -> frozenset[str]:
    with _registered_lock:
        return frozenset(_registered)


def secret_forms(secret: str) -> set[str]:
    """Every form a secret takes in a URL, a form body, a JSON text or a log line."""
    forms = {secret, quote(secret, safe=""), quote(secret, safe="/"), quote_plus(secret), quote_plus(secret, safe="/"),
             secret.replace("/", "\\/")}
    forms |= {quote(form, safe="") for form in list(forms)}  # percent-encoded twice (a URL inside a URL)
    return {form for form in forms if form}


def _forms_pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    forms = set()
    for secret in secrets:
        if secret:
            forms |= secret_forms(secret)
    if not forms:
        return None
    # Longest first, so a form is never cut by a shorter one that is its prefix; hex digits of a
    # percent-encoding in either case (%2b and %2B are the same byte).
    parts = [re.sub(r"%([0-9A-F])([0-9A-F])", lambda m: f"%[{m.group(1)}{m.group(1).lower()}]"
                    f"[{m.group(2)}{m.group(2).lower()}]", re.escape(form).replace("\\%", "%"))
             for form in sorted(forms, key=len, reverse=True)]
    return re.compile("|".join(parts))


def _registered_pattern() -> re.Pattern[str] | None:
    global _patterns
    with _registered_lock:
        if _patterns is None and _registered:
            _patterns = _forms_pattern(_registered)
        return _patterns


def redact_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """The text with every form of every registered secret, and of `secrets`, masked (by value
    only: for text that is data, such as a post's title, where a parameter name is no signal)."""
    cleaned = text or ""
    extra = [s for s in secrets if s and s not in registered_secrets()]
    for pattern in (_registered_pattern(), _forms_pattern(extra) if extra else None):
        if pattern is not None and cleaned:
            cleaned = pattern.sub(MARKER, cleaned)
    return cleaned


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """A message with every secret masked: by value (the registered secrets and `secrets`, in
    every encoding) and by name (URLs, query strings, JSON-ish mappings)."""
    cleaned = redact_secrets(text or "", secrets)
    cleaned = URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), cleaned)
    cleaned = SECRET_IN_QUERY.sub(lambda m: f"{m.group(1)}={MARKER}", cleaned)
    return SECRET_IN_MAPPING.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(1)}{m.group(3)}{m.group(4)}{MARKER}"
                                           f"{m.group(4)}", cleaned)


class RedactSecrets(logging.Filter):
    """Rewrites a log record whose message or traceback carries a credential, before any
    handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


_FILTER = RedactSecrets()


def install_log_filter(handlers: Iterable[logging.Handler] = ()) -> None:
    """Attach the filter to the loggers that print request URLs and to `handlers` (the command
    line's own, which every logger's records reach) (idempotent)."""
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    for handler in handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
