"""Per-host politeness as a small interface, so it can hold in one process or across machines.

The HTTP layer asks a `HostLimiter` for a slot before every request to a host:port and for its
turn when the host asked for a delay between requests (robots.txt Crawl-delay). `LocalLimiter`
keeps both in this process (one collection run on one machine, the default); the task engine
plugs in one backed by Redis (`pantau.engine.redis_limiter`) so the limit holds across workers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol
from urllib.parse import urlsplit


def host_key(url: str) -> str:
    """host:port, the unit of politeness (two sites on one machine but different ports are two hosts)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


class HostLimiter(Protocol):
    def slot(self, host: str) -> AbstractContextManager[None]:
        """Held for the duration of one request to `host`; at most `per_host` holders at once."""

    def wait_turn(self, host: str, delay: float) -> None:
        """Sleep until `delay` seconds have passed since the last request started to `host`."""


class LocalLimiter:
    """Semaphores and next-start times in this process: what one machine's run needs."""

    def __init__(self, per_host: int):
        self.per_host = per_host
        self._slots: dict[str, threading.Semaphore] = {}
        self._next_start: dict[str, float] = {}
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            semaphore = self._slots.setdefault(host, threading.Semaphore(self.per_host))
        with semaphore:
            yield

    def wait_turn(self, host: str, delay: float) -> None:
        if delay <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start.get(host, 0.0))
            self._next_start[host] = start + delay
        if start > now:
            time.sleep(start - now)
