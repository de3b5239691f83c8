"""A Facebook Page's own posts through the Graph API (`/{page-id}/published_posts`).

Needs a token the agency owns (a Page token, or a system-user token with Page Public Content
Access); without one the source is recorded as not collectable. `since` is sent as a Unix time,
but some API versions applied it to `updated_time`, so `created_time` is filtered again here.
Pages are newest-first; paging follows `paging.next` (time-based with `since`, or cursors),
rebuilt from its query so the token-carrying link itself is never kept.
"""

from __future__ import annotations

import logging

from collectors.base import CollectContext, CollectResult
from collectors.errors import NotCollectable, ParseError
from collectors.graph import api_root, graph_get, next_page_params
from collectors.social_text import count, excerpt_of, graph_time, title_of
from pantau.models import Post

log = logging.getLogger(__name__)

POST_FIELDS = ("id,created_time,message,permalink_url,shares,"
               "reactions.summary(total_count).limit(0),comments.summary(true).limit(0)")
PAGE_SIZE = 100
MAX_PAGES = 100


def page_post(item: dict, source_id: str) -> Post:
    post_id = str(item.get("id") or "")
    if not post_id:
        raise ParseError("post without id")
    message = item.get("message") or ""
    reactions = ((item.get("reactions") or {}).get("summary") or {}).get("total_count")
    comments = ((item.get("comments") or {}).get("summary") or {}).get("total_count")
    return Post(
        source_id=source_id,
        external_id=post_id,
        url=str(item.get("permalink_url") or ""),
        title=title_of(message),
        published_at=graph_time(item.get("created_time")),
        excerpt=excerpt_of(message),
        likes=count(reactions),
        comments=count(comments),
    )


def collect(ctx: CollectContext) -> CollectResult:
    token = ctx.credentials.get("PANTAU_FB_TOKEN")
    if not token:
        raise NotCollectable("token needed: set PANTAU_FB_TOKEN")
    url = f"{api_root(ctx.source.options)}/{ctx.source.address.strip()}/published_posts"
    params: dict[str, str] = {"fields": POST_FIELDS, "since": str(int(ctx.since.timestamp())),
                              "limit": str(PAGE_SIZE)}
    result = CollectResult(route="api")
    seen_pages: set[tuple] = set()
    shares = 0
    for _ in range(MAX_PAGES):
        payload = graph_get(ctx, url, params, token)
        items = payload.get("data")
        if not isinstance(items, list):
            raise ParseError("Graph API answer has no data list")
        page_oldest = None
        for item in items:
            try:
                post = page_post(item, ctx.source.source_id)
            except ParseError as exc:
                result.item_errors.append(f"{exc} in post {item.get('id', '?')}")
                continue
            page_oldest = post.published_at
            if post.published_at >= ctx.since:
                result.posts.append(post)
                shares += count((item.get("shares") or {}).get("count")) or 0
        following = next_page_params(payload.get("paging") or {})
        if not items or following is None or (page_oldest is not None and page_oldest < ctx.since):
            break
        key = tuple(sorted(following.items()))
        if key in seen_pages:
            break
        seen_pages.add(key)
        params = following
    else:
        result.notes.append(f"stopped after {MAX_PAGES} pages")
    result.notes.append(f"shares={shares}")
    log.info("facebook %s: %d posts since %s", ctx.source.source_id, len(result.posts), ctx.since.isoformat())
    return result
