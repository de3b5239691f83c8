"""The only module that talks HTTP.

One `HttpClient` per collection run owns the requests session and the per-host politeness
(at most N requests at once to one host); each source gets a `SourceHttp` view that counts its
own requests. Every failure becomes a typed `FetchError`, and URLs are redacted of credentials
before they reach a message or a log.

FIRST VERSION: timeouts, retries with backoff (Retry-After honoured), per-host semaphore,
size cap and typed errors. Robots.txt, conditional GET, charset sniffing and the redirect
limit are still to come (see the web collectors issue).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from collectors.base import CollectorError

log = logging.getLogger(__name__)

USER_AGENT = "Pantau/0.1 (+public dashboard of local government publications; contact: Diskominfo)"
# Query parameters that carry credentials; stripped from every URL that is stored or logged.
SECRET_PARAMS = frozenset({"access_token", "key", "api_key", "apikey", "token", "client_secret",
                           "appsecret_proof", "password", "sig", "signature"})


class FetchError(CollectorError):
    kind = "fetch_error"

    def __init__(self, message: str, url: str = ""):
        self.url = redact_url(url)
        super().__init__(f"{message} ({self.url})" if url else message)


class RequestTimeout(FetchError):
    kind = "timeout"


class ConnectionFailed(FetchError):
    kind = "connection_error"


class HttpStatusError(FetchError):
    kind = "http_status"

    def __init__(self, status: int, url: str, body: bytes = b"", headers: Mapping[str, str] | None = None):
        self.status = status
        self.body = body[:2000]
        self.headers = dict(headers or {})
        super().__init__(f"HTTP {status}", url)


class RateLimited(HttpStatusError):
    kind = "rate_limited"


class ResponseTooLarge(FetchError):
    kind = "too_large"


class TooManyRedirects(FetchError):
    kind = "too_many_redirects"


class RobotsDisallowed(FetchError):
    kind = "robots_disallowed"


def redact_url(url: str) -> str:
    """The URL without credential query parameters (Graph API paging links carry the token)."""
    if not url or "?" not in url:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SECRET_PARAMS]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


@dataclass
class Response:
    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    encoding: str | None = None
    not_modified: bool = False

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding or "utf-8", errors="replace")

    def json(self) -> Any:
        import json

        return json.loads(self.content.decode(self.encoding or "utf-8"))

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()


@dataclass
class HttpPolicy:
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_retries: int = 3
    backoff: float = 0.5
    max_retry_after: float = 30.0
    per_host: int = 2
    max_bytes: int = 15 * 1024 * 1024
    max_redirects: int = 5
    respect_robots: bool = True
    user_agent: str = USER_AGENT


class HttpClient:
    """Shared by every source of a run: one session, per-host concurrency limits."""

    def __init__(self, policy: HttpPolicy | None = None):
        self.policy = policy or HttpPolicy()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = self.policy.user_agent
        self.session.max_redirects = self.policy.max_redirects
        adapter = requests.adapters.HTTPAdapter(pool_connections=64, pool_maxsize=64)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._hosts: dict[str, threading.Semaphore] = {}
        self._lock = threading.Lock()
        self.requests_sent = 0

    def for_source(self, source_id: str) -> SourceHttp:
        return SourceHttp(self, source_id)

    def close(self) -> None:
        self.session.close()

    def _host_slot(self, url: str) -> threading.Semaphore:
        host = urlsplit(url).netloc.lower()
        with self._lock:
            if host not in self._hosts:
                self._hosts[host] = threading.Semaphore(self.policy.per_host)
            return self._hosts[host]

    def _count(self) -> None:
        with self._lock:
            self.requests_sent += 1

    def fetch(self, url: str, *, params: Mapping[str, Any] | None = None,
              headers: Mapping[str, str] | None = None, counter: SourceHttp | None = None) -> Response:
        """GET with retries; raise a FetchError subclass on failure (4xx/5xx included)."""
        policy = self.policy
        attempt = 0
        while True:
            attempt += 1
            try:
                with self._host_slot(url):
                    self._count()
                    if counter is not None:
                        counter.requests += 1
                    raw = self.session.get(url, params=params, headers=headers, stream=True,
                                           timeout=(policy.connect_timeout, policy.read_timeout))
                    content = _read_capped(raw, policy.max_bytes)
            except requests.exceptions.TooManyRedirects as exc:
                raise TooManyRedirects("too many redirects", url) from exc
            except requests.exceptions.Timeout as exc:
                if attempt <= policy.max_retries:
                    time.sleep(policy.backoff * 2 ** (attempt - 1))
                    continue
                raise RequestTimeout("timed out", url) from exc
            except requests.exceptions.ConnectionError as exc:
                if attempt <= policy.max_retries:
                    time.sleep(policy.backoff * 2 ** (attempt - 1))
                    continue
                raise ConnectionFailed("connection failed", url) from exc
            status = raw.status_code
            if status == 429 or status >= 500 or status == 408:
                if attempt <= policy.max_retries:
                    time.sleep(_retry_delay(raw.headers.get("Retry-After"), attempt, policy))
                    continue
                error = RateLimited if status == 429 else HttpStatusError
                raise error(status, raw.url, content, raw.headers)
            if status >= 400:
                raise HttpStatusError(status, raw.url, content, raw.headers)
            return Response(raw.url, status, raw.headers, content, raw.encoding, status == 304)


def _read_capped(raw: requests.Response, max_bytes: int) -> bytes:
    chunks, size = [], 0
    for chunk in raw.iter_content(65536):
        size += len(chunk)
        if size > max_bytes:
            raw.close()
            raise ResponseTooLarge(f"response larger than {max_bytes} bytes", raw.url)
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_delay(retry_after: str | None, attempt: int, policy: HttpPolicy) -> float:
    if retry_after:
        try:
            return min(float(retry_after), policy.max_retry_after)
        except ValueError:
            pass
    return policy.backoff * 2 ** (attempt - 1)


@dataclass
class SourceHttp:
    """One source's view of the client: same session and limits, its own request count."""

    client: HttpClient
    source_id: str
    requests: int = 0
    validators: dict[str, dict[str, str]] = field(default_factory=dict)

    def get(self, url: str, *, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None) -> Response:
        return self.client.fetch(url, params=params, headers=headers, counter=self)
