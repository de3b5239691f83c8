"""YouTube channels through the Data API v3, when PANTAU_YOUTUBE_KEY is configured.

channels.list (`forHandle=@x`, `id=UC…` or `forUsername=`) gives the uploads playlist (UU…),
cached in the source's state; playlistItems.list pages it newest-first, 50 at a time, until a
video published before `since` appears (counted by `contentDetails.videoPublishedAt`, the
video's publication, not `snippet.publishedAt`, the time it entered the playlist);
videos.list adds views, likes and comments for up to 50 ids per call, only when the window
holds a video the last run did not see: a re-run with nothing new costs one call (the
orchestrator's since overlaps the newest stored video, whose statistics were taken when it was new;
a stored count is kept when a post comes back without one). Each call costs one quota unit of
the 10,000 a day; the units used are reported in the attempt notes.
The key travels as the `key` query parameter and never appears in a message.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from collectors.base import CollectContext, CollectResult
from collectors.errors import AuthError, CollectorError, HttpStatusError, NotCollectable, ParseError, SourceNotFound
from collectors.social_text import count, excerpt_of, graph_time
from pantau.models import Post
from pantau.redaction import redact_text, register_secret

log = logging.getLogger(__name__)

DATA_API = "https://www.googleapis.com/youtube/v3"
PAGE_SIZE = 50
MAX_PAGES = 40
CHANNEL_ID = re.compile(r"^UC[\w-]{22}$")
HANDLE = re.compile(r"^@[\w.-]{3,30}$")
TAGS = re.compile(r"<[^>]+>")
# Videos whose statistics were taken, remembered in the source state: those published within
# this long of the newest one, a margin over the orchestrator's 3-day overlap.
STATS_STATE = "youtube_api_stats"
STATS_MEMORY = timedelta(days=7)


class YoutubeApiError(CollectorError):
    kind = "api_error"


class YoutubeKeyInvalid(AuthError):
    """400 keyInvalid / API_KEY_INVALID: the key is wrong, deleted or restricted."""

    kind = "key_invalid"


class YoutubeForbidden(AuthError):
    """403 accessNotConfigured / forbidden: the API is not enabled for the key's project."""

    kind = "api_forbidden"


class YoutubeQuotaExceeded(CollectorError):
    """403 quotaExceeded / dailyLimitExceeded: the day's 10,000 units are spent (reset at midnight PT)."""

    kind = "quota_exceeded"


class YoutubeRateLimited(CollectorError):
    kind = "rate_limited"


class YoutubeChannelNotFound(SourceNotFound):
    kind = "channel_not_found"


KEY_REASONS = {"keyinvalid", "api_key_invalid", "keyexpired", "api_key_expired"}
QUOTA_REASONS = {"quotaexceeded", "dailylimitexceeded", "dailylimitexceededunreg"}
RATE_REASONS = {"ratelimitexceeded", "userratelimitexceeded", "rate_limit_exceeded"}
FORBIDDEN_REASONS = {"accessnotconfigured", "service_disabled", "forbidden", "api_key_service_blocked",
                     "api_key_http_referrer_blocked", "api_key_ip_address_blocked"}
NOT_FOUND_REASONS = {"playlistnotfound", "channelnotfound", "notfound"}


def api_error(status: int, payload: Any, key: str) -> CollectorError:
    """The typed error for a Data API error body."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return YoutubeApiError(f"YouTube Data API HTTP {status} without an error object")
    reasons = {str(e.get("reason", "")).lower() for e in error.get("errors") or [] if isinstance(e, dict)}
    reasons |= {str(d.get("reason", "")).lower() for d in error.get("details") or [] if isinstance(d, dict)}
    message = " ".join(TAGS.sub("", str(error.get("message", ""))).split())
    message = redact_text(message, (key,))
    # The reasons are the server's words too: the whole label is redacted, not the message alone.
    label = redact_text(f"YouTube Data API {status} {'/'.join(sorted(r for r in reasons if r))}: {message}", (key,))
    if reasons & KEY_REASONS or "api key not valid" in message.lower():
        return YoutubeKeyInvalid(label)
    if reasons & QUOTA_REASONS:
        return YoutubeQuotaExceeded(label)
    if reasons & RATE_REASONS or status == 429:
        return YoutubeRateLimited(label)
    if reasons & FORBIDDEN_REASONS:
        return YoutubeForbidden(label)
    if reasons & NOT_FOUND_REASONS or status == 404:
        return YoutubeChannelNotFound(label)
    return YoutubeApiError(label)


class DataApi:
    """Calls of one collection, counting quota units."""

    def __init__(self, ctx: CollectContext, key: str):
        self.ctx = ctx
        self.key = key
        self.root = str(ctx.source.options.get("api_base") or DATA_API).rstrip("/")
        self.units = 0

    def get(self, resource: str, params: dict[str, str]) -> dict:
        self.units += 1  # a failed call is charged too
        try:
            response = self.ctx.http.get(f"{self.root}/{resource}", params={**params, "key": self.key}, api=True)
        except HttpStatusError as exc:
            payload = exc.json()
            if payload is None:
                raise exc from None
            raise api_error(exc.status, payload, self.key) from None
        try:
            payload = response.json()
        except (UnicodeDecodeError, ValueError) as exc:
            raise ParseError(f"YouTube Data API {resource} answer is not JSON") from exc
        if not isinstance(payload, dict):
            raise ParseError(f"YouTube Data API {resource} answer is not a JSON object")
        return payload


def channel_query(address: str) -> dict[str, str]:
    """channels.list parameters that identify the channel of a registry address."""
    address = address.strip()
    if HANDLE.match(address):
        return {"forHandle": address}
    if CHANNEL_ID.match(address):
        return {"id": address}
    parts = urlsplit(address)
    query = parse_qs(parts.query)
    if "channel_id" in query:
        return {"id": query["channel_id"][0]}
    if "playlist_id" in query:  # UU…, UULF…, UUSH… are the channel's uploads
        playlist = query["playlist_id"][0]
        rest = playlist[4:] if playlist[:4] in ("UULF", "UUSH", "UULV") else playlist[2:]
        return {"id": "UC" + rest}
    # Any position in the path: behind a proxy (or the simulator) channel pages sit under a prefix.
    segments = [s for s in parts.path.split("/") if s]
    for here, after in zip(segments, [*segments[1:], ""], strict=True):
        if HANDLE.match(here):
            return {"forHandle": here}
        if here == "channel" and CHANNEL_ID.match(after):
            return {"id": after}
        if here == "user" and after:
            return {"forUsername": after}
    raise NotCollectable(f"cannot tell the channel of {address!r}: register its @handle or /channel/UC… URL")


def uploads_playlist(api: DataApi, ctx: CollectContext) -> str:
    cached = ctx.state.get("youtube_api") or {}
    if cached.get("address") == ctx.source.address and cached.get("uploads"):
        return str(cached["uploads"])
    payload = api.get("channels", {"part": "contentDetails", **channel_query(ctx.source.address)})
    items = payload.get("items") or []
    if not items:
        raise YoutubeChannelNotFound(f"no YouTube channel for {ctx.source.address!r}")
    uploads = ((items[0].get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads")
    if not uploads:
        raise ParseError("channels.list answer has no uploads playlist")
    ctx.state["youtube_api"] = {"address": ctx.source.address, "channel_id": items[0].get("id", ""),
                                "uploads": uploads}
    return str(uploads)


def collect(ctx: CollectContext) -> CollectResult:
    key = ctx.credentials.get("PANTAU_YOUTUBE_KEY")
    if not key:
        raise NotCollectable("key needed: set PANTAU_YOUTUBE_KEY")
    register_secret(key)  # every writer masks it from now on, in every encoding
    api = DataApi(ctx, key)
    result = CollectResult(route="api")
    try:
        was_cached = bool(ctx.state.get("youtube_api"))
        playlist = uploads_playlist(api, ctx)
        try:
            videos = list_uploads(api, ctx, playlist, result)
        except YoutubeChannelNotFound:
            if not was_cached:
                raise
            # The cached uploads playlist vanished (channel moved?): resolve the channel again, once.
            ctx.state.pop("youtube_api", None)
            videos = list_uploads(api, ctx, uploads_playlist(api, ctx), result)
        if statistics_needed(ctx, playlist, videos):
            add_statistics(api, videos)
            remember_statistics(ctx, playlist, videos)
        else:
            result.notes.append("statistics skipped: no video new since the last run")
    finally:
        log.info("youtube api %s: %d quota units", ctx.source.source_id, api.units)
    result.posts = list(videos.values())
    result.notes.append(f"quota_units={api.units}")
    return result


def list_uploads(api: DataApi, ctx: CollectContext, playlist: str, result: CollectResult) -> dict[str, Post]:
    videos: dict[str, Post] = {}
    params = {"part": "snippet,contentDetails", "playlistId": playlist, "maxResults": str(PAGE_SIZE)}
    unpublished = 0
    for _ in range(MAX_PAGES):
        payload = api.get("playlistItems", params)
        reached_since = False
        for item in payload.get("items") or []:
            details, snippet = item.get("contentDetails") or {}, item.get("snippet") or {}
            video_id = details.get("videoId") or (snippet.get("resourceId") or {}).get("videoId")
            if not details.get("videoPublishedAt"):
                unpublished += 1  # private or deleted videos keep a playlist item without a date
                continue
            try:
                when = graph_time(details["videoPublishedAt"])
            except ParseError as exc:
                result.item_errors.append(f"{exc} in video {video_id}")
                continue
            if when < ctx.since:
                reached_since = True
                continue
            if not video_id:
                result.item_errors.append("playlist item without a video id")
                continue
            videos[video_id] = Post(
                source_id=ctx.source.source_id,
                external_id=video_id,
                url=f"https://www.youtube.com/watch?v={video_id}",
                title=str(snippet.get("title") or ""),
                published_at=when,
                excerpt=excerpt_of(snippet.get("description")),
            )
        token = payload.get("nextPageToken")
        if reached_since or not token:
            break
        params = {**params, "pageToken": token}
    if unpublished:
        result.notes.append(f"undated_items={unpublished}")
    return videos


def statistics_needed(ctx: CollectContext, playlist: str, videos: dict[str, Post]) -> bool:
    """True when the window holds a video whose statistics the last successful run did not take."""
    known = ctx.state.get(STATS_STATE) or {}
    if known.get("playlist") != playlist:
        return bool(videos)
    return not set(videos) <= set(known.get("ids") or [])


def remember_statistics(ctx: CollectContext, playlist: str, videos: dict[str, Post]) -> None:
    if not videos:
        return
    newest = max(p.published_at for p in videos.values())
    recent = sorted(vid for vid, p in videos.items() if p.published_at >= newest - STATS_MEMORY)
    ctx.state[STATS_STATE] = {"playlist": playlist, "ids": recent}


def add_statistics(api: DataApi, videos: dict[str, Post]) -> None:
    ids = list(videos)
    for start in range(0, len(ids), PAGE_SIZE):
        chunk = ids[start:start + PAGE_SIZE]
        payload = api.get("videos", {"part": "statistics", "id": ",".join(chunk), "maxResults": str(PAGE_SIZE)})
        for item in payload.get("items") or []:
            post = videos.get(item.get("id"))
            stats = item.get("statistics") or {}
            if post is None:
                continue
            # likeCount is absent when the owner hides it, commentCount when comments are off.
            post.views = count(stats.get("viewCount"))
            post.likes = count(stats.get("likeCount"))
            post.comments = count(stats.get("commentCount"))
