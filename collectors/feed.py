"""RSS and Atom feeds: generic feeds, WordPress `/feed/`, OpenSID `/feed.xml`, Blogger Atom.

Bytes are fetched by collectors/http.py and handed to feedparser, so network errors stay typed
instead of hiding in feedparser's `bozo_exception`. Each entry's identity is the platform's own
id whichever route found it (the WordPress `?p=` id, the Blogger post id, the YouTube video id,
the OpenSID article path), so a post found by REST today and by RSS tomorrow is one post. An
entry without one is known by its URL within the source's site (pantau.models.page_key).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import feedparser

from collectors.base import CollectContext, CollectResult
from collectors.charset import utf8_xml
from collectors.dates import DateParseError, on_or_after, parse_date
from collectors.errors import ParseError
from pantau.models import Post, page_key

WORDPRESS_GUID = re.compile(r"[?&]p=(\d+)")
BLOGGER_ID = re.compile(r"tag:blogger\.com,\d+:blog-\d+\.post-(\d+)")
YOUTUBE_ID = re.compile(r"^yt:video:([\w-]{11})$")
# OpenSID article URLs carry the upload date: /artikel/2025/9/10/slug (also behind index.php/).
OPENSID_ARTICLE = re.compile(r"/artikel/(\d{4})/(\d{1,2})/(\d{1,2})/([^/?#]+)")
TAGS = re.compile(r"<[^>]+>")


@dataclass
class FeedItems:
    posts: list[Post] = field(default_factory=list)
    item_errors: list[str] = field(default_factory=list)
    entries: int = 0
    kind: str = "rss"  # rss | atom


def external_id_of(guid: str, link: str) -> str:
    """The platform's own id of an entry, in order of reliability."""
    for candidate in (guid, link):
        if not candidate:
            continue
        if match := BLOGGER_ID.search(candidate):
            return match.group(1)
        if match := YOUTUBE_ID.match(candidate):
            return match.group(1)
        if match := WORDPRESS_GUID.search(candidate):
            return match.group(1)
    for candidate in (link, guid):
        if candidate and (match := OPENSID_ARTICLE.search(candidate)):
            return opensid_id(match)
    return guid or link


def opensid_id(match: re.Match) -> str:
    """`/artikel/Y/M/D/slug` with unpadded numbers, whichever route or prefix showed it."""
    year, month, day, slug = match.groups()
    return f"/artikel/{int(year)}/{int(month)}/{int(day)}/{slug}"


def plain_text(value: str, limit: int = 300) -> str:
    """Markup-free excerpt: scraped text is data, never HTML."""
    text = html.unescape(TAGS.sub(" ", value or ""))
    return " ".join(text.split())[:limit]


# Old OpenSID views/feed.php put the <item> elements after </channel>: feedparser still finds
# them, undated. Such a feed cannot be trusted to list what the site published.
ITEMS_AFTER_CHANNEL = re.compile(rb"</channel>\s*<item[\s>]", re.IGNORECASE)
RSS2_ROOT = re.compile(rb"<rss[\s>]", re.IGNORECASE)


# The closing root tag; a cache plugin's comment may follow it.
FEED_END = re.compile(rb"</(?:rss|feed|rdf:RDF)\s*>", re.IGNORECASE)


def reaches_its_end(content: bytes) -> bool:
    """False for a document cut short (a PHP fatal error mid-feed, a dropped connection)."""
    return bool(FEED_END.search(content[-4096:]))


def parse_feed(content: bytes, source_id: str, zone: ZoneInfo, content_type: str = "", site: str = "") -> FeedItems:
    """Entries of an RSS/Atom document as posts; undated entries become item errors.

    An entry without a platform id is known by its URL: given the source's address `site`, by
    that URL within the site (pantau.models.page_key), so a site that moves keeps its posts.

    The bytes are decoded by the one charset policy (collectors/charset.py), not by feedparser's.

    Counted by publication time: an entry without `published`/`pubDate` (or RSS `dc:date`) is
    an item error, never dated by Atom's `updated` (edit) time.
    """
    # (RSS 1.0 puts its items after </channel> by design, inside <rdf:RDF>; only RSS 2.0 is broken so.)
    if RSS2_ROOT.search(content[:4096]) and ITEMS_AFTER_CHANNEL.search(content):
        raise ParseError("broken feed: <item> elements after </channel> (old OpenSID feed.php)")
    parsed = feedparser.parse(utf8_xml(content, content_type))
    if parsed.get("version") and not reaches_its_end(content):
        # feedparser happily returns the entries before the cut: counting them as the whole
        # feed would hide the rest until the next run. Fail, so the attempt is retried.
        raise ParseError("feed cut short before its closing tag")
    if parsed.bozo and not parsed.entries:
        raise ParseError(f"not a readable feed: {type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}")
    version = parsed.get("version", "") or ""
    if not version and not parsed.entries:
        raise ParseError("not a feed (no RSS or Atom root element)")
    items = FeedItems(entries=len(parsed.entries), kind="atom" if version.startswith("atom") else "rss")
    seen: set[str] = set()
    for entry in parsed.entries:
        link = entry.get("link", "") or ""
        guid = entry.get("id", "") or ""
        raw_date = entry.get("published") or ""
        if not raw_date and items.kind == "rss":
            # RSS 1.0 and some RSS 2.0 feeds (Drupal, Joomla) date items with <dc:date>, its
            # publication date, which feedparser files under "updated". Atom's <updated> is
            # an edit time and never counts.
            raw_date = entry.get("updated") or ""
        title = html.unescape(entry.get("title", "") or "").strip()
        if not raw_date:
            items.item_errors.append(f"no publication date on {link or guid or title!r}")
            continue
        try:
            when = parse_date(raw_date, zone)
        except DateParseError as exc:
            items.item_errors.append(f"{exc} on {link or guid!r}")
            continue
        external_id = external_id_of(guid, link)
        if site:
            external_id = page_key(external_id, site)
        if external_id in seen:
            continue
        seen.add(external_id)
        summary = entry.get("summary", "") or ""
        # YouTube's media:community carries views and the star-rating count used as likes.
        statistics = entry.get("media_statistics") or {}
        rating = entry.get("media_starrating") or {}
        items.posts.append(Post(
            source_id=source_id,
            external_id=external_id,
            url=link,
            title=title,
            published_at=when.when,
            excerpt=plain_text(summary),
            likes=_int(rating.get("count")),
            comments=_int(entry.get("slash_comments") or entry.get("thr_total")),
            views=_int(statistics.get("views")),
            date_only=when.date_only,
        ))
    return items


def read_feed(ctx: CollectContext, url: str, route: str = "rss", *, require_entries: bool = False,
              params: dict | None = None) -> CollectResult:
    """Fetch one feed URL and keep the entries published since `ctx.since`.

    A feed shows only its newest N entries: when its oldest entry is newer than `since`, the
    answer is marked truncated so the orchestrator can record a coverage gap. `require_entries`
    makes an empty feed a ParseError, for callers with a fallback route (OpenSID's broken
    old feed.xml shows no dated entry at all).
    """
    response = ctx.http.get(url, params=params)
    if response.not_modified:
        return CollectResult(route=route, not_modified=True)
    items = parse_feed(response.content, ctx.source.source_id, ctx.zone, response.headers.get("Content-Type", ""),
                       site=ctx.source.address)
    if items.entries and not items.posts and items.item_errors:
        raise ParseError(f"no dated entry in feed ({len(items.item_errors)} undated)")
    if require_entries and not items.entries:
        raise ParseError("feed has no entries")
    wanted = [p for p in items.posts if on_or_after(p.published_at, p.date_only, ctx.since, ctx.zone)]
    oldest = min((p.published_at for p in items.posts), default=None)
    return CollectResult(
        posts=wanted,
        route=route if route != "rss" else items.kind,
        truncated=oldest is not None and oldest > ctx.since,
        item_errors=items.item_errors,
    )


def collect(ctx: CollectContext) -> CollectResult:
    """The `feed` collector: the address is the feed URL itself."""
    return read_feed(ctx, ctx.source.address)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def opensid_date(url: str, zone: ZoneInfo) -> datetime | None:
    """The upload day an OpenSID article URL carries, at 00:00 local; None if it has none."""
    match = OPENSID_ARTICLE.search(urlsplit(url).path)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups()[:3])
    try:
        return datetime(year, month, day, tzinfo=zone)
    except ValueError:
        return None


def query_param(url: str, name: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None
