"""Value checks of registry cells that would otherwise pass validation and fail later, during a
collection, as a `bug` record: ids longer than the store's columns, a port out of range, a
password in an address, a broken CSS selector, a `max_pages` that is no number, a parent chain
that loops, a collector that cannot read the platform it is registered for.

Each check returns why a value is wrong (a message for `FILE:ROW:COLUMN: message`) or None;
pantau.registry places the messages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import soupsieve

# The store's bounded columns (pantau/store/schema.py): unit_id String(200), source_id
# String(300) and the manual source id `manual:<unit_id>:<platform>` built from a unit id,
# code String(40). Kept well inside them.
MAX_ID_LENGTH = 100
MAX_CODE_LENGTH = 40
# A week has 7 days; a target above this many posts per week is a typo (an extra 0 or more).
MAX_TARGET = 1000
# html_listing follows at most this many listing pages per run (its default is 50).
MAX_PAGES_LIMIT = 1000
# Cells that hold CSS selectors in an html_listing source's options.
SELECTOR_OPTIONS = ("item", "title", "link", "date", "next")

# Which platforms each collector can read. `feed` reads any RSS/Atom feed: a website's or a
# YouTube channel's.
COLLECTOR_PLATFORMS = {
    "wordpress": ("website",),
    "feed": ("website", "youtube"),
    "blogger": ("website",),
    "opensid": ("website",),
    "opendk": ("website",),
    "html_listing": ("website",),
    "youtube": ("youtube",),
    "instagram": ("instagram",),
    "facebook": ("facebook",),
    "tiktok": ("tiktok",),
}


def id_length_problem(value: str, name: str) -> str | None:
    if len(value) > MAX_ID_LENGTH:
        return f"{name} is {len(value)} characters long; at most {MAX_ID_LENGTH}"
    return None


def code_problem(code: str) -> str | None:
    if len(code) > MAX_CODE_LENGTH:
        return f"code is {len(code)} characters long; at most {MAX_CODE_LENGTH}"
    return None


def url_problem(value: str) -> str | None:
    """Why an http(s)-style address cannot be connected to as written, or None.

    Catches what urllib only notices when the collection opens the URL: a malformed IPv6
    literal, a port outside 0..65535, and a user name or password before the host (credentials
    belong in the environment, never in the registry, which is no secret).
    """
    if "://" not in value:
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port beyond 65535 or not a number
    except ValueError as exc:
        return f"{value[:80]!r} is not a valid address ({exc})"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "an address must not hold a user name or password ('user:pw@'); put credentials in the environment"
    if not host:
        return f"{value[:80]!r} names no host"
    return None


def platform_problem(platform: str, collector: str) -> str | None:
    allowed = COLLECTOR_PLATFORMS.get(collector)
    if allowed is not None and platform not in allowed:
        return f"collector {collector!r} reads {' or '.join(allowed)}, not platform {platform!r}"
    return None


def selector_problem(name: str, value: Any) -> str | None:
    """Whether an html_listing option holds a CSS selector soupsieve can compile."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return f"{name} must be a CSS selector (text), got {value!r}"
    if name == "date" and value.strip().lower() == "page":
        return None  # "page": dates come from each article's own page
    try:
        soupsieve.compile(value)
    except Exception as exc:  # SelectorSyntaxError, and the odd ValueError on hostile input
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"{name} is not a valid CSS selector {value!r}: {first}"
    return None


def listing_option_problems(options: dict[str, Any]) -> list[str]:
    """Selectors that do not compile, a max_pages that is no whole number in range."""
    problems = [p for name in SELECTOR_OPTIONS if (p := selector_problem(name, options.get(name)))]
    if "max_pages" in options:
        value = options["max_pages"]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGES_LIMIT:
            problems.append(f"max_pages must be a whole number from 1 to {MAX_PAGES_LIMIT}, got {value!r}")
    if "date_attr" in options and not isinstance(options["date_attr"], str):
        problems.append(f"date_attr must be an attribute name (text), got {options['date_attr']!r}")
    return problems + _empty_marker_problems(options)


def _empty_marker_problems(options: dict[str, Any]) -> list[str]:
    """`empty` (a CSS selector) and `empty_text`, which tell an empty listing from a broken one:
    a marker that can never match would turn every empty page into an error."""
    problems = []
    if "empty" in options:
        selector = options["empty"]
        if not isinstance(selector, str) or not selector.strip():
            problems.append("empty must be a CSS selector (text)")
        elif reason := selector_problem("empty", selector):
            problems.append(reason)
    if "empty_text" in options and (not isinstance(options["empty_text"], str) or not options["empty_text"].strip()):
        problems.append("empty_text must be a non-empty text")
    return problems


def target_problem(value: int) -> str | None:
    if not 0 <= value <= MAX_TARGET:
        return f"must be from 0 to {MAX_TARGET} posts per week"
    return None


def parent_cycles(parents: dict[str, str]) -> set[str]:
    """The unit ids whose chain of parent_id leads back to themselves."""
    in_cycle: set[str] = set()
    for start in parents:
        seen = [start]
        current = parents.get(start, "")
        while current and current in parents and current not in seen:
            seen.append(current)
            current = parents[current]
        if current == start:
            in_cycle.add(start)
    return in_cycle
