"""Read and validate a registry folder: units.csv, sources.csv and the optional settings.csv.

A clerk edits these files in a spreadsheet, so the reader accepts what spreadsheets write
(a UTF-8 BOM, `;` as delimiter from Indonesian Excel) and reports every problem at once as
`FILE:ROW:COLUMN: message`, the header being row 1.
"""

from __future__ import annotations

import csv
import ipaddress
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pantau import presets, registry_checks
from pantau.models import (
    COLLECTOR_KINDS,
    PLATFORMS,
    UNIT_KINDS,
    URL_COLLECTORS,
    VILLAGE_KINDS,
    Source,
    Unit,
)
from pantau.tables import Problem, TableError, decode_table, is_http_url, parse_table

UNIT_COLUMNS = ("unit_id", "name", "kind", "parent_id", "code")
UNIT_OPTIONAL_COLUMNS = ("verified",)
SOURCE_COLUMNS = ("source_id", "unit_id", "platform", "collector", "address", "options", "active")
SETTINGS_COLUMNS = ("key", "value")

# ids end up in URLs, file names and the `manual:<unit_id>:<platform>` source ids.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
INSTAGRAM_USERNAME = re.compile(r"^[A-Za-z0-9._]{1,30}$")
FACEBOOK_PAGE_ID = re.compile(r"^[0-9]{5,20}$")
YOUTUBE_HANDLE = re.compile(r"^@[A-Za-z0-9._-]{3,30}$")
# A listing without `date` (or with "date": "page") is dated from each article's own page.
HTML_LISTING_SELECTORS = ("item", "title", "link")
TRUE_WORDS = {"true", "1", "ya", "yes"}
FALSE_WORDS = {"false", "0", "tidak", "no"}

DEFAULT_TARGETS = {"opd": 2, "kecamatan": 2, "desa": 1, "kelurahan": 1}


class RegistryError(Exception):
    """All the problems of a registry (or an import file), reported together."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Settings:
    timezone: str = "Asia/Jakarta"
    pace_threshold: float = 0.5
    targets: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    regency_name: str = ""
    # Non-public networks (CIDR) collection may reach: none unless `allow_private_addresses`
    # says so (`true` for every network: the simulator and tests serve on loopback).
    private_networks: tuple[str, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def target_for(self, kind: str) -> int | None:
        """Minimum posts per week for a kind of unit; None for the leaders."""
        return self.targets.get(kind)


@dataclass(frozen=True)
class Registry:
    units: tuple[Unit, ...]
    sources: tuple[Source, ...]
    settings: Settings = field(default_factory=Settings)
    folder: Path | None = None

    def unit(self, unit_id: str) -> Unit:
        return self._units_by_id()[unit_id]

    def _units_by_id(self) -> dict[str, Unit]:
        return {u.unit_id: u for u in self.units}

    def units_of_kind(self, *kinds: str) -> list[Unit]:
        return [u for u in self.units if u.kind in kinds]

    def sources_of(self, unit_id: str) -> list[Source]:
        return [s for s in self.sources if s.unit_id == unit_id]

    def active_sources(self) -> list[Source]:
        return [s for s in self.sources if s.active and s.collector]


# ---------------------------------------------------------------------------------------------
# Reading CSV the way spreadsheets write it


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file; UTF-8 with or without BOM, `,` or `;` delimited.

    TableError (naming the row) for a file that is not UTF-8 or holds a row csv cannot read."""
    return parse_table(decode_table(path.read_bytes()))


def parse_bool(value: str) -> bool | None:
    """true/false in any case (and the Indonesian ya/tidak); empty is None."""
    lowered = value.strip().lower()
    if not lowered:
        return None
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _missing_columns(file: str, header: list[str], required: Iterable[str]) -> list[Problem]:
    return [
        Problem(file, 1, column, f"missing column {column!r}")
        for column in required
        if column not in header
    ]


# ---------------------------------------------------------------------------------------------
# units.csv


def validate_units(rows: list[dict[str, str]], file: str = "units.csv") -> tuple[list[Unit], list[Problem]]:
    problems: list[Problem] = []
    units: list[Unit] = []
    seen: dict[str, int] = {}
    kinds_by_id: dict[str, str] = {r.get("unit_id", ""): r.get("kind", "") for r in rows if r}
    looping = registry_checks.parent_cycles({r.get("unit_id", ""): r.get("parent_id", "") for r in rows if r})
    for index, row in enumerate(rows, start=2):
        if not row:
            continue
        unit_id, kind, parent = row.get("unit_id", ""), row.get("kind", ""), row.get("parent_id", "")
        before = len(problems)
        if not unit_id:
            problems.append(Problem(file, index, "unit_id", "empty unit_id"))
        elif not ID_PATTERN.match(unit_id):
            problems.append(Problem(file, index, "unit_id",
                                    f"unit_id {unit_id!r} may hold only letters, digits, '.', '_' and '-'"))
        elif unit_id in seen:
            problems.append(Problem(file, index, "unit_id",
                                    f"duplicate unit_id {unit_id!r} (first on row {seen[unit_id]})"))
        elif reason := registry_checks.id_length_problem(unit_id, "unit_id"):
            problems.append(Problem(file, index, "unit_id", reason))
        else:
            seen[unit_id] = index
        if reason := registry_checks.code_problem(row.get("code", "")):
            problems.append(Problem(file, index, "code", reason))
        if unit_id in looping:
            problems.append(Problem(file, index, "parent_id",
                                    f"parent_id leads back to {unit_id!r} itself (a loop of parents)"))
        if not row.get("name", ""):
            problems.append(Problem(file, index, "name", "empty name"))
        if kind not in UNIT_KINDS:
            problems.append(Problem(file, index, "kind",
                                    f"unknown kind {kind!r}; expected one of {', '.join(UNIT_KINDS)}"))
        if kind in VILLAGE_KINDS:
            if not parent:
                problems.append(Problem(file, index, "parent_id", f"a {kind} needs its kecamatan as parent_id"))
            elif parent not in kinds_by_id:
                problems.append(Problem(file, index, "parent_id", f"parent {parent!r} does not exist"))
            elif kinds_by_id[parent] != "kecamatan":
                problems.append(Problem(file, index, "parent_id",
                                        f"parent {parent!r} of a {kind} must be a kecamatan, "
                                        f"not {kinds_by_id[parent] or 'unknown'}"))
        elif parent and parent not in kinds_by_id:
            problems.append(Problem(file, index, "parent_id", f"parent {parent!r} does not exist"))
        verified = True
        try:
            verified_value = parse_bool(row.get("verified", ""))
            verified = True if verified_value is None else verified_value
        except ValueError as exc:
            problems.append(Problem(file, index, "verified", str(exc)))
        if len(problems) == before:
            units.append(Unit(unit_id, row["name"], kind, parent, row.get("code", ""), verified))
    return units, problems


# ---------------------------------------------------------------------------------------------
# sources.csv


def check_address(collector: str, address: str) -> str | None:
    """Why an address does not fit its collector, or None when it does."""
    if collector == "instagram":
        if address.startswith("@"):
            return "an Instagram username is written without '@'"
        if not INSTAGRAM_USERNAME.match(address):
            return f"{address!r} is not an Instagram username"
    elif collector == "facebook":
        if not FACEBOOK_PAGE_ID.match(address):
            return f"{address!r} is not a numeric Facebook Page id"
    elif collector == "youtube":
        if not (is_http_url(address) or YOUTUBE_HANDLE.match(address)):
            return f"{address!r} is not a YouTube channel URL, feed URL or @handle"
    elif collector in URL_COLLECTORS and not is_http_url(address):
        return f"{address!r} is not an http(s) URL"
    return None


def validate_sources(
    rows: list[dict[str, str]], unit_ids: set[str], file: str = "sources.csv"
) -> tuple[list[Source], list[Problem]]:
    problems: list[Problem] = []
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows, start=2):
        if not row:
            continue
        before = len(problems)
        source_id = row.get("source_id", "")
        unit_id = row.get("unit_id", "")
        platform = row.get("platform", "").lower()
        collector = row.get("collector", "").lower()
        address = row.get("address", "")
        if not source_id:
            problems.append(Problem(file, index, "source_id", "empty source_id"))
        elif not ID_PATTERN.match(source_id):
            problems.append(Problem(file, index, "source_id",
                                    f"source_id {source_id!r} may hold only letters, digits, '.', '_' and '-'"))
        elif source_id in seen:
            problems.append(Problem(file, index, "source_id",
                                    f"duplicate source_id {source_id!r} (first on row {seen[source_id]})"))
        elif reason := registry_checks.id_length_problem(source_id, "source_id"):
            problems.append(Problem(file, index, "source_id", reason))
        else:
            seen[source_id] = index
        if unit_id not in unit_ids:
            problems.append(Problem(file, index, "unit_id", f"unknown unit {unit_id!r}"))
        if platform not in PLATFORMS:
            problems.append(Problem(file, index, "platform",
                                    f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}"))
        if collector and collector not in COLLECTOR_KINDS:
            problems.append(Problem(file, index, "collector",
                                    f"unknown collector {collector!r}; expected one of {', '.join(COLLECTOR_KINDS)}"))
        elif platform in PLATFORMS and (reason := registry_checks.platform_problem(platform, collector)):
            problems.append(Problem(file, index, "collector", reason))
        options: dict[str, Any] = {}
        raw_options = row.get("options", "")
        if raw_options:
            try:
                options = json.loads(raw_options)
                if not isinstance(options, dict):
                    raise ValueError("not an object")
            except ValueError as exc:
                problems.append(Problem(file, index, "options", f"options must be a JSON object ({exc})"))
                options = {}
            except RecursionError:
                problems.append(Problem(file, index, "options", "options are nested too deeply"))
                options = {}
        try:
            active_value = parse_bool(row.get("active", ""))
        except ValueError as exc:
            problems.append(Problem(file, index, "active", str(exc)))
            active_value = None
        active = True if active_value is None else active_value
        if not collector and platform != "x" and active:
            problems.append(Problem(file, index, "collector", "an active source needs a collector"))
        if address:
            reason = registry_checks.url_problem(address) or (check_address(collector, address) if collector else None)
            if reason:
                problems.append(Problem(file, index, "address", reason))
        elif active and collector:
            # Unverified addresses stay empty; such a source must be marked inactive.
            problems.append(Problem(file, index, "address",
                                    "empty address on an active source (set active to false until verified)"))
        if collector == "html_listing":
            problems += _listing_option_problems(file, index, options)
        for key in ("api_base", "web_base"):
            if key in options and not is_http_url(str(options[key])):
                problems.append(Problem(file, index, "options", f"{key} must be an http(s) URL"))
            elif key in options and (reason := registry_checks.url_problem(str(options[key]))):
                problems.append(Problem(file, index, "options", f"{key}: {reason}"))
        if len(problems) == before:
            sources.append(Source(source_id, unit_id, platform, collector, address, options, active))
    return sources, problems


def _listing_option_problems(file: str, row: int, options: dict[str, Any]) -> list[Problem]:
    if "preset" in options:
        known = presets.load_presets()
        if str(options["preset"]) not in known:
            return [Problem(file, row, "options", f"unknown preset {options['preset']!r}; "
                                                  f"known: {', '.join(sorted(known)) or 'none'}")]
        options = presets.resolve(options)
    missing = [key for key in HTML_LISTING_SELECTORS if not options.get(key)]
    if missing:
        return [Problem(file, row, "options", f"html_listing needs CSS selectors for {', '.join(missing)} "
                                              "(or a preset)")]
    return [Problem(file, row, "options", reason) for reason in registry_checks.listing_option_problems(options)]


# ---------------------------------------------------------------------------------------------
# settings.csv


def validate_settings(rows: list[dict[str, str]], file: str = "settings.csv") -> tuple[Settings, list[Problem]]:
    problems: list[Problem] = []
    timezone, threshold, regency = "Asia/Jakarta", 0.5, ""
    private: tuple[str, ...] = ()
    targets = dict(DEFAULT_TARGETS)
    for index, row in enumerate(rows, start=2):
        if not row:
            continue
        key, value = row.get("key", "").lower(), row.get("value", "")
        try:
            if key == "timezone":
                ZoneInfo(value)
                timezone = value
            elif key == "pace_threshold":
                threshold = float(value.replace(",", "."))
                if not 0 < threshold <= 10:
                    raise ValueError("must be between 0 and 10")
            elif key.startswith("target_") and key[7:] in DEFAULT_TARGETS:
                targets[key[7:]] = int(value)
                if reason := registry_checks.target_problem(targets[key[7:]]):
                    raise ValueError(reason)
            elif key == "regency_name":
                regency = value
            elif key == "allow_private_addresses":
                private = private_networks_setting(value)
            else:
                problems.append(Problem(file, index, "key", f"unknown setting {key!r}"))
        except (ValueError, ZoneInfoNotFoundError) as exc:
            problems.append(Problem(file, index, "value", f"bad value {value!r} for {key}: {exc}"))
    return Settings(timezone, threshold, targets, regency, private), problems


ALL_NETWORKS = ("0.0.0.0/0", "::/0")


def private_networks_setting(value: str) -> tuple[str, ...]:
    """`allow_private_addresses`: true (every network), false/empty (none), or CIDR networks
    separated by spaces, commas or semicolons (`127.0.0.0/8 ::1/128`)."""
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return ALL_NETWORKS
    if word in FALSE_WORDS or not word:
        return ()
    networks = []
    for part in re.split(r"[\s,;]+", word):
        if part:
            try:
                networks.append(str(ipaddress.ip_network(part, strict=False)))
            except ValueError:
                raise ValueError(f"expected true, false or CIDR networks; {part!r} is none of them") from None
    return tuple(networks)


# ---------------------------------------------------------------------------------------------
# The folder


def load_registry(folder: str | Path) -> Registry:
    """Load and validate a registry folder; raise RegistryError listing every problem."""
    folder = Path(folder)
    problems: list[Problem] = []
    units_path, sources_path = folder / "units.csv", folder / "sources.csv"
    if not units_path.exists():
        raise RegistryError([Problem(str(units_path), 0, "-", "file not found")])

    units: list[Unit] = []
    unit_rows: list[dict[str, str]] = []
    if (table := _read_or_report(units_path, problems)) is not None:
        header, unit_rows = table
        problems += _missing_columns(str(units_path), header, UNIT_COLUMNS)
        units, unit_problems = validate_units(unit_rows, str(units_path)) if not problems else ([], [])
        problems += unit_problems

    sources: list[Source] = []
    if sources_path.exists() and (table := _read_or_report(sources_path, problems)) is not None:
        header, rows = table
        missing = _missing_columns(str(sources_path), header, SOURCE_COLUMNS)
        problems += missing
        if not missing:
            # Validate against every id present in units.csv so one bad unit row does not
            # cascade into "unknown unit" errors for all its sources.
            unit_ids = {r.get("unit_id", "") for r in unit_rows if r}
            sources, source_problems = validate_sources(rows, unit_ids, str(sources_path))
            problems += source_problems

    settings = Settings()
    settings_path = folder / "settings.csv"
    if settings_path.exists() and (table := _read_or_report(settings_path, problems)) is not None:
        header, rows = table
        missing = _missing_columns(str(settings_path), header, SETTINGS_COLUMNS)
        problems += missing
        if not missing:
            settings, settings_problems = validate_settings(rows, str(settings_path))
            problems += settings_problems

    if problems:
        raise RegistryError(problems)
    return Registry(tuple(units), tuple(sources), settings, folder)


def _read_or_report(path: Path, problems: list[Problem]) -> tuple[list[str], list[dict[str, str]]] | None:
    """read_table; a file that cannot be read is reported as a problem and gives None."""
    try:
        return read_table(path)
    except TableError as exc:
        problems.append(exc.problem(str(path)))
    except OSError as exc:
        problems.append(Problem(str(path), 0, "-", f"cannot read the file: {exc.strerror or exc}"))
    return None


def write_units_csv(units: Iterable[Unit], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*UNIT_COLUMNS, *UNIT_OPTIONAL_COLUMNS])
        for u in units:
            writer.writerow([u.unit_id, u.name, u.kind, u.parent_id, u.code, str(u.verified).lower()])


def write_sources_csv(sources: Iterable[Source], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SOURCE_COLUMNS)
        for s in sources:
            options = json.dumps(s.options, separators=(",", ":")) if s.options else ""
            writer.writerow([s.source_id, s.unit_id, s.platform, s.collector, s.address,
                             options, str(s.active).lower()])
