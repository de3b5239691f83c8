"""What a hostile site or registry row can make the collector do over the network: reach into
private, loopback and link-local ranges (refused unless the registry permits the network), or
exhaust memory and time with a decompression bomb, an endless body or a dripped one (held to
the size cap and the total timeout). Every server here is a real local one."""

from __future__ import annotations

import gzip
import io
import socket
import threading
import time
import tracemalloc
from datetime import UTC, datetime

import pytest

from collectors.address_guard import parse_networks, refusal
from collectors.errors import AddressRefused, RequestTimeout, ResponseTooLarge
from collectors.http import HttpClient, HttpPolicy
from pantau.collection import run_collection
from pantau.models import Source, Unit
from pantau.registry import Registry, Settings, validate_settings
from tests.fixture_server import LOOPBACK, FixtureServer, Reply, static
from tests.test_collection import ITEMS, rss

NOW = datetime(2025, 9, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3",
    "224.0.0.1", "fe80::1%eth0",
])
def test_private_loopback_and_link_local_addresses_are_refused(address):
    assert refusal(address, ()) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "172.32.0.1", "103.3.60.1", "2001:4860:4860::8888"])
def test_public_addresses_pass(address):
    assert refusal(address, ()) is None


def test_a_permitted_network_passes_and_only_that_one():
    allowed = parse_networks(["127.0.0.0/8"])
    assert refusal("127.0.0.1", allowed) is None
    assert refusal("::ffff:127.0.0.1", allowed) is None  # the same address, IPv4-mapped
    assert refusal("10.0.0.1", allowed) is not None
    assert refusal("::1", allowed) is not None


@pytest.mark.parametrize("value, expected", [
    ("true", ("0.0.0.0/0", "::/0")),
    ("ya", ("0.0.0.0/0", "::/0")),
    ("false", ()),
    ("", ()),
    ("127.0.0.1/32 ::1", ("127.0.0.1/32", "::1/128")),
    ("10.1.0.0/16;192.168.0.0/24", ("10.1.0.0/16", "192.168.0.0/24")),
])
def test_allow_private_addresses_setting(value, expected):
    settings, problems = validate_settings([{"key": "allow_private_addresses", "value": value}])
    assert problems == []
    assert settings.private_networks == expected


def test_a_bad_network_in_the_setting_is_a_registry_problem():
    _, problems = validate_settings([{"key": "allow_private_addresses", "value": "10.0.0.0/8 intranet"}])
    assert [str(p) for p in problems] == [
        "settings.csv:2:value: bad value '10.0.0.0/8 intranet' for allow_private_addresses: "
        "expected true, false or CIDR networks; 'intranet' is none of them"]


def test_default_settings_permit_no_private_network():
    assert Settings().private_networks == ()


# -- production collection ------------------------------------------------------------------


FAST = HttpPolicy(connect_timeout=1.0, read_timeout=1.0, max_retries=0, backoff=0.01, respect_robots=False)


@pytest.fixture
def server():
    with FixtureServer() as s:
        s.route("/feed/", static(rss(ITEMS, s.base), "application/rss+xml; charset=UTF-8"))
        yield s


def collect(store, address: str, networks: tuple[str, ...]):
    registry = Registry((Unit("dinkes", "Dinas Kesehatan", "opd"),),
                        (Source("web-dinkes", "dinkes", "website", "feed", address),),
                        Settings(private_networks=networks))
    summary = run_collection(store, registry, now=NOW, http_policy=FAST)
    return summary.attempts[0]


def test_registry_address_on_loopback_is_refused_without_permission(sqlite_store, server):
    attempt = collect(sqlite_store, server.url("/feed/"), ())
    assert (attempt.status, attempt.error_kind) == ("error", "address_refused")
    assert "127.0.0.1" in attempt.error and "allow_private_addresses" in attempt.error
    assert server.requests == []  # refused before a single byte was sent
    assert sqlite_store.post_count() == 0


def test_a_name_resolving_to_loopback_is_refused(sqlite_store, server):
    attempt = collect(sqlite_store, server.url("/feed/").replace("127.0.0.1", "localhost"), ())
    assert attempt.error_kind == "address_refused"
    assert server.requests == []


def test_the_same_registry_permitting_loopback_collects(sqlite_store, server):
    attempt = collect(sqlite_store, server.url("/feed/"), LOOPBACK)
    assert attempt.status == "ok"
    assert sqlite_store.post_count() == len(ITEMS)


def test_a_permission_the_policy_grants_is_not_enough_only_the_registry_decides(sqlite_store, server):
    registry = Registry((Unit("dinkes", "Dinas Kesehatan", "opd"),),
                        (Source("web-dinkes", "dinkes", "website", "feed", server.url("/feed/")),), Settings())
    permissive = HttpPolicy(private_networks=LOOPBACK, max_retries=0, respect_robots=False)
    summary = run_collection(sqlite_store, registry, now=NOW, http_policy=permissive)
    assert summary.attempts[0].error_kind == "address_refused"


@pytest.mark.parametrize("target", [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/admin",
    "http://[::1]:{port}/feed/",
    "http://127.0.0.2:{port}/feed/",
    "http://[::ffff:127.0.0.2]:{port}/feed/",
    "http://0.0.0.0:{port}/feed/",
])
def test_redirect_into_a_private_range_is_refused(sqlite_store, server, target):
    """The registry permits exactly the server's address; the site redirects elsewhere inside."""
    port = server.httpd.server_address[1]
    server.route("/go", lambda _r: Reply(302, "", {"Location": target.format(port=port)}))
    attempt = collect(sqlite_store, server.url("/go"), ("127.0.0.1/32",))
    assert (attempt.status, attempt.error_kind) == ("error", "address_refused"), attempt.error
    assert [r.path for r in server.requests] == ["/go"]


def test_a_client_without_private_networks_refuses_loopback_directly(server):
    with HttpClient(HttpPolicy(max_retries=0, respect_robots=False)) as client, pytest.raises(AddressRefused):
        client.for_source("s").get(server.url("/feed/"))
    assert server.requests == []


def test_names_are_checked_before_the_request_when_a_proxy_carries_it(server, monkeypatch):
    """Through a proxy the socket is the proxy's: the target's own name is resolved and checked."""
    monkeypatch.setenv("HTTP_PROXY", server.base)
    monkeypatch.setenv("NO_PROXY", "")
    with HttpClient(HttpPolicy(private_networks=("127.0.0.1/32",), max_retries=0, respect_robots=False)) as client:
        with pytest.raises(AddressRefused, match="10.9.8.7"):
            client.for_source("s").get("http://10.9.8.7/feed/")
    assert server.requests == []


# -- bodies that never end, or end too large ------------------------------------------------


def gzip_bomb(inflated_mib: int) -> bytes:
    raw = io.BytesIO()
    block = b"\0" * (1 << 20)
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9) as out:
        for _ in range(inflated_mib):
            out.write(block)
    return raw.getvalue()


def test_gzip_bomb_is_stopped_at_the_cap_without_inflating(server):
    bomb = gzip_bomb(256)  # about 250 KiB on the wire, 256 MiB inflated
    assert len(bomb) < 1 << 20
    server.route("/bomb", lambda _r: Reply(200, bomb, {"Content-Encoding": "gzip"}, "text/html"))
    policy = HttpPolicy(private_networks=LOOPBACK, max_bytes=2 << 20, max_retries=0, respect_robots=False)
    tracemalloc.start()
    try:
        with HttpClient(policy) as client, pytest.raises(ResponseTooLarge):
            client.for_source("s").get(server.url("/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 << 20, f"{peak / 2**20:.0f} MiB held while reading a 2 MiB-capped body"


class RawServer:
    """A socket server answering every connection with `respond(connection)` (headers included)."""

    def __init__(self, respond):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.respond = respond
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/"

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            try:
                self.respond(conn, self.stop)
            except OSError:
                pass  # the client hung up: what a refused body looks like from here

    def __enter__(self) -> RawServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


def test_a_dripped_body_costs_the_total_timeout_not_its_length():
    """120 bytes at 20 a second, each well within the read timeout: the whole takes 6 s, past the
    1 s total timeout. Reading waits for no buffer to fill, so the client sees its deadline pass
    and hangs up while the server is still dripping (a client waiting for the whole body would
    take all 120 bytes first)."""
    sent = []

    def drip(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 120\r\n\r\n")
        for _ in range(120):
            if stop.wait(0.05):
                return
            conn.sendall(b"x")
            sent.append(1)

    policy = HttpPolicy(private_networks=LOOPBACK, read_timeout=1.0, total_timeout=1.0, max_retries=0,
                        respect_robots=False)
    with RawServer(drip) as raw, HttpClient(policy) as client:
        with pytest.raises(RequestTimeout, match="too slow"):
            client.for_source("s").get(raw.url)
        raw.stop.wait(1.0)  # long enough for the server to notice the hang-up
        assert len(sent) < 120, "the client read the whole dripped body before giving up"


def test_an_endless_chunked_body_stops_at_the_cap():
    def endless(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"4000\r\n" + b"y" * 0x4000 + b"\r\n"
        while not stop.is_set():
            conn.sendall(chunk)

    policy = HttpPolicy(private_networks=LOOPBACK, max_bytes=1 << 20, max_retries=0, respect_robots=False)
    with RawServer(endless) as raw, HttpClient(policy) as client, pytest.raises(ResponseTooLarge):
        client.for_source("s").get(raw.url)


# -- the total timeout holds for the whole answer, retries included (issue 18, point 2) -----


class Connections:
    """Counts the connections a RawServer answered."""

    def __init__(self, respond):
        self.count = 0
        self.respond = respond

    def __call__(self, conn, stop):
        self.count += 1
        self.respond(conn, stop)


def drip_with_length(conn, stop):
    """The issue's case: a Content-Length of 1000 and then one byte a second."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n")
    while not stop.wait(1.0):
        conn.sendall(b"x")


def headers_then_nothing(conn, stop):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\n")
    stop.wait(30)


def headers_dripped(conn, stop):
    """A status line, then a header byte every 0.1 s, forever: every read well within the read timeout."""
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    while not stop.wait(0.1):
        conn.sendall(b"X")


def timed_fetch(respond, **policy_options):
    """(the error, seconds taken, connections the server answered) for one GET."""
    counted = Connections(respond)
    policy = HttpPolicy(private_networks=LOOPBACK, respect_robots=False, backoff=0.01, **policy_options)
    with RawServer(counted) as raw, HttpClient(policy) as client:
        started = time.monotonic()
        with pytest.raises(RequestTimeout) as failure:
            client.for_source("s").get(raw.url)
        taken = time.monotonic() - started
        with pytest.raises(RequestTimeout, match="too slow earlier"):  # not asked again in the run
            client.for_source("t").get(raw.url + "other")
    return failure.value, taken, counted.count


def test_a_body_dripped_a_byte_a_second_with_a_content_length_is_not_retried():
    """Before: each of the 1 + 3 attempts cost the total timeout (the issue's 240 s)."""
    total = 1.5
    error, taken, connections = timed_fetch(drip_with_length, read_timeout=5.0, total_timeout=total, max_retries=3)
    assert error.kind == "too_slow" and "too slow" in str(error)
    assert connections == 1
    assert taken < 2 * total  # one total timeout and a margin, not four


@pytest.mark.parametrize("respond", [headers_then_nothing, headers_dripped], ids=["silent", "dripped-headers"])
def test_a_read_blocked_past_the_deadline_is_cut_by_the_watchdog(respond):
    """The read timeout (10 s) is longer than the total timeout (1 s): the socket's own timeout
    would let one read, or headers trickled forever, outlive the deadline."""
    total = 1.0
    error, taken, connections = timed_fetch(respond, read_timeout=10.0, total_timeout=total, max_retries=2)
    assert error.kind == "too_slow"
    assert connections == 1
    assert taken < 10.0 / 2  # far below the read timeout: the deadline cut it


def test_a_dripping_source_costs_the_run_one_total_timeout_and_the_others_are_collected(sqlite_store, server):
    total = 2.0
    counted = Connections(drip_with_length)
    with RawServer(counted) as raw:
        registry = Registry((Unit("dinkes", "Dinas Kesehatan", "opd"), Unit("dishub", "Dinas Perhubungan", "opd")),
                            (Source("web-drip", "dishub", "website", "feed", raw.url + "feed/"),
                             Source("web-dinkes", "dinkes", "website", "feed", server.url("/feed/"))),
                            Settings(private_networks=LOOPBACK))
        policy = HttpPolicy(connect_timeout=1.0, read_timeout=5.0, total_timeout=total, max_retries=3,
                            backoff=0.01, respect_robots=True)
        started = time.monotonic()
        summary = run_collection(sqlite_store, registry, now=NOW, http_policy=policy)
        taken = time.monotonic() - started
    attempts = {a.source_id: a for a in summary.attempts}
    assert (attempts["web-drip"].status, attempts["web-drip"].error_kind) == ("error", "too_slow")
    assert "too slow" in attempts["web-drip"].error
    assert attempts["web-dinkes"].status == "ok"
    assert sqlite_store.post_count() == len(ITEMS)
    assert counted.count == 1  # robots.txt dripped; nothing else was asked of that host
    # Before, robots.txt alone cost 1 + 3 attempts of the total timeout each.
    assert taken < 3 * total
