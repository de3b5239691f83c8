"""Ground truth: what a correct collection must have stored, and how the store differs.

The truth of a source is the union, over the instants at which it was collected successfully,
of what its collection routes could reach then (world.Channel.reachable): everything since the
start for a paged route, only the newest N for a newest-N feed (older items are a coverage gap,
not a difference). A source never collected successfully is expected to hold what it would have
reached at the last instant: if it holds less, that is a difference, "explained" only when a
persisting injected fault (site down, robots.txt) stands in its way.

Differences are counted per (source, local ISO week): the set of post identities stored that
week must equal the truth's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pantau.sim.world import SimPost, World
from pantau.store import Store

EXPLAINING_FAULTS = {"site-down": "site down", "robots": "robots.txt disallows"}


def iso_week(moment: datetime, zone: ZoneInfo) -> str:
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def normalise_id(external_id: str) -> str:
    """Ids that are URLs (generic feeds, HTML listings) compare by path: the port may change."""
    if external_id.startswith(("http://", "https://")):
        parts = urlsplit(external_id)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return external_id


@dataclass
class Difference:
    source_id: str
    unit_id: str
    week: str
    truth: int
    stored: int
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    explained_by: str = ""

    def __str__(self) -> str:
        why = f"  [explained: {self.explained_by}]" if self.explained_by else ""
        sample = ""
        if self.missing:
            sample += f" missing {self.missing[:2]}"
        if self.extra:
            sample += f" extra {self.extra[:2]}"
        return f"{self.source_id} {self.week}: stored {self.stored}, truth {self.truth}{sample}{why}"


@dataclass
class Comparison:
    differences: list[Difference]
    sources_compared: int
    posts_expected: int
    posts_stored: int

    @property
    def count(self) -> int:
        return len(self.differences)

    @property
    def explained(self) -> int:
        return sum(1 for d in self.differences if d.explained_by)

    @property
    def unexplained(self) -> int:
        return self.count - self.explained

    @property
    def exact(self) -> bool:
        return self.unexplained == 0

    def explanation_line(self) -> str:
        """Which persisting faults explain the explained differences, or "" when none do."""
        if not self.explained:
            return ""
        blocked = {d.source_id for d in self.differences if d.explained_by}
        reasons = sorted({d.explained_by for d in self.differences if d.explained_by})
        sources = "1 source that still fails" if len(blocked) == 1 else f"{len(blocked)} sources that still fail"
        return f"explained: {self.explained} differences on {sources} ({', '.join(reasons)}); " \
               f"unexplained: {self.unexplained}"

    def summary_line(self) -> str:
        """The closing line DESIGN.md fixes; the demo exits 0 only when N = M."""
        return f"ground truth: {self.count} differences ({self.explained} explained by persisting faults)"

    def unit_weeks(self) -> list[tuple[str, str, int, int, str]]:
        """(unit, week, truth, stored, explanation) summed over the unit's sources."""
        cells: dict[tuple[str, str], list] = {}
        for d in self.differences:
            cell = cells.setdefault((d.unit_id, d.week), [0, 0, set()])
            cell[0] += d.truth
            cell[1] += d.stored
            cell[2].add(d.explained_by or "UNEXPLAINED")
        return [(u, w, t, s, ", ".join(sorted(e))) for (u, w), (t, s, e) in sorted(cells.items())]

    def report(self, limit: int = 40) -> list[str]:
        lines = [f"compared {self.sources_compared} sources: {self.posts_expected} posts expected, "
                 f"{self.posts_stored} stored"]
        unexplained = [d for d in self.differences if not d.explained_by]
        explained = [d for d in self.differences if d.explained_by]
        for d in (unexplained + explained)[:limit]:
            lines.append(f"  {d}")
        if self.count > limit:
            lines.append(f"  ... and {self.count - limit} more")
        by_unit = self.unit_weeks()
        if by_unit:
            lines.append(f"per unit and week ({len(by_unit)} cells differ):")
            for unit, week, truth, stored, why in by_unit[:limit]:
                lines.append(f"  {unit} {week}: stored {stored}, truth {truth} [{why}]")
        return lines


def expected_posts(world: World, collected_at: Mapping[str, Sequence[tuple[datetime, str]]], since: datetime,
                   final: datetime, kinds: Collection[str] | None = None) -> dict[str, dict[str, SimPost]]:
    """source_id -> {external id: post} that a correct collection must hold.

    `collected_at` gives each source's successful collections as (instant, route); `kinds`
    the collector kinds that exist (a kind without a collector reaches nothing).
    """
    expected: dict[str, dict[str, SimPost]] = {}
    for channel in world.channels:
        if not channel.collector or channel.variant == "tiktok":
            continue
        if kinds is not None and channel.collector not in kinds:
            continue
        instants = list(collected_at.get(channel.source_id) or []) or [(final, "")]
        posts: dict[str, SimPost] = {}
        for at, route in instants:
            for post in channel.reachable(at, since, route):
                posts[post.external_id] = post
        expected[channel.source_id] = posts
    return expected


def stored_posts(store: Store, source_ids: Iterable[str]) -> dict[str, dict[str, datetime]]:
    wanted = set(source_ids)
    frame = store.posts_frame(columns=["source_id", "external_id", "published_at"])
    stored: dict[str, dict[str, datetime]] = defaultdict(dict)
    for source_id, external_id, published in frame.itertuples(index=False):
        if source_id in wanted:
            stored[source_id][normalise_id(external_id)] = published.to_pydatetime()
    return stored


def compare(world: World, store: Store, collected_at: Mapping[str, Sequence[tuple[datetime, str]]], since: datetime,
            final: datetime | None = None, kinds: Collection[str] | None = None) -> Comparison:
    final = final or world.end
    zone = world.zone
    expected = expected_posts(world, collected_at, since, final, kinds)
    stored = stored_posts(store, expected)
    differences: list[Difference] = []
    for source_id, posts in sorted(expected.items()):
        channel = world.channel(source_id)
        truth_weeks: dict[str, set[str]] = defaultdict(set)
        for external_id, post in posts.items():
            truth_weeks[iso_week(post.published, zone)].add(external_id)
        stored_weeks: dict[str, set[str]] = defaultdict(set)
        for external_id, published in stored.get(source_id, {}).items():
            stored_weeks[iso_week(published, zone)].add(external_id)
        for week in sorted(set(truth_weeks) | set(stored_weeks)):
            want, have = truth_weeks.get(week, set()), stored_weeks.get(week, set())
            if want == have:
                continue
            differences.append(Difference(
                source_id, channel.unit_id, week, len(want), len(have),
                sorted(want - have), sorted(have - want), EXPLAINING_FAULTS.get(channel.persisting, "")))
    return Comparison(differences, len(expected), sum(len(p) for p in expected.values()),
                      sum(len(v) for v in stored.values()))
