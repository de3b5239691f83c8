"""The one door through which posts enter the store, from collectors and manual imports alike.

Keeping it single means every stored post gets the same treatment (upsert by identity, and
the screening flags once screening exists) whichever route brought it.
"""

from __future__ import annotations

from collections.abc import Iterable

from pantau.models import Post
from pantau.store import Store


def save_posts(store: Store, unit_id: str, platform: str, items: Iterable[Post]) -> tuple[int, int]:
    """Upsert posts of one source; return (seen, new)."""
    batch = list(items)
    return store.upsert_posts(unit_id, platform, batch)
