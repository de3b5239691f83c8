"""A real, threaded local HTTP server for collector tests.

Routes map a path to a function of the request that returns a `Reply`. The server records
every request and the most requests it ever handled at once, so politeness can be measured
rather than assumed. Unrouted paths answer 404 (robots.txt included, unless routed).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The fixture servers listen on loopback, which collection refuses unless permitted
# (HttpPolicy.private_networks; settings.csv allow_private_addresses).
LOOPBACK = ("127.0.0.0/8", "::1/128")


def fixture(*parts: str) -> bytes:
    return FIXTURES.joinpath(*parts).read_bytes()


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    target: str  # path and query as sent

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    delay: float = 0.0  # seconds before answering (timeouts, concurrency measurements)

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


Handler = Callable[[Request], Reply]


def static(body: bytes | str, content_type: str = "text/html; charset=UTF-8", status: int = 200,
           headers: dict[str, str] | None = None) -> Handler:
    return lambda _request: Reply(status, body, dict(headers or {}), content_type)


class FixtureServer:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                request = Request(parts.path, query, dict(self.headers.items()), self.path)
                with server._lock:
                    server.requests.append(request)
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    handler = server.handler_for(parts.path)
                    reply = handler(request) if handler else Reply(404, "<html><body>Not Found</body></html>",
                                                                    content_type="text/html")
                    if reply.delay:
                        time.sleep(reply.delay)
                    body = reply.payload()
                    self.send_response(reply.status)
                    if reply.content_type:
                        self.send_header("Content-Type", reply.content_type)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def handler_for(self, path: str) -> Handler | None:
        """The exact route, else the longest prefix route (a key ending with '*')."""
        if path in self.routes:
            return self.routes[path]
        prefixes = [k for k in self.routes if k.endswith("*") and path.startswith(k[:-1])]
        return self.routes[max(prefixes, key=len)] if prefixes else None

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> FixtureServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# ---------------------------------------------------------------------------------------------
# A WordPress site, served the way WordPress serves it (REST, ?rest_route=, /feed/, /page/N/)

WP_SITE = "https://dinkes.blorakab.go.id"
WIB = timezone(timedelta(hours=7))
WP_AFTER = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}(?::\d{2})?)?$")
JSON_TYPE = "application/json; charset=UTF-8"


def wordpress_posts(base: str) -> list[dict]:
    """The fixture site's posts (REST objects, newest first) with links on `base`."""
    return json.loads(fixture("wordpress", "posts.json").decode("utf-8").replace(WP_SITE, base))


class WordPressSite:
    """Serves one WordPress site under `prefix` of a FixtureServer.

    rest: ok | login_required | disabled | waf_403 | waf_200 | absent
    discovery: header | html | none — where the API root is advertised
    plain: True for a site without pretty permalinks (/wp-json/ is not routed, ?rest_route= is)
    """

    def __init__(self, server: FixtureServer, *, rest: str = "ok", discovery: str = "header", plain: bool = False,
                 feed: bool = True, listing: bool = True, prefix: str = "", posts: list[dict] | None = None):
        self.server, self.rest, self.discovery, self.plain = server, rest, discovery, plain
        self.feed_enabled, self.listing_enabled, self.prefix = feed, listing, prefix
        self.base = server.url(prefix)
        self.posts = posts if posts is not None else wordpress_posts(self.base)
        self.page_size = 10  # "Blog pages show at most" and "Syndication feeds show the most recent"
        server.route(prefix + "/", self.home)
        server.route(prefix + "/wp-json/*", self.rest_endpoint)
        server.route(prefix + "/feed/", self.feed)
        server.route(prefix + "/page/*", self.listing_page)

    @property
    def address(self) -> str:
        return self.base + "/"

    def add_post(self, post_id: int, local: datetime, title: str) -> dict:
        gmt = local.astimezone(UTC)
        post = {**self.posts[0], "id": post_id, "date": local.strftime("%Y-%m-%dT%H:%M:%S"),
                "date_gmt": gmt.strftime("%Y-%m-%dT%H:%M:%S"), "modified": local.strftime("%Y-%m-%dT%H:%M:%S"),
                "modified_gmt": gmt.strftime("%Y-%m-%dT%H:%M:%S"), "title": {"rendered": title},
                "link": f"{self.base}/{local:%Y/%m/%d}/post-{post_id}/", "guid": {"rendered": f"{self.base}/?p={post_id}"}}
        self.posts.insert(0, post)
        self.posts.sort(key=lambda p: p["date_gmt"], reverse=True)
        return post

    # -- pages -------------------------------------------------------------------------------

    def api_root(self) -> str:
        return f"{self.base}/?rest_route=/" if self.plain else f"{self.base}/wp-json/"

    def home(self, request: Request) -> Reply:
        if "rest_route" in request.query:
            return self.rest_answer(request, request.query["rest_route"])
        if request.query.get("feed") == "rss2":
            return self.feed(request)
        headers = {}
        link_tag = ""
        if self.discovery == "header":
            headers["Link"] = f'<{self.api_root()}>; rel="https://api.w.org/"'
        if self.discovery in ("header", "html"):
            link_tag = f'<link rel="https://api.w.org/" href="{self.api_root()}" />\n'
        return self.listing(1, headers, link_tag)

    def listing_page(self, request: Request) -> Reply:
        match = re.fullmatch(re.escape(self.prefix) + r"/page/(\d+)/", request.path)
        if not match:
            return not_found()
        return self.listing(int(match.group(1)), {}, "")

    def listing(self, page: int, headers: dict[str, str], link_tag: str) -> Reply:
        chunk = self.posts[(page - 1) * self.page_size : page * self.page_size]
        if not self.listing_enabled or (page > 1 and not chunk):
            return not_found()
        template = fixture("wordpress", "article.html").decode()
        articles = "".join(
            template.replace("{ID}", str(p["id"])).replace("{LINK}", p["link"]).replace("{TITLE}", p["title"]["rendered"])
            .replace("{DATETIME}", wp_local(p).isoformat()).replace("{HUMAN_DATE}", f"{wp_local(p):%d/%m/%Y}")
            for p in chunk
        )
        more = len(self.posts) > page * self.page_size
        next_link = f'<a class="next page-numbers" href="{self.base}/page/{page + 1}/">Next</a>' if more else ""
        body = (fixture("wordpress", "home.html").decode().replace("{API_LINK}", link_tag)
                .replace("{SITE}", self.base).replace("{ARTICLES}", articles).replace("{NEXT}", next_link))
        return Reply(200, body, headers, "text/html; charset=UTF-8")

    def feed(self, request: Request) -> Reply:
        if not self.feed_enabled or (self.plain and request.path.endswith("/feed/")):
            return not_found()
        page = int(request.query.get("paged", "1") or 1)
        chunk = self.posts[(page - 1) * self.page_size : page * self.page_size]
        if page > 1 and not chunk:
            return not_found()
        template = fixture("wordpress", "feed_item.xml").decode()
        items = "".join(
            template.replace("{TITLE}", p["title"]["rendered"]).replace("{LINK}", p["link"])
            .replace("{PUBDATE}", wp_gmt(p).strftime("%a, %d %b %Y %H:%M:%S +0000"))
            .replace("{SITE}", self.base).replace("{ID}", str(p["id"]))
            for p in chunk
        )
        last = wp_gmt(self.posts[0]).strftime("%a, %d %b %Y %H:%M:%S +0000") if self.posts else ""
        body = (fixture("wordpress", "feed.xml").decode().replace("{SITE}", self.base)
                .replace("{LAST_BUILD}", last).replace("{ITEMS}", items))
        return Reply(200, body, {}, "application/rss+xml; charset=UTF-8")

    # -- REST --------------------------------------------------------------------------------

    def rest_endpoint(self, request: Request) -> Reply:
        if self.plain:  # /wp-json/ is not routed without pretty permalinks: the theme's 404
            return not_found()
        return self.rest_answer(request, request.path.removeprefix(self.prefix + "/wp-json"))

    def rest_answer(self, request: Request, route: str) -> Reply:
        refusal = {
            "login_required": Reply(401, fixture("wordpress", "rest_login_required.json"), {}, JSON_TYPE),
            "disabled": Reply(401, fixture("wordpress", "rest_disabled.json"), {}, JSON_TYPE),
            "waf_403": Reply(403, fixture("wordpress", "waf_403.html"), {}, "text/html; charset=iso-8859-1"),
            "waf_200": Reply(200, fixture("wordpress", "waf_challenge_200.html"), {}, "text/html; charset=UTF-8"),
            "absent": not_found(),
        }.get(self.rest)
        if refusal is not None:
            return refusal
        if route.rstrip("/") != "/wp/v2/posts":
            return Reply(404, '{"code":"rest_no_route","message":"No route was found matching the URL and request method.","data":{"status":404}}', {}, JSON_TYPE)
        return self.posts_answer(request)

    def posts_answer(self, request: Request) -> Reply:
        query = request.query
        after = query.get("after")
        wanted = list(self.posts)
        if after is not None:
            if not WP_AFTER.match(after):
                return Reply(400, fixture("wordpress", "rest_invalid_param_after.json"), {}, JSON_TYPE)
            moment = datetime.fromisoformat(after.replace("Z", "+00:00"))
            local = moment.astimezone(WIB).replace(tzinfo=None) if moment.tzinfo else moment
            wanted = [p for p in wanted if datetime.fromisoformat(p["date"]) > local]
        per_page = int(query.get("per_page", 10))
        page = int(query.get("page", 1))
        total = len(wanted)
        pages = -(-total // per_page)
        if page > pages and total > 0:
            return Reply(400, fixture("wordpress", "rest_post_invalid_page_number.json"), {}, JSON_TYPE)
        chunk = wanted[(page - 1) * per_page : page * per_page]
        if fields := query.get("_fields"):
            keep = fields.split(",")
            chunk = [{k: v for k, v in p.items() if k in keep} for p in chunk]
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages),
                   "Link": f'<{self.api_root()}>; rel="https://api.w.org/"'}
        return Reply(200, json.dumps(chunk, ensure_ascii=False), headers, JSON_TYPE)


def wp_local(post: dict) -> datetime:
    return datetime.fromisoformat(post["date"]).replace(tzinfo=WIB)


def wp_gmt(post: dict) -> datetime:
    return datetime.fromisoformat(post["date_gmt"]).replace(tzinfo=UTC)


def not_found() -> Reply:
    return Reply(404, "<!doctype html><html><head><title>Halaman tidak ditemukan</title></head>"
                      "<body><h1>404</h1></body></html>", {}, "text/html; charset=UTF-8")


# ---------------------------------------------------------------------------------------------
# A Blogger blog's JSON feed (/feeds/posts/default?alt=json)

BLOGGER_BLOG = "https://sendangwungu-blora.blogspot.com"


class BloggerSite:
    """Serves the fixture blog's alt=json feed: published-min, orderby, start-index, max-results
    (capped as Blogger caps it), openSearch totals of the filtered list."""

    def __init__(self, server: FixtureServer, *, cap: int = 100, prefix: str = ""):
        self.server, self.cap = server, cap
        self.base = server.url(prefix)
        self.document = json.loads(fixture("blogger", "feed.json").decode("utf-8").replace(BLOGGER_BLOG, self.base))
        self.entries: list[dict] = self.document["feed"].pop("entry")
        server.route(prefix + "/feeds/posts/default", self.feed)

    @property
    def address(self) -> str:
        return self.base + "/"

    def add_entry(self, post_id: str, published: str, title: str) -> None:
        entry = json.loads(json.dumps(self.entries[0]))
        entry["id"]["$t"] = entry["id"]["$t"].rpartition(".post-")[0] + f".post-{post_id}"
        entry["published"]["$t"] = entry["updated"]["$t"] = published
        entry["title"]["$t"] = title
        entry["link"][-1]["href"] = f"{self.base}/2025/09/{post_id}.html"
        self.entries.append(entry)

    def feed(self, request: Request) -> Reply:
        query = request.query
        if query.get("alt") != "json":
            return Reply(200, "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom'/>",
                         {}, "application/atom+xml; charset=UTF-8")
        entries = sorted(self.entries, key=lambda e: blogger_time(e["published"]["$t"]), reverse=True)
        if minimum := query.get("published-min"):
            floor = blogger_time(minimum)
            entries = [e for e in entries if blogger_time(e["published"]["$t"]) >= floor]
        start = int(query.get("start-index", 1))
        size = min(int(query.get("max-results", 25)), self.cap)
        page = entries[start - 1 : start - 1 + size]
        document = json.loads(json.dumps(self.document))
        feed = document["feed"]
        feed["openSearch$totalResults"] = {"$t": str(len(entries))}
        feed["openSearch$startIndex"] = {"$t": str(start)}
        feed["openSearch$itemsPerPage"] = {"$t": str(size)}
        if page:  # Blogger omits "entry" past the end
            feed["entry"] = page
        return Reply(200, json.dumps(document, ensure_ascii=False), {}, "application/json; charset=UTF-8")


def blogger_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
