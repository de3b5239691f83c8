"""The channels of units with their collection health, as shown on Unit, Tentang Data and
Kesehatan Sumber. Error texts (already redacted by the collectors) appear only in internal mode.
"""

from __future__ import annotations

import pandas as pd

# Error texts are redacted when recorded; they are redacted again before display, to be sure.
from collectors.http import redact_text
from views import auth, data
from views.common import KIND_LABELS, PLATFORM_LABELS, fmt_moment

TOKEN_NEEDS = {"instagram": ("PANTAU_IG_TOKEN", "PANTAU_IG_USER_ID"), "facebook": ("PANTAU_FB_TOKEN",)}


def not_collected_reason(platform: str, collector: str, active: bool, credentials: set[str],
                         last_status: str = "", ever_succeeded: bool = False) -> str:
    """Why a channel is not collected (Indonesian), or '' when it is.

    The attempt log speaks first: the collector may run with tokens this dashboard never holds.
    """
    if platform == "x" or not collector:
        return "tidak dikumpulkan: X belum punya jalur pengumpulan publik yang resmi"
    if not active:
        return "tidak aktif: alamat belum diverifikasi"
    missing = [name for name in TOKEN_NEEDS.get(collector, ()) if name not in credentials]
    if missing and not ever_succeeded and last_status in ("", "not_collectable"):
        return f"tidak dikumpulkan: token {PLATFORM_LABELS.get(platform, platform)} belum diatur"
    if last_status == "not_collectable":
        return "tidak bisa dikumpulkan sebagaimana terdaftar"
    if last_status == "robots_disallowed":
        return "tidak dikumpulkan: robots.txt situs melarang"
    return ""


def sources_frame(ctx: data.Context) -> pd.DataFrame:
    """Registry sources plus manual ones, joined with the attempt summary and gap counts."""
    registry = pd.DataFrame([(s.source_id, s.unit_id, s.platform, s.collector, s.address, s.active)
                             for s in ctx.registry.sources],
                            columns=["source_id", "unit_id", "platform", "collector", "address", "active"])
    stored = data.stored_sources(ctx.db)
    if not stored.empty:
        manual = stored[stored["collector"] == "manual"][registry.columns]
        registry = pd.concat([registry, manual], ignore_index=True)
    summary = data.attempt_summary(ctx.db)
    frame = registry.merge(summary, on="source_id", how="left") if not summary.empty else registry.assign(
        last_attempt=pd.NaT, last_status="", last_success=pd.NaT, failing_streak=0, last_error_at=pd.NaT,
        last_error_kind="", last_error="")
    gaps = data.gaps(ctx.db)
    gap_counts = gaps.groupby("source_id").size() if not gaps.empty else pd.Series(dtype="int64")
    frame["gaps"] = frame["source_id"].map(gap_counts).fillna(0).astype("int64")
    frame["failing_streak"] = frame["failing_streak"].fillna(0).astype("int64")
    credentials = set(ctx.config.credentials)
    frame["reason"] = [
        not_collected_reason(p, c, bool(a), credentials, "" if pd.isna(s) else str(s), not pd.isna(ok))
        for p, c, a, s, ok in zip(frame["platform"], frame["collector"], frame["active"], frame["last_status"],
                                  frame["last_success"], strict=True)
    ]
    names = {u.unit_id: u.name for u in ctx.registry.units}
    kinds = {u.unit_id: u.kind for u in ctx.registry.units}
    frame["unit_name"] = frame["unit_id"].map(names).fillna(frame["unit_id"])
    frame["kind"] = frame["unit_id"].map(kinds).fillna("")
    return frame


def source_rows(ctx: data.Context, unit_id: str | None = None, internal: bool | None = None,
                scope: set[str] | None = None) -> pd.DataFrame:
    """The table shown to readers; error details only when internal (by default: internal mode and a
    signed-in viewer whose scope holds the unit). `scope` limits the rows to those units."""
    frame = sources_frame(ctx)
    if internal is None:
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
        out["Galat terakhir"] = [redact_text(str(v)) for v in frame["last_error"].fillna("")]
        out["Celah cakupan"] = frame["gaps"]
    return out.reset_index(drop=True)
