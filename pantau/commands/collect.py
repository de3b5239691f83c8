"""pantau collect: collect the registry's sources into the store, one recorded attempt each.

Exit codes: 0 the run happened (even when some sources failed: each failure is recorded with
its reason and printed), 1 invalid registry or unknown --source, 3 another collection is running.

PANTAU_NOW (an ISO date-time, e.g. 2025-09-30T23:00:00+07:00) pins the clock of the run: the
demo uses it to collect a simulation as of its last day. Without it, the clock is the real one.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime

from pantau.collection import run_collection
from pantau.commands.collect_run import run_locked
from pantau.commands.common import CommandError, config_from, fail, local_date, open_store, registry_from
from pantau.models import COLLECTOR_KINDS

NAME = "collect"
HELP = "collect the public posts of the registry's sources into the store"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", dest="sources", action="extend", nargs="+", metavar="ID",
                        help="collect only these sources (`--source a b` or `--source a --source b`)")
    parser.add_argument("--kind", choices=COLLECTOR_KINDS, help="collect only sources of this collector kind")
    parser.add_argument("--since", type=local_date, metavar="DATE",
                        help="for sources with nothing stored: reach back to this local day, YYYY-MM-DD "
                             "(default: one year back)")
    parser.add_argument("--workers", type=_positive, default=8, metavar="N",
                        help="sources collected at once (default 8; at most 2 requests at once per host)")
    parser.add_argument("--engine", choices=("threads", "celery"), default="threads",
                        help="threads: this process collects (default); celery: `pantau worker` processes "
                             "collect, on any machines, into a PostgreSQL store (needs the `engine` extra)")
    parser.add_argument("--broker", metavar="URL",
                        help="celery engine: the Redis broker, redis://HOST:PORT/DB (default $PANTAU_BROKER)")
    parser.add_argument("--engine-timeout", type=float, default=None, metavar="SECONDS",
                        help="celery engine: give up when the run has not finished after this long")


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}") from exc
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return number


def pinned_now() -> datetime | None:
    """The clock pinned by PANTAU_NOW, if set; a naive value is read as UTC."""
    value = os.environ.get("PANTAU_NOW", "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CommandError(f"PANTAU_NOW must be an ISO date-time, got {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run(args: argparse.Namespace) -> int:
    try:
        now = pinned_now()
        config = config_from(args)
        registry = registry_from(config)
    except CommandError as exc:
        return fail(str(exc))
    if args.engine == "celery":
        from pantau.commands.engine import collect_on_engine

        return collect_on_engine(args, config, registry, now)
    store = open_store(config, registry, create=True)
    return run_locked(store, lambda: run_collection(
        store, registry, source_ids=args.sources, kind=args.kind, since=args.since, workers=args.workers,
        credentials=dict(config.credentials), now=now))
