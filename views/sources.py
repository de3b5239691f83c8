"""The channels of units with their collection health, as shown on Unit, Tentang Data and
Kesehatan Sumber. Error texts (redacted by pantau.source_health) appear only in internal mode.
"""

from __future__ import annotations

import pandas as pd

from pantau.labels import KIND_LABELS, PLATFORM_LABELS
from pantau.source_health import health_table
from views import data
from views.common import fmt_moment


def sources_frame(ctx: data.Context) -> pd.DataFrame:
    """Every channel with its collection health (pantau.source_health.health_table)."""
    return health_table(ctx.registry, data.stored_sources(ctx.db), data.attempt_summary(ctx.db), data.gaps(ctx.db),
                        set(ctx.config.credentials))


def source_rows(ctx: data.Context, unit_id: str | None = None, internal: bool | None = None,
                scope: set[str] | None = None) -> pd.DataFrame:
    """The table shown to readers; error details only when internal (by default: internal mode and a
    signed-in viewer whose scope holds the unit). `scope` limits the rows to those units."""
    frame = sources_frame(ctx)
    if internal is None:
        internal = False
        if ctx.internal:  # public mode never loads the login machinery
            from views import auth

            viewer = auth.current_viewer(ctx.config)
            allowed = auth.scope_units(viewer, ctx.registry)
            internal = viewer is not None and (allowed is None or unit_id in allowed)
    if unit_id is not None:
        frame = frame[frame["unit_id"] == unit_id]
    if scope is not None:
        frame = frame[frame["unit_id"].isin(scope)]
    out = pd.DataFrame({
        "Unit": frame["unit_name"],
        "Jenis": frame["kind"].map(KIND_LABELS),
        "Kanal": frame["platform"].map(PLATFORM_LABELS).fillna(frame["platform"]),
        "Pengumpul": frame["collector"].replace({"": "—", "manual": "impor manual"}),
        "Alamat": frame["address"].replace({"": "—"}),
        "Keadaan": [r or ("gagal beruntun" if f > 0 else "dikumpulkan")
                    for r, f in zip(frame["reason"], frame["failing_streak"], strict=True)],
        "Berhasil terakhir": [fmt_moment(v, ctx.zone) for v in frame["last_success"]],
        "Gagal beruntun": frame["failing_streak"],
    })
    if internal:
        out["Percobaan terakhir"] = [fmt_moment(v, ctx.zone) for v in frame["last_attempt"]]
        out["Jenis galat"] = frame["last_error_kind"].fillna("")
        out["Galat terakhir"] = frame["last_error"]
        # What the last successful attempt noted: ids changed upstream, items skipped.
        out["Catatan terakhir"] = [f"{k}: {t}" if k else t
                                   for k, t in zip(frame["last_notice_kind"], frame["last_notice"], strict=True)]
        out["Celah cakupan"] = frame["gaps"]
    return out.reset_index(drop=True)
