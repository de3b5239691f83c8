"""The connection every part of the store shares: the engine, its migrations, planner statistics.

SQLite file by default (WAL, so the dashboard reads while a collection writes), PostgreSQL by
URL.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event, insert, select
from sqlalchemy.exc import IntegrityError

from pantau.store.convert import to_db_time, utcnow
from pantau.store.schema import MIGRATIONS, Migration, schema_migrations

log = logging.getLogger(__name__)


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


class Database:
    """An engine on one database, migrated on open; the parts of the Store build on it."""

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

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Every write of the store inside the block in one transaction: all of it, or none.

        The store's methods each open `self.engine.begin()`; inside the block they get one shared
        connection instead, whose transaction commits when the block ends and rolls back when it
        raises (a manual import that fails on its last row leaves nothing behind, on SQLite and
        PostgreSQL alike). Not for use from several threads at once.
        """
        real = self.engine
        with real.connect() as conn, conn.begin():
            self.engine = _OneConnection(real, conn)
            try:
                yield
            finally:
                self.engine = real

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



class _OneConnection:
    """Stands in for the engine during Database.transaction(): begin() and connect() hand out the
    one connection whose transaction is already open, so nothing commits before the block ends."""

    def __init__(self, engine: Engine, conn: Connection):
        self._engine, self._conn = engine, conn

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        yield self._conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        yield self._conn

    def __getattr__(self, name: str):
        return getattr(self._engine, name)
