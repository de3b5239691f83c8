"""The leaders' reference and "Indeks Imbang": how a unit's active days compare with its leaders'.

In a province registry each unit keeps pace with its own regency's leaders (leader_regencies).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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
    values = codes.fillna("").astype(str)
    # One regular expression over the column (the text up to a second dot), the same as
    # ".".join(code.split(".")[:2]): pandas' .str.split/.str[:2]/.str.join over a province's
    # 9,314 codes took ~50 ms a call, and a page render calls this several times.
    first_two = values.str.replace(r"(?s)^([^.]*(?:\.[^.]*)?).*$", r"\1", regex=True)
    return pd.Series(first_two.to_numpy(dtype=object), index=codes.index, name=codes.name, dtype=object)


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
