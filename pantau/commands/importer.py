"""pantau import: manual posts from a CSV/XLSX file, validated before anything is written.

Every invalid row is reported as FILE:ROW:COLUMN: message and, unless --skip-invalid is given,
nothing is written and the exit code is 1. With --skip-invalid the valid rows are written, the
invalid ones reported, and the exit code is 0. Rows go to the per-unit, per-platform source
`manual:<unit_id>:<platform>`, keyed by their URL, so importing a file twice adds nothing. Each
source touched gets a successful attempt (route "manual"): a manual import counts as a source
that worked on the day of the import.

`--template FILE.csv|FILE.xlsx` writes a blank file with an example row and Indonesian notes;
those rows start with '#', so importing the untouched template is valid and adds nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from collectors import spreadsheet
from pantau.commands.common import CommandError, config_from, fail, open_store, registry_from
from pantau.ingest import save_posts
from pantau.models import CollectionRun
from pantau.store import utcnow

NAME = "import"
HELP = "import manual posts from a CSV/XLSX file (or write the template with --template)"


EPILOG = """\
Columns: unit_id, platform, url, published_at, title, likes, comments, views.
published_at: ISO 8601, "10/9/2025 14.30" (day first) or "Rabu, 10 September 2025"; WIB unless stated.
Rows whose unit_id starts with # are notes and are ignored (the template's notes and example row).
Exit 0 when imported; 1 when a row is invalid (nothing written unless --skip-invalid); 2 wrong usage."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("file", nargs="?", metavar="FILE", help="FILE.csv or FILE.xlsx with the manual posts")
    parser.add_argument("--skip-invalid", action="store_true",
                        help="write the valid rows and report the invalid ones (default: write nothing)")
    parser.add_argument("--template", metavar="FILE",
                        help="write a blank template (.csv or .xlsx) with an example row and notes, then stop")


def run(args: argparse.Namespace) -> int:
    if bool(args.file) == bool(args.template):
        print("pantau import: give either FILE or --template FILE", file=sys.stderr)
        return 2
    if args.template:
        return write_template(Path(args.template))
    try:
        config = config_from(args)
        registry = registry_from(config)
    except CommandError as exc:
        return fail(str(exc))
    path = Path(args.file)
    if not path.is_file():
        return fail(f"{path}: file not found")
    checked = spreadsheet.read_import(path, {u.unit_id for u in registry.units}, registry.settings.zone)
    for problem in checked.problems:
        print(problem, file=sys.stderr)
    if checked.problems and (not args.skip_invalid or any(p.row < 2 for p in checked.problems)):
        print(f"pantau: nothing imported: {checked.invalid_rows} invalid row(s) in {path}", file=sys.stderr)
        return 1
    store = open_store(config, registry, create=True)
    try:
        new, known = save_manual_posts(store, checked.posts)
    finally:
        store.dispose()
    summary = f"{path}: {new} new, {known} already known"
    if checked.problems:
        summary += f"; {checked.invalid_rows} invalid row(s) skipped"
    if checked.notes:
        summary += f"; {checked.notes} note row(s) starting with # ignored"
    print(summary)
    return 0


def save_manual_posts(store, posts: list[spreadsheet.ManualPost]) -> tuple[int, int]:
    """Store the posts under their manual sources; record one successful attempt per source."""
    by_source: dict[tuple[str, str], list[spreadsheet.ManualPost]] = defaultdict(list)
    for post in posts:
        by_source[(post.unit_id, post.platform)].append(post)
    total_new = total_known = 0
    for (unit_id, platform), group in sorted(by_source.items()):
        started = utcnow()
        source = spreadsheet.manual_source(unit_id, platform)
        store.ensure_source(source)
        seen, new = save_posts(store, unit_id, platform, [p.to_post() for p in group])
        store.record_attempt(CollectionRun(
            source_id=source.source_id, started_at=started, finished_at=utcnow(), ok=True, status="ok",
            items_seen=seen, items_new=new, requests=0, route="manual"))
        total_new += new
        total_known += seen - new
    return total_new, total_known


def write_template(path: Path) -> int:
    if path.suffix.lower() not in spreadsheet.SUFFIXES:
        return fail(f"{path}: the template must end in .csv or .xlsx")
    if path.exists():
        return fail(f"{path}: already exists; not overwritten")
    spreadsheet.write_template(path)
    print(f"template written to {path}")
    return 0
