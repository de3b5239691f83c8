"""Publikasi Terbaru: the latest posts of every unit, newest first, filtered and paged.

Posts are written as text lines with their links (readable on a phone); titles are scraped
text and always escaped.
"""

from __future__ import annotations

import math

import streamlit as st

from pantau.labels import KIND_LABELS, PLATFORM_LABELS, TOPIC_LABELS
from pantau.models import PLATFORMS
from views import data
from views.common import has_data, header, post_lines
from views.regency import pick_regency, regency_units

ALL = ""


def unit_scope(units: list, kecamatan: str, unit: str, kind: str, whole: bool) -> tuple[str, ...] | None:
    """The unit ids the filters allow among `units`; None when they allow every unit of the
    registry (`whole`: `units` is the whole registry, not one regency of a province)."""
    if unit:
        return (unit,)
    if kecamatan:
        units = [u for u in units if u.unit_id == kecamatan or u.parent_id == kecamatan]
    if kind:
        units = [u for u in units if u.kind == kind]
    if whole and not kecamatan and not kind:
        return None
    return tuple(u.unit_id for u in units)


def render() -> None:
    ctx = data.context()
    header("Publikasi Terbaru", ctx, "Apa yang dipublikasikan pemerintah daerah akhir-akhir ini, dari semua unit.")
    if not has_data(ctx):
        return
    regency = pick_regency(ctx, "terbaru")  # None for one regency; else its units' posts only
    units = regency_units(ctx, regency)
    names = {u.unit_id: u.name for u in units}
    kecamatan_ids = [ALL] + [u.unit_id for u in units if u.kind == "kecamatan"]

    row1 = st.columns(3)
    kecamatan = row1[0].selectbox("Kecamatan", kecamatan_ids, key="terbaru-kec",
                                  format_func=lambda u: "Semua kecamatan" if u == ALL else names[u])
    kind = row1[1].selectbox("Jenis unit", [ALL, *KIND_LABELS], key="terbaru-jenis",
                             format_func=lambda k: "Semua jenis" if k == ALL else KIND_LABELS[k])
    candidates = [u.unit_id for u in units
                  if (not kecamatan or u.unit_id == kecamatan or u.parent_id == kecamatan)
                  and (not kind or u.kind == kind)]
    unit = row1[2].selectbox("Unit", [ALL, *candidates], key="terbaru-unit",
                             format_func=lambda u: "Semua unit" if u == ALL else names[u])
    row2 = st.columns(3)
    platform = row2[0].selectbox("Kanal", [ALL, *[p for p in PLATFORMS if p not in ("tiktok", "x")]],
                                 key="terbaru-kanal",
                                 format_func=lambda p: "Semua kanal" if p == ALL else PLATFORM_LABELS[p])
    topic = row2[1].selectbox("Topik", [ALL, *TOPIC_LABELS], key="terbaru-topik",
                              format_func=lambda t: "Semua topik" if t == ALL else TOPIC_LABELS[t])
    text = row2[2].text_input("Cari di judul", key="terbaru-teks", max_chars=100).strip()

    flt = data.PostFilter(unit_scope(units, kecamatan, unit, kind, whole=regency is None), platform, topic, text)
    first = data.latest_posts(ctx.db, ctx.today, ctx.registry.settings.timezone, flt, 0)
    total = first.total
    pages = max(1, math.ceil(total / data.PAGE_SIZE))
    page = 1
    if pages > 1:
        page = int(st.number_input(f"Halaman (dari {pages})", min_value=1, max_value=pages, value=1, step=1,
                                   key="terbaru-halaman"))
    shown = first if page == 1 else data.latest_posts(ctx.db, ctx.today, ctx.registry.settings.timezone, flt,
                                                      page - 1)
    frame = shown.posts
    st.caption(f"{total} publikasi cocok dengan filter; terbaru di atas.")
    if frame.empty:
        st.info("Tidak ada publikasi yang cocok dengan filter ini.")
        return
    post_lines(frame, names, ctx.zone)


if __name__ == "__main__":
    render()
