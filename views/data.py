"""Cached loaders shared by every page: one Store per database, one set of facts per day.

Pages never query the store themselves. The expensive part (posts per unit per local day,
pushed into SQL) is loaded once per (database, registry, window) and shared by Ringkasan,
Kecamatan, Unit and Ekspor; the period tables built from it are cached too, so switching
pages or filters recomputes nothing another page already has.

Every cached function takes the database URL and registry folder as plain strings, so two
dashboards (or two tests) with different databases never share an entry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from pantau import loading, metrics
from pantau.calendar import day_bounds
from pantau.config import Config, reference_date
from pantau.regencies import regencies, regency_rollup, regency_unit_ids
from pantau.registry import Registry, load_registry
from pantau.store import PostFilter, PostPage, Store
from pantau.topics import TopicShares, topic_shares

log = logging.getLogger(__name__)

TTL_SECONDS = 300
# The shared window of daily counts: enough for a month and the month before it, and the Unit
# page's twelve weeks. Streaks reach further back only for the units that need it.
WINDOW_WEEKS = 13
PAGE_SIZE = 20


@dataclass(frozen=True)
class Context:
    """What a page needs to know about where it runs."""

    config: Config
    registry: Registry
    today: date

    @property
    def db(self) -> str:
        return self.config.db_url

    @property
    def reg(self) -> str:
        return str(self.config.registry_dir)

    @property
    def internal(self) -> bool:
        return self.config.mode == "internal"

    @property
    def zone(self):
        return self.registry.settings.zone


def context() -> Context:
    config = Config.resolve()
    registry = get_registry(str(config.registry_dir))
    return Context(config, registry, reference_date(registry.settings.timezone))


@st.cache_resource(show_spinner=False)
def get_store(db_url: str) -> Store:
    return loading.open_for_reading(db_url)


@st.cache_resource(show_spinner=False)
def get_registry(registry_dir: str) -> Registry:
    return load_registry(registry_dir)


# Like the registry they come from, kept for the process's life (and filled at the server's
# start, views.startup): every page's sidebar asks for them.
@st.cache_resource(show_spinner=False)
def regency_choices(reg: str) -> pd.DataFrame:
    """The registry's regencies (regency, name); empty for a registry of one regency. Shared:
    never changed by a caller."""
    units, _ = loading.registry_frames(get_registry(reg))
    return regencies(units)


@st.cache_resource(show_spinner=False)
def regency_units(reg: str, regency: str) -> frozenset[str]:
    """The unit ids of one regency of the registry."""
    units, _ = loading.registry_frames(get_registry(reg))
    return frozenset(regency_unit_ids(units, regency))


def window_start(today: date, earliest: date | None = None) -> date:
    """Monday where the loaded facts begin: the shared window, or earlier for an old period."""
    first = today - timedelta(weeks=WINDOW_WEEKS)
    if earliest is not None and earliest < first:
        first = earliest
    return first - timedelta(days=first.weekday())


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def facts(db: str, reg: str, today: date, start: date) -> metrics.Facts:
    """Aggregated facts (daily counts, success days...) from `start` to `today`."""
    return loading.load_facts(get_store(db), get_registry(reg), start, today)


def own_facts(db: str, reg: str, today: date, start: date, regency: str) -> metrics.Facts:
    """The facts of one regency's units (a province's regency page); every unit's without one.
    Streamlit keys a cache on the arguments as written, so `facts` is always called with four."""
    return _regency_facts(db, reg, today, start, regency) if regency else facts(db, reg, today, start)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _regency_facts(db: str, reg: str, today: date, start: date, regency: str) -> metrics.Facts:
    """One regency's units' facts, read for its units only (a regency page never waits for the
    whole province's 200,000 unit-days; Provinsi reads those)."""
    return loading.load_facts(get_store(db), get_registry(reg), start, today, unit_ids=regency_units(reg, regency))


# `regency` below: "" for every unit, else a regency page's own units only (a province's regency
# page then reads and computes its ~270 units, not all 9,314; the numbers are the same, see
# loading.load_facts and tests/test_regency_facts.py).

@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def period(db: str, reg: str, today: date, start: date, end: date, regency: str = "") -> pd.DataFrame:
    window = window_start(today, start)
    loaded = own_facts(db, reg, today, window, regency)
    streak = streaks(db, reg, today, window, metrics.streak_week(loaded, end), regency)
    return metrics.period_table(loaded, start, end, streak=streak)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def streaks(db: str, reg: str, today: date, window: date, last_week: pd.Timestamp, regency: str = "") -> pd.Series:
    """Streaks as of one week, cached on their own: a week and a month ending in the same complete
    week share them, so changing the period neither recounts the weeks nor reads older ones."""
    history = loading.history_loader(get_store(db), get_registry(reg))
    return metrics.period_streaks(own_facts(db, reg, today, window, regency), last_week, history)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def province_period(db: str, reg: str, today: date, start: date, end: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every unit's period table for Provinsi, and its regencies side by side (regency_rollup).
    The page needs no "Minggu beruntun" and no week before the period: its facts are read from
    the period's first day (each unit's last post before it still tells its status), a week's
    15,000 unit-days rather than the shared window's 200,000, and the streak column is left
    empty (counting a province's streaks, and reading older weeks for the longest, was a fifth
    of the page's time)."""
    loaded = loading.load_facts(get_store(db), get_registry(reg), start, today)
    no_streaks = pd.Series(pd.NA, index=loaded.units["unit_id"], dtype="Int64")
    table = metrics.period_table(loaded, start, end, streak=no_streaks)
    return table, regency_rollup(table, loaded.sources)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def status_at(db: str, reg: str, today: date, end: date, regency: str = "") -> pd.DataFrame:
    return metrics.period_status(own_facts(db, reg, today, window_start(today, end), regency), end)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def has_posts(db: str) -> bool:
    return get_store(db).has_posts()


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def weekly(db: str, reg: str, today: date, start: date, end: date, regency: str = "") -> pd.DataFrame:
    return metrics.weekly_table(own_facts(db, reg, today, window_start(today, start), regency), start, end)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def unit_days(db: str, reg: str, today: date, unit_id: str, start: date) -> pd.DataFrame:
    """One unit's posts per local day since `start` (the calendar reaches past the shared window)."""
    return loading.post_counts(get_store(db), get_registry(reg).settings.zone, start, today, unit_ids=[unit_id])


def period_table(ctx: Context, start: date, end: date, regency: str | None = None) -> pd.DataFrame:
    """A period's table: every unit's, or with `regency` that regency's units only."""
    return period(ctx.db, ctx.reg, ctx.today, start, end, regency or "")


def weekly_table(ctx: Context, start: date, end: date, regency: str | None = None) -> pd.DataFrame:
    """Every unit's weekly table, or with `regency` that regency's units only (the Unit page)."""
    return weekly(ctx.db, ctx.reg, ctx.today, start, end, regency or "")


def shared_facts(ctx: Context) -> metrics.Facts:
    return facts(ctx.db, ctx.reg, ctx.today, window_start(ctx.today))


# -- posts, sources, activity ------------------------------------------------------------------

@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def latest_posts(db: str, today: date, zone_name: str, flt: PostFilter, page: int,
                 page_size: int = PAGE_SIZE) -> PostPage:
    """One page of posts, newest first, up to the end of `today`; and the number matching."""
    _, upper = day_bounds(None, today, ZoneInfo(zone_name))
    return get_store(db).latest_posts(upper, flt, page, page_size)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def unit_topics(db: str, reg: str, unit_id: str, first: date, last: date) -> TopicShares:
    """How a unit's posts of the local days first..last divide by topic (Unit, "Isi publikasi")."""
    lower, upper = day_bounds(first, last, get_registry(reg).settings.zone)
    return topic_shares(get_store(db).post_flags(unit_id, lower, upper))


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def attempt_summary(db: str) -> pd.DataFrame:
    return get_store(db).attempt_summary()


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def stored_sources(db: str) -> pd.DataFrame:
    return get_store(db).sources_frame()


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def gaps(db: str) -> pd.DataFrame:
    return get_store(db).gaps_frame()


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def activity(db: str) -> pd.DataFrame:
    return get_store(db).activity_frame()


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def freshness(db: str) -> loading.Freshness:
    """Newest post, newest successful collection and the number of posts stored."""
    return loading.freshness(get_store(db))


def flagged_posts(db: str, flags: tuple[str, ...]) -> pd.DataFrame:
    """Posts raising any of `flags`, with their unit's name and review (Tinjauan Konten). Not
    cached: a mark another reviewer just gave must show on the next rerun."""
    return get_store(db).flagged_posts_frame(flags)


def set_review(db: str, source_id: str, external_id: str, mark: str, reviewer: str, note: str,
               reviewer_name: str = "") -> None:
    """Record a reviewer's mark on a post (the earlier marks stay in its history)."""
    get_store(db).set_review(source_id, external_id, mark, reviewer, note, reviewer_name=reviewer_name)


def review_history(db: str, keys: list[tuple[str, str]]) -> pd.DataFrame:
    """Every mark given to these posts, oldest first. Not cached, like the marks themselves."""
    return get_store(db).review_history_frame(keys)


def clear_caches() -> None:
    st.cache_data.clear()
