"""The weekly recap: plain text for a WhatsApp group, in Indonesian.

WhatsApp renders `*bold*`, not tables, so every unit is one "•" line and every number says
what it counts ("3 dari 27 OPD"). The text stays under 4,000 characters: long lists are cut to
the same length and end with "… dan N lainnya".
"""

from __future__ import annotations

import math

import pandas as pd

from pantau import metrics
from pantau.calendar import date_label
from pantau.registry import Settings

LIMIT = 4000
# Groups counted in the recap, in this order; villages are counted together.
GROUPS = (("opd", ("opd",), "OPD"), ("kecamatan", ("kecamatan",), "kecamatan"),
          ("desa", ("desa", "kelurahan"), "desa/kelurahan"))
KIND_ORDER = {"opd": 0, "kecamatan": 1, "desa": 2, "kelurahan": 2}


def number(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def _counts(frame: pd.DataFrame, chosen: pd.Series) -> str:
    """"3 dari 27 OPD, 1 dari 16 kecamatan" over the groups present."""
    parts = []
    for _key, kinds, label in GROUPS:
        in_group = frame["kind"].isin(kinds)
        if in_group.any():
            parts.append(f"{int((chosen & in_group).sum())} dari {int(in_group.sum())} {label}")
    return ", ".join(parts)


def _ordered(frame: pd.DataFrame, by: list[str] | None = None, ascending: list[bool] | None = None) -> pd.DataFrame:
    keyed = frame.assign(_kind=frame["kind"].map(KIND_ORDER))
    columns = ["_kind", *(by or []), "unit_name"]
    return keyed.sort_values(columns, ascending=[True, *(ascending or []), True], kind="stable")


def recap_sections(week: pd.DataFrame, settings: Settings) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The fixed lines and the (heading, unit lines) sections of a recap for one week's rows."""
    monday = week["week_start"].iloc[0]
    sunday = monday + pd.Timedelta(days=6)
    reference = week["reference"].iloc[0]
    units = week[week["kind"] != "pimpinan"]
    leaders = week[week["kind"] == "pimpinan"]
    threshold = settings.pace_threshold
    title = f"*Rekap Pantau {week['week'].iloc[0]}*"
    if settings.regency_name:
        title += f" — {settings.regency_name}"
    head = [title, f"{date_label(monday)} – {date_label(sunday)}"]
    if math.isnan(reference) or reference == 0:
        head.append("Pimpinan tidak tercatat aktif minggu ini, jadi Indeks Imbang tidak terdefinisi (—).")
    else:
        detail = ", ".join(f"{n} {d} hari" for n, d in zip(leaders["unit_name"], leaders["active_days"], strict=True))
        head.append(f"Ritme pimpinan: rata-rata {number(reference, 1)} hari aktif ({detail}).")

    if (week["status"] == metrics.TANPA_DATA).all():
        head.append("Belum ada data yang berhasil dikumpulkan untuk minggu ini: angka di bawah belum bisa dinilai.")

    keeps = pd.Series(metrics.keeps_pace(units["pace"], threshold), index=units.index)
    pace_rows = _ordered(units[keeps], ["pace"], [False])
    no_data = units["status"] == metrics.TANPA_DATA
    below = units["target_met"].eq(False).fillna(False).astype(bool) & ~no_data
    below_rows = _ordered(units[below], ["posts"], [True])
    dormant = units["status"] == metrics.DORMAN
    dormant_rows = _ordered(units[dormant], ["days_since_last_post"], [False])
    no_data_rows = _ordered(units[no_data])

    sections = [
        (f"*Mengimbangi pimpinan* (Indeks Imbang ≥ {number(threshold)}): {_counts(units, keeps)}",
         [f"• {r.unit_name} — {r.active_days} hari aktif, indeks {number(r.pace)}" for r in pace_rows.itertuples()]),
        (f"*Di bawah target publikasi*: {_counts(units, below)}",
         [f"• {r.unit_name} — {r.posts} dari target {r.target} publikasi" for r in below_rows.itertuples()]),
        (f"*Diam (dorman, >30 hari tanpa publikasi)*: {_counts(units, dormant)}",
         [f"• {r.unit_name} — " + ("belum pernah publikasi" if pd.isna(r.days_since_last_post)
                                   else f"{r.days_since_last_post} hari sejak publikasi terakhir")
          for r in dormant_rows.itertuples()]),
        (f"*Tanpa data* (tidak ada sumber aktif atau pengumpulan gagal): {_counts(units, no_data)}",
         [f"• {r.unit_name} — " + ("belum ada sumber terdaftar" if r.data_status == metrics.DATA_NO_SOURCE
                                   else "pengumpulan gagal") for r in no_data_rows.itertuples()]),
    ]
    return head, sections


FOOTER = ("_Hari aktif = tanggal dengan sedikitnya satu publikasi. Indeks Imbang = hari aktif unit ÷ rata-rata "
          "hari aktif Bupati dan Wakil Bupati. Unit tanpa data tidak dinilai._")


def render(head: list[str], sections: list[tuple[str, list[str]]], cap: int | None) -> str:
    blocks = ["\n".join(head)]
    for heading, lines in sections:
        shown = lines if cap is None else lines[:cap]
        block = [heading, *shown]
        if len(shown) < len(lines):
            block.append(f"… dan {len(lines) - len(shown)} lainnya")
        blocks.append("\n".join(block))
    blocks.append(FOOTER)
    return "\n\n".join(blocks)


def recap_text(weekly: pd.DataFrame, settings: Settings, limit: int = LIMIT) -> str:
    """The recap of the one week in `weekly` (a metrics.weekly_table slice), under `limit` characters."""
    if weekly["week"].nunique() != 1:
        raise ValueError("a recap covers exactly one week")
    head, sections = recap_sections(weekly, settings)
    longest = max((len(lines) for _, lines in sections), default=0)
    for cap in [None, *range(longest, -1, -1)]:
        text = render(head, sections, cap)
        if len(text) < limit:
            return text
    return text[: limit - 2] + "…"
