"""What the commands that report from the store (`summary`, `recap`) share: the configuration,
the registry and the reference day, and one read of the store."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from pantau.commands.common import CommandError, config_from, open_store, registry_from
from pantau.config import Config, reference_date
from pantau.registry import Registry
from pantau.store import Store

T = TypeVar("T")


@dataclass(frozen=True)
class Report:
    config: Config
    registry: Registry
    # "Today" in the regency's zone (PANTAU_TODAY may pin it).
    today: date

    def read(self, reading: Callable[[Store, Registry, date], T]) -> T:
        """`reading(store, registry, today)` on a store opened for it and closed after."""
        store = open_store(self.config)
        try:
            return reading(store, self.registry, self.today)
        finally:
            store.dispose()


def report_from(args: argparse.Namespace) -> Report:
    """The report's setting; CommandError for an invalid configuration, registry or PANTAU_TODAY."""
    try:
        config = config_from(args)
        registry = registry_from(config)
        return Report(config, registry, reference_date(registry.settings.timezone))
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
