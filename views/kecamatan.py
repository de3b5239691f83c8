"""Kecamatan: the 16 kecamatan side by side, and one kecamatan's desa/kelurahan."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pantau import metrics
from pantau.labels import KIND_LABELS
from views import charts, data
from views.common import (
    fmt_number,
    fmt_pace,
    fmt_percent,
    fmt_period,
    has_data,
    header,
    period_picker,
    status_label,
    table_height,
    unit_link,
)
from views.regency import only_regency, pick_regency, regency_name


def render() -> None:
    ctx = data.context()
    header("Kecamatan", ctx, "Kantor kecamatan dan desa/kelurahan di wilayahnya: siapa yang mempublikasikan "
                             "kegiatannya.")
    if not has_data(ctx):
        return
    regency = pick_regency(ctx, "kecamatan")  # None for one regency; else its kecamatan only
    period = period_picker(ctx, "kecamatan")
    table = only_regency(data.period_table(ctx, period.start, period.end, regency), ctx, regency)
    rollup = metrics.kecamatan_rollup(table)
    if rollup.empty:
        st.info("Registri tidak memuat kecamatan.")
        return
    where = f"{regency_name(ctx, regency)} · " if regency else ""
    st.subheader(f"{where}{period.label}: {fmt_period(period.start, period.end)}")
    st.dataframe(pd.DataFrame({
        "Kecamatan": rollup["name"],
        "Publikasi kantor": rollup["own_posts"],
        "Hari aktif kantor": rollup["own_active_days"],
        "Indeks Imbang kantor": [fmt_pace(v) for v in rollup["own_pace"]],
        "Status kantor": [status_label(s) for s in rollup["own_status"]],
        "Desa/kel. aktif": [f"{a} dari {n}"
                            for a, n in zip(rollup["villages_active"], rollup["villages"], strict=True)],
        "Median publikasi per desa": [fmt_number(v, 1) for v in rollup["median_village_posts"]],
        "Cakupan sumber": [fmt_percent(c) for c in rollup["coverage"]],
    }), hide_index=True, width="stretch", height=table_height(len(rollup)))
    st.caption("Cakupan sumber: bagian desa/kelurahan yang punya sumber aktif yang publikasinya dihitung. "
               "TikTok (hanya jumlah video) dan X (belum dikumpulkan) tidak dihitung, sama seperti pada status.")
    st.plotly_chart(charts.kecamatan_bars(rollup), width="stretch")

    st.markdown("#### Rincian desa/kelurahan")
    names = dict(zip(rollup["unit_id"], rollup["name"], strict=True))
    chosen = st.selectbox("Kecamatan", list(names), format_func=names.get, key="kecamatan-pilih")
    villages = table[table["parent_id"] == chosen].sort_values(["posts", "name"], ascending=[False, True])
    office = table[table["unit_id"] == chosen].iloc[0]
    st.markdown(f"**{names[chosen]}**: kantor kecamatan {office['posts']} publikasi, "
                f"{office['active_days']} hari aktif; "
                f"{int((villages['posts'] > 0).sum())} dari {len(villages)} desa/kelurahan aktif.")
    if villages.empty:
        st.write("Tidak ada desa/kelurahan terdaftar di kecamatan ini.")
        return
    st.dataframe(pd.DataFrame({
        "Desa/Kelurahan": villages["name"],
        "Jenis": villages["kind"].map(KIND_LABELS),
        "Publikasi": villages["posts"],
        "Hari aktif": villages["active_days"],
        "Indeks Imbang": [fmt_pace(v) for v in villages["pace"]],
        "Status": [status_label(s) for s in villages["status"]],
        "Punya sumber publikasi": ["ya" if v else "belum" for v in villages["has_source"]],
    }), hide_index=True, width="stretch", height=table_height(len(villages), 30))
    unit_link(pd.concat([table[table["unit_id"] == chosen], villages]), "kecamatan-unit")


if __name__ == "__main__":
    render()
