"""The orchestrator: many sources at once; record each attempt, never abort the batch.

The unit of collection is `collect_source(source, store, client, ...)`: one call per source that
reads the source's remembered state and newest stored post, runs its collector, saves its posts,
state and attempt, and never raises for the source's fault. It shares nothing in-process with
other calls but the `HttpClient` it is handed, whose per-host limits keep the politeness; calls
for sources of one host must therefore share one client (the grouping key is `politeness_key`).
`run_collection` maps it over the registry's sources with a thread pool, ordered so that sources
of different hosts interleave; a task engine (Celery with a Redis broker, for instance) can map
the same function across machines, one host group per worker.

The collectors (collectors/) know nothing of the store or the registry: this module is where
they meet, beside `pantau.ingest` which turns their posts into store rows.
"""

from __future__ import annotations

import json
import logging
import re
import time as monotonic_time
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from collectors.base import CollectContext, CollectResult
from collectors.errors import CollectorError, NotCollectable, RobotsDisallowed
from collectors.http import HttpClient, HttpPolicy, host_key
from collectors.kinds import COLLECTORS
from pantau.config import lock_timing
from pantau.ingest import dated_in_window, save_posts, without_renamed
from pantau.models import CollectionRun, CoverageGap, Source
from pantau.redaction import redact_text
from pantau.registry import Registry
from pantau.store import Store
from pantau.store.lock import Heartbeat

log = logging.getLogger(__name__)

# A source's next collection reaches back this far before its newest stored post: posts can be
# back-dated, and a site's clock or time zone may be off.
OVERLAP = timedelta(days=3)
STATE_VALIDATORS = "http_validators"
STATE_ROBOTS = "robots"
LOCK_NAME = "collect"
# The key, in a source's remembered state, of what it was learned from (see `learned_from`).
LEARNED_FROM = "learned_from"
# The attempt log's kind for an ok run whose new items were stored posts under new ids.
IDS_RENAMED = "ids_renamed"


class UnknownSource(ValueError):
    """--source named an id the registry does not have."""


class CollectionLocked(RuntimeError):
    """Another collection holds the lock."""


@dataclass
class RunSummary:
    attempts: list[CollectionRun] = field(default_factory=list)
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    posts_new: int = 0
    requests: int = 0

    @property
    def posts_seen(self) -> int:
        return sum(a.items_seen for a in self.attempts)

    def add(self, run: CollectionRun) -> None:
        self.attempts.append(run)
        if run.status == "ok":
            self.ok += 1
        elif run.status in ("not_collectable", "skipped"):
            self.skipped += 1
        else:
            self.failed += 1
        self.posts_new += run.items_new
        self.requests += run.requests


# ---------------------------------------------------------------------------------------------
# Times


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of a local calendar day, as aware UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def default_since(now: datetime, zone: ZoneInfo) -> datetime:
    """One year back from `now`, at local midnight."""
    today = now.astimezone(zone).date()
    try:
        start = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28)
    return local_midnight(start, zone)


def since_for(newest_stored: datetime | None, fallback: datetime, now: datetime | None = None) -> datetime:
    """Where a source's collection starts: its newest stored post minus the overlap, never the
    wall-clock time of the last run; `fallback` (--since) for a source with nothing stored.
    Never later than `now` minus the overlap: a post dated ahead of the clock must not make the
    next runs skip everything published until then."""
    if newest_stored is None:
        return fallback
    if now is not None:
        newest_stored = min(newest_stored, now)
    return newest_stored - OVERLAP


Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(UTC)


def clock_from(now: datetime | None) -> Clock:
    """The clock attempts are stamped with: the real one, or one that starts at a pinned `now`
    and ticks (the demo pins the simulation's last day, and the attempt log must agree with it,
    or every unit would look uncollected on that day)."""
    if now is None:
        return wall_clock
    started = monotonic_time.monotonic()
    return lambda: now + timedelta(seconds=monotonic_time.monotonic() - started)


# ---------------------------------------------------------------------------------------------
# One source


def learned_from(source: Source) -> str:
    """What a source's remembered state depends on: its collector, address and options.

    Everything a collector remembers (a WordPress API root and route, an OpenSID site and archive
    route, a YouTube channel id, conditional-GET validators and robots.txt by URL and host) was
    learned at one address; when the registry gives the source another address (http to https,
    a new domain) or options that change its route (`api_base`...), none of it holds.
    """
    return json.dumps({"collector": source.collector, "address": source.address, "options": source.options},
                      sort_keys=True, default=str)


def remembered_state(source: Source, stored: dict[str, Any]) -> dict[str, Any]:
    """The stored state when it was learned from the source as the registry now gives it, else
    nothing: the collector starts afresh (rediscovers its route) instead of calling the old address.

    State saved before states carried `LEARNED_FROM` is kept only when every URL and host:port
    in it is one of the source's own hosts.
    """
    if not stored:
        return {}
    origin = stored.get(LEARNED_FROM)
    if origin == learned_from(source) or (origin is None and _hosts_in(stored) <= _hosts_of(source)):
        return stored
    log.info("%s: address or options changed since its state was learned; forgetting it", source.source_id)
    return {}


HOST_PORT = re.compile(r"^[a-z0-9.-]+:\d+$", re.IGNORECASE)


def _hosts_of(source: Source) -> set[str]:
    return set().union(*(_hosts_in(value) for value in (source.address, *map(str, source.options.values()))))


def _hosts_in(value: Any) -> set[str]:
    """Every host:port a state mentions, as a URL or as a robots.txt key."""
    if isinstance(value, dict):
        return set().union(*(_hosts_in(k) | _hosts_in(v) for k, v in value.items())) if value else set()
    if isinstance(value, list):
        return set().union(*(_hosts_in(v) for v in value)) if value else set()
    if isinstance(value, str):
        if value.startswith(("http://", "https://")):
            try:
                return {host_key(value)}
            except ValueError:  # a port that is not a number: no host to compare
                return {value}
        if HOST_PORT.match(value):
            return {value.lower()}
    return set()


def not_collectable_reason(source: Source) -> str | None:
    if not source.collector:
        return f"no collector for platform {source.platform}"
    if source.collector not in COLLECTORS:
        return f"no collector for kind {source.collector!r} (platform {source.platform})"
    return None


def collect_source(
    source: Source,
    store: Store,
    client: HttpClient,
    *,
    zone: ZoneInfo,
    fallback_since: datetime,
    now: datetime,
    credentials: dict[str, str] | None = None,
    clock: Clock = wall_clock,
) -> CollectionRun:
    """Collect one source, store its posts, record the attempt; never raises for a source's fault."""
    run = CollectionRun(source_id=source.source_id, started_at=clock())
    http = None
    try:
        reason = not_collectable_reason(source)
        if reason:
            raise NotCollectable(reason)
        state = remembered_state(source, store.get_state(source.source_id))
        http = client.for_source(source.source_id, validators=dict(state.get(STATE_VALIDATORS) or {}),
                                 robots=dict(state.get(STATE_ROBOTS) or {}))
        newest_before = store.newest_published(source.source_id)
        since = since_for(newest_before, fallback_since, now)
        ctx = CollectContext(source=source, since=since, http=http, zone=zone, state=state,
                             credentials=dict(credentials or {}), now=now,
                             stored=lambda ids: store.stored_published(source.source_id, ids))
        result = COLLECTORS[source.collector](ctx)
        _check_ownership(source, result)
        # Dates outside [1995, now + 2 days] are item errors: never stored, never the restart point.
        result.posts, out_of_window = dated_in_window(result.posts, now)
        result.item_errors.extend(out_of_window)
        split = without_renamed(store, source.source_id, result.posts)
        result.posts = split.kept
        run.items_seen, run.items_new = save_posts(store, source.unit_id, source.platform, result.posts, now=now)
        run.route = result.route
        if not result.truncated and not result.not_modified and not result.item_errors:
            # A full listing of [since, now]: stored posts of that window it no longer shows were
            # deleted upstream. They are marked, never removed: history is not rewritten.
            gone = store.mark_missing(source.source_id, {p.external_id for p in result.posts},
                                      missing_window_start(since, result.listed_after))
            if gone:
                log.info("%s: %d post(s) no longer shown upstream", source.source_id, gone)
        _record_side_results(store, source, result, newest_before or since, now)
        state[STATE_VALIDATORS] = http.validators
        state[STATE_ROBOTS] = http.robots
        state[LEARNED_FROM] = learned_from(source)
        store.set_state(source.source_id, state)
        run.ok, run.status = True, "ok"
        notes = []
        if split.renamed:
            run.error_kind = IDS_RENAMED  # a notice on an ok run: Kesehatan Sumber and the summary show it
            notes.append(split.notice())
            log.warning("%s: %s", source.source_id, split.notice())
        if result.item_errors:
            notes.append(f"{len(result.item_errors)} item(s) skipped: {result.item_errors[0]}")
        run.error = redact_text("; ".join(notes))
        log.info("%s: ok via %s, %d new of %d, %d requests%s", source.source_id, run.route or "-", run.items_new,
                 run.items_seen, http.requests, " (not modified)" if result.not_modified else "")
    except RobotsDisallowed as exc:
        run.status, run.error_kind, run.error = "robots_disallowed", exc.kind, redact_text(str(exc))
    except NotCollectable as exc:
        run.status, run.error_kind, run.error = "not_collectable", exc.kind, redact_text(str(exc))
    except CollectorError as exc:
        run.status, run.error_kind, run.error = "error", exc.kind, redact_text(str(exc))
    except Exception as exc:  # a bug in a collector must not stop the batch; record it as one
        trace = "".join(traceback.format_exception(exc))
        log.error("collector bug on %s:\n%s", source.source_id, redact_text(trace))
        run.status, run.error_kind = "error", "bug"
        run.error = redact_text(f"{type(exc).__name__}: {exc}")
    run.requests = http.requests if http is not None else 0
    run.finished_at = clock()
    if not run.ok:
        # A source that cannot be collected by design (platform x, no token) is not news.
        level = logging.INFO if run.status == "not_collectable" else logging.WARNING
        log.log(level, "%s: %s %s", source.source_id, run.error_kind, run.error)
    store.record_attempt(run)
    return run


def missing_window_start(since: datetime, listed_after: datetime | None) -> datetime:
    """Where the stored posts a full listing no longer shows begin: `since`, or just after the
    stored item a collector stopped at (that item and any sharing its instant were not re-read)."""
    if listed_after is None:
        return since
    return max(since, listed_after + timedelta(microseconds=1))


def _check_ownership(source: Source, result: CollectResult) -> None:
    for post in result.posts:
        if post.source_id != source.source_id:
            raise CollectorError(f"collector returned a post of {post.source_id!r}")


def _record_side_results(store: Store, source: Source, result: CollectResult,
                         reached_before: datetime, now: datetime) -> None:
    """Coverage gaps, TikTok-style activity and account figures of one successful attempt."""
    if result.truncated and result.posts:
        oldest = min(p.published_at for p in result.posts)
        if oldest > reached_before:
            store.record_gap(CoverageGap(source.source_id, now, reached_before, oldest))
    for start, end in result.gaps:
        store.record_gap(CoverageGap(source.source_id, now, start, end))
    for item in result.activity:
        store.record_activity(item)
    if result.account:
        store.record_account_stats(source.source_id, now, result.account.get("followers"),
                                   result.account.get("media_count"))


# ---------------------------------------------------------------------------------------------
# The batch


def select_sources(registry: Registry, source_ids: Sequence[str] | None, kind: str | None) -> list[Source]:
    """The registry's active sources (x accounts without a collector included, to record why
    they are not collected), narrowed by id and collector kind."""
    if source_ids:
        by_id = {s.source_id: s for s in registry.sources}
        unknown = [sid for sid in source_ids if sid not in by_id]
        if unknown:
            raise UnknownSource(f"unknown source id(s): {', '.join(unknown)}")
        chosen = [by_id[sid] for sid in dict.fromkeys(source_ids)]
    else:
        chosen = [s for s in registry.sources if s.active]
    if kind:
        chosen = [s for s in chosen if s.collector == kind]
    return chosen


def interleave_by_host(sources: Iterable[Source]) -> list[Source]:
    """Round-robin over hosts so the pool's workers spread over many hosts instead of queuing
    on one host's two slots."""
    groups: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        groups[politeness_key(source)].append(source)
    ordered: list[Source] = []
    queues = list(groups.values())
    while queues:
        for queue in queues:
            ordered.append(queue.pop(0))
        queues = [q for q in queues if q]
    return ordered


def politeness_key(source: Source) -> str:
    """The host a source's requests go to: its API root, its URL, or (for a username or page id
    on a platform's default API) the collector kind."""
    address = str(source.options.get("api_base") or source.address)
    if "://" not in address:
        return source.collector or source.platform
    try:
        return host_key(address)
    except ValueError:
        return address


@dataclass
class RunPlan:
    """What a run settles before any source is collected, whichever engine collects it."""

    clock: Clock
    now: datetime
    # The window's start for sources with nothing stored.
    fallback_since: datetime
    # The active sources selected, in host-interleaved order.
    todo: list[Source]
    # Holds the attempts of the inactive sources, recorded as skipped.
    summary: RunSummary


def plan_run(store: Store, registry: Registry, *, source_ids: Sequence[str] | None, kind: str | None,
             since: date | datetime | None, now: datetime | None) -> RunPlan:
    """The run's preamble, the same for the thread pool and the workers: the clock (pinned at
    `now` or the real one), the window for sources with nothing stored, the selected sources in
    host-interleaved order, and the inactive ones recorded as skipped."""
    zone = registry.settings.zone
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    clock = clock_from(now)
    now = now or clock()
    if since is None:
        fallback = default_since(now, zone)
    elif isinstance(since, datetime):
        fallback = since if since.tzinfo else since.replace(tzinfo=zone)
    else:
        fallback = local_midnight(since, zone)
    chosen = interleave_by_host(select_sources(registry, source_ids, kind))
    summary = RunSummary()
    for source in (s for s in chosen if not s.active):
        summary.add(record_skip(store, source, "source is marked inactive in the registry", clock()))
    return RunPlan(clock, now, fallback, [s for s in chosen if s.active], summary)


def run_collection(
    store: Store,
    registry: Registry,
    *,
    source_ids: Sequence[str] | None = None,
    kind: str | None = None,
    since: date | datetime | None = None,
    workers: int = 8,
    credentials: dict[str, str] | None = None,
    now: datetime | None = None,
    http_policy: HttpPolicy | None = None,
) -> RunSummary:
    """Collect the selected sources concurrently; every source ends as one recorded attempt."""
    zone = registry.settings.zone
    plan = plan_run(store, registry, source_ids=source_ids, kind=kind, since=since, now=now)
    clock, now, fallback, todo, summary = plan.clock, plan.now, plan.fallback_since, plan.todo, plan.summary
    # Only the registry may open collection to non-public networks (the simulator's loopback).
    policy = replace(http_policy or HttpPolicy(), private_networks=registry.settings.private_networks)
    with HttpClient(policy) as client:
        def task(source: Source) -> CollectionRun:
            try:
                return collect_source(source, store, client, zone=zone, fallback_since=fallback, now=now,
                                   credentials=credentials, clock=clock)
            except Exception as exc:  # the store itself failed while recording: keep the batch going
                log.exception("could not record the attempt of %s", source.source_id)
                return CollectionRun(source.source_id, clock(), clock(), status="error",
                                     error_kind="bug", error=redact_text(f"{type(exc).__name__}: {exc}"))

        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="collect") as pool:
            for run in pool.map(task, todo):
                summary.add(run)
    log.info("collection done: %d ok, %d failed, %d skipped, %d new posts, %d requests (client %d)",
             summary.ok, summary.failed, summary.skipped, summary.posts_new, summary.requests,
             client.requests_sent)
    if summary.posts_new:
        store.optimize()  # fresh planner statistics keep the dashboard's date-range queries fast
    return summary


def record_skip(store: Store, source: Source, reason: str, moment: datetime) -> CollectionRun:
    run = CollectionRun(source.source_id, moment, moment, status="skipped", error_kind="skipped", error=reason)
    store.record_attempt(run)
    return run


@contextmanager
def collection_lock(store: Store) -> Iterator[None]:
    """Hold the store's collection lock, its heartbeat refreshed meanwhile; CollectionLocked,
    naming the holder, when another collection runs."""
    heartbeat_every, stale_after = lock_timing()
    if not store.acquire_lock(LOCK_NAME, stale_after=stale_after):
        holder = store.lock_holder(LOCK_NAME)
        raise CollectionLocked("another collection is already running"
                               + (f" ({holder.describe()})" if holder else ""))
    try:
        with Heartbeat(store, LOCK_NAME, heartbeat_every):
            yield
    finally:
        store.release_lock(LOCK_NAME)


def summary_lines(summary: RunSummary) -> list[str]:
    """The plain-text table `pantau collect` prints."""
    lines = [
        f"sources: {len(summary.attempts)} ({summary.ok} ok, {summary.failed} failed, {summary.skipped} skipped)",
        f"posts: {summary.posts_new} new, {summary.posts_seen} seen",
        f"requests: {summary.requests}",
    ]
    problems = [a for a in summary.attempts if a.status != "ok"]
    if problems:
        reasons: dict[str, int] = defaultdict(int)
        for a in problems:
            reasons[a.error_kind or a.status] += 1
        lines.append("reasons: " + ", ".join(f"{kind} {count}" for kind, count in sorted(reasons.items())))
        width = max(len(a.source_id) for a in problems)
        lines.append("not collected:")
        for a in sorted(problems, key=lambda a: (a.status, a.source_id)):
            lines.append(f"  {a.source_id:<{width}}  {a.status:<17}  {a.error_kind:<18}  {redact_text(a.error)}")
    # Collected, but with something the operator should know (ids that change on every run).
    noticed = [a for a in summary.attempts if a.status == "ok" and a.error_kind]
    if noticed:
        width = max(len(a.source_id) for a in noticed)
        lines.append("notices:")
        for a in sorted(noticed, key=lambda a: a.source_id):
            lines.append(f"  {a.source_id:<{width}}  {a.error_kind:<18}  {redact_text(a.error)}")
    return lines
