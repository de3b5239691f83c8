"""What every page shares: the header with the simulated-data banner, the period picker,
Indonesian number formats, and the escaping of scraped text.

Scraped titles and captions are data: they go through `md_text` / `md_link` before reaching
st.markdown (Markdown specials and HTML both escaped), and nothing here ever passes
unsafe_allow_html. Whether a post's URL may become a link is decided by `pantau.links.safe_link`
alone.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from pantau import calendar
from pantau.calendar import date_label, month_label
from pantau.labels import KIND_LABELS, PLATFORM_LABELS, TOPIC_LABELS
from pantau.links import safe_link
from views import data

# Markdown specials, escaped with a backslash; '<', '>' and '&' become HTML entities afterwards.
_MD_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:=^])")


def md_text(value) -> str:
    """Scraped text made inert for st.markdown: HTML entities and Markdown specials escaped."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    text = " ".join(text.split())  # no line breaks: a title stays one line, headings cannot start
    return html.escape(_MD_SPECIALS.sub(r"\\\1", text), quote=False)


def md_link(text, url) -> str:
    target = safe_link(url)
    label = md_text(text) or "(tanpa judul)"
    return f"[{label}]({target})" if target else label


def fmt_number(value, digits: int = 0) -> str:
    """Indonesian number format: ',' for decimals, '.' for thousands; '—' when undefined."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{float(value):,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def fmt_percent(share) -> str:
    """A share 0..1 as a whole percentage ('37%'); '—' when undefined."""
    if share is None or share is pd.NA or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return f"{round(100 * share)}%"


def fmt_pace(value) -> str:
    return fmt_number(value, 2)


def fmt_date(day) -> str:
    if day is None or pd.isna(day):
        return "—"
    return date_label(day)


def fmt_period(start: date, end: date) -> str:
    return f"{fmt_date(start)} – {fmt_date(end)}"


def fmt_moment(value, zone) -> str:
    if value is None or pd.isna(value):
        return "—"
    local = pd.Timestamp(value).tz_convert(zone)
    return f"{fmt_date(local)} {local:%H.%M}"


def status_label(status: str) -> str:
    # Plain words: emoji fonts are missing on some office machines, and colour alone says nothing.
    return status


def table_height(rows: int, limit: int = 20) -> int:
    """Pixel height showing up to `limit` rows of st.dataframe without an inner scroll."""
    return 38 + 35 * max(1, min(rows, limit))


def header(title: str, ctx: data.Context, caption: str = "") -> None:
    st.title(title)
    if ctx.config.simulated:
        st.warning("**Data simulasi.** Angka di halaman ini berasal dari simulasi, bukan dari kanal resmi "
                   "pemerintah daerah. Jangan dikutip sebagai data sebenarnya.", icon=":material/science:")
    if ctx.internal:
        from views import auth

        if auth.no_login():
            st.warning("**Mode internal tanpa login** (PANTAU_INTERNAL_NO_LOGIN=1): siapa pun yang dapat membuka "
                       "alamat ini dapat memberi tanda tinjauan dan melihat galat sumber. Hanya untuk jaringan "
                       "tertutup.", icon=":material/lock_open:")
    if caption:
        st.caption(caption)


def has_data(ctx: data.Context) -> bool:
    """False (and a clear message) when the store holds no post at all."""
    if data.has_posts(ctx.db):
        return True
    st.info("Belum ada data: belum ada publikasi yang terkumpul. Jalankan `pantau collect` (atau `pantau demo`) "
            "lalu muat ulang halaman ini.", icon=":material/inbox:")
    return False


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str

    def previous(self) -> Period:
        length = (self.end - self.start).days + 1
        if self.label.startswith("Bulan"):
            end = self.start - timedelta(days=1)
            return Period(end.replace(day=1), end, "Bulan sebelumnya")
        return Period(self.start - timedelta(days=length), self.start - timedelta(days=1), "Periode sebelumnya")


def period_picker(ctx: data.Context, key: str) -> Period:
    """Week (default: the last complete week), month or custom local days."""
    today = ctx.today
    columns = st.columns([1, 2])
    choice = columns[0].radio("Periode", ["Minggu", "Bulan", "Kustom"], horizontal=True, key=f"{key}-kind")
    if choice == "Minggu":
        last = calendar.last_complete_week(today)
        mondays = [last - pd.Timedelta(weeks=i) for i in range(-1, 26)]
        labels = {m: f"{calendar.week_label(m)} ({fmt_period(m, m + pd.Timedelta(days=6))})"
                  + (" — berjalan" if m > last else "") for m in mondays}
        monday = columns[1].selectbox("Minggu", mondays, index=1, format_func=labels.get, key=f"{key}-week")
        return Period(monday.date(), (monday + pd.Timedelta(days=6)).date(), f"Minggu {calendar.week_label(monday)}")
    if choice == "Bulan":
        firsts = []
        first = today.replace(day=1)
        for _ in range(13):
            firsts.append(first)
            first = (first - timedelta(days=1)).replace(day=1)
        chosen = columns[1].selectbox("Bulan", firsts, index=0 if today.day > 7 else 1,
                                      format_func=month_label, key=f"{key}-month")
        nxt = (chosen.replace(day=28) + timedelta(days=4)).replace(day=1)
        return Period(chosen, nxt - timedelta(days=1), f"Bulan {month_label(chosen)}")
    picked = columns[1].date_input("Dari – sampai (tanggal lokal, inklusif)",
                                   (today - timedelta(days=27), today), max_value=today, key=f"{key}-custom",
                                   format="DD/MM/YYYY")
    if isinstance(picked, tuple | list) and len(picked) == 2:
        start, end = picked
    else:  # the second date not picked yet
        start = end = picked[0] if isinstance(picked, tuple | list) else picked
    return Period(start, end, "Periode kustom")


def kind_filter(key: str, default: tuple[str, ...] = ("opd",)) -> list[str]:
    kinds = [k for k in KIND_LABELS if k != "pimpinan"]
    chosen = st.multiselect("Jenis unit", kinds, default=list(default), format_func=KIND_LABELS.get, key=key)
    return chosen or kinds


def post_lines(frame: pd.DataFrame, names: dict[str, str], zone) -> None:
    """Posts as readable text with links (a phone shows these better than a grid)."""
    for item in frame.itertuples(index=False):
        topics = [TOPIC_LABELS[f] for f in str(item.flags or "").split(";") if f in TOPIC_LABELS]
        meta = " · ".join(filter(None, [
            fmt_moment(item.published_at, zone),
            md_text(names.get(item.unit_id, item.unit_id)),
            PLATFORM_LABELS.get(item.platform, md_text(item.platform)),
            ", ".join(topics),
        ]))
        st.markdown(f"{md_link(item.title, item.url)}  \n:gray[{meta}]")


def unit_link(units: pd.DataFrame, key: str, label: str = "Lihat rincian unit") -> None:
    """Pick one of the units shown and open its Unit page (the id travels as ?unit=...)."""
    if units.empty:
        return
    names = dict(zip(units["unit_id"], units["name"], strict=True))
    columns = st.columns([3, 2], vertical_alignment="bottom")
    chosen = columns[0].selectbox(label, list(names), format_func=names.get, key=key)
    columns[1].page_link("views/unit.py", label=f"Buka halaman {names[chosen]}", icon=":material/arrow_forward:",
                         query_params={"unit": chosen})
