"""Ringkasan's two charts as small SVG pictures drawn on the server, one to three kB each
(used by the Ringkasan page and by the static summary page, pantau.summary_page).

On the first page most visitors open (often on a phone over 4G), a Plotly chart would pull in
Plotly's 4.7 MB bundle (1.3 MB gzipped) before anything is drawn, for two charts that need no
zoom or hover. These are static pictures instead, shown with st.image: the browser shows them
as an <img> (a data: URL), so nothing in them is ever HTML or script, and every text in them
(unit names from the registry, numbers) is XML-escaped besides. Plotly stays on the pages
where its interactivity earns its weight (Unit, Kecamatan).
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

import pandas as pd

# The dashboard's colours (views/charts.py uses the same).
COLORS = {"aktif": "#2e7d32", "kurang aktif": "#f9a825", "dorman": "#c62828", "tanpa data": "#9e9e9e"}
BAR = "#1565c0"
LEADERS = "#6a1b9a"
TARGET = "#ef6c00"

WIDTH = 390  # a phone's CSS width; the image scales to its column
FONT = "font-family:'Source Sans Pro',Arial,sans-serif;font-size:11px;fill:#31333f"
NAME_CHARS = 23


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[:NAME_CHARS - 1] + "…"


def _svg(height: int, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="pantau-chart" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}" style="{FONT}"><title>{escape(title)}</title>'
            f'<text x="0" y="14" style="font-size:14px;font-weight:600">{escape(title)}</text>'
            + "".join(body) + "</svg>")


def active_days_bars(table: pd.DataFrame, reference: float, limit: int = 30) -> str:
    """Active days per unit (the top `limit`), horizontal bars coloured by status, with the
    leaders' reference as a dashed line."""
    top = table.sort_values(["active_days", "posts", "name"], ascending=[False, False, True]).head(limit)
    title = "Hari aktif dibanding ritme pimpinan" + (f" ({limit} teratas)" if len(table) > limit else "")
    left, right, row, top_y = 150, 24, 18, 58
    span = max([float(top["active_days"].max() or 0), 0 if math.isnan(reference) else reference, 1])
    scale = (WIDTH - left - right) / span
    body = []
    # Legend: the status colours.
    x = 0
    for status, colour in COLORS.items():
        body.append(f'<rect x="{x}" y="24" width="10" height="10" fill="{colour}"/>'
                    f'<text x="{x + 13}" y="33">{escape(status)}</text>')
        x += 16 + 6 * len(status) + 8
    for i, item in enumerate(top.itertuples(index=False)):
        y = top_y + i * row
        length = float(item.active_days) * scale
        body.append(f'<text x="{left - 4}" y="{y + 12}" text-anchor="end">{escape(_short(str(item.name)))}</text>'
                    f'<rect x="{left}" y="{y + 2}" width="{length:.1f}" height="{row - 5}" '
                    f'fill="{COLORS.get(item.status, BAR)}"/>'
                    f'<text x="{left + length + 3:.1f}" y="{y + 12}">{int(item.active_days)}</text>')
    bottom = top_y + len(top) * row
    if not math.isnan(reference):
        x = left + reference * scale
        body.append(f'<line x1="{x:.1f}" y1="{top_y - 4}" x2="{x:.1f}" y2="{bottom}" stroke="{LEADERS}" '
                    f'stroke-dasharray="4 3" stroke-width="1.5"/>'
                    f'<text x="{min(x, WIDTH - 150):.1f}" y="{bottom + 14}" style="fill:{LEADERS}">'
                    f'rujukan pimpinan {_fmt(reference)} hari</text>')
    body.append(f'<text x="{left}" y="{bottom + 30}">hari aktif (warna = status)</text>')
    return _svg(bottom + 36, body, title)


def pace_histogram(table: pd.DataFrame, threshold: float) -> str:
    """How many units fall in each 0,1-wide band of pace, with the threshold as a dashed line."""
    values = table["pace"].dropna()
    bins = max(10, math.ceil(float(values.max()) * 10) if len(values) else 10)
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, int(math.floor(value * 10 + 1e-9)))] += 1
    left, right, top_y, plot_h = 28, 10, 30, 150
    step = (WIDTH - left - right) / bins
    peak = max(counts + [1])
    body = []
    for i, count in enumerate(counts):
        h = plot_h * count / peak
        body.append(f'<rect x="{left + i * step + 1:.1f}" y="{top_y + plot_h - h:.1f}" width="{step - 2:.1f}" '
                    f'height="{h:.1f}" fill="{BAR}"/>')
        if count:
            body.append(f'<text x="{left + (i + 0.5) * step:.1f}" y="{top_y + plot_h - h - 3:.1f}" '
                        f'text-anchor="middle">{count}</text>')
    base = top_y + plot_h
    body.append(f'<line x1="{left}" y1="{base}" x2="{WIDTH - right}" y2="{base}" stroke="#999"/>')
    for i in range(0, bins + 1, max(1, bins // 5)):
        body.append(f'<text x="{left + i * step:.1f}" y="{base + 14}" text-anchor="middle">{_fmt(i / 10)}</text>')
    x = left + threshold * 10 * step
    body.append(f'<line x1="{x:.1f}" y1="{top_y - 6}" x2="{x:.1f}" y2="{base}" stroke="{TARGET}" '
                f'stroke-dasharray="4 3" stroke-width="1.5"/>'
                f'<text x="{x + 3:.1f}" y="{top_y + 2}" style="fill:{TARGET}">ambang {_fmt(threshold, 2)}</text>')
    body.append(f'<text x="{left}" y="{base + 30}">Indeks Imbang (hari aktif ÷ rujukan pimpinan); '
                f'tinggi = jumlah unit</text>')
    return _svg(base + 36, body, "Sebaran Indeks Imbang")
