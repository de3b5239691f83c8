"""What most subcommands need: configuration, a validated registry, an open store."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from pantau.config import Config
from pantau.registry import Registry, RegistryError, load_registry
from pantau.store import Store


class CommandError(Exception):
    """A problem the user must fix; printed without a traceback, exit code 1."""


def config_from(args: argparse.Namespace) -> Config:
    return Config.resolve(db=getattr(args, "db", None), registry=getattr(args, "registry", None))


def registry_from(config: Config) -> Registry:
    try:
        return load_registry(config.registry_dir)
    except RegistryError as exc:
        raise CommandError(f"the registry has {len(exc.problems)} problem(s):\n{exc}") from exc


def open_store(config: Config, registry: Registry | None = None) -> Store:
    store = Store(config.db_url)
    if registry is not None:
        store.sync_registry(registry)
    return store


def local_date(value: str) -> date:
    """argparse type for YYYY-MM-DD."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from exc


def fail(message: str) -> int:
    print(f"pantau: {message}", file=sys.stderr)
    return 1
