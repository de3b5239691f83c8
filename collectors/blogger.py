"""Blogger / Blogspot blogs, through the public JSON feed (SOURCES.md section 3).

`{blog}/feeds/posts/default?alt=json&orderby=published&published-min=...` paged with
`start-index += len(entries)` until past `openSearch$totalResults`. Posts are counted by
`published` (never `updated`), whose offset is the blog's zone, often Blogger's default -07:00.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit, urlunsplit

from collectors.base import CollectContext, CollectResult
from collectors.dates import DateParseError, parse_date
from collectors.errors import ParseError
from collectors.http import Response
from pantau.models import Post

log = logging.getLogger(__name__)

# Blogger caps max-results (500, then 150 in 2016, 100 since 2019); asking more returns 100.
PAGE_SIZE = 100
MAX_PAGES = 200
POST_ID = re.compile(r"\.post-(\d+)$")


def blog_root(address: str) -> str:
    parts = urlsplit(address.strip())
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def collect(ctx: CollectContext) -> CollectResult:
    url = blog_root(ctx.source.address) + "/feeds/posts/default"
    published_min = ctx.since.astimezone(ctx.zone).isoformat(timespec="seconds")
    posts: dict[str, Post] = {}
    errors: list[str] = []
    start = 1
    for page in range(1, MAX_PAGES + 1):
        params = {"alt": "json", "orderby": "published", "published-min": published_min,
                  "max-results": PAGE_SIZE, "start-index": start}
        response = ctx.http.get(url, params=params, conditional=page == 1)
        if response.not_modified:
            return CollectResult(route="json", not_modified=True)
        feed = feed_of(response)
        entries = feed.get("entry") or []
        for entry in entries:
            try:
                post = post_from_entry(entry, ctx)
            except (KeyError, TypeError, ValueError, DateParseError) as exc:
                errors.append(f"unreadable entry {str(entry.get('id'))[:80]}: {exc}")
                continue
            posts[post.external_id] = post
        total = _int(_value(feed.get("openSearch$totalResults")))
        start += len(entries)
        if not entries or total is None or start > total:
            break
        if any(p.published_at < ctx.since for p in posts.values()):
            break  # ordered by published: the rest is older still
    else:
        log.warning("%s: stopped after %d pages", ctx.source.source_id, MAX_PAGES)
    wanted = [p for p in posts.values() if p.published_at >= ctx.since]
    return CollectResult(posts=wanted, route="json", item_errors=errors)


def feed_of(response: Response) -> dict:
    try:
        data = response.json()
    except ValueError as exc:
        raise ParseError(f"expected Blogger JSON, got {response.content_type or 'no content type'} "
                         f"from {response.url}") from exc
    feed = data.get("feed") if isinstance(data, dict) else None
    if not isinstance(feed, dict):
        raise ParseError(f"no 'feed' object in the Blogger answer from {response.url}")
    return feed


def post_from_entry(entry: dict, ctx: CollectContext) -> Post:
    entry_id = _value(entry["id"])
    match = POST_ID.search(entry_id)
    if not match:
        raise ValueError(f"not a Blogger post id: {entry_id!r}")
    url = next((link.get("href", "") for link in entry.get("link", []) if link.get("rel") == "alternate"), "")
    return Post(
        source_id=ctx.source.source_id,
        external_id=match.group(1),
        url=url,
        title=" ".join(str(_value(entry.get("title")) or "").split()),
        published_at=parse_date(_value(entry["published"]), ctx.zone, ctx.now).when,
        comments=_int(_value(entry.get("thr$total"))),
    )


def _value(node) -> str:
    """Blogger's JSON wraps every value as {"$t": value}."""
    if isinstance(node, dict):
        return node.get("$t", "")
    return node if node is not None else ""


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
