"""Facts from the store: what pantau.metrics computes every number from, read as aggregates.

The database is asked for posts per unit per local day, the newest post per unit and success
days, never for every post: at a year of a regency (about 200,000 posts) that is a few ten
thousand rows. Where the zone's UTC offset is fixed over the range (Indonesia has no daylight
saving) the days are counted in SQL; otherwise the posts' times are read and bucketed in pandas.
That choice is made in `post_counts` and nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from pantau import metrics
from pantau.calendar import day_bounds, fixed_utc_offset, local_days, to_day
from pantau.registry import Registry
from pantau.store import Store

log = logging.getLogger(__name__)


def registry_frames(registry: Registry) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The registry's units and sources as the frames Facts holds (copies: callers may change them)."""
    # A page render asks several times for the same registry (the dashboard keeps one per
    # folder); a province's 9,314 units and 7,732 sources took ~30 ms each time to build.
    global _last_frames
    held = _last_frames  # one read: another thread may replace it meanwhile
    if held[0] is not registry:
        held = _last_frames = (registry, _registry_frames(registry))
    units, sources = held[1]
    return units.copy(), sources.copy()


_last_frames: tuple = (None, None)  # the last registry asked for and its frames


def _registry_frames(registry: Registry) -> tuple[pd.DataFrame, pd.DataFrame]:
    # The code tells a province's regencies apart (metrics.leader_regencies).
    units = pd.DataFrame([(u.unit_id, u.name, u.kind, u.parent_id, u.code) for u in registry.units],
                         columns=[*metrics.UNIT_FRAME_COLUMNS, "code"])
    sources = pd.DataFrame([(s.source_id, s.unit_id, s.platform, s.collector, s.active) for s in registry.sources],
                           columns=list(metrics.SOURCE_FRAME_COLUMNS))
    return units, sources


def counted_sources(store: Store, registry: Registry) -> pd.DataFrame:
    """The registry's sources plus the manual ones `pantau import` created in the store."""
    _, sources = registry_frames(registry)
    # Only the manual ones are read: a province stores 7,732 sources, ~0.1 s to read them all.
    manual = store.sources_frame(collector="manual")
    if manual.empty:
        return sources
    return pd.concat([sources, manual[list(metrics.SOURCE_FRAME_COLUMNS)]], ignore_index=True)


def post_counts(store: Store, zone: ZoneInfo, first: date, last: date, unit_ids: list[str] | None = None,
                per: str = "day") -> pd.DataFrame:
    """Posts per unit per local day (unit_id, day, posts) or per ISO week (unit_id, week_start,
    posts; per="week") over the local days first..last, both inclusive."""
    lower, upper = day_bounds(first, last, zone)
    offset = fixed_utc_offset(zone, first, last)
    if offset is not None:
        count = store.weekly_post_counts if per == "week" else store.daily_post_counts
        return count(lower, upper, offset, unit_ids=unit_ids)
    # A zone with daylight saving: bucket in pandas from two columns only.
    daily = metrics.daily_counts(store.posts_frame(lower, upper, unit_ids=unit_ids,
                                                   columns=["unit_id", "published_at"]), zone)
    return metrics.weeks_of(daily) if per == "week" else daily


def load_facts(store: Store, registry: Registry, start: date, today: date,
               unit_ids: Collection[str] | None = None) -> metrics.Facts:
    """Facts for the local days start..today; with `unit_ids`, those units' only (a province's
    regency page: its ~270 units read, not all 9,314 of the province; every figure of a unit reads
    its own rows and its own regency's leaders, so the regency's ids give the same numbers).

    Units and settings come from the registry; sources are the registry's plus the manual ones.
    Success days are loaded from HEALTH_WINDOW_DAYS before `start`, so the first days' status is
    right.
    """
    zone = registry.settings.zone
    start = min(start, today)
    units, _ = registry_frames(registry)
    sources = counted_sources(store, registry)
    if unit_ids is not None:
        wanted = set(unit_ids)
        units = units[metrics.in_set(units["unit_id"], wanted)].reset_index(drop=True)
        sources = sources[metrics.in_set(sources["unit_id"], wanted)].reset_index(drop=True)
    lower, _ = day_bounds(start, None, zone)
    health_from = lower - timedelta(days=metrics.HEALTH_WINDOW_DAYS + 1)
    offset = fixed_utc_offset(zone, start, today)
    if offset is not None:
        _ensure_rollup(store, offset)
        success = metrics.unit_success_days(store.success_days(health_from, offset), sources)
    else:
        success = metrics.success_days(store.success_log(health_from), sources, zone)
    daily = post_counts(store, zone, start, today, unit_ids=None if unit_ids is None else units["unit_id"].tolist())
    last = store.last_post_times_of(units["unit_id"].tolist(), before=lower)  # only these units are rated
    last_before = pd.DataFrame({"unit_id": last["unit_id"].astype(str), "day": local_days(last["published_at"], zone)})
    return metrics.make_facts(units, sources, daily, registry.settings, today, success, last_before, start)


def _ensure_rollup(store: Store, offset: timedelta) -> None:
    """Counts read a row per unit-day once the store's rollup exists; building it writes, and a
    read-only database is still answered (from the posts themselves, only slower)."""
    try:
        store.ensure_day_rollup(offset)
    except SQLAlchemyError as exc:
        log.warning("could not build the per-day rollup: %s", type(exc).__name__)


def history_loader(store: Store, registry: Registry):
    """A function (unit_ids, first_day, before_day) -> posts per unit per week (unit_id,
    week_start, posts), for streaks that reach back past the loaded facts."""
    zone = registry.settings.zone

    def load(unit_ids: list[str], first: pd.Timestamp, before: pd.Timestamp) -> pd.DataFrame:
        return post_counts(store, zone, first.date(), (to_day(before) - pd.Timedelta(days=1)).date(),
                           unit_ids=unit_ids, per="week")

    return load


def open_for_reading(db_url: str) -> Store:
    """The store as the dashboard opens it: migrated, with fresh planner statistics when the
    database lets us write them (a read-only database still serves the pages, only slower)."""
    store = Store(db_url)
    try:
        store.optimize()
    except SQLAlchemyError as exc:
        log.warning("could not refresh the planner statistics: %s", type(exc).__name__)
    return store


@dataclass(frozen=True)
class Freshness:
    """How recent the stored data is (Tentang Data)."""

    posts: int
    newest_post: datetime | None
    newest_success: datetime | None


def freshness(store: Store) -> Freshness:
    """Posts stored, the newest post's time and the newest successful collection."""
    summary = store.attempt_summary()
    newest_success = summary["last_success"].max() if not summary.empty else None
    return Freshness(store.post_count(), store.newest_post_time(),
                     None if newest_success is None or pd.isna(newest_success) else newest_success)
