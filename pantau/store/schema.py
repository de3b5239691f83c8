"""The tables and the named migrations that create them.

Times are stored as naive UTC datetimes (SQLite has no time zone type); pantau.store.convert
turns them back into aware ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError

from pantau.models import page_key

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

# Every mark ever given, never updated nor deleted: the audit trail behind `reviews` (which holds
# each post's current mark). `reviewer` is the account's username, `reviewer_name` its name then.
review_history = Table(
    "review_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(300), nullable=False),
    Column("external_id", String(500), nullable=False),
    Column("mark", String(40), nullable=False),
    Column("reviewer", String(200), nullable=False),
    Column("reviewer_name", String(200), nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("reviewed_at", DateTime, nullable=False),
    Index("ix_review_history_post", "source_id", "external_id"),
)

locks = Table(
    "locks", metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("acquired_at", DateTime, nullable=False),
    # Who holds it (pantau.store.lock_holder), so a lock whose holder is gone is taken over.
    Column("holder_host", String(255)),
    Column("holder_pid", Integer),
    Column("holder_started", String(32)),
    Column("boot_id", String(64)),
    Column("heartbeat_at", DateTime),
)

# ---------------------------------------------------------------------------------------------
# Migrations: named, applied once, recorded (by Store.migrate)


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[Engine], None]


def _initial_schema(engine: Engine) -> None:
    metadata.create_all(engine)


def _post_days(engine: Engine) -> None:
    metadata.create_all(engine, tables=[post_days, post_day_offsets])


def _review_history(engine: Engine) -> None:
    """The audit trail of marks, started with the marks given before it existed."""
    metadata.create_all(engine, tables=[review_history])
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(review_history)).scalar():
            return  # another process applied it at the same moment
        rows = conn.execute(select(reviews.c.source_id, reviews.c.external_id, reviews.c.mark, reviews.c.reviewer,
                                   reviews.c.note, reviews.c.reviewed_at)).mappings().all()
        if rows:
            conn.execute(insert(review_history), [{**row, "reviewer_name": row["reviewer"]} for row in rows])


# Collectors whose posts without a platform id are known by their page's URL (pantau.models.page_key).
PAGE_KEYED_COLLECTORS = ("feed", "html_listing", "wordpress")


def _page_keys(engine: Engine) -> None:
    """Posts stored under their page's absolute URL are keyed by the URL within the site, as the
    collectors now key them; pages stored twice under two addresses of the same site (http and
    https, two ports: a site move before this) become one post, the first stored, with its marks.

    The address is the one the sources table holds: the one the posts were collected from. When
    two posts merge, post_days is dropped, so the next registry sync rebuilds it from the posts.
    """
    merged = False
    with engine.begin() as conn:
        homes = conn.execute(select(sources.c.source_id, sources.c.address)
                             .where(sources.c.collector.in_(PAGE_KEYED_COLLECTORS))).all()
        for source_id, address in homes:
            rows = conn.execute(
                select(posts.c.id, posts.c.external_id).where(
                    posts.c.source_id == source_id,
                    or_(posts.c.external_id.like("http://%"), posts.c.external_id.like("https://%")))
                .order_by(posts.c.id)).all()
            keyed = [(row.id, row.external_id, page_key(row.external_id, address)) for row in rows]
            keyed = [(post_id, old, new) for post_id, old, new in keyed if new != old]
            if not keyed:
                continue
            taken = set(conn.execute(select(posts.c.external_id).where(
                posts.c.source_id == source_id, posts.c.external_id.in_({new for _, _, new in keyed}))).scalars())
            for post_id, old, new in keyed:
                the_post = (reviews.c.source_id == source_id) & (reviews.c.external_id == old)
                if new in taken:
                    conn.execute(delete(posts).where(posts.c.id == post_id))
                    marked = conn.execute(select(reviews.c.id).where(
                        reviews.c.source_id == source_id, reviews.c.external_id == new)).first()
                    if marked:  # the kept post's own mark stands
                        conn.execute(delete(reviews).where(the_post))
                    merged = True
                else:
                    conn.execute(update(posts).where(posts.c.id == post_id).values(external_id=new))
                    taken.add(new)
                conn.execute(update(reviews).where(the_post).values(external_id=new))
                conn.execute(update(review_history).where(
                    (review_history.c.source_id == source_id) & (review_history.c.external_id == old))
                    .values(external_id=new))
        if merged:
            conn.execute(delete(post_days))
            conn.execute(delete(post_day_offsets))


LOCK_HOLDER_COLUMNS = ("holder_host", "holder_pid", "holder_started", "boot_id", "heartbeat_at")


def _lock_holder(engine: Engine) -> None:
    """The lock's holder columns, added where missing (a fresh store has them from 0001)."""
    for name in LOCK_HOLDER_COLUMNS:
        if name in {c["name"] for c in inspect(engine).get_columns("locks")}:
            continue
        column_type = locks.c[name].type.compile(dialect=engine.dialect)
        try:
            with engine.begin() as conn:
                conn.execute(text(f"ALTER TABLE locks ADD COLUMN {name} {column_type}"))
        except DBAPIError:
            # Another process added it at the same moment; anything else is a real failure.
            if name not in {c["name"] for c in inspect(engine).get_columns("locks")}:
                raise


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_initial_schema", _initial_schema),
    Migration("0002_post_days", _post_days),
    Migration("0003_review_history", _review_history),
    Migration("0004_page_keys", _page_keys),
    Migration("0005_lock_holder", _lock_holder),
)

