"""Simulated regencies side by side: the units of several regencies in one world.

Unit ids carry the regency's code (`3316-bupati`), and every unit's `code` starts with its
regency's Kemendagri code (`33.16`, `33.16.01`, `33.16.01.2001`), which is how metrics group a
regency's units. `synthetic_regency` makes a small regency-shaped set of units without the
area dataset (tests, CI); `pantau.province` builds the real ones.
"""

from __future__ import annotations

from pantau.models import Unit
from pantau.sim.world import PLACES


def regency_prefix(code: str) -> str:
    return code.replace(".", "")


def synthetic_regency(code: str, name: str, kota: bool = False, opd: int = 6, kecamatan: int = 3,
                      villages: int = 8) -> list[Unit]:
    """Leaders, `opd` OPD, `kecamatan` kecamatan with `villages` villages each, all coded."""
    prefix = regency_prefix(code)
    head, deputy = ("Wali Kota", "Wakil Wali Kota") if kota else ("Bupati", "Wakil Bupati")
    units = [Unit(f"{prefix}-{'walikota' if kota else 'bupati'}", f"{head} {name}", "pimpinan", "", code),
             Unit(f"{prefix}-{'wakil-walikota' if kota else 'wakil-bupati'}", f"{deputy} {name}", "pimpinan", "", code)]
    units += [Unit(f"{prefix}-opd-{i:02d}", f"Dinas {i} {name}", "opd", "", code, verified=False) for i in range(opd)]
    for k in range(kecamatan):
        kec_code = f"{code}.{k + 1:02d}"
        kec_id = f"{prefix}-kec-{k + 1:02d}"
        place = f"{PLACES[k % len(PLACES)]} {name}"
        units.append(Unit(kec_id, f"Kecamatan {place}", "kecamatan", "", kec_code))
        for v in range(villages):
            kind = "kelurahan" if kota else "desa"
            village_code = f"{kec_code}.{1 if kota else 2}{v + 1:03d}"
            label = "Kelurahan" if kota else "Desa"
            units.append(Unit(f"{prefix}-{kind}-{k + 1:02d}-{v + 1:03d}", f"{label} {v + 1} {place}", kind, kec_id,
                              village_code))
    return units


def with_simulated_opd(units: list[Unit], per_regency: int) -> list[Unit]:
    """A province registry's units with `per_regency` made-up OPD after each regency's leaders
    (the dataset has no OPD; the simulation needs them for the OPD channel variants)."""
    out: list[Unit] = []
    for unit in units:
        out.append(unit)
        if unit.kind == "pimpinan" and unit.unit_id.endswith(("-wakil-bupati", "-wakil-walikota")):
            prefix = unit.unit_id.split("-", 1)[0]
            regency = unit.name.split(" ", 2)[-1] if "Wali Kota" not in unit.name else unit.name.split(" ", 3)[-1]
            out += [Unit(f"{prefix}-opd-sim-{i:02d}", f"Dinas Simulasi {i} {regency}", "opd", "", unit.code,
                         verified=False) for i in range(per_regency)]
    return out
