"""The store: every post ever collected, every collection attempt, on SQLAlchemy.

`Store` is the one object callers hold; each of its parts is a module with one job:

- schema: the tables and the named migrations; base: the engine, migrating, planner statistics
- mirror: the registry's units and sources mirrored for SQL joins
- writes: idempotent post upserts, posts gone missing
- rollup: posts per unit per local day, and the one choice "read the rollup or count the posts"
- queries: the dashboard's and the exports' reads (day and week counts, listings, success times)
- flags, reviews: screening results and a reviewer's marks
- attempts, state, observations, lock: the attempt log, per-source memory, gaps/activity/account
  figures, the collection lock (lock_holder: who holds it, and whether that process still runs)
- convert, days: times and frames between Python and SQL; day arithmetic in SQL

Nothing here assumes SQLite; PostgreSQL is used by URL.
"""

from __future__ import annotations

from pantau.store.attempts import AttemptLog
from pantau.store.base import make_engine
from pantau.store.convert import from_db_time, to_db_time, utcnow
from pantau.store.flags import PostFlags
from pantau.store.lock import CollectionLock
from pantau.store.mirror import RegistryMirror
from pantau.store.observations import Observations
from pantau.store.queries import POST_LIST_COLUMNS, DashboardQueries, PostFilter, PostPage
from pantau.store.reviews import Reviews
from pantau.store.schema import (
    MIGRATIONS,
    Migration,
    account_stats,
    activity,
    attempts,
    coverage_gaps,
    locks,
    metadata,
    post_day_offsets,
    post_days,
    posts,
    review_history,
    reviews,
    schema_migrations,
    source_state,
    sources,
    units,
)
from pantau.store.state import SourceState
from pantau.store.writes import PostWrites


class Store(RegistryMirror, PostWrites, DashboardQueries, PostFlags, Reviews, AttemptLog, SourceState,
            Observations, CollectionLock):
    """All reads and writes of the database go through here: Store(url) opens and migrates it."""


__all__ = [
    "MIGRATIONS", "POST_LIST_COLUMNS", "Migration", "PostFilter", "PostPage", "Store", "account_stats", "activity",
    "attempts", "coverage_gaps", "from_db_time", "locks", "make_engine", "metadata", "post_day_offsets",
    "post_days", "posts", "review_history", "reviews", "schema_migrations", "source_state", "sources",
    "to_db_time", "units", "utcnow",
]
