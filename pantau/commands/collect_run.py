"""One collection under the store's lock, then its summary printed: the ending `pantau collect`
shares with `pantau collect --engine celery` (the exit codes of `pantau collect`)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from pantau.collection import CollectionLocked, RunSummary, UnknownSource, collection_lock, summary_lines
from pantau.commands.common import fail
from pantau.store import Store

EXIT_LOCKED = 3


def run_locked(store: Store, collect: Callable[[], RunSummary],
               refusals: tuple[type[Exception], ...] = (UnknownSource,)) -> int:
    """Run `collect` holding the collection lock, close the store, print the summary; the exit
    code: 0, EXIT_LOCKED when another collection runs, 1 for a refusal (an unknown --source...)."""
    try:
        with collection_lock(store):
            summary = collect()
    except CollectionLocked as exc:
        print(f"pantau: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except refusals as exc:
        return fail(str(exc))
    finally:
        store.dispose()
    for line in summary_lines(summary):
        print(line)
    return 0
