"""What the dashboard's pages import, loaded once when the server starts.

Streamlit runs a page's script only when a visitor arrives, so without this the first visitor
after a (re)start also waits for pandas, pyarrow, plotly and SQLAlchemy to import: about as long
as the page itself takes. server.py calls `preload()` from its startup hook; the benchmark calls
it too, so its first-render figure is what that first visitor meets.
"""

from __future__ import annotations

import importlib
import time

# The modules a Ringkasan render needs beyond Streamlit itself, heaviest first.
MODULES = (
    "pandas",
    "pyarrow",
    "plotly.graph_objects",
    "sqlalchemy",
    "pantau.metrics",
    "pantau.store",
    "views.data",
    "views.common",
    "views.charts",
)


def preload() -> float:
    """Import every module the pages need; returns the seconds it took."""
    started = time.perf_counter()
    for name in MODULES:
        importlib.import_module(name)
    return time.perf_counter() - started
