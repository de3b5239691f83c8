"""Peak memory of `pantau import` on a generated, valid CSV of about 50 MB.

    python scripts/import_memory.py [--mb 50] [--keep DIR]

Writes a small registry and a CSV of manual posts (about 170 bytes a row) into a temporary
folder, imports it into a fresh SQLite file with `python -m pantau import` as a child process,
and prints the child's peak resident memory (ru_maxrss) and its time. The child imports whatever
`pantau` this interpreter finds, so the same script measures another checkout with
`PYTHONPATH=/path/to/checkout python scripts/import_memory.py`. Never part of the tests.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

UNITS = ["bupati", "wabup", "dinkes", "dindik", "dpupr", "kec-cepu", "kec-blora", "kec-randublatung"]
WORDS = ("rapat koordinasi percepatan penurunan stunting bersama kader posyandu dan tim pendamping "
         "keluarga di balai desa pelayanan kesehatan gratis pembangunan jalan").split()


def write_registry(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "units.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit_id", "name", "kind", "parent_id", "code"])
        for unit in UNITS:
            kind = "pimpinan" if unit in ("bupati", "wabup") else "kecamatan" if unit.startswith("kec-") else "opd"
            writer.writerow([unit, unit.title(), kind, "", ""])
    (folder / "sources.csv").write_text("source_id,unit_id,platform,collector,address,options,active\n")


def write_posts(path: Path, megabytes: float) -> int:
    """Valid rows until the file reaches the size; returns the number of rows."""
    limit = int(megabytes * 1_000_000)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit_id", "platform", "url", "published_at", "title", "likes", "comments", "views"])
        while handle.tell() < limit:
            unit = UNITS[rows % len(UNITS)]
            when = start + timedelta(minutes=rows)  # 272k rows reach mid-2025
            title = " ".join(WORDS[(rows + i) % len(WORDS)] for i in range(12))
            writer.writerow([unit, "website", f"https://{unit}.blorakab.example/berita/{rows}",
                             when.strftime("%Y-%m-%dT%H:%M"), title, rows % 500, rows % 40, ""])
            rows += 1
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of the generated CSV (default 50)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        work = (args.keep or Path(temporary)).resolve()
        work.mkdir(parents=True, exist_ok=True)
        write_registry(work / "registry")
        csv_path = work / "posts.csv"
        rows = write_posts(csv_path, args.mb)
        db = work / "import.db"
        db.unlink(missing_ok=True)
        command = [sys.executable, "-m", "pantau", "import", str(csv_path), "--registry", str(work / "registry"),
                   "--db", str(db)]
        began = time.perf_counter()
        log = work / "import.log"
        with log.open("w") as output:
            # cwd: `-m` puts it first on sys.path, where a checkout would shadow PYTHONPATH.
            child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=work)
            # wait4: the resource usage of this one child (ru_maxrss: its peak resident set, KiB).
            _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - began
        code = os.waitstatus_to_exitcode(status)
        print(f"file: {csv_path.stat().st_size / 1e6:.1f} MB, {rows:,} rows")
        print(f"exit {code}: {log.read_text().strip().splitlines()[-1:]}")
        print(f"peak memory of the import: {usage.ru_maxrss / 1024:,.0f} MiB; {seconds:,.0f} s")
        return code


if __name__ == "__main__":
    sys.exit(main())
