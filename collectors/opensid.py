"""OpenSID village sites: the feed, then the JSON archive, then the HTML archive, then the home list.

The feed (`index.php/feed`, `feed.xml` or `feed`: one controller under three routes) gives full
timestamps but only the newest 50 articles, static pages and agenda excluded; old releases serve
a broken feed (items after </channel>, no pubDate) and some premium ones none at all (500 on
22.06, 404 on 24.01). Premium themes fill `/arsip` in the browser from the JSON archive
`internal_api/arsip` (collectors/opensid_json.py): their HTML table is empty, which must never
read as "no posts". The HTML archive (`/arsip/{p}`, or `first/arsip/{p}` on older installs)
lists every entry with its day and view count, static pages and agenda included: an entry the
feed does not vouch for is read once on its own page to tell (collectors/opensid_pages.py).
When nothing else answers, the home list (`/index/{p}`) still links every article, and an
OpenSID article URL carries its upload day: `/artikel/2025/9/10/slug`. The sitemap is a weekly
coverage check: entries it dates that no route reached are confirmed on their page or recorded
as a coverage gap.

Every route found is remembered in the source state beside the address it was learned from
(`opensid_address`): a source whose address changed starts afresh.

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
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from collectors import opensid_json, opensid_pages
from collectors.base import CollectContext, CollectResult
from collectors.dates import DateParseError, on_or_after, parse_date
from collectors.errors import CollectorError, FetchError, HttpStatusError, ParseError
from collectors.feed import ITEMS_AFTER_CHANNEL, OPENSID_ARTICLE, opensid_date, opensid_id, parse_feed
from pantau.models import Post
from pantau.redaction import redact_url

log = logging.getLogger(__name__)

# Feed_model.php: ORDER BY tgl_upload DESC LIMIT 50 (older models: ORDER BY id DESC LIMIT 20).
FEED_LIMIT = 50
OLD_FEED_LIMIT = 20
# What the feed turned out to be, in ctx.state: {"site", "status": ok|empty|broken, "checked"}.
FEED_STATE = "opensid_feed"
RECHECK_BROKEN_FEED = timedelta(days=7)
BROKEN_FEED_STATUSES = (404, 410, 500)
# The feed controller's routes: `index.php/feed` answers with and without URL rewriting, so it
# goes first; the one that answers is remembered.
FEED_ROUTES = ("feed.xml", "feed")
FEED_ROUTE = "opensid_feed_route"
# The archive that answered: "json-get", "json-post" or "html".
ARCHIVE_KIND = "opensid_archive_kind"
# Entries read on their own page: external id -> artikel | statis | agenda | keuangan | gone.
ENTRY_KINDS = "opensid_entry_kinds"
MAX_ENTRY_KINDS = 2000
SITEMAP_CHECKED = "opensid_sitemap_checked"
SITEMAP_EVERY = timedelta(days=7)
ADDRESS = "opensid_address"
STATE_KEYS = ("opensid_site", FEED_STATE, FEED_ROUTE, ARCHIVE_KIND, ENTRY_KINDS, SITEMAP_CHECKED,
              "opensid_archive_route", "opensid_index_route")
# Archive routes, newest OpenSID first; the one that answers is remembered in ctx.state.
ARCHIVE_ROUTES = ("arsip", "first/arsip")
INDEX_ROUTES = ("index", "first/index")
MAX_PAGES = 200
# Archive entries the feed does not vouch for are read on their own page, at most this many a run.
MAX_ENTRY_READS = 200
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


def collect(ctx: CollectContext) -> CollectResult:
    forget_other_address(ctx)
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


def forget_other_address(ctx: CollectContext) -> None:
    """Routes learned for another address say nothing about this one (the clerk moved the source)."""
    address = ctx.source.address.strip()
    if ctx.state.get(ADDRESS) != address:
        for key in STATE_KEYS:
            ctx.state.pop(key, None)
        ctx.state[ADDRESS] = address


def site_form(site: str) -> str:
    """"index.php" for an install without URL rewriting (every route under /index.php/), else "rewrite"."""
    return "index.php" if site.rstrip("/").endswith("/index.php") else "rewrite"


class NoUsableRoute(ParseError):
    """Neither the feed, the archive nor the home list answered in a known format."""


class WrongForm(NoUsableRoute):
    """The site answered, but under the other URL form (index.php/ or not)."""


def collect_site(ctx: CollectContext, site: str) -> CollectResult:
    """Collect the village at `site` (its base URL, ending in "/")."""
    notes: list[str] = []
    failures: list[CollectorError] = []
    known = _feed_state(ctx, site)
    cover = FeedCover()
    if known.get("status") == "broken" and not _recheck_due(ctx, known):
        notes.append(f"feed known broken (checked {known['checked']}); reading the archive")
        from_feed, entries = None, 0
    else:
        from_feed, entries = _read_feed(ctx, site, notes, failures, cover)
    unverified_empty = from_feed is not None and not from_feed.not_modified and entries == 0 \
        and known.get("status") != "empty"
    if from_feed is not None and (from_feed.not_modified or not from_feed.truncated) and not unverified_empty:
        from_feed.notes.extend(notes)
        return check_sitemap(ctx, site, from_feed)
    if unverified_empty:
        notes.append("the feed lists no article; asking the archive whether the village has any")
    elif from_feed is not None:
        notes.append(f"the feed shows only its newest {FEED_LIMIT} articles and does not reach since; "
                     "completing from the archive")
    # An empty feed is no fallback until the archive has confirmed it.
    listing = _read_listing(ctx, site, notes, failures, fallback=None if unverified_empty else from_feed)
    if listing is None:  # no HTML route answered, but the (truncated) feed did
        from_feed.notes.extend(notes)
        return check_sitemap(ctx, site, from_feed)
    if unverified_empty:
        _remember_feed(ctx, site, "empty" if listing.rows == 0 else "broken")
        if listing.rows:
            notes.append(f"the feed is empty but the archive lists {listing.rows} article(s); feed not used")
        from_feed = None
        cover = FeedCover()
    if listing.route == "archive":
        confirm_entries(ctx, listing, cover, notes)
    return check_sitemap(ctx, site, _merge(from_feed, listing, notes))


@dataclass
class FeedCover:
    """What a readable feed vouches for: its entries are articles (the feed leaves static pages
    and agenda out), and an archive entry newer than its oldest entry but absent from it is not
    an article."""

    ids: set[str] = field(default_factory=set)
    oldest: date | None = None


def confirm_entries(ctx: CollectContext, listing: Listing, cover: FeedCover, notes: list[str]) -> None:
    """Keep only the HTML archive's entries that are articles (it lists static pages and agenda too)."""
    kinds: dict[str, str] = ctx.state.setdefault(ENTRY_KINDS, {})
    kept: list[Post] = []
    reads = excluded = 0
    unconfirmed: list[date] = []
    for post in listing.posts:
        ident = post.external_id
        day = post.published_at.astimezone(ctx.zone).date()
        if ident in cover.ids or kinds.get(ident) == "artikel":
            kept.append(post)
            continue
        if kinds.get(ident):
            excluded += 1  # known not to be an article
            continue
        if cover.oldest is not None and day > cover.oldest:
            kinds[ident] = "not-in-feed"  # within the feed's reach but not in it: not an article
            excluded += 1
            continue
        if reads >= MAX_ENTRY_READS:
            unconfirmed.append(day)
            continue
        reads += 1
        try:
            page = opensid_pages.read_entry(ctx, post.url)
        except FetchError as exc:
            listing.item_errors.append(f"could not tell whether {post.url} is an article: {exc}")
            continue
        if page.kind == "gone":  # the archive lists only enabled entries: a 404 here is the site's fault
            listing.item_errors.append(f"archive entry {post.url} answers 404")
            continue
        kinds[ident] = page.kind
        if page.kind != "artikel":
            excluded += 1
            continue
        if page.post is not None and not page.post.date_only and post.date_only and \
                page.post.published_at.astimezone(ctx.zone).date() == day:
            post.published_at, post.date_only = page.post.published_at, False  # the page shows the time
        kept.append(post)
    listing.posts = kept
    if reads or excluded:
        notes.append(f"archive: {reads} entry page(s) read, {excluded} static page/agenda entry(ies) left out")
    if unconfirmed:
        listing.gaps.extend(opensid_pages.gap_windows(unconfirmed, ctx))
        notes.append(f"archive: {len(unconfirmed)} entry(ies) left unconfirmed for the next run "
                     f"(at most {MAX_ENTRY_READS} page reads a run)")
    _prune_kinds(ctx, kinds)


def _prune_kinds(ctx: CollectContext, kinds: dict[str, str]) -> None:
    """Forget the oldest remembered entries (by the day in their path) beyond the cap."""
    if len(kinds) <= MAX_ENTRY_KINDS:
        return
    dated = sorted(kinds, key=lambda ident: (opensid_date(ident, ctx.zone) or datetime.min.replace(tzinfo=UTC)))
    for ident in dated[: len(kinds) - MAX_ENTRY_KINDS]:
        kinds.pop(ident, None)


def check_sitemap(ctx: CollectContext, site: str, result: CollectResult) -> CollectResult:
    """Weekly: sitemap entries dated since `since` that no route reached are confirmed on their
    page (and counted), ruled out (static, agenda, disabled), or recorded as a coverage gap."""
    if result.not_modified:
        return result
    now = _now(ctx)
    try:
        checked = datetime.fromisoformat(str(ctx.state.get(SITEMAP_CHECKED)))
        if checked.tzinfo is not None and checked <= now < checked + SITEMAP_EVERY:
            return result
    except ValueError:
        pass
    ctx.state[SITEMAP_CHECKED] = now.isoformat()
    try:
        entries = opensid_pages.read_sitemap(ctx, site)
    except (FetchError, ParseError) as exc:
        result.notes.append(f"sitemap.xml unusable ({exc.kind}): {exc}")
        return result
    kinds: dict[str, str] = ctx.state.setdefault(ENTRY_KINDS, {})
    reached = {p.external_id for p in result.posts}
    check = opensid_pages.check_coverage(ctx, entries, reached, kinds)
    kinds.update(check.not_articles)
    for post in check.confirmed:
        kinds[post.external_id] = "artikel"
        if on_or_after(post.published_at, post.date_only, ctx.since, ctx.zone):
            result.posts.append(post)
    result.posts.sort(key=lambda p: p.published_at, reverse=True)
    result.gaps.extend(opensid_pages.gap_windows(check.unresolved, ctx))
    if check.reads or check.unresolved:
        result.notes.append(
            f"sitemap: {len(check.confirmed)} article(s) no route reached confirmed on their page, "
            f"{len(check.not_articles)} entry(ies) not articles, {len(check.unresolved)} left as a coverage gap")
    _prune_kinds(ctx, kinds)
    return result


def site_root(address: str) -> str:
    """The site's base URL with a trailing slash, keeping an `index.php/` prefix if given."""
    root = address.strip().split("#")[0].split("?")[0]
    for tail in ("feed.xml", "feed", "sitemap.xml", "first/arsip", "arsip"):
        if root.rstrip("/").endswith("/" + tail):
            root = root.rstrip("/")[: -len(tail)]
    return root if root.endswith("/") else root + "/"


def _read_feed(ctx: CollectContext, site: str, notes: list[str],
               failures: list, cover: FeedCover) -> tuple[CollectResult | None, int]:
    """The feed's posts since `since` (None when unusable), and how many entries it showed."""
    known = _feed_state(ctx, site)
    try:
        response = _fetch_feed(ctx, site)
    except FetchError as exc:
        notes.append(f"feed unusable ({exc.kind}): {exc}")
        failures.append(exc)
        if known.get("status") == "broken" or getattr(exc, "status", None) in BROKEN_FEED_STATUSES:
            # Still no usable feed, or a release whose feed fails (500 on premium 22.06, 404 on
            # 24.01): the runs after go straight to the archive and try again next week. (A
            # site that is down fails as a whole, and a failed run saves no state.)
            _remember_feed(ctx, site, "broken")
        return None, 0
    if response.not_modified:
        if known.get("status") == "broken":  # the same broken document as last time
            _remember_feed(ctx, site, "broken")
            notes.append("the feed is unchanged and still broken")
            return None, 0
        return CollectResult(route="feed", not_modified=True), 0
    try:
        items = parse_feed(response.content, ctx.source.source_id, ctx.zone,
                           response.headers.get("Content-Type", ""))
        if items.entries and not items.posts and items.item_errors:
            raise ParseError(f"no dated entry in feed ({len(items.item_errors)} undated)")
    except ParseError as exc:
        notes.append(f"feed unusable ({exc.kind}): {exc}")
        failures.append(exc)
        if ITEMS_AFTER_CHANNEL.search(response.content) or "undated" in str(exc):
            _remember_feed(ctx, site, "broken")  # the old feed.php: it stays so until the site is upgraded
        return None, 0
    if site_form(site) == "rewrite" and any("/index.php/artikel/" in p.url for p in items.posts):
        # index.php/feed answers on every install, but its links show this one has no URL
        # rewriting: every other route lives under index.php/ too.
        # The same URL is fetched again under index.php/: a 304 there would hide this answer.
        ctx.http.validators.pop(redact_url(response.url), None)
        raise WrongForm(f"the feed links index.php/ articles: {site} has no URL rewriting")
    foreign = [p for p in items.posts if not p.external_id.startswith("/artikel/")]
    if foreign and len(foreign) == len(items.posts):
        # Old feeds link first/artikel/{id}: an identity the archive cannot match.
        notes.append(f"the feed links no /artikel/Y/M/D/slug path ({len(foreign)} items); not used")
        _remember_feed(ctx, site, "broken")
        return None, 0
    result = CollectResult(route="feed", item_errors=items.item_errors)
    if foreign:
        result.item_errors.extend(f"not an /artikel/Y/M/D/slug link: {p.url}" for p in foreign)
    mine = [p for p in items.posts if p.external_id.startswith("/artikel/")]
    cover.ids = {p.external_id for p in mine}
    cover.oldest = min((p.published_at.astimezone(ctx.zone).date() for p in mine), default=None)
    result.posts = [p for p in mine if on_or_after(p.published_at, p.date_only, ctx.since, ctx.zone)]
    # Fewer entries than the model's LIMIT: the feed lists every article, however recent.
    full = items.entries >= FEED_LIMIT or items.entries == OLD_FEED_LIMIT
    oldest = min((p.published_at for p in mine), default=None)
    result.truncated = full and oldest is not None and oldest > ctx.since
    if items.entries and known.get("status") != "ok":
        _remember_feed(ctx, site, "ok")
    return result, items.entries


def feed_routes(site: str) -> tuple[str, ...]:
    if site_form(site) == "index.php":
        return ("feed", "feed.xml")
    return ("index.php/feed", *FEED_ROUTES)


def _fetch_feed(ctx: CollectContext, site: str):
    """The feed under its remembered route, else the first route that answers (404: next)."""
    routes = feed_routes(site)
    remembered = ctx.state.get(FEED_ROUTE)
    if remembered in routes:
        routes = (remembered, *[r for r in routes if r != remembered])
    missing: HttpStatusError | None = None
    for route in routes:
        try:
            response = ctx.http.get(site + route, conditional=True)
        except HttpStatusError as exc:
            if exc.status not in (404, 410):
                raise  # one controller behind every route: a 500 here is a 500 everywhere
            missing = missing or exc
            continue
        ctx.state[FEED_ROUTE] = route
        return response
    assert missing is not None
    raise missing


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
    # The JSON archive first (premium themes' HTML table is empty); a site known to have only
    # the HTML one goes there first, and back to JSON if its table turned empty (an upgrade).
    order = ("html", "json") if ctx.state.get(ARCHIVE_KIND) == "html" else ("json", "html")
    for kind in order:
        try:
            listing = read_json_archive(ctx, site) if kind == "json" else read_archive(ctx, site)
        except (FetchError, ParseError) as exc:
            name = "JSON archive" if kind == "json" else "archive"
            notes.append(f"{name} unusable ({exc.kind}): {exc}")
            failures.append(exc)
            continue
        if kind == "html":
            ctx.state[ARCHIVE_KIND] = "html"
        return listing
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
        gaps=listing.gaps,
    )


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
