"""The Celery application: broker and result backend in Redis, tasks acknowledged late.

Acknowledging after the task ends (`task_acks_late`) and rejecting when the worker process dies
(`task_reject_on_worker_lost`) means a source whose worker is killed mid-collection goes back to
the queue and is collected again by another worker; the store's upsert identity (source,
external id) makes the second collection add nothing twice. A worker killed outright (its whole
machine) holds its unacknowledged messages until the broker's visibility timeout, after which
Redis hands them to another worker: that timeout must outlast the longest source.
"""

from __future__ import annotations

import os

from celery import Celery

TASK_COLLECT = "pantau.collect_source"
QUEUE = "pantau-collect"
DEFAULT_VISIBILITY_TIMEOUT = 600


class BrokerMissing(ValueError):
    """Neither --broker nor $PANTAU_BROKER names the Redis broker."""


def broker_url(given: str | None) -> str:
    url = given or os.environ.get("PANTAU_BROKER", "")
    if not url:
        raise BrokerMissing("the celery engine needs a Redis broker: --broker redis://HOST:PORT/0 or $PANTAU_BROKER")
    return url


def make_app(url: str, visibility_timeout: float | None = None) -> Celery:
    timeout = visibility_timeout or float(os.environ.get("PANTAU_VISIBILITY_TIMEOUT", DEFAULT_VISIBILITY_TIMEOUT))
    app = Celery("pantau", broker=url, backend=url)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # One message at a time per worker thread: a killed worker strands as few sources as possible.
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=24 * 3600,
        broker_transport_options={"visibility_timeout": timeout},
        result_backend_transport_options={"visibility_timeout": timeout},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    return app
