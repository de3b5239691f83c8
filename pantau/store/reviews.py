"""Reviews: a person's mark on a flagged post, and the flagged posts a reviewer works through.

Reviews are never touched by upserts: a mark survives every re-collection. `reviews` holds each
post's current mark; `review_history` every mark ever given, written in the same transaction
and never changed, so a changed mark keeps the earlier one (who, when, what, why).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import and_, false, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from pantau.store.base import Database
from pantau.store.convert import aware, plausibly_published, to_db_time, utcnow
from pantau.store.schema import posts, review_history, reviews, units


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
            .where(condition, plausibly_published(posts.c.published_at))
            .order_by(posts.c.published_at.desc(), posts.c.source_id, posts.c.external_id)
        )
        with self.engine.connect() as conn:
            frame = pd.read_sql(query, conn)
        return aware(frame, ("published_at", "reviewed_at"))


    def set_review(self, source_id: str, external_id: str, mark: str, reviewer: str, note: str = "",
                   reviewed_at: datetime | None = None, reviewer_name: str = "") -> None:
        """Record a reviewer's mark on a post: it becomes the post's current mark, and joins the
        post's history, where the marks it replaces stay.

        `reviewer` is the signed-in account's username, `reviewer_name` its name at the time.
        """
        when = to_db_time(reviewed_at or utcnow())
        shown = f"{reviewer_name} ({reviewer})" if reviewer_name and reviewer_name != reviewer else reviewer
        values = {"mark": mark, "reviewer": shown, "note": note, "reviewed_at": when}
        trail = {"source_id": source_id, "external_id": external_id, "mark": mark, "reviewer": reviewer,
                 "reviewer_name": reviewer_name or reviewer, "note": note, "reviewed_at": when}
        key = and_(reviews.c.source_id == source_id, reviews.c.external_id == external_id)
        for _ in range(2):
            with self.engine.begin() as conn:
                if conn.execute(update(reviews).where(key).values(**values)).rowcount:
                    conn.execute(insert(review_history).values(**trail))
                    return
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(reviews).values(source_id=source_id, external_id=external_id, **values))
                    conn.execute(insert(review_history).values(**trail))
                return
            except IntegrityError:
                continue  # another reviewer inserted it at the same moment: update theirs

    def review_history_frame(self, keys: Sequence[tuple[str, str]] | None = None) -> pd.DataFrame:
        """Every mark given (of these posts), oldest first, with the post's unit, link and title."""
        query = (select(review_history.c.source_id, review_history.c.external_id, posts.c.unit_id, posts.c.url,
                        posts.c.title, review_history.c.mark, review_history.c.reviewer,
                        review_history.c.reviewer_name, review_history.c.note, review_history.c.reviewed_at)
                 .select_from(review_history.outerjoin(
                     posts, and_(posts.c.source_id == review_history.c.source_id,
                                 posts.c.external_id == review_history.c.external_id)))
                 .order_by(review_history.c.reviewed_at, review_history.c.id))
        if keys is not None:
            if not keys:
                return aware(pd.DataFrame(columns=[c.name for c in query.selected_columns]), ("reviewed_at",))
            query = query.where(or_(*[and_(review_history.c.source_id == s, review_history.c.external_id == e)
                                      for s, e in keys]))
        with self.engine.connect() as conn:
            frame = pd.read_sql(query, conn)
        return aware(frame, ("reviewed_at",))

    def reviews_frame(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            frame = pd.read_sql(select(reviews).order_by(reviews.c.reviewed_at, reviews.c.id), conn)
        return aware(frame, ("reviewed_at",))

