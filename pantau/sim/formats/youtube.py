"""YouTube (SOURCES.md section 4), under the source's `web_base` and `api_base`.

- Public channel feed `{web}/feeds/videos.xml?channel_id=UC…` (or `playlist_id=UULF…`): Atom,
  the 15 newest uploads, `yt:videoId`, UTC `published`, `media:statistics views`.
- Channel page `{web}/@handle` and `{web}/channel/UC…`: the channel id is in `og:url` and the
  canonical link; other channels' ids appear earlier in the page (do not take the first UC…).
- Data API v3 under `{api}` (= https://www.googleapis.com/youtube/v3): `channels` (forHandle or
  id) -> uploads playlist `UU…`, `playlistItems` (50 a page, nextPageToken, newest first),
  `videos?part=statistics`. Every call needs `key`.
"""

from __future__ import annotations

import base64
import random
from datetime import UTC

from pantau.sim.formats import Reply, Request, esc, html_reply, json_reply, newest, not_found, xml_reply
from pantau.sim.world import ID_CHARS, Channel, SimPost

WEB_PREFIX = "/youtube"
API_PREFIX = "/googleapis/youtube/v3"
FEED_LIMIT = 15


def handle_of(channel: Channel) -> str:
    return "@" + channel.unit_id.replace("_", "-")[:28]


def respond(channel: Channel, req: Request) -> Reply | None:
    if req.path.startswith(API_PREFIX):
        return api(channel, req, req.path[len(API_PREFIX):])
    path = req.path[len(WEB_PREFIX):]
    if path == "/feeds/videos.xml":
        wanted = req.arg("channel_id") or ""
        playlist = req.arg("playlist_id") or ""
        if wanted != channel.handle and playlist not in ("UULF" + channel.handle[2:], "UU" + channel.handle[2:]):
            return not_found()
        return feed(channel, req)
    if path.rstrip("/") in (f"/{handle_of(channel)}", f"/channel/{channel.handle}", f"/{handle_of(channel)}/videos"):
        return channel_page(channel, req)
    return None


def watch_url(post: SimPost) -> str:
    return f"https://www.youtube.com/watch?v={post.external_id}"


def feed(channel: Channel, req: Request) -> Reply:
    posts = channel.visible(req.now)[:FEED_LIMIT]
    entries = []
    for post in posts:
        published = post.published.astimezone(UTC).isoformat()
        entries.append(
            f"<entry><id>yt:video:{post.external_id}</id><yt:videoId>{post.external_id}</yt:videoId>"
            f"<yt:channelId>{channel.handle}</yt:channelId><title>{esc(post.title)}</title>"
            f'<link rel="alternate" href="{watch_url(post)}"/>'
            f"<author><name>{esc(channel.unit_id)}</name><uri>https://www.youtube.com/channel/{channel.handle}</uri>"
            f"</author><published>{published}</published><updated>{published}</updated>"
            f"<media:group><media:title>{esc(post.title)}</media:title>"
            f'<media:content url="https://www.youtube.com/v/{post.external_id}?version=3" '
            'type="application/x-shockwave-flash" width="640" height="390"/>'
            f'<media:thumbnail url="https://i2.ytimg.com/vi/{post.external_id}/hqdefault.jpg" '
            'width="480" height="360"/>'
            f"<media:description>{esc(post.title)}</media:description><media:community>"
            f'<media:starRating count="{post.likes}" average="5.00" min="1" max="5"/>'
            f'<media:statistics views="{post.views}"/></media:community></media:group></entry>')
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" '
        'xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">'
        f'<link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id={channel.handle}"/>'
        f"<id>yt:channel:{channel.handle[2:]}</id><yt:channelId>{channel.handle[2:]}</yt:channelId>"
        f"<title>{esc(channel.unit_id)}</title>"
        f'<link rel="alternate" href="https://www.youtube.com/channel/{channel.handle}"/>'
        f"<published>2019-03-01T02:00:00+00:00</published>" + "".join(entries) + "</feed>")
    return xml_reply(document, "text/xml; charset=UTF-8", newest(posts))


def decoy_ids(channel: Channel, count: int = 3) -> list[str]:
    rng = random.Random(f"decoy:{channel.handle}")
    return ["UC" + "".join(rng.choice(ID_CHARS) for _ in range(22)) for _ in range(count)]


def channel_page(channel: Channel, req: Request) -> Reply:
    decoys = ",".join(f'{{"browseId":"{d}"}}' for d in decoy_ids(channel))
    canonical = f"https://www.youtube.com/channel/{channel.handle}"
    document = (
        '<!DOCTYPE html><html lang="id-ID"><head><title>' + esc(channel.unit_id) + " - YouTube</title>"
        f"<script>var ytInitialGuide = {{\"featuredChannels\":[{decoys}]}};</script>"
        f'<link rel="canonical" href="{canonical}">'
        f'<meta property="og:url" content="{canonical}">'
        f'<link rel="alternate" type="application/rss+xml" title="RSS" '
        f'href="https://www.youtube.com/feeds/videos.xml?channel_id={channel.handle}">'
        "</head><body></body></html>")
    return html_reply(document)


# --- Data API v3 -----------------------------------------------------------------------------

def api_error(status: int, reason: str, message: str) -> Reply:
    return json_reply({"error": {"code": status, "message": message,
                                 "errors": [{"message": message, "domain": "global", "reason": reason}]}},
                      status=status)


def page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"CAUQ{offset}".encode()).decode().rstrip("=")


def token_offset(token: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        return int(text.removeprefix("CAUQ"))
    except (ValueError, UnicodeDecodeError):
        return None


def api(channel: Channel, req: Request, route: str) -> Reply:
    if not req.arg("key"):
        return api_error(403, "forbidden", "The request is missing a valid API key.")
    if route == "/channels":
        wanted_handle = (req.arg("forHandle") or "").lstrip("@").lower()
        wanted_id = req.arg("id") or ""
        items = []
        if wanted_handle == handle_of(channel).lstrip("@").lower() or wanted_id == channel.handle:
            items.append({"kind": "youtube#channel", "id": channel.handle, "contentDetails": {
                "relatedPlaylists": {"likes": "", "uploads": "UU" + channel.handle[2:]}}})
        return json_reply({"kind": "youtube#channelListResponse", "pageInfo": {
            "totalResults": len(items), "resultsPerPage": 5}, "items": items})
    if route == "/playlistItems":
        if req.arg("playlistId") != "UU" + channel.handle[2:]:
            return api_error(404, "playlistNotFound", "The playlist identified with the request's playlistId "
                                                       "parameter cannot be found.")
        size = min(max(req.int_arg("maxResults", 5) or 5, 0), 50)
        offset = token_offset(req.arg("pageToken")) if req.arg("pageToken") else 0
        if offset is None:
            return api_error(400, "invalidPageToken", "The request specifies an invalid page token.")
        posts = channel.visible(req.now)
        chunk = posts[offset: offset + size]
        payload = {"kind": "youtube#playlistItemListResponse",
                   "pageInfo": {"totalResults": len(posts), "resultsPerPage": size},
                   "items": [playlist_item(channel, p) for p in chunk]}
        if offset + size < len(posts):
            payload["nextPageToken"] = page_token(offset + size)
        if offset:
            payload["prevPageToken"] = page_token(max(0, offset - size))
        return json_reply(payload)
    if route == "/videos":
        ids = [i for i in (req.arg("id") or "").split(",") if i][:50]
        by_id = {p.external_id: p for p in channel.visible(req.now)}
        items = [{"kind": "youtube#video", "id": i, "statistics": {
            "viewCount": str(by_id[i].views), "likeCount": str(by_id[i].likes), "favoriteCount": "0",
            "commentCount": str(by_id[i].comments)}} for i in ids if i in by_id]
        return json_reply({"kind": "youtube#videoListResponse", "items": items,
                           "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}})
    return api_error(404, "notFound", "Not Found")


def playlist_item(channel: Channel, post: SimPost) -> dict:
    stamp = post.published.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "kind": "youtube#playlistItem",
        "id": base64.urlsafe_b64encode(f"UU{channel.handle[2:]}.{post.external_id}".encode()).decode(),
        "snippet": {"publishedAt": stamp, "channelId": channel.handle, "title": post.title,
                    "description": "", "channelTitle": channel.unit_id, "playlistId": "UU" + channel.handle[2:],
                    "resourceId": {"kind": "youtube#video", "videoId": post.external_id}},
        "contentDetails": {"videoId": post.external_id, "videoPublishedAt": stamp},
    }
