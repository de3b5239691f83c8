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
from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from pantau import metrics
from pantau.config import Config
from pantau.registry import Registry, load_registry
from pantau.store import Store, from_db_time, posts, to_db_time

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


def reference_date(timezone: str) -> date:
    """Today in the regency zone, unless PANTAU_TODAY (YYYY-MM-DD) pins it (the demo does)."""
    return metrics.reference_date(timezone)


@st.cache_resource(show_spinner=False)
def get_store(db_url: str) -> Store:
    store = Store(db_url)
    try:
        store.optimize()
    except SQLAlchemyError as exc:  # a read-only database still serves the pages, only slower
        log.warning("could not refresh the planner statistics: %s", type(exc).__name__)
    return store


@st.cache_resource(show_spinner=False)
def get_registry(registry_dir: str) -> Registry:
    return load_registry(registry_dir)


def window_start(today: date, earliest: date | None = None) -> date:
    """Monday where the loaded facts begin: the shared window, or earlier for an old period."""
    first = today - timedelta(weeks=WINDOW_WEEKS)
    if earliest is not None and earliest < first:
        first = earliest
    return first - timedelta(days=first.weekday())


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def facts(db: str, reg: str, today: date, start: date) -> metrics.Facts:
    """Aggregated facts (daily counts, success days...) from `start` to `today`."""
    return metrics.load_facts(get_store(db), get_registry(reg), start, today)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def period(db: str, reg: str, today: date, start: date, end: date) -> pd.DataFrame:
    window = window_start(today, start)
    loaded = facts(db, reg, today, window)
    streak = streaks(db, reg, today, window, metrics.streak_week(loaded, end))
    return metrics.period_table(loaded, start, end, streak=streak)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def streaks(db: str, reg: str, today: date, window: date, last_week: pd.Timestamp) -> pd.Series:
    """Streaks as of one week, cached on their own: a week and a month ending in the same complete
    week share them, so changing the period neither recounts the weeks nor reads older ones."""
    history = metrics.history_loader(get_store(db), get_registry(reg))
    return metrics.period_streaks(facts(db, reg, today, window), last_week, history)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def status_at(db: str, reg: str, today: date, end: date) -> pd.DataFrame:
    return metrics.period_status(facts(db, reg, today, window_start(today, end)), end)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def has_posts(db: str) -> bool:
    return get_store(db).has_posts()


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def weekly(db: str, reg: str, today: date, start: date, end: date) -> pd.DataFrame:
    return metrics.weekly_table(facts(db, reg, today, window_start(today, start)), start, end)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def unit_days(db: str, reg: str, today: date, unit_id: str, start: date) -> pd.DataFrame:
    """One unit's posts per local day since `start` (the calendar reaches past the shared window)."""
    registry = get_registry(reg)
    zone = registry.settings.zone
    lower = datetime(start.year, start.month, start.day, tzinfo=zone)
    upper = datetime(today.year, today.month, today.day, tzinfo=zone) + timedelta(days=1)
    offset = metrics.fixed_utc_offset(zone, start, today)
    if offset is None:
        return metrics.daily_counts(get_store(db).posts_frame(lower, upper, unit_ids=[unit_id],
                                                              columns=["unit_id", "published_at"]), zone)
    return get_store(db).daily_post_counts(lower, upper, offset, unit_ids=[unit_id])


def period_table(ctx: Context, start: date, end: date) -> pd.DataFrame:
    return period(ctx.db, ctx.reg, ctx.today, start, end)


def weekly_table(ctx: Context, start: date, end: date) -> pd.DataFrame:
    return weekly(ctx.db, ctx.reg, ctx.today, start, end)


def shared_facts(ctx: Context) -> metrics.Facts:
    return facts(ctx.db, ctx.reg, ctx.today, window_start(ctx.today))


# -- posts, sources, activity ------------------------------------------------------------------

@dataclass(frozen=True)
class PostFilter:
    unit_ids: tuple[str, ...] | None = None
    platform: str = ""
    topic: str = ""
    text: str = ""


POST_COLUMNS = ("unit_id", "platform", "url", "title", "published_at", "flags")


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def latest_posts(db: str, today: date, zone_name: str, flt: PostFilter, page: int,
                 page_size: int = PAGE_SIZE) -> tuple[pd.DataFrame, int]:
    """One page of posts, newest first, up to the end of `today`; and the number matching."""
    from zoneinfo import ZoneInfo

    upper = datetime(today.year, today.month, today.day, tzinfo=ZoneInfo(zone_name)) + timedelta(days=1)
    conditions = [posts.c.published_at < to_db_time(upper)]
    if flt.unit_ids is not None:
        conditions.append(posts.c.unit_id.in_(list(flt.unit_ids)))
    if flt.platform:
        conditions.append(posts.c.platform == flt.platform)
    if flt.topic:
        # flags is ';'-separated: match the whole word, wherever it sits in the list
        flags = ";" + posts.c.flags + ";"
        conditions.append(flags.like(f"%;{flt.topic};%"))
    if flt.text:
        pattern = f"%{_escape_like(flt.text)}%"
        conditions.append(or_(posts.c.title.ilike(pattern, escape="\\"), posts.c.excerpt.ilike(pattern, escape="\\")))
    where = and_(*conditions)
    store = get_store(db)
    query = (select(*[posts.c[c] for c in POST_COLUMNS]).where(where)
             .order_by(posts.c.published_at.desc(), posts.c.id.desc())
             .limit(page_size).offset(page * page_size))
    with store.engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(posts).where(where)).scalar() or 0)
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=list(POST_COLUMNS))
    frame["published_at"] = [from_db_time(v) for v in frame["published_at"]]
    return frame, total


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def flag_counts(db: str, unit_id: str, start: datetime, end: datetime) -> pd.Series:
    """How many of a unit's posts in [start, end) carry each flag; index includes '_total'."""
    query = select(posts.c.flags).where(posts.c.unit_id == unit_id, posts.c.published_at >= to_db_time(start),
                                        posts.c.published_at < to_db_time(end))
    with get_store(db).engine.connect() as conn:
        flags = [r[0] or "" for r in conn.execute(query)]
    counts: dict[str, int] = {"_total": len(flags)}
    for value in flags:
        for flag in {f for f in value.split(";") if f}:
            counts[flag] = counts.get(flag, 0) + 1
    return pd.Series(counts, dtype="int64")


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
def freshness(db: str) -> dict:
    """Newest post, newest successful collection and the number of posts stored."""
    store = get_store(db)
    with store.engine.connect() as conn:
        newest_post = conn.execute(select(func.max(posts.c.published_at))).scalar()
        count = int(conn.execute(select(func.count()).select_from(posts)).scalar() or 0)
    summary = store.attempt_summary()
    newest_success = summary["last_success"].max() if not summary.empty else None
    return {"newest_post": from_db_time(newest_post), "posts": count,
            "newest_success": None if newest_success is None or pd.isna(newest_success) else newest_success}


def clear_caches() -> None:
    st.cache_data.clear()
