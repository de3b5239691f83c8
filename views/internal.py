"""A guard for internal pages: public mode never registers them, and they refuse to render there."""

from __future__ import annotations

import streamlit as st

from views import data


def require_internal(ctx: data.Context) -> bool:
    if ctx.internal:
        return True
    st.error("Halaman ini hanya tersedia dalam mode internal.")
    return False
