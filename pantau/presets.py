"""Ready-made `html_listing` options for CMSs many units share, so a clerk writes no selectors.

The presets are data: `data/listing_presets.csv`, one row per preset with its CSS selectors
(`item, title, link, date, next`; `date` = `page` reads each new item's date from its own page)
and `listing_path`, a regular expression on the path of the CMS's news listing that
`pantau discover` uses to propose the preset. A source names one in its options,
`{"preset": "blorakab"}`; options written beside it win over the preset's.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pantau.config import DATA_DIR

PRESETS_FILE = DATA_DIR / "listing_presets.csv"
SELECTOR_COLUMNS = ("item", "title", "link", "date", "next")


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    options: dict[str, str]
    listing_path: re.Pattern

    def matches_path(self, path: str) -> bool:
        return bool(self.listing_path.search(path))


@cache
def load_presets(path: Path = PRESETS_FILE) -> dict[str, Preset]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    presets = {}
    for row in rows:
        name = (row.get("preset") or "").strip()
        if not name:
            continue
        options = {key: row[key].strip() for key in SELECTOR_COLUMNS if (row.get(key) or "").strip()}
        presets[name] = Preset(name, (row.get("description") or "").strip(), options,
                               re.compile((row.get("listing_path") or "").strip() or r"(?!)"))
    return presets


def resolve(options: dict[str, Any]) -> dict[str, Any]:
    """A source's options with its preset's selectors filled in; KeyError for an unknown preset."""
    name = options.get("preset")
    if not name:
        return dict(options)
    preset = load_presets()[str(name)]
    return {**preset.options, **{k: v for k, v in options.items() if k != "preset"}}
