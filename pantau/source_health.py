"""Each channel's collection health: registry and manual sources joined with the attempt log and
the coverage gaps, and why a channel is not collected (Indonesian, shown on Unit, Tentang Data
and Kesehatan Sumber).

Error texts are redacted when recorded; `health_table` redacts them again before they can reach a
page, to be sure.
"""

from __future__ import annotations

import pandas as pd

from pantau.redaction import redact_text
from pantau.registry import Registry

TOKEN_NEEDS = {"instagram": ("PANTAU_IG_TOKEN", "PANTAU_IG_USER_ID"), "facebook": ("PANTAU_FB_TOKEN",)}
SOURCE_COLUMNS = ["source_id", "unit_id", "platform", "collector", "address", "active"]


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
        return f"tidak dikumpulkan: token {platform_label(platform)} belum diatur"
    if last_status == "not_collectable":
        return "tidak bisa dikumpulkan sebagaimana terdaftar"
    if last_status == "robots_disallowed":
        return "tidak dikumpulkan: robots.txt situs melarang"
    return ""


def platform_label(platform: str) -> str:
    from pantau.labels import PLATFORM_LABELS

    return PLATFORM_LABELS.get(platform, platform)


def health_table(registry: Registry, stored: pd.DataFrame, summary: pd.DataFrame, gaps: pd.DataFrame,
                 credentials: set[str]) -> pd.DataFrame:
    """Registry sources plus manual ones, joined with the attempt summary and gap counts.

    Columns: SOURCE_COLUMNS, the attempt summary's columns (last_error redacted), gaps, reason,
    unit_name, kind.
    """
    frame = pd.DataFrame([(s.source_id, s.unit_id, s.platform, s.collector, s.address, s.active)
                          for s in registry.sources], columns=SOURCE_COLUMNS)
    if not stored.empty:
        manual = stored[stored["collector"] == "manual"][SOURCE_COLUMNS]
        frame = pd.concat([frame, manual], ignore_index=True)
    frame = frame.merge(summary, on="source_id", how="left") if not summary.empty else frame.assign(
        last_attempt=pd.NaT, last_status="", last_success=pd.NaT, failing_streak=0, last_error_at=pd.NaT,
        last_error_kind="", last_error="", last_notice_kind="", last_notice="")
    gap_counts = gaps.groupby("source_id").size() if not gaps.empty else pd.Series(dtype="int64")
    frame["gaps"] = frame["source_id"].map(gap_counts).fillna(0).astype("int64")
    frame["failing_streak"] = frame["failing_streak"].fillna(0).astype("int64")
    frame["last_error"] = [redact_text(str(v)) for v in frame["last_error"].fillna("")]
    frame["last_notice_kind"] = frame["last_notice_kind"].fillna("")
    frame["last_notice"] = [redact_text(str(v)) for v in frame["last_notice"].fillna("")]
    frame["reason"] = [
        not_collected_reason(p, c, bool(a), credentials, "" if pd.isna(s) else str(s), not pd.isna(ok))
        for p, c, a, s, ok in zip(frame["platform"], frame["collector"], frame["active"], frame["last_status"],
                                  frame["last_success"], strict=True)
    ]
    names = {u.unit_id: u.name for u in registry.units}
    kinds = {u.unit_id: u.kind for u in registry.units}
    frame["unit_name"] = frame["unit_id"].map(names).fillna(frame["unit_id"])
    frame["kind"] = frame["unit_id"].map(kinds).fillna("")
    return frame
