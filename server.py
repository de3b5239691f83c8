"""The dashboard's server: `streamlit run server.py` serves dashboard.py.

It is the same dashboard as `streamlit run dashboard.py`, with two differences: the modules the
pages need are imported, and the registry read and checked, when the server starts (a Streamlit
st.App lifespan hook), not while the first visitor waits; and Streamlit's static files (the
JavaScript bundles, 9 MB) are sent gzip-compressed, each compressed once per process
(pantau.static_gzip), where Streamlit alone sends them uncompressed and leaves that to a proxy.
`pantau demo` serves the dashboard this way; behind nginx (deploy/) the proxy compresses and this
middleware is not asked (nginx asks for identity bodies).
"""

from __future__ import annotations

import logging
import sys
from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware

from pantau.config import Config
from pantau.static_gzip import StaticGzip
from views.startup import preload, warm_registry

log = logging.getLogger("pantau.server")


def refuse_internal_without_login() -> None:
    """Internal mode does not start without a login configured (or PANTAU_INTERNAL_NO_LOGIN=1)."""
    from views.auth import startup_problem

    problem = startup_problem(Config.resolve())
    if problem:
        print(f"pantau: {problem}", file=sys.stderr)
        raise SystemExit(1)


@asynccontextmanager
async def warm_start(_app):
    log.info("dashboard modules loaded in %.2f s", preload())
    log.info("registry loaded in %.2f s", warm_registry())
    yield


# Checked as the server loads this file, before it listens: a clear message and exit code 1.
refuse_internal_without_login()
app = st.App("dashboard.py", lifespan=warm_start, middleware=[Middleware(StaticGzip)])
