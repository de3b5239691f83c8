"""The store: every post ever collected, every collection attempt, on SQLAlchemy.

SQLite file by default (WAL, so the dashboard reads while a collection writes), PostgreSQL by
URL. Nothing here assumes SQLite: upserts are written as "read the keys, insert the new, update
the known", which every database runs the same way.

Times are stored as naive UTC datetimes (SQLite has no time zone type) and handed back aware.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    bindparam,
    cast,
    create_engine,
    delete,
    event,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError

from pantau.models import Activity, CollectionRun, CoverageGap, Post, Source, Unit
from pantau.registry import Registry

log = logging.getLogger(__name__)

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("name", String(200), primary_key=True),
    Column("applied_at", DateTime, nullable=False),
)

units = Table(
    "units", metadata,
    Column("unit_id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("parent_id", String(200), nullable=False, default=""),
    Column("code", String(40), nullable=False, default=""),
    Column("verified", Boolean, nullable=False, default=True),
)

sources = Table(
    "sources", metadata,
    Column("source_id", String(300), primary_key=True),
    Column("unit_id", String(200), nullable=False, index=True),
    Column("platform", String(20), nullable=False),
    Column("collector", String(30), nullable=False),
    Column("address", Text, nullable=False, default=""),
    Column("options", Text, nullable=False, default="{}"),
    Column("active", Boolean, nullable=False, default=True),
)

posts = Table(
    "posts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(300), nullable=False),
    Column("external_id", String(500), nullable=False),
    Column("unit_id", String(200), nullable=False),
    Column("platform", String(20), nullable=False),
    Column("url", Text, nullable=False, default=""),
    Column("title", Text, nullable=False, default=""),
    Column("excerpt", Text, nullable=False, default=""),
    Column("published_at", DateTime, nullable=False),
    Column("date_only", Boolean, nullable=False, default=False),
    Column("likes", Integer),
    Column("comments", Integer),
    Column("views", Integer),
    Column("collected_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    # Set when a full listing of the source no longer shows the post; the post stays counted.
    Column("missing_since", DateTime),
    # Screening: raised flags, lowercase, ';'-separated, and the matched terms as JSON.
    Column("flags", Text, nullable=False, default=""),
    Column("flag_terms", Text, nullable=False, default="{}"),
    UniqueConstraint("source_id", "external_id", name="uq_posts_source_external"),
    Index("ix_posts_unit_published", "unit_id", "published_at"),
    Index("ix_posts_published", "published_at"),
)

# Posts per unit per local day, kept in step with `posts` by every write that adds a post or moves
# its day. The dashboard's counts then read a row per unit-day instead of a row per post: a year
# of a regency is ~100k rows whether it holds 200 thousand posts or 10 million. One set of rows per
# UTC offset listed in post_day_offsets (a regency has one); an offset not listed is counted from
# `posts` directly, so the rollup is an accelerator, never a second source of truth.
post_days = Table(
    "post_days", metadata,
    Column("utc_offset_min", Integer, primary_key=True, autoincrement=False),
    Column("unit_id", String(200), primary_key=True),
    Column("day", Integer, primary_key=True, autoincrement=False),  # local days since 0001-01-01
    Column("posts", Integer, nullable=False),
)

post_day_offsets = Table(
    "post_day_offsets", metadata,
    Column("utc_offset_min", Integer, primary_key=True, autoincrement=False),
    Column("built_at", DateTime, nullable=False),
)

attempts = Table(
    "attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(300), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("ok", Boolean, nullable=False, default=False),
    Column("status", String(30), nullable=False, default="error"),
    Column("error_kind", String(100), nullable=False, default=""),
    Column("error", Text, nullable=False, default=""),
    Column("items_seen", Integer, nullable=False, default=0),
    Column("items_new", Integer, nullable=False, default=0),
    Column("requests", Integer, nullable=False, default=0),
    Column("route", String(50), nullable=False, default=""),
    Index("ix_attempts_source_started", "source_id", "started_at"),
)

source_state = Table(
    "source_state", metadata,
    Column("source_id", String(300), primary_key=True),
    # Per-source memory between runs: validators for conditional GET, a resolved API root,
    # a YouTube channel id, TikTok's last videoCount...
    Column("state", Text, nullable=False, default="{}"),
    Column("updated_at", DateTime, nullable=False),
)

coverage_gaps = Table(
    "coverage_gaps", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(300), nullable=False, index=True),
    Column("detected_at", DateTime, nullable=False),
    Column("gap_start", DateTime, nullable=False),
    Column("gap_end", DateTime, nullable=False),
)

activity = Table(
    "activity", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_id", String(200), nullable=False, index=True),
    Column("source_id", String(300), nullable=False),
    Column("period_start", DateTime, nullable=False),
    Column("period_end", DateTime, nullable=False),
    Column("delta", Integer, nullable=False),
    UniqueConstraint("source_id", "period_start", "period_end", name="uq_activity_interval"),
)

account_stats = Table(
    "account_stats", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(300), nullable=False, index=True),
    Column("collected_at", DateTime, nullable=False),
    Column("followers", Integer),
    Column("media_count", Integer),
)

reviews = Table(
    "reviews", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(300), nullable=False),
    Column("external_id", String(500), nullable=False),
    Column("mark", String(40), nullable=False),
    Column("reviewer", String(200), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("reviewed_at", DateTime, nullable=False),
    UniqueConstraint("source_id", "external_id", name="uq_reviews_post"),
)

locks = Table(
    "locks", metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("acquired_at", DateTime, nullable=False),
)


# ---------------------------------------------------------------------------------------------
# Time helpers: aware in memory, naive UTC on disk


def to_db_time(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("refusing to store a naive datetime")
    return value.astimezone(UTC).replace(tzinfo=None)


def from_db_time(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------------------------------------
# Migrations: named, applied once, recorded


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[Engine], None]


def _initial_schema(engine: Engine) -> None:
    metadata.create_all(engine)


def _post_days(engine: Engine) -> None:
    metadata.create_all(engine, tables=[post_days, post_day_offsets])


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_initial_schema", _initial_schema),
    Migration("0002_post_days", _post_days),
)


def _enable_sqlite_wal(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while a collection writes; busy_timeout waits out writers.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _enable_sqlite_wal)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


class Store:
    """All reads and writes of the database go through here."""

    def __init__(self, url: str, migrate: bool = True):
        self.url = url
        if url.startswith("sqlite:///"):
            path = url.removeprefix("sqlite:///")
            if path and path != ":memory:":
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.engine = make_engine(url)
        if migrate:
            self.migrate()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()

    # -- migrations ---------------------------------------------------------------------------

    def applied_migrations(self) -> list[str]:
        schema_migrations.create(self.engine, checkfirst=True)
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(select(schema_migrations.c.name).order_by(schema_migrations.c.name))]

    def migrate(self, migrations: Sequence[Migration] = MIGRATIONS) -> list[str]:
        """Apply the migrations not yet recorded; return the names applied now."""
        done = set(self.applied_migrations())
        applied = []
        for migration in migrations:
            if migration.name in done:
                continue
            migration.apply(self.engine)
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(schema_migrations).values(name=migration.name, applied_at=to_db_time(utcnow())))
            except IntegrityError:
                # Another process applied it at the same moment; both applied idempotent DDL.
                continue
            log.info("applied migration %s", migration.name)
            applied.append(migration.name)
        return applied

    # -- registry mirror ----------------------------------------------------------------------

    def sync_registry(self, registry: Registry) -> None:
        """Mirror the registry's units and sources so SQL can join on them.

        Manual sources (created by `pantau import`) are not in the registry and are kept.
        """
        with self.engine.begin() as conn:
            conn.execute(delete(units))
            if registry.units:
                conn.execute(insert(units), [_unit_row(u) for u in registry.units])
            conn.execute(delete(sources).where(sources.c.collector != "manual"))
            if registry.sources:
                conn.execute(insert(sources), [_source_row(s) for s in registry.sources])
        offset = datetime.now(registry.settings.zone).utcoffset()
        if offset is not None:
            self.ensure_day_rollup(offset)

    def ensure_source(self, source: Source) -> bool:
        """Create a source row if missing (manual imports); True when it was created."""
        with self.engine.begin() as conn:
            exists = conn.execute(select(sources.c.source_id).where(sources.c.source_id == source.source_id)).first()
            if exists:
                return False
            conn.execute(insert(sources).values(**_source_row(source)))
            return True

    def units_frame(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(select(units).order_by(units.c.unit_id), conn)

    def sources_frame(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(select(sources).order_by(sources.c.source_id), conn)

    # -- posts --------------------------------------------------------------------------------

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
            for chunk in _chunks(keys, 400):
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
                rows = [_post_row(p, unit_id, platform, now) for p in fresh]
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

    # -- the per-day rollup (post_days) -------------------------------------------------------

    def _count_days(self, conn, changes: Sequence[tuple[str, datetime, int]]) -> None:
        """Apply (unit_id, naive UTC instant, +1/-1) to every built offset of post_days, in the
        writer's transaction: the rollup and the posts commit or roll back together."""
        if not changes:
            return
        offsets = _built_offsets(conn)
        if not offsets:
            return
        totals: dict[tuple[int, str, int], int] = {}
        for minutes in offsets:
            shift = timedelta(minutes=minutes)
            for unit_id, at, sign in changes:
                key = (minutes, unit_id, _day_number(at + shift))
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
            return [timedelta(minutes=m) for m in _built_offsets(conn)]

    def ensure_day_rollup(self, utc_offset: timedelta) -> bool:
        """Build post_days for a UTC offset unless it exists; True when built now.

        One GROUP BY over every post, once per offset (a regency has one); from then on every
        write keeps it in step. Callers: registry sync (collect, demo, import) and the dashboard's
        first load, so a store written before this table existed gets it too.
        """
        minutes = _offset_minutes(utc_offset)
        with self.engine.connect() as conn:
            if minutes in _built_offsets(conn):
                return False
        day = self._day_number_sql(posts.c.published_at, minutes)
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

    def _day_number_sql(self, column, minutes: int):
        """SQL for local days since 0001-01-01 of a naive-UTC column, shifted by `minutes`."""
        seconds = minutes * 60 + _SECONDS_0001_TO_1970
        if self.dialect == "sqlite":
            return (_sqlite_epoch(column) + seconds) // 86400
        return cast(func.floor((func.date_part("epoch", column) + seconds) / 86400), Integer)

    def _rolled_days(self, minutes: int, start: datetime, end: datetime, utc_offset: timedelta,
                     unit_ids: Sequence[str] | None):
        first, last = (_day_number(to_db_time(edge) + utc_offset) for edge in (start, end))
        query = select(post_days.c.unit_id, post_days.c.day, post_days.c.posts).where(
            post_days.c.utc_offset_min == minutes, post_days.c.day >= first, post_days.c.day < last,
            post_days.c.posts != 0)
        if unit_ids is not None:
            query = query.where(post_days.c.unit_id.in_(list(unit_ids)))
        return query

    def _rollup_offset(self, conn, start: datetime, end: datetime, utc_offset: timedelta) -> int | None:
        """The offset in minutes when post_days answers [start, end): built, and both ends local midnights."""
        for edge in (start, end):
            local = to_db_time(edge) + utc_offset
            if (local.hour, local.minute, local.second, local.microsecond) != (0, 0, 0, 0):
                return None
        minutes = _offset_minutes(utc_offset)
        return minutes if minutes in _built_offsets(conn) else None

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
            for chunk in _chunks(gone, 400):
                conn.execute(update(posts).where(posts.c.id.in_(chunk)).values(missing_since=to_db_time(utcnow())))
        return len(gone)

    def stored_published(self, source_id: str, external_ids: Collection[str]) -> dict[str, datetime]:
        """external id -> stored publication time, for those of `external_ids` this source holds."""
        wanted = list(dict.fromkeys(external_ids))
        found: dict[str, datetime] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(wanted, 400):
                rows = conn.execute(select(posts.c.external_id, posts.c.published_at).where(
                    posts.c.source_id == source_id, posts.c.external_id.in_(chunk))).all()
                found.update((r.external_id, from_db_time(r.published_at)) for r in rows)
        return found

    def newest_published(self, source_id: str) -> datetime | None:
        with self.engine.connect() as conn:
            value = conn.execute(select(func.max(posts.c.published_at)).where(posts.c.source_id == source_id)).scalar()
        return from_db_time(value)

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
        query = select(*cols)
        if start is not None:
            query = query.where(posts.c.published_at >= to_db_time(start))
        if end is not None:
            query = query.where(posts.c.published_at < to_db_time(end))
        if unit_ids is not None:
            query = query.where(posts.c.unit_id.in_(list(unit_ids)))
        query = query.order_by(posts.c.published_at, posts.c.source_id, posts.c.external_id)
        with self.engine.connect() as conn:
            frame = pd.read_sql(query, conn)
        return _aware(frame, ("published_at", "collected_at", "updated_at", "missing_since"))

    def optimize(self) -> None:
        """Refresh the query planner's statistics (SQLite; PostgreSQL's autovacuum does it itself).

        Without them SQLite scans the whole (unit_id, published_at) index for a date range; with
        them it skip-scans it, several times faster at a year of posts. A sampled ANALYZE costs
        milliseconds; call it after a collection and when the dashboard starts.
        """
        if self.dialect != "sqlite":
            return
        with self.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE")

    # -- aggregates pushed into SQL (the dashboard never loads every post) -------------------

    def _local_day(self, column, utc_offset: timedelta):
        """SQL for the local calendar day of a naive-UTC column, as 'YYYY-MM-DD' text or a date."""
        if self.dialect == "sqlite":
            minutes = int(utc_offset.total_seconds() // 60)
            # Plain text: SQLAlchemy's per-row date parsing costs more than the query itself.
            return type_coerce(func.date(column, f"{minutes:+d} minutes"), String)
        return cast(column + utc_offset, Date)

    def daily_post_counts(self, start: datetime, end: datetime, utc_offset: timedelta,
                          unit_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Posts per unit per local calendar day for published_at in [start, end).

        `utc_offset` is the regency zone's fixed offset (Indonesia has no daylight saving);
        the caller falls back to pandas when a zone's offset changes within the period.
        Columns: unit_id, day (naive local midnight), posts. Read from post_days when it is
        built for this offset and the period is whole local days; from posts otherwise.
        """
        with self.engine.connect() as conn:
            minutes = self._rollup_offset(conn, start, end, utc_offset)
            if minutes is not None:
                query = self._rolled_days(minutes, start, end, utc_offset, unit_ids)
                return _day_counts_frame(conn.execute(query).all(), "day")
        day = self._local_day(posts.c.published_at, utc_offset)
        query = (
            select(posts.c.unit_id, day.label("day"), func.count().label("posts"))
            .where(posts.c.published_at >= to_db_time(start), posts.c.published_at < to_db_time(end))
            .group_by(posts.c.unit_id, day)
        )
        if unit_ids is not None:
            query = query.where(posts.c.unit_id.in_(list(unit_ids)))
        with self.engine.connect() as conn:
            frame = _frame(conn.execute(query).all(), ["unit_id", "day", "posts"])
        frame["day"] = _days(frame["day"])
        frame["posts"] = frame["posts"].astype("int64")
        return frame

    def weekly_post_counts(self, start: datetime, end: datetime, utc_offset: timedelta,
                           unit_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Posts per unit per ISO week (by local day) for published_at in [start, end).

        Columns: unit_id, week_start (naive local Monday), posts. For streaks that reach back a
        year: a tenth of the rows of daily counts. From post_days when it can answer.
        """
        with self.engine.connect() as conn:
            minutes = self._rollup_offset(conn, start, end, utc_offset)
            if minutes is not None:
                days = self._rolled_days(minutes, start, end, utc_offset, unit_ids).subquery()
                monday = (days.c.day // 7) * 7  # day 0, 0001-01-01, is a Monday
                query = select(days.c.unit_id, monday, func.sum(days.c.posts)).group_by(days.c.unit_id, monday)
                return _day_counts_frame(conn.execute(query).all(), "week_start")
        sqlite = self.dialect == "sqlite"
        if sqlite:
            # Whole weeks since Monday 0001-01-01, local: integer arithmetic on the epoch seconds
            # costs half of date()'s text modifiers per row, and stays positive for any year.
            seconds = int(utc_offset.total_seconds()) + _SECONDS_0001_TO_1970
            week = (_sqlite_epoch(posts.c.published_at) + seconds) // _SECONDS_PER_WEEK
        else:
            week = cast(func.date_trunc("week", posts.c.published_at + utc_offset), Date)
        query = (
            select(posts.c.unit_id, week.label("week_start"), func.count().label("posts"))
            .where(posts.c.published_at >= to_db_time(start), posts.c.published_at < to_db_time(end))
            .group_by(posts.c.unit_id, week)
        )
        if unit_ids is not None:
            query = query.where(posts.c.unit_id.in_(list(unit_ids)))
        with self.engine.connect() as conn:
            frame = _frame(conn.execute(query).all(), ["unit_id", "week_start", "posts"])
        frame["week_start"] = _mondays(frame["week_start"]) if sqlite else _days(frame["week_start"])
        frame["posts"] = frame["posts"].astype("int64")
        return frame

    def has_posts(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(posts.c.id).limit(1)).first() is not None

    def last_post_times(self, before: datetime | None = None) -> pd.DataFrame:
        """The newest published_at per unit (before an instant, when given): unit_id, published_at."""
        query = select(posts.c.unit_id, func.max(posts.c.published_at).label("published_at"))
        if before is not None:
            query = query.where(posts.c.published_at < to_db_time(before))
        query = query.group_by(posts.c.unit_id)
        with self.engine.connect() as conn:
            frame = _frame(conn.execute(query).all(), ["unit_id", "published_at"])
        return _aware(frame, ("published_at",))

    def last_post_times_of(self, unit_ids: Sequence[str], before: datetime) -> pd.DataFrame:
        """The newest published_at before an instant, for the given units (those with a post):
        unit_id, published_at. One index seek per unit on (unit_id, published_at), where a
        GROUP BY over every unit reads every older post."""
        query = select(func.max(posts.c.published_at)).where(posts.c.unit_id == bindparam("unit"),
                                                              posts.c.published_at < to_db_time(before))
        rows = []
        with self.engine.connect() as conn:
            for unit_id in dict.fromkeys(unit_ids):
                newest = conn.execute(query, {"unit": unit_id}).scalar()
                if newest is not None:
                    rows.append((unit_id, newest))
        return _aware(_frame(rows, ["unit_id", "published_at"]), ("published_at",))

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
        return _aware(_frame(rows, ["source_id", "at"]), ("at",))

    def success_days(self, since: datetime | None, utc_offset: timedelta) -> pd.DataFrame:
        """Local days on which each source worked: source_id, day (aggregated in SQL)."""
        ok, manual = self._success_queries(since, lambda column: self._local_day(column, utc_offset))
        with self.engine.connect() as conn:
            rows = conn.execute(ok).all() + conn.execute(manual).all()
        frame = _frame(rows, ["source_id", "day"])
        frame["day"] = _days(frame["day"])
        return frame

    def attempt_summary(self) -> pd.DataFrame:
        """Per source: last attempt, last success, failed attempts since then, the latest error.

        Columns: source_id, last_attempt, last_success, failing_streak, last_error_at,
        last_error_kind, last_error, last_status. Aggregated in SQL: the log grows by one row
        per source per run.
        """
        done = func.coalesce(attempts.c.finished_at, attempts.c.started_at)
        last = select(attempts.c.source_id, func.max(attempts.c.started_at).label("last_attempt"),
                      func.max(attempts.c.id).label("last_id")).group_by(attempts.c.source_id).subquery()
        good = (select(attempts.c.source_id, func.max(done).label("last_success"))
                .where(attempts.c.ok.is_(True)).group_by(attempts.c.source_id).subquery())
        failing = (
            select(attempts.c.source_id, func.count().label("failing_streak"))
            .select_from(attempts.outerjoin(good, good.c.source_id == attempts.c.source_id))
            .where(attempts.c.ok.is_(False),
                   (good.c.last_success.is_(None)) | (attempts.c.started_at > good.c.last_success))
            .group_by(attempts.c.source_id)
        )
        last_bad = (select(func.max(attempts.c.id)).where(attempts.c.ok.is_(False))
                    .group_by(attempts.c.source_id))
        errors = select(attempts.c.source_id, attempts.c.started_at.label("last_error_at"),
                        attempts.c.error_kind.label("last_error_kind"), attempts.c.error.label("last_error")
                        ).where(attempts.c.id.in_(last_bad))
        status = select(last.c.source_id, last.c.last_attempt, attempts.c.status.label("last_status")).join(
            attempts, attempts.c.id == last.c.last_id)
        with self.engine.connect() as conn:
            frame = pd.DataFrame(conn.execute(status).all(), columns=["source_id", "last_attempt", "last_status"])
            frame = frame.merge(pd.DataFrame(conn.execute(select(good)).all(),
                                             columns=["source_id", "last_success"]), on="source_id", how="left")
            frame = frame.merge(pd.DataFrame(conn.execute(failing).all(),
                                             columns=["source_id", "failing_streak"]), on="source_id", how="left")
            frame = frame.merge(pd.DataFrame(conn.execute(errors).all(),
                                             columns=["source_id", "last_error_at", "last_error_kind", "last_error"]),
                                on="source_id", how="left")
        frame["failing_streak"] = frame["failing_streak"].fillna(0).astype("int64")
        return _aware(frame, ("last_attempt", "last_success", "last_error_at"))

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
            for chunk in _chunks(list(keys), 400):
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
        return _aware(frame, ("published_at", "reviewed_at"))

    # -- reviews (never touched by upserts: a mark survives every re-collection) -------------

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
        return _aware(frame, ("reviewed_at",))

    # -- attempts, state, gaps, activity -----------------------------------------------------

    def record_attempt(self, run: CollectionRun) -> int:
        values = {
            "source_id": run.source_id,
            "started_at": to_db_time(run.started_at),
            "finished_at": to_db_time(run.finished_at),
            "ok": run.ok,
            "status": run.status,
            "error_kind": run.error_kind,
            "error": run.error[:4000],
            "items_seen": run.items_seen,
            "items_new": run.items_new,
            "requests": run.requests,
            "route": run.route,
        }
        with self.engine.begin() as conn:
            result = conn.execute(insert(attempts).values(**values))
            run.attempt_id = int(result.inserted_primary_key[0])
        return run.attempt_id

    def attempts_frame(self, source_ids: Sequence[str] | None = None) -> pd.DataFrame:
        query = select(attempts).order_by(attempts.c.started_at, attempts.c.id)
        if source_ids is not None:
            query = query.where(attempts.c.source_id.in_(list(source_ids)))
        with self.engine.connect() as conn:
            frame = pd.read_sql(query, conn)
        return _aware(frame, ("started_at", "finished_at"))

    def get_state(self, source_id: str) -> dict:
        with self.engine.connect() as conn:
            value = conn.execute(select(source_state.c.state).where(source_state.c.source_id == source_id)).scalar()
        return json.loads(value) if value else {}

    def set_state(self, source_id: str, state: dict) -> None:
        payload = json.dumps(state, sort_keys=True, default=str)
        now = to_db_time(utcnow())
        with self.engine.begin() as conn:
            done = conn.execute(
                update(source_state).where(source_state.c.source_id == source_id).values(state=payload, updated_at=now)
            ).rowcount
            if not done:
                conn.execute(insert(source_state).values(source_id=source_id, state=payload, updated_at=now))

    def record_gap(self, gap: CoverageGap) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(coverage_gaps).values(
                source_id=gap.source_id, detected_at=to_db_time(gap.detected_at),
                gap_start=to_db_time(gap.gap_start), gap_end=to_db_time(gap.gap_end)))

    def gaps_frame(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            frame = pd.read_sql(select(coverage_gaps).order_by(coverage_gaps.c.detected_at), conn)
        return _aware(frame, ("detected_at", "gap_start", "gap_end"))

    def record_activity(self, item: Activity) -> bool:
        """Store a counted interval once; False when that interval is already known."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(activity).values(
                    unit_id=item.unit_id, source_id=item.source_id, period_start=to_db_time(item.start),
                    period_end=to_db_time(item.end), delta=item.delta))
            return True
        except IntegrityError:
            return False

    def activity_frame(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            frame = pd.read_sql(select(activity).order_by(activity.c.period_start), conn)
        return _aware(frame, ("period_start", "period_end"))

    def record_account_stats(self, source_id: str, collected_at: datetime,
                             followers: int | None, media_count: int | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(account_stats).values(
                source_id=source_id, collected_at=to_db_time(collected_at),
                followers=followers, media_count=media_count))

    def account_stats_frame(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            frame = pd.read_sql(select(account_stats).order_by(account_stats.c.collected_at), conn)
        return _aware(frame, ("collected_at",))

    # -- the collection lock ------------------------------------------------------------------

    def acquire_lock(self, name: str = "collect", stale_after: timedelta = timedelta(hours=6)) -> bool:
        """Take a named lock held in the database, so it holds across machines too.

        A lock older than `stale_after` is taken over: its holder died without releasing it.
        """
        holder = f"{socket.gethostname()}:{os.getpid()}"
        now = utcnow()
        with self.engine.begin() as conn:
            conn.execute(delete(locks).where(locks.c.name == name,
                                             locks.c.acquired_at < to_db_time(now - stale_after)))
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(locks).values(name=name, holder=holder, acquired_at=to_db_time(now)))
            return True
        except IntegrityError:
            return False

    def release_lock(self, name: str = "collect") -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(locks).where(locks.c.name == name))


# ---------------------------------------------------------------------------------------------


def _unit_row(unit: Unit) -> dict:
    return {"unit_id": unit.unit_id, "name": unit.name, "kind": unit.kind, "parent_id": unit.parent_id,
            "code": unit.code, "verified": unit.verified}


def _source_row(source: Source) -> dict:
    return {"source_id": source.source_id, "unit_id": source.unit_id, "platform": source.platform,
            "collector": source.collector, "address": source.address,
            "options": json.dumps(source.options, sort_keys=True), "active": source.active}


def _post_row(post: Post, unit_id: str, platform: str, now: datetime) -> dict:
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


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _frame(rows: Sequence, columns: list[str]) -> pd.DataFrame:
    """A frame from result rows, built column-wise (pandas inspects each Row object otherwise)."""
    if not rows:
        return pd.DataFrame({name: [] for name in columns})
    return pd.DataFrame(dict(zip(columns, zip(*rows, strict=True), strict=True)))


def _days(values: pd.Series) -> pd.Series:
    """'YYYY-MM-DD' text (SQLite) or dates (PostgreSQL) -> naive midnight timestamps."""
    if values.empty:
        return pd.Series([], dtype="datetime64[ns]", index=values.index)
    return pd.to_datetime(values.astype(str), format="%Y-%m-%d").astype("datetime64[ns]")


_SECONDS_PER_WEEK = 7 * 86400
# From 0001-01-01 (a Monday, proleptic Gregorian) to the Unix epoch.
_DAYS_0001_TO_1970 = (date(1970, 1, 1) - date(1, 1, 1)).days
_SECONDS_0001_TO_1970 = _DAYS_0001_TO_1970 * 86400


def _sqlite_epoch(column):
    """SQLite seconds since 1970 of a naive-UTC column, as an integer expression."""
    if sqlite3.sqlite_version_info >= (3, 38):
        return type_coerce(func.unixepoch(column), Integer)
    return cast(func.strftime("%s", column), Integer)


def _offset_minutes(utc_offset: timedelta) -> int:
    minutes = int(utc_offset.total_seconds() // 60)
    if utc_offset != timedelta(minutes=minutes):
        raise ValueError(f"UTC offset {utc_offset} is not whole minutes")
    return minutes


def _built_offsets(conn) -> list[int]:
    """The UTC offsets (minutes) post_days is kept for."""
    return [r[0] for r in conn.execute(select(post_day_offsets.c.utc_offset_min))]


def _day_counts_frame(rows: Sequence, day_column: str) -> pd.DataFrame:
    """(unit_id, day number, posts) rows from post_days -> unit_id, naive local midnight, posts."""
    frame = _frame(rows, ["unit_id", day_column, "posts"])
    frame[day_column] = _day_dates(frame[day_column])
    frame["posts"] = frame["posts"].astype("int64")
    return frame


def _day_number(naive_local: datetime) -> int:
    """Days since 0001-01-01 of a naive local instant: post_days' day key."""
    return naive_local.toordinal() - 1


def _day_dates(days: pd.Series) -> pd.Series:
    """Days since 0001-01-01 -> naive midnight timestamps."""
    if days.empty:
        return pd.Series([], dtype="datetime64[ns]", index=days.index)
    values = days.astype("int64").to_numpy() - _DAYS_0001_TO_1970
    return pd.Series(values.astype("datetime64[D]").astype("datetime64[ns]"), index=days.index)


def _mondays(weeks: pd.Series) -> pd.Series:
    """Whole weeks since 0001-01-01 (SQLite) -> naive local Monday timestamps."""
    if weeks.empty:
        return pd.Series([], dtype="datetime64[ns]", index=weeks.index)
    days = weeks.astype("int64").to_numpy() * 7 - _DAYS_0001_TO_1970
    return pd.Series(days.astype("datetime64[D]").astype("datetime64[ns]"), index=weeks.index)


def _aware(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    for column in columns:
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column]).dt.tz_localize("UTC")
    return frame


