"""Kesehatan Sumber (internal): every source's last success, errors, failing streak, gaps."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pantau.labels import PLATFORM_LABELS
from views import auth, data
from views.common import fmt_moment, header
from views.internal import require_internal
from views.sources import source_rows, sources_frame


def render() -> None:
    ctx = data.context()
    header("Kesehatan Sumber", ctx, "Setiap sumber: kapan terakhir berhasil, galat terakhir, gagal beruntun, "
                                    "celah cakupan, dan alasan bila tidak dikumpulkan.")
    viewer = require_internal(ctx)
    if viewer is None:
        return
    scope = auth.scope_units(viewer, ctx.registry)  # a camat sees their kecamatan's sources only
    frame = sources_frame(ctx)
    if scope is not None:
        frame = frame[frame["unit_id"].isin(scope)].reset_index(drop=True)
    cols = st.columns(4)
    cols[0].metric("Sumber terdaftar", len(frame))
    cols[1].metric("Sedang gagal", int((frame["failing_streak"] > 0).sum()))
    cols[2].metric("Tidak dikumpulkan", int((frame["reason"] != "").sum()))
    cols[3].metric("Dengan celah cakupan", int((frame["gaps"] > 0).sum()))
    only_problems = st.toggle("Hanya yang bermasalah", value=False, key="kesehatan-masalah")
    rows = source_rows(ctx, internal=True, scope=scope)
    if only_problems:
        problem = (frame["failing_streak"] > 0) | (frame["reason"] != "") | (frame["gaps"] > 0)
        rows = rows[problem.to_numpy()]
    st.dataframe(rows, hide_index=True, width="stretch")

    gaps = data.gaps(ctx.db)
    if scope is not None and not gaps.empty:
        gaps = gaps[gaps["source_id"].isin(set(frame["source_id"]))]
    st.markdown("#### Celah cakupan")
    st.caption("Umpan yang hanya menampilkan N butir terbaru tidak menjangkau kembali ke pengumpulan sebelumnya: "
               "publikasi di rentang ini mungkin terlewat.")
    if gaps.empty:
        st.write("Tidak ada celah tercatat.")
    else:
        units = dict(zip(frame["source_id"], frame["unit_name"], strict=True))
        platforms = dict(zip(frame["source_id"], frame["platform"], strict=True))
        st.dataframe(pd.DataFrame({
            "Sumber": gaps["source_id"],
            "Unit": gaps["source_id"].map(units),
            "Kanal": gaps["source_id"].map(platforms).map(PLATFORM_LABELS),
            "Dari": [fmt_moment(v, ctx.zone) for v in gaps["gap_start"]],
            "Sampai": [fmt_moment(v, ctx.zone) for v in gaps["gap_end"]],
            "Terdeteksi": [fmt_moment(v, ctx.zone) for v in gaps["detected_at"]],
        }), hide_index=True, width="stretch")


if __name__ == "__main__":
    render()
