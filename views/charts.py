"""DataFrame -> plotly figure, one function per chart. Labels in Indonesian.

Texts placed in figures are unit names from the registry (not scraped text); plotly renders
them as SVG text, never as HTML.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from pantau.svg_charts import BAR, COLORS, LEADERS, TARGET  # noqa: F401  (one palette for both kinds of chart)

DAY_NAMES = ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min")


def _layout(fig: go.Figure, height: int = 360) -> go.Figure:
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 80, "b": 10},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0}, separators=",.",
                      title={"y": 0.98, "yanchor": "top"})
    return fig


def pace_distribution(table: pd.DataFrame, threshold: float) -> go.Figure:
    """Histogram of pace over units, with the 'mengimbangi' threshold as a vertical line."""
    values = table["pace"].dropna()
    fig = go.Figure(go.Histogram(x=values, xbins={"start": 0, "size": 0.1}, marker_color=BAR, name="unit"))
    fig.add_vline(x=threshold, line_dash="dash", line_color=TARGET,
                  annotation_text=f"ambang {threshold:.2f}".replace(".", ","))
    fig.update_layout(title="Sebaran Indeks Imbang", xaxis_title="Indeks Imbang (hari aktif ÷ rujukan pimpinan)",
                      yaxis_title="jumlah unit", bargap=0.05)
    return _layout(fig)


def active_days_vs_leaders(table: pd.DataFrame, reference: float, limit: int = 30) -> go.Figure:
    """Active days per unit (the top `limit`), horizontal bars, the leaders' reference as a line."""
    top = table.sort_values(["active_days", "posts", "name"], ascending=[False, False, True]).head(limit)[::-1]
    fig = go.Figure(go.Bar(y=top["name"], x=top["active_days"], orientation="h", name="hari aktif",
                           marker_color=[COLORS.get(s, BAR) for s in top["status"]],
                           hovertemplate="%{y}: %{x} hari aktif<extra></extra>"))
    if reference == reference:  # not NaN
        fig.add_vline(x=reference, line_dash="dash", line_color=LEADERS,
                      annotation_text=f"rujukan pimpinan {reference:.1f} hari".replace(".", ","))
    title = "Hari aktif dibanding ritme pimpinan" + (f" ({limit} teratas)" if len(table) > limit else "")
    fig.update_layout(title=title, xaxis_title="hari aktif (warna = status)", yaxis={"automargin": True})
    return _layout(fig, 120 + 22 * len(top))


def weekly_bars(weeks: pd.DataFrame, target) -> go.Figure:
    """A unit's posts per week against its target, and its active days against the leaders'."""
    labels = weeks["week"]
    fig = go.Figure()
    fig.add_bar(x=labels, y=weeks["posts"], name="publikasi", marker_color=BAR)
    fig.add_bar(x=labels, y=weeks["active_days"], name="hari aktif", marker_color="#90caf9")
    if target is not None and not pd.isna(target):
        fig.add_scatter(x=labels, y=[target] * len(weeks), mode="lines", name="target publikasi",
                        line={"color": TARGET, "dash": "dash"})
    fig.add_scatter(x=labels, y=weeks["reference"], mode="lines+markers", name="rujukan pimpinan (hari aktif)",
                    line={"color": LEADERS})
    fig.update_layout(title="Per minggu: publikasi, hari aktif, target dan ritme pimpinan", barmode="group",
                      yaxis_title="jumlah")
    return _layout(fig)


def calendar_heatmap(days: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> go.Figure:
    """Posts per local day as a week x weekday grid (GitHub-style)."""
    span = pd.date_range(start - pd.Timedelta(days=start.weekday()), end, freq="D")
    counts = days.set_index("day")["posts"].reindex(span, fill_value=0) if not days.empty else \
        pd.Series(0, index=span)
    weeks = sorted({d - pd.Timedelta(days=d.weekday()) for d in span})
    grid = np.full((7, len(weeks)), np.nan)
    index = {w: i for i, w in enumerate(weeks)}
    for day, value in counts.items():
        if day <= end:
            grid[day.weekday(), index[day - pd.Timedelta(days=day.weekday())]] = value
    fig = go.Figure(go.Heatmap(
        z=grid, x=[f"{w.day}/{w.month}" for w in weeks], y=list(DAY_NAMES), colorscale="Greens", zmin=0,
        xgap=2, ygap=2, colorbar={"title": "publikasi"},
        hovertemplate="minggu mulai %{x}, %{y}: %{z} publikasi<extra></extra>"))
    fig.update_layout(title="Kalender hari aktif", yaxis={"autorange": "reversed"})
    return _layout(fig, 280)


def kecamatan_bars(rollup: pd.DataFrame) -> go.Figure:
    """Per kecamatan: share of active villages and source coverage."""
    share = np.where(rollup["villages"] > 0, rollup["villages_active"] / rollup["villages"].clip(lower=1), np.nan)
    fig = go.Figure()
    fig.add_bar(x=rollup["name"], y=share * 100, name="desa/kelurahan aktif (%)", marker_color=BAR)
    fig.add_bar(x=rollup["name"], y=rollup["coverage"] * 100, name="cakupan sumber (%)", marker_color="#90caf9")
    fig.update_layout(title="Desa/kelurahan aktif dan cakupan sumber per kecamatan", barmode="group",
                      yaxis_title="%", yaxis_range=[0, 100], xaxis_tickangle=-45)
    return _layout(fig, 420)


def status_pie(table: pd.DataFrame) -> go.Figure:
    counts = table["status"].value_counts()
    fig = go.Figure(go.Pie(labels=counts.index, values=counts.to_numpy(), hole=0.5, sort=False,
                           marker={"colors": [COLORS.get(s, BAR) for s in counts.index]}))
    fig.update_layout(title="Status unit")
    return _layout(fig, 300)
