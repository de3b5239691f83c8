"""Reads for the dashboard and the exports, aggregated in SQL: the dashboard never loads every
post. Counts per unit-day come through the rollup's one choice (`_counted_days`).

Frames come back with aware UTC times; day columns are naive local midnights.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import and_, bindparam, func, or_, select

from pantau.store.convert import aware, chunks, from_db_time, plausibly_published, rows_frame, to_db_time
from pantau.store.days import day_counts_frame, local_day_sql, text_days
from pantau.store.rollup import DayRollup
from pantau.store.schema import attempts, posts, sources, units

# The columns of a post listed on Publikasi Terbaru and Unit.
POST_LIST_COLUMNS = ("unit_id", "platform", "url", "title", "published_at", "flags")


@dataclass(frozen=True)
class PostFilter:
    """Which posts a listing shows; empty fields do not filter."""

    unit_ids: tuple[str, ...] | None = None
    platform: str = ""
    topic: str = ""
    text: str = ""


@dataclass(frozen=True)
class PostPage:
    """One page of a post listing (POST_LIST_COLUMNS, newest first) and how many posts match."""

    posts: pd.DataFrame
    total: int


class DashboardQueries(DayRollup):
    """Counts per unit per day or week, newest posts, success times, post listings."""

    def daily_post_counts(self, start: datetime, end: datetime, utc_offset: timedelta,
                          unit_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Posts per unit per local calendar day for published_at in [start, end).

        `utc_offset` is the regency zone's fixed offset (Indonesia has no daylight saving);
        pantau.loading falls back to pandas when a zone's offset changes within the period.
        Columns: unit_id, day (naive local midnight), posts.
        """
        with self.engine.connect() as conn:
            query = self._counted_days(conn, start, end, utc_offset, unit_ids)
            return day_counts_frame(_plain_rows(conn.execute(query)), "day")

    def weekly_post_counts(self, start: datetime, end: datetime, utc_offset: timedelta,
                           unit_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Posts per unit per ISO week (by local day) for published_at in [start, end).

        Columns: unit_id, week_start (naive local Monday), posts. For streaks that reach back a
        year: a tenth of the rows of daily counts.
        """
        with self.engine.connect() as conn:
            days = self._counted_days(conn, start, end, utc_offset, unit_ids).subquery()
            monday = (days.c.day // 7) * 7  # day 0, 0001-01-01, is a Monday
            query = select(days.c.unit_id, monday, func.sum(days.c.posts)).group_by(days.c.unit_id, monday)
            return day_counts_frame(_plain_rows(conn.execute(query)), "week_start")

    def stored_published(self, source_id: str, external_ids: Collection[str]) -> dict[str, datetime]:
        """external id -> stored publication time, for those of `external_ids` this source holds."""
        wanted = list(dict.fromkeys(external_ids))
        found: dict[str, datetime] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(wanted, 400):
                rows = conn.execute(select(posts.c.external_id, posts.c.published_at).where(
                    posts.c.source_id == source_id, posts.c.external_id.in_(chunk))).all()
                found.update((r.external_id, from_db_time(r.published_at)) for r in rows)
        return found

    def newest_published(self, source_id: str) -> datetime | None:
        """The source's newest stored publication time inside the window (its restart point)."""
        with self.engine.connect() as conn:
            value = conn.execute(select(func.max(posts.c.published_at)).where(
                posts.c.source_id == source_id, plausibly_published(posts.c.published_at))).scalar()
        return from_db_time(value)

    def stored_lookalikes(self, source_id: str, urls: Collection[str],
                          moments: Collection[datetime]) -> tuple[set[str], set[tuple[str, datetime]]]:
        """Of this source's stored posts: those of `urls` it holds, and the (title, published_at)
        of those published at one of `moments` (to tell an item renamed upstream from a new one)."""
        found_urls: set[str] = set()
        titled: set[tuple[str, datetime]] = set()
        with self.engine.connect() as conn:
            for chunk in chunks(list(dict.fromkeys(u for u in urls if u)), 400):
                found_urls.update(conn.execute(select(posts.c.url).where(
                    posts.c.source_id == source_id, posts.c.url.in_(chunk))).scalars())
            for chunk in chunks(list(dict.fromkeys(to_db_time(m) for m in moments)), 400):
                rows = conn.execute(select(posts.c.title, posts.c.published_at).where(
                    posts.c.source_id == source_id, posts.c.published_at.in_(chunk))).all()
                titled.update((r.title, from_db_time(r.published_at)) for r in rows)
        return found_urls, titled

    def post_count(self, source_id: str | None = None) -> int:
        query = select(func.count()).select_from(posts)
        if source_id is not None:
            query = query.where(posts.c.source_id == source_id)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def posts_frame(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        unit_ids: Sequence[str] | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Posts as a frame, published_at/collected_at aware UTC; [start, end) when given."""
        cols = [posts.c[name] for name in columns] if columns else [posts]
        query = select(*cols).where(plausibly_published(posts.c.published_at))
        if start is not None:
            query = query.where(posts.c.published_at >= to_db_time(start))
        if end is not None:
            query = query.where(posts.c.published_at < to_db_time(end))
        if unit_ids is not None:
            query = query.where(posts.c.unit_id.in_(list(unit_ids)))
        query = query.order_by(posts.c.published_at, posts.c.source_id, posts.c.external_id)
        with self.engine.connect() as conn:
            frame = pd.read_sql(query, conn)
        return aware(frame, ("published_at", "collected_at", "updated_at", "missing_since"))


    def has_posts(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(posts.c.id).limit(1)).first() is not None

    def last_post_times(self, before: datetime | None = None) -> pd.DataFrame:
        """The newest published_at per unit (before an instant, when given): unit_id, published_at."""
        query = select(posts.c.unit_id, func.max(posts.c.published_at).label("published_at")).where(
            plausibly_published(posts.c.published_at))
        if before is not None:
            query = query.where(posts.c.published_at < to_db_time(before))
        query = query.group_by(posts.c.unit_id)
        with self.engine.connect() as conn:
            frame = rows_frame(conn.execute(query).all(), ["unit_id", "published_at"])
        return aware(frame, ("published_at",))

    def last_post_times_of(self, unit_ids: Sequence[str], before: datetime) -> pd.DataFrame:
        """The newest published_at before an instant, for the given units (those with a post):
        unit_id, published_at.

        One statement per chunk of units, not one per unit (a province has 9,314): each unit's
        newest post is a correlated MAX over (unit_id, published_at), which SQLite and
        PostgreSQL both answer with one index seek per unit, where a GROUP BY over posts reads
        every older post. The units are taken from the mirrored units table; a unit the store
        does not list yet (a registry edited since the last collection) is asked for alone.
        """
        wanted = list(dict.fromkeys(unit_ids))
        newest = (select(func.max(posts.c.published_at))
                  .where(posts.c.unit_id == units.c.unit_id, posts.c.published_at < to_db_time(before),
                         plausibly_published(posts.c.published_at))
                  .scalar_subquery())
        rows, listed = [], set()
        with self.engine.connect() as conn:
            for chunk in chunks(wanted, 2000):
                found = conn.execute(select(units.c.unit_id, newest).where(units.c.unit_id.in_(chunk))).all()
                listed.update(r[0] for r in found)
                rows += [(r[0], r[1]) for r in found if r[1] is not None]
            alone = select(func.max(posts.c.published_at)).where(posts.c.unit_id == bindparam("unit"),
                                                                 posts.c.published_at < to_db_time(before),
                                                                 plausibly_published(posts.c.published_at))
            for unit_id in (u for u in wanted if u not in listed):
                value = conn.execute(alone, {"unit": unit_id}).scalar()
                if value is not None:
                    rows.append((unit_id, value))
        return aware(rows_frame(rows, ["unit_id", "published_at"]), ("published_at",))

    def _success_queries(self, since: datetime | None, when):
        """Successful attempts, and manual imports (a manual post's collected_at is its import)."""
        done = func.coalesce(attempts.c.finished_at, attempts.c.started_at)
        manual_at = posts.c.collected_at
        ok = select(attempts.c.source_id, when(done).label("at")).where(attempts.c.ok.is_(True))
        # Through the sources table: (source_id, external_id) is indexed, a LIKE on posts is a full scan.
        manual_ids = select(sources.c.source_id).where(sources.c.collector == "manual")
        manual = select(posts.c.source_id, when(manual_at).label("at")).where(posts.c.source_id.in_(manual_ids))
        if since is not None:
            # Filter on started_at: it is indexed (with source_id), and an attempt lasts minutes.
            ok = ok.where(attempts.c.started_at >= to_db_time(since - timedelta(days=1)))
            manual = manual.where(manual_at >= to_db_time(since))
        return ok.distinct(), manual.distinct()

    def success_log(self, since: datetime | None = None) -> pd.DataFrame:
        """When sources worked: source_id, at (aware UTC), from `since` on when given."""
        ok, manual = self._success_queries(since, lambda column: column)
        with self.engine.connect() as conn:
            rows = conn.execute(ok).all() + conn.execute(manual).all()
        return aware(rows_frame(rows, ["source_id", "at"]), ("at",))

    def success_days(self, since: datetime | None, utc_offset: timedelta) -> pd.DataFrame:
        """Local days on which each source worked: source_id, day (aggregated in SQL)."""
        ok, manual = self._success_queries(since, lambda column: local_day_sql(self.dialect, column, utc_offset))
        with self.engine.connect() as conn:
            rows = conn.execute(ok).all() + conn.execute(manual).all()
        frame = rows_frame(rows, ["source_id", "day"])
        frame["day"] = text_days(frame["day"])
        return frame


    def newest_post_time(self) -> datetime | None:
        """The newest published_at of every stored post (aware UTC), None without posts."""
        with self.engine.connect() as conn:
            return from_db_time(conn.execute(select(func.max(posts.c.published_at)).where(
                plausibly_published(posts.c.published_at))).scalar())

    def post_flags(self, unit_id: str, start: datetime, end: datetime) -> list[str]:
        """The flags column (';'-separated) of each of a unit's posts published in [start, end)."""
        query = select(posts.c.flags).where(posts.c.unit_id == unit_id, posts.c.published_at >= to_db_time(start),
                                            posts.c.published_at < to_db_time(end))
        with self.engine.connect() as conn:
            return [r[0] or "" for r in conn.execute(query)]

    def latest_posts(self, before: datetime, flt: PostFilter, page: int, page_size: int) -> PostPage:
        """One page of the posts published before an instant that match `flt`, newest first."""
        conditions = [posts.c.published_at < to_db_time(before), plausibly_published(posts.c.published_at)]
        if flt.unit_ids is not None:
            conditions.append(posts.c.unit_id.in_(list(flt.unit_ids)))
        if flt.platform:
            conditions.append(posts.c.platform == flt.platform)
        if flt.topic:
            # flags is ';'-separated: match the whole word, wherever it sits in the list
            flags = ";" + posts.c.flags + ";"
            conditions.append(flags.like(f"%;{flt.topic};%"))
        if flt.text:
            pattern = f"%{_escape_like(flt.text)}%"
            conditions.append(or_(posts.c.title.ilike(pattern, escape="\\"),
                                  posts.c.excerpt.ilike(pattern, escape="\\")))
        where = and_(*conditions)
        query = (select(*[posts.c[c] for c in POST_LIST_COLUMNS]).where(where)
                 .order_by(posts.c.published_at.desc(), posts.c.id.desc())
                 .limit(page_size).offset(page * page_size))
        with self.engine.connect() as conn:
            total = int(conn.execute(select(func.count()).select_from(posts).where(where)).scalar() or 0)
            rows = conn.execute(query).all()
        frame = pd.DataFrame(rows, columns=list(POST_LIST_COLUMNS))
        frame["published_at"] = [from_db_time(v) for v in frame["published_at"]]
        return PostPage(frame, total)


def _plain_rows(result) -> list[tuple]:
    """The rows of a result of plain columns (text, integers) as the driver's tuples: a province's
    13 weeks are 200,000 unit-days, and building a Row object for each, then taking them apart
    again, cost more than the query."""
    return result.cursor.fetchall()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
