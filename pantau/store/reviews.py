"""Reviews: a person's mark on a flagged post, and the flagged posts a reviewer works through.

Reviews are never touched by upserts: a mark survives every re-collection.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import and_, false, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from pantau.store.base import Database
from pantau.store.convert import aware, to_db_time, utcnow
from pantau.store.schema import posts, reviews, units


class Reviews(Database):
    """Flagged posts with their marks; a mark set or replaced."""

    def flagged_posts_frame(self, flags: Sequence[str]) -> pd.DataFrame:
        """Posts raising any of `flags`, with the unit's name and the post's review, newest first.

        Review columns (mark, reviewer, note, reviewed_at) are empty for posts nobody marked yet.
        """
        wrapped = literal(";") + posts.c.flags + literal(";")
        condition = or_(*[wrapped.like(f"%;{flag};%") for flag in flags]) if flags else false()
        query = (
            select(
                posts.c.source_id, posts.c.external_id, posts.c.unit_id, posts.c.platform, posts.c.url,
                posts.c.title, posts.c.excerpt, posts.c.published_at, posts.c.flags, posts.c.flag_terms,
                units.c.name.label("unit_name"), units.c.kind.label("unit_kind"),
                reviews.c.mark, reviews.c.reviewer, reviews.c.note, reviews.c.reviewed_at,
            )
            .select_from(
                posts.outerjoin(units, units.c.unit_id == posts.c.unit_id).outerjoin(
                    reviews,
                    and_(reviews.c.source_id == posts.c.source_id, reviews.c.external_id == posts.c.external_id),
                )
            )
            .where(condition)
            .order_by(posts.c.published_at.desc(), posts.c.source_id, posts.c.external_id)
        )
        with self.engine.connect() as conn:
            frame = pd.read_sql(query, conn)
        return aware(frame, ("published_at", "reviewed_at"))


    def set_review(self, source_id: str, external_id: str, mark: str, reviewer: str, note: str = "",
                   reviewed_at: datetime | None = None) -> None:
        """Record a reviewer's mark on a post; a later mark on the same post replaces it."""
        values = {"mark": mark, "reviewer": reviewer, "note": note,
                  "reviewed_at": to_db_time(reviewed_at or utcnow())}
        key = and_(reviews.c.source_id == source_id, reviews.c.external_id == external_id)
        for _ in range(2):
            with self.engine.begin() as conn:
                if conn.execute(update(reviews).where(key).values(**values)).rowcount:
                    return
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(reviews).values(source_id=source_id, external_id=external_id, **values))
                return
            except IntegrityError:
                continue  # another reviewer inserted it at the same moment: update theirs

    def reviews_frame(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            frame = pd.read_sql(select(reviews).order_by(reviews.c.reviewed_at, reviews.c.id), conn)
        return aware(frame, ("reviewed_at",))

