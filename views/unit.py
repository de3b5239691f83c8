"""Unit: one unit's rhythm week by week, its calendar, its channels and its latest posts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pantau import calendar, metrics
from pantau.labels import KIND_LABELS, TOPIC_LABELS, WORK_TOPICS
from views import charts, data
from views.common import (
    fmt_moment,
    fmt_percent,
    has_data,
    header,
    post_lines,
    status_label,
)
from views.regency import pick_regency, regency_units
from views.sources import source_rows

WEEKS_SHOWN = 12
CALENDAR_WEEKS = 26


def pick_unit(ctx: data.Context) -> tuple[str, str | None]:
    """The unit shown, and its regency (None for a registry of one regency)."""
    wanted = st.query_params.get("unit")
    # A province: the units of the sidebar's regency only (a link to a unit opens its regency).
    regency = pick_regency(ctx, "unit", unit_id=wanted)
    units = regency_units(ctx, regency)
    ids = [u.unit_id for u in units]
    labels = {u.unit_id: f"{u.name} ({KIND_LABELS.get(u.kind, u.kind)})" for u in units}
    default = ids.index(wanted) if wanted in ids else next(
        (i for i, u in enumerate(units) if u.kind == "opd"), 0)
    chosen = st.selectbox("Unit", ids, index=default, format_func=labels.get, key="unit-pilih")
    st.query_params["unit"] = chosen
    return chosen, regency


def render() -> None:
    ctx = data.context()
    header("Unit", ctx, "Satu unit: ritme publikasi per minggu, kalender hari aktif, kanal dan publikasi terbarunya.")
    if not ctx.registry.units:
        st.info("Registri belum memuat unit.")
        return
    unit_id, regency = pick_unit(ctx)
    unit = ctx.registry.unit(unit_id)
    if not has_data(ctx):
        return
    today = pd.Timestamp(ctx.today)
    first_week = calendar.week_start(today) - pd.Timedelta(weeks=WEEKS_SHOWN - 1)
    weekly = data.weekly_table(ctx, first_week.date(), ctx.today, regency)  # its regency's units only
    mine = weekly[weekly["unit_id"] == unit_id]
    now = mine.iloc[-1]

    cols = st.columns(4)
    cols[0].metric("Status hari ini", status_label(now["status"]))
    cols[1].metric("Hari sejak publikasi terakhir",
                   "—" if pd.isna(now["days_since_last_post"]) else int(now["days_since_last_post"]))
    cols[2].metric(f"Publikasi {WEEKS_SHOWN} minggu", int(mine["posts"].sum()))
    target = ctx.registry.settings.target_for(unit.kind)
    complete = mine[mine["week_start"] <= calendar.last_complete_week(today)]
    cols[3].metric("Minggu memenuhi target", "—" if target is None else
                   f"{int(complete['target_met'].fillna(False).sum())} dari {len(complete)}",
                   help="tidak ada target untuk pimpinan" if target is None else f"target {target} publikasi/minggu")
    if now["status"] == metrics.TANPA_DATA:
        st.warning("Status **tanpa data**: unit ini tidak punya sumber aktif, atau tidak ada sumbernya yang berhasil "
                   "dikumpulkan dalam 3 hari terakhir. Angka di bawah bisa tidak lengkap.")

    st.plotly_chart(charts.weekly_bars(mine, target), width="stretch")
    start = calendar.week_start(today - pd.Timedelta(weeks=CALENDAR_WEEKS - 1))
    days = data.unit_days(ctx.db, ctx.reg, ctx.today, unit_id, start.date())
    st.plotly_chart(charts.calendar_heatmap(days[["day", "posts"]], start, today), width="stretch")

    left, right = st.columns(2)
    with left:
        st.markdown("#### Isi publikasi")
        last_day = first_week + pd.Timedelta(weeks=WEEKS_SHOWN) - pd.Timedelta(days=1)
        topics = data.unit_topics(ctx.db, ctx.reg, unit_id, first_week.date(), last_day.date())
        if topics.tagged:
            st.markdown(f"Dari {topics.tagged} publikasi bertopik dalam {WEEKS_SHOWN} minggu "
                        f"(dari {topics.posts} publikasi): **{fmt_percent(topics.work_share)}** melaporkan kerja "
                        f"({', '.join(TOPIC_LABELS[t].lower() for t in WORK_TOPICS)}), "
                        f"**{fmt_percent(topics.ceremony_only_share)}** seremonial saja.")
            st.caption("Topik ditandai otomatis dari kata kunci untuk membantu pembaca; bukan penilaian. "
                       "Publikasi dengan beberapa topik dihitung sekali; publikasi tanpa topik tidak dihitung.")
        elif topics.posts:
            st.write(f"{topics.posts} publikasi dalam periode ini, belum ada yang bertopik.")
        else:
            st.write("Belum ada publikasi dalam periode ini.")
    with right:
        st.markdown("#### Aktivitas TikTok")
        activity = data.activity(ctx.db)
        mine_tt = activity[(activity["unit_id"] == unit_id)] if not activity.empty else activity
        if mine_tt.empty:
            st.write("Tidak ada aktivitas TikTok tercatat.")
        else:
            st.markdown(f"**{int(mine_tt['delta'].sum())} video baru** tercatat dari perubahan jumlah video profil. "
                        "TikTok tidak menampilkan tanggal per video, jadi aktivitas ini **tidak dihitung** dalam "
                        "publikasi, hari aktif, Indeks Imbang, target maupun status.")
            st.dataframe(pd.DataFrame({
                "Dari": [fmt_moment(v, ctx.zone) for v in mine_tt["period_start"]],
                "Sampai": [fmt_moment(v, ctx.zone) for v in mine_tt["period_end"]],
                "Video baru": mine_tt["delta"],
            }), hide_index=True, width="stretch")

    st.markdown("#### Kanal")
    rows = source_rows(ctx, unit_id=unit_id)
    if rows.empty:
        st.write("Unit ini belum punya kanal terdaftar.")
    else:
        st.dataframe(rows, hide_index=True, width="stretch")

    st.markdown("#### Publikasi terbaru")
    listing = data.latest_posts(ctx.db, ctx.today, ctx.registry.settings.timezone, data.PostFilter(unit_ids=(unit_id,)),
                                0, 10)
    latest, total = listing.posts, listing.total
    if latest.empty:
        st.write("Belum ada publikasi tersimpan.")
    else:
        post_lines(latest, {unit_id: unit.name}, ctx.zone)
        st.caption(f"{total} publikasi tersimpan. Semua publikasi: halaman Publikasi Terbaru.")


if __name__ == "__main__":
    render()
