"""`pantau collect --engine celery`, kept out of pantau/commands/collect.py so that the
one-machine command imports nothing of Celery."""

from __future__ import annotations

import argparse
from datetime import datetime

from pantau.collection import UnknownSource
from pantau.commands.collect_run import run_locked
from pantau.commands.common import fail, open_store
from pantau.config import Config
from pantau.registry import Registry


def collect_on_engine(args: argparse.Namespace, config: Config, registry: Registry, now: datetime | None) -> int:
    from pantau.engine.celery_app import BrokerMissing, broker_url, make_app
    from pantau.engine.dispatch import EngineTimeout, run_collection_on_engine

    try:
        app = make_app(broker_url(args.broker))
    except BrokerMissing as exc:
        return fail(str(exc))
    store = open_store(config, registry, create=True)
    if store.dialect != "postgresql":
        store.dispose()
        return fail("the celery engine needs a PostgreSQL store that every worker reaches (--db postgresql://...)")
    return run_locked(store, lambda: run_collection_on_engine(
        store, registry, app, source_ids=args.sources, kind=args.kind, since=args.since, now=now,
        timeout=args.engine_timeout), refusals=(UnknownSource, EngineTimeout))
