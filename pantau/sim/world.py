"""The simulated world: which channels each unit runs, and every post of a year on each.

Everything is derived from the registry's units and a seed, channel by channel from its own
random stream (seeded by seed and source id), so adding a unit never changes another's posts.
Posts have distinct identities in the platform's own terms (WordPress id, OpenSID article
path, Blogger post id, YouTube video id, Graph API ids), as the collectors must store them.
"""

from __future__ import annotations

import hashlib
import random
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from pantau.models import Unit
from pantau.sim import content

# The year simulated: 52 full ISO weeks ending on Sunday 28 December 2025, so 17 Agustus and
# HUT Blora (11 December) both fall inside and every week is complete.
DEFAULT_LAST_DAY = date(2025, 12, 28)
WEEKS = 52

# Collector kind of each variant ("" = platform without a collector). The variant is the
# server-side behaviour: which routes answer, and how.
VARIANT_COLLECTOR = {
    "wp-rest": "wordpress",      # pretty permalinks, REST discovered by the Link header
    "wp-plain": "wordpress",     # plain permalinks: REST only through ?rest_route=
    "wp-locked": "wordpress",    # "Disable WP REST API": 401 rest_login_required, RSS works
    "wp-waf": "wordpress",       # a WAF answers /wp-json with a 200 HTML page; RSS works
    "wp-html": "wordpress",      # REST locked and feeds off: only the HTML archive pages
    "opensid": "opensid",        # current OpenSID: /feed.xml (newest 50) and /arsip/{p}
    "opensid-old": "opensid",    # old OpenSID: broken feed (items after </channel>, undated)
    "opensid-premium": "opensid",  # premium theme: empty /arsip table, JSON archive by GET or POST
    "opensid-idx": "opensid",    # no URL rewriting: every route under /index.php/
    "opendk": "opendk",          # OpenDK kecamatan portal: /api/frontend/v1/artikel
    "blogger": "blogger",        # Blogger alt=json with -07:00 offsets
    "listing": "html_listing",   # a custom CMS: /berita pages with Indonesian dates
    "listing-nodate": "html_listing",  # a custom CMS whose listing has no dates: each article page has
    "blorakab": "html_listing",  # the regency's own CMS (CodeIgniter), read through the "blorakab" preset
    "feed": "feed",              # a custom CMS with only an RSS of its newest 10 items
    "youtube": "youtube",        # public channel feed (15 newest) + channel page + Data API
    "instagram": "instagram",    # Graph API business_discovery
    "facebook": "facebook",      # Graph API published_posts
    "tiktok": "tiktok",          # profile page JSON with videoCount
    "x": "",                     # registered, never collected
}
VARIANT_PLATFORM = {
    "youtube": "youtube", "instagram": "instagram", "facebook": "facebook", "tiktok": "tiktok", "x": "x",
}
# Routes that only ever show a channel's newest N items: older posts are out of reach.
NEWEST_ONLY = {"feed": 10, "youtube": 15}
# Variants whose collector needs a token (the demo passes simulated ones).
TOKEN_VARIANTS = ("instagram", "facebook")


@dataclass(frozen=True)
class SimPost:
    source_id: str
    external_id: str  # the platform's own id, as a correct collector stores it
    number: int  # numeric id on the platform (WordPress id, Blogger post id...)
    slug: str
    title: str
    published: datetime  # aware UTC
    likes: int
    comments: int
    views: int

    def local(self, zone: ZoneInfo) -> datetime:
        return self.published.astimezone(zone)


@dataclass
class Channel:
    source_id: str
    unit_id: str
    unit_kind: str
    variant: str
    handle: str  # username, page id, channel id, blog id...: the platform name of the account
    posts: list[SimPost] = field(default_factory=list)  # newest first
    # Faults (faults.py decides): a transient one fires once, a persisting one always.
    transient: str = ""
    persisting: str = ""
    host_index: int = 0

    @property
    def collector(self) -> str:
        return VARIANT_COLLECTOR[self.variant]

    @property
    def platform(self) -> str:
        return VARIANT_PLATFORM.get(self.variant, "website")

    @property
    def newest_only(self) -> int | None:
        return NEWEST_ONLY.get(self.variant)

    def visible(self, at: datetime) -> list[SimPost]:
        """Posts published by `at`, newest first: what the platform shows at that instant."""
        return [p for p in self.posts if p.published <= at]

    def reachable(self, at: datetime, since: datetime, route: str = "") -> list[SimPost]:
        """What a correct collection at `at` reaching back to `since` must store.

        `route` is the route the collector reported: YouTube's Data API pages the whole uploads
        playlist, where the public feed stops at 15.
        """
        if not self.collector or self.variant == "tiktok":
            return []
        shown = self.visible(at)
        if self.newest_only and not (self.variant == "youtube" and "api" in route):
            shown = shown[: self.newest_only]
        return [p for p in shown if p.published >= since]


@dataclass
class Host:
    """One unit's loopback host:port: its website at /, its other channels under a prefix."""

    index: int
    unit_id: str
    channels: list[Channel] = field(default_factory=list)
    robots_disallowed: bool = False
    # Down (503 on everything) until this simulated instant: an outage the next collection outlives.
    outage_until: datetime | None = None
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class World:
    seed: int
    zone: ZoneInfo
    first_day: date
    last_day: date
    units: tuple[Unit, ...]
    hosts: list[Host]

    @property
    def channels(self) -> list[Channel]:
        return [c for h in self.hosts for c in h.channels]

    def channel(self, source_id: str) -> Channel:
        return self._by_source()[source_id]

    def _by_source(self) -> dict[str, Channel]:
        cache = self.__dict__.get("_source_cache")
        if cache is None:
            cache = {c.source_id: c for c in self.channels}
            self.__dict__["_source_cache"] = cache
        return cache

    @property
    def start(self) -> datetime:
        """The first instant of the simulated year (local midnight), aware UTC."""
        return datetime.combine(self.first_day, datetime.min.time(), self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The last instant of the simulated year (local 23:59:59 of the last day)."""
        return datetime.combine(self.last_day, datetime.max.time().replace(microsecond=0),
                                self.zone).astimezone(UTC)

    def post_count(self) -> int:
        return sum(len(c.posts) for c in self.channels)


# --- Planning: which unit runs which channels ------------------------------------------------

# Cycles, so that even a ten-unit test world holds every variant, and Blora holds them often.
# The first OPD (Setda) runs the regency's main site on its own CMS. The slot it takes from the
# cycle goes, for the OPD that come back to it, to a listing without dates (every OPD there
# publishes: an empty listing could not be told from a wrong selector).
MAIN_SITE = "blorakab"
OPD_SITES = ("listing-nodate", "wp-plain", "wp-locked", "wp-rest", "wp-waf", "wp-rest", "wp-html",
             "wp-rest", "wp-locked", "wp-plain", "wp-rest", "wp-rest")
KECAMATAN_SITES = ("opendk", "listing", "feed", "wp-plain", "listing", "opendk", "wp-locked", "listing", "wp-rest")
# One slot per desa in turn: "" means the desa has no registered channel at all.
DESA_SITES = ("opensid", "opensid-premium", "blogger", "", "opensid-old", "opensid", "", "opensid-idx",
              "blogger", "", "opensid", "opensid-old", "", "opensid-premium", "facebook", "", "opensid", "x",
              "opensid-idx", "")
# Weekly means of OPD, in turn: rajin, sedang, jarang, dorman, sedang, rajin, musiman, sunyi.
OPD_PACES = (5.0, 2.0, 0.6, "dormant", 2.5, 4.0, 1.2, 0.0)
DESA_PACES = (0.5, 0.25, 1.0, 0.0, 0.15, 2.0, 0.4, 0.0, 0.8, 0.3)


def plan_variants(units: Sequence[Unit]) -> list[tuple[Unit, list[str]]]:
    """The channel variants of each unit, in the registry's order (deterministic)."""
    plan = []
    counters = {"opd": 0, "kecamatan": 0, "village": 0, "pimpinan": 0}
    for unit in units:
        if unit.kind == "pimpinan":
            i = counters["pimpinan"]
            counters["pimpinan"] += 1
            variants = ["wp-rest", "instagram", "facebook", "youtube", "tiktok"] if i == 0 else \
                ["wp-plain", "instagram", "facebook", "youtube", "x"]
        elif unit.kind == "opd":
            i = counters["opd"]
            counters["opd"] += 1
            variants = [MAIN_SITE if i == 0 else OPD_SITES[i % len(OPD_SITES)]]
            if i % 2 == 0:
                variants.append("instagram")
            if i % 3 == 0:
                variants.append("facebook")
            if i % 4 == 1:
                variants.append("youtube")
            if i % 5 == 2:
                variants.append("tiktok")
            if i % 9 == 4:
                variants.append("x")
        elif unit.kind == "kecamatan":
            i = counters["kecamatan"]
            counters["kecamatan"] += 1
            variants = [KECAMATAN_SITES[i % len(KECAMATAN_SITES)]]
            if i % 3 == 0:
                variants.append("instagram")
        else:
            i = counters["village"]
            counters["village"] += 1
            slot = DESA_SITES[i % len(DESA_SITES)]
            variants = [slot] if slot else []
        plan.append((unit, variants))
    return plan


def rhythm_for(unit: Unit, variant: str, index: int, rng: random.Random, last_day: date) -> content.Rhythm:
    """How often this channel posts; social channels of a unit post more than its website."""
    social = variant in ("instagram", "facebook", "tiktok")
    if unit.kind == "pimpinan":
        per_week = {"instagram": 9.0, "facebook": 6.0, "youtube": 1.5, "tiktok": 3.0}.get(variant, 7.5)
        return content.Rhythm(per_week)
    if unit.kind == "opd":
        pace = OPD_PACES[index % len(OPD_PACES)]
        if pace == "dormant":
            return content.Rhythm(2.0, last_day=last_day - timedelta(days=rng.randint(45, 150)))
        return content.Rhythm(float(pace) * (1.4 if social else 1.0))
    if unit.kind == "kecamatan":
        return content.Rhythm(rng.choice((1.0, 1.5, 2.5, 0.7)) * (1.3 if social else 1.0))
    pace = DESA_PACES[index % len(DESA_PACES)]
    if pace and rng.random() < 0.2:  # a village whose site went up mid-year
        return content.Rhythm(pace, first_day=last_day - timedelta(days=rng.randint(60, 250)))
    return content.Rhythm(pace)


# --- Identities ------------------------------------------------------------------------------

ID_CHARS = string.ascii_letters + string.digits + "-_"


def stable_int(*parts: object, digits: int) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()
    return int(digest, 16) % (9 * 10 ** (digits - 1)) + 10 ** (digits - 1)


def channel_handle(variant: str, unit: Unit, seed: int) -> str:
    short = unit.unit_id.replace("-", "")[:24]
    if variant == "instagram":
        return f"{short[:22]}.blora"
    if variant == "facebook":
        return str(stable_int(seed, unit.unit_id, "fb", digits=15))
    if variant == "youtube":
        rng = random.Random(f"{seed}:{unit.unit_id}:yt")
        return "UC" + "".join(rng.choice(ID_CHARS) for _ in range(22))
    if variant == "tiktok":
        return f"{short[:20]}_blora"
    if variant == "blogger":
        return str(stable_int(seed, unit.unit_id, "blog", digits=19))
    if variant == "x":
        return f"{short[:14]}_blr"
    return unit.unit_id


def make_posts(channel: Channel, unit: Unit, place: str, seed: int, first_day: date, last_day: date,
               zone: ZoneInfo, rhythm: content.Rhythm, extra_titles: Sequence[str] = ()) -> list[SimPost]:
    rng = random.Random(f"{seed}:{channel.source_id}")
    events = content.events_for(last_day.year)
    stamps: list[tuple[datetime, str | None]] = []
    for day, count, event in content.posting_days(rng, rhythm, unit.kind, first_day, last_day, events):
        for _ in range(count):
            local = datetime.combine(day, content.time_of_day(rng), zone)
            stamps.append((local.astimezone(UTC), event.name if event else None))
    stamps.sort(key=lambda s: s[0])
    posts = []
    seen_slugs: set[str] = set()
    number = stable_int(seed, channel.source_id, "base", digits=3) * 10
    # Special titles (screening cases) land at evenly spaced places in the year.
    spots = {len(stamps) * (k + 1) // (len(extra_titles) + 1): t for k, t in enumerate(extra_titles)}
    for index, (published, event) in enumerate(stamps):
        title = content.title_for(rng, unit.kind, place, event)
        title = spots.get(index, title) if stamps else title
        number += rng.randint(1, 4)  # WordPress ids skip: pages, revisions and media share them
        slug = content.slugify(title)
        # Slugs are unique per day on OpenSID (the day is in the URL); OpenDK's Sluggable model
        # keeps them unique across the whole portal.
        scope = "" if channel.variant == "opendk" else f"{published.astimezone(zone).date()}/"
        while f"{scope}{slug}" in seen_slugs:
            slug = f"{slug}-{rng.randint(2, 99)}"
        seen_slugs.add(f"{scope}{slug}")
        posts.append(SimPost(
            source_id=channel.source_id,
            external_id="",
            number=number,
            slug=slug,
            title=title,
            published=published,
            likes=rng.randint(0, 400),
            comments=rng.randint(0, 40),
            views=rng.randint(10, 5000),
        ))
    posts = [_with_identity(channel, p, seed, zone) for p in posts]
    posts.reverse()
    return posts


def _with_identity(channel: Channel, post: SimPost, seed: int, zone: ZoneInfo) -> SimPost:
    variant = channel.variant
    if variant.startswith("wp-"):
        external = str(post.number)
    elif variant.startswith("opensid"):
        local = post.published.astimezone(zone)
        external = f"/artikel/{local.year}/{local.month}/{local.day}/{post.slug}"
    elif variant == "blogger":
        external = str(stable_int(seed, channel.source_id, post.number, digits=19))
    elif variant == "youtube":
        rng = random.Random(f"{seed}:{channel.source_id}:{post.number}")
        external = "".join(rng.choice(ID_CHARS) for _ in range(11))
    elif variant == "instagram":
        external = str(stable_int(seed, channel.source_id, post.number, digits=17))
    elif variant == "facebook":
        external = f"{channel.handle}_{stable_int(seed, channel.source_id, post.number, digits=16)}"
    elif variant == "listing":
        external = f"/berita/{post.number}/{post.slug}"
    elif variant == "opendk":
        external = f"/berita/{post.slug}"
    elif variant == "feed":
        external = f"/warta/{post.number}"
    elif variant == "listing-nodate":
        external = f"/berita/baca/{post.number}/{post.slug}"
    elif variant == "blorakab":
        external = f"/index.php/public/berita/detail/{post.number}/{post.slug}"
    else:
        external = str(post.number)
    return SimPost(**{**post.__dict__, "external_id": external})


def source_id_for(unit: Unit, variant: str) -> str:
    suffix = {"instagram": "ig", "facebook": "fb", "youtube": "yt", "tiktok": "tt", "x": "x"}.get(variant, "web")
    return f"{unit.unit_id}-{suffix}"


def build_world(units: Sequence[Unit], seed: int = 1, last_day: date = DEFAULT_LAST_DAY,
                weeks: int = WEEKS, zone: ZoneInfo | None = None) -> World:
    """The deterministic world of these units: same units and seed, same posts, always."""
    zone = zone or ZoneInfo("Asia/Jakarta")
    first_day = last_day - timedelta(days=7 * weeks - 1)
    names = {u.unit_id: u.name for u in units}
    hosts: list[Host] = []
    per_kind_index: dict[str, int] = {}
    special_titles = list(content.FLAGGED_TITLES) + [content.HOSTILE_TITLE]
    for unit, variants in plan_variants(units):
        if not variants:
            continue
        kind_key = "village" if unit.kind in ("desa", "kelurahan") else unit.kind
        index = per_kind_index.get(kind_key, 0)
        per_kind_index[kind_key] = index + 1
        host = Host(index=len(hosts), unit_id=unit.unit_id)
        place = _place_of(unit, names)
        for variant in variants:
            channel = Channel(
                source_id=source_id_for(unit, variant), unit_id=unit.unit_id, unit_kind=unit.kind,
                variant=variant, handle=channel_handle(variant, unit, seed), host_index=host.index)
            rng = random.Random(f"{seed}:{channel.source_id}:rhythm")
            rhythm = rhythm_for(unit, variant, index, rng, last_day)
            # The screening cases go to OPD websites (an admin's careless post), a few of them.
            extra: list[str] = []
            if unit.kind == "opd" and variant.startswith("wp-") and special_titles and index % 3 == 1 \
                    and rhythm.per_week >= 0.5:
                extra = [special_titles.pop(0)]
            channel.posts = make_posts(channel, unit, place, seed, first_day, last_day, zone, rhythm, extra)
            host.channels.append(channel)
        hosts.append(host)
    return World(seed=seed, zone=zone, first_day=first_day, last_day=last_day, units=tuple(units), hosts=hosts)


def _place_of(unit: Unit, names: dict[str, str]) -> str:
    for prefix in ("Desa ", "Kelurahan ", "Kecamatan "):
        if unit.name.startswith(prefix):
            return unit.name[len(prefix):]
    if unit.parent_id and unit.parent_id in names:
        return _place_of(Unit(unit.parent_id, names[unit.parent_id], "kecamatan"), names)
    return rng_place(unit.unit_id)


PLACES = ("Jepon", "Cepu", "Randublatung", "Kunduran", "Ngawen", "Todanan", "Banjarejo", "Tunjungan",
          "Japah", "Jiken", "Sambong", "Kedungtuban", "Bogorejo", "Jati", "Kradenan", "Blora")


def rng_place(key: str) -> str:
    return PLACES[stable_int(key, digits=6) % len(PLACES)]


def small_regency(units: Sequence[Unit], opd: int = 7, kecamatan: int = 3, villages: int = 4) -> list[Unit]:
    """A few units of each kind from a registry, enough for every variant: tests and CI."""
    chosen: list[Unit] = [u for u in units if u.kind == "pimpinan"]
    chosen += [u for u in units if u.kind == "opd"][:opd]
    kecs = [u for u in units if u.kind == "kecamatan"][:kecamatan]
    chosen += kecs
    for kec in kecs:
        chosen += [u for u in units if u.parent_id == kec.unit_id][:villages]
    return chosen


def synthetic_units(sources: int) -> list[Unit]:
    """A regency-shaped set of units whose plan has about `sources` collectable channels (the bench):
    two leaders, up to 30 OPD and 20 kecamatan, and as many desa as it takes."""
    opd = min(30, max(1, sources // 33))
    kecamatan = min(20, max(1, sources // 50))
    units = [Unit("bupati", "Bupati", "pimpinan"), Unit("wakil-bupati", "Wakil Bupati", "pimpinan")]
    units += [Unit(f"opd-{i:03d}", f"Dinas {i}", "opd") for i in range(opd)]
    kecs = [Unit(f"kec-{i:02d}", f"Kecamatan {PLACES[i % len(PLACES)]} {i}", "kecamatan") for i in range(kecamatan)]
    units += kecs
    count = sum(1 for _, variants in plan_variants(units) for v in variants if VARIANT_COLLECTOR[v])
    index = 0
    while count < sources:
        kec = kecs[index % len(kecs)]
        units.append(Unit(f"desa-{index:05d}", f"Desa {index}", "desa", kec.unit_id))
        slot = DESA_SITES[index % len(DESA_SITES)]
        count += 1 if slot and VARIANT_COLLECTOR[slot] else 0
        index += 1
    return units
