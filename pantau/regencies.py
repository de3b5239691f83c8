"""A province's regencies side by side: the figures of the Provinsi page, from a period table.

Pure: from the period table (metrics.period_table, whose pace compares each unit with its own
regency's leaders) and the sources frame. A regency is the first two parts of a unit's code.
"""

from __future__ import annotations

import pandas as pd

from pantau.metrics import DORMAN, regency_of, units_with_post_source

LEADER_TITLES = ("Wakil Wali Kota ", "Wali Kota ", "Wakil Bupati ", "Bupati ")


def regency_name(leader_name: str) -> str:
    """"Bupati Blora" -> "Kabupaten Blora"; "Wali Kota Semarang" -> "Kota Semarang"."""
    for title in LEADER_TITLES:
        if leader_name.startswith(title):
            rest = leader_name[len(title):]
            return f"Kota {rest}" if "Wali Kota" in title else f"Kabupaten {rest}"
    return leader_name


def regency_rollup(table: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """One row per regency: regency, name, units (leaders excluded), keeping_pace (share of
    them keeping pace with their own leaders), coverage (share with an active post source),
    dormant (units), posts, reference (the regency leaders' mean active days)."""
    frame = table.assign(regency=regency_of(table["code"]))
    leaders = frame[frame["kind"] == "pimpinan"]
    names = leaders.groupby("regency")["name"].first().map(regency_name)
    reference = leaders.groupby("regency")["active_days"].mean()
    others = frame[frame["kind"] != "pimpinan"].copy()
    others["sourced"] = others["unit_id"].isin(units_with_post_source(sources))
    others["dormant"] = others["status"] == DORMAN
    grouped = others.groupby("regency").agg(units=("unit_id", "size"), keeping=("keeps_pace", "sum"),
                                            sourced=("sourced", "sum"), dormant=("dormant", "sum"),
                                            posts=("posts", "sum"))
    out = grouped.reset_index()
    out["name"] = out["regency"].map(names).fillna(out["regency"])
    out["keeping_pace"] = out["keeping"] / out["units"]
    out["coverage"] = out["sourced"] / out["units"]
    out["reference"] = out["regency"].map(reference)
    out["dormant"] = out["dormant"].astype("int64")
    return out[["regency", "name", "units", "keeping_pace", "coverage", "dormant", "posts", "reference"]] \
        .sort_values("regency").reset_index(drop=True)
