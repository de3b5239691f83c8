"""Writing posts: idempotent upserts keyed on (source_id, external_id), and marking posts a full
listing no longer shows. Every write that adds a post or moves its day updates the day rollup in
the same transaction.

Nothing here assumes SQLite: upserts are written as "read the keys, insert the new, update the
known", which every database runs the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import and_, insert, select, tuple_, update

from pantau.models import Post
from pantau.store.convert import chunks, to_db_time, utcnow
from pantau.store.rollup import DayRollup
from pantau.store.schema import posts


class PostWrites(DayRollup):
    """Posts in: inserted once, refreshed after, never deleted."""

    def upsert_posts(self, unit_id: str, platform: str, items: Iterable[Post]) -> tuple[int, int]:
        """Insert new posts, refresh known ones; return (seen, new)."""
        seen, fresh = self.upsert_posts_detailed(unit_id, platform, items)
        return seen, len(fresh)

    def upsert_posts_detailed(
        self, unit_id: str, platform: str, items: Iterable[Post],
        flags: Callable[[Post], tuple[str, dict]] | None = None,
    ) -> tuple[int, set[tuple[str, str]]]:
        """Insert new posts, refresh known ones; return (seen, keys of the posts inserted).

        Identity is (source_id, external_id). A known post keeps its publication time (history
        is not rewritten) unless it was stored date-only and an exact time arrives; it takes the
        newest title, link and engagement counts. `flags`, when given, screens a new post so its
        flags are written with it (one statement instead of an insert and an update).
        """
        batch: dict[tuple[str, str], Post] = {}
        for post in items:
            batch[(post.source_id, post.external_id)] = post  # last one wins within a batch
        if not batch:
            return 0, set()
        now = to_db_time(utcnow())
        keys = list(batch)
        with self.engine.begin() as conn:
            known: dict[tuple[str, str], tuple] = {}  # key -> (date-only?, unit_id, published_at)
            for chunk in chunks(keys, 400):
                rows = conn.execute(
                    select(posts.c.source_id, posts.c.external_id, posts.c.date_only, posts.c.unit_id,
                           posts.c.published_at).where(
                        tuple_(posts.c.source_id, posts.c.external_id).in_(chunk)
                    )
                )
                known.update(((r[0], r[1]), (bool(r[2]), r[3], r[4])) for r in rows)
            fresh = [batch[k] for k in keys if k not in known]
            day_changes: list[tuple[str, datetime, int]] = []  # (unit_id, naive UTC instant, +1/-1)
            if fresh:
                rows = [post_row(p, unit_id, platform, now) for p in fresh]
                if flags is not None:
                    for row, post in zip(rows, fresh, strict=True):
                        raised, terms = flags(post)
                        row["flags"], row["flag_terms"] = raised, json.dumps(terms, ensure_ascii=False)
                conn.execute(insert(posts), rows)
                day_changes.extend((row["unit_id"], row["published_at"], 1) for row in rows)
            for key in keys:
                if key not in known:
                    continue
                post = batch[key]
                values = {"title": post.title, "url": post.url, "updated_at": now, "missing_since": None}
                if post.excerpt:
                    values["excerpt"] = post.excerpt
                for counter in ("likes", "comments", "views"):
                    if getattr(post, counter) is not None:
                        values[counter] = getattr(post, counter)
                date_only, stored_unit, stored_at = known[key]
                if date_only and not post.date_only:
                    # An archive gave only the day; a feed now gives the exact time. That is
                    # precision gained, not history rewritten.
                    values["published_at"] = to_db_time(post.published_at)
                    values["date_only"] = False
                    day_changes += [(stored_unit, stored_at, -1), (stored_unit, values["published_at"], 1)]
                conn.execute(
                    update(posts)
                    .where(and_(posts.c.source_id == key[0], posts.c.external_id == key[1]))
                    .values(**values)
                )
            self._count_days(conn, day_changes)
        return len(batch), {(p.source_id, p.external_id) for p in fresh}


    def mark_missing(self, source_id: str, present_ids: set[str], since: datetime) -> int:
        """Mark posts of a fully listed window that upstream no longer shows; never delete."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(posts.c.id, posts.c.external_id).where(
                    posts.c.source_id == source_id,
                    posts.c.published_at >= to_db_time(since),
                    posts.c.missing_since.is_(None),
                )
            ).all()
            gone = [r.id for r in rows if r.external_id not in present_ids]
            for chunk in chunks(gone, 400):
                conn.execute(update(posts).where(posts.c.id.in_(chunk)).values(missing_since=to_db_time(utcnow())))
        return len(gone)



def post_row(post: Post, unit_id: str, platform: str, now: datetime) -> dict:
    return {
        "source_id": post.source_id,
        "external_id": post.external_id,
        "unit_id": unit_id,
        "platform": platform,
        "url": post.url,
        "title": post.title,
        "excerpt": post.excerpt,
        "published_at": to_db_time(post.published_at),
        "date_only": post.date_only,
        "likes": post.likes,
        "comments": post.comments,
        "views": post.views,
        "collected_at": to_db_time(post.collected_at) if post.collected_at else now,
        "updated_at": now,
    }


