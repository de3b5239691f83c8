"""OpenDK kecamatan portals: the public JSON:API, then the HTML news list of older versions.

OpenDK (OpenSID's kecamatan sibling, Laravel) has served a public JSON:API since late 2025
under `/api/frontend/v1/`: `artikel` answers the kecamatan's own posts as
`{"data": [{"type", "id", "attributes": {"judul", "slug", "status", "created_at", ...}}],
"meta": {"pagination": {"total", "count", "per_page", "current_page", "total_pages"}}}` with
`page[number]`, `page[size]` (at most 100) and `sort` (newest first: `-tanggal_terbit` where the
release has that column, `-created_at` on the first API releases, which refuse an unknown sort
with 400). `created_at` is ISO 8601 in UTC ("2025-02-10T04:20:30.000000Z"); `status` 1 is
published, 0 a draft. No authentication; the API is rate-limited to 120 requests a minute per IP
(`X-RateLimit-*` headers); a 429 with Retry-After goes through the HTTP layer's backoff, and
pages of 100 keep a kecamatan's year within a few requests.

Older OpenDK has no API (404): its home page lists the posts (`berita/{slug}` links, Laravel's
`?page=N` pagination) without dates, and each post's page prints its day ("07 Oct 2022",
`created_at->format('d M Y')`). Those pages are read once per new post and their day remembered
in the source state, so a re-run with nothing new still costs one request.

A post's identity is its `/berita/{slug}` path whichever route found it (slugs are unique: the
model is Sluggable), and its URL is that path on the portal.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from collectors.base import CollectContext, CollectResult
from collectors.dates import DateParseError, on_or_after, parse_date
from collectors.errors import FetchError, HttpStatusError, ParseError
from pantau.models import Post

log = logging.getLogger(__name__)

API = "api/frontend/v1/"
PAGE_SIZE = 100
MAX_PAGES = 100
SORTS = ("-tanggal_terbit", "-created_at")
# Source state: the address the routes below were learned on, the route, the accepted sort, and
# the days read from post pages (slug -> ISO date) on portals without the API.
ADDRESS = "opendk_address"
ROUTE = "opendk_route"
SORT = "opendk_sort"
DAYS = "opendk_days"
MAX_DAYS = 3000
MAX_PAGE_READS = 200
BERITA = re.compile(r"/berita/([^/?#]+)/?$")
MONTHS_EN = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                             "oct", "nov", "dec"), start=1)}
DAY_MON_YEAR = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})\b")


def collect(ctx: CollectContext) -> CollectResult:
    root = portal_root(ctx.source.address)
    if ctx.state.get(ADDRESS) != ctx.source.address.strip():
        for key in (ROUTE, SORT, DAYS):
            ctx.state.pop(key, None)
        ctx.state[ADDRESS] = ctx.source.address.strip()
    notes: list[str] = []
    if ctx.state.get(ROUTE) != "html":
        try:
            result = read_api(ctx, root)
            ctx.state[ROUTE] = "api"
            return result
        except HttpStatusError as exc:
            if exc.status not in (404, 410):
                raise
            notes.append(f"no public API ({exc.status}); reading the news list")
        except ParseError as exc:
            notes.append(f"API unusable ({exc.kind}): {exc}; reading the news list")
    try:
        result = read_listing(ctx, root)
    except (FetchError, ParseError):
        if ctx.state.get(ROUTE) == "html":
            ctx.state.pop(ROUTE, None)  # an upgrade may have replaced the list: try the API next time
        raise
    ctx.state[ROUTE] = "html"
    result.notes[:0] = notes
    return result


def portal_root(address: str) -> str:
    parts = urlsplit(address.strip())
    path = parts.path.split("/api/", 1)[0]
    path = path if path.endswith("/") else path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


# --- the JSON:API ---------------------------------------------------------------------------

def read_api(ctx: CollectContext, root: str) -> CollectResult:
    result = CollectResult(route="api")
    sorts = SORTS
    if ctx.state.get(SORT) in SORTS:
        sorts = (ctx.state[SORT], *[s for s in SORTS if s != ctx.state[SORT]])
    number = 1
    payload, sort = _first_page(ctx, root, sorts)
    while True:
        entries = payload["data"]
        older = False
        for entry in entries:
            post = _api_post(entry, root, ctx, result.item_errors)
            if post is None:
                continue
            if on_or_after(post.published_at, post.date_only, ctx.since, ctx.zone):
                result.posts.append(post)
            else:
                older = True
        pages = _total_pages(payload)
        if older or not entries or (pages is not None and number >= pages) or len(entries) < PAGE_SIZE:
            break
        if number >= MAX_PAGES:
            result.truncated = True
            break
        number += 1
        payload = _api_page(ctx, root, sort, number)
    return result


def _first_page(ctx: CollectContext, root: str, sorts: tuple[str, ...]) -> tuple[dict, str]:
    refused: HttpStatusError | None = None
    for sort in sorts:
        try:
            payload = _api_page(ctx, root, sort, 1)
        except HttpStatusError as exc:
            if exc.status not in (400, 422):
                raise
            refused = exc  # Spatie QueryBuilder: "Requested sort(s) `tanggal_terbit` is not allowed"
            continue
        ctx.state[SORT] = sort
        return payload, sort
    assert refused is not None
    raise ParseError(f"the artikel API refused every sort ({', '.join(sorts)}): {refused}")


def _api_page(ctx: CollectContext, root: str, sort: str, number: int) -> dict:
    params = {"page[number]": number, "page[size]": PAGE_SIZE, "sort": sort}
    # No conditional GET: the API answers `Cache-Control: no-cache, private` without validators.
    response = ctx.http.get(root + API + "artikel", params=params, headers={"Accept": "application/json"})
    try:
        payload = response.json()
    except ValueError as exc:
        raise ParseError(f"the artikel API did not answer JSON ({response.content_type or 'no type'})") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise ParseError("the artikel API answered JSON without a data list")
    return payload


def _total_pages(payload: dict) -> int | None:
    meta = payload.get("meta")
    pagination = meta.get("pagination") if isinstance(meta, dict) else None
    pages = pagination.get("total_pages") if isinstance(pagination, dict) else None
    return pages if isinstance(pages, int) else None


def _api_post(entry: object, root: str, ctx: CollectContext, errors: list[str]) -> Post | None:
    attributes = entry.get("attributes") if isinstance(entry, dict) else None
    if not isinstance(attributes, dict):
        errors.append("artikel entry without attributes")
        return None
    if str(attributes.get("status", 1)) not in ("1", "True", "true"):
        return None  # a draft
    slug = str(attributes.get("slug") or "").strip()
    if not slug:
        errors.append(f"artikel {entry.get('id')!r} without a slug")
        return None
    raw = attributes.get("tanggal_terbit") or attributes.get("created_at")
    when = _instant(str(raw or ""), ctx)
    if when is None:
        errors.append(f"artikel {slug}: unreadable date {raw!r}")
        return None
    moment, date_only = when
    return Post(source_id=ctx.source.source_id, external_id=f"/berita/{slug}", url=f"{root}berita/{slug}",
                title=" ".join(str(attributes.get("judul") or "").split()),
                published_at=moment.astimezone(UTC), date_only=date_only)


def _instant(raw: str, ctx: CollectContext) -> tuple[datetime, bool] | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parse_date(raw, ctx.zone, ctx.now)
        except DateParseError:
            return None
        return parsed.when, parsed.date_only
    if len(raw) == 10:  # a bare day ("2025-11-03"): 00:00 local, date-only
        return datetime.combine(moment.date(), time(0), tzinfo=ctx.zone), True
    return (moment if moment.tzinfo else moment.replace(tzinfo=ctx.zone)), False


# --- the news list of older versions ---------------------------------------------------------

@dataclass
class ListedPost:
    slug: str
    url: str
    title: str


@dataclass
class Listing:
    posts: list[ListedPost] = field(default_factory=list)
    has_next: bool = False


def read_listing(ctx: CollectContext, root: str) -> CollectResult:
    """Page the home list, newest first, reading each new post's page once for its day."""
    days: dict[str, str] = ctx.state.setdefault(DAYS, {})
    result = CollectResult(route="html")
    seen: set[str] = set()
    reads = 0
    number = 1
    while True:
        listing = _listing_page(ctx, root, number)
        if number == 1 and not listing.posts:
            raise ParseError(f"no berita/{{slug}} links on {root}")
        fresh = [p for p in listing.posts if p.slug not in seen]
        seen.update(p.slug for p in fresh)
        older = False
        for item in fresh:
            day = days.get(item.slug)
            if day is None:
                if reads >= MAX_PAGE_READS:
                    result.truncated = True
                    break
                reads += 1
                found = _page_day(ctx, item.url)
                if found is None:
                    result.item_errors.append(f"no date on {item.url}")
                    continue
                day = days[item.slug] = found.isoformat()
            when = datetime.combine(date.fromisoformat(day), time(0), tzinfo=ctx.zone)
            if on_or_after(when, True, ctx.since, ctx.zone):
                result.posts.append(Post(source_id=ctx.source.source_id, external_id=f"/berita/{item.slug}",
                                         url=item.url, title=item.title, published_at=when.astimezone(UTC),
                                         date_only=True))
            else:
                older = True
        if older or not fresh or not listing.has_next or result.truncated or number >= MAX_PAGES:
            break
        number += 1
    if reads:
        result.notes.append(f"{reads} post page(s) read for their day")
    if len(days) > MAX_DAYS:
        for slug in sorted(days, key=days.get)[: len(days) - MAX_DAYS]:
            days.pop(slug)
    return result


def _listing_page(ctx: CollectContext, root: str, number: int) -> Listing:
    response = ctx.http.get(root, params={"page": number} if number > 1 else None)
    soup = BeautifulSoup(response.text, "lxml")
    listing = Listing()
    for link in soup.find_all("a", href=True):
        url = urljoin(response.url or root, link["href"].strip())
        match = BERITA.search(urlsplit(url).path)
        title = " ".join(link.get_text(" ", strip=True).split())
        if match is None or not title or any(p.slug == match.group(1) for p in listing.posts):
            continue  # the "Selengkapnya" button repeats the title's link
        listing.posts.append(ListedPost(match.group(1), f"{root}berita/{match.group(1)}", title))
    listing.has_next = any(f"page={number + 1}" in (a.get("href") or "") for a in soup.find_all("a", href=True))
    return listing


def _page_day(ctx: CollectContext, url: str) -> date | None:
    soup = BeautifulSoup(ctx.http.get(url).text, "lxml")
    icon = soup.select_one(".fa-calendar")
    text = icon.parent.get_text(" ", strip=True) if icon is not None and icon.parent is not None else ""
    match = DAY_MON_YEAR.search(text) or DAY_MON_YEAR.search(soup.get_text(" ", strip=True))
    if match and match.group(2)[:3].lower() in MONTHS_EN:
        try:
            return date(int(match.group(3)), MONTHS_EN[match.group(2)[:3].lower()], int(match.group(1)))
        except ValueError:
            return None
    if text:
        try:
            return parse_date(text, ctx.zone, ctx.now).when.astimezone(ctx.zone).date()
        except DateParseError:
            return None
    return None
