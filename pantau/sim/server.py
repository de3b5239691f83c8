"""Serve a simulated world on loopback: one host:port per unit, one asyncio loop for all.

A single event loop listens on hundreds of ports and holds thousands of keep-alive
connections without a thread each; latency is an `asyncio.sleep`, so 150 ms per response
costs no CPU. Every request is counted (robots.txt included) and the number of requests in
flight per host is tracked, which is what `pantau bench collect` reports.

A control port (not a unit host, not counted) answers `/_sim/stats`, `/_sim/reset`,
`/_sim/clock?at=ISO` and `/_sim/ports`, so a simulator running in another process (the bench)
is driven exactly like one running in a thread (the demo and the tests).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime

from pantau.sim.faults import FaultPlan, assign_faults
from pantau.sim.formats import (
    REASONS,
    Reply,
    Request,
    blogger,
    cms,
    etag_of,
    graph,
    http_date,
    not_found,
    opendk,
    opensid,
    pages,
    wordpress,
    youtube,
)
from pantau.sim.world import Channel, Host, World

log = logging.getLogger(__name__)

ROBOTS_ALLOW = "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
ROBOTS_DENY = "User-agent: *\nDisallow: /\n"


@dataclass
class Stats:
    requests: int = 0
    robots: int = 0
    by_host: dict[int, int] = field(default_factory=dict)
    in_flight: dict[int, int] = field(default_factory=dict)
    max_in_flight: dict[int, int] = field(default_factory=dict)
    max_total_in_flight: int = 0
    total_in_flight: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    faults_fired: dict[str, int] = field(default_factory=dict)

    def snapshot(self) -> dict:
        return {
            "requests": self.requests,
            "robots": self.robots,
            "hosts_seen": len(self.by_host),
            "max_per_host": max(self.max_in_flight.values(), default=0),
            "max_in_flight": self.max_total_in_flight,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "faults_fired": dict(self.faults_fired),
            "by_host": {str(k): v for k, v in self.by_host.items()},
        }


class Simulation:
    """The answers: routing to a channel, its format, conditional GET and faults."""

    def __init__(self, world: World, plan: FaultPlan):
        self.world = world
        self.plan = plan
        assign_faults(world, plan)
        self.now: datetime = world.end
        self.latency = plan.latency_ms / 1000.0
        self.stats = Stats()
        self.fired: set[str] = set()
        self.lock = threading.Lock()
        self.cp1252_sources = {c.source_id for c in world.channels if c.variant == "listing"}
        listing = sorted(self.cp1252_sources)
        # One listing site (when there is one) carries the charset quirk; the others are UTF-8.
        self.cp1252_sources = set(listing[:1]) if plan.enabled else set()

    # -- counting --------------------------------------------------------------------------

    def begin(self, port: int) -> None:
        with self.lock:
            s = self.stats
            s.requests += 1
            s.by_host[port] = s.by_host.get(port, 0) + 1
            s.in_flight[port] = s.in_flight.get(port, 0) + 1
            s.max_in_flight[port] = max(s.max_in_flight.get(port, 0), s.in_flight[port])
            s.total_in_flight += 1
            s.max_total_in_flight = max(s.max_total_in_flight, s.total_in_flight)

    def end(self, port: int, status: int) -> None:
        with self.lock:
            s = self.stats
            s.in_flight[port] -= 1
            s.total_in_flight -= 1
            s.statuses[status] = s.statuses.get(status, 0) + 1

    def reset_stats(self) -> None:
        with self.lock:
            self.stats = Stats()

    def rearm(self) -> None:
        """Let transient faults fire again (a new collection meets a new hiccup)."""
        self.fired.clear()

    # -- answering -------------------------------------------------------------------------

    def respond(self, host: Host, method: str, target: str, headers: dict[str, str]) -> Reply:
        path, query = Request.parse_target(target)
        if method not in ("GET", "HEAD", "POST"):
            return Reply(405, b"Method Not Allowed", "text/plain", [("Allow", "GET, HEAD, POST")])
        if path == "/robots.txt":
            with self.lock:
                self.stats.robots += 1
            return Reply(200, (ROBOTS_DENY if host.robots_disallowed else ROBOTS_ALLOW).encode(),
                         "text/plain; charset=utf-8", kind="robots")
        if any(c.persisting == "site-down" for c in host.channels) or (
                host.outage_until is not None and self.now < host.outage_until):
            return Reply(503, b"<html><body><h1>503 Service Unavailable</h1>No server is available to handle "
                              b"this request.</body></html>", "text/html")
        req = Request(method, path, query, headers, host.base, self.now, self.world)
        channel = route(host, path)
        if channel is None:
            return not_found()
        early = self._fault_before(channel, path)
        if early is not None:
            return early
        reply = answer(channel, req, channel.source_id in self.cp1252_sources) or not_found()
        reply = conditional(reply, headers)
        return self._fault_after(channel, reply)

    def _fire(self, channel: Channel, kind: str) -> bool:
        with self.lock:
            if channel.transient != kind or channel.source_id in self.fired:
                return False
            self.fired.add(channel.source_id)
            self.stats.faults_fired[kind] = self.stats.faults_fired.get(kind, 0) + 1
            return True

    def _fault_before(self, channel: Channel, path: str) -> Reply | None:
        kind = channel.transient
        if not kind or kind in ("broken-xml", "cut"):
            return None
        if kind == "youtube-404":
            if path.endswith("/feeds/videos.xml") and self._fire(channel, kind):
                # Google's HTML error page, as the feed intermittently gives.
                return Reply(404, b"<html><head><title>Error 404 (Not Found)!!1</title></head><body><p><b>404."
                                  b"</b> <ins>That\xe2\x80\x99s an error.</ins></p></body></html>",
                             "text/html; charset=UTF-8")
            return None
        if not self._fire(channel, kind):
            return None
        if kind == "http-503":
            return Reply(503, b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", "text/html")
        if kind == "http-429":
            return Reply(429, b"Too Many Requests", "text/plain",
                         [("Retry-After", str(self.plan.retry_after_seconds))])
        if kind == "timeout":
            return Reply(200, b"", "text/plain", stall=self.plan.stall_seconds, drop=True)
        if kind == "reset":
            return Reply(200, b"", "text/plain", drop=True)
        return None

    def _fault_after(self, channel: Channel, reply: Reply) -> Reply:
        if channel.transient == "broken-xml" and reply.kind == "xml" and reply.status == 200 \
                and self._fire(channel, "broken-xml"):
            # PHP died mid-feed (memory or time limit): a well-framed 200 whose XML stops halfway,
            # followed by the error PHP prints. Partial entries parse; the document does not.
            cut = reply.body[: max(40, len(reply.body) * 3 // 5)] + (
                b"<br />\n<b>Fatal error</b>:  Allowed memory size of 134217728 bytes exhausted (tried to "
                b"allocate 20480 bytes) in <b>/var/www/html/wp-includes/formatting.php</b> on line <b>5128</b><br />\n")
            return Reply(200, cut, reply.content_type, reply.headers, "xml")
        if channel.transient == "cut" and reply.status == 200 and len(reply.body) > 200 and self._fire(channel, "cut"):
            # The connection drops mid-body: Content-Length promises more than arrives.
            return Reply(200, reply.body, reply.content_type, reply.headers, reply.kind, cut_at=len(reply.body) // 2)
        return reply


def route(host: Host, path: str) -> Channel | None:
    """Which of the host's channels a path belongs to."""
    by_variant = {c.variant: c for c in host.channels}
    if path.startswith(youtube.WEB_PREFIX) or path.startswith(youtube.API_PREFIX):
        return by_variant.get("youtube")
    if path.startswith(graph.PREFIX):
        parts = [p for p in path[len(graph.PREFIX):].split("/") if p]
        return by_variant.get("facebook" if len(parts) >= 2 else "instagram")
    if path.startswith(pages.TIKTOK_PREFIX):
        return by_variant.get("tiktok")
    if path.startswith("/x/"):
        return by_variant.get("x")
    for channel in host.channels:
        if channel.platform == "website":
            return channel
    return None


def answer(channel: Channel, req: Request, cp1252: bool) -> Reply | None:
    variant = channel.variant
    if variant.startswith("wp-"):
        return wordpress.respond(channel, req)
    if variant.startswith("opensid"):
        return opensid.respond(channel, req)
    if variant == "opendk":
        return opendk.respond(channel, req)
    if variant == "blogger":
        return blogger.respond(channel, req)
    if variant == "listing":
        return pages.respond_listing(channel, req, cp1252)
    if variant == "feed":
        return pages.respond_feed(channel, req)
    if variant == "listing-nodate":
        return cms.respond_nodate(channel, req)
    if variant == "blorakab":
        return cms.respond_blorakab(channel, req)
    if variant == "youtube":
        return youtube.respond(channel, req)
    if variant == "instagram":
        return graph.respond_instagram(channel, req)
    if variant == "facebook":
        parts = [p for p in req.path[len(graph.PREFIX):].split("/") if p]
        return graph.respond_facebook(channel, req, parts[1])
    if variant == "tiktok":
        return pages.respond_tiktok(channel, req)
    return None


def conditional(reply: Reply, headers: dict[str, str]) -> Reply:
    """ETag and Last-Modified on every 200, and 304 when the client already has this answer."""
    if reply.status != 200 or reply.kind == "robots":
        return reply
    tag = etag_of(reply.body)
    extra = [("ETag", tag)]
    if reply.last_modified is not None:
        extra.append(("Last-Modified", http_date(reply.last_modified)))
    reply.headers = [*reply.headers, *extra]
    if headers.get("if-none-match") == tag:
        return Reply(304, b"", reply.content_type, extra, reply.kind)
    since = headers.get("if-modified-since")
    if since and reply.last_modified is not None and "if-none-match" not in headers:
        try:
            if reply.last_modified.replace(microsecond=0) <= parsedate_to_datetime(since):
                return Reply(304, b"", reply.content_type, extra, reply.kind)
        except (TypeError, ValueError):
            pass
    return reply


def serialize(reply: Reply, head_only: bool, keep_alive: bool) -> bytes:
    lines = [f"HTTP/1.1 {reply.status} {REASONS.get(reply.status, 'Unknown')}",
             "Server: nginx", f"Content-Type: {reply.content_type}"]
    body = b"" if head_only or reply.status == 304 else reply.body
    lines.append(f"Content-Length: {len(reply.body) if reply.status != 304 else 0}")
    lines += [f"{name}: {value}" for name, value in reply.headers]
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


# --- the loop --------------------------------------------------------------------------------


def bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    sock.listen(512)
    sock.setblocking(False)
    return sock


class SimServer:
    """The simulation on loopback, in a background thread of this process."""

    def __init__(self, world: World, plan: FaultPlan | None = None, base_port: int = 0):
        self.sim = Simulation(world, plan or FaultPlan())
        self.world = world
        self.sockets: dict[int, socket.socket] = {}
        try:
            for host in world.hosts:
                sock = bind(base_port + host.index + 1 if base_port else 0)
                host.port = sock.getsockname()[1]
                self.sockets[host.index] = sock
            control = bind(base_port if base_port else 0)
        except OSError:
            for sock in self.sockets.values():
                sock.close()
            raise
        self.control_port = control.getsockname()[1]
        self._control = control
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None

    @property
    def control_url(self) -> str:
        return f"http://127.0.0.1:{self.control_port}"

    @property
    def now(self) -> datetime:
        return self.sim.now

    @now.setter
    def now(self, value: datetime) -> None:
        self.sim.now = value

    def start(self) -> SimServer:
        self.thread = threading.Thread(target=self._run, name="pantau-sim", daemon=True)
        self.thread.start()
        self._ready.wait(30)
        return self

    def serve_forever(self) -> None:
        """Run in the calling thread (the bench's simulator process)."""
        self._run()

    def stop(self) -> None:
        if self.loop and self._stop:
            self.loop.call_soon_threadsafe(self._stop.set)
        if self.thread:
            self.thread.join(10)

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def stats(self) -> dict:
        with self.sim.lock:
            return self.sim.stats.snapshot()

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._main())
        finally:
            self.loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        servers = []
        hosts = {h.index: h for h in self.world.hosts}
        for index, sock in self.sockets.items():
            host = hosts[index]
            servers.append(await asyncio.start_server(
                lambda r, w, h=host: self._connection(r, w, h), sock=sock, limit=65536))
        servers.append(await asyncio.start_server(self._control_connection, sock=self._control))
        self._ready.set()
        await self._stop.wait()
        for server in servers:
            server.close()
        # Keep-alive connections are tasks of their own: end them while the loop still runs.
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    async def _read_request(self, reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str]] | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return None
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, _version = lines[0].split(" ", 2)
        except ValueError:
            return None
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        if length:
            body = await reader.readexactly(length)
            if method == "POST" and "form-urlencoded" in headers.get("content-type", ""):
                # A form POST's fields join the query (OpenSID's archive API takes either).
                target += ("&" if "?" in target else "?") + body.decode("latin-1")
        return method, target, headers

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: Host) -> None:
        try:
            while True:
                request = await self._read_request(reader)
                if request is None:
                    return
                method, target, headers = request
                keep_alive = headers.get("connection", "").lower() != "close"
                self.sim.begin(host.port)
                status = 0
                try:
                    reply = self.sim.respond(host, method, target, headers)
                    status = reply.status if not reply.drop else 0
                    delay = self.sim.latency + reply.stall
                    if delay:
                        await asyncio.sleep(delay)
                    if reply.drop:
                        return
                    payload = serialize(reply, method == "HEAD", keep_alive)
                    if reply.cut_at is not None:
                        writer.write(payload[: len(payload) - len(reply.body) + reply.cut_at])
                        await writer.drain()
                        return
                    writer.write(payload)
                    await writer.drain()
                except Exception:  # a bug in a format must not kill the whole simulator
                    log.exception("simulator failed on %s %s", method, target)
                    status = 500
                    writer.write(serialize(Reply(500, b"simulator error", "text/plain"), False, False))
                    return
                finally:
                    self.sim.end(host.port, status)
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.CancelledError):
            # Cancelled at shutdown: end quietly (a re-raised cancel makes 3.11's streams log it).
            return
        finally:
            writer.close()

    async def _control_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await self._read_request(reader)
            if request is None:
                return
            _method, target, _headers = request
            path, query = Request.parse_target(target)
            payload: dict = {"ok": True}
            if path == "/_sim/stats":
                payload = self.stats()
            elif path == "/_sim/reset":
                self.sim.reset_stats()
            elif path == "/_sim/rearm":
                self.sim.rearm()
            elif path == "/_sim/clock":
                if "at" in query:
                    self.sim.now = datetime.fromisoformat(query["at"][0])
                payload = {"now": self.sim.now.isoformat()}
            elif path == "/_sim/ports":
                payload = {h.unit_id: h.port for h in self.world.hosts}
            else:
                payload = {"error": "unknown control path"}
            body = json.dumps(payload).encode()
            writer.write(serialize(Reply(200, body, "application/json"), False, False))
            await writer.drain()
        finally:
            writer.close()
