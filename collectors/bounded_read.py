"""A response, headers and body, within the total timeout, whatever the server trickles.

The socket's read timeout bounds one read only: a server that drips a byte a second, or sends
its headers a byte at a time, never lets one read reach it, and a read that starts just before
the deadline may block a whole read timeout past it. Two guards close both gaps:

- `read_capped` reads the body in small reads (`read1`: whatever one read of the socket brings)
  and checks the size cap and the deadline after every one;
- a `Watchdog` per request shuts the connection's socket down when the deadline passes, so a
  read blocked at that moment (headers or body) returns at once and the request fails.

No `requests` here (collectors/http.py is the only module that imports it): the response and
the connection are taken as the library hands them over.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from collectors.errors import ResponseTooLarge, TooSlow

# Bytes asked of one read; `read1` returns as soon as any arrive, so this bounds memory, not waiting.
READ_SIZE = 16 * 1024

_current = threading.local()


class Watchdog:
    """Shuts down every connection a request (in this thread) uses once `deadline` passes.

    Use as a context manager around one request; the HTTP layer's connections call
    `watch_connection(self)` when they send, which attaches them to the running watchdog.
    """

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.fired = False
        self._connections: list[Any] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True

    def attach(self, connection: Any) -> None:
        with self._lock:
            self._connections.append(connection)
            fired = self.fired
        if fired:  # sent after the deadline: cut at once
            _shut(connection)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)

    def __enter__(self) -> Watchdog:
        self._previous = getattr(_current, "watchdog", None)
        _current.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _current.watchdog = self._previous


def watch_connection(connection: Any) -> None:
    """Called by a connection as it sends a request: the running watchdog may cut it."""
    watchdog = getattr(_current, "watchdog", None)
    if watchdog is not None:
        watchdog.attach(connection)


def _shut(connection: Any) -> None:
    """Shut the socket down (a read blocked on it returns); the pool drops it as broken."""
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


def too_slow(total_timeout: float, url: str) -> TooSlow:
    return TooSlow(f"too slow: no complete answer within the {total_timeout:g} s total timeout", url)


def read_capped(raw: Any, max_bytes: int, deadline: float, total_timeout: float) -> bytes:
    """The decoded body of `raw` (a streamed response), refused past `max_bytes` (a gzip bomb
    counts as what it inflates to) or past `deadline` (time.monotonic())."""
    declared = raw.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(f"response of {declared} bytes over the {max_bytes}-byte cap", raw.url)
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise too_slow(total_timeout, raw.url)
        chunk = raw.raw.read1(READ_SIZE, decode_content=True)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise ResponseTooLarge(f"response over the {max_bytes}-byte cap", raw.url)
        chunks.append(chunk)
    if time.monotonic() > deadline:
        raise too_slow(total_timeout, raw.url)
    return b"".join(chunks)
