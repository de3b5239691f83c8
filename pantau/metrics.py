"""Every number Pantau shows, exactly as DESIGN.md ("The numbers") defines it.

The functions here are pure: pandas frames in, pandas frames out, so the tests can drive them
with literal frames. They read neither the store nor the environment: pantau.loading builds the
Facts they start from, and the reference date `today` is given (pantau.config.reference_date).

Conventions (pantau.calendar): a *day* is a naive Timestamp at local midnight in the regency
zone; a week is an ISO week, Monday to Sunday local, named like `2025-W37`; periods are local
calendar days, both ends inclusive; nothing published after `today` is counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from pantau.calendar import (
    ONE_DAY,
    last_complete_week,
    local_days,
    to_day,
    week_label,
    week_mondays,
    week_start,
    weeks_overlapping,
)
from pantau.models import VILLAGE_KINDS
from pantau.registry import Settings

AKTIF = "aktif"
KURANG_AKTIF = "kurang aktif"
DORMAN = "dorman"
TANPA_DATA = "tanpa data"
STATUSES = (AKTIF, KURANG_AKTIF, DORMAN, TANPA_DATA)

DATA_OK = "ok"
DATA_NO_SOURCE = "tanpa sumber"
DATA_FAILED = "gagal"

AKTIF_MAX_DAYS = 7
KURANG_AKTIF_MAX_DAYS = 30
# A unit whose sources all failed for this many days before the reference date has no data.
HEALTH_WINDOW_DAYS = 3
# Streaks are counted back through at most this many weeks of loaded history.
STREAK_LOOKBACK_WEEKS = 52
# TikTok yields activity (videoCount deltas), never posts: it does not make a unit's posts known.
NON_POST_COLLECTORS = ("", "tiktok")

WEEKLY_COLUMNS = ("unit_id", "unit_name", "kind", "week", "posts", "active_days", "target", "target_met",
                  "pace", "status", "days_since_last_post", "data_status")
UNIT_FRAME_COLUMNS = ("unit_id", "name", "kind", "parent_id")
SOURCE_FRAME_COLUMNS = ("source_id", "unit_id", "platform", "collector", "active")


# ---------------------------------------------------------------------------------------------
# Raw frames -> facts


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


# ---------------------------------------------------------------------------------------------
# The numbers


def leaders_reference(active_days: pd.DataFrame, units: pd.DataFrame, by: str | None = None):
    """The leaders' reference: mean active days of every pimpinan unit, a leader without posts
    counting 0; NaN without leaders. The denominator of "Indeks Imbang" (Ringkasan, Kecamatan, Unit).

    `active_days`: unit_id, active_days for one period -> a float; or, with `by` (a column such as
    week_start), one row per unit per group -> a Series of references indexed by the groups.
    """
    leaders = set(units.loc[units["kind"] == "pimpinan", "unit_id"])
    of_leaders = active_days[active_days["unit_id"].isin(leaders)]
    if by is None:
        return float(of_leaders["active_days"].sum() / len(leaders)) if leaders else float("nan")
    groups = pd.Index(active_days[by].unique(), name=by)
    if not leaders:
        return pd.Series(np.nan, index=groups, dtype="float64")
    total = of_leaders.groupby(by)["active_days"].sum().reindex(groups, fill_value=0)
    return (total / len(leaders)).astype("float64")


def regency_of(codes: pd.Series) -> pd.Series:
    """A unit's regency: the first two parts of its Kemendagri code ("33.16" of "33.16.01.2001")."""
    return codes.fillna("").astype(str).str.split(".").str[:2].str.join(".")


def leader_regencies(units: pd.DataFrame) -> pd.Series | None:
    """unit_id -> regency code when the units span several regencies (a province registry, whose
    leaders carry their regency's code), so each unit keeps pace with its own regency's leaders;
    None for one regency, whose single reference is every leader's."""
    if "code" not in units.columns:
        return None
    regency = regency_of(units["code"])
    leaders = regency[units["kind"] == "pimpinan"]
    if leaders.eq("").any() or leaders.nunique() < 2:
        return None
    return pd.Series(regency.to_numpy(), index=units["unit_id"].to_numpy())


def regency_references(active_days: pd.DataFrame, units: pd.DataFrame) -> pd.Series | None:
    """unit_id -> the leaders' reference of the unit's own regency (NaN for a regency without
    leaders); None for a registry of one regency (see leader_regencies)."""
    regencies = leader_regencies(units)
    if regencies is None:
        return None
    leaders = units.loc[units["kind"] == "pimpinan", "unit_id"]
    per_leader = active_days.set_index("unit_id")["active_days"].reindex(leaders).fillna(0)
    by_regency = per_leader.groupby(regencies.reindex(per_leader.index).to_numpy()).mean()
    return regencies.map(by_regency).astype("float64")


def pace(active_days, reference):
    """"Indeks Imbang" (Ringkasan, Kecamatan, Unit, `export weekly` pace): active days / the
    leaders' reference; NaN (shown as "—") when the reference is 0 or unknown."""
    active = np.asarray(active_days, dtype="float64")
    ref = np.asarray(reference, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(ref > 0, active / np.where(ref > 0, ref, 1.0), np.nan)
    return float(out) if out.ndim == 0 else out


def keeps_pace(pace_values, threshold: float):
    """"Mengimbangi" (Ringkasan's leaderboard and its "<jenis> mengimbangi" counts): pace >= threshold
    (undefined pace never keeps pace)."""
    values = np.asarray(pace_values, dtype="float64")
    return np.where(np.isnan(values), False, values >= threshold)


def _asof(events: pd.DataFrame, queries: pd.DataFrame) -> pd.Series:
    """For each (unit_id, ref_day) query row, the newest event day <= ref_day (NaT if none)."""
    result = pd.Series(pd.NaT, index=queries.index, dtype="datetime64[ns]")
    if events.empty or queries.empty:
        return result
    # One sorted array of (unit, day) keys and one binary search for all queries: a few hundred
    # queries against tens of thousands of events, without merge_asof's sorting and copying.
    n_events = len(events)
    units, _ = pd.factorize(np.concatenate([events["unit_id"].astype(str).to_numpy(),
                                            queries["unit_id"].astype(str).to_numpy()]))
    days = np.concatenate([events["day"].to_numpy(dtype="datetime64[ns]"),
                           queries["ref_day"].to_numpy(dtype="datetime64[ns]")])
    distinct, rank = np.unique(days, return_inverse=True)
    keys = units.astype("int64") * len(distinct) + rank.reshape(-1)
    event_keys, query_keys = keys[:n_events], keys[n_events:]
    order = np.argsort(event_keys, kind="stable")
    sorted_keys = event_keys[order]
    position = np.searchsorted(sorted_keys, query_keys, side="right") - 1
    candidate = order[np.clip(position, 0, None)]
    same_unit = (position >= 0) & (units[:n_events][candidate] == units[n_events:])
    hits = days[:n_events][candidate]
    result[:] = np.where(same_unit, hits, np.datetime64("NaT"))
    return result


def status_on(facts: Facts, queries: pd.DataFrame) -> pd.DataFrame:
    """"Status" and "Hari sejak publikasi terakhir" (Ringkasan, Kecamatan, Unit's "Status hari ini",
    the recap, `export weekly`), for (unit_id, ref_day) rows.

    Order of the rules: `tanpa data` first (no active post source, or none worked in the
    HEALTH_WINDOW_DAYS days before the reference date); then aktif 0–7 days since the last post,
    kurang aktif 8–30, dorman 31 or more or never. On `today` a success recorded later than the
    reference date (a clock pinned in a demo) also counts; for past dates only the log as of then.
    """
    refs = queries["ref_day"].astype("datetime64[ns]")
    post_days = pd.concat([facts.daily.loc[facts.daily["posts"] > 0, ["unit_id", "day"]], facts.last_before],
                          ignore_index=True)
    last_post = _asof(post_days, queries)
    days_since = (refs - last_post).dt.days.astype("Int64")

    window_start = refs - pd.Timedelta(days=HEALTH_WINDOW_DAYS)
    last_success = _asof(facts.success, queries)
    healthy = (last_success >= window_start).fillna(False).to_numpy(dtype=bool, copy=True)
    if not facts.success.empty:
        newest = facts.success.groupby("unit_id")["day"].max()
        newest_for_row = queries["unit_id"].map(newest).astype("datetime64[ns]")
        healthy |= ((refs == facts.today) & (newest_for_row >= window_start)).fillna(False).to_numpy(dtype=bool)
    has_source = queries["unit_id"].isin(facts.units_with_post_source()).to_numpy()

    days = days_since.to_numpy(dtype="float64", na_value=np.nan)
    status = np.select(
        [~(has_source & healthy), np.isnan(days), days <= AKTIF_MAX_DAYS, days <= KURANG_AKTIF_MAX_DAYS],
        [TANPA_DATA, DORMAN, AKTIF, KURANG_AKTIF],
        default=DORMAN,
    )
    return pd.DataFrame({"status": status, "days_since_last_post": days_since, "last_post_day": last_post},
                        index=queries.index)


def _data_status(facts: Facts, grid: pd.DataFrame) -> np.ndarray:
    """data_status of `export weekly`: ok | tanpa sumber | gagal for (unit_id, week_start, ref_day) rows."""
    has_source = grid["unit_id"].isin(facts.units_with_post_source()).to_numpy()
    last_success = _asof(facts.success, grid)
    worked = (last_success >= grid["week_start"]).fillna(False).to_numpy(dtype=bool, copy=True)
    if not facts.success.empty:
        newest = grid["unit_id"].map(facts.success.groupby("unit_id")["day"].max()).astype("datetime64[ns]")
        current = (grid["ref_day"] == facts.today) & (newest >= grid["week_start"])
        worked |= current.fillna(False).to_numpy(dtype=bool)
    return np.select([~has_source, ~worked], [DATA_NO_SOURCE, DATA_FAILED], default=DATA_OK)


def _targets(kinds: pd.Series, settings: Settings) -> pd.Series:
    # One lookup per distinct kind, not per row: a weekly grid has thousands of rows, five kinds.
    per_kind = {kind: settings.target_for(kind) for kind in kinds.unique()}
    return kinds.map(per_kind).astype("Int64")


def weekly_counts(daily: pd.DataFrame, units: pd.DataFrame, mondays: list[pd.Timestamp],
                  settings: Settings) -> pd.DataFrame:
    """Posts, active days, target and target_met per unit per week (the weeks starting at `mondays`):
    the Unit page's weekly bars and "Minggu memenuhi target"; the recap's target lines."""
    grid = units.rename(columns={"name": "unit_name"}).merge(
        pd.DataFrame({"week_start": pd.Series(mondays, dtype="datetime64[ns]")}), how="cross")
    if mondays:
        daily = daily[(daily["day"] >= mondays[0]) & (daily["day"] < mondays[-1] + pd.Timedelta(days=7))]
    daily = daily[daily["posts"] > 0]
    daily = daily.assign(week_start=week_mondays(daily["day"]))
    per_week = daily.groupby(["unit_id", "week_start"]).agg(posts=("posts", "sum"), active_days=("day", "size"))
    grid = grid.merge(per_week.reset_index(), on=["unit_id", "week_start"], how="left")
    grid["posts"] = grid["posts"].fillna(0).astype("int64")
    grid["active_days"] = grid["active_days"].fillna(0).astype("int64")
    grid["target"] = _targets(grid["kind"], settings)
    met = (grid["posts"] >= grid["target"]).astype("boolean")
    grid["target_met"] = met.where(grid["target"].notna(), pd.NA)
    return grid


def weekly_table(facts: Facts, start: date, end: date) -> pd.DataFrame:
    """One row per unit per ISO week overlapping [start, end], zero weeks included: the Unit page
    (weekly chart, "Status hari ini", "Publikasi 12 minggu"), Ekspor and `export weekly`, the recap.

    Columns: WEEKLY_COLUMNS plus week_start, parent_id, reference (the leaders' reference).
    A week's status and days_since_last_post are taken at its Sunday (or today, for the
    running week).
    """
    mondays = weeks_overlapping(start, end)
    if mondays[0] < facts.start:
        raise ValueError(f"week {week_label(mondays[0])} starts before the loaded facts ({facts.start.date()})")
    grid = weekly_counts(facts.daily, facts.units, mondays, facts.settings)
    reference = leaders_reference(grid[["unit_id", "week_start", "active_days"]], facts.units, by="week_start")
    grid["reference"] = grid["week_start"].map(reference).astype("float64")
    regencies = leader_regencies(facts.units)
    if regencies is not None:  # a province: each regency's own leaders, week by week (same function)
        regency = grid["unit_id"].map(regencies)
        unit_regency = facts.units["unit_id"].map(regencies)
        own = {code: leaders_reference(grid.loc[regency == code, ["unit_id", "week_start", "active_days"]],
                                       facts.units[unit_regency == code], by="week_start")
               for code in regency.dropna().unique()}
        grid["reference"] = [own[code].get(week, np.nan) if code in own else np.nan
                             for code, week in zip(regency, grid["week_start"], strict=True)]
        grid["reference"] = grid["reference"].astype("float64")
    grid["pace"] = pace(grid["active_days"], grid["reference"])
    sundays = grid["week_start"] + pd.Timedelta(days=6)
    grid["ref_day"] = sundays.where(sundays <= facts.today, facts.today)
    grid = pd.concat([grid, status_on(facts, grid[["unit_id", "ref_day"]])], axis=1)
    grid["data_status"] = _data_status(facts, grid)
    grid["week"] = grid["week_start"].map({monday: week_label(monday) for monday in mondays})
    ordered = [*WEEKLY_COLUMNS, "week_start", "parent_id", "reference", "ref_day"]
    return grid[ordered].sort_values(["week_start", "kind", "unit_id"], kind="stable").reset_index(drop=True)


def streaks(weekly: pd.DataFrame, last_week: pd.Timestamp) -> pd.Series:
    """"Minggu beruntun" (Ringkasan): consecutive weeks ending with `last_week` that met the target,
    per unit_id (NA for leaders)."""
    upto = weekly[weekly["week_start"] <= last_week].sort_values(["unit_id", "week_start"], ascending=[True, False])
    met = upto["target_met"].fillna(False).astype("int64")
    run = met.groupby(upto["unit_id"]).cumprod()
    out = run.groupby(upto["unit_id"]).sum().astype("Int64")
    no_target = upto.groupby("unit_id")["target"].first().isna()
    out[no_target.reindex(out.index).fillna(True)] = pd.NA
    return out


def _streaks_with_history(facts: Facts, counts: pd.DataFrame, mondays: list[pd.Timestamp],
                          last_week: pd.Timestamp, history) -> pd.Series:
    """Streaks over the loaded weeks; units whose streak spans them all are extended with
    `history(unit_ids, first_day, before_day)` up to STREAK_LOOKBACK_WEEKS (only those units
    are read further back, so a long look-back costs little)."""
    if not mondays:
        return pd.Series(pd.NA, index=facts.units["unit_id"], dtype="Int64").where(
            _targets(facts.units.set_index("unit_id")["kind"], facts.settings).isna(), 0)
    streak = streaks(counts, last_week)
    remaining = STREAK_LOOKBACK_WEEKS - len(mondays)
    full = streak[streak == len(mondays)].index.tolist()
    if history is None or remaining <= 0 or not full:
        return streak
    earliest = mondays[0] - pd.Timedelta(weeks=remaining)
    older = history(full, earliest, mondays[0])
    older_mondays = pd.Series(pd.date_range(earliest, mondays[0] - pd.Timedelta(days=7), freq="7D"),
                              dtype="datetime64[ns]")
    grid = facts.units[facts.units["unit_id"].isin(full)][["unit_id", "kind"]].merge(
        pd.DataFrame({"week_start": older_mondays}), how="cross")
    older = older.assign(week_start=older["week_start"].astype("datetime64[ns]"))
    grid = grid.merge(older, on=["unit_id", "week_start"], how="left")
    grid["target"] = _targets(grid["kind"], facts.settings)
    grid["target_met"] = (grid["posts"].fillna(0) >= grid["target"]).astype("boolean")
    extra = streaks(grid, older_mondays.iloc[-1])
    streak.loc[full] = streak.loc[full] + extra.reindex(full).fillna(0).astype("Int64")
    return streak


def streak_week(facts: Facts, end: date) -> pd.Timestamp:
    """Monday of the week a period's streaks are counted up to: the last complete week up to its end."""
    return min(last_complete_week(facts.today), week_start(to_day(end) + ONE_DAY) - pd.Timedelta(days=7))


def _loaded_mondays(facts: Facts, last_week: pd.Timestamp) -> list[pd.Timestamp]:
    """The whole weeks of the loaded facts, up to `last_week`."""
    first_loaded = week_start(facts.start + pd.Timedelta(days=6))  # the first whole week loaded
    return [m for m in weeks_overlapping(first_loaded, last_week) if first_loaded <= m <= last_week]


def period_streaks(facts: Facts, last_week: pd.Timestamp, history=None) -> pd.Series:
    """Streak per unit_id as of `last_week` (see period_table). It depends on the week only, not on
    the period, so a caller may compute it once for every period ending in the same week."""
    mondays = _loaded_mondays(facts, last_week)
    counts = weekly_counts(facts.daily, facts.units, mondays, facts.settings)
    return _streaks_with_history(facts, counts, mondays, last_week, history)


def period_table(facts: Facts, start: date, end: date, history=None, streak: pd.Series | None = None) -> pd.DataFrame:
    """The leaderboard of one period (local days start..end inclusive), one row per unit: Ringkasan's
    "Papan peringkat" ("Publikasi", "Hari aktif", "Indeks Imbang", "Mengimbangi", "Minggu memenuhi
    target", "Minggu beruntun", "Status"), the "Ritme pimpinan (rujukan)" line, and the Kecamatan page.

    Columns: unit_id, name, kind, parent_id, posts, active_days, pace, keeps_pace, target,
    weeks_met, weeks_complete (complete ISO weeks inside the period, and how many met the target),
    streak (as of the last complete week up to the period's end; `history` reads older weeks for
    the units whose streak spans everything loaded), has_source (units_with_post_source), status,
    days_since_last_post, last_post_day; the period's leaders' reference is in the `reference` attribute (frame.attrs).
    `streak`, when given, is period_streaks(facts, streak_week(facts, end), history), computed
    once by a caller that shows several periods ending in the same week.
    """
    first, last = to_day(start), min(to_day(end), facts.today)
    if first < facts.start:
        raise ValueError(f"the period starts on {first.date()}, before the loaded facts ({facts.start.date()})")
    daily = facts.daily[(facts.daily["day"] >= first) & (facts.daily["day"] <= last) & (facts.daily["posts"] > 0)]
    agg = daily.groupby("unit_id").agg(posts=("posts", "sum"), active_days=("day", "size")).reset_index()
    table = facts.units.merge(agg, on="unit_id", how="left")
    table["posts"] = table["posts"].fillna(0).astype("int64")
    table["active_days"] = table["active_days"].fillna(0).astype("int64")
    reference = leaders_reference(table[["unit_id", "active_days"]], facts.units)
    own = regency_references(table[["unit_id", "active_days"]], facts.units)
    table["pace"] = pace(table["active_days"], reference if own is None else table["unit_id"].map(own))
    table["keeps_pace"] = keeps_pace(table["pace"], facts.settings.pace_threshold)
    table["target"] = _targets(table["kind"], facts.settings)

    last_week = streak_week(facts, end)
    mondays = _loaded_mondays(facts, last_week)
    inside_mondays = [m for m in mondays if m >= first and m + pd.Timedelta(days=6) <= to_day(end)]
    inside = weekly_counts(facts.daily, facts.units, inside_mondays, facts.settings)
    weeks_met = inside.groupby("unit_id")["target_met"].sum(min_count=1)
    table["weeks_complete"] = inside["week_start"].nunique()
    table["weeks_met"] = table["unit_id"].map(weeks_met).astype("Int64")
    table.loc[table["target"].isna(), "weeks_met"] = pd.NA
    if streak is None:
        streak = period_streaks(facts, last_week, history)
    table["streak"] = table["unit_id"].map(streak)
    table["streak"] = table["streak"].astype("Int64")

    table["has_source"] = table["unit_id"].isin(facts.units_with_post_source())
    refs = pd.DataFrame({"unit_id": table["unit_id"], "ref_day": last})
    table = pd.concat([table, status_on(facts, refs)], axis=1)
    table.attrs["reference"] = reference
    table.attrs["start"], table.attrs["end"], table.attrs["ref_day"] = first, to_day(end), last
    return table


def period_status(facts: Facts, end: date) -> pd.DataFrame:
    """Every unit's status at the end of a period (or today): unit_id, name, kind, status (the
    "Sebelumnya" side of Ringkasan's "Perubahan status")."""
    refs = pd.DataFrame({"unit_id": facts.units["unit_id"], "ref_day": min(to_day(end), facts.today)})
    return pd.concat([facts.units[["unit_id", "name", "kind"]], status_on(facts, refs)[["status"]]], axis=1)


def status_changes(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Ringkasan's "Perubahan status sejak periode sebelumnya": units whose status differs between two
    period tables: unit_id, name, kind, before, after."""
    merged = current[["unit_id", "name", "kind", "status"]].merge(
        previous[["unit_id", "status"]].rename(columns={"status": "before"}), on="unit_id", how="inner")
    changed = merged[merged["status"] != merged["before"]].rename(columns={"status": "after"})
    return changed[["unit_id", "name", "kind", "before", "after"]].reset_index(drop=True)


def kecamatan_rollup(table: pd.DataFrame) -> pd.DataFrame:
    """Per kecamatan, from a period table: its office's own numbers plus its desa/kelurahan. The
    Kecamatan page's first table ("Publikasi kantor", "Hari aktif kantor", "Indeks Imbang kantor",
    "Status kantor", "Desa/kel. aktif", "Median publikasi per desa", "Cakupan sumber").

    Columns: unit_id, name, own_posts, own_active_days, own_pace, own_status, villages,
    villages_active (>= 1 post in the period), median_village_posts, villages_with_source,
    coverage (share of villages with a source whose posts count, the table's has_source column,
    i.e. units_with_post_source; NaN without villages).
    """
    offices = table[table["kind"] == "kecamatan"][["unit_id", "name", "posts", "active_days", "pace", "status"]]
    offices = offices.rename(columns={"posts": "own_posts", "active_days": "own_active_days",
                                      "pace": "own_pace", "status": "own_status"})
    villages = table[table["kind"].isin(VILLAGE_KINDS)].copy()
    villages["is_active"] = villages["posts"] > 0
    per = villages.groupby("parent_id").agg(
        villages=("unit_id", "size"),
        villages_active=("is_active", "sum"),
        median_village_posts=("posts", "median"),
        villages_with_source=("has_source", "sum"),
    )
    out = offices.merge(per, left_on="unit_id", right_index=True, how="left")
    for column in ("villages", "villages_active", "villages_with_source"):
        out[column] = out[column].fillna(0).astype("int64")
    out["median_village_posts"] = out["median_village_posts"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["coverage"] = np.where(out["villages"] > 0, out["villages_with_source"] / out["villages"].clip(lower=1),
                                   np.nan)
    return out.sort_values("name").reset_index(drop=True)


def weekly_export(weekly: pd.DataFrame) -> pd.DataFrame:
    """The `export weekly` view of a weekly table (and Ekspor's "Tabel mingguan"): the contract's
    columns, in order."""
    out = weekly[list(WEEKLY_COLUMNS)].copy()
    out["pace"] = out["pace"].round(4)
    return out.sort_values(["week", "unit_id"], kind="stable").reset_index(drop=True)
