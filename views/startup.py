"""What the dashboard's pages import, loaded once when the server starts.

Streamlit runs a page's script only when a visitor arrives, so without this the first visitor
after a (re)start also waits for pandas, pyarrow, plotly and SQLAlchemy to import: about as long
as the page itself takes. server.py calls `preload()` from its startup hook; the benchmark calls
it too, so its first-render figure is what that first visitor meets.
"""

from __future__ import annotations

import importlib
import logging
import time

log = logging.getLogger(__name__)

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


def warm_registry() -> float:
    """Load and check the configured registry into the pages' resource cache (views.data
    get_registry, kept for the process's life), so the first visitor does not wait for it: a
    province's 9,314 units and 7,732 sources take about 0.4 s to read and validate. A registry
    with problems is left for the page to report, as before; returns the seconds it took."""
    started = time.perf_counter()
    from pantau.config import Config
    from views import data

    try:
        folder = str(Config.resolve().registry_dir)
        data.get_registry(folder)
        data.regency_choices(folder)  # the sidebar's regencies, and the frames they are read from
    except Exception as exc:  # noqa: BLE001 - the first page shows the problem, the server still starts
        log.warning("registry not loaded at start (the dashboard will report it): %s", type(exc).__name__)
    return time.perf_counter() - started
