"""A province's registry: every regency's leaders and areas, one namespace for all.

From the `idn-area-data` dataset (see pantau/areas.py): for each regency or city of a
province, its two leaders (Bupati and Wakil Bupati, or Wali Kota and Wakil Wali Kota) and its
kecamatan, desa and kelurahan. Unit ids are prefixed with the regency's code without dots
(`3316-kec-jepon`), so they stay unique across regencies; every unit's `code` starts with its
regency's code (leaders carry the regency's own, `33.16`), which is how metrics compare a unit
with its own regency's leaders. A name shared by units of two regencies (Kecamatan Kota exists
in several) gets its regency in parentheses. OPD are not in the dataset: each regency's are
added by hand, with the regency's code, as for Blora.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from pantau.areas import area_units
from pantau.models import Unit


@dataclass(frozen=True)
class Regency:
    code: str
    name: str  # "Blora", "Semarang"
    kota: bool

    @property
    def prefix(self) -> str:
        return self.code.replace(".", "")

    @property
    def title(self) -> str:
        return f"Kota {self.name}" if self.kota else f"Kabupaten {self.name}"


def regency_from_row(code: str, raw_name: str) -> Regency:
    """"KABUPATEN BLORA" -> Blora, kabupaten; "KOTA SEMARANG" -> Semarang, kota."""
    name = raw_name.strip().title()
    for prefix, kota in (("Kabupaten ", False), ("Kota ", True), ("Kab. ", False)):
        if name.startswith(prefix):
            return Regency(code, name[len(prefix):], kota)
    return Regency(code, name, False)


def regencies_of(regencies_csv: Path, province_code: str) -> list[Regency]:
    with regencies_csv.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["province_code"] == province_code]
    if not rows:
        raise ValueError(f"no regency of province {province_code!r} in {regencies_csv}")
    return [regency_from_row(r["code"], r["name"]) for r in sorted(rows, key=lambda r: r["code"])]


def province_name(provinces_csv: Path, province_code: str) -> str:
    with provinces_csv.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["code"] == province_code:
                return row["name"].strip().title()
    raise ValueError(f"no province {province_code!r} in {provinces_csv}")


def leaders(regency: Regency) -> list[Unit]:
    if regency.kota:
        pairs = (("walikota", "Wali Kota"), ("wakil-walikota", "Wakil Wali Kota"))
    else:
        pairs = (("bupati", "Bupati"), ("wakil-bupati", "Wakil Bupati"))
    return [Unit(f"{regency.prefix}-{slug}", f"{title} {regency.name}", "pimpinan", "", regency.code)
            for slug, title in pairs]


def regency_units(area_data: Path, regency: Regency) -> list[Unit]:
    """The regency's leaders and areas, ids prefixed with the regency."""
    areas = area_units(area_data / "districts.csv", area_data / "villages.csv", regency.code)
    prefixed = [replace(u, unit_id=f"{regency.prefix}-{u.unit_id}",
                        parent_id=f"{regency.prefix}-{u.parent_id}" if u.parent_id else "") for u in areas]
    return leaders(regency) + prefixed


def province_units(area_data: Path, province_code: str, keep: list[Unit] | None = None) -> list[Unit]:
    """Every regency's units; `keep` (an existing registry's units) keeps its hand-made OPD and
    leaders' names, whose ids the dataset cannot know."""
    regencies = regencies_of(area_data / "regencies.csv", province_code)
    kept = {u.unit_id: u for u in keep or [] if u.kind in ("pimpinan", "opd")}
    units: list[Unit] = []
    for regency in regencies:
        built = regency_units(area_data, regency)
        built = [kept.pop(u.unit_id, u) for u in built]
        opd = [u for u in kept.values() if u.kind == "opd" and u.unit_id.startswith(regency.prefix + "-")]
        units += built[:2] + opd + built[2:]
    by_regency = {u.unit_id: u.unit_id.split("-", 1)[0] for u in units}
    titles = {r.prefix: r.name for r in regencies}
    # A name two regencies share gets its regency; a name repeated inside one regency (two
    # villages of two kecamatan) is left as the dataset has it, as for one regency.
    regencies_per_name = Counter(name for name, _ in {(u.name, by_regency[u.unit_id]) for u in units})
    shared = {name for name, count in regencies_per_name.items() if count > 1}
    return [replace(u, name=f"{u.name} ({titles[by_regency[u.unit_id]]})") if u.name in shared else u
            for u in units]
