"""pantau worker: collect sources sent by `pantau collect --engine celery`, on any machine.

Each worker process runs --concurrency collection threads. Every worker, wherever it runs,
takes its per-host slots from the same Redis as the broker, so at most 2 requests at once go
to one host across all of them. The worker reads its store (--db, PostgreSQL) and its platform
tokens from its own environment, as `pantau collect` does.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket

from pantau.commands.common import fail
from pantau.config import Config

NAME = "worker"
HELP = "collect sources for `pantau collect --engine celery` (Celery worker; needs Redis and PostgreSQL)"
# A request's slot lease outlasts its whole-response timeout by this much.
LEASE_MARGIN = 5.0


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--broker", metavar="URL",
                        help="the Redis broker, redis://HOST:PORT/DB (default $PANTAU_BROKER)")
    parser.add_argument("--concurrency", type=int, default=8, metavar="N",
                        help="sources this process collects at once (default 8)")
    parser.add_argument("--request-timeout", type=float, default=None, metavar="SECONDS",
                        help="longest a whole response may take (default 60); a killed worker's per-host "
                             f"slots are freed this long plus {LEASE_MARGIN:g} s after it died")
    parser.add_argument("--name", help="worker name (default pantau-PID@HOST)")


def run(args: argparse.Namespace) -> int:
    try:
        from pantau.engine.celery_app import QUEUE, BrokerMissing, broker_url, make_app
        from pantau.engine.redis_limiter import RedisLimiter
        from pantau.engine.tasks import WorkerContext, register
    except ImportError as exc:
        return fail(f"the worker needs the engine extra (pip install 'pantau[engine]'): {exc}")
    from collectors.http import HttpPolicy
    from pantau.store import Store

    if args.concurrency < 1:
        return fail("--concurrency must be positive")
    try:
        url = broker_url(args.broker)
    except BrokerMissing as exc:
        return fail(str(exc))
    config = Config.resolve(db=args.db, registry=args.registry)
    store = Store(config.db_url)
    if store.dialect != "postgresql":
        store.dispose()
        return fail("a worker needs the PostgreSQL store every worker and `pantau collect` share (--db postgresql://...)")
    policy = HttpPolicy()
    if args.request_timeout:
        policy.total_timeout = args.request_timeout
        policy.read_timeout = min(policy.read_timeout, args.request_timeout)
    limiter = RedisLimiter.from_url(url, policy.per_host, policy.total_timeout + LEASE_MARGIN)
    app = make_app(url)
    context = WorkerContext(store=store, policy=policy, limiter=limiter, credentials=dict(config.credentials))
    register(app, context)
    if not args.verbose:
        logging.getLogger("collectors").setLevel(logging.ERROR)
    name = args.name or f"pantau-{os.getpid()}@{socket.gethostname()}"
    try:
        app.worker_main(["worker", "--pool=threads", f"--concurrency={args.concurrency}", "-Q", QUEUE, "-n", name,
                         "--loglevel=INFO" if args.verbose else "--loglevel=WARNING",
                         "--without-gossip", "--without-mingle"])
    finally:
        context.close()
    return 0
