"""What most subcommands need: configuration, a validated registry, an open store."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

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


def open_store(config: Config, registry: Registry | None = None, create: bool = False) -> Store:
    """The configured store, migrated (and mirroring the registry when given).

    A SQLite file must exist unless `create` (the commands that write: collect, import, users):
    a mistyped --db would otherwise open an empty database and report nothing. Even then its
    folder must exist: a typo in a folder name is said, not silently created.
    """
    from sqlalchemy.exc import DBAPIError

    from pantau.failures import describe

    path = sqlite_path(config.db_url)
    if path is not None:
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent}: folder does not exist (a mistyped --db?); create it first")
        if not create and not path.exists():
            raise CommandError(f"{path}: no such database (a mistyped --db? `pantau collect` creates one)")
        if path.exists() and path.is_dir():
            raise CommandError(f"{path}: is a folder, not a database file")
    try:
        store = Store(config.db_url)
        if registry is not None:
            store.sync_registry(registry)
    except DBAPIError as exc:
        from pantau.failures import clean

        where = str(path) if path is not None else clean(config.db_url)
        raise CommandError(f"{where}: {describe(exc)}") from exc
    return store


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    if not url.startswith("sqlite:///"):
        return None
    raw = url.removeprefix("sqlite:///").split("?", 1)[0]
    if raw.startswith("file:"):  # a URI filename (`sqlite:///file:x.db?mode=ro&uri=true`)
        raw = raw.removeprefix("file:")
    if not raw or raw == ":memory:":
        return None
    return Path(raw)


def output_file(value: str | None) -> Path | None:
    """A --out FILE whose folder exists; CommandError naming it otherwise. None or '-' is stdout."""
    if value in (None, "-"):
        return None
    path = Path(value)
    if path.is_dir():
        raise CommandError(f"{path}: is a folder; --out needs a file name")
    if not path.parent.is_dir():
        raise CommandError(f"{path.parent}: folder does not exist; create it first or choose another --out")
    return path


# Dates on the command line: beyond these the calendar arithmetic (a week back, pandas times,
# which end in 2262) overflows; no post of a public channel is older than the first one.
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2200, 12, 31)


def local_date(value: str) -> date:
    """argparse type for YYYY-MM-DD, within [EARLIEST_DATE, LATEST_DATE]."""
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from exc
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise argparse.ArgumentTypeError(f"{value} is outside {EARLIEST_DATE} .. {LATEST_DATE}")
    return day


def fail(message: str) -> int:
    print(f"pantau: {message}", file=sys.stderr)
    return 1
