"""Ringkasan: which units keep pace with the leaders in a period, and who went silent."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pantau.labels import KIND_LABELS
from views import charts, data
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


def render() -> None:
    ctx = data.context()
    header("Ringkasan", ctx, "Seberapa rutin setiap unit mempublikasikan kinerjanya, dibanding ritme Bupati dan "
                             "Wakil Bupati.")
    if not has_data(ctx):
        return
    period = period_picker(ctx, "ringkasan")
    kinds = kind_filter("ringkasan-kinds")
    table = data.period_table(ctx, period.start, period.end)
    reference = table.attrs["reference"]
    threshold = ctx.registry.settings.pace_threshold
    st.subheader(f"{period.label}: {fmt_period(period.start, period.end)}")

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

    st.markdown("#### Papan peringkat")
    st.dataframe(leaderboard(shown), hide_index=True, width="stretch", height=table_height(len(shown)))
    st.caption(f"Indeks Imbang = hari aktif ÷ rujukan pimpinan; mengimbangi bila ≥ {fmt_pace(threshold)}. "
               "Status diambil pada akhir periode (hari ini untuk periode yang masih berjalan).")
    unit_link(shown.sort_values("name"), "ringkasan-unit")

    st.plotly_chart(charts.active_days_vs_leaders(shown, reference), width="stretch")
    st.plotly_chart(charts.pace_distribution(shown, threshold), width="stretch")

    previous = period.previous()
    before = data.status_at(ctx.db, ctx.reg, ctx.today, previous.end)
    changes = data.metrics.status_changes(before, table)
    changes = changes[changes["kind"].isin(kinds)]
    st.markdown(f"#### Perubahan status sejak periode sebelumnya ({fmt_period(previous.start, previous.end)})")
    if changes.empty:
        st.write("Tidak ada unit yang berubah status.")
    else:
        st.dataframe(pd.DataFrame({
            "Unit": changes["name"], "Jenis": changes["kind"].map(KIND_LABELS),
            "Sebelumnya": [status_label(s) for s in changes["before"]],
            "Sekarang": [status_label(s) for s in changes["after"]],
        }), hide_index=True, width="stretch")
    st.caption("Cara menghitung setiap angka: lihat halaman Tentang Data.")


if __name__ == "__main__":
    render()
