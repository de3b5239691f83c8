"""The contract every collector meets, and the errors they raise.

A collector is a function `collect(ctx: CollectContext) -> CollectResult`: given one source and
the point in time to reach back to, it returns the posts published since then. It fetches only
through `ctx.http` (collectors/http.py) and never touches the store: the runner does that.
One call per source, no shared in-process state, so the same function can later be mapped
across machines by a task engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pantau.models import Activity, Post, Source

if TYPE_CHECKING:
    from collectors.http import SourceHttp


class CollectorError(Exception):
    """Root of every collection failure; `kind` names its class in the attempt log."""

    kind = "error"


class ParseError(CollectorError):
    """The answer came but was not in the expected format (broken XML, HTML instead of JSON)."""

    kind = "parse_error"


class NotCollectable(CollectorError):
    """The source cannot be collected as configured (no token, platform without collector)."""

    kind = "not_collectable"


class AuthError(CollectorError):
    """The platform refused the credentials (invalid or expired token, missing permission)."""

    kind = "auth_error"


class SourceNotFound(CollectorError):
    """The account, page or channel does not exist (or is not visible to us)."""

    kind = "not_found"


@dataclass
class CollectContext:
    source: Source
    # Posts published at or after this instant are wanted (aware UTC). The runner sets it from
    # the newest stored post minus a margin, or from --since for a source with nothing stored.
    since: datetime
    http: SourceHttp
    zone: ZoneInfo
    # The source's memory between runs (conditional GET validators, resolved API roots...).
    # Collectors may read and mutate it; the runner saves it after a successful attempt.
    state: dict[str, Any] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=dict)
    # "Now" for the collection; pinned by the demo to the simulation's last day.
    now: datetime | None = None


@dataclass
class CollectResult:
    posts: list[Post] = field(default_factory=list)
    # The route that produced the posts: rest, rest_route, rss, atom, archive, html, api, feed...
    route: str = ""
    # True when the source answered "not modified": nothing new, nothing to parse.
    not_modified: bool = False
    # True when the source only ever shows its newest N items (YouTube's 15, OpenSID's 50...)
    # and this answer was full, so older posts may lie beyond its reach. The runner then
    # compares the oldest item returned with what it stored before to record a coverage gap.
    truncated: bool = False
    # Items that could not be read (an unparseable date...): skipped, and reported.
    item_errors: list[str] = field(default_factory=list)
    activity: list[Activity] = field(default_factory=list)
    # Account figures seen on this collection (followers, media_count) for growth charts.
    account: dict[str, int | None] = field(default_factory=dict)
    # Free-form notes for the attempt log (quota used, fallbacks taken).
    notes: list[str] = field(default_factory=list)
    # Windows [start, end) the collector knows it could not cover (an OpenSID sitemap dates
    # entries there that no route reached and no page confirmed): recorded as coverage gaps.
    gaps: list[tuple[datetime, datetime]] = field(default_factory=list)


Collect = Callable[[CollectContext], CollectResult]
