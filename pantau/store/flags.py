"""Screening results on the posts: the flags written, and the texts read to (re)screen them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from sqlalchemy import and_, select, tuple_, update

from pantau.store.base import Database
from pantau.store.convert import chunks
from pantau.store.schema import posts


class PostFlags(Database):
    """posts.flags and posts.flag_terms: written by screening, read by re-screening."""

    def set_flags(self, flagged: Iterable[tuple[str, str, str, dict]]) -> None:
        """Store screening results: (source_id, external_id, flags, matched terms)."""
        with self.engine.begin() as conn:
            for source_id, external_id, flags, terms in flagged:
                conn.execute(
                    update(posts)
                    .where(and_(posts.c.source_id == source_id, posts.c.external_id == external_id))
                    .values(flags=flags, flag_terms=json.dumps(terms, ensure_ascii=False))
                )

    def post_texts(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str, str, str]]:
        """Stored (title, excerpt, flags, flag_terms) of the given posts, keyed by (source_id, external_id)."""
        found: dict[tuple[str, str], tuple[str, str, str, str]] = {}
        columns = (posts.c.source_id, posts.c.external_id, posts.c.title, posts.c.excerpt, posts.c.flags,
                   posts.c.flag_terms)
        with self.engine.connect() as conn:
            for chunk in chunks(list(keys), 400):
                rows = conn.execute(
                    select(*columns).where(tuple_(posts.c.source_id, posts.c.external_id).in_(chunk))
                )
                found.update(((r[0], r[1]), (r[2] or "", r[3] or "", r[4] or "", r[5] or "{}")) for r in rows)
        return found

    def iter_post_texts(self, batch_size: int = 2000) -> Iterable[list[tuple]]:
        """Every post's (source_id, external_id, title, excerpt, flags, flag_terms), in batches by id."""
        last_id = 0
        columns = (posts.c.id, posts.c.source_id, posts.c.external_id, posts.c.title, posts.c.excerpt,
                   posts.c.flags, posts.c.flag_terms)
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(*columns).where(posts.c.id > last_id).order_by(posts.c.id).limit(batch_size)
                ).all()
            if not rows:
                return
            last_id = rows[-1][0]
            yield [tuple(r[1:]) for r in rows]

