"""OpenSID's listings: the JSON archive, the HTML archive table and the home list, paged newest
first until an entry lies before `since`.

Premium themes fill `/arsip` in the browser from the JSON archive `internal_api/arsip`
(collectors/opensid_json.py): their HTML table is empty, which must never read as "no posts".
The HTML archive (`/arsip/{p}`, or `first/arsip/{p}` on older installs) lists every entry with
its day and view count, static pages and agenda included (collectors/opensid_coverage.py keeps
the articles). When nothing else answers, the home list (`/index/{p}`) still links every article,
and an OpenSID article URL carries its upload day: `/artikel/2025/9/10/slug`. The route and the
JSON method that answered are remembered in the source state.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from collectors import opensid_json
from collectors.base import CollectContext
from collectors.dates import DateParseError, on_or_after, parse_date
from collectors.errors import CollectorError, HttpStatusError, ParseError
from collectors.feed import OPENSID_ARTICLE, opensid_date, opensid_id
from pantau.models import Post

log = logging.getLogger(__name__)

# The archive that answered: "json-get", "json-post" or "html".
ARCHIVE_KIND = "opensid_archive_kind"
# Archive routes, newest OpenSID first; the one that answers is remembered in ctx.state.
ARCHIVE_ROUTES = ("arsip", "first/arsip")
INDEX_ROUTES = ("index", "first/index")
MAX_PAGES = 200
# natra pagination: "<div>Halaman 2 dari 4</div>".
PAGE_OF = re.compile(r"Halaman\s+(\d+)\s+dari\s+(\d+)", re.IGNORECASE)
DIGITS = re.compile(r"\d[\d.,]*")
# Premium themes' /arsip: DataTables with an ajax source on internal_api/arsip.
BROWSER_FILLED = re.compile(r"internal_api[./]arsip", re.IGNORECASE)
POSTED_ON = re.compile(r"Diposting\s+tanggal\s*:?\s*(.+?)(?:\s+Oleh\b|$)", re.IGNORECASE)
OPENSID_LINK = re.compile(r"/artikel/\d{4}/\d{1,2}/\d{1,2}/")


@dataclass
class Listing:
    """Posts read from the site's HTML pages, and whether they reach back to `since`."""

    posts: list[Post] = field(default_factory=list)
    item_errors: list[str] = field(default_factory=list)
    route: str = "archive"
    complete: bool = True
    # Articles the listing showed, before the since filter (0: the village has none).
    rows: int = 0
    gaps: list[tuple[datetime, datetime]] = field(default_factory=list)


# --- JSON archive (internal_api/arsip, premium themes) ---------------------------------------

def read_json_archive(ctx: CollectContext, site: str) -> Listing:
    """Page through internal_api/arsip, newest first, until an article lies before `since`."""
    remembered = str(ctx.state.get(ARCHIVE_KIND) or "")
    methods = opensid_json.METHODS
    if remembered.startswith("json-") and remembered[5:] in methods:
        methods = (remembered[5:], *[m for m in methods if m != remembered[5:]])
    refused: ParseError | None = None
    for method in methods:
        try:
            page = opensid_json.fetch_page(ctx, site, method, 1)
        except opensid_json.MethodRefused as exc:
            refused = exc if refused is None else ParseError(f"{refused}; {exc}")
            continue
        ctx.state[ARCHIVE_KIND] = f"json-{method}"
        break
    else:
        assert refused is not None
        raise refused
    listing = Listing(route="json")
    seen: set[str] = set()
    number = 1
    while True:
        listing.item_errors.extend(page.item_errors)
        fresh = [p for p in page.posts if p.external_id not in seen]
        seen.update(p.external_id for p in fresh)
        listing.rows += len(fresh)
        wanted = [p for p in fresh if opensid_json.wanted(p, ctx)]
        listing.posts.extend(wanted)
        last = page.entries < opensid_json.PAGE_SIZE or (
            page.total is not None and number * opensid_json.PAGE_SIZE >= page.total)
        if page.entries == 0 or len(wanted) < len(fresh) or last:
            break  # past the end, reached articles older than since, or the last page
        if number >= opensid_json.MAX_PAGES:
            listing.complete = False
            break
        number += 1
        page = opensid_json.fetch_page(ctx, site, method, number)
    return listing


# --- archive table (theme natra partials/arsip.php, palanta partials/arsip.php) --------------

def read_archive(ctx: CollectContext, site: str) -> Listing:
    return _read_pages(ctx, site, "opensid_archive_route", ARCHIVE_ROUTES, parse_archive, "archive")


def read_index(ctx: CollectContext, site: str) -> Listing:
    return _read_pages(ctx, site, "opensid_index_route", INDEX_ROUTES, parse_index, "index")


def _read_pages(ctx: CollectContext, site: str, state_key: str, routes: tuple[str, ...], parse, name: str) -> Listing:
    """Page through a listing, newest first, until a page lies wholly before `since`."""
    route, first = _first_page(ctx, site, state_key, routes, parse)
    listing = Listing(route=name)
    seen: set[str] = set()
    page_no, page = 1, first
    while True:
        posts, errors, last_page = page
        listing.item_errors.extend(errors)
        fresh = [p for p in posts if p.external_id not in seen]
        if not fresh:  # an empty page, or one repeating the last (out-of-range pages on some installs)
            break
        seen.update(p.external_id for p in fresh)
        listing.rows += len(fresh)
        wanted = [p for p in fresh if on_or_after(p.published_at, p.date_only, ctx.since, ctx.zone)]
        listing.posts.extend(wanted)
        if len(wanted) < len(fresh) or (last_page is not None and page_no >= last_page):
            break  # reached articles older than since, or the last page
        if page_no >= MAX_PAGES:
            listing.complete = False
            break
        page_no += 1
        page = _fetch_page(ctx, f"{site}{route}/{page_no}", parse)
    return listing


def _first_page(ctx, site, state_key, routes, parse):
    remembered = ctx.state.get(state_key)
    candidates = (remembered, *[r for r in routes if r != remembered]) if remembered else routes
    error: CollectorError | None = None
    for route in candidates:
        try:
            page = _fetch_page(ctx, f"{site}{route}/1", parse)
        except HttpStatusError as exc:
            if exc.status not in (404, 410):
                raise
            error = error or exc  # a route that answered in a wrong format says more than a 404
            continue
        except ParseError as exc:  # a 200 page without the table (the route fell back to home)
            error = exc
            continue
        posts, errors, _ = page
        if errors and not posts:
            # Rows were there but none could be read (e.g. first/artikel/{id} links): not "no posts".
            error = ParseError(f"no readable article on {site}{route}/1 ({len(errors)} unreadable: {errors[0]})")
            continue
        ctx.state[state_key] = route
        return route, page
    assert error is not None
    raise error


def _fetch_page(ctx: CollectContext, url: str, parse):
    response = ctx.http.get(url)
    return parse(response.text, response.url, ctx)


def parse_archive(text: str, page_url: str, ctx: CollectContext) -> tuple[list[Post], list[str], int | None]:
    soup = BeautifulSoup(text, "lxml")
    table = _archive_table(soup)
    if table is None:
        if soup.select_one("table#arsip-artikel") is not None or BROWSER_FILLED.search(text):
            raise ParseError(f"the archive on {page_url} is filled in the browser from {opensid_json.ROUTE}")
        raise ParseError(f"no archive table on {page_url}")
    if not any(row.find("td") for row in table.find_all("tr")) and (
            table.get("id") == "arsip-artikel" or BROWSER_FILLED.search(text)):
        # Premium themes: an empty <tbody> that DataTables fills from internal_api/arsip. Read as
        # a table it would say "no posts".
        raise ParseError(f"the archive table on {page_url} is empty and filled in the browser "
                         f"from {opensid_json.ROUTE}")
    header = [cell.get_text(" ", strip=True).lower() for cell in _header_cells(table)]
    posts, errors = [], []
    if not any("judul" in name for name in header):
        # Palanta's free theme: no header; No. | title link + "Diposting tanggal : 7 Oktober
        # 2022" + "Oleh : ..." | "123 dibaca".
        for row in table.find_all("tr"):
            link = row.find("a", href=OPENSID_LINK)
            if link is None:
                if row.find("td"):
                    errors.append(f"archive row without an article link on {page_url}")
                continue
            cell = link.find_parent("td") or row
            posted = POSTED_ON.search(cell.get_text(" ", strip=True))
            views_cell = row.find_all("td")[-1]
            views = _count(views_cell.get_text(" ", strip=True)) if views_cell is not cell else None
            post = _article(ctx, page_url, link, posted.group(1) if posted else "", views, errors)
            if post is not None:
                posts.append(post)
        return posts, errors, _last_page(soup)
    date_col = _column(header, "tanggal", 1)
    title_col = _column(header, "judul", 2)
    views_col = _column(header, "dibaca", 4)
    for row in table.find_all("tr"):
        cells = row.find_all("td")
        if len(cells) <= max(date_col, title_col):
            continue
        link = cells[title_col].find("a", href=True) or row.find("a", href=True)
        if link is None:
            errors.append(f"archive row without a link on {page_url}")
            continue
        date_text = cells[date_col].get_text(" ", strip=True)
        views = _count(cells[views_col].get_text(" ", strip=True)) if len(cells) > views_col else None
        post = _article(ctx, page_url, link, date_text, views, errors)
        if post is not None:
            posts.append(post)
    return posts, errors, _last_page(soup)


def _archive_table(soup: BeautifulSoup) -> Tag | None:
    # Sidebar widgets are tables too (visitor statistics): the archive's header names "Judul".
    for table in soup.select("table.table-striped") + soup.find_all("table"):
        header = " ".join(cell.get_text(" ", strip=True).lower() for cell in _header_cells(table))
        if "judul" in header or table.find("a", href=OPENSID_ARTICLE):
            return table
    return None


def _header_cells(table: Tag) -> list[Tag]:
    head = table.find("thead")
    row = head.find("tr") if head else table.find("tr")
    return row.find_all(["th", "td"]) if row else []


def _column(header: list[str], word: str, default: int) -> int:
    return next((i for i, name in enumerate(header) if word in name), default)


# --- home list (theme natra partials/bottom_content_left.php) --------------------------------

def parse_index(text: str, page_url: str, ctx: CollectContext) -> tuple[list[Post], list[str], int | None]:
    soup = BeautifulSoup(text, "lxml")
    # The article list; the "Berita Utama" headline and the sidebar widgets repeat articles.
    scope = soup.select_one(".business_category_left") or soup
    posts, errors, seen = [], [], set()
    for link in scope.find_all("a", href=True):
        if not OPENSID_ARTICLE.search(urlsplit(urljoin(page_url, link["href"])).path):
            continue
        block = link.find_parent("li") or link.parent
        meta = block.select_one(".meta_date") if block else None
        date_text = (meta.find(string=True) or "") if meta else ""
        views = _eye_count(meta) if meta else None
        post = _article(ctx, page_url, link, str(date_text), views, errors)
        if post is not None and post.external_id not in seen:
            seen.add(post.external_id)
            posts.append(post)
    if not posts and not errors:
        if scope is soup:
            raise ParseError(f"no article links on {page_url}")
    return posts, errors, _last_page(soup)


def _eye_count(meta: Tag) -> int | None:
    eye = meta.select_one(".fa-eye")
    if eye is None or eye.next_sibling is None:
        return None
    return _count(str(eye.next_sibling))


# --- shared row reading ---------------------------------------------------------------------

def _article(ctx: CollectContext, page_url: str, link: Tag, date_text: str, views: int | None,
             errors: list[str]) -> Post | None:
    url = urljoin(page_url, link["href"].strip())
    match = OPENSID_ARTICLE.search(urlsplit(url).path)
    if match is None:
        errors.append(f"not an /artikel/Y/M/D/slug link: {url}")
        return None
    when, date_only = None, True
    if date_text.strip():
        try:
            parsed = parse_date(date_text, ctx.zone, ctx.now)
            when, date_only = parsed.when, parsed.date_only
        except DateParseError as exc:
            log.debug("OpenSID date %r unreadable (%s); using the URL date", date_text, exc)
    if when is None:
        # The article URL carries the upload day (buat_slug: YEAR/MONTH/DAY of tgl_upload).
        day = opensid_date(url, ctx.zone)
        if day is None:
            errors.append(f"no date for {url}")
            return None
        when, date_only = day, True
    return Post(
        source_id=ctx.source.source_id,
        external_id=opensid_id(match),
        url=url,
        title=" ".join(link.get_text(" ", strip=True).split()),
        published_at=when.astimezone(UTC),
        views=views,
        date_only=date_only,
    )


def _count(text: str) -> int | None:
    # "1.176" (Indonesian thousands separator) or "1,176".
    match = DIGITS.search(text or "")
    return int(re.sub(r"[.,]", "", match.group())) if match else None


def _last_page(soup: BeautifulSoup) -> int | None:
    match = PAGE_OF.search(soup.get_text(" ", strip=True))
    return int(match.group(2)) if match else None
