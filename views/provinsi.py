"""Provinsi: the regencies of a province side by side (only for a registry of several regencies)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from views import data
from views.common import fmt_period, has_data, header, period_picker, table_height
from views.regency import pick_regency


def percent(value) -> str:
    return "—" if pd.isna(value) else f"{round(value * 100)}%"


def render() -> None:
    ctx = data.context()
    header("Provinsi", ctx, "Kabupaten/kota berdampingan: berapa bagian unitnya yang mengimbangi pimpinan daerahnya "
                            "sendiri, cakupan sumber, dan unit yang dorman.")
    if not has_data(ctx):
        return
    # The sidebar starts on the whole province; a regency picked there opens its units below.
    regency = pick_regency(ctx, "provinsi", province_view=True)
    period = period_picker(ctx, "provinsi")
    table, rollup = data.province_period(ctx.db, ctx.reg, ctx.today, period.start, period.end)  # no streaks here
    st.subheader(f"{period.label}: {fmt_period(period.start, period.end)}")
    st.dataframe(pd.DataFrame({
        "Kabupaten/kota": rollup["name"],
        "Unit": rollup["units"],
        "Mengimbangi pimpinan": [percent(v) for v in rollup["keeping_pace"]],
        "Rujukan pimpinan (hari aktif)": [f"{v:.1f}".replace(".", ",") for v in rollup["reference"]],
        "Cakupan sumber": [percent(v) for v in rollup["coverage"]],
        "Unit dorman": rollup["dormant"],
        "Publikasi": rollup["posts"],
    }), hide_index=True, width="stretch", height=table_height(len(rollup), limit=40))

    st.markdown("#### Unit satu kabupaten/kota")
    names = dict(zip(rollup["regency"], rollup["name"], strict=True))
    # A regency newly picked in the sidebar (or named in the URL) is the one shown here; after
    # that this selectbox is the visitor's own.
    if regency in names and st.session_state.get("provinsi-sidebar") != regency:
        st.session_state["provinsi-pilih"] = regency
    st.session_state["provinsi-sidebar"] = regency
    chosen = st.selectbox("Kabupaten/kota", list(names), format_func=names.get, key="provinsi-pilih")
    own = table[table["code"].fillna("").str.startswith(chosen)].sort_values(["kind", "posts"], ascending=[True, False])
    st.dataframe(pd.DataFrame({
        "Unit": own["name"], "Jenis": own["kind"], "Publikasi": own["posts"], "Hari aktif": own["active_days"],
        "Indeks Imbang": [("—" if pd.isna(v) else f"{v:.2f}".replace(".", ",")) for v in own["pace"]],
    }), hide_index=True, width="stretch", height=table_height(len(own)))


if __name__ == "__main__":
    render()
