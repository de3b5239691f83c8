"""Clerk-edited tables: how their text becomes rows, and how a problem in them is named.

Shared by the registry (units.csv, sources.csv, settings.csv) and the manual-post import
(collectors/spreadsheet.py); a leaf module with no project imports, so the collectors can use it
without reaching the registry.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from urllib.parse import urlparse


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


def parse_table(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header (lower-cased) and one dict per row; a blank row stays as {} to keep row numbers."""
    first_line = text.split("\n", 1)[0]
    # Indonesian Excel saves with `;` because `,` is the decimal separator there.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = list(reader)
    if not rows:
        return [], []
    header = [h.strip().lower() for h in rows[0]]
    records = []
    for values in rows[1:]:
        if not any(v.strip() for v in values):
            records.append({})  # keep row numbering; blank lines are skipped by callers
            continue
        record = {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)}
        records.append(record)
    return header, records


def is_http_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)
