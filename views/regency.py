"""The sidebar's "Kabupaten/kota" for a registry of several regencies (a province).

Which regency a page shows is, in order: `?kabupaten=<code>` in the URL (so a link can be
shared), the regency of the unit in the URL (Unit), the regency this visitor last picked on
another page, then the first regency; Provinsi starts on the whole province instead. The choice is
written back to the URL. A registry of one regency (Blora) gets no selector and pages as before.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pantau.regencies import within_regency
from views import data
from views.common import md_text

PARAM = "kabupaten"
PROVINCE = ""  # Provinsi's whole-province view
REMEMBERED = "kabupaten-terakhir"  # session state: the last regency picked, for the next page


def pick_regency(ctx: data.Context, page: str, province_view: bool = False, unit_id: str | None = None) -> str | None:
    """The regency the page shows (a code such as "33.74"); None for a registry of one regency,
    and PROVINCE on Provinsi's whole-province view. `unit_id`: the unit the URL names (Unit)."""
    choices = data.regency_choices(ctx.reg)
    if len(choices) < 2:
        return None
    names = dict(zip(choices["regency"], choices["name"], strict=True))
    options = ([PROVINCE] if province_view else []) + list(names)
    default = PROVINCE if province_view else _default_regency(ctx, options, unit_id)
    wanted = st.query_params.get(PARAM)
    if wanted is not None and wanted not in options:
        st.sidebar.warning(f"Kabupaten/kota dengan kode **{md_text(wanted)}** tidak ada di registri; "
                           f"ditampilkan {md_text(_label(names, default))}.", icon=":material/help:")
        wanted = None
    chosen = st.sidebar.selectbox("Kabupaten/kota", options, index=options.index(default if wanted is None else wanted),
                                  format_func=lambda code: _label(names, code), key=f"kabupaten-{page}")
    if chosen == PROVINCE:
        st.query_params.pop(PARAM, None)
    else:
        st.query_params[PARAM] = chosen
        st.session_state[REMEMBERED] = chosen
    return chosen


def _default_regency(ctx: data.Context, options: list[str], unit_id: str | None) -> str:
    if unit_id is not None:  # a link to a unit opens the unit's own regency
        unit = next((u for u in ctx.registry.units if u.unit_id == unit_id), None)
        code = ".".join(unit.code.split(".")[:2]) if unit is not None and unit.code else ""
        if code in options:
            return code
    remembered = st.session_state.get(REMEMBERED)
    return remembered if remembered in options else options[0]


def _label(names: dict[str, str], code: str) -> str:
    return "Seluruh provinsi" if code == PROVINCE else names.get(code, code)


def regency_name(ctx: data.Context, regency: str | None) -> str:
    """The chosen regency's name, for a page's sub-heading ("" without one)."""
    if not regency:
        return ""
    choices = data.regency_choices(ctx.reg)
    return dict(zip(choices["regency"], choices["name"], strict=True)).get(regency, regency)


def only_regency(frame: pd.DataFrame, ctx: data.Context, regency: str | None) -> pd.DataFrame:
    """A frame's rows of the chosen regency (with its own leaders' reference); all of it without one."""
    if not regency:
        return frame
    if "code" in frame.columns:
        return within_regency(frame, regency)
    own = frame[frame["unit_id"].isin(data.regency_units(ctx.reg, regency))].copy()
    own.attrs = dict(frame.attrs)
    return own


def regency_units(ctx: data.Context, regency: str | None) -> list:
    """The registry's units of the chosen regency (every unit without one), in registry order."""
    if not regency:
        return list(ctx.registry.units)
    ids = data.regency_units(ctx.reg, regency)
    return [u for u in ctx.registry.units if u.unit_id in ids]
