"""A unit's "Status" on a day (aktif, kurang aktif, dorman, tanpa data), the weekly data_status,
and the changes of status between two periods.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from pantau.calendar import to_day
from pantau.metrics.facts import Facts, in_set

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


def asof(events: pd.DataFrame, queries: pd.DataFrame) -> pd.Series:
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
    last_post = asof(post_days, queries)
    days_since = (refs - last_post).dt.days.astype("Int64")

    window_start = refs - pd.Timedelta(days=HEALTH_WINDOW_DAYS)
    last_success = asof(facts.success, queries)
    healthy = (last_success >= window_start).fillna(False).to_numpy(dtype=bool, copy=True)
    if not facts.success.empty:
        newest = facts.success.groupby("unit_id")["day"].max()
        newest_for_row = queries["unit_id"].map(newest).astype("datetime64[ns]")
        healthy |= ((refs == facts.today) & (newest_for_row >= window_start)).fillna(False).to_numpy(dtype=bool)
    has_source = in_set(queries["unit_id"], facts.units_with_post_source())

    days = days_since.to_numpy(dtype="float64", na_value=np.nan)
    status = np.select(
        [~(has_source & healthy), np.isnan(days), days <= AKTIF_MAX_DAYS, days <= KURANG_AKTIF_MAX_DAYS],
        [TANPA_DATA, DORMAN, AKTIF, KURANG_AKTIF],
        default=DORMAN,
    )
    return pd.DataFrame({"status": status, "days_since_last_post": days_since, "last_post_day": last_post},
                        index=queries.index)


def data_status(facts: Facts, grid: pd.DataFrame) -> np.ndarray:
    """data_status of `export weekly`: ok | tanpa sumber | gagal for (unit_id, week_start, ref_day) rows."""
    has_source = in_set(grid["unit_id"], facts.units_with_post_source())
    last_success = asof(facts.success, grid)
    worked = (last_success >= grid["week_start"]).fillna(False).to_numpy(dtype=bool, copy=True)
    if not facts.success.empty:
        newest = grid["unit_id"].map(facts.success.groupby("unit_id")["day"].max()).astype("datetime64[ns]")
        current = (grid["ref_day"] == facts.today) & (newest >= grid["week_start"])
        worked |= current.fillna(False).to_numpy(dtype=bool)
    return np.select([~has_source, ~worked], [DATA_NO_SOURCE, DATA_FAILED], default=DATA_OK)



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
