"""Graph API answers (SOURCES.md sections 5 and 6), under the source's `api_base`
(= https://graph.facebook.com/v25.0).

- Instagram Business Discovery: `GET {api}/{IG_USER_ID}?fields=business_discovery.username(X)
  {followers_count,media_count,media.after(C).limit(N){id,timestamp,...}}` with the media
  list paged inside the field expansion by `paging.cursors.after`; timestamps `+0000`.
- Facebook Page `GET {api}/{page-id}/published_posts?fields=…&limit=N&after=C`, standard paging
  object with `cursors` and an absolute `next` link that carries the access token.
- No token: 400 OAuthException code 104; unknown account: code 110 / 803.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from urllib.parse import urlencode

from pantau.sim.formats import Reply, Request, json_reply, newest
from pantau.sim.world import Channel, SimPost

PREFIX = "/graph/v25.0"
USERNAME = re.compile(r"business_discovery\.username\(([^)]+)\)")
MEDIA_AFTER = re.compile(r"media(?:\.[a-z_]+\([^)]*\))*\.after\(([^)]*)\)")
MEDIA_LIMIT = re.compile(r"media(?:\.[a-z_]+\([^)]*\))*\.limit\((\d+)\)")
DEFAULT_LIMIT = 25
MAX_LIMIT = 100


def graph_error(message: str, code: int, status: int = 400, kind: str = "OAuthException") -> Reply:
    return json_reply({"error": {"message": message, "type": kind, "code": code,
                                 "fbtrace_id": "AbCdEfGhIjKlMnOp"}}, status=status)


def cursor_for(post: SimPost) -> str:
    return base64.urlsafe_b64encode(f"QVFI{post.external_id}".encode()).decode().rstrip("=")


def offset_after(posts: list[SimPost], cursor: str) -> int | None:
    try:
        external = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().removeprefix("QVFI")
    except (ValueError, UnicodeDecodeError):
        return None
    for index, post in enumerate(posts):
        if post.external_id == external:
            return index + 1
    return None


def graph_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def respond_instagram(channel: Channel, req: Request) -> Reply:
    if not req.arg("access_token"):
        return graph_error("An access token is required to request this resource.", 104)
    fields = req.arg("fields") or ""
    match = USERNAME.search(fields)
    if not match:
        return graph_error("(#100) Tried accessing nonexisting field", 100)
    if match.group(1) != channel.handle:
        return graph_error(f"(#110) Invalid user id: {match.group(1)}", 110)
    posts = channel.visible(req.now)
    limit = min(int(m.group(1)) if (m := MEDIA_LIMIT.search(fields)) else DEFAULT_LIMIT, MAX_LIMIT)
    start = 0
    if after := MEDIA_AFTER.search(fields):
        start = offset_after(posts, after.group(1))
        if start is None:
            return graph_error("(#100) Invalid cursor", 100)
    chunk = posts[start: start + limit]
    media = {"data": [{
        "id": p.external_id, "timestamp": graph_time(p.published), "caption": p.title,
        "like_count": p.likes, "comments_count": p.comments,
        "permalink": f"{req.base}/instagram/p/{p.external_id}/",
        "media_type": "IMAGE" if p.number % 3 else "VIDEO",
        "media_product_type": "FEED" if p.number % 3 else "REELS"} for p in chunk]}
    if chunk:
        cursors = {"before": cursor_for(chunk[0])}
        if start + limit < len(posts):
            cursors["after"] = cursor_for(chunk[-1])
        media["paging"] = {"cursors": cursors}
    discovery = {"username": channel.handle, "followers_count": 1200 + len(posts) * 7,
                 "media_count": len(posts), "id": str(17841400000000000 + channel.host_index)}
    if "media" in fields:
        discovery["media"] = media
    ig_user = req.path[len(PREFIX):].strip("/")
    return json_reply({"business_discovery": discovery, "id": ig_user}, last_modified=newest(chunk))


def respond_facebook(channel: Channel, req: Request, edge: str) -> Reply:
    if not req.arg("access_token"):
        return graph_error("An access token is required to request this resource.", 104)
    if edge not in ("published_posts", "posts", "feed"):
        return graph_error(f"(#100) Unknown path components: /{edge}", 2500)
    posts = channel.visible(req.now)
    since, until = req.int_arg("since", 0), req.int_arg("until", 0)
    if since:
        posts = [p for p in posts if p.published.timestamp() >= since]
    if until:
        posts = [p for p in posts if p.published.timestamp() < until]
    limit = min(req.int_arg("limit", DEFAULT_LIMIT) or DEFAULT_LIMIT, MAX_LIMIT)
    start = 0
    if req.arg("after"):
        start = offset_after(posts, req.arg("after"))
        if start is None:
            return graph_error("(#100) Invalid cursor", 100)
    chunk = posts[start: start + limit]
    data = [{"id": p.external_id, "created_time": graph_time(p.published), "message": p.title,
             "permalink_url": f"{req.base}/facebook/{p.external_id.replace('_', '/posts/')}",
             "shares": {"count": p.comments // 2},
             "reactions": {"data": [], "summary": {"total_count": p.likes}},
             "comments": {"data": [], "summary": {"total_count": p.comments, "can_comment": False}}}
            for p in chunk]
    payload: dict = {"data": data}
    if chunk:
        paging: dict = {"cursors": {"before": cursor_for(chunk[0]), "after": cursor_for(chunk[-1])}}
        if start + limit < len(posts):
            query = {k: v[0] for k, v in req.query.items() if k != "after"}
            query["after"] = cursor_for(chunk[-1])
            paging["next"] = f"{req.base}{req.path}?{urlencode(query)}"
        payload["paging"] = paging
    return json_reply(payload, last_modified=newest(chunk))
