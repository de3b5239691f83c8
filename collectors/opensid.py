"""OpenSID village sites: which form the site takes and which route answers, in order: the feed,
then the JSON archive, then the HTML archive, then the home list.

Each route has its own module: the feed (collectors/opensid_feed.py), the listings
(collectors/opensid_archive.py, the JSON wire format in collectors/opensid_json.py), and the
checks of what is an article and what no route reached (collectors/opensid_coverage.py, reading
entry pages and the sitemap with collectors/opensid_pages.py). This module tries the site with
and without the `index.php/` prefix (installs without URL rewriting answer only under it), goes
from the feed to the listings when the feed is truncated, empty or broken, and merges the two.

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

from collectors.base import CollectContext, CollectResult
from collectors.errors import CollectorError, FetchError, ParseError
from collectors.opensid_archive import ARCHIVE_KIND, Listing, read_archive, read_index, read_json_archive
from collectors.opensid_coverage import ENTRY_KINDS, SITEMAP_CHECKED, check_sitemap, confirm_entries
from collectors.opensid_feed import (
    FEED_LIMIT,
    FEED_ROUTE,
    FEED_STATE,
    FeedCover,
    WrongForm,
    feed_state,
    read_feed,
    recheck_due,
    remember_feed,
)

ADDRESS = "opensid_address"
STATE_KEYS = ("opensid_site", FEED_STATE, FEED_ROUTE, ARCHIVE_KIND, ENTRY_KINDS, SITEMAP_CHECKED,
              "opensid_archive_route", "opensid_index_route")


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
        except (NoUsableRoute, WrongForm) as exc:  # WrongForm: try the other URL form
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


class NoUsableRoute(ParseError):
    """Neither the feed, the archive nor the home list answered in a known format."""


def collect_site(ctx: CollectContext, site: str) -> CollectResult:
    """Collect the village at `site` (its base URL, ending in "/")."""
    notes: list[str] = []
    failures: list[CollectorError] = []
    known = feed_state(ctx, site)
    cover = FeedCover()
    if known.get("status") == "broken" and not recheck_due(ctx, known):
        notes.append(f"feed known broken (checked {known['checked']}); reading the archive")
        from_feed, entries = None, 0
    else:
        from_feed, entries = read_feed(ctx, site, notes, failures, cover)
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
        remember_feed(ctx, site, "empty" if listing.rows == 0 else "broken")
        if listing.rows:
            notes.append(f"the feed is empty but the archive lists {listing.rows} article(s); feed not used")
        from_feed = None
        cover = FeedCover()
    if listing.route == "archive":
        confirm_entries(ctx, listing, cover, notes)
    return check_sitemap(ctx, site, _merge(from_feed, listing, notes))


def site_root(address: str) -> str:
    """The site's base URL with a trailing slash, keeping an `index.php/` prefix if given."""
    root = address.strip().split("#")[0].split("?")[0]
    for tail in ("feed.xml", "feed", "sitemap.xml", "first/arsip", "arsip"):
        if root.rstrip("/").endswith("/" + tail):
            root = root.rstrip("/")[: -len(tail)]
    return root if root.endswith("/") else root + "/"


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

