"""The one door through which posts enter the store, from collectors and manual imports alike.

Keeping it single means every stored post gets the same treatment (upsert by identity, then the
screening flags) whichever route brought it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from pantau.models import Post
from pantau.screening import lexicons, post_text, screen
from pantau.store import Store


def save_posts(store: Store, unit_id: str, platform: str, items: Iterable[Post]) -> tuple[int, int]:
    """Upsert posts of one source, then screen them; return (seen, new)."""
    batch = list(items)
    seen, new = store.upsert_posts(unit_id, platform, batch)
    if batch:
        screen_stored(store, [(p.source_id, p.external_id) for p in batch])
    return seen, new


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
        if result.flags_str != flags or json.dumps(result.terms, ensure_ascii=False) != terms:
            flagged.append((source_id, external_id, result.flags_str, result.terms))
    if flagged:
        store.set_flags(flagged)
