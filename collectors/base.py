"""The contract every collector meets (its errors are in collectors/errors.py).

A collector is a function `collect(ctx: CollectContext) -> CollectResult`: given one source and
the point in time to reach back to, it returns the posts published since then. It fetches only
through `ctx.http` (collectors/http.py) and never touches the store: the orchestrator (pantau/collection.py) does that.
One call per source, no shared in-process state, so the same function can later be mapped
across machines by a task engine.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pantau.models import Activity, Post, Source

if TYPE_CHECKING:
    from collectors.http import SourceHttp


@dataclass
class CollectContext:
    source: Source
    # Posts published at or after this instant are wanted (aware UTC). The orchestrator sets it from
    # the newest stored post minus a margin, or from --since for a source with nothing stored.
    since: datetime
    http: SourceHttp
    zone: ZoneInfo
    # The source's memory between runs (conditional GET validators, resolved API roots...).
    # Collectors may read and mutate it; the orchestrator saves it after a successful attempt
    # and hands over an empty one when the source's address or options have changed since.
    state: dict[str, Any] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=dict)
    # "Now" for the collection; pinned by the demo to the simulation's last day.
    now: datetime | None = None
    # Which of these external ids the store already holds for this source, with their stored
    # publication time. A collector that pays a request per item (a listing without dates,
    # read from each article's own page) asks before paying; the others never need it.
    stored: Callable[[Collection[str]], dict[str, datetime]] = field(default=lambda ids: {})


@dataclass
class CollectResult:
    posts: list[Post] = field(default_factory=list)
    # The route that produced the posts: rest, rest_route, rss, atom, archive, html, api, feed...
    route: str = ""
    # True when the source answered "not modified": nothing new, nothing to parse.
    not_modified: bool = False
    # True when the source only ever shows its newest N items (YouTube's 15, OpenSID's 50...)
    # and this answer was full, so older posts may lie beyond its reach. The orchestrator then
    # compares the oldest item returned with what it stored before to record a coverage gap.
    truncated: bool = False
    # Items that could not be read (an unparseable date...): skipped, and reported.
    item_errors: list[str] = field(default_factory=list)
    activity: list[Activity] = field(default_factory=list)
    # Account figures seen on this collection (followers, media_count) for growth charts.
    account: dict[str, int | None] = field(default_factory=dict)
    # Free-form notes for the attempt log (quota used, fallbacks taken).
    notes: list[str] = field(default_factory=list)
    # Set by a collector that stopped at the first item already stored (newest first): the
    # listing was read in full only for posts published after this instant, so only there can
    # a stored post be found gone upstream. None: the whole window since `since` was read.
    listed_after: datetime | None = None
    # Windows [start, end) the collector knows it could not cover (an OpenSID sitemap dates
    # entries there that no route reached and no page confirmed): recorded as coverage gaps.
    gaps: list[tuple[datetime, datetime]] = field(default_factory=list)


Collect = Callable[[CollectContext], CollectResult]
