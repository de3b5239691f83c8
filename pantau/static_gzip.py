"""Streamlit's static files gzip-compressed by the dashboard's own server, once per file.

Streamlit 1.67's server (Starlette) deliberately sends /static/... uncompressed: its gzip
middleware would compress every response again, and it expects a proxy or CDN to compress. For
`pantau demo` and any server without nginx in front, that means a phone downloads 9.3 MB where
2.7 MB would do. The files are content-hashed and never change while the server runs, so this
middleware compresses each one once (in a worker thread), keeps the result in memory, and sends
the same bytes to every later visitor: the CPU cost is paid once per file per process, not per
visit. Streamlit's own headers (Cache-Control immutable, ETag, Last-Modified) pass through.
"""

from __future__ import annotations

import gzip
import threading

import anyio

COMPRESSIBLE = (b"text/", b"application/javascript", b"application/json", b"image/svg+xml", b"font/ttf",
                b"font/otf", b"application/wasm", b"application/manifest+json")
MIN_SIZE = 1024
LEVEL = 6  # level 9 makes the 4.7 MB chart bundle 1 % smaller for three times the CPU
CACHE_LIMIT = 64 * 1024 * 1024  # bytes of compressed bodies kept; Streamlit's whole frontend is ~9 MB


class StaticGzip:
    """ASGI middleware: GET /static/... with "Accept-Encoding: gzip" gets a cached gzip body."""

    def __init__(self, app, prefix: str = "/static/") -> None:
        self.app = app
        self.prefix = prefix
        self._cache: dict[tuple[str, bytes], bytes] = {}
        self._cached_bytes = 0
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or self.prefix not in scope.get("path", "") \
                or not _accepts_gzip(scope):
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        chunks: list[bytes] = []

        async def capture(message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        if start is None:
            return
        body = b"".join(chunks)
        headers = list(start.get("headers", []))
        names = {name.lower(): value for name, value in headers}
        if start["status"] != 200 or b"content-encoding" in names or len(body) < MIN_SIZE \
                or not names.get(b"content-type", b"").startswith(COMPRESSIBLE):
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        key = (scope["path"], names.get(b"etag", b"") or str(len(body)).encode())
        packed = self._cache.get(key)
        if packed is None:
            packed = await anyio.to_thread.run_sync(gzip.compress, body, LEVEL)
            self._remember(key, packed)
        kept = [(n, v) for n, v in headers if n.lower() not in (b"content-length", b"etag", b"vary")]
        etag = names.get(b"etag")
        if etag:  # weak, as nginx makes it: the bytes differ, the file is the same (Starlette's
            # conditional check strips "W/", so revalidation still answers 304)
            kept.append((b"etag", etag if etag.startswith(b"W/") else b"W/" + etag))
        kept += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding"),
                 (b"content-length", str(len(packed)).encode())]
        await send({**start, "headers": kept})
        await send({"type": "http.response.body", "body": packed})

    def _remember(self, key, packed: bytes) -> None:
        with self._lock:
            if key not in self._cache and self._cached_bytes + len(packed) <= CACHE_LIMIT:
                self._cache[key] = packed
                self._cached_bytes += len(packed)


def _accepts_gzip(scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"accept-encoding":
            return any(part.split(b";")[0].strip() == b"gzip" and not part.strip().endswith(b"q=0")
                       for part in value.lower().split(b","))
    return False
