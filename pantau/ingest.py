"""The one door through which posts enter the store, from collectors and manual imports alike.

Keeping it single means every stored post gets the same treatment (upsert by identity, then the
screening flags) whichever route brought it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace

from pantau.models import Post
from pantau.redaction import redact_secrets
from pantau.screening import lexicons, post_text, screen
from pantau.store import Store


def save_posts(store: Store, unit_id: str, platform: str, items: Iterable[Post]) -> tuple[int, int]:
    """Upsert posts of one source, screening them; return (seen, new).

    A new post is stored as it came, so it is screened from the item and written with its flags;
    a known post is screened again from what the store now holds.
    """
    batch = [_masked(post) for post in items]
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
