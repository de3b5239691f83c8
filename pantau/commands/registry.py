"""pantau registry build: a province's registry (every regency's leaders and areas) from the
idn-area-data dataset.

    npm pack idn-area-data && tar xzf idn-area-data-*.tgz
    pantau registry build --area-data package/data --province 33 --out data/jawa-tengah

units.csv gets, per regency or city, its two leaders and its kecamatan, desa and kelurahan,
with ids prefixed by the regency's code; leaders and OPD already in --out's units.csv are kept.
sources.csv is left as it is (written empty when missing); settings.csv names the province.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from pantau.commands.common import fail
from pantau.registry import RegistryError, Settings, load_registry, write_sources_csv, write_units_csv

NAME = "registry"
HELP = "build a province's registry (every regency's leaders and areas) from the idn-area-data dataset"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("build",), help="build: write units.csv for a province")
    parser.add_argument("--area-data", type=Path, required=True, metavar="DIR",
                        help="idn-area-data's data/ folder (districts.csv, villages.csv, regencies.csv, provinces.csv)")
    parser.add_argument("--province", required=True, metavar="CODE", help="Kemendagri province code, e.g. 33")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="registry folder to write")


def run(args: argparse.Namespace) -> int:
    from pantau.province import province_name, province_units
    from pantau.sim.registry import write_settings

    for name in ("districts.csv", "villages.csv", "regencies.csv", "provinces.csv"):
        if not (args.area_data / name).exists():
            return fail(f"{args.area_data / name}: file not found (is --area-data idn-area-data's data/ folder?)")
    keep = []
    if (args.out / "units.csv").exists():
        try:
            keep = list(load_registry(args.out).units)
        except RegistryError as exc:
            return fail(f"the registry in {args.out} has {len(exc.problems)} problem(s):\n{exc}")
    try:
        title = province_name(args.area_data / "provinces.csv", args.province)
        units = province_units(args.area_data, args.province, keep)
    except ValueError as exc:
        return fail(str(exc))
    args.out.mkdir(parents=True, exist_ok=True)
    write_units_csv(units, args.out / "units.csv")
    if not (args.out / "sources.csv").exists():
        write_sources_csv([], args.out / "sources.csv")
    if not (args.out / "settings.csv").exists():
        write_settings(Settings(regency_name=f"Provinsi {title}"), args.out / "settings.csv")
    load_registry(args.out)  # what was written must load
    counts = Counter(u.kind for u in units)
    regencies = len({u.unit_id.split("-", 1)[0] for u in units})
    print(f"wrote {args.out / 'units.csv'}: {regencies} regencies, "
          + ", ".join(f"{counts[k]} {k}" for k in ("pimpinan", "opd", "kecamatan", "desa", "kelurahan")))
    return 0
