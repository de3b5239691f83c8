"""Ekspor (internal): the weekly table as XLSX/CSV, and the WhatsApp recap text."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pantau import calendar, metrics
from pantau.exports import csv_bytes, xlsx_bytes
from pantau.recap import recap_text
from views import auth, data
from views.common import fmt_period, header
from views.internal import require_internal


@st.cache_data(ttl=data.TTL_SECONDS, show_spinner=False)
def export_files(db: str, reg: str, today, first, end,
                 scope: tuple[str, ...] | None = None) -> tuple[pd.DataFrame, bytes, bytes]:
    """The weekly export and its CSV and XLSX bytes, built once per range and scope (XLSX takes a
    while); `scope` limits the rows to those units (a camat's kecamatan)."""
    table = metrics.weekly_export(data.weekly(db, reg, today, first, end))
    if scope is not None:
        table = table[table["unit_id"].isin(scope)].reset_index(drop=True)
    return table, csv_bytes(table), xlsx_bytes(table)


def render() -> None:
    ctx = data.context()
    header("Ekspor", ctx, "Tabel mingguan untuk rapat, dan rekap teks untuk grup WhatsApp.")
    viewer = require_internal(ctx)
    if viewer is None:
        return
    allowed = auth.scope_units(viewer, ctx.registry)
    scope = tuple(sorted(allowed)) if allowed is not None else None
    today = pd.Timestamp(ctx.today)
    last = calendar.last_complete_week(today)
    mondays = [last - pd.Timedelta(weeks=i) for i in range(0, 26)]
    cols = st.columns(2)
    first = cols[0].selectbox("Dari minggu", mondays, index=0, format_func=calendar.week_label, key="ekspor-dari")
    final = cols[1].selectbox("Sampai minggu", mondays, index=0, format_func=calendar.week_label, key="ekspor-sampai")
    if first > final:
        first, final = final, first
    end = final + pd.Timedelta(days=6)
    table, csv_data, xlsx_data = export_files(ctx.db, ctx.reg, ctx.today, first.date(), end.date(), scope)
    st.markdown(f"**Tabel mingguan** {fmt_period(first, end)}: {len(table)} baris "
                f"({table['unit_id'].nunique()} unit × {table['week'].nunique()} minggu).")
    name = f"pantau-mingguan-{calendar.week_label(first)}-{calendar.week_label(final)}"
    cols = st.columns(2)
    cols[0].download_button("Unduh Excel (XLSX)", xlsx_data, f"{name}.xlsx",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="ekspor-xlsx")
    cols[1].download_button("Unduh CSV", csv_data, f"{name}.csv", "text/csv", key="ekspor-csv")
    st.dataframe(table.head(200), hide_index=True, width="stretch")

    st.markdown("#### Rekap WhatsApp")
    week = st.selectbox("Minggu rekap", mondays, index=0, format_func=calendar.week_label, key="ekspor-rekap")
    one_week = data.weekly_table(ctx, week.date(), (week + pd.Timedelta(days=6)).date())
    if allowed is not None:  # the leaders' rows stay: the recap compares with them
        one_week = one_week[one_week["unit_id"].isin(allowed) | (one_week["kind"] == "pimpinan")]
    text = recap_text(one_week, ctx.registry.settings)
    st.caption(f"{len(text)} karakter. Salin teks di bawah ke grup WhatsApp.")
    st.code(text, language=None, wrap_lines=True)


if __name__ == "__main__":
    render()
