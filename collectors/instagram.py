"""Instagram through the Graph API's Business Discovery, via the regency's own professional account.

`GET {api}/{IG_USER_ID}?fields=business_discovery.username(TARGET){followers_count,media_count,
media.limit(50){...}}` returns the target's counts and its newest media; the next page is asked
for with `media.after(CURSOR).limit(50)` inside the same field expansion, the cursor coming from
`business_discovery.media.paging.cursors.after`. There is no `since` filter: pages come
newest-first and paging stops once a page ends before `ctx.since`.

The target must be a Business or Creator account; a personal account answers as not found.
A hidden like count is absent from the answer and stays None, never 0.
"""

from __future__ import annotations

import logging

from collectors.base import CollectContext, CollectResult
from collectors.errors import NotCollectable, ParseError
from collectors.graph import api_root, graph_get
from collectors.social_text import count, excerpt_of, graph_time, title_of
from pantau.models import Post

log = logging.getLogger(__name__)

MEDIA_FIELDS = "id,timestamp,caption,like_count,comments_count,permalink,media_type,media_product_type"
PAGE_SIZE = 50
MAX_PAGES = 100  # 5,000 media: far beyond a year of any government account


def discovery_fields(username: str, cursor: str | None) -> str:
    media = f"media.limit({PAGE_SIZE})" if cursor is None else f"media.after({cursor}).limit({PAGE_SIZE})"
    return f"business_discovery.username({username}){{followers_count,media_count,{media}{{{MEDIA_FIELDS}}}}}"


def media_post(item: dict, source_id: str) -> Post:
    """One Business Discovery media object as a post."""
    media_id = str(item.get("id") or "")
    if not media_id:
        raise ParseError("media without id")
    caption = item.get("caption") or ""
    return Post(
        source_id=source_id,
        external_id=media_id,
        url=str(item.get("permalink") or ""),
        title=title_of(caption) or str(item.get("media_product_type") or item.get("media_type") or ""),
        published_at=graph_time(item.get("timestamp")),
        excerpt=excerpt_of(caption),
        likes=count(item.get("like_count")),
        comments=count(item.get("comments_count")),
    )


def collect(ctx: CollectContext) -> CollectResult:
    token = ctx.credentials.get("PANTAU_IG_TOKEN")
    own_account = ctx.credentials.get("PANTAU_IG_USER_ID")
    if not token or not own_account:
        raise NotCollectable("token needed: set PANTAU_IG_TOKEN and PANTAU_IG_USER_ID")
    username = ctx.source.address.strip().lstrip("@")
    url = f"{api_root(ctx.source.options)}/{own_account}"
    result = CollectResult(route="api")
    cursor: str | None = None
    seen_cursors: set[str] = set()
    media_types: dict[str, int] = {}
    for page in range(MAX_PAGES):
        payload = graph_get(ctx, url, {"fields": discovery_fields(username, cursor)}, token)
        discovery = payload.get("business_discovery")
        if not isinstance(discovery, dict):
            raise ParseError("Graph API answer has no business_discovery object")
        if page == 0:
            result.account = {"followers": count(discovery.get("followers_count")),
                              "media_count": count(discovery.get("media_count"))}
        media = discovery.get("media") or {}
        items = media.get("data") or []
        page_oldest = None
        for item in items:
            try:
                post = media_post(item, ctx.source.source_id)
            except ParseError as exc:
                result.item_errors.append(f"{exc} in media {item.get('id', '?')}")
                continue
            kind = str(item.get("media_product_type") or item.get("media_type") or "unknown").lower()
            page_oldest = post.published_at
            if post.published_at >= ctx.since:
                result.posts.append(post)
                media_types[kind] = media_types.get(kind, 0) + 1
        cursor = ((media.get("paging") or {}).get("cursors") or {}).get("after")
        # The last item of a page is its oldest (a pinned post may sit older at the top).
        if not items or page_oldest is None or page_oldest < ctx.since or not cursor or cursor in seen_cursors:
            break
        seen_cursors.add(cursor)
    else:
        result.notes.append(f"stopped after {MAX_PAGES} pages")
    if media_types:
        result.notes.append("media_types=" + ",".join(f"{k}:{v}" for k, v in sorted(media_types.items())))
    log.info("instagram %s: %d media since %s", ctx.source.source_id, len(result.posts), ctx.since.isoformat())
    return result
