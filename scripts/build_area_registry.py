"""Regenerate the kecamatan/desa/kelurahan rows of a registry's units.csv.

    npm pack idn-area-data && tar xzf idn-area-data-*.tgz
    python scripts/build_area_registry.py --area-data package/data --regency 33.16 --registry data/blora

Leaders and OPD rows already in units.csv are kept; area rows are rebuilt from the dataset.
Works for any regency or city code (e.g. 33.74 for Kota Semarang).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pantau.areas import area_units, merge_area_units
from pantau.registry import read_table, validate_units, write_units_csv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--area-data", type=Path, required=True, help="idn-area-data's data/ folder")
    parser.add_argument("--regency", required=True, help="Kemendagri regency code, e.g. 33.16")
    parser.add_argument("--registry", type=Path, required=True, help="registry folder to update")
    args = parser.parse_args()

    units_path = args.registry / "units.csv"
    existing = []
    if units_path.exists():
        _, rows = read_table(units_path)
        existing, _ = validate_units(rows, str(units_path))
    areas = area_units(args.area_data / "districts.csv", args.area_data / "villages.csv", args.regency)
    args.registry.mkdir(parents=True, exist_ok=True)
    merged = merge_area_units(existing, areas)
    write_units_csv(merged, units_path)
    counts = {k: sum(1 for u in merged if u.kind == k) for k in ("pimpinan", "opd", "kecamatan", "desa", "kelurahan")}
    print(f"wrote {units_path}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))


if __name__ == "__main__":
    main()
