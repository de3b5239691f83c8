"""The worker's side: one task collects one source with the same `collect_source` the thread pool runs.

A task carries everything about its source (the registry row, the run's window and clock), so
a worker needs no registry of its own, only the store, the broker and the tokens of its own
environment: tokens never travel through the broker. The run id keys one HttpClient per run in
each worker process, so robots.txt is read once per host per run there, as in one process.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from celery import Celery

from collectors.http import HttpClient, HttpPolicy
from collectors.limits import HostLimiter
from pantau.collection import clock_from, collect_source, wall_clock
from pantau.engine.celery_app import TASK_COLLECT
from pantau.models import CollectionRun, Source
from pantau.store import Store

# Runs whose HttpClient a worker keeps (a new run starts while stragglers of the last one finish).
KEPT_RUNS = 4
MAX_RETRIES = 3


def source_to_message(source: Source) -> dict:
    return dataclasses.asdict(source)


def source_from_message(message: dict) -> Source:
    return Source(**message)


def run_to_message(run: CollectionRun) -> dict:
    message = dataclasses.asdict(run)
    for name in ("started_at", "finished_at"):
        if message[name] is not None:
            message[name] = message[name].isoformat()
    return message


def run_from_message(message: dict) -> CollectionRun:
    values = dict(message)
    for name in ("started_at", "finished_at"):
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    return CollectionRun(**values)


@dataclass
class WorkerContext:
    """What every task of one worker process shares: the store, the politeness, the tokens."""

    store: Store
    policy: HttpPolicy
    limiter: HostLimiter
    credentials: dict[str, str] = field(default_factory=dict, repr=False)
    clients: OrderedDict[str, HttpClient] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def client_for(self, run_id: str, private_networks: tuple[str, ...] = ()) -> HttpClient:
        """The run's client; `private_networks` are those the run's registry permits (settings.csv
        allow_private_addresses), as a one-machine run's client permits them."""
        with self.lock:
            client = self.clients.get(run_id)
            if client is None:
                policy = dataclasses.replace(self.policy, private_networks=private_networks)
                client = self.clients[run_id] = HttpClient(policy, limiter=self.limiter)
                while len(self.clients) > KEPT_RUNS:
                    _, old = self.clients.popitem(last=False)
                    old.close()
            return client

    def close(self) -> None:
        with self.lock:
            for client in self.clients.values():
                client.close()
            self.clients.clear()
        self.store.dispose()


def register(app: Celery, context: WorkerContext) -> None:
    """Define the collect task on `app`, bound to this worker's context."""

    # collect_source records every fault of the source itself; what escapes it is the store failing
    # (a dropped connection, a failover): retried, and the upsert identity keeps retries harmless.
    # shared=False: the task is bound to this context, so it belongs to this app alone (Celery
    # otherwise hands a task to every app of the process by name).
    @app.task(name=TASK_COLLECT, autoretry_for=(Exception,), max_retries=MAX_RETRIES, retry_backoff=2,
              retry_jitter=True, shared=False)
    def collect_task(run_id: str, source: dict, zone: str, fallback_since: str, now: str, pinned: bool,
                     private_networks: list[str] | None = None) -> dict:
        moment = datetime.fromisoformat(now)
        client = context.client_for(run_id, tuple(private_networks or ()))
        run = collect_source(source_from_message(source), context.store, client,
                          zone=ZoneInfo(zone), fallback_since=datetime.fromisoformat(fallback_since), now=moment,
                          credentials=context.credentials, clock=clock_from(moment) if pinned else wall_clock)
        return run_to_message(run)
