"""OpenSID village sites: `/feed.xml`, then the archive table, then the home list's URL dates.

The feed gives full timestamps but only the newest 50 articles (and old OpenSID releases serve
a broken feed: items after </channel>, no pubDate). The theme natra archive (`/arsip/{p}`, or
`first/arsip/{p}` on older installs) lists every article with its day and view count. When
neither answers, the home list (`/index/{p}`) still links every article, and an OpenSID
article URL carries its upload day: `/artikel/2025/9/10/slug`.

A re-run with nothing new costs one request: the feed answers alone when it shows fewer than
its 50 articles (it then lists everything) or reaches back to `since`; a feed found in the old
broken format is remembered in the source state, and the runs after go straight to the archive,
trying the feed again once a week; an empty feed counts only once the archive has confirmed the
village has no article. The feed is fetched with conditional GET (current OpenSID sends no
validators; a cache in front of it may).

Identity is that `/artikel/Y/M/D/slug` path whichever route found the article, with or
without the `index.php/` prefix of installs without URL rewriting, so switching routes never
duplicates a post. An item seen in both the feed and the archive keeps the feed's timestamp
and takes the archive's view count.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from collectors.base import CollectContext, CollectResult
from collectors.dates import DateParseError, on_or_after, parse_date
from collectors.errors import CollectorError, FetchError, HttpStatusError, ParseError
from collectors.feed import ITEMS_AFTER_CHANNEL, OPENSID_ARTICLE, opensid_date, opensid_id, parse_feed
from pantau.models import Post

log = logging.getLogger(__name__)

# Feed_model.php: ORDER BY tgl_upload DESC LIMIT 50 (older models: ORDER BY id DESC LIMIT 20).
FEED_LIMIT = 50
OLD_FEED_LIMIT = 20
# What the feed turned out to be, in ctx.state: {"site", "status": ok|empty|broken, "checked"}.
FEED_STATE = "opensid_feed"
RECHECK_BROKEN_FEED = timedelta(days=7)
# Archive routes, newest OpenSID first; the one that answers is remembered in ctx.state.
ARCHIVE_ROUTES = ("arsip", "first/arsip")
INDEX_ROUTES = ("index", "first/index")
MAX_PAGES = 200
# natra pagination: "<div>Halaman 2 dari 4</div>".
PAGE_OF = re.compile(r"Halaman\s+(\d+)\s+dari\s+(\d+)", re.IGNORECASE)
DIGITS = re.compile(r"\d[\d.,]*")


@dataclass
class Listing:
    """Posts read from the site's HTML pages, and whether they reach back to `since`."""

    posts: list[Post] = field(default_factory=list)
    item_errors: list[str] = field(default_factory=list)
    route: str = "archive"
    complete: bool = True
    # Articles the listing showed, before the since filter (0: the village has none).
    rows: int = 0


def collect(ctx: CollectContext) -> CollectResult:
    root = site_root(ctx.source.address)
    remembered = ctx.state.get("opensid_site")
    sites = [root]
    if not root.endswith("/index.php/"):
        # Installs without URL rewriting answer only under index.php/ (CodeIgniter's index_page).
        sites.append(root + "index.php/")
    if remembered in sites:
        sites.remove(remembered)
        sites.insert(0, remembered)
    failure: ParseError | None = None
    for site in sites:
        try:
            result = collect_site(ctx, site)
        except NoUsableRoute as exc:
            failure = exc if failure is None else NoUsableRoute(f"{failure}; under {site}: {exc}")
            continue
        ctx.state["opensid_site"] = site
        return result
    assert failure is not None
    raise failure


class NoUsableRoute(ParseError):
    """Neither the feed, the archive nor the home list answered in a known format."""


def collect_site(ctx: CollectContext, site: str) -> CollectResult:
    """Collect the village at `site` (its base URL, ending in "/")."""
    notes: list[str] = []
    failures: list[CollectorError] = []
    known = _feed_state(ctx, site)
    if known.get("status") == "broken" and not _recheck_due(ctx, known):
        notes.append(f"feed.xml known broken (checked {known['checked']}); reading the archive")
        from_feed, entries = None, 0
    else:
        from_feed, entries = _read_feed(ctx, site, notes, failures)
    unverified_empty = from_feed is not None and not from_feed.not_modified and entries == 0 \
        and known.get("status") != "empty"
    if from_feed is not None and (from_feed.not_modified or not from_feed.truncated) and not unverified_empty:
        from_feed.notes.extend(notes)
        return from_feed
    if unverified_empty:
        notes.append("feed.xml lists no article; asking the archive whether the village has any")
    elif from_feed is not None:
        notes.append(f"feed.xml shows only its newest {FEED_LIMIT} articles and does not reach since; "
                     "completing from the archive")
    # An empty feed is no fallback until the archive has confirmed it.
    listing = _read_listing(ctx, site, notes, failures, fallback=None if unverified_empty else from_feed)
    if listing is None:  # no HTML route answered, but the (truncated) feed did
        from_feed.notes.extend(notes)
        return from_feed
    if unverified_empty:
        _remember_feed(ctx, site, "empty" if listing.rows == 0 else "broken")
        if listing.rows:
            notes.append(f"feed.xml is empty but the archive lists {listing.rows} article(s); feed not used")
        from_feed = None
    return _merge(from_feed, listing, notes)


def site_root(address: str) -> str:
    """The site's base URL with a trailing slash, keeping an `index.php/` prefix if given."""
    root = address.strip().split("#")[0].split("?")[0]
    for tail in ("feed.xml", "first/arsip", "arsip"):
        if root.rstrip("/").endswith("/" + tail):
            root = root.rstrip("/")[: -len(tail)]
    return root if root.endswith("/") else root + "/"


def _read_feed(ctx: CollectContext, site: str, notes: list[str],
               failures: list) -> tuple[CollectResult | None, int]:
    """The feed's posts since `since` (None when unusable), and how many entries it showed."""
    known = _feed_state(ctx, site)
    try:
        response = ctx.http.get(site + "feed.xml", conditional=True)
    except FetchError as exc:
        notes.append(f"feed.xml unusable ({exc.kind}): {exc}")
        failures.append(exc)
        if known.get("status") == "broken":
            _remember_feed(ctx, site, "broken")  # still no usable feed: try again next week
        return None, 0
    if response.not_modified:
        if known.get("status") == "broken":  # the same broken document as last time
            _remember_feed(ctx, site, "broken")
            notes.append("feed.xml unchanged and still broken")
            return None, 0
        return CollectResult(route="feed", not_modified=True), 0
    try:
        items = parse_feed(response.content, ctx.source.source_id, ctx.zone,
                           response.headers.get("Content-Type", ""))
        if items.entries and not items.posts and items.item_errors:
            raise ParseError(f"no dated entry in feed ({len(items.item_errors)} undated)")
    except ParseError as exc:
        notes.append(f"feed.xml unusable ({exc.kind}): {exc}")
        failures.append(exc)
        if ITEMS_AFTER_CHANNEL.search(response.content) or "undated" in str(exc):
            _remember_feed(ctx, site, "broken")  # the old feed.php: it stays so until the site is upgraded
        return None, 0
    foreign = [p for p in items.posts if not p.external_id.startswith("/artikel/")]
    if foreign and len(foreign) == len(items.posts):
        # Old feeds link first/artikel/{id}: an identity the archive cannot match.
        notes.append(f"feed.xml links no /artikel/Y/M/D/slug path ({len(foreign)} items); not used")
        _remember_feed(ctx, site, "broken")
        return None, 0
    result = CollectResult(route="feed", item_errors=items.item_errors)
    if foreign:
        result.item_errors.extend(f"not an /artikel/Y/M/D/slug link: {p.url}" for p in foreign)
    mine = [p for p in items.posts if p.external_id.startswith("/artikel/")]
    result.posts = [p for p in mine if on_or_after(p.published_at, p.date_only, ctx.since, ctx.zone)]
    # Fewer entries than the model's LIMIT: the feed lists every article, however recent.
    full = items.entries >= FEED_LIMIT or items.entries == OLD_FEED_LIMIT
    oldest = min((p.published_at for p in mine), default=None)
    result.truncated = full and oldest is not None and oldest > ctx.since
    if items.entries and known.get("status") != "ok":
        _remember_feed(ctx, site, "ok")
    return result, items.entries


def _feed_state(ctx: CollectContext, site: str) -> dict:
    known = ctx.state.get(FEED_STATE)
    return known if isinstance(known, dict) and known.get("site") == site else {}


def _remember_feed(ctx: CollectContext, site: str, status: str) -> None:
    ctx.state[FEED_STATE] = {"site": site, "status": status, "checked": _now(ctx).isoformat()}


def _recheck_due(ctx: CollectContext, known: dict) -> bool:
    try:
        checked = datetime.fromisoformat(str(known.get("checked")))
    except ValueError:
        return True
    now = _now(ctx)
    return checked.tzinfo is None or not checked <= now < checked + RECHECK_BROKEN_FEED


def _now(ctx: CollectContext) -> datetime:
    return ctx.now or datetime.now(UTC)


def _read_listing(ctx: CollectContext, site: str, notes: list[str], failures: list,
                  fallback: CollectResult | None) -> Listing | None:
    try:
        return read_archive(ctx, site)
    except (FetchError, ParseError) as exc:
        notes.append(f"archive unusable ({exc.kind}): {exc}")
        failures.append(exc)
    try:
        return read_index(ctx, site)
    except (FetchError, ParseError) as exc:
        notes.append(f"home list unusable ({exc.kind}): {exc}")
        failures.append(exc)
        if fallback is not None:
            return None
        # A site that is down is reported as down (timeout, connection, 5xx), not as a format problem.
        unreachable = [e for e in failures
                       if isinstance(e, FetchError) and getattr(e, "status", None) not in (404, 410)]
        if unreachable and all(isinstance(e, FetchError) for e in failures):
            raise unreachable[0] from exc
        raise NoUsableRoute(f"no usable route under {site}: " + "; ".join(notes)) from exc


def _merge(from_feed: CollectResult | None, listing: Listing, notes: list[str]) -> CollectResult:
    by_id = {p.external_id: p for p in listing.posts}
    posts = []
    route = listing.route
    if from_feed is not None:
        route = f"feed+{listing.route}"
        for post in from_feed.posts:
            seen = by_id.pop(post.external_id, None)
            if seen is not None and seen.views is not None:
                post.views = seen.views
            posts.append(post)
    posts.extend(by_id.values())
    posts.sort(key=lambda p: p.published_at, reverse=True)
    return CollectResult(
        posts=posts,
        route=route,
        truncated=not listing.complete,
        item_errors=(from_feed.item_errors if from_feed else []) + listing.item_errors,
        notes=notes,
    )


# --- archive table (theme natra partials/arsip.php) ----------------------------------------

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
        raise ParseError(f"no archive table on {page_url}")
    header = [cell.get_text(" ", strip=True).lower() for cell in _header_cells(table)]
    date_col = _column(header, "tanggal", 1)
    title_col = _column(header, "judul", 2)
    views_col = _column(header, "dibaca", 4)
    posts, errors = [], []
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
