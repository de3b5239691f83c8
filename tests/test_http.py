"""collectors/http.py against a real local server: retries, politeness, robots, charsets, caps."""

from __future__ import annotations

import threading
import time

import pytest

from collectors.charset import detect_encoding
from collectors.errors import (
    ConnectionFailed,
    HttpStatusError,
    RateLimited,
    RequestTimeout,
    ResponseTooLarge,
    RobotsDisallowed,
    TooManyRedirects,
)
from collectors.http import HttpClient, HttpPolicy, retry_delay
from pantau.redaction import redact_text, redact_url
from tests.fixture_server import LOOPBACK, FixtureServer, Reply, static

FAST = HttpPolicy(private_networks=LOOPBACK, connect_timeout=1.0, read_timeout=1.0, backoff=0.01, max_backoff=0.05, max_retry_after=5.0)


@pytest.fixture
def server():
    with FixtureServer() as s:
        yield s


@pytest.fixture
def client():
    with HttpClient(FAST) as c:
        yield c


def sequence(*replies: Reply):
    """A handler answering each reply in turn, then repeating the last."""
    queue = list(replies)
    lock = threading.Lock()

    def handler(_request):
        with lock:
            return queue.pop(0) if len(queue) > 1 else queue[0]
    return handler


def test_honest_user_agent_and_counting(server, client):
    server.route("/", static("<html>ok</html>"))
    http = client.for_source("s1")
    http.get(server.url("/"))
    agent = server.hits("/")[0].header("User-Agent")
    assert agent.startswith("Pantau/") and "contact" in agent
    # robots.txt (404 here) and the page: both are requests the client sent
    assert [r.path for r in server.requests] == ["/robots.txt", "/"]
    assert client.requests_sent == 2
    assert http.requests == 2


def test_429_waits_for_retry_after_then_succeeds(server, client):
    server.route("/api", sequence(Reply(429, "slow down", {"Retry-After": "1"}), Reply(200, "[]", content_type="application/json")))
    http = client.for_source("s")
    started = time.monotonic()
    response = http.get(server.url("/api"))
    elapsed = time.monotonic() - started
    assert response.status == 200 and response.json() == []
    assert elapsed >= 0.95  # Retry-After: 1 honoured, not the 0.01 s backoff
    assert len(server.hits("/api")) == 2


def test_retry_after_is_capped():
    policy = HttpPolicy(private_networks=LOOPBACK, max_retry_after=2.0, backoff=0.5, max_backoff=4.0)
    assert retry_delay("3600", 1, policy) == 2.0
    assert retry_delay("Wed, 21 Oct 2015 07:28:00 GMT", 1, policy) == 0.0  # a date in the past
    assert retry_delay(None, 1, policy) == 0.5
    assert retry_delay(None, 3, policy) == 2.0
    assert retry_delay(None, 10, policy) == 4.0


def test_429_until_retries_run_out_is_rate_limited(server, client):
    server.route("/api", static("busy", status=429, headers={"Retry-After": "0"}))
    with pytest.raises(RateLimited) as caught:
        client.for_source("s").get(server.url("/api"))
    assert caught.value.status == 429
    assert len(server.hits("/api")) == FAST.max_retries + 1


def test_5xx_is_retried_then_succeeds(server, client):
    server.route("/feed", sequence(Reply(503, "down"), Reply(502, "bad gateway"), Reply(200, "<rss/>")))
    http = client.for_source("s")
    assert http.get(server.url("/feed")).content == b"<rss/>"
    assert len(server.hits("/feed")) == 3
    assert http.requests == 4  # robots.txt + three tries


def test_408_is_retried(server, client):
    server.route("/x", sequence(Reply(408, "timeout"), Reply(200, "fine")))
    assert client.for_source("s").get(server.url("/x")).content == b"fine"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_other_4xx_are_not_retried(server, client, status):
    server.route("/gone", static('{"code":"nope"}', "application/json", status=status))
    with pytest.raises(HttpStatusError) as caught:
        client.for_source("s").get(server.url("/gone"))
    assert caught.value.status == status
    assert caught.value.json() == {"code": "nope"}
    assert len(server.hits("/gone")) == 1


def test_a_slow_server_times_out_after_retries(server):
    server.route("/slow", lambda _r: Reply(200, "late", delay=0.8))
    policy = HttpPolicy(private_networks=LOOPBACK, connect_timeout=1.0, read_timeout=0.2, max_retries=1, backoff=0.01)
    with HttpClient(policy) as c:
        started = time.monotonic()
        with pytest.raises(RequestTimeout):
            c.for_source("s").get(server.url("/slow"))
        assert time.monotonic() - started < 1.5
    assert len(server.hits("/slow")) == 2


def test_connection_refused_is_typed(client):
    with FixtureServer() as gone:
        url = gone.url("/")
    with pytest.raises(ConnectionFailed):
        client.for_source("s").get(url)


def test_redirects_are_followed(server, client):
    server.route("/old", static("", status=301, headers={"Location": "/new"}))
    server.route("/new", static("<html>moved here</html>"))
    response = client.for_source("s").get(server.url("/old"))
    assert response.status == 200 and response.url == server.url("/new")
    assert "moved here" in response.text


def test_a_redirect_loop_is_stopped(server, client):
    server.route("/a", static("", status=302, headers={"Location": "/b"}))
    server.route("/b", static("", status=302, headers={"Location": "/a"}))
    with pytest.raises(TooManyRedirects):
        client.for_source("s").get(server.url("/a"))
    assert len(server.hits("/a")) == 1 and len(server.hits("/b")) == 1


def test_too_many_redirects(server):
    for i in range(10):
        server.route(f"/r{i}", static("", status=307, headers={"Location": f"/r{i + 1}"}))
    with HttpClient(HttpPolicy(private_networks=LOOPBACK, max_redirects=3)) as c, pytest.raises(TooManyRedirects):
        c.for_source("s").get(server.url("/r0"))
    assert len([r for r in server.requests if r.path.startswith("/r") and r.path != "/robots.txt"]) == 4


CP1252_PAGE = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
               "</head><body>Bupati\u2019s kunjungan \u2013 Desa Cep\u00f9</body></html>").encode("cp1252")
LATIN1_META = '<html><head><meta charset="iso-8859-1"></head><body>Cep\u00f9 \u2013 ok</body></html>'.encode("cp1252")
UTF8_PAGE = "<html><body>Pembangunan jalan \u2013 Kecamatan Cep\u00f9</body></html>".encode()


@pytest.mark.parametrize(("body", "content_type", "expected"), [
    (CP1252_PAGE, "text/html", "Bupati\u2019s kunjungan \u2013 Desa Cep\u00f9"),
    (LATIN1_META, "text/html", "Cep\u00f9 \u2013 ok"),  # latin-1 declared, read as windows-1252 like browsers
    (UTF8_PAGE, "text/html", "Pembangunan jalan \u2013 Kecamatan Cep\u00f9"),  # requests would guess ISO-8859-1
    (UTF8_PAGE, "text/html; charset=utf-8", "Kecamatan Cep\u00f9"),
    ('<?xml version="1.0" encoding="ISO-8859-1"?><rss><title>Cep\u00f9</title></rss>'.encode("latin-1"),
     "application/rss+xml", "<title>Cep\u00f9</title>"),
    (CP1252_PAGE, "text/html; charset=windows-1252", "Desa Cep\u00f9"),
])
def test_text_is_decoded_by_the_one_charset_policy(server, client, body, content_type, expected):
    server.route("/page", static(body, content_type))
    assert expected in client.for_source("s").get(server.url("/page")).text


def test_undeclared_non_utf8_falls_back_to_windows_1252():
    assert detect_encoding("caf\u00e9 \u2013".encode("cp1252"), "text/plain") == "cp1252"
    assert detect_encoding(b"\xef\xbb\xbfhello", "text/html; charset=iso-8859-1") == "utf-8-sig"
    assert detect_encoding(b"plain", "text/html; charset=no-such-codec") == "utf-8"


def test_response_over_the_size_cap(server):
    server.route("/big", static(b"x" * 5000, "text/plain"))
    with HttpClient(HttpPolicy(private_networks=LOOPBACK, max_bytes=1000)) as c, pytest.raises(ResponseTooLarge):
        c.for_source("s").get(server.url("/big"))
    assert len(server.hits("/big")) == 1  # not retried


ROBOTS = b"User-agent: *\nDisallow: /private/\n\nUser-agent: Pantau\nDisallow: /wp-admin/\nDisallow: /arsip/\n"


def test_robots_txt_is_obeyed_and_fetched_once_per_host(server, client):
    server.route("/robots.txt", static(ROBOTS, "text/plain"))
    server.route("/public", static("hello"))
    server.route("/arsip/1", static("archive"))
    a, b = client.for_source("a"), client.for_source("b")
    assert a.get(server.url("/public")).content == b"hello"
    with pytest.raises(RobotsDisallowed) as caught:
        b.get(server.url("/arsip/1"))
    assert caught.value.kind == "robots_disallowed"
    assert b.get(server.url("/public?x=1")).status == 200
    assert len(server.hits("/robots.txt")) == 1
    assert server.hits("/arsip/1") == []  # never requested


def test_robots_txt_remembered_by_a_source_is_reused_for_a_day(server):
    server.route("/robots.txt", static(b"User-agent: *\nDisallow: /arsip/\n", "text/plain"))
    server.route("/x", static("ok"))
    with HttpClient(FAST) as first_run:
        http = first_run.for_source("s")
        http.get(server.url("/x"))
    remembered = http.robots
    assert len(server.hits("/robots.txt")) == 1
    with HttpClient(FAST) as second_run:
        again = second_run.for_source("s", robots=dict(remembered))
        again.get(server.url("/x"))
        with pytest.raises(RobotsDisallowed):  # the remembered rules still apply
            again.get(server.url("/arsip/1"))
    assert len(server.hits("/robots.txt")) == 1
    stale = {key: {**entry, "fetched_at": entry["fetched_at"] - 2 * 24 * 3600} for key, entry in remembered.items()}
    with HttpClient(FAST) as third_run:
        third_run.for_source("s", robots=stale).get(server.url("/x"))
    assert len(server.hits("/robots.txt")) == 2


def test_robots_txt_failing_is_not_remembered(server):
    server.route("/robots.txt", static("oops", "text/plain", status=503))
    server.route("/x", static("ok"))
    with HttpClient(FAST) as c:
        http = c.for_source("s")
        assert http.get(server.url("/x")).status == 200  # no rules this run
    assert http.robots == {}


def test_robots_check_applies_to_each_redirect_hop(server, client):
    server.route("/robots.txt", static(b"User-agent: *\nDisallow: /private/\n", "text/plain"))
    server.route("/go", static("", status=302, headers={"Location": "/private/x"}))
    with pytest.raises(RobotsDisallowed):
        client.for_source("s").get(server.url("/go"))
    assert server.hits("/private/x") == []


def test_robots_can_be_switched_off_by_policy(server):
    server.route("/robots.txt", static(b"User-agent: *\nDisallow: /\n", "text/plain"))
    server.route("/x", static("ok"))
    with HttpClient(HttpPolicy(private_networks=LOOPBACK, respect_robots=False)) as c:
        assert c.for_source("s").get(server.url("/x")).status == 200
    assert server.hits("/robots.txt") == []


def test_authenticated_api_calls_are_not_crawling(server, client):
    # graph.facebook.com and googleapis.com serve robots.txt for crawlers of pages; a documented
    # API called with our own token is not that, so api=True skips the check (and only that).
    server.route("/robots.txt", static(b"User-agent: *\nDisallow: /\n", "text/plain"))
    server.route("/v25.0/123", static('{"id": "123"}', "application/json"))
    assert client.for_source("s").get(server.url("/v25.0/123"), api=True).json() == {"id": "123"}
    with pytest.raises(RobotsDisallowed):
        client.for_source("s").get(server.url("/v25.0/123"))
    assert len(server.hits("/v25.0/123")) == 1


def test_conditional_get_returns_not_modified(server, client):
    def feed(request):
        if request.header("If-None-Match") == '"v1"':
            return Reply(304)
        return Reply(200, "<rss/>", {"ETag": '"v1"', "Last-Modified": "Wed, 10 Sep 2025 07:00:00 GMT"},
                     "application/rss+xml")
    server.route("/feed/", feed)
    http = client.for_source("s")
    first = http.get(server.url("/feed/"), conditional=True)
    assert first.status == 200 and not first.not_modified
    key = server.url("/feed/")
    assert http.validators[key] == {"etag": '"v1"', "last_modified": "Wed, 10 Sep 2025 07:00:00 GMT"}
    # A later run loads the validators from the source state.
    later = client.for_source("s", validators=dict(http.validators))
    second = later.get(server.url("/feed/"), conditional=True)
    assert second.not_modified and second.status == 304 and second.content == b""
    sent = server.hits("/feed/")[-1]
    assert sent.header("If-None-Match") == '"v1"'
    assert sent.header("If-Modified-Since") == "Wed, 10 Sep 2025 07:00:00 GMT"
    # Without conditional=True nothing is sent.
    http.get(server.url("/feed/"))
    assert server.hits("/feed/")[-1].header("If-None-Match") is None


def test_at_most_two_requests_at_once_per_host(server):
    server.route("/slow", lambda _r: Reply(200, "ok", delay=0.15))
    with HttpClient(FAST) as c:
        def fetch(i):
            c.for_source(f"s{i}").get(server.url(f"/slow?i={i}"))
        threads = [threading.Thread(target=fetch, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert c.requests_sent == 9  # eight pages and one robots.txt
    assert len(server.hits("/slow")) == 8
    assert server.max_in_flight == 2


def test_two_ports_are_two_hosts():
    with FixtureServer() as one, FixtureServer() as two, HttpClient(FAST) as c:
        for s in (one, two):
            s.route("/slow", lambda _r: Reply(200, "ok", delay=0.2))
        threads = [threading.Thread(target=lambda s=s: c.for_source("x").get(s.url("/slow")))
                   for s in (one, two) for _ in range(2)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # Four requests, two per host, all at once: about one delay, not two.
        assert time.monotonic() - started < 0.39
        assert one.max_in_flight == 2 and two.max_in_flight == 2


def test_polite_delay_spaces_requests_to_one_host(server):
    server.route("/x", static("ok"))
    with HttpClient(HttpPolicy(private_networks=LOOPBACK, delay=0.1, respect_robots=False)) as c:
        http = c.for_source("s")
        started = time.monotonic()
        for _ in range(3):
            http.get(server.url("/x"))
        assert time.monotonic() - started >= 0.2


def test_tokens_never_appear_in_error_messages(server, client):
    secret = "EAAB-very-secret-token"
    server.route("/v25.0/123/posts", static('{"error":{"message":"Invalid OAuth access token"}}',
                                            "application/json", status=400))
    with pytest.raises(HttpStatusError) as caught:
        client.for_source("fb").get(server.url("/v25.0/123/posts"), params={"access_token": secret, "limit": 25})
    assert secret not in str(caught.value) and secret not in caught.value.url
    assert "limit=25" in str(caught.value)
    server.route("/slow", lambda _r: Reply(200, "late", delay=0.5))
    with HttpClient(HttpPolicy(private_networks=LOOPBACK, read_timeout=0.1, max_retries=0)) as c, pytest.raises(RequestTimeout) as slow:
        c.for_source("yt").get(server.url(f"/slow?key={secret}"))
    assert secret not in str(slow.value)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://graph.facebook.com/v25.0/1/posts?access_token=abc&after=QVFI", "https://graph.facebook.com/v25.0/1/posts?access_token=***&after=QVFI"),
    ("https://www.googleapis.com/youtube/v3/search?KEY=abc", "https://www.googleapis.com/youtube/v3/search?KEY=***"),
    ("https://user:pw@example.org/feed", "https://***@example.org/feed"),
    ("https://dinkes.blorakab.go.id/?rest_route=/wp/v2/posts", "https://dinkes.blorakab.go.id/?rest_route=/wp/v2/posts"),
    ("", ""),
])
def test_redact_url(url, expected):
    assert redact_url(url) == expected


def test_redact_text_finds_urls_inside_messages():
    text = "HTTPSConnectionPool: Max retries exceeded with url: https://x.example/a?token=s3cr3t&page=2 (Caused by ...)"
    assert "s3cr3t" not in redact_text(text) and "page=2" in redact_text(text)


def test_crawl_delay_spaces_requests(server):
    server.route("/robots.txt", static(b"User-agent: *\nCrawl-delay: 1\n", "text/plain"))
    server.route("/x", static("ok"))
    with HttpClient(HttpPolicy(private_networks=LOOPBACK, max_crawl_delay=0.2)) as c:  # 1 s asked, capped
        http = c.for_source("s")
        started = time.monotonic()
        for _ in range(3):
            http.get(server.url("/x"))
        elapsed = time.monotonic() - started
        assert 0.4 <= elapsed < 1.5


def test_json_with_a_byte_order_mark(server, client):
    server.route("/j", static(b"\xef\xbb\xbf[1, 2]", "application/json; charset=UTF-8"))
    assert client.for_source("s").get(server.url("/j")).json() == [1, 2]


def test_no_token_in_a_logged_traceback(client):
    import traceback
    with FixtureServer() as gone:
        url = gone.url("/x?access_token=SECRET-TOKEN-1")
    with pytest.raises(ConnectionFailed) as caught:
        client.for_source("s").get(url)
    text = "".join(traceback.format_exception(caught.value))
    assert "SECRET-TOKEN-1" not in text
    assert "connection failed: ConnectionError" in text


def test_a_host_whose_robots_txt_times_out_fails_fast(server):
    server.route("/robots.txt", lambda _r: Reply(200, "User-agent: *\n", delay=0.5))
    server.route("/a", static("a"))
    with HttpClient(HttpPolicy(private_networks=LOOPBACK, read_timeout=0.1, max_retries=1, backoff=0.01)) as c:
        with pytest.raises(RequestTimeout) as caught:
            c.for_source("one").get(server.url("/a"))
        assert "robots.txt" in str(caught.value) and caught.value.url == server.url("/a")
        with pytest.raises(RequestTimeout):  # a second source on the host: no new wait
            c.for_source("two").get(server.url("/a"))
    assert len(server.hits("/robots.txt")) == 2  # one try and one retry, once for the run
    assert server.hits("/a") == []


def test_robots_txt_rate_limited_fails_the_host_for_the_run(server, client):
    server.route("/robots.txt", static("slow down", "text/plain", status=429, headers={"Retry-After": "0"}))
    server.route("/a", static("a"))
    http = client.for_source("s")
    with pytest.raises(RateLimited) as caught:
        http.get(server.url("/a"))
    assert caught.value.status == 429 and str(caught.value) == f"HTTP 429 ({server.url('/a')})"
    assert server.hits("/a") == [] and http.robots == {}
