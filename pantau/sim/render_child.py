"""One fresh process of `pantau bench dashboard`: a server's startup, then Ringkasan as visitors
meet it, each figure printed as a `key: value` line for the parent to collect.

Only the standard library is imported at the top, so the preload figure counts every module the
pages need, as it does in a freshly started server.
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(db_url: str, folder: str, today: str) -> None:
    """In a fresh process: what a server does at startup, then the page as visitors meet it.

    A Streamlit server discovers its components and (server.py) preloads the pages' modules
    before any visitor; AppTest would discover components inside its first run, so the child
    does it beforehand and hands the result to every AppTest, and times both apart.
    """
    os.environ.update({"PANTAU_DB": db_url, "PANTAU_REGISTRY": folder, "PANTAU_TODAY": today,
                       "PANTAU_SIMULATED": "1", "PANTAU_MODE": "public"})
    import streamlit as st
    from streamlit import logger as streamlit_logger
    from streamlit.testing.v1 import AppTest

    # Bare-mode notices ("missing ScriptRunContext") are noise in a benchmark's output.
    streamlit_logger.set_log_level("error")
    for name in ("streamlit", "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(name).setLevel(logging.ERROR)
    components = None
    try:
        from streamlit.components.v2.component_manager import BidiComponentManager

        started = time.perf_counter()
        components = BidiComponentManager()
        components.discover_and_register_components(start_file_watching=False)
        print(f"startup.components_s: {time.perf_counter() - started:.4f}")
    except ImportError:  # an older Streamlit: its AppTest has no component discovery to set apart
        print("startup.components_s: 0")
    # A server compiles each page script once per process (its runtime's ScriptCache, shared by
    # every session); AppTest compiles the page anew on every run, which no visitor waits for.
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    compiled = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: compiled
    from views.startup import preload

    print(f"startup.preload_s: {preload():.4f}")
    from views.startup import warm_registry

    print(f"startup.registry_s: {warm_registry():.4f}")  # server.py loads the registry at start too

    def session() -> AppTest:
        app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
        if components is not None:
            app._bidi_component_manager = components  # as the server's runtime: discovered once
        return app

    def timed_run(app: AppTest, key: str) -> None:
        started = time.perf_counter()
        app.run()
        seconds = time.perf_counter() - started
        if app.exception:
            raise RuntimeError(f"Ringkasan failed ({key}): {app.exception[0].message}")
        print(f"{key}: {seconds:.4f}", flush=True)

    timed_run(session(), "render.ringkasan_first_s")
    # What a visitor meets once the server has run a while but the data caches are empty (after
    # a TTL expiry or a new collection): every query and metric computed anew.
    st.cache_data.clear()  # a TTL expiry empties these; the engine and registry resources stay
    timed_run(session(), "render.ringkasan_cold_caches_s")
    again = session()
    timed_run(again, "render.ringkasan_new_session_s")
    again.multiselect(key="ringkasan-kinds").set_value(["opd", "kecamatan", "desa"])
    timed_run(again, "render.filter_kinds_s")
    again.radio(key="ringkasan-kind").set_value("Bulan")
    timed_run(again, "render.filter_period_s")
    if _is_province():
        # Provinsi as a visitor opening its URL first, then with the data caches emptied.
        provinsi = session()
        provinsi.switch_page("views/provinsi.py")
        timed_run(provinsi, "render.provinsi_first_s")
        st.cache_data.clear()
        provinsi = session()
        provinsi.switch_page("views/provinsi.py")
        timed_run(provinsi, "render.provinsi_cold_caches_s")
    print(f"memory.dashboard_peak_mb: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")


def _is_province() -> bool:
    from pantau.registry import load_registry
    from pantau.sim.dashboard_bench import is_province

    return is_province(load_registry(os.environ["PANTAU_REGISTRY"]))


if __name__ == "__main__":
    main(*sys.argv[1:4])
