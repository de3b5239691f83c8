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
from time import monotonic

from celery import Celery
from celery.exceptions import TimeoutError as ResultTimeout

from pantau.collection import RunSummary, plan_run
from pantau.engine.celery_app import QUEUE, TASK_COLLECT
from pantau.engine.tasks import run_from_message, source_to_message
from pantau.models import CollectionRun
from pantau.redaction import redact_text
from pantau.registry import Registry
from pantau.store import Store

log = logging.getLogger(__name__)


# How long one wait for a result lasts before the broker is asked whether its task still exists.
POLL_SECONDS = 5.0
# Kombu's Redis transport keeps a delivered, unacknowledged message in this hash until the ack.
UNACKED_KEY = "unacked"


class BrokerProbe:
    """Whether a task can still finish: it is queued, or held (unacknowledged) by a worker.

    Late acknowledgement brings back the tasks of a killed worker, except one taken off the
    queue in the instant before the worker noted it as unacknowledged (kombu's Redis transport
    does the two in separate steps). Such a task would be waited for forever: when the queue is
    empty, nothing is held by any worker and the result is still missing twice in a row, it is
    sent again; the store's upsert identity makes a second collection harmless.
    """

    def __init__(self, app: Celery):
        import redis

        self.client = redis.Redis.from_url(app.conf.broker_url)
        self.suspects: set[str] = set()

    def lost(self, result) -> bool:
        idle = self.client.llen(QUEUE) == 0 and self.client.hlen(UNACKED_KEY) == 0
        if not idle or result.ready():
            self.suspects.discard(result.id)
            return False
        if result.id in self.suspects:
            self.suspects.discard(result.id)
            return True
        self.suspects.add(result.id)
        return False

    def close(self) -> None:
        self.client.close()


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
    pinned = now is not None
    plan = plan_run(store, registry, source_ids=source_ids, kind=kind, since=since, now=now)
    clock, now, fallback, todo, summary = plan.clock, plan.now, plan.fallback_since, plan.todo, plan.summary
    run_id = uuid.uuid4().hex
    zone_name = registry.settings.zone.key
    networks = list(registry.settings.private_networks)
    args_of = {s.source_id: [run_id, source_to_message(s), zone_name, fallback.isoformat(), now.isoformat(), pinned,
                             networks]
               for s in todo}
    sent = [app.send_task(TASK_COLLECT, queue=QUEUE, args=args_of[s.source_id]) for s in todo]
    log.info("run %s: %d source(s) sent to the workers", run_id, len(sent))
    broker = BrokerProbe(app)
    deadline = None if timeout is None else monotonic() + timeout
    for source, result in zip(todo, sent, strict=True):
        try:
            while True:
                try:
                    message = result.get(timeout=POLL_SECONDS, propagate=True)
                    break
                except ResultTimeout:
                    if deadline is not None and monotonic() > deadline:
                        raise EngineTimeout(f"the workers did not finish the run within {timeout:g} s") from None
                    if broker.lost(result):
                        log.warning("%s: its task is neither queued, held by a worker nor done (lost with a "
                                    "killed worker); sending it again", source.source_id)
                        result.forget()
                        result = app.send_task(TASK_COLLECT, queue=QUEUE, args=args_of[source.source_id])
            summary.add(run_from_message(message))
        except EngineTimeout:
            raise
        except Exception as exc:  # retries exhausted on a worker: the store kept failing there
            log.error("the workers could not collect %s: %s", source.source_id, redact_text(str(exc)))
            summary.add(CollectionRun(source.source_id, clock(), clock(), status="error", error_kind="bug",
                                      error=redact_text(f"{type(exc).__name__}: {exc}")))
        finally:
            result.forget()
    broker.close()
    log.info("run %s done: %d ok, %d failed, %d skipped, %d new posts, %d requests", run_id, summary.ok,
             summary.failed, summary.skipped, summary.posts_new, summary.requests)
    if summary.posts_new:
        store.optimize()
    return summary
