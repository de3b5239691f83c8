"""The dashboard's server: `streamlit run server.py` serves dashboard.py.

It is the same dashboard as `streamlit run dashboard.py`, with one difference: the modules the
pages need are imported when the server starts (a Streamlit st.App lifespan hook), not while the
first visitor waits. `pantau demo` serves the dashboard this way.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

import streamlit as st

from views.startup import preload

log = logging.getLogger("pantau.server")


@asynccontextmanager
async def warm_start(_app):
    log.info("dashboard modules loaded in %.2f s", preload())
    yield


app = st.App("dashboard.py", lifespan=warm_start)
