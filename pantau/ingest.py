"""The one door through which posts enter the store, from collectors and manual imports alike.

Keeping it single means every stored post gets the same treatment (a publication date inside the
window, upsert by identity, then the screening flags) whichever route brought it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from collectors.dates import DateOutOfRange, check_publication_date
from pantau.models import Post
from pantau.redaction import redact_secrets
from pantau.screening import lexicons, post_text, screen
from pantau.store import Store, utcnow

log = logging.getLogger(__name__)


def dated_in_window(items: Iterable[Post], now: datetime) -> tuple[list[Post], list[str]]:
    """The posts whose publication date passes `check_publication_date`, and an item error for
    each of the others (they are never stored, so never a source's restart point)."""
    kept: list[Post] = []
    errors: list[str] = []
    for post in items:
        try:
            check_publication_date(post.published_at, now)
        except DateOutOfRange as exc:
            errors.append(f"{exc} on {(post.url or post.external_id)[:200]!r}")
        else:
            kept.append(post)
    return kept, errors


@dataclass
class Renamed:
    """New items that are stored posts of their source under another id (a site whose ids change
    on every run): kept apart, so three posts stay three however often they are collected."""

    kept: list[Post] = field(default_factory=list)
    renamed: list[Post] = field(default_factory=list)

    def notice(self) -> str:
        first = self.renamed[0]
        return (f"{len(self.renamed)} item(s) came back under new ids with the URL, or the title and "
                f"publication time, of posts already stored; not stored again (first: "
                f"{first.external_id[:80]!r} at {(first.url or first.title)[:120]!r})")


def without_renamed(store: Store, source_id: str, items: list[Post]) -> Renamed:
    """Split off the items new by id whose URL, or title and publication time (to the second; not
    for date-only items), a stored post of the same source already has."""
    known = store.stored_published(source_id, [p.external_id for p in items])
    fresh = [p for p in items if p.external_id not in known]
    if not fresh:
        return Renamed(kept=list(items))
    urls, titled = store.stored_lookalikes(source_id, [p.url for p in fresh],
                                           [p.published_at for p in fresh])
    split = Renamed()
    for post in items:
        same_url = bool(post.url) and post.url in urls
        # A day alone is no identity: two villages' "Posyandu" posts of one day are two posts.
        same_title_time = bool(post.title) and not post.date_only and (post.title, post.published_at) in titled
        if post.external_id not in known and (same_url or same_title_time):
            split.renamed.append(post)
        else:
            split.kept.append(post)
    return split


def save_posts(store: Store, unit_id: str, platform: str, items: Iterable[Post],
               now: datetime | None = None) -> tuple[int, int]:
    """Upsert posts of one source, screening them; return (seen, new).

    A post dated outside the publication window (`check_publication_date` at `now`, the wall
    clock by default) is never stored; callers that report item errors sort them out first with
    `dated_in_window`, and this door drops any that reach it.
    A new post is stored as it came, so it is screened from the item and written with its flags;
    a known post is screened again from what the store now holds.
    """
    batch, refused = dated_in_window(items, now or utcnow())
    for error in refused:
        log.warning("not stored: %s", redact_secrets(error))
    batch = [_masked(post) for post in batch]
    lex = lexicons()

    def flags_of(post: Post) -> tuple[str, dict]:
        result = screen(post_text(post.title, post.excerpt), lex)
        return result.flags_str, result.stored

    seen, fresh = store.upsert_posts_detailed(unit_id, platform, batch, flags=flags_of)
    known = [(p.source_id, p.external_id) for p in batch if (p.source_id, p.external_id) not in fresh]
    if known:
        screen_stored(store, known)
    return seen, len(fresh)


def _masked(post: Post) -> Post:
    """The post with every configured secret masked: an API may echo its token into a link or a
    text, and what is stored reaches pages and exports."""
    fields = {name: redact_secrets(getattr(post, name)) for name in ("external_id", "url", "title", "excerpt")}
    if all(fields[name] == getattr(post, name) for name in fields):
        return post
    return replace(post, **fields)


def screen_stored(store: Store, keys: list[tuple[str, str]]) -> None:
    """Flag posts from their stored text.

    The stored text, not the incoming item: an upsert keeps a known post's excerpt when the new
    item has none (a feed that shows titles only), and the flags must describe what is stored.
    """
    lex = lexicons()
    flagged = []
    for (source_id, external_id), (title, excerpt, flags, terms) in store.post_texts(keys).items():
        result = screen(post_text(title, excerpt), lex)
        # A re-collection mostly brings posts already screened: write only what changed.
        if result.flags_str != flags or json.dumps(result.stored, ensure_ascii=False) != terms:
            flagged.append((source_id, external_id, result.flags_str, result.stored))
    if flagged:
        store.set_flags(flagged)
