"""The OpenSID feed: which route serves it, whether it is usable, and what it vouches for.

The feed (`index.php/feed`, `feed.xml` or `feed`: one controller under three routes) gives full
timestamps but only the newest 50 articles, static pages and agenda excluded; old releases serve
a broken feed (items after </channel>, no pubDate) and some premium ones none at all (500 on
22.06, 404 on 24.01). A feed found broken is remembered in the source state and tried again
once a week. Its links also tell the site's URL form: `index.php/artikel/...` links mean the
install has no URL rewriting, so every route lives under `index.php/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from collectors.base import CollectContext, CollectResult
from collectors.dates import on_or_after
from collectors.errors import FetchError, HttpStatusError, ParseError
from collectors.feed import ITEMS_AFTER_CHANNEL, parse_feed
from pantau.redaction import redact_url

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


class WrongForm(ParseError):
    """The site answered, but under the other URL form (index.php/ or not)."""


def site_form(site: str) -> str:
    """"index.php" for an install without URL rewriting (every route under /index.php/), else "rewrite"."""
    return "index.php" if site.rstrip("/").endswith("/index.php") else "rewrite"


@dataclass
class FeedCover:
    """What a readable feed vouches for: its entries are articles (the feed leaves static pages
    and agenda out), and an archive entry newer than its oldest entry but absent from it is not
    an article."""

    ids: set[str] = field(default_factory=set)
    oldest: date | None = None


def read_feed(ctx: CollectContext, site: str, notes: list[str],
              failures: list, cover: FeedCover) -> tuple[CollectResult | None, int]:
    """The feed's posts since `since` (None when unusable), and how many entries it showed."""
    known = feed_state(ctx, site)
    try:
        response = _fetch_feed(ctx, site)
    except FetchError as exc:
        notes.append(f"feed unusable ({exc.kind}): {exc}")
        failures.append(exc)
        if known.get("status") == "broken" or getattr(exc, "status", None) in BROKEN_FEED_STATUSES:
            # Still no usable feed, or a release whose feed fails (500 on premium 22.06, 404 on
            # 24.01): the runs after go straight to the archive and try again next week. (A
            # site that is down fails as a whole, and a failed run saves no state.)
            remember_feed(ctx, site, "broken")
        return None, 0
    if response.not_modified:
        if known.get("status") == "broken":  # the same broken document as last time
            remember_feed(ctx, site, "broken")
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
            remember_feed(ctx, site, "broken")  # the old feed.php: it stays so until the site is upgraded
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
        remember_feed(ctx, site, "broken")
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
        remember_feed(ctx, site, "ok")
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


def feed_state(ctx: CollectContext, site: str) -> dict:
    known = ctx.state.get(FEED_STATE)
    return known if isinstance(known, dict) and known.get("site") == site else {}


def remember_feed(ctx: CollectContext, site: str, status: str) -> None:
    ctx.state[FEED_STATE] = {"site": site, "status": status, "checked": _now(ctx).isoformat()}


def recheck_due(ctx: CollectContext, known: dict) -> bool:
    try:
        checked = datetime.fromisoformat(str(known.get("checked")))
    except ValueError:
        return True
    now = _now(ctx)
    return checked.tzinfo is None or not checked <= now < checked + RECHECK_BROKEN_FEED


def _now(ctx: CollectContext) -> datetime:
    return ctx.now or datetime.now(UTC)

