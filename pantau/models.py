"""The domain's plain records: units, their sources, posts and collection attempts.

Everything here is a typed dataclass with no behaviour beyond small derived properties.
Times are timezone-aware; the store keeps them in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

UNIT_KINDS = ("pimpinan", "opd", "kecamatan", "desa", "kelurahan")
VILLAGE_KINDS = ("desa", "kelurahan")
PLATFORMS = ("website", "instagram", "facebook", "youtube", "tiktok", "x")
COLLECTOR_KINDS = (
    "wordpress",
    "feed",
    "blogger",
    "opensid",
    "opendk",
    "youtube",
    "html_listing",
    "instagram",
    "facebook",
    "tiktok",
)
# Collectors whose address is an http(s) URL; the others take a username, a page id...
URL_COLLECTORS = ("wordpress", "feed", "blogger", "opensid", "opendk", "html_listing", "tiktok")
MANUAL_COLLECTOR = "manual"


@dataclass(frozen=True)
class Unit:
    unit_id: str
    name: str
    kind: str
    parent_id: str = ""
    code: str = ""
    # OPD names come from public listings; "verified" says a person checked the name.
    verified: bool = True


@dataclass(frozen=True)
class Source:
    source_id: str
    unit_id: str
    platform: str
    collector: str
    address: str
    options: dict[str, Any] = field(default_factory=dict)
    active: bool = True

    @property
    def is_manual(self) -> bool:
        return self.collector == MANUAL_COLLECTOR


@dataclass
class Post:
    """One item published on one channel of a unit."""

    source_id: str
    external_id: str
    url: str
    title: str
    published_at: datetime
    excerpt: str = ""
    likes: int | None = None
    comments: int | None = None
    views: int | None = None
    # True when the source gave only a calendar day; the time is then 00:00 local.
    date_only: bool = False
    collected_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.published_at.tzinfo is None:
            raise ValueError(f"published_at of {self.external_id!r} must be timezone-aware")


def page_key(url: str, address: str) -> str:
    """The identity of a post known only by its page's URL (a generic feed's item without a
    platform id, an HTML listing's item): its path, query and fragment when the page lies on the
    source's own site (the host of `address`, `www.` and port aside), else the URL unchanged.

    A site that moves (http to https, another port, a new domain) then keeps its posts' keys:
    keyed by the absolute URL, the same posts came back as new ones and were counted twice.
    Anything that is not an http(s) URL (a platform id, an OpenSID path) is returned as it is.
    """
    try:
        page, home = urlsplit(url.strip()), urlsplit(address.strip())
        page_host, home_host = page.hostname, home.hostname
    except ValueError:
        return url
    if page.scheme not in ("http", "https") or not page_host or not home_host:
        return url
    if page_host.removeprefix("www.") != home_host.removeprefix("www."):
        return url
    key = page.path or "/"
    if page.query:
        key += f"?{page.query}"
    if page.fragment:
        key += f"#{page.fragment}"
    return key


@dataclass
class CollectionRun:
    """One collection attempt of one source (a row of the attempt log)."""

    source_id: str
    started_at: datetime
    finished_at: datetime | None = None
    ok: bool = False
    # ok | error | skipped | not_collectable | robots_disallowed
    status: str = "error"
    error_kind: str = ""
    error: str = ""
    items_seen: int = 0
    items_new: int = 0
    requests: int = 0
    # Which route of the collector produced the items (rest, rss, archive, html...).
    route: str = ""
    attempt_id: int | None = None


@dataclass(frozen=True)
class CoverageGap:
    """A window a newest-N feed could not reach back to: posts there may be missing."""

    source_id: str
    detected_at: datetime
    gap_start: datetime
    gap_end: datetime


@dataclass(frozen=True)
class Activity:
    """Counted activity without per-post dates (TikTok's videoCount delta)."""

    unit_id: str
    source_id: str
    start: datetime
    end: datetime
    delta: int
