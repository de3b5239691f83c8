"""pantau summary: the static public summary page (last complete week) as one HTML file."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pantau.commands.common import CommandError, fail, output_file
from pantau.commands.reports import report_from
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
        output_file(args.out)
        report = report_from(args)
    except CommandError as exc:
        return fail(str(exc))
    table, start, end = report.read(week_table)
    registry = report.registry
    made = datetime.now(UTC).astimezone(ZoneInfo(registry.settings.timezone))
    page = render(table, registry, start, end, made, args.dashboard_url, simulated=report.config.simulated)
    if not args.out:
        sys.stdout.write(page)
        return 0
    out = Path(args.out)
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(page, encoding="utf-8")
    os.chmod(temporary, 0o644)
    temporary.replace(out)
    return 0
