"""The collecting side of `pantau collect --engine celery`: one task per source, then wait.

The run is the same as the thread pool's: the same sources in the same host-interleaved order,
the same window, inactive sources recorded as skipped here, and a RunSummary built from every
attempt, so the summary printed is the one `pantau collect` always prints.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import date, datetime

from celery import Celery
from celery.exceptions import TimeoutError as ResultTimeout

from collectors.http import redact_text
from collectors.runner import (
    RunSummary,
    _record_skip,
    clock_from,
    default_since,
    interleave_by_host,
    local_midnight,
    select_sources,
)
from pantau.engine.celery_app import QUEUE, TASK_COLLECT
from pantau.engine.tasks import run_from_message, source_to_message
from pantau.models import CollectionRun
from pantau.registry import Registry
from pantau.store import Store

log = logging.getLogger(__name__)


class EngineTimeout(RuntimeError):
    """The workers did not finish the run in time (none running, or far too few)."""


def run_collection_on_engine(
    store: Store,
    registry: Registry,
    app: Celery,
    *,
    source_ids: Sequence[str] | None = None,
    kind: str | None = None,
    since: date | datetime | None = None,
    now: datetime | None = None,
    timeout: float | None = None,
) -> RunSummary:
    """Send every selected source to the workers and wait for each attempt."""
    zone = registry.settings.zone
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    pinned = now is not None
    clock = clock_from(now)
    now = now or clock()
    if since is None:
        fallback = default_since(now, zone)
    elif isinstance(since, datetime):
        fallback = since if since.tzinfo else since.replace(tzinfo=zone)
    else:
        fallback = local_midnight(since, zone)
    chosen = interleave_by_host(select_sources(registry, source_ids, kind))
    summary = RunSummary()
    for source in (s for s in chosen if not s.active):
        summary.add(_record_skip(store, source, "source is marked inactive in the registry", clock()))
    todo = [s for s in chosen if s.active]
    run_id = uuid.uuid4().hex
    zone_name = zone.key
    sent = [app.send_task(TASK_COLLECT, queue=QUEUE,
                          args=[run_id, source_to_message(s), zone_name, fallback.isoformat(), now.isoformat(), pinned])
            for s in todo]
    log.info("run %s: %d source(s) sent to the workers", run_id, len(sent))
    for source, result in zip(todo, sent, strict=True):
        try:
            summary.add(run_from_message(result.get(timeout=timeout, propagate=True)))
        except ResultTimeout as exc:
            raise EngineTimeout(f"no worker finished {source.source_id} within {timeout:g} s") from exc
        except Exception as exc:  # retries exhausted on a worker: the store kept failing there
            log.error("the workers could not collect %s: %s", source.source_id, redact_text(str(exc)))
            summary.add(CollectionRun(source.source_id, clock(), clock(), status="error", error_kind="bug",
                                      error=redact_text(f"{type(exc).__name__}: {exc}")))
        finally:
            result.forget()
    log.info("run %s done: %d ok, %d failed, %d skipped, %d new posts, %d requests", run_id, summary.ok,
             summary.failed, summary.skipped, summary.posts_new, summary.requests)
    if summary.posts_new:
        store.optimize()
    return summary
