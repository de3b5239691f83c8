"""Which listed OpenSID entries are articles, and which articles no route reached.

The HTML archive lists static pages and agenda beside articles: an entry the feed does not vouch
for is read once on its own page to tell (collectors/opensid_pages.py), and what it turned out
to be is remembered. The sitemap is a weekly coverage check: entries it dates that no route
reached are confirmed on their page or recorded as a coverage gap.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from collectors import opensid_pages
from collectors.base import CollectContext, CollectResult
from collectors.dates import on_or_after
from collectors.errors import FetchError, ParseError
from collectors.feed import opensid_date
from collectors.opensid_archive import Listing
from collectors.opensid_feed import FeedCover
from pantau.models import Post

# Entries read on their own page: external id -> artikel | statis | agenda | keuangan | gone.
ENTRY_KINDS = "opensid_entry_kinds"
MAX_ENTRY_KINDS = 2000
SITEMAP_CHECKED = "opensid_sitemap_checked"
SITEMAP_EVERY = timedelta(days=7)
# Archive entries the feed does not vouch for are read on their own page, at most this many a run.
MAX_ENTRY_READS = 200


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


def _now(ctx: CollectContext) -> datetime:
    return ctx.now or datetime.now(UTC)
