"""One period's leaderboard (Ringkasan's "Papan peringkat", the Kecamatan page) and the streaks of
weeks that met the target.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from pantau.calendar import ONE_DAY, last_complete_week, to_day, week_start, weeks_overlapping
from pantau.metrics.facts import STREAK_LOOKBACK_WEEKS, Facts, in_set
from pantau.metrics.reference import keeps_pace, leaders_reference, pace, regency_references
from pantau.metrics.status import status_on
from pantau.metrics.weekly import targets, weekly_counts
from pantau.models import VILLAGE_KINDS


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
            targets(facts.units.set_index("unit_id")["kind"], facts.settings).isna(), 0)
    streak = streaks(counts, last_week)
    remaining = STREAK_LOOKBACK_WEEKS - len(mondays)
    full = streak[streak == len(mondays)].index.tolist()
    if history is None or remaining <= 0 or not full:
        return streak
    earliest = mondays[0] - pd.Timedelta(weeks=remaining)
    older = history(full, earliest, mondays[0])
    older_mondays = pd.Series(pd.date_range(earliest, mondays[0] - pd.Timedelta(days=7), freq="7D"),
                              dtype="datetime64[ns]")
    grid = facts.units[in_set(facts.units["unit_id"], full)][["unit_id", "kind"]].merge(
        pd.DataFrame({"week_start": older_mondays}), how="cross")
    older = older.assign(week_start=older["week_start"].astype("datetime64[ns]"))
    grid = grid.merge(older, on=["unit_id", "week_start"], how="left")
    grid["target"] = targets(grid["kind"], facts.settings)
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
    table["target"] = targets(table["kind"], facts.settings)

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

    table["has_source"] = in_set(table["unit_id"], facts.units_with_post_source())
    refs = pd.DataFrame({"unit_id": table["unit_id"], "ref_day": last})
    table = pd.concat([table, status_on(facts, refs)], axis=1)
    table.attrs["reference"] = reference
    table.attrs["start"], table.attrs["end"], table.attrs["ref_day"] = first, to_day(end), last
    return table


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
