"""Writers for exports: CSV (UTF-8 with BOM, so Excel opens it right), XLSX and JSON.

Every export is a DataFrame first; these functions only serialise it. Booleans are written as
`true`/`false` and an undefined number as an empty cell (null in JSON). CSV and XLSX are opened
in spreadsheets, so their text cells never carry a live formula (`pantau.formulas`), and CSV
quotes every text cell: Indonesian Excel splits on `;`, and a quoted `;` stays inside its cell.
A post's `url` is exported only when it is an http(s) link (`pantau.links`), in every format.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from datetime import date
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

import pandas as pd

from pantau.calendar import day_bounds
from pantau.formulas import neutralise_frame, write_xlsx
from pantau.links import safe_link
from pantau.redaction import redact_secrets
from pantau.screening import reasons_text
from pantau.store import Store

FORMATS = ("csv", "xlsx", "json")
POST_COLUMNS = ("unit_id", "source_id", "platform", "external_id", "url", "title", "published_at",
                "likes", "comments", "views", "flags", "flag_reasons")


def posts_export(store: Store, zone: ZoneInfo, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    lower, upper = day_bounds(start, end, zone)
    frame = store.posts_frame(lower, upper)
    if frame.empty:
        return pd.DataFrame(columns=list(POST_COLUMNS))
    out = frame.sort_values(["published_at", "unit_id", "source_id", "external_id"]).copy()
    out["published_at"] = [ts.tz_convert(zone).isoformat() for ts in out["published_at"]]
    # A javascript: or data: address must not become a link in whatever opens the export.
    out["url"] = [safe_link(u) or "" for u in out["url"]]
    for column in ("likes", "comments", "views"):
        out[column] = out[column].astype("Int64")
    # Why each flag was raised (class, words, context rules), so a reader of the export can check it.
    out["flag_reasons"] = [reasons_text(f, t) for f, t in zip(out["flags"], out["flag_terms"], strict=True)]
    return out[list(POST_COLUMNS)].reset_index(drop=True)


REVIEW_COLUMNS = ("source_id", "external_id", "unit_id", "url", "title", "mark", "reviewer", "reviewer_name",
                  "note", "reviewed_at", "current")


def reviews_export(store: Store, zone: ZoneInfo, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Every review mark ever given (the audit trail), oldest first, marks given on the local days
    start..end; `current` is true for the mark a post has now, false for one a later mark replaced."""
    frame = store.review_history_frame()
    if frame.empty:
        return pd.DataFrame(columns=list(REVIEW_COLUMNS))
    # The last mark of each post is its current one (history is oldest first, ties by id).
    frame["current"] = ~frame.duplicated(["source_id", "external_id"], keep="last")
    lower, upper = day_bounds(start, end, zone)
    if lower is not None:
        frame = frame[frame["reviewed_at"] >= lower]
    if upper is not None:
        frame = frame[frame["reviewed_at"] < upper]
    out = frame.copy()
    out["reviewed_at"] = [ts.tz_convert(zone).isoformat() for ts in out["reviewed_at"]]
    out["url"] = [safe_link(u) or "" for u in out["url"]]
    out["title"] = out["title"].fillna("")
    out["unit_id"] = out["unit_id"].fillna("")
    return out[list(REVIEW_COLUMNS)].reset_index(drop=True)


def _cell(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return value


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Booleans as true/false and missing values as empty cells, the way the contract says."""
    out = frame.copy().astype(object)
    for column in out.columns:
        out[column] = [
            "" if (v := _cell(value)) is None else ("true" if v is True else "false" if v is False else v)
            for value in out[column]
        ]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV as Excel opens it right: UTF-8 with BOM, text quoted, formulas neutralised."""
    buffer = io.StringIO()
    neutralise_frame(_text_frame(frame)).to_csv(buffer, index=False, lineterminator="\n",
                                                quoting=csv.QUOTE_NONNUMERIC)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_frame(frame: pd.DataFrame, fmt: str, out: str | None) -> None:
    """Write to a file, or to standard output when out is None or '-'."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    to_stdout = out in (None, "-")
    if fmt == "xlsx" and to_stdout:
        raise ValueError("XLSX needs --out FILE")
    _write_bytes(frame_bytes(frame, fmt), None if to_stdout else Path(out))


def frame_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """The bytes of an export in one of FORMATS: what the CLI writes and the Ekspor page offers."""
    frame = _masked(frame)
    if fmt == "xlsx":
        return xlsx_bytes(frame)
    if fmt == "json":
        records = [{k: _cell(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
        return json.dumps(records, ensure_ascii=False, indent=1, default=str).encode("utf-8")
    if fmt == "csv":
        return csv_bytes(frame)
    raise ValueError(f"unknown format {fmt!r}")


def _masked(frame: pd.DataFrame) -> pd.DataFrame:
    """Every configured secret masked in every text cell (an API that echoed its token into a
    post, stored before masking existed), in every format."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = [redact_secrets(v) if isinstance(v, str) else v for v in out[column]]
    return out


def xlsx_bytes(frame: pd.DataFrame) -> bytes:
    """XLSX whose text cells are never formulas (pantau.formulas)."""
    buffer = io.BytesIO()
    write_xlsx(frame, buffer)
    return buffer.getvalue()


def _write_bytes(payload: bytes, path: Path | None) -> None:
    if path is None:
        stream: BinaryIO = sys.stdout.buffer
        stream.write(payload)
        stream.flush()
    else:
        path.write_bytes(payload)
