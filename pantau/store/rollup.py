"""The day rollup: posts per unit per local day (post_days), kept in step by every write, and the
one place that decides whether it can answer a question or the posts must be counted.

The dashboard's counts then read a row per unit-day instead of a row per post: a year of a
regency is ~100k rows whether it holds 200 thousand posts or 10 million. One set of rows per UTC
offset listed in post_day_offsets (a regency has one); an offset not listed is counted from
`posts` directly, so the rollup is an accelerator, never a second source of truth.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.exc import IntegrityError

from pantau.store.base import Database
from pantau.store.convert import to_db_time, utcnow
from pantau.store.days import day_number, day_number_sql, offset_minutes
from pantau.store.schema import post_day_offsets, post_days, posts

log = logging.getLogger(__name__)


def built_offsets(conn) -> list[int]:
    """The UTC offsets (minutes) post_days is kept for."""
    return [r[0] for r in conn.execute(select(post_day_offsets.c.utc_offset_min))]


class DayRollup(Database):
    """post_days: built once per offset, then counted up and down by the writers."""

    def _count_days(self, conn, changes: Sequence[tuple[str, datetime, int]]) -> None:
        """Apply (unit_id, naive UTC instant, +1/-1) to every built offset of post_days, in the
        writer's transaction: the rollup and the posts commit or roll back together."""
        if not changes:
            return
        offsets = built_offsets(conn)
        if not offsets:
            return
        totals: dict[tuple[int, str, int], int] = {}
        for minutes in offsets:
            shift = timedelta(minutes=minutes)
            for unit_id, at, sign in changes:
                key = (minutes, unit_id, day_number(at + shift))
                totals[key] = totals.get(key, 0) + sign
        # In key order: two writers touching the same unit-days lock them in the same order, so
        # PostgreSQL never has to break a deadlock between them.
        rows = [{"utc_offset_min": m, "unit_id": u, "day": d, "posts": n} for (m, u, d), n in sorted(totals.items())
                if n]
        if not rows:
            return
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        statement = dialect_insert(post_days)
        # An atomic add: concurrent writers (collector threads, another process) never lose a count.
        statement = statement.on_conflict_do_update(
            index_elements=[post_days.c.utc_offset_min, post_days.c.unit_id, post_days.c.day],
            set_={"posts": post_days.c.posts + statement.excluded.posts},
        )
        conn.execute(statement, rows)

    def day_rollup_offsets(self) -> list[timedelta]:
        with self.engine.connect() as conn:
            return [timedelta(minutes=m) for m in built_offsets(conn)]

    def ensure_day_rollup(self, utc_offset: timedelta) -> bool:
        """Build post_days for a UTC offset unless it exists; True when built now.

        One GROUP BY over every post, once per offset (a regency has one); from then on every
        write keeps it in step. Callers: registry sync (collect, demo, import) and the dashboard's
        first load, so a store written before this table existed gets it too.
        """
        minutes = offset_minutes(utc_offset)
        with self.engine.connect() as conn:
            if minutes in built_offsets(conn):
                return False
        day = day_number_sql(self.dialect, posts.c.published_at, minutes)
        build = select(literal(minutes), posts.c.unit_id, day, func.count()).group_by(posts.c.unit_id, day)
        try:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":
                    # Writers wait until the rows are built and the offset listed: none is missed.
                    conn.exec_driver_sql("LOCK TABLE posts IN SHARE ROW EXCLUSIVE MODE")
                # A write first: on SQLite it takes the write lock, so the count below sees every
                # committed post and no writer commits until the offset is listed.
                conn.execute(delete(post_days).where(post_days.c.utc_offset_min == minutes))
                conn.execute(insert(post_days).from_select(["utc_offset_min", "unit_id", "day", "posts"], build))
                conn.execute(insert(post_day_offsets).values(utc_offset_min=minutes, built_at=to_db_time(utcnow())))
        except IntegrityError:
            return False  # another process built it at the same moment; ours rolled back
        log.info("built the per-day rollup for UTC%+d minutes", minutes)
        return True

    def rebuild_day_rollups(self) -> list[timedelta]:
        """Count post_days afresh from the posts for every offset it had: the repair after rows
        were written around the store (a bulk load, a restore). Returns the offsets rebuilt."""
        offsets = self.day_rollup_offsets()
        with self.engine.begin() as conn:
            conn.execute(delete(post_day_offsets))
            conn.execute(delete(post_days))
        for offset in offsets:
            self.ensure_day_rollup(offset)
        return offsets

    def _counted_days(self, conn, start: datetime, end: datetime, utc_offset: timedelta,
                      unit_ids: Sequence[str] | None):
        """A query of unit_id, day (local days since 0001-01-01), posts for published_at in
        [start, end): read from post_days when it is built for this offset and both ends are local
        midnights, counted from the posts otherwise. The only place that makes that choice."""
        minutes = self._rollup_offset(conn, start, end, utc_offset)
        if minutes is not None:
            first, last = (day_number(to_db_time(edge) + utc_offset) for edge in (start, end))
            query = select(post_days.c.unit_id, post_days.c.day, post_days.c.posts).where(
                post_days.c.utc_offset_min == minutes, post_days.c.day >= first, post_days.c.day < last,
                post_days.c.posts != 0)
            if unit_ids is not None:
                query = query.where(post_days.c.unit_id.in_(list(unit_ids)))
            return query
        day = day_number_sql(self.dialect, posts.c.published_at, offset_minutes(utc_offset)).label("day")
        query = (
            select(posts.c.unit_id, day, func.count().label("posts"))
            .where(posts.c.published_at >= to_db_time(start), posts.c.published_at < to_db_time(end))
            .group_by(posts.c.unit_id, day)
        )
        if unit_ids is not None:
            query = query.where(posts.c.unit_id.in_(list(unit_ids)))
        return query

    def _rollup_offset(self, conn, start: datetime, end: datetime, utc_offset: timedelta) -> int | None:
        """The offset in minutes when post_days answers [start, end): built, and both ends local midnights."""
        for edge in (start, end):
            local = to_db_time(edge) + utc_offset
            if (local.hour, local.minute, local.second, local.microsecond) != (0, 0, 0, 0):
                return None
        minutes = offset_minutes(utc_offset)
        return minutes if minutes in built_offsets(conn) else None

