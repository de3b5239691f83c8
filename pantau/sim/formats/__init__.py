"""One module per platform format. Each offers `respond(channel, request) -> Reply | None`
(None: not a route of this format, the server answers 404) and renders exactly what the
platform serves, pitfalls included (see each module's docstring)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape as xml_escape

from pantau.sim.world import Channel, SimPost, World


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    base: str  # http://127.0.0.1:PORT
    now: datetime  # the simulation clock
    world: World

    @classmethod
    def parse_target(cls, target: str) -> tuple[str, dict[str, list[str]]]:
        path, _, query = target.partition("?")
        return path or "/", parse_qs(query, keep_blank_values=True)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def int_arg(self, name: str, default: int) -> int | None:
        """An integer parameter; None when present but not an integer."""
        value = self.arg(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            return None


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=UTF-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    # What the body is, for faults that only make sense on some answers (broken XML).
    kind: str = "html"
    # Newest item shown, for Last-Modified / If-Modified-Since.
    last_modified: datetime | None = None
    # Fault effects: stall this long before answering; drop the connection without answering.
    stall: float = 0.0
    drop: bool = False
    # Send only this many body bytes, then close (Content-Length promised more).
    cut_at: int | None = None


REASONS = {200: "OK", 304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 405: "Method Not Allowed", 429: "Too Many Requests", 500: "Internal Server Error",
           503: "Service Unavailable"}


def html_reply(text: str, status: int = 200, charset: str = "UTF-8", headers=None, last_modified=None) -> Reply:
    return Reply(status, text.encode(charset), f"text/html; charset={charset}", list(headers or []),
                 "html", last_modified)


def json_reply(payload: Any, status: int = 200, headers=None, last_modified=None,
               content_type: str = "application/json; charset=UTF-8") -> Reply:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Reply(status, body, content_type, list(headers or []), "json", last_modified)


def xml_reply(text: str, content_type: str, last_modified=None) -> Reply:
    return Reply(200, text.encode("utf-8"), content_type, [], "xml", last_modified)


def not_found(what: str = "Halaman tidak ditemukan") -> Reply:
    return html_reply(f"<!DOCTYPE html><html><head><title>404</title></head><body><h1>{xml_escape(what)}</h1>"
                      "</body></html>", status=404)


def rfc822(when: datetime) -> str:
    """RFC 822 date with a numeric offset, as PHP's DATE_RSS writes it (+0000, +0700)."""
    return when.strftime("%a, %d %b %Y %H:%M:%S %z")


def http_date(when: datetime) -> str:
    return format_datetime(when, usegmt=True)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def newest(posts: list[SimPost]) -> datetime | None:
    return posts[0].published if posts else None


def esc(text: str) -> str:
    return xml_escape(text, {'"': "&quot;"})


__all__ = ["Channel", "Reply", "Request", "esc", "html_reply", "json_reply", "xml_reply", "not_found"]
