"""Build a regency's kecamatan and villages from the `idn-area-data` dataset.

The dataset (npm package `idn-area-data`, data licence ODbL) carries the official Kemendagri
codes: a district is `PP.RR.DD`, a village `PP.RR.DD.NXXX` where N = 1 marks a kelurahan and
N = 2 a desa. Only the generated CSV is committed, so running Pantau needs no Node.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from pantau.models import Unit

AREA_KINDS = ("kecamatan", "desa", "kelurahan")


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def village_kind(code: str) -> str:
    """Kemendagri village codes: the fourth part starts with 1 for kelurahan, 2 for desa."""
    fourth = code.split(".")[3]
    if fourth.startswith("1"):
        return "kelurahan"
    if fourth.startswith("2"):
        return "desa"
    raise ValueError(f"village code {code!r} is neither kelurahan (1xxx) nor desa (2xxx)")


def area_units(districts_csv: Path, villages_csv: Path, regency_code: str) -> list[Unit]:
    """The kecamatan of a regency followed, each, by its desa and kelurahan."""
    with districts_csv.open(encoding="utf-8") as handle:
        districts = [r for r in csv.DictReader(handle) if r["regency_code"] == regency_code]
    if not districts:
        raise ValueError(f"no district of regency {regency_code!r} in {districts_csv}")
    with villages_csv.open(encoding="utf-8") as handle:
        villages = [r for r in csv.DictReader(handle) if r["code"].startswith(regency_code + ".")]

    units: list[Unit] = []
    taken: set[str] = set()

    def unique(candidate: str, code: str) -> str:
        # Two villages of one kecamatan may share a name; the code keeps their ids apart.
        if candidate in taken:
            candidate = f"{candidate}-{code.replace('.', '')}"
        taken.add(candidate)
        return candidate

    for district in sorted(districts, key=lambda r: r["code"]):
        kec_slug = slug(district["name"])
        kec_id = unique(f"kec-{kec_slug}", district["code"])
        units.append(Unit(kec_id, f"Kecamatan {district['name']}", "kecamatan", "", district["code"]))
        own = sorted((v for v in villages if v["district_code"] == district["code"]), key=lambda r: r["code"])
        for village in own:
            kind = village_kind(village["code"])
            unit_id = unique(f"{kind}-{kec_slug}-{slug(village['name'])}", village["code"])
            label = "Desa" if kind == "desa" else "Kelurahan"
            units.append(Unit(unit_id, f"{label} {village['name']}", kind, kec_id, village["code"]))
    return units


def merge_area_units(existing: Iterable[Unit], areas: list[Unit]) -> list[Unit]:
    """Keep the hand-maintained units (leaders, OPD) and replace every area unit."""
    kept = [u for u in existing if u.kind not in AREA_KINDS]
    return kept + areas
