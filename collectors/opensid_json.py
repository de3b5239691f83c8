"""OpenSID's JSON archive: `internal_api/arsip`, the route premium themes fill `/arsip` from.

On premium themes (tema palanta and its kin, OpenSID 2023+) the page `/arsip` ships an empty
`<tbody>` and DataTables fills it in the browser from this public JSON:API endpoint:

    internal_api/arsip?page[size]=N&page[number]=P&filter[search]=&sort=-tgl_upload

answering `{"data": [{"type", "id", "attributes": {...}}], "meta": {"pagination": {"total", ...}}}`.
The attributes are the Artikel model's `toArray()` plus the transformer's `tgl_upload_local`:
`url_slug` (the article URL, `site_url('artikel/' . Y/m/d . '/' . slug)`: zero-padded month and
day, and `index.php/` on installs without URL rewriting), `judul`, `tgl_upload` (cast
`datetime:d-m-Y H:i:s`, local time), `tgl_upload_local` (tgl_indo: "7 Oktober 2022", no time),
`hit`, and `tipe` (`dinamis` for articles; `statis`, `agenda`, `keuangan` otherwise) on releases
that have it (older ones carry `id_kategori` 999/1000/1001 for those).

The themes call it with `method: 'get'` on some releases and `POST` on later ones; a GET the
route does not take answers 404 or 405, so both are tried, and the one that answered is
remembered by the caller.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from collectors.base import CollectContext
from collectors.dates import DateParseError, on_or_after, parse_date
from collectors.errors import HttpStatusError, ParseError
from collectors.feed import OPENSID_ARTICLE, opensid_date, opensid_id
from collectors.http import Response
from pantau.models import Post

log = logging.getLogger(__name__)

ROUTE = "internal_api/arsip"
METHODS = ("get", "post")
PAGE_SIZE = 50
MAX_PAGES = 200
# Kinds of entry that are not articles: static pages, agenda items, finance reports.
NOT_ARTICLE_TIPE = frozenset({"statis", "agenda", "keuangan"})
# Before the `tipe` column, the same kinds were these category ids (Artikel::NOT_IN_ARTIKEL).
NOT_ARTICLE_KATEGORI = frozenset({999, 1000, 1001})
# tgl_upload's cast; older releases serialise the raw column or an ISO string.
TGL_UPLOAD_FORMATS = ("%d-%m-%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y %H:%M", "%Y-%m-%d %H:%M")


class MethodRefused(ParseError):
    """The route exists but not for this method (404/405 on GET where only POST is routed)."""


@dataclass
class JsonPage:
    posts: list[Post] = field(default_factory=list)
    item_errors: list[str] = field(default_factory=list)
    # Entries on the page before any filter (0: the page is past the end).
    entries: int = 0
    # Static pages, agenda and finance entries left out.
    excluded: int = 0
    total: int | None = None


def fetch_page(ctx: CollectContext, site: str, method: str, number: int) -> JsonPage:
    """Page `number` of the archive, newest first, by `method` ("get" or "post")."""
    params = {"page[size]": PAGE_SIZE, "page[number]": number, "filter[search]": "", "sort": "-tgl_upload"}
    url = site + ROUTE
    try:
        if method == "post":
            response = ctx.http.post(url, params, headers={"X-Requested-With": "XMLHttpRequest"})
        else:
            response = ctx.http.get(url, params=params, headers={"X-Requested-With": "XMLHttpRequest"})
    except HttpStatusError as exc:
        if exc.status in (404, 405):
            raise MethodRefused(f"{ROUTE} does not answer {method.upper()} ({exc.status})") from exc
        raise
    return parse_page(response, ctx)


def parse_page(response: Response, ctx: CollectContext) -> JsonPage:
    try:
        payload = response.json()
    except ValueError as exc:
        # A site without the route may answer its home page with 200: that is not an empty archive.
        raise ParseError(f"{ROUTE} did not answer JSON ({response.content_type or 'no type'})") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise ParseError(f"{ROUTE} answered JSON without a data list")
    page = JsonPage(entries=len(payload["data"]), total=_total(payload))
    for entry in payload["data"]:
        attributes = entry.get("attributes") if isinstance(entry, dict) else None
        if not isinstance(attributes, dict):
            page.item_errors.append(f"{ROUTE} entry without attributes")
            continue
        if _not_an_article(attributes):
            page.excluded += 1
            continue
        post = _post(attributes, response.url, ctx, page.item_errors)
        if post is not None:
            page.posts.append(post)
    return page


def _total(payload: dict) -> int | None:
    pagination = (payload.get("meta") or {}).get("pagination") if isinstance(payload.get("meta"), dict) else None
    total = pagination.get("total") if isinstance(pagination, dict) else None
    return total if isinstance(total, int) else None


def _not_an_article(attributes: dict) -> bool:
    tipe = str(attributes.get("tipe") or "").strip().lower()
    if tipe:
        return tipe in NOT_ARTICLE_TIPE
    try:
        return int(attributes.get("id_kategori")) in NOT_ARTICLE_KATEGORI
    except (TypeError, ValueError):
        return False


def _post(attributes: dict, page_url: str, ctx: CollectContext, errors: list[str]) -> Post | None:
    url = urljoin(page_url, str(attributes.get("url_slug") or "").strip())
    match = OPENSID_ARTICLE.search(urlsplit(url).path)
    if match is None:
        errors.append(f"{ROUTE} entry without an /artikel/Y/M/D/slug url_slug: {url}")
        return None
    when, date_only = _uploaded(attributes, ctx)
    if when is None:
        when, date_only = opensid_date(url, ctx.zone), True
    if when is None:
        errors.append(f"no date for {url}")
        return None
    hit = attributes.get("hit")
    return Post(
        source_id=ctx.source.source_id,
        external_id=opensid_id(match),
        url=url,
        title=" ".join(str(attributes.get("judul") or "").split()),
        published_at=when.astimezone(UTC),
        views=int(hit) if isinstance(hit, int) or (isinstance(hit, str) and hit.isdigit()) else None,
        date_only=date_only,
    )


def _uploaded(attributes: dict, ctx: CollectContext) -> tuple[datetime | None, bool]:
    """tgl_upload with its time when the release serialises it; else tgl_upload_local's day."""
    raw = str(attributes.get("tgl_upload") or "").strip()
    for pattern in TGL_UPLOAD_FORMATS:
        try:
            return datetime.strptime(raw, pattern).replace(tzinfo=ctx.zone), False
        except ValueError:
            continue
    if raw:
        try:
            # An ISO string with its offset (a release that serialises the Carbon as JSON).
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            return (moment if moment.tzinfo else moment.replace(tzinfo=ctx.zone)), False
        except ValueError:
            pass
    local = str(attributes.get("tgl_upload_local") or "").strip()
    if local:
        try:
            parsed = parse_date(local, ctx.zone, ctx.now)
            return parsed.when, parsed.date_only
        except DateParseError:
            log.debug("tgl_upload_local %r unreadable", local)
    return None, True


def wanted(post: Post, ctx: CollectContext) -> bool:
    return on_or_after(post.published_at, post.date_only, ctx.since, ctx.zone)
