"""The only module that talks HTTP.

One `HttpClient` per collection run owns the requests session and the politeness towards every
host: at most `per_host` requests at once to one host:port, an optional delay between two
requests to the same host (robots.txt Crawl-delay honoured, capped), robots.txt fetched once per
host per run and obeyed, an honest User-Agent. Each source gets a `SourceHttp` view that counts
its own requests and remembers, in the source state the orchestrator saves, the conditional-GET
validators (ETag / Last-Modified) of the URLs it fetched and the robots.txt of its hosts (reused
for a day, so a re-run with nothing new costs one request per source).

Every failure becomes a typed `FetchError` (collectors/errors.py); URLs are redacted of
credentials (pantau/redaction.py) before they reach a message or a log; bodies become text by
the one charset policy (collectors/charset.py). Transient failures (connection errors, timeouts,
5xx, 408, 429) are retried (collectors/retry.py) within the total timeout; other 4xx are final at
once. An answer that misses the total timeout (collectors/bounded_read.py) is never retried, and
its host is not asked again within the run.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import requests
import urllib3
from requests.utils import parse_header_links

from collectors import address_guard
from collectors.bounded_read import Watchdog, read_capped, too_slow, watch_connection
from collectors.charset import decode
from collectors.errors import (
    ConnectionFailed,
    FetchError,
    HttpStatusError,
    RateLimited,
    RequestTimeout,
    RobotsDisallowed,
    TooManyRedirects,
    TooSlow,
)
from collectors.limits import HostLimiter, LocalLimiter, host_key
from collectors.retry import RETRY_STATUSES, retry_delay
from pantau.redaction import install_log_filter, redact_text, redact_url

log = logging.getLogger(__name__)

ROBOTS_AGENT = "Pantau"
USER_AGENT = f"{ROBOTS_AGENT}/0.1 (+public dashboard of local government publications; contact: Diskominfo)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Google reads the first 500 KiB of a robots.txt; a copy this size is plenty to remember.
MAX_ROBOTS_CHARS = 500 * 1024


# ---------------------------------------------------------------------------------------------
# Responses


@dataclass
class Response:
    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    not_modified: bool = False

    @property
    def text(self) -> str:
        """The body decoded by the one charset policy (collectors/charset.py)."""
        return decode(self.content, self.headers.get("Content-Type", ""))

    def json(self) -> Any:
        """The body as JSON, decoded by the same policy; ValueError when it is not JSON."""
        return json.loads(self.text.lstrip("\ufeff"))

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    @property
    def links(self) -> list[dict[str, str]]:
        """The Link header's entries, each with `url` and `rel`."""
        value = self.headers.get("Link", "")
        return parse_header_links(value) if value else []


# ---------------------------------------------------------------------------------------------
# The client


@dataclass
class HttpPolicy:
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    # A whole answer (headers and body, retries included) must arrive within this, whatever the
    # server trickles; a host that misses it is not asked again within the run.
    total_timeout: float = 60.0
    max_retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 30.0
    per_host: int = 2
    # Seconds between the starts of two requests to the same host (0: only the concurrency limit).
    delay: float = 0.0
    max_bytes: int = 15 * 1024 * 1024
    max_redirects: int = 5
    respect_robots: bool = True
    # Non-public networks (CIDR) this client may reach; none by default: collection refuses
    # private, loopback and link-local addresses (collectors/address_guard.py). The orchestrator takes
    # them from the registry's `allow_private_addresses` setting.
    private_networks: tuple[str, ...] = ()
    # robots.txt `Crawl-delay` is honoured as the per-host delay, up to this many seconds.
    max_crawl_delay: float = 10.0
    # A robots.txt remembered in a source's state is reused this long (RFC 9309 says at most a
    # day), so a re-run with nothing new costs one request per source, not two.
    robots_max_age: float = 24 * 3600
    user_agent: str = USER_AGENT


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    crawl_delay: float = 0.0
    robots: RobotFileParser | None = None
    # {"fetched_at": epoch seconds, "body": text or None for "no robots.txt"}; None when the
    # answer is not worth remembering (the server failed).
    robots_entry: dict[str, Any] | None = None
    robots_ready: threading.Event = field(default_factory=threading.Event)
    robots_owner: bool = False
    # Set when robots.txt could not be fetched at all (timeouts, refused connections, 429 after
    # retries): the host is down for this run, and every request to it fails at once.
    unreachable: FetchError | None = None
    # Set when an answer missed the total timeout: a dripping host would cost it again per request.
    too_slow: TooSlow | None = None


class HttpClient:
    """Shared by every source of a run: one session, per-host limits, robots.txt cache."""

    def __init__(self, policy: HttpPolicy | None = None, limiter: HostLimiter | None = None):
        # urllib3 logs request lines with their query, where API tokens travel: filter them.
        install_log_filter()
        self.policy = policy or HttpPolicy()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = self.policy.user_agent
        # Redirects are followed by hand, so every hop passes robots.txt and the host limit.
        self.session.max_redirects = self.policy.max_redirects
        self._private_networks = address_guard.parse_networks(self.policy.private_networks)
        adapter = guarded_adapter(self._private_networks, pool_connections=64, pool_maxsize=16, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()
        self.requests_sent = 0
        # Where the per-host slots and delays live: this process by default, Redis for the task engine.
        self.limiter: HostLimiter = limiter or LocalLimiter(self.policy.per_host)

    def for_source(self, source_id: str, validators: dict[str, dict[str, str]] | None = None,
                   robots: dict[str, dict[str, Any]] | None = None) -> SourceHttp:
        return SourceHttp(self, source_id, validators=validators if validators is not None else {},
                          robots=robots if robots is not None else {})

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- politeness ---------------------------------------------------------------------------

    def _host(self, url: str) -> _Host:
        key = host_key(url)
        with self._lock:
            if key not in self._hosts:
                self._hosts[key] = _Host()
            return self._hosts[key]

    def _count(self, counter: SourceHttp | None) -> None:
        with self._lock:
            self.requests_sent += 1
            if counter is not None:
                counter.requests += 1

    def _wait_turn(self, key: str, host: _Host) -> None:
        self.limiter.wait_turn(key, max(self.policy.delay, host.crawl_delay))

    def allowed(self, url: str, counter: SourceHttp | None = None) -> bool:
        """Whether robots.txt lets us fetch `url`.

        robots.txt is fetched once per host per run, or taken from the copy the source
        remembered from an earlier run when that copy is less than `robots_max_age` old.
        """
        if not self.policy.respect_robots:
            return True
        parts = urlsplit(url)
        if parts.path == "/robots.txt":
            return True
        key = host_key(url)
        host = self._host(url)
        with host.lock:
            owner = not host.robots_owner
            host.robots_owner = True
        if owner:
            try:
                remembered = counter.robots.get(key) if counter is not None else None
                robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
                if remembered and time.time() - float(remembered.get("fetched_at", 0)) < self.policy.robots_max_age:
                    host.robots_entry = remembered
                else:
                    try:
                        host.robots_entry = self._load_robots(robots_url, counter)
                    except (RequestTimeout, ConnectionFailed, RateLimited) as exc:
                        host.unreachable = exc
                body = host.robots_entry.get("body") if host.robots_entry else None
                host.robots = robots_parser(robots_url, body) if body else None
                if host.robots is not None:
                    asked = host.robots.crawl_delay(ROBOTS_AGENT)
                    host.crawl_delay = min(float(asked or 0), self.policy.max_crawl_delay)
            finally:
                host.robots_ready.set()
        else:
            host.robots_ready.wait()
        if host.unreachable is not None:
            failure = host.unreachable
            if isinstance(failure, HttpStatusError):
                raise type(failure)(failure.status, url, failure.body, failure.headers)
            raise type(failure)(f"host unreachable, robots.txt failed: {failure}", url)
        if counter is not None:
            if host.robots_entry is not None:
                counter.robots[key] = host.robots_entry
            else:
                counter.robots.pop(key, None)
        return host.robots is None or host.robots.can_fetch(ROBOTS_AGENT, url)

    def _load_robots(self, robots_url: str, counter: SourceHttp | None) -> dict[str, Any] | None:
        """The host's robots.txt as an entry to remember; body None when it has none (4xx).

        A robots.txt answering 5xx (after retries) is read as "no rules" for this run only, and
        logged: broken robots.txt plugins exist on sites that otherwise work. A host that does not
        answer at all raises (RequestTimeout, ConnectionFailed).
        """
        try:
            response = self._fetch_once_with_retries(robots_url, None, None, counter)
        except RateLimited:
            raise  # asked to slow down, even for robots.txt: the pages would be refused too
        except HttpStatusError as exc:
            if exc.status >= 500:
                log.warning("robots.txt unavailable (%s); proceeding without rules", exc)
                return None
            return {"fetched_at": time.time(), "body": None}
        except (RequestTimeout, ConnectionFailed):
            raise
        except FetchError as exc:
            log.warning("robots.txt unreadable (%s); proceeding without rules", exc)
            return None
        if response.status != 200:  # a redirect we do not follow for robots.txt: no rules
            return {"fetched_at": time.time(), "body": None}
        return {"fetched_at": time.time(), "body": response.text[:MAX_ROBOTS_CHARS]}

    # -- fetching -----------------------------------------------------------------------------

    def fetch(self, url: str, *, params: Mapping[str, Any] | None = None,
              headers: Mapping[str, str] | None = None, counter: SourceHttp | None = None,
              api: bool = False, form: Mapping[str, Any] | None = None) -> Response:
        """GET with retries and redirects; raise a FetchError subclass on failure (4xx/5xx included).

        A 304 (only possible when the caller sent validators) comes back as a Response with
        not_modified=True. `api=True` marks a call to a documented, authenticated API (Graph API,
        YouTube Data API): robots.txt governs crawlers of pages, not such calls, and
        graph.facebook.com would otherwise refuse every request of ours. `form` sends a POST with
        that form body instead of a GET (OpenSID's later archive API answers POST only); a redirect
        after a POST is followed with a GET, as browsers do.
        """
        current = prepared_url(url, params)
        visited = {current}
        for _hop in range(self.policy.max_redirects + 1):
            if uses_proxy(self.session, current):  # the socket is the proxy's: check the name
                address_guard.check_url(current, self._private_networks)
            if not api and not self.allowed(current, counter):
                raise RobotsDisallowed("disallowed by robots.txt", current)
            response = self._fetch_once_with_retries(current, None, headers, counter, form)
            if response.status not in REDIRECT_STATUSES:
                return response
            form = None
            location = response.headers.get("Location")
            if not location:
                raise HttpStatusError(response.status, current, response.content, response.headers)
            current = urljoin(current, location)
            if current in visited:
                raise TooManyRedirects("redirect loop", current)
            visited.add(current)
        raise TooManyRedirects(f"more than {self.policy.max_redirects} redirects", url)

    def _fetch_once_with_retries(self, url: str, params: Mapping[str, Any] | None,
                                 headers: Mapping[str, str] | None, counter: SourceHttp | None,
                                 form: Mapping[str, Any] | None = None) -> Response:
        policy = self.policy
        key = host_key(url)
        host = self._host(url)
        attempt = 0
        # The total timeout holds for the answer, retries included; it starts with the first send.
        deadline: float | None = None
        while True:
            attempt += 1
            retry_after: str | None = None
            if host.too_slow is not None:
                raise TooSlow(f"host too slow earlier in this run: {host.too_slow}", url)
            try:
                with self.limiter.slot(key):
                    self._wait_turn(key, host)
                    self._count(counter)
                    if deadline is None:
                        deadline = time.monotonic() + policy.total_timeout
                    response = self._send(url, params, headers, form, deadline)
            except TooSlow as exc:
                host.too_slow = exc
                raise
            except (RequestTimeout, ConnectionFailed) as exc:
                if attempt > policy.max_retries:
                    raise
                if time.monotonic() + retry_delay(None, attempt, policy) >= deadline:
                    host.too_slow = too_slow(policy.total_timeout, url)
                    raise host.too_slow from exc
            else:
                status = response.status
                if status not in RETRY_STATUSES:
                    if status >= 400:
                        raise HttpStatusError(status, response.url, response.content, response.headers)
                    return response
                if attempt > policy.max_retries:
                    error = RateLimited if status == 429 else HttpStatusError
                    raise error(status, response.url, response.content, response.headers)
                retry_after = response.headers.get("Retry-After")
            delay = retry_delay(retry_after, attempt, policy)
            if time.monotonic() + delay >= deadline:  # the retry would start past the total timeout
                raise (RateLimited if response.status == 429 else HttpStatusError)(
                    response.status, response.url, response.content, response.headers)
            log.info("retrying %s in %.2fs (attempt %d)", redact_url(url), delay, attempt)
            time.sleep(delay)

    def _send(self, url: str, params: Mapping[str, Any] | None, headers: Mapping[str, str] | None,
              form: Mapping[str, Any] | None, deadline: float) -> Response:
        policy = self.policy
        # The watchdog cuts the connection at the deadline, so no single read outlives it.
        with Watchdog(deadline) as watchdog:
            try:
                raw = self.session.request("POST" if form is not None else "GET", url, params=params, data=form,
                                           headers=headers, stream=True, allow_redirects=False,
                                           timeout=(policy.connect_timeout, policy.read_timeout))
                try:
                    content = read_capped(raw, policy.max_bytes, deadline, policy.total_timeout)
                finally:
                    raw.close()
            # `from None`: the library's exception quotes the full URL, token included, and a chained
            # cause would print it in any traceback that gets logged.
            except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                if watchdog.fired or time.monotonic() >= deadline:
                    raise too_slow(policy.total_timeout, url) from None
                raise _fetch_error(exc, url) from None
        return Response(raw.url, raw.status_code, raw.headers, content, not_modified=raw.status_code == 304)


def _fetch_error(exc: Exception, url: str) -> FetchError:
    """The typed error for a library failure, without the URL it quotes."""
    if isinstance(exc, (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)):
        return RequestTimeout("timed out", url)
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                        urllib3.exceptions.ProtocolError, urllib3.exceptions.SSLError, OSError)):
        return ConnectionFailed(f"connection failed: {_reason(exc)}", url)
    return FetchError(f"request failed: {_reason(exc)}", url)


def uses_proxy(session: requests.Session, url: str) -> bool:
    if session.proxies:
        return True
    return bool(session.trust_env and requests.utils.get_environ_proxies(url, no_proxy=None))


def guarded_adapter(allowed, **adapter_options) -> requests.adapters.HTTPAdapter:
    """An HTTPAdapter whose direct connections go only to addresses address_guard permits.

    The name is resolved once, every address is checked, and the socket connects to a checked
    address literal (TLS still verifies the certificate against the name), so nothing is sent
    to a refused address and no second lookup can answer differently.
    """
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    def connect(connection: HTTPConnection, new_conn):
        host = connection._dns_host  # urllib3's name for "where the socket goes"
        try:
            addresses = address_guard.checked_addresses(host, connection.port, allowed)
        except (OSError, UnicodeError):
            return new_conn()  # let urllib3 report the failed lookup in its own words
        failure: Exception | None = None
        for address in addresses:
            connection._dns_host = address
            try:
                return new_conn()
            except (NewConnectionError, ConnectTimeoutError) as exc:
                failure = exc
            finally:
                connection._dns_host = host
        raise failure  # type: ignore[misc]  (addresses is never empty)

    class GuardedHTTPConnection(HTTPConnection):
        def _new_conn(self):
            return connect(self, super()._new_conn)

        def request(self, *args, **kwargs):
            watch_connection(self)  # the total timeout's watchdog may cut this connection
            return super().request(*args, **kwargs)

    class GuardedHTTPSConnection(HTTPSConnection):
        def _new_conn(self):
            return connect(self, super()._new_conn)

        def request(self, *args, **kwargs):
            watch_connection(self)
            return super().request(*args, **kwargs)

    class GuardedHTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    class GuardedAdapter(requests.adapters.HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}

    return GuardedAdapter(**adapter_options)


def _reason(exc: Exception) -> str:
    """A library error's class and innermost cause (refused, DNS...), without the URL it quotes."""
    cause: BaseException = exc
    while cause.__context__ is not None and cause.__context__ is not cause:
        cause = cause.__context__
    name = type(cause).__name__
    return redact_text(f"{type(exc).__name__} ({name})" if cause is not exc else name)


def robots_parser(robots_url: str, body: str) -> RobotFileParser:
    parser = RobotFileParser(robots_url)
    parser.parse(body.splitlines())
    return parser


def prepared_url(url: str, params: Mapping[str, Any] | None) -> str:
    """The exact URL a GET with these params goes to (the key of conditional-GET validators)."""
    if not params:
        return url
    return requests.Request("GET", url, params=params).prepare().url or url


@dataclass
class SourceHttp:
    """One source's view of the client: same session and limits, its own request count and
    its own conditional-GET validators (loaded from and saved to the source state by the orchestrator)."""

    client: HttpClient
    source_id: str
    requests: int = 0
    # redacted URL -> {"etag": ..., "last_modified": ...}
    validators: dict[str, dict[str, str]] = field(default_factory=dict)
    # host:port -> {"fetched_at": epoch seconds, "body": robots.txt text or None}
    robots: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, url: str, *, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None, conditional: bool = False,
            api: bool = False) -> Response:
        """GET a URL. With conditional=True, send the validators remembered for this exact URL
        and remember the new ones; a 304 returns a Response with not_modified=True."""
        if not conditional:
            return self.client.fetch(url, params=params, headers=headers, counter=self, api=api)
        full = prepared_url(url, params)
        key = redact_url(full)
        sent = dict(headers or {})
        known = self.validators.get(key, {})
        if known.get("etag"):
            sent["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            sent["If-Modified-Since"] = known["last_modified"]
        response = self.client.fetch(full, headers=sent, counter=self, api=api)
        if response.not_modified:
            return response
        fresh = {name: value for name, header in (("etag", "ETag"), ("last_modified", "Last-Modified"))
                 if (value := response.headers.get(header))}
        if fresh:
            self.validators[key] = fresh
        else:
            self.validators.pop(key, None)
        return response

    def post(self, url: str, form: Mapping[str, Any], *, headers: Mapping[str, str] | None = None) -> Response:
        """POST a form (never conditional: a POST answer is not cached by validators)."""
        return self.client.fetch(url, headers=headers, counter=self, form=dict(form))
