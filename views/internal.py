"""The guard every internal page starts with: internal mode, a signed-in viewer, the right role.

Public mode never registers internal pages, and dashboard.py registers them only for a viewer
whose role may open them; this guard holds too when a page's module is run on its own.
"""

from __future__ import annotations

import streamlit as st

from views import auth, data


def require_internal(ctx: data.Context, roles: tuple[str, ...] = auth.ADMIN_ROLES) -> auth.Viewer | None:
    """The viewer when they may see this page; otherwise None, with the page showing why."""
    if not ctx.internal:
        st.error("Halaman ini hanya tersedia dalam mode internal.")
        return None
    viewer = auth.current_viewer(ctx.config)
    if viewer is None:
        st.error("Halaman ini hanya untuk peninjau yang sudah masuk.")
        auth.login_page()
        return None
    if not viewer.may(roles):
        st.error("Halaman ini hanya untuk admin. Akun Anda berperan peninjau.")
        return None
    return viewer
