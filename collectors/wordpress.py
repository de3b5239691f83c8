"""WordPress sites (most OPD sites): REST API first, then its fallbacks.

Routes, in order (SOURCES.md section 1):
  rest        the API root the site advertises (Link header or <link rel="https://api.w.org/">)
  rest_route  `/?rest_route=/wp/v2/posts`, for sites without pretty permalinks or without the link
  rss         `/feed/` (or `/?feed=rss2`), paged with `?paged=N`
  html        the front-page listing `/page/N/`, dated by <time class="entry-date" datetime>

A route that is refused (401 rest_login_required / rest_disabled, an HTML 403 from a WAF, HTML
answered with 200 where JSON was asked, robots.txt) hands over to the next; a site that does not
answer at all (timeouts, connection errors, 429) stops the chain at once. The route that worked
and the discovered API root are remembered in the source state, so a re-run with nothing new
costs one request.

Identity: the REST `id`, which is the `?p=` of the RSS guid and the `post-ID` of the theme's
<article>, so one post found by different routes on different days stays one post.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup

from collectors import feed
from collectors.base import CollectContext, CollectResult
from collectors.dates import DateParseError, parse_date
from collectors.errors import (
    CollectorError,
    ConnectionFailed,
    FetchError,
    HttpStatusError,
    ParseError,
    RateLimited,
    RequestTimeout,
    RobotsDisallowed,
)
from collectors.feed import read_feed
from collectors.http import Response
from pantau.models import Post

log = logging.getLogger(__name__)

API_REL = "https://api.w.org/"
ROUTES = ("rest", "rest_route", "rss", "html")
FIELDS = "id,date,date_gmt,link,title,modified_gmt"
PER_PAGE = 100
MAX_PAGES = 100
# `after` compares with post_date, the site-local column; a day of margin covers a site set to
# another zone than the regency's (WITA/WIT, or UTC by default), and date_gmt filters exactly.
AFTER_MARGIN = timedelta(days=1)
STATE_ROOT = "wp_api_root"
STATE_ROUTE = "wp_route"
POST_ID = re.compile(r"\bpost-(\d+)\b")
GUID_ID = re.compile(r"[?&]p=(\d+)")
TAGS = re.compile(r"<[^>]+>")


class RouteUnavailable(CollectorError):
    """This route cannot serve the site (no API link, HTML where JSON was expected...)."""

    kind = "route_unavailable"


class BrokenAnswer(ParseError):
    """The route answered, but cut short (PHP died mid-feed): a transient fault of the site, not
    a refusal. The attempt fails, so the next one re-reads it; falling through to another route
    would take a partial list for a whole one."""


class RoutesExhausted(CollectorError):
    """Every route failed; the message lists why, route by route."""

    kind = "no_route"


# The site does not answer at all: trying three more routes would only multiply the waiting.
# Nor when it answered something broken: the same route will work on the next attempt.
SITE_DOWN = (RequestTimeout, ConnectionFailed, RateLimited, BrokenAnswer)


def site_root(address: str) -> str:
    """The site's base URL without a trailing slash (a WordPress can live in a sub-folder)."""
    parts = urlsplit(address.strip())
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def collect(ctx: CollectContext) -> CollectResult:
    site = site_root(ctx.source.address)
    preferred = ctx.state.get(STATE_ROUTE)
    order = [preferred, *(r for r in ROUTES if r != preferred)] if preferred in ROUTES else list(ROUTES)
    failures: list[tuple[str, CollectorError]] = []
    tried_roots: set[str] = set()
    for route in order:
        try:
            result = ROUTE_FUNCTIONS[route](ctx, site, tried_roots)
        except SITE_DOWN:
            raise
        except (FetchError, ParseError, RouteUnavailable) as exc:
            log.info("%s: route %s failed: %s", ctx.source.source_id, route, exc)
            failures.append((route, exc))
            if route == "rest":
                ctx.state.pop(STATE_ROOT, None)  # rediscover next time
            continue
        if result is None:  # the route does not apply (its URL was already tried)
            continue
        ctx.state[STATE_ROUTE] = route
        if failures:
            result.notes.extend(f"{name} failed: {describe(exc)}" for name, exc in failures)
        return result
    raise exhausted(failures)


def exhausted(failures: list[tuple[str, CollectorError]]) -> CollectorError:
    message = "no route worked: " + "; ".join(f"{route}: {describe(exc)}" for route, exc in failures)
    kinds = {exc.kind for route, exc in failures if route != "rest" or not isinstance(exc, RouteUnavailable)}
    if kinds == {"robots_disallowed"}:
        return RobotsDisallowed(message)
    error = RoutesExhausted(message)
    if len(kinds) == 1:
        error.kind = kinds.pop()
    return error


def describe(exc: CollectorError) -> str:
    """An error with WordPress's own code when its body gives one (rest_login_required...)."""
    if isinstance(exc, HttpStatusError):
        body = exc.json()
        if isinstance(body, dict) and body.get("code"):
            return f"{exc} {body['code']}"
        if b"<html" in exc.body[:500].lower():
            return f"{exc} (HTML page)"
    return str(exc)


# ---------------------------------------------------------------------------------------------
# REST


def rest(ctx: CollectContext, site: str, tried: set[str]) -> CollectResult:
    root = ctx.source.options.get("api_base") or ctx.state.get(STATE_ROOT) or discover_api_root(ctx, site)
    if not root:
        raise RouteUnavailable("the site advertises no REST API (no rel=\"https://api.w.org/\")")
    ctx.state[STATE_ROOT] = root
    tried.add(root)
    return rest_posts(ctx, root, "rest_route" if "rest_route=" in root else "rest")


def rest_route(ctx: CollectContext, site: str, tried: set[str]) -> CollectResult | None:
    root = f"{site}/?rest_route=/"
    if root in tried:
        return None
    tried.add(root)
    return rest_posts(ctx, root, "rest_route")


def discover_api_root(ctx: CollectContext, site: str) -> str | None:
    """The API root from the home page's Link header, else from its <link> tag."""
    response = ctx.http.get(site + "/")
    for link in response.links:
        if link.get("rel") == API_REL and link.get("url"):
            return urljoin(response.url, link["url"])
    if "html" not in response.content_type and response.content_type:
        return None
    soup = BeautifulSoup(response.text, "lxml")
    tag = soup.find("link", rel=lambda value: value and API_REL in value, href=True)
    return urljoin(response.url, tag["href"]) if tag else None


def endpoint(root: str, route: str) -> tuple[str, dict[str, str]]:
    """URL and base query for a REST route under a root: `/wp-json/` or `/?rest_route=/`."""
    parts = urlsplit(root)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if "rest_route" in query:
        query["rest_route"] = query["rest_route"].rstrip("/") + "/" + route
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", "")), query
    base = root if root.endswith("/") else root + "/"
    return urljoin(base, route), query


def after_param(since: datetime, ctx: CollectContext) -> str:
    """`after` as WordPress accepts it: a full date-time, no offset, site-local, a day early.

    A bare date (`2025-09-01`) is refused with 400 rest_invalid_param.
    """
    return (since - AFTER_MARGIN).astimezone(ctx.zone).strftime("%Y-%m-%dT%H:%M:%S")


def rest_posts(ctx: CollectContext, root: str, route: str) -> CollectResult:
    url, base_query = endpoint(root, "wp/v2/posts")
    posts: list[Post] = []
    errors: list[str] = []
    for page in range(1, MAX_PAGES + 1):
        params = {**base_query, "after": after_param(ctx.since, ctx), "_fields": FIELDS, "per_page": PER_PAGE,
                  "page": page, "orderby": "date", "order": "desc"}
        try:
            response = ctx.http.get(url, params=params, conditional=page == 1)
        except HttpStatusError as exc:
            body = exc.json()
            if exc.status == 400 and isinstance(body, dict) and body.get("code") == "rest_post_invalid_page_number":
                break  # past the last page: the end of the list, not an error
            raise
        if response.not_modified:
            return CollectResult(route=route, not_modified=True)
        items = json_items(response)
        for item in items:
            try:
                posts.append(post_from_rest(item, ctx))
            except (KeyError, TypeError, ValueError) as exc:
                errors.append(f"unreadable REST item {str(item)[:80]!r}: {exc}")
        total_pages = _int(response.headers.get("X-WP-TotalPages"))
        if not items or (total_pages is not None and page >= total_pages):
            break
        if posts and min(p.published_at for p in posts) < ctx.since:
            break  # newest first: a site that ignores `after` (old core, a plugin) has nothing newer further on
        if total_pages is None and len(items) < PER_PAGE:
            break
    else:
        log.warning("%s: stopped after %d REST pages", ctx.source.source_id, MAX_PAGES)
    wanted = [p for p in posts if p.published_at >= ctx.since]
    return CollectResult(posts=wanted, route=route, item_errors=errors)


def json_items(response: Response) -> list[dict]:
    """The posts array; a WAF or a security plugin answering HTML with 200 is a ParseError."""
    if "json" not in response.content_type:
        raise ParseError(f"expected JSON, got {response.content_type or 'no content type'} "
                         f"(a firewall or security plugin page?) from {response.url}")
    try:
        data = response.json()
    except ValueError as exc:
        data = after_php_notices(response.text)
        if data is None:
            raise ParseError(f"invalid JSON from {response.url}: {exc}") from exc
    if not isinstance(data, list):
        raise ParseError(f"expected a list of posts, got {type(data).__name__}")
    return data


def after_php_notices(text: str):
    """The JSON of a site that prints PHP notices before it (WP_DEBUG_DISPLAY left on), or None."""
    start = text.find("[{")
    if start < 0:
        start = text.find("[]")
    if start <= 0:
        return None
    try:
        return json.loads(text[start:])
    except ValueError:
        return None


def post_from_rest(item: dict, ctx: CollectContext) -> Post:
    """One REST post; dated by date_gmt (UTC), else by the site-local date."""
    gmt = item.get("date_gmt")
    if gmt:
        published = datetime.fromisoformat(gmt).replace(tzinfo=UTC)
    else:
        published = datetime.fromisoformat(item["date"]).replace(tzinfo=ctx.zone).astimezone(UTC)
    title = item.get("title") or {}
    rendered = title.get("rendered", "") if isinstance(title, dict) else str(title)
    return Post(
        source_id=ctx.source.source_id,
        external_id=str(int(item["id"])),
        url=item.get("link") or "",
        title=text_of(rendered),
        published_at=published,
    )


def text_of(rendered: str) -> str:
    """`title.rendered` is HTML (`&#8211;`, sometimes <em>): plain text, as data."""
    return " ".join(html.unescape(TAGS.sub("", rendered or "")).split())


# ---------------------------------------------------------------------------------------------
# RSS


def rss(ctx: CollectContext, site: str, tried: set[str]) -> CollectResult:
    """`/feed/` page by page while entries remain and the oldest is newer than `since`."""
    try:
        return rss_pages(ctx, f"{site}/feed/", "paged")
    except HttpStatusError as exc:
        if exc.status != 404:
            raise
    # Sites without pretty permalinks serve their feed only as ?feed=rss2.
    return rss_pages(ctx, f"{site}/?feed=rss2", "paged")


class WatchedHttp:
    """Passes requests on and keeps the last response, to check what read_feed was given."""

    def __init__(self, http):
        self.http = http
        self.last: Response | None = None

    def get(self, url, **kwargs) -> Response:
        self.last = self.http.get(url, **kwargs)
        return self.last


def is_whole_feed(response: Response) -> bool:
    """The document reaches its closing root tag (a cache plugin's comment may follow it)."""
    return feed.reaches_its_end(response.content)


def is_feed(response: Response | None) -> bool:
    """A site that ignores /feed/ or ?feed=rss2 answers its home page, which parses as an empty feed."""
    if response is None:
        return False
    head = response.content[:4096].lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def rss_pages(ctx: CollectContext, feed_url: str, page_param: str) -> CollectResult:
    posts: dict[str, Post] = {}
    errors: list[str] = []
    complete = False
    watched = WatchedHttp(ctx.http)
    feed_ctx = replace(ctx, http=watched)
    for page in range(1, MAX_PAGES + 1):
        url = feed_url if page == 1 else with_query(feed_url, {page_param: str(page)})
        try:
            result = read_feed(feed_ctx, url, "rss")
        except HttpStatusError as exc:
            if page > 1 and exc.status == 404:
                complete = True  # past the last page
                break
            raise
        except ParseError as exc:
            if watched.last is not None and is_feed(watched.last) and not is_whole_feed(watched.last):
                raise BrokenAnswer(f"feed cut short (a PHP error mid-document?) at {url}") from exc
            raise
        if not is_feed(watched.last):
            if page == 1:
                raise ParseError(f"not an RSS feed ({watched.last.content_type if watched.last else '?'}) at {url}")
            complete = True  # a site that answers its home page past the last feed page
            break
        if not is_whole_feed(watched.last):
            raise BrokenAnswer(f"feed cut short (a PHP error mid-document?) at {url}")
        errors.extend(result.item_errors)
        fresh = [p for p in result.posts if p.external_id not in posts]
        for post in result.posts:
            posts[post.external_id] = post
        if not result.truncated:
            complete = True  # reached back to `since`, or the feed ran out
            break
        if not fresh:
            break  # the site ignores ?paged and repeats page 1: older posts are out of reach
    return CollectResult(posts=list(posts.values()), route="rss", truncated=not complete, item_errors=errors)


def with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *extra.items()]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


# ---------------------------------------------------------------------------------------------
# HTML listing


def html_listing(ctx: CollectContext, site: str, tried: set[str]) -> CollectResult:
    """The theme's front-page listing, `/page/N/` until a page reaches back to `since`."""
    posts: dict[str, Post] = {}
    errors: list[str] = []
    complete = False
    for page in range(1, MAX_PAGES + 1):
        url = f"{site}/" if page == 1 else f"{site}/page/{page}/"
        try:
            response = ctx.http.get(url)
        except HttpStatusError as exc:
            if page > 1 and exc.status == 404:
                complete = True
                break
            raise
        found = listing_posts(ctx, response, errors)
        if not found:
            if page == 1:
                raise ParseError(f"no dated <article> in the listing at {response.url}")
            complete = True
            break
        fresh = [p for p in found if p.external_id not in posts]
        for post in found:
            posts[post.external_id] = post
        if min(p.published_at for p in found) < ctx.since:
            complete = True
            break
        if not fresh:
            break
    wanted = [p for p in posts.values() if p.published_at >= ctx.since]
    return CollectResult(posts=wanted, route="html", truncated=not complete, item_errors=errors)


def listing_posts(ctx: CollectContext, response: Response, errors: list[str]) -> list[Post]:
    soup = BeautifulSoup(response.text, "lxml")
    found = []
    for article in soup.find_all("article"):
        anchor = (article.select_one(".entry-title a[href]") or article.select_one("a[rel~=bookmark][href]")
                  or article.select_one("h1 a[href], h2 a[href], h3 a[href]"))
        if anchor is None:
            continue
        link = urljoin(response.url, anchor["href"])
        title = " ".join(anchor.get_text(" ").split())
        stamp = article.select_one("time.entry-date[datetime]") or article.select_one("time[datetime]")
        try:
            raw = stamp["datetime"] if stamp else published_time_of(ctx, link)
        except (HttpStatusError, ParseError) as exc:
            errors.append(f"{exc} while reading the date of {link}")
            continue
        if not raw:
            errors.append(f"no date for {link}")
            continue
        try:
            when = parse_date(raw, ctx.zone, ctx.now)
        except DateParseError as exc:
            errors.append(f"{exc} on {link}")
            continue
        found.append(Post(ctx.source.source_id, listing_id(article, link), link, title, when.when,
                          date_only=when.date_only))
    return found


def listing_id(article, link: str) -> str:
    """The WordPress post id (`<article id="post-123">`), the same id REST and RSS give."""
    for value in (article.get("id") or "", " ".join(article.get("class") or [])):
        if match := POST_ID.search(value):
            return match.group(1)
    if match := GUID_ID.search(link):
        return match.group(1)
    return link


def published_time_of(ctx: CollectContext, link: str) -> str | None:
    """`article:published_time` of a post page, for themes whose listing shows no <time>."""
    response = ctx.http.get(link)
    soup = BeautifulSoup(response.text, "lxml")
    meta = soup.find("meta", attrs={"property": "article:published_time"})
    return meta.get("content") if meta else None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


ROUTE_FUNCTIONS: dict[str, Callable[[CollectContext, str, set[str]], CollectResult | None]] = {
    "rest": rest,
    "rest_route": rest_route,
    "rss": rss,
    "html": html_listing,
}
