"""YouTube channels through the public feed (no key).

`https://www.youtube.com/feeds/videos.xml?channel_id=UC…` lists a channel's 15 newest uploads
as Atom (`yt:videoId`, `published` in UTC, `media:statistics views`, `media:starRating count`).
The registry address may be that feed URL, a channel URL (`/channel/UC…`), an `@handle`, or a
`/@handle`, `/c/name` or `/user/name` URL; a handle is resolved once from the channel page's own
markers (og:url, canonical link, itemprop channelId/identifier, the RSS alternate link,
`"externalId"`) — never from the first `UC…` string, as the page lists many channels — and
cached in ctx.state. The feed sometimes answers 404 or 500 with Google's HTML error page: that
is a failed attempt (raised), never "no videos".

The source option `web_base` replaces https://www.youtube.com (tests, proxies).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

from collectors.base import CollectContext, CollectResult
from collectors.dates import on_or_after
from collectors.errors import HttpStatusError, NotCollectable, ParseError, SourceNotFound
from collectors.feed import parse_feed

log = logging.getLogger(__name__)

WEB = "https://www.youtube.com"
FEED_PATH = "/feeds/videos.xml"
# The feed shows the newest 15 uploads only.
FEED_LIMIT = 15
# The credential that switches to the Data API route (collectors/youtube_api.py, separate work).
API_KEY = "PANTAU_YOUTUBE_KEY"
CHANNEL_ID = re.compile(r"^UC[\w-]{22}$")
CHANNEL_PATH = re.compile(r"/channel/(UC[\w-]{22})(?![\w-])")
FEED_PARAM = re.compile(r"[?&]channel_id=(UC[\w-]{22})(?![\w-])")
# "channelMetadataRenderer":{"title":"…","externalId":"UC…"} in ytInitialData.
EXTERNAL_ID = re.compile(r'"externalId"\s*:\s*"(UC[\w-]{22})"')
HANDLE = re.compile(r"^@[\w.-]{3,30}$")
STATE_KEY = "youtube_channel"


def collect(ctx: CollectContext) -> CollectResult:
    # With a Data API key, the uploads playlist reaches past the feed's 15 newest videos.
    if ctx.credentials.get(API_KEY):
        from collectors import youtube_api

        return youtube_api.collect(ctx)
    return collect_feed(ctx)


def collect_feed(ctx: CollectContext) -> CollectResult:
    web = web_base(ctx)
    url, params = feed_request(ctx, web)
    response = ctx.http.get(url, params=params)
    if response.not_modified:
        return CollectResult(route="feed", not_modified=True)
    items = parse_feed(response.content, ctx.source.source_id, ctx.zone,
                           response.headers.get("Content-Type", ""))
    if items.entries and not items.posts:
        raise ParseError(f"no dated entry in the channel feed ({len(items.item_errors)} undated)")
    wanted = [p for p in items.posts if on_or_after(p.published_at, p.date_only, ctx.since, ctx.zone)]
    oldest = min((p.published_at for p in items.posts), default=None)
    # A full feed whose oldest video is still newer than `since` may hide older uploads.
    truncated = items.entries >= FEED_LIMIT and oldest is not None and oldest > ctx.since
    return CollectResult(posts=wanted, route="feed", truncated=truncated, item_errors=items.item_errors)


def web_base(ctx: CollectContext) -> str:
    return str((ctx.source.options or {}).get("web_base") or WEB).rstrip("/")


def feed_request(ctx: CollectContext, web: str) -> tuple[str, dict[str, str]]:
    """The feed URL and its query for the source's address."""
    address = ctx.source.address.strip()
    parts = urlsplit(address)
    if parts.path.endswith(FEED_PATH):
        query = {k: v[0] for k, v in parse_qs(parts.query).items() if k in ("channel_id", "playlist_id")}
        if not query:
            raise NotCollectable(f"feed URL without channel_id or playlist_id: {address}")
        return web + FEED_PATH, query
    return web + FEED_PATH, {"channel_id": channel_id(ctx, web)}


def channel_id(ctx: CollectContext, web: str) -> str:
    """The UC… id for the address: read from it, from the cache, or from the channel page."""
    address = ctx.source.address.strip()
    if CHANNEL_ID.match(address):
        return address
    if match := CHANNEL_PATH.search(address):
        return match.group(1)
    page_path = channel_page_path(address)
    cached = ctx.state.get(STATE_KEY) or {}
    if cached.get("address") == address and CHANNEL_ID.match(cached.get("channel_id", "")):
        return cached["channel_id"]
    try:
        response = ctx.http.get(web + page_path)
    except HttpStatusError as exc:
        if exc.status in (404, 410):
            raise SourceNotFound(f"no YouTube channel at {page_path}") from exc
        raise
    found = channel_id_from_page(response.text)
    if found is None:
        raise ParseError(f"no channel id on the channel page {page_path}")
    ctx.state[STATE_KEY] = {"address": address, "channel_id": found}
    log.info("resolved %s to channel %s", page_path, found)
    return found


def channel_page_path(address: str) -> str:
    """`/@handle`, `/c/name` or `/user/name` for an address naming a channel by handle or name."""
    if HANDLE.match(address):
        return "/" + address
    path = urlsplit(address if "//" in address else "https://" + address).path.rstrip("/")
    # Anywhere in the path: behind a proxy (or the simulator) the channel pages sit under a prefix.
    if match := re.search(r"(/@[\w.-]{3,30})(?:/|$)", path):
        return match.group(1)
    if match := re.search(r"(/(?:c|user)/[^/]+)$", path):
        return match.group(1)
    raise NotCollectable(f"not a YouTube channel address: {address!r} (use a channel URL, @handle or feed URL)")


def channel_id_from_page(text: str) -> str | None:
    """The channel's own id, from markers that name the page's channel — in order of trust."""
    soup = BeautifulSoup(text, "lxml")
    candidates = [
        (soup.find("meta", attrs={"property": "og:url"}) or {}).get("content", ""),
        (soup.find("link", attrs={"rel": "canonical"}) or {}).get("href", ""),
        (soup.find("meta", attrs={"itemprop": "channelId"}) or {}).get("content", ""),
        (soup.find("meta", attrs={"itemprop": "identifier"}) or {}).get("content", ""),
        (soup.find("link", attrs={"type": "application/rss+xml"}) or {}).get("href", ""),
    ]
    for value in candidates:
        value = str(value).strip()
        if CHANNEL_ID.match(value):
            return value
        if match := CHANNEL_PATH.search(value) or FEED_PARAM.search(value):
            return match.group(1)
    if match := EXTERNAL_ID.search(text):
        return match.group(1)
    return None
