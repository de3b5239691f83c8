"""The collection lock, held in the database so it holds across machines too."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from pantau.store.base import Database
from pantau.store.convert import to_db_time, utcnow
from pantau.store.schema import locks


class CollectionLock(Database):
    """A named lock: one collection at a time."""

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

