"""pantau export: the registry's units, stored posts, the weekly table, TikTok activity or the
review audit trail, as CSV, XLSX or JSON."""

from __future__ import annotations

import argparse
from datetime import timedelta

import pandas as pd

from pantau import calendar, loading
from pantau.calendar import day_bounds
from pantau.commands.common import (
    CommandError,
    config_from,
    fail,
    local_date,
    open_store,
    output_file,
    registry_from,
)
from pantau.config import reference_date
from pantau.exports import FORMATS, posts_export, reviews_export, write_frame
from pantau.registry import UNIT_COLUMNS, UNIT_OPTIONAL_COLUMNS

NAME = "export"
HELP = "export units, posts, the weekly table, TikTok activity or review marks as CSV, XLSX or JSON"

# Each table: a function (args, config, registry) -> DataFrame. Listed here, so --help is true.
TABLES = {}


def reviews_table(args, config, registry) -> pd.DataFrame:
    """The review audit trail: every mark, who gave it and when, the replaced ones included."""
    store = open_store(config)
    try:
        return reviews_export(store, registry.settings.zone, args.date_from, args.date_to)
    finally:
        store.dispose()


def units_table(args, config, registry) -> pd.DataFrame:
    rows = [
        {"unit_id": u.unit_id, "name": u.name, "kind": u.kind, "parent_id": u.parent_id,
         "code": u.code, "verified": u.verified}
        for u in registry.units
    ]
    return pd.DataFrame(rows, columns=[*UNIT_COLUMNS, *UNIT_OPTIONAL_COLUMNS])


def posts_table(args, config, registry) -> pd.DataFrame:
    store = open_store(config, registry)
    try:
        return posts_export(store, registry.settings.zone, args.date_from, args.date_to)
    finally:
        store.dispose()


ACTIVITY_COLUMNS = ("unit_id", "source_id", "from", "to", "delta")


def activity_table(args, config, registry) -> pd.DataFrame:
    """Counted activity without per-post dates (TikTok videoCount deltas), times local ISO.

    With --from/--to, the intervals that overlap those local days.
    """
    store = open_store(config, registry)
    try:
        frame = store.activity_frame()
    finally:
        store.dispose()
    zone = registry.settings.zone
    lower, upper = day_bounds(args.date_from, args.date_to, zone)
    if lower is not None and not frame.empty:
        frame = frame[frame["period_end"] > lower]
    if upper is not None and not frame.empty:
        frame = frame[frame["period_start"] < upper]
    if frame.empty:
        return pd.DataFrame(columns=list(ACTIVITY_COLUMNS))
    frame = frame.sort_values(["period_start", "unit_id", "source_id"])
    return pd.DataFrame({
        "unit_id": frame["unit_id"].tolist(),
        "source_id": frame["source_id"].tolist(),
        "from": [ts.tz_convert(zone).isoformat() for ts in frame["period_start"]],
        "to": [ts.tz_convert(zone).isoformat() for ts in frame["period_end"]],
        "delta": frame["delta"].astype(int).tolist(),
    }, columns=list(ACTIVITY_COLUMNS))


def weekly_table(args, config, registry) -> pd.DataFrame:
    """One row per unit per ISO week overlapping --from..--to (default: the last complete week)."""
    from pantau import metrics

    try:
        today = reference_date(registry.settings.timezone)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    last = calendar.last_complete_week(today).date()
    start, end = args.date_from, args.date_to
    if start is None and end is None:
        start, end = last, last + timedelta(days=6)
    elif start is None:
        start = calendar.week_start(end).date()
    elif end is None:
        end = max(start, today)
    store = open_store(config)
    try:
        facts = loading.load_facts(store, registry, calendar.week_start(start).date(), today)
    finally:
        store.dispose()
    return metrics.weekly_export(metrics.weekly_table(facts, start, end))


TABLES["units"] = units_table
TABLES["posts"] = posts_table
TABLES["activity"] = activity_table
TABLES["weekly"] = weekly_table
TABLES["reviews"] = reviews_table


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("table", choices=sorted(TABLES), help="what to export")
    parser.add_argument("--from", dest="date_from", type=local_date, metavar="DATE",
                        help="first local day, YYYY-MM-DD (inclusive)")
    parser.add_argument("--to", dest="date_to", type=local_date, metavar="DATE",
                        help="last local day, YYYY-MM-DD (inclusive)")
    parser.add_argument("--format", choices=FORMATS, default="csv", help="csv (default), xlsx or json")
    parser.add_argument("--out", metavar="FILE", help="output file; standard output when absent or '-'")


def run(args: argparse.Namespace) -> int:
    if args.format == "xlsx" and args.out in (None, "-"):
        return fail("XLSX needs --out FILE")
    if args.date_from and args.date_to and args.date_from > args.date_to:
        return fail("--from is after --to")
    try:
        output_file(args.out)
        config = config_from(args)
        registry = registry_from(config)
        frame = TABLES[args.table](args, config, registry)
    except CommandError as exc:
        return fail(str(exc))
    write_frame(frame, args.format, args.out)
    return 0
