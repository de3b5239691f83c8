"""TikTok profiles: activity from the change in `videoCount`, never per-post dates.

The profile page embeds `<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">`
whose `__DEFAULT_SCOPE__["webapp.user-detail"].userInfo.{user,stats}` holds the counts. The
video list itself is fetched by signed XHR calls and is not collectable, so no posts are claimed:
the difference between two collections' `videoCount` becomes an Activity over the interval
between them. A first collection, or a count that went down (deleted videos), records none.
A page without that JSON is a parse failure, never a count of zero.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from collectors.base import CollectContext, CollectResult
from collectors.errors import ParseError, SourceNotFound
from collectors.social_text import count
from pantau.models import Activity

log = logging.getLogger(__name__)

DATA_SCRIPT = re.compile(
    r"<script[^>]*\bid=[\"']__UNIVERSAL_DATA_FOR_REHYDRATION__[\"'][^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE
)
# webapp.user-detail statusCode values for a missing or banned account (seen in public scrapers).
MISSING_ACCOUNT_CODES = {10202, 10221, 10223}


def profile_url(address: str, web_base: str | None) -> str:
    """The profile URL, on `web_base` (a test server or proxy) instead of tiktok.com when given."""
    if not web_base:
        return address
    base = urlsplit(web_base.rstrip("/"))
    parts = urlsplit(address)
    return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, ""))


def profile_counts(html: str) -> tuple[int, int | None]:
    """(videoCount, followerCount) from a profile page; ParseError when they are not there."""
    match = DATA_SCRIPT.search(html)
    if not match:
        raise ParseError("no __UNIVERSAL_DATA_FOR_REHYDRATION__ JSON in the profile page (login wall or captcha?)")
    try:
        data = json.loads(match.group(1))
    except ValueError as exc:
        raise ParseError(f"unreadable rehydration JSON: {exc}") from exc
    detail = ((data.get("__DEFAULT_SCOPE__") or {}).get("webapp.user-detail")) or {}
    user_info = detail.get("userInfo") or {}
    stats = user_info.get("stats") or user_info.get("statsV2") or {}
    if not stats:
        if detail.get("statusCode") in MISSING_ACCOUNT_CODES:
            raise SourceNotFound(f"TikTok account not found (statusCode {detail['statusCode']})")
        raise ParseError("the rehydration JSON has no webapp.user-detail userInfo.stats")
    videos = count(stats.get("videoCount"))
    if videos is None:
        raise ParseError("userInfo.stats has no videoCount")
    return videos, count(stats.get("followerCount"))


def collect(ctx: CollectContext) -> CollectResult:
    now = (ctx.now or datetime.now(UTC)).astimezone(UTC)
    url = profile_url(ctx.source.address, ctx.source.options.get("web_base"))
    response = ctx.http.get(url)
    videos, followers = profile_counts(response.text)
    result = CollectResult(route="profile", account={"followers": followers, "media_count": videos})
    previous = ctx.state.get("tiktok") or {}
    if "video_count" in previous and previous.get("collected_at"):
        before = datetime.fromisoformat(previous["collected_at"])
        delta = videos - int(previous["video_count"])
        if delta > 0 and before >= now:
            # A clock that did not move on (pinned demo time): keep the old mark so the
            # videos are counted over a real interval next time.
            result.notes.append("collection time not after the previous one: activity deferred")
            return result
        if delta > 0:
            result.activity.append(Activity(ctx.source.unit_id, ctx.source.source_id, before, now, delta))
        elif delta < 0:
            result.notes.append(f"videoCount went down by {-delta} (deleted videos): no activity recorded")
    ctx.state["tiktok"] = {"video_count": videos, "collected_at": now.isoformat()}
    log.info("tiktok %s: videoCount %d", ctx.source.source_id, videos)
    return result
