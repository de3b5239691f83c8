"""Every way a collection can fail, one class each under one root; `kind` names it in the attempt log.

Collectors raise these; only the orchestrator (pantau/collection.py) catches them, at the batch
boundary, and records the kind and the (redacted) message for that source.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from collectors.charset import decode
from pantau.redaction import redact_url


class CollectorError(Exception):
    """Root of every collection failure; `kind` names its class in the attempt log."""

    kind = "error"


class ParseError(CollectorError):
    """The answer came but was not in the expected format (broken XML, HTML instead of JSON)."""

    kind = "parse_error"


class NotCollectable(CollectorError):
    """The source cannot be collected as configured (no token, platform without collector)."""

    kind = "not_collectable"


class AuthError(CollectorError):
    """The platform refused the credentials (invalid or expired token, missing permission)."""

    kind = "auth_error"


class SourceNotFound(CollectorError):
    """The account, page or channel does not exist (or is not visible to us)."""

    kind = "not_found"


# ---------------------------------------------------------------------------------------------
# Fetching (raised by collectors/http.py). The URL in a message is always redacted of credentials.


class FetchError(CollectorError):
    kind = "fetch_error"

    def __init__(self, message: str, url: str = ""):
        self.url = redact_url(url)
        super().__init__(f"{message} ({self.url})" if url else message)


class RequestTimeout(FetchError):
    kind = "timeout"


class TooSlow(RequestTimeout):
    """No complete answer within the total timeout (a dripped body, headers and then nothing).
    Never retried, and the host is not asked again within the run."""

    kind = "too_slow"


class ConnectionFailed(FetchError):
    kind = "connection_error"


class HttpStatusError(FetchError):
    kind = "http_status"

    def __init__(self, status: int, url: str, body: bytes = b"", headers: Mapping[str, str] | None = None):
        self.status = status
        self.body = body[:4000]
        # The response's own headers, case-insensitive as the HTTP layer hands them over.
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        super().__init__(f"HTTP {status}", url)

    def json(self) -> Any:
        """The error body as JSON (WordPress explains its refusals so), or None."""
        try:
            return json.loads(decode(self.body, self.headers.get("Content-Type", "")).lstrip("\ufeff"))
        except ValueError:
            return None


class RateLimited(HttpStatusError):
    kind = "rate_limited"


class ResponseTooLarge(FetchError):
    kind = "too_large"


class TooManyRedirects(FetchError):
    kind = "too_many_redirects"


class RobotsDisallowed(FetchError):
    kind = "robots_disallowed"


class AddressRefused(CollectorError):
    """The address is in a private, loopback or link-local range the registry does not permit
    (collectors/address_guard.py). Not a FetchError: no other route of the same source is tried,
    and it is never retried."""

    kind = "address_refused"
