"""A province's regencies: the figures of the Provinsi page side by side, and one regency's
share of any frame for the regency pages (the sidebar's "Kabupaten/kota").

Pure: from the period table (metrics.period_table, whose pace compares each unit with its own
regency's leaders), the units frame (pantau.loading.registry_frames) and the sources frame. A
regency is the first two parts of a unit's code; a registry is a province when its leaders carry
the codes of more than one regency (metrics.leader_regencies).
"""

from __future__ import annotations

import pandas as pd

from pantau.metrics import (
    DORMAN,
    in_set,
    leader_regencies,
    leaders_reference,
    regency_of,
    units_with_post_source,
)

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
    others["sourced"] = in_set(others["unit_id"], units_with_post_source(sources))
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


def regencies(units: pd.DataFrame) -> pd.DataFrame:
    """The regencies of a province's units frame (unit_id, kind, name, code): regency, name, one
    row per regency whose leaders are registered, ordered by code; empty for a registry of one
    regency (Blora: no selector, nothing changes)."""
    if leader_regencies(units) is None:
        return pd.DataFrame({"regency": pd.Series([], dtype=str), "name": pd.Series([], dtype=str)})
    leaders = units[units["kind"] == "pimpinan"]
    names = leaders.groupby(regency_of(leaders["code"]))["name"].first().map(regency_name)
    return pd.DataFrame({"regency": names.index.astype(str), "name": names.to_numpy()}) \
        .sort_values("regency").reset_index(drop=True)


def regency_unit_ids(units: pd.DataFrame, regency: str) -> set[str]:
    """The unit ids of one regency (its units' codes start with the regency's)."""
    return set(units.loc[regency_of(units["code"]) == regency, "unit_id"])


def within_regency(frame: pd.DataFrame, regency: str, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of `frame` that belong to one regency: by the frame's own `code` column, else by
    unit_id through `units`. A period table's leaders' reference (attrs "reference") becomes the
    regency's own, so "Ritme pimpinan" and every pace on the page are the regency's."""
    if "code" in frame.columns:
        own = frame[regency_of(frame["code"]) == regency].copy()
    elif units is not None:
        own = frame[frame["unit_id"].isin(regency_unit_ids(units, regency))].copy()
    else:
        raise ValueError("a frame without codes needs the units frame to tell its regency")
    own.attrs = dict(frame.attrs)
    if "reference" in frame.attrs and {"kind", "active_days"} <= set(frame.columns):
        own.attrs["reference"] = leaders_reference(own[["unit_id", "active_days"]], own)
    return own
