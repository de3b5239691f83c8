"""A collection of a simulated regency, as a weekly schedule would run it, checked against truth.

The schedule (the clock pinned with `now=` each time): a first collection on a Sunday evening
`weekly_rounds` weeks before the simulation's last day, reaching back over the whole year; then
one incremental round every Sunday evening after it; the last on the last day. Each round is
followed by one retry pass over the sources that failed. A deployment collects far more often;
what matters to the dashboard is that the attempt log has a success in the days before every
Sunday it shows (a past week's health is read from the log as of its Sunday), or every past
week would read `tanpa data`. The rounds also exercise what a single crawl cannot: the
incremental `since`, a newest-N feed outrun before the first collection (a coverage gap),
TikTok's videoCount deltas, an outage that fails round after round and then catches up.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from collectors.http import HttpPolicy
from collectors.kinds import COLLECTORS
from pantau.collection import RunSummary, run_collection
from pantau.registry import Registry
from pantau.sim.truth import Comparison, compare
from pantau.sim.world import World
from pantau.store import Store

log = logging.getLogger(__name__)

# Attempt statuses that a retry pass may fix; robots.txt refusals and platforms without a
# collector will answer the same a minute later.
RETRYABLE = ("error",)


@dataclass
class Round:
    at: datetime
    first: RunSummary
    retry: RunSummary | None = None


@dataclass
class ScenarioResult:
    rounds: list[Round] = field(default_factory=list)
    # source_id -> [(instant, route)] of its successful attempts: what the truth may expect.
    collected: dict[str, list[tuple[datetime, str]]] = field(default_factory=lambda: defaultdict(list))
    comparison: Comparison | None = None

    @property
    def requests(self) -> int:
        return sum(r.first.requests + (r.retry.requests if r.retry else 0) for r in self.rounds)

    def failed_sources(self) -> set[str]:
        """Sources whose last attempt failed (robots.txt refusals are not failures to retry)."""
        last: dict[str, str] = {}
        for round_ in self.rounds:
            for summary in (round_.first, round_.retry):
                for attempt in summary.attempts if summary else []:
                    last[attempt.source_id] = attempt.status
        return {s for s, status in last.items() if status in RETRYABLE}


def demo_policy() -> HttpPolicy:
    """Short timeouts: the simulator's stalled responses must not hold a worker for 20 s. Short
    backoffs too: the down sites fail in every weekly round and its retry pass, and politeness
    towards a loopback simulator would only add idle seconds to each round (Retry-After is still
    honoured)."""
    return HttpPolicy(connect_timeout=2.0, read_timeout=1.5, total_timeout=20.0, backoff=0.02, max_backoff=0.2)


# Weekly rounds before the last day: enough for the 13 weeks Ringkasan shows by default.
WEEKLY_ROUNDS = 13
# Local time of the weekly rounds: Sunday evening, so the attempts of a round and of its retry
# pass are stamped on that Sunday (a round at 23:59 would spill into Monday, the next week).
ROUND_TIME = time(20, 0)


def default_rounds(world: World, weekly_rounds: int = WEEKLY_ROUNDS) -> list[datetime]:
    """Sunday-evening instants `weekly_rounds` .. 1 weeks before the last day, then its end.

    Never before the simulation's first Sunday: a shorter world gets fewer rounds.
    """
    if weekly_rounds < 0:
        raise ValueError("weekly_rounds must not be negative")
    sundays = [world.last_day - timedelta(days=7 * k) for k in range(weekly_rounds, 0, -1)]
    instants = [datetime.combine(day, ROUND_TIME, world.zone).astimezone(UTC)
                for day in sundays if day >= world.first_day]
    return [*instants, world.end]


def run_scenario(world: World, server, store: Store, registry: Registry, *,
                 rounds: Sequence[datetime] | None = None, weekly_rounds: int = WEEKLY_ROUNDS, workers: int = 8,
                 credentials: dict[str, str] | None = None, policy: HttpPolicy | None = None) -> ScenarioResult:
    """Collect the simulated world round by round, retry failures once, compare with the truth.

    `server` is a SimServer (or its process twin): anything with a settable `now`. `rounds`
    overrides the schedule of `default_rounds(world, weekly_rounds)`.
    """
    result = ScenarioResult()
    policy = policy or demo_policy()
    for at in rounds or default_rounds(world, weekly_rounds):
        server.now = at
        first = run_collection(store, registry, since=world.start, workers=workers, credentials=credentials,
                               now=at, http_policy=policy)
        current = Round(at, first)
        _note(result, first, at)
        failed = [a.source_id for a in first.attempts if a.status in RETRYABLE]
        if failed:
            log.info("retrying %d failed source(s)", len(failed))
            current.retry = run_collection(store, registry, source_ids=failed, since=world.start, workers=workers,
                                           credentials=credentials, now=at, http_policy=policy)
            _note(result, current.retry, at)
        result.rounds.append(current)
    result.comparison = compare(world, store, result.collected, world.start, final=result.rounds[-1].at,
                                kinds=set(COLLECTORS))
    return result


def _note(result: ScenarioResult, summary: RunSummary, at: datetime) -> None:
    for attempt in summary.attempts:
        if attempt.status == "ok":
            result.collected[attempt.source_id].append((at, attempt.route))
