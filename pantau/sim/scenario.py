"""A collection of a simulated regency, as a weekly schedule would run it, checked against truth.

The schedule: one collection a week before the simulation's last day, one on the last day
(the clock pinned with `now=`), each followed by one retry pass over the sources that failed.
Two rounds rather than one exercise what a single crawl cannot: the incremental `since`, a
newest-N feed outrun between two collections (a coverage gap), TikTok's videoCount delta.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from collectors.http import HttpPolicy
from collectors.kinds import COLLECTORS
from collectors.runner import RunSummary, run_collection
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
    """Short timeouts: the simulator's stalled responses must not hold a worker for 20 s."""
    return HttpPolicy(connect_timeout=2.0, read_timeout=1.5, total_timeout=20.0, backoff=0.1, max_backoff=1.0)


def default_rounds(world: World) -> list[datetime]:
    return [world.end - timedelta(days=7), world.end]


def run_scenario(world: World, server, store: Store, registry: Registry, *,
                 rounds: Sequence[datetime] | None = None, workers: int = 8,
                 credentials: dict[str, str] | None = None, policy: HttpPolicy | None = None) -> ScenarioResult:
    """Collect the simulated world round by round, retry failures once, compare with the truth.

    `server` is a SimServer (or its process twin): anything with a settable `now`.
    """
    result = ScenarioResult()
    policy = policy or demo_policy()
    for at in rounds or default_rounds(world):
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
