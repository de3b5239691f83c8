"""Raw frames -> Facts: what every metric starts from (posts per unit per day, the sources whose
posts count, the days a unit's collection worked), with "has a source" defined once.

Pure: pandas frames in, pandas frames out; pantau.loading builds the frames from the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from pantau.calendar import local_days, to_day, week_mondays
from pantau.registry import Settings

# Streaks are counted back through at most this many weeks of loaded history.
STREAK_LOOKBACK_WEEKS = 52
# TikTok yields activity (videoCount deltas), never posts: it does not make a unit's posts known.
NON_POST_COLLECTORS = ("", "tiktok")

UNIT_FRAME_COLUMNS = ("unit_id", "name", "kind", "parent_id")
SOURCE_FRAME_COLUMNS = ("source_id", "unit_id", "platform", "collector", "active")


def daily_counts(posts: pd.DataFrame, zone: ZoneInfo) -> pd.DataFrame:
    """Posts per unit per local day, from a frame with unit_id and aware published_at.

    The SQL twin is Store.daily_post_counts; both yield unit_id, day, posts. Shown as the Unit
    page's "Kalender hari aktif"; summed into every "Publikasi" and "Hari aktif".
    """
    if posts.empty:
        return _empty_daily()
    frame = pd.DataFrame({"unit_id": posts["unit_id"].astype(str), "day": local_days(posts["published_at"], zone)})
    out = frame.groupby(["unit_id", "day"]).size().rename("posts").reset_index()
    out["posts"] = out["posts"].astype("int64")
    return out


def _empty_daily() -> pd.DataFrame:
    return pd.DataFrame({"unit_id": pd.Series([], dtype=str), "day": pd.Series([], dtype="datetime64[ns]"),
                         "posts": pd.Series([], dtype="int64")})


def _empty_days() -> pd.DataFrame:
    return pd.DataFrame({"unit_id": pd.Series([], dtype=str), "day": pd.Series([], dtype="datetime64[ns]")})


def in_set(values: pd.Series, members) -> np.ndarray:
    """values.isin(members) as a boolean array (for values that are never missing, such as unit
    ids). pandas' Arrow-backed strings turn every member into a scalar one at a time, ~7 ms for
    the 7,000 units with a source of a province, on each of several calls per page; a Python set
    answers in ~1 ms."""
    members = members if isinstance(members, set | frozenset) else set(members)
    return np.fromiter((value in members for value in values.to_numpy(dtype=object)), dtype=bool, count=len(values))


def post_sources(sources: pd.DataFrame) -> pd.DataFrame:
    """Active sources that yield posts (registered collectors and manual imports).

    TikTok yields activity, not posts, and X has no collector: neither counts here.
    """
    if sources.empty:
        return sources
    active = sources["active"].astype(bool)
    collector = sources["collector"].fillna("").astype(str)
    return sources[active & ~collector.isin(NON_POST_COLLECTORS)]


def units_with_post_source(sources: pd.DataFrame) -> set[str]:
    """The one rule for "has a source": the unit has an active source whose posts count.

    Every number that depends on it reads it here: status `tanpa data` and the weekly
    data_status `tanpa sumber` (Ringkasan, Unit, Ekspor); on Kecamatan, "Cakupan sumber" and
    "Punya sumber publikasi". A village whose only channel is TikTok or X has none: it is "tanpa
    data", never counted as covered.
    """
    return set(post_sources(sources)["unit_id"])


def success_days(log: pd.DataFrame, sources: pd.DataFrame, zone: ZoneInfo) -> pd.DataFrame:
    """Local days on which at least one post source of a unit worked: unit_id, day. Feeds the
    status "tanpa data" (collection failed 3 days) and the weekly data_status.

    `log` holds source_id and `at` (aware): successful attempts, and for manual sources the
    collected_at of their posts, since an import is a collection that succeeded that day.
    """
    if log.empty:
        return _empty_days()
    return unit_success_days(pd.DataFrame({"source_id": log["source_id"], "day": local_days(log["at"], zone)}),
                             sources)


def unit_success_days(source_days: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """(source_id, day) of working sources -> (unit_id, day) over the units' post sources."""
    usable = post_sources(sources)
    if source_days.empty or usable.empty:
        return _empty_days()
    frame = source_days.merge(usable[["source_id", "unit_id"]], on="source_id", how="inner")
    out = pd.DataFrame({"unit_id": frame["unit_id"].astype(str), "day": frame["day"].astype("datetime64[ns]")})
    return out.drop_duplicates().reset_index(drop=True)


@dataclass(frozen=True)
class Facts:
    """What every metric is computed from, already aggregated.

    units: unit_id, name, kind, parent_id (every registered unit, with or without posts)
    sources: source_id, unit_id, platform, collector, active (registry plus manual sources)
    daily: unit_id, day, posts for the loaded range (days after `today` never appear)
    last_before: unit_id, day: the last post day before the loaded range, per unit
    success: unit_id, day: days on which a post source of the unit worked
    """

    units: pd.DataFrame
    sources: pd.DataFrame
    daily: pd.DataFrame
    last_before: pd.DataFrame
    success: pd.DataFrame
    settings: Settings
    today: pd.Timestamp
    # The first local day the daily counts cover (older weeks are not loaded).
    start: pd.Timestamp

    @property
    def leaders(self) -> list[str]:
        return self.units.loc[self.units["kind"] == "pimpinan", "unit_id"].tolist()

    def units_with_post_source(self) -> set[str]:
        return units_with_post_source(self.sources)


def make_facts(
    units: pd.DataFrame,
    sources: pd.DataFrame,
    daily: pd.DataFrame,
    settings: Settings,
    today: date,
    success: pd.DataFrame | None = None,
    last_before: pd.DataFrame | None = None,
    start: date | None = None,
) -> Facts:
    """Facts from plain frames, normalising dtypes (used by the store loader and by tests).

    `start` is the first day the frames cover; by default a year before `today`.
    """
    today_day = to_day(today)
    first = to_day(start) if start is not None else today_day - pd.Timedelta(weeks=STREAK_LOOKBACK_WEEKS)
    # `code` (Kemendagri) is optional: in a province registry it tells each unit's regency.
    units = units[[*UNIT_FRAME_COLUMNS, *(["code"] if "code" in units.columns else [])]].copy()
    units["parent_id"] = units["parent_id"].fillna("").astype(str)
    sources = sources[list(SOURCE_FRAME_COLUMNS)].copy() if not sources.empty else pd.DataFrame(
        columns=list(SOURCE_FRAME_COLUMNS))
    daily = daily.copy() if not daily.empty else _empty_daily()
    daily["day"] = pd.to_datetime(daily["day"]).astype("datetime64[ns]")
    daily = daily[daily["day"] <= today_day]
    success = success.copy() if success is not None and not success.empty else _empty_days()
    success["day"] = pd.to_datetime(success["day"]).astype("datetime64[ns]")
    last_before = last_before.copy() if last_before is not None and not last_before.empty else _empty_days()
    last_before["day"] = pd.to_datetime(last_before["day"]).astype("datetime64[ns]")
    return Facts(units.reset_index(drop=True), sources.reset_index(drop=True), daily.reset_index(drop=True),
                 last_before, success, settings, today_day, first)


def weeks_of(daily: pd.DataFrame) -> pd.DataFrame:
    """Daily counts -> posts per unit per ISO week: unit_id, week_start, posts (streak history)."""
    weeks = daily.assign(week_start=week_mondays(daily["day"]))
    out = weeks.groupby(["unit_id", "week_start"])["posts"].sum().reset_index()
    out["posts"] = out["posts"].astype("int64")
    return out
