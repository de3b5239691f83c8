"""pantau recap: the WhatsApp-ready text summary of one ISO week."""

from __future__ import annotations

import argparse
from datetime import timedelta

from pantau import calendar, loading, metrics
from pantau.commands.common import EARLIEST_DATE, LATEST_DATE, CommandError, fail
from pantau.commands.reports import report_from
from pantau.recap import recap_text

NAME = "recap"
HELP = "WhatsApp-ready text summary of a week (default: the last complete week)"


def week_type(value: str):
    try:
        monday = calendar.parse_week(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    if not EARLIEST_DATE <= monday.date() <= LATEST_DATE:
        raise argparse.ArgumentTypeError(f"{value} is outside {EARLIEST_DATE} .. {LATEST_DATE}")
    return monday


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--week", type=week_type, metavar="YYYY-Www",
                        help="ISO week, e.g. 2025-W37 (default: the last complete week)")


def weekly_for(store, registry, monday, today):
    facts = loading.load_facts(store, registry, monday.date(), today)
    return metrics.weekly_table(facts, monday.date(), (monday + timedelta(days=6)).date())


def run(args: argparse.Namespace) -> int:
    try:
        report = report_from(args)
    except CommandError as exc:
        return fail(str(exc))
    monday = args.week if args.week is not None else calendar.last_complete_week(report.today)
    weekly = report.read(lambda store, registry, today: weekly_for(store, registry, monday, today))
    print(recap_text(weekly, report.registry.settings))
    return 0
