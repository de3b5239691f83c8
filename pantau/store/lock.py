"""The collection lock, held in the database so it holds across machines too.

The row names its holder (pantau.store.lock_holder): host, pid, process start time, boot id,
and a heartbeat the running collection refreshes. A lock whose holder is gone is taken over at
once: on the same host when its process no longer runs (or its pid belongs to a later process),
from another host when its heartbeat is older than the stale bound.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from pantau.store.base import Database
from pantau.store.convert import from_db_time, to_db_time, utcnow
from pantau.store.lock_holder import Holder, is_alive, this_process
from pantau.store.schema import locks

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = timedelta(seconds=15)
STALE_AFTER = timedelta(seconds=60)
# A row written before holders were recorded (no heartbeat): the old rule, as it was.
LEGACY_STALE_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class LockRow:
    """A held lock as the database holds it."""

    holder: Holder
    acquired_at: datetime
    heartbeat_at: datetime | None

    def describe(self) -> str:
        since = self.acquired_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        beat = self.heartbeat_at.strftime("%H:%M:%S UTC") if self.heartbeat_at else "none"
        return f"host {self.holder.host}, pid {self.holder.pid}, since {since}, last heartbeat {beat}"


class CollectionLock(Database):
    """A named lock: one collection at a time."""

    def acquire_lock(self, name: str = "collect", stale_after: timedelta = STALE_AFTER) -> bool:
        """Take the named lock; a lock whose holder is gone is taken over (see the module)."""
        me = this_process()
        for _ in range(3):  # a takeover races at most a couple of other takers
            current = self.lock_holder(name)
            if current is not None:
                if not self._holder_gone(current, me, stale_after):
                    return False
                if not self._drop(name, current):
                    continue  # someone else changed the row meanwhile: look again
                log.warning("took over the %s lock from %s", name, current.describe())
            now = to_db_time(utcnow())
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(locks).values(
                        name=name, holder=me.label, acquired_at=now, holder_host=me.host, holder_pid=me.pid,
                        holder_started=me.started, boot_id=me.boot_id, heartbeat_at=now))
                return True
            except IntegrityError:
                continue
        return False

    def lock_holder(self, name: str = "collect") -> LockRow | None:
        """Who holds the lock, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(locks).where(locks.c.name == name)).mappings().first()
        if row is None:
            return None
        host, pid = row["holder_host"], row["holder_pid"]
        if host is None or pid is None:  # written before holders were recorded: "host:pid"
            host, _, pid_text = str(row["holder"]).rpartition(":")
            pid = int(pid_text) if pid_text.isdigit() else -1
        return LockRow(Holder(host, int(pid), row["holder_started"], row["boot_id"]),
                       from_db_time(row["acquired_at"]), from_db_time(row["heartbeat_at"]))

    def heartbeat(self, name: str = "collect") -> bool:
        """Refresh this process's heartbeat on the lock; False when it no longer holds it."""
        me = this_process()
        with self.engine.begin() as conn:
            changed = conn.execute(update(locks).where(
                locks.c.name == name, locks.c.holder_host == me.host, locks.c.holder_pid == me.pid)
                .values(heartbeat_at=to_db_time(utcnow()))).rowcount
        return bool(changed)

    def release_lock(self, name: str = "collect") -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(locks).where(locks.c.name == name))

    @staticmethod
    def _holder_gone(current: LockRow, me: Holder, stale_after: timedelta) -> bool:
        if current.holder.host == me.host:
            return not is_alive(current.holder, me)
        if current.heartbeat_at is None:
            return utcnow() - current.acquired_at > LEGACY_STALE_AFTER
        return utcnow() - current.heartbeat_at > stale_after

    def _drop(self, name: str, current: LockRow) -> bool:
        """Delete the row only if it still names the holder we judged gone."""
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(locks).where(
                locks.c.name == name, locks.c.holder == current.holder.label,
                locks.c.acquired_at == to_db_time(current.acquired_at))).rowcount)


class Heartbeat:
    """A daemon thread refreshing the lock's heartbeat every `every` while a collection runs."""

    def __init__(self, store: CollectionLock, name: str, every: timedelta = HEARTBEAT_EVERY):
        self.store, self.name, self.every = store, name, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lock-heartbeat-{name}", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every.total_seconds()):
            try:
                self.store.heartbeat(self.name)
            except Exception as exc:  # a database hiccup must not end the collection
                log.warning("lock heartbeat failed: %s", exc)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
