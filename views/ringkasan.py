"""Ringkasan: which units keep pace with the leaders in a period, and who went silent.

The first page most visitors open, often on a phone over 4G, so what they see first needs no
heavy frontend bundle: the leaderboard is a Markdown table (Streamlit's Markdown renderer is
part of its main bundle; the data grid is another 0.5 MB), and the two charts are small SVG
images (pantau/svg_charts.py) rather than Plotly's 4.7 MB bundle. The full sortable grid is one
tap away in an expander.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from pantau import svg_charts
from pantau.labels import KIND_LABELS
from views import data
from views.common import (
    fmt_number,
    fmt_pace,
    fmt_period,
    has_data,
    header,
    kind_filter,
    md_text,
    period_picker,
    status_label,
    table_height,
    unit_link,
)
from views.regency import only_regency, pick_regency, regency_name


def leaderboard(table: pd.DataFrame) -> pd.DataFrame:
    """The table as shown: Indonesian headers, '—' for undefined numbers."""
    ordered = table.sort_values(["pace", "active_days", "posts", "name"], ascending=[False, False, False, True],
                                na_position="last")
    weeks = [
        "—" if pd.isna(met) else f"{int(met)}/{int(total)}"
        for met, total in zip(ordered["weeks_met"], ordered["weeks_complete"], strict=True)
    ]
    return pd.DataFrame({
        "Unit": ordered["name"],
        "Jenis": ordered["kind"].map(KIND_LABELS),
        "Indeks Imbang": [fmt_pace(v) for v in ordered["pace"]],
        "Mengimbangi": ["ya" if v else "tidak" for v in ordered["keeps_pace"]],
        "Publikasi": ordered["posts"],
        "Hari aktif": ordered["active_days"],
        "Minggu memenuhi target": weeks,
        "Minggu beruntun": ["—" if pd.isna(v) else str(int(v)) for v in ordered["streak"]],
        "Status": [status_label(s) for s in ordered["status"]],
        "Hari sejak publikasi terakhir": ["—" if pd.isna(v) else str(int(v))
                                          for v in ordered["days_since_last_post"]],
    })


BOARD_ROWS = 50  # rows of the Markdown leaderboard; the full grid below holds them all


def leaderboard_markdown(board: pd.DataFrame, limit: int = BOARD_ROWS) -> str:
    """The leaderboard's main columns as a Markdown table, names escaped (a phone shows it
    without the data grid's bundle)."""
    lines = ["| # | Unit | Indeks Imbang | Hari aktif | Publikasi | Status |", "|---:|---|---:|---:|---:|---|"]
    for rank, row in enumerate(board.head(limit).to_dict("records"), start=1):
        lines.append(f"| {rank} | {md_text(row['Unit'])} | {row['Indeks Imbang']} | {row['Hari aktif']} | "
                     f"{row['Publikasi']} | {md_text(row['Status'])} |")
    return "\n".join(lines)


def render() -> None:
    ctx = data.context()
    header("Ringkasan", ctx, "Seberapa rutin setiap unit mempublikasikan kinerjanya, dibanding ritme Bupati dan "
                             "Wakil Bupati.")
    if not has_data(ctx):
        return
    light = os.environ.get("PANTAU_SUMMARY_URL")  # set where nginx serves `pantau summary`'s page
    if light and light.startswith("/"):
        st.caption(f"Koneksi lambat? [Versi ringan halaman ini]({light}) memuat ringkasan minggu lalu tanpa "
                   "JavaScript.")
    regency = pick_regency(ctx, "ringkasan")  # None for one regency; else its units and leaders only
    period = period_picker(ctx, "ringkasan")
    kinds = kind_filter("ringkasan-kinds")
    table = only_regency(data.period_table(ctx, period.start, period.end, regency), ctx, regency)
    reference = table.attrs["reference"]
    threshold = ctx.registry.settings.pace_threshold
    where = f"{regency_name(ctx, regency)} · " if regency else ""
    st.subheader(f"{where}{period.label}: {fmt_period(period.start, period.end)}")

    leaders = table[table["kind"] == "pimpinan"]
    st.markdown(f"**Ritme pimpinan (rujukan):** rata-rata **{fmt_number(reference, 1)} hari aktif** dalam periode ini. "
                + " · ".join(f"{name}: {days} hari aktif, {posts} publikasi" for name, days, posts in
                             zip(leaders["name"], leaders["active_days"], leaders["posts"], strict=True)))
    if reference == 0:
        st.warning("Pimpinan tidak tercatat aktif dalam periode ini, jadi Indeks Imbang tidak terdefinisi (—).")

    shown = table[table["kind"].isin(kinds)]
    cols = st.columns(4)
    for col, kind in zip(cols, ("opd", "kecamatan", "desa", "kelurahan"), strict=True):
        of_kind = table[table["kind"] == kind]
        if of_kind.empty:
            continue
        col.metric(f"{KIND_LABELS[kind]} mengimbangi", f"{int(of_kind['keeps_pace'].sum())} dari {len(of_kind)}",
                   help=f"Indeks Imbang ≥ {fmt_pace(threshold)}")
    cols = st.columns(4)
    for col, status in zip(cols, ("aktif", "kurang aktif", "dorman", "tanpa data"), strict=True):
        col.metric(status_label(status), f"{int((shown['status'] == status).sum())} unit",
                   help="dari jenis unit yang dipilih, pada akhir periode")

    silent = shown[shown["status"] == "dorman"].sort_values("name")
    no_data = shown[shown["status"] == "tanpa data"].sort_values("name")
    left, right = st.columns(2)
    with left.expander(f"Diam (dorman): {len(silent)} unit", expanded=0 < len(silent) <= 10):
        st.markdown("\n".join(
            f"- {md_text(r.name)}: " + ("belum pernah publikasi" if pd.isna(r.days_since_last_post)
                                        else f"{int(r.days_since_last_post)} hari sejak publikasi terakhir")
            for r in silent.itertuples()) or "Tidak ada.")
    with right.expander(f"Tanpa data: {len(no_data)} unit", expanded=0 < len(no_data) <= 10):
        st.caption("Tidak punya sumber aktif, atau pengumpulan gagal 3 hari terakhir: belum bisa dinilai.")
        st.markdown("\n".join(f"- {md_text(r.name)}" for r in no_data.itertuples()) or "Tidak ada.")

    board = leaderboard(shown)
    st.markdown("#### Papan peringkat")
    st.markdown(leaderboard_markdown(board))
    more = f" Tabel ini memuat {BOARD_ROWS} teratas dari {len(board)} unit." if len(board) > BOARD_ROWS else ""
    st.caption(f"Indeks Imbang = hari aktif ÷ rujukan pimpinan; mengimbangi bila ≥ {fmt_pace(threshold)}. "
               f"Status diambil pada akhir periode (hari ini untuk periode yang masih berjalan).{more}")
    unit_link(shown.sort_values("name"), "ringkasan-unit")

    # Pictures, not Plotly: see the module docstring.
    st.image(svg_charts.active_days_bars(shown, reference), width="stretch",
             alt="Diagram batang hari aktif per unit dibanding rujukan pimpinan")
    st.image(svg_charts.pace_histogram(shown, threshold), width="stretch",
             alt="Histogram sebaran Indeks Imbang dengan garis ambang")
    # Below the charts: the grid's bundle and its Arrow data come after the first screen.
    with st.expander(f"Papan peringkat lengkap: {len(board)} unit, semua kolom, bisa diurutkan"):
        st.dataframe(board, hide_index=True, width="stretch", height=table_height(len(shown)))

    previous = period.previous()
    before = data.status_at(ctx.db, ctx.reg, ctx.today, previous.end, regency or "")
    changes = data.metrics.status_changes(before, table)
    changes = changes[changes["kind"].isin(kinds)]
    st.markdown(f"#### Perubahan status sejak periode sebelumnya ({fmt_period(previous.start, previous.end)})")
    if changes.empty:
        st.write("Tidak ada unit yang berubah status.")
    else:
        st.markdown("\n".join(["| Unit | Jenis | Sebelumnya | Sekarang |", "|---|---|---|---|"] + [
            f"| {md_text(name)} | {KIND_LABELS.get(kind, md_text(kind))} | {md_text(status_label(before))} | "
            f"{md_text(status_label(after))} |"
            for name, kind, before, after in zip(changes["name"], changes["kind"], changes["before"],
                                                 changes["after"], strict=True)]))
    st.caption("Cara menghitung setiap angka: lihat halaman Tentang Data.")


if __name__ == "__main__":
    render()
