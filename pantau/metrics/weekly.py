"""Per unit per ISO week: posts, active days, target, pace and status (the Unit page, Ekspor,
`export weekly`, the recap).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from pantau.calendar import week_label, week_mondays, weeks_overlapping
from pantau.metrics.facts import Facts
from pantau.metrics.reference import leader_regencies, leaders_reference, pace
from pantau.metrics.status import data_status, status_on
from pantau.registry import Settings

WEEKLY_COLUMNS = ("unit_id", "unit_name", "kind", "week", "posts", "active_days", "target", "target_met",
                  "pace", "status", "days_since_last_post", "data_status")


def targets(kinds: pd.Series, settings: Settings) -> pd.Series:
    # One lookup per distinct kind, not per row: a weekly grid has thousands of rows, five kinds.
    per_kind = {kind: settings.target_for(kind) for kind in kinds.unique()}
    return kinds.map(per_kind).astype("Int64")


def weekly_counts(daily: pd.DataFrame, units: pd.DataFrame, mondays: list[pd.Timestamp],
                  settings: Settings) -> pd.DataFrame:
    """Posts, active days, target and target_met per unit per week (the weeks starting at `mondays`):
    the Unit page's weekly bars and "Minggu memenuhi target"; the recap's target lines.

    One row per unit per week, unit by unit (as a cross join orders them). The grid is built by
    position and the counts added into it by (unit, week) position: a province's 9,314 units x 13
    weeks are 121,000 rows, which a cross join, a groupby and a merge on text keys took ~0.1 s for.
    """
    weeks = pd.Index(pd.Series(mondays, dtype="datetime64[ns]"))
    if not pd.Index(units["unit_id"]).is_unique:
        return _weekly_counts_merged(daily, units, weeks, settings)
    if mondays:
        daily = daily[(daily["day"] >= mondays[0]) & (daily["day"] < mondays[-1] + pd.Timedelta(days=7))]
    daily = daily[daily["posts"] > 0]
    rows = np.repeat(np.arange(len(units)), len(weeks))
    grid = units.rename(columns={"name": "unit_name"}).take(rows).reset_index(drop=True)
    grid["week_start"] = np.tile(weeks.to_numpy(), len(units))
    unit_at = pd.Index(units["unit_id"]).get_indexer(daily["unit_id"])
    week_at = weeks.get_indexer(week_mondays(daily["day"]))
    found = (unit_at >= 0) & (week_at >= 0)
    cell = unit_at[found] * len(weeks) + week_at[found]
    posts = np.zeros(len(grid), dtype="int64")
    np.add.at(posts, cell, daily["posts"].to_numpy(dtype="int64")[found])
    grid["posts"] = posts
    grid["active_days"] = np.bincount(cell, minlength=len(grid)).astype("int64")
    grid["target"] = targets(units["kind"], settings).array.take(rows)
    return _with_target_met(grid)


def _weekly_counts_merged(daily: pd.DataFrame, units: pd.DataFrame, weeks: pd.Index,
                          settings: Settings) -> pd.DataFrame:
    """weekly_counts for units listed more than once (never from a registry): each listing gets the rows."""
    grid = units.rename(columns={"name": "unit_name"}).merge(pd.DataFrame({"week_start": weeks}), how="cross")
    if len(weeks):
        daily = daily[(daily["day"] >= weeks[0]) & (daily["day"] < weeks[-1] + pd.Timedelta(days=7))]
    daily = daily[daily["posts"] > 0]
    daily = daily.assign(week_start=week_mondays(daily["day"]))
    per_week = daily.groupby(["unit_id", "week_start"]).agg(posts=("posts", "sum"), active_days=("day", "size"))
    grid = grid.merge(per_week.reset_index(), on=["unit_id", "week_start"], how="left")
    grid["posts"] = grid["posts"].fillna(0).astype("int64")
    grid["active_days"] = grid["active_days"].fillna(0).astype("int64")
    grid["target"] = targets(grid["kind"], settings)
    return _with_target_met(grid)


def _with_target_met(grid: pd.DataFrame) -> pd.DataFrame:
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
    if regencies is not None:  # a province: each regency's own leaders, week by week
        grid["reference"] = _regency_week_references(grid, facts.units, regencies)
    grid["pace"] = pace(grid["active_days"], grid["reference"])
    sundays = grid["week_start"] + pd.Timedelta(days=6)
    grid["ref_day"] = sundays.where(sundays <= facts.today, facts.today)
    grid = pd.concat([grid, status_on(facts, grid[["unit_id", "ref_day"]])], axis=1)
    grid["data_status"] = data_status(facts, grid)
    grid["week"] = grid["week_start"].map({monday: week_label(monday) for monday in mondays})
    ordered = [*WEEKLY_COLUMNS, "week_start", "parent_id", "reference", "ref_day"]
    return grid[ordered].sort_values(["week_start", "kind", "unit_id"], kind="stable").reset_index(drop=True)


def _regency_week_references(grid: pd.DataFrame, units: pd.DataFrame, regencies: pd.Series) -> np.ndarray:
    """Per grid row, the mean active days that week of the leaders of the unit's own regency (a
    leader without posts counting 0; NaN for a regency without leaders): leaders_reference per
    regency, as one groupby over the grid rather than one scan of it per regency (35 of them)."""
    regency = grid["unit_id"].map(regencies)
    leaders = units.loc[units["kind"] == "pimpinan", "unit_id"]
    per_regency = regencies.reindex(leaders).value_counts()
    of_leaders = grid["unit_id"].isin(set(leaders))
    total = grid[of_leaders].groupby([regency[of_leaders], grid.loc[of_leaders, "week_start"]])["active_days"].sum()
    rows = pd.MultiIndex.from_arrays([regency, grid["week_start"]])
    summed = total.reindex(rows).fillna(0).to_numpy(dtype="float64")
    return summed / regency.map(per_regency).to_numpy(dtype="float64")


def weekly_export(weekly: pd.DataFrame) -> pd.DataFrame:
    """The `export weekly` view of a weekly table (and Ekspor's "Tabel mingguan"): the contract's
    columns, in order."""
    out = weekly[list(WEEKLY_COLUMNS)].copy()
    out["pace"] = out["pace"].round(4)
    return out.sort_values(["week", "unit_id"], kind="stable").reset_index(drop=True)
