"""pantau summary: the static public summary page (last complete week) as one HTML file."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pantau.commands.common import CommandError, config_from, fail, open_store, registry_from
from pantau.config import reference_date
from pantau.summary_page import render, week_table

NAME = "summary"
HELP = "write the static public summary page (last complete week; no JavaScript) to a file"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="FILE", help="HTML file to write (default: standard output); "
                                                     "replaced atomically, so nginx never serves half a page")
    parser.add_argument("--dashboard-url", default="/", help="where the link to the full dashboard points "
                                                             "(default /)")


def run(args: argparse.Namespace) -> int:
    try:
        config = config_from(args)
        registry = registry_from(config)
        today = reference_date(registry.settings.timezone)
    except (CommandError, ValueError) as exc:
        return fail(str(exc))
    store = open_store(config)
    try:
        table, start, end = week_table(store, registry, today)
    finally:
        store.dispose()
    made = datetime.now(UTC).astimezone(ZoneInfo(registry.settings.timezone))
    page = render(table, registry, start, end, made, args.dashboard_url, simulated=config.simulated)
    if not args.out:
        sys.stdout.write(page)
        return 0
    out = Path(args.out)
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(page, encoding="utf-8")
    os.chmod(temporary, 0o644)
    temporary.replace(out)
    return 0
