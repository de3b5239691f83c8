"""Who holds a lock, and whether that holder still exists.

A holder is its host, process id, process start time and boot id. On the holder's own machine
(same host and boot id) the question is answered by the process table: the process is gone, or
its pid now belongs to a later process (another start time), so a killed collection's lock is
released at once. Another machine cannot look: it goes by the heartbeat the running collection
refreshes (pantau.store.lock), and takes over once that is older than the stale bound.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    # Clock ticks since boot when the process started (/proc/PID/stat field 22); None off Linux.
    started: str | None
    boot_id: str | None

    @property
    def label(self) -> str:
        return f"{self.host}:{self.pid}"


def this_process() -> Holder:
    pid = os.getpid()
    return Holder(socket.gethostname(), pid, process_start(pid), boot_id())


def boot_id() -> str | None:
    try:
        return BOOT_ID.read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot, None when there is no such process
    (or no /proc to ask)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count fields after the last ")".
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def is_alive(holder: Holder, me: Holder) -> bool:
    """For a holder on this host: whether its process still runs (and is the same process)."""
    if me.boot_id is not None and holder.boot_id is not None and holder.boot_id != me.boot_id:
        return False  # the machine rebooted since: every process of then is gone
    if holder.started is not None and me.started is not None:
        return process_start(holder.pid) == holder.started
    try:  # no /proc: the pid alone (a reused pid reads as alive, the safe side)
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
