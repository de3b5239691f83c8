"""A static public summary page: Ringkasan's first screen as one small HTML file.

Written after each collection (`pantau summary --out FILE`, run by the collection's systemd
unit) and served by nginx as a plain file, it needs no JavaScript, no websocket and no Python
per visit: about 5 kB transferred for Blora, so a phone on Slow 4G shows the leaderboard in well under a
second of transfer, where the Streamlit page first needs about 1 MB of JavaScript. It shows the
last complete week: how many units of each kind keep pace with the leaders, the status counts,
the leaderboard of OPD and kecamatan, and the active-days chart, with a link to the full
dashboard. Every text is HTML-escaped (unit names come from the registry, never scraped text,
but they are escaped all the same); the chart is inline SVG drawn by pantau.svg_charts, whose
texts are XML-escaped.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape

import pandas as pd

from pantau import calendar, loading, metrics, svg_charts
from pantau.registry import Registry

KIND_LABELS = {"opd": "OPD", "kecamatan": "Kecamatan", "desa": "Desa", "kelurahan": "Kelurahan"}
BOARD_KINDS = ("opd", "kecamatan")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")

STYLE = """
body{font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#31333f}
main{max-width:760px;margin:0 auto;padding:12px 16px 32px}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.15em;margin:1.2em 0 .4em}
.note{color:#6b6f7b;font-size:.85em}.sim{background:#fffbe6;padding:8px 10px;border-radius:6px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px}
.card{border:1px solid #e6e6ea;border-radius:6px;padding:8px 10px}.card b{display:block;font-size:1.25em}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{padding:4px 6px;border-bottom:1px solid #eee}
th{text-align:left}td.n{text-align:right}svg{max-width:100%;height:auto}a{color:#1565c0}
"""


def _fmt(value, digits: int = 2) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{float(value):,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def week_table(store, registry: Registry, today: date) -> tuple[pd.DataFrame, date, date]:
    """The period table of the last complete week before `today`, as Ringkasan computes it."""
    monday = calendar.last_complete_week(today).date()
    sunday = monday + timedelta(days=6)
    facts = loading.load_facts(store, registry, monday, today)
    return metrics.period_table(facts, monday, sunday), monday, sunday


def render(table: pd.DataFrame, registry: Registry, start: date, end: date, made: datetime,
           dashboard_url: str = "/", simulated: bool = False) -> str:
    settings = registry.settings
    regency = settings.regency_name or "pemerintah daerah"
    reference = table.attrs["reference"]
    leaders = table[table["kind"] == "pimpinan"]
    units = table[table["kind"] != "pimpinan"]
    parts = [f"<h1>Ringkasan · {escape(regency)}</h1>"]
    if simulated:
        parts.append('<p class="sim"><b>Data simulasi.</b> Angka di halaman ini berasal dari simulasi, bukan '
                     "dari kanal resmi pemerintah daerah.</p>")
    parts.append(f"<p>Minggu {escape(calendar.week_label(start))}: {_day(start)} – {_day(end)}. "
                 f"Ritme pimpinan (rujukan): rata-rata <b>{_fmt(reference, 1)} hari aktif</b>"
                 + "".join(f" · {escape(str(r.name))}: {int(r.active_days)} hari aktif"
                           for r in leaders.itertuples()) + ".</p>")
    cards = []
    for kind, label in KIND_LABELS.items():
        of_kind = units[units["kind"] == kind]
        if len(of_kind):
            cards.append(f'<div class="card">{label} mengimbangi<b>{int(of_kind["keeps_pace"].sum())} dari '
                         f"{len(of_kind)}</b></div>")
    for status in ("aktif", "kurang aktif", "dorman", "tanpa data"):
        cards.append(f'<div class="card">{status}<b>{int((units["status"] == status).sum())} unit</b></div>')
    parts.append('<div class="cards">' + "".join(cards) + "</div>")
    parts.append(f'<p class="note">Mengimbangi: Indeks Imbang (hari aktif ÷ rujukan pimpinan) ≥ '
                 f"{_fmt(settings.pace_threshold)}. Status pada akhir minggu; "
                 "“tanpa data” = tidak ada sumber aktif atau pengumpulan gagal 3 hari terakhir.</p>")
    board = units[units["kind"].isin(BOARD_KINDS)].sort_values(
        ["pace", "active_days", "posts", "name"], ascending=[False, False, False, True], na_position="last")
    rows = "".join(
        f"<tr><td class=n>{rank}</td><td>{escape(str(r.name))}</td><td>{KIND_LABELS[r.kind]}</td>"
        f"<td class=n>{_fmt(r.pace)}</td><td class=n>{int(r.active_days)}</td><td class=n>{int(r.posts)}</td>"
        f"<td>{escape(str(r.status))}</td></tr>"
        for rank, r in enumerate(board.itertuples(), start=1))
    parts.append('<h2>Papan peringkat</h2><div style="overflow-x:auto"><table><thead><tr><th>#</th>'
                 "<th>Unit</th><th>Jenis</th>"
                 "<th>Indeks Imbang</th><th>Hari aktif</th><th>Publikasi</th><th>Status</th></tr></thead>"
                 f"<tbody>{rows}</tbody></table></div>")
    parts.append(f"<h2>Hari aktif</h2>{svg_charts.active_days_bars(board, reference)}")
    parts.append(f'<p><a href="{escape(dashboard_url, quote=True)}">Buka dashboard lengkap</a> (semua jenis '
                 "unit, periode lain, kecamatan, rincian unit, publikasi terbaru).</p>")
    parts.append(f'<p class="note">Diperbarui {_day(made.date())} {made:%H.%M} setelah pengumpulan data. '
                 "Cara menghitung setiap angka: halaman Tentang Data di dashboard.</p>")
    return ("<!doctype html><html lang=id><head><meta charset=utf-8>"
            '<meta name=viewport content="width=device-width,initial-scale=1">'
            f"<title>Pantau · Ringkasan {escape(regency)}</title><style>{STYLE}</style></head>"
            f"<body><main>{''.join(parts)}</main></body></html>")
