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
from collections.abc import Iterable
from pathlib import Path

from collectors import spreadsheet
from pantau.commands.common import CommandError, config_from, fail, open_store, registry_from
from pantau.failures import describe
from pantau.ingest import save_posts
from pantau.models import CollectionRun
from pantau.store import schema, utcnow

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
    unit_ids, zone, now = {u.unit_id for u in registry.units}, registry.settings.zone, utcnow()
    checked = spreadsheet.read_import(path, unit_ids, zone, now)
    for problem in checked.problems:
        print(problem, file=sys.stderr)
    unreported = checked.invalid_rows - len({p.row for p in checked.problems})
    if unreported > 0:
        print(f"{path}: ... and {unreported} more invalid row(s) not listed", file=sys.stderr)
    if checked.unreadable or (checked.problems and not args.skip_invalid):
        print(f"pantau: nothing imported from {path}" if checked.unreadable
              else f"pantau: nothing imported: {checked.invalid_rows} invalid row(s) in {path}", file=sys.stderr)
        return 1
    store = open_store(config, registry, create=True)
    try:
        new, known = save_manual_posts(store, spreadsheet.iter_posts(path, unit_ids, zone, now), str(path))
    except ImportWriteError as exc:
        print(exc, file=sys.stderr)
        print(f"pantau: nothing imported from {path} (the store refused a row; no row was kept)", file=sys.stderr)
        return 1
    finally:
        store.dispose()
    summary = f"{path}: {new} new, {known} already known"
    if checked.problems:
        summary += f"; {checked.invalid_rows} invalid row(s) skipped"
    if checked.notes:
        summary += f"; {checked.notes} note row(s) starting with # ignored"
    print(summary)
    return 0


class ImportWriteError(Exception):
    """The store refused a row that passed validation; the whole import was rolled back."""


# Posts written per statement group; the whole import is still one transaction.
BATCH = 2000


def save_manual_posts(store, posts: Iterable[spreadsheet.ManualPost], file: str = "") -> tuple[int, int]:
    """Store the posts under their manual sources, with one successful attempt per source.

    All in one transaction: on any error nothing is stored and ImportWriteError names the
    FILE:ROW:COLUMN of the row being written (found by checking that batch's values against the
    store's bounded columns). Posts arrive as a stream and are written in batches per source, so
    a large file is never held whole.
    """
    started = utcnow()
    pending: dict[tuple[str, str], list[spreadsheet.ManualPost]] = defaultdict(list)
    counts: dict[tuple[str, str], list[int]] = {}  # per source touched: seen, new

    def flush(key: tuple[str, str]) -> None:
        group = pending.pop(key, [])
        if not group:
            return
        try:
            seen, new = save_posts(store, key[0], key[1], [p.to_post() for p in group])
        except Exception as exc:
            raise ImportWriteError(_where(file, group, exc)) from exc
        counts[key][0] += seen
        counts[key][1] += new

    try:
        with store.transaction():
            for post in posts:
                key = (post.unit_id, post.platform)
                if key not in counts:
                    store.ensure_source(spreadsheet.manual_source(*key))
                    counts[key] = [0, 0]
                pending[key].append(post)
                if len(pending[key]) >= BATCH:
                    flush(key)
            for key in sorted(pending):
                flush(key)
            for (unit_id, platform), (seen, new) in sorted(counts.items()):
                store.record_attempt(CollectionRun(
                    source_id=spreadsheet.manual_source_id(unit_id, platform), started_at=started,
                    finished_at=utcnow(), ok=True, status="ok", items_seen=seen, items_new=new, requests=0,
                    route="manual"))
    except ImportWriteError:
        raise
    except Exception as exc:  # ensure_source or record_attempt refused: no row of the file to name
        raise ImportWriteError(f"{file}:0:-: the store refused the import: {describe(exc)}") from exc
    total_new = sum(new for _seen, new in counts.values())
    total_seen = sum(seen for seen, _new in counts.values())
    return total_new, total_seen - total_new


def _where(file: str, group: list[spreadsheet.ManualPost], exc: Exception) -> str:
    """FILE:ROW:COLUMN of the first post in `group` with a value the store cannot hold."""
    for post in group:
        for column, value in (("url", post.url), ("unit_id", post.unit_id), ("platform", post.platform),
                              ("likes", post.likes), ("comments", post.comments), ("views", post.views)):
            if not fits(column, value):
                return f"{file}:{post.row}:{column}: the store cannot hold this value ({describe(exc)})"
    rows = f"{group[0].row}" if len(group) == 1 else f"{group[0].row}-{group[-1].row}"
    return f"{file}:{group[0].row}:-: the store refused row(s) {rows}: {describe(exc)}"


def fits(column: str, value) -> bool:
    """Whether a manual post's value fits the store's column (String lengths, INTEGER range)."""
    if value is None:
        return True
    if isinstance(value, int):
        return 0 <= value <= spreadsheet.MAX_COUNT
    limit = {"url": schema.posts.c.external_id.type.length, "unit_id": schema.posts.c.unit_id.type.length,
             "platform": schema.posts.c.platform.type.length}.get(column)
    return limit is None or len(str(value)) <= limit


def write_template(path: Path) -> int:
    if path.suffix.lower() not in spreadsheet.SUFFIXES:
        return fail(f"{path}: the template must end in .csv or .xlsx")
    if path.exists():
        return fail(f"{path}: already exists; not overwritten")
    spreadsheet.write_template(path)
    print(f"template written to {path}")
    return 0
