"""pantau recap: the WhatsApp-ready text summary of one ISO week."""

from __future__ import annotations

import argparse
from datetime import timedelta

from pantau import calendar, loading, metrics
from pantau.commands.common import CommandError, config_from, fail, open_store, registry_from
from pantau.config import reference_date
from pantau.recap import recap_text

NAME = "recap"
HELP = "WhatsApp-ready text summary of a week (default: the last complete week)"


def week_type(value: str):
    try:
        return calendar.parse_week(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--week", type=week_type, metavar="YYYY-Www",
                        help="ISO week, e.g. 2025-W37 (default: the last complete week)")


def weekly_for(store, registry, monday, today):
    facts = loading.load_facts(store, registry, monday.date(), today)
    return metrics.weekly_table(facts, monday.date(), (monday + timedelta(days=6)).date())


def run(args: argparse.Namespace) -> int:
    try:
        config = config_from(args)
        registry = registry_from(config)
        today = reference_date(registry.settings.timezone)
    except (CommandError, ValueError) as exc:
        return fail(str(exc))
    monday = args.week if args.week is not None else calendar.last_complete_week(today)
    store = open_store(config)
    try:
        weekly = weekly_for(store, registry, monday, today)
    finally:
        store.dispose()
    print(recap_text(weekly, registry.settings))
    return 0
