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
from urllib.parse import urljoin, urlsplit

# The project's data folder (pantau.config.DATA_DIR): named here so this module stays a leaf the
# collectors may import.
PRESETS_FILE = Path(__file__).resolve().parent.parent / "data" / "listing_presets.csv"
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


@dataclass(frozen=True)
class PresetMatch:
    preset: str
    address: str  # the listing to register
    evidence: str


def match_page(url: str, soup) -> PresetMatch | None:
    """The preset a fetched page shows signs of (for `pantau discover`), or None.

    The page is the listing itself when its path is the preset's listing path and the preset's
    selectors find linked items on it; otherwise a link on the page to that listing path
    (a home page linking its news) is proposed.
    """
    path = urlsplit(url).path or "/"
    for preset in load_presets().values():
        if preset.matches_path(path):
            items = soup.select(preset.options["item"]) if preset.options.get("item") else []
            linked = [i for i in items if i.select_one(preset.options.get("link") or "a[href]") is not None]
            if linked:
                return PresetMatch(preset.name, url, f"{len(linked)} items match the {preset.name} preset")
    for preset in load_presets().values():
        for anchor in soup.find_all("a", href=True):
            target = urljoin(url, anchor["href"].strip())
            if urlsplit(target).netloc == urlsplit(url).netloc and preset.matches_path(urlsplit(target).path):
                return PresetMatch(preset.name, target, f"links to a {preset.name} news listing")
    return None
