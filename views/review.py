"""Tinjauan Konten (internal): posts flagged for a second look, and a reviewer's mark on each.

Screening points a person to a post and says why; the person decides. A mark ("perlu
ditindaklanjuti" or "aman") is stored with who gave it (the signed-in account, never a typed
name) and when, keyed on the post's identity, so it survives every re-collection; a changed
mark keeps the earlier ones, shown under "Riwayat tanda" and in `pantau export reviews`.

Scraped text is data: titles and excerpts are shown with st.text, and whatever goes through
markdown (unit names, matched terms) is escaped first. Links open only for http(s) addresses.
"""

from __future__ import annotations

import hashlib
import logging
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from pantau.links import safe_link
from pantau.screening import FLAG_LABELS, REVIEW_FLAGS, REVIEW_MARKS, parse_flags, parse_reasons
from views import auth, data
from views.common import header, md_text
from views.internal import require_internal

log = logging.getLogger(__name__)

STATUS_OPEN = "Belum ditinjau"
STATUS_ALL = "Semua"
PAGE_SIZE = 25
STATUSES = (STATUS_OPEN, *REVIEW_MARKS.values(), STATUS_ALL)


def _post_key(source_id: str, external_id: str) -> str:
    return hashlib.sha1(f"{source_id}\x00{external_id}".encode()).hexdigest()[:16]


def _mark(db: str, config, source_id: str, external_id: str, mark: str, note_key: str) -> None:
    """Button callback: runs before the rerun, so the page shows the new mark at once.

    The reviewer is whoever is signed in at the click, asked again here: a session that expired
    or an account disabled since the page was drawn gives no mark.
    """
    viewer = auth.current_viewer(config)
    if viewer is None or not viewer.may(auth.REVIEW_ROLES):
        st.session_state["review_error"] = "Sesi Anda berakhir: masuk lagi untuk memberi tanda."
        return
    note = str(st.session_state.get(note_key, "")).strip()
    data.set_review(db, source_id, external_id, mark, viewer.username, note, reviewer_name=viewer.name)
    st.session_state["review_error"] = ""
    st.session_state["review_done"] = f"Tersimpan: {REVIEW_MARKS[mark]} oleh {viewer.label}."


def _filter(frame: pd.DataFrame, flag: str, status: str, unit: str) -> pd.DataFrame:
    if frame.empty:
        return frame
    keep = pd.Series(True, index=frame.index)
    if flag != STATUS_ALL:
        keep &= frame["flags"].map(lambda v: flag in parse_flags(v))
    marks = frame["mark"].fillna("")
    if status == STATUS_OPEN:
        keep &= marks == ""
    elif status != STATUS_ALL:
        code = next(code for code, label in REVIEW_MARKS.items() if label == status)
        keep &= marks == code
    if unit != STATUS_ALL:
        keep &= frame["unit_label"] == unit
    return frame[keep]


def _reasons(row: pd.Series) -> list[str]:
    """One line per raised review flag: each piece of evidence (class: words) and the context rules."""
    reasons = parse_reasons(row["flag_terms"])
    lines = []
    for flag in REVIEW_FLAGS:
        if flag in parse_flags(row["flags"]):
            found = "; ".join(md_text(t) for t in reasons.get(flag, [])) or "—"
            lines.append(f"**{md_text(FLAG_LABELS[flag])}**: {found}")
    return lines


def _history_lines(earlier: pd.DataFrame, zone: ZoneInfo) -> list[str]:
    """The marks a post had before its current one, newest first, as escaped Markdown lines."""
    lines = []
    for item in earlier.iloc[::-1].itertuples(index=False):
        when = item.reviewed_at.tz_convert(zone).strftime("%d-%m-%Y %H.%M")
        note = f" — catatan: {md_text(item.note)}" if item.note else ""
        lines.append(f"- {when}: **{md_text(REVIEW_MARKS.get(item.mark, item.mark))}** oleh "
                     f"{md_text(item.reviewer_name)} ({md_text(item.reviewer)}){note}")
    return lines


def _post_card(db: str, config, row: pd.Series, zone: ZoneInfo, history: pd.DataFrame) -> None:
    key = _post_key(row["source_id"], row["external_id"])
    with st.container(border=True):
        st.text(row["title"] or "(tanpa judul)")
        published = row["published_at"].tz_convert(zone).strftime("%d-%m-%Y %H.%M")
        st.caption(f"{md_text(row['unit_label'])} · {md_text(row['platform'])} · {published}")
        for line in _reasons(row):
            st.markdown(f"Alasan — {line}")
        if row["excerpt"]:
            excerpt = str(row["excerpt"])
            st.text(excerpt if len(excerpt) <= 400 else excerpt[:400] + "…")
        link = safe_link(row["url"])
        if link:
            st.link_button("Buka unggahan asli", link)
        else:
            st.text("Tautan asli tidak tersedia.")
        mark = row["mark"] if isinstance(row["mark"], str) and row["mark"] else ""
        if mark:
            when = row["reviewed_at"].tz_convert(zone).strftime("%d-%m-%Y %H.%M")
            note = f" — catatan: {md_text(row['note'])}" if row["note"] else ""
            st.markdown(
                f"Tanda: **{md_text(REVIEW_MARKS.get(mark, mark))}** oleh "
                f"{md_text(row['reviewer'])}, {when}{note}"
            )
        # Every mark but the current (last) one: what this post was marked before, by whom.
        earlier = history.iloc[:-1] if len(history) else history
        if len(earlier):
            with st.expander(f"Riwayat tanda ({len(earlier)} sebelumnya)"):
                st.markdown("\n".join(_history_lines(earlier, zone)))
        note_key = f"review_note_{key}"
        st.text_input("Catatan (opsional)", key=note_key)
        left, right = st.columns(2)
        left.button(REVIEW_MARKS["perlu_ditindaklanjuti"], key=f"review_follow_{key}", on_click=_mark,
                    args=(db, config, row["source_id"], row["external_id"], "perlu_ditindaklanjuti", note_key))
        right.button(REVIEW_MARKS["aman"], key=f"review_safe_{key}", on_click=_mark,
                     args=(db, config, row["source_id"], row["external_id"], "aman", note_key))


def render() -> None:
    ctx = data.context()
    config = ctx.config
    header("Tinjauan Konten", ctx)
    viewer = require_internal(ctx, auth.REVIEW_ROLES)
    if viewer is None:
        return
    st.caption(
        "Unggahan yang ditandai penyaringan otomatis untuk dilihat kembali oleh manusia: kemungkinan pamer "
        "kemewahan atau bahasa yang tidak santun. Tanda ini penunjuk, bukan putusan: alasannya ditampilkan "
        "(jenisnya, kata yang cocok, dan aturan konteks yang ikut menimbang), dan peninjau yang memutuskan."
    )
    zone = ctx.registry.settings.zone

    st.caption(f"Tanda yang Anda berikan tercatat atas nama **{md_text(viewer.label)}**.")
    if st.session_state.get("review_error"):
        st.warning(st.session_state["review_error"])
    if st.session_state.get("review_done"):
        st.success(st.session_state.pop("review_done"))

    frame = data.flagged_posts(ctx.db, REVIEW_FLAGS)
    scope = auth.scope_units(viewer, ctx.registry)  # a camat reviews their kecamatan's posts only
    if scope is not None and not frame.empty:
        frame = frame[frame["unit_id"].isin(scope)].reset_index(drop=True)
    if frame.empty:
        st.info("Belum ada unggahan yang ditandai.")
        return
    frame["unit_label"] = frame["unit_name"].where(frame["unit_name"].notna(), frame["unit_id"])
    open_count = int((frame["mark"].fillna("") == "").sum())
    left, right = st.columns(2)
    left.metric("Unggahan ditandai", len(frame))
    right.metric("Belum ditinjau", open_count)

    flag_options = (STATUS_ALL, *REVIEW_FLAGS)
    c1, c2, c3 = st.columns(3)
    flag = c1.selectbox("Jenis tanda", flag_options, key="review_flag",
                        format_func=lambda f: FLAG_LABELS.get(f, f))
    status = c2.selectbox("Status", STATUSES, key="review_status")
    units = (STATUS_ALL, *sorted(frame["unit_label"].astype(str).unique()))
    unit = c3.selectbox("Unit", units, key="review_unit")

    shown = _filter(frame, flag, status, unit)
    if shown.empty:
        st.info("Tidak ada unggahan untuk pilihan ini.")
        return
    pages = (len(shown) - 1) // PAGE_SIZE + 1
    page = st.number_input("Halaman", min_value=1, max_value=pages, value=1, key="review_page") if pages > 1 else 1
    st.caption(f"{len(shown)} unggahan, halaman {page} dari {pages}")
    visible = shown.iloc[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    trail = data.review_history(ctx.db, list(zip(visible["source_id"], visible["external_id"], strict=True)))
    by_post = {key: group for key, group in trail.groupby(["source_id", "external_id"], sort=False)}
    empty = trail.iloc[0:0]
    for _, row in visible.iterrows():
        _post_card(ctx.db, config, row, zone, by_post.get((row["source_id"], row["external_id"]), empty))


if __name__ == "__main__":
    render()
