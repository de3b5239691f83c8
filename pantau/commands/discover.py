"""pantau discover: tell a unit's website platform and linked accounts; print sources.csv rows.

The rows go to standard output (header included) ready to paste into sources.csv; what a person
must check goes to standard error as `#` comment lines. Rows that need a token, or whose address
could not be read from the page (a Facebook page linked by name), are written with active=false:
nothing is invented.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys

from collectors.discover import Discovery, discover
from collectors.errors import AddressRefused, FetchError
from collectors.http import HttpClient, HttpPolicy
from pantau.commands.common import CommandError, config_from, registry_from
from pantau.redaction import redact_url
from pantau.registry import ID_PATTERN, SOURCE_COLUMNS, is_http_url

NAME = "discover"
HELP = "detect a site's platform, feed and linked social accounts; print sources.csv rows"
PLACEHOLDER_UNIT = "UNIT_ID"
SHORT = {"website": "web", "instagram": "ig", "facebook": "fb", "youtube": "yt", "tiktok": "tiktok", "x": "x"}
SITE_COLLECTOR = {"wordpress": "wordpress", "opensid": "opensid", "blogger": "blogger"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", metavar="URL", help="the unit's website (http or https)")
    parser.add_argument("--unit", metavar="ID",
                        help=f"unit_id for the rows (default: the placeholder {PLACEHOLDER_UNIT})")


def run(args: argparse.Namespace) -> int:
    url = args.url.strip()
    if "://" not in url:
        url = "https://" + url
    if not is_http_url(url):
        print(f"pantau discover: {args.url!r} is not an http(s) URL", file=sys.stderr)
        return 2
    if args.unit and not ID_PATTERN.match(args.unit):
        print(f"pantau discover: {args.unit!r} is not a valid unit_id", file=sys.stderr)
        return 2
    client = HttpClient(HttpPolicy(private_networks=private_networks(args)))
    try:
        found = discover(client.for_source("discover"), url)
    except (FetchError, AddressRefused) as exc:
        print(f"pantau: cannot read {redact_url(url)}: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    rows, notes = source_rows(found, args.unit or PLACEHOLDER_UNIT)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(SOURCE_COLUMNS)
    writer.writerows(rows)
    sys.stdout.flush()
    for note in notes:
        print(f"# {note}", file=sys.stderr)
    return 0


def private_networks(args: argparse.Namespace) -> tuple[str, ...]:
    """The non-public networks the registry permits (as collection would); none without a valid registry."""
    try:
        return registry_from(config_from(args)).settings.private_networks
    except CommandError:
        return ()


def source_rows(found: Discovery, unit_id: str) -> tuple[list[list[str]], list[str]]:
    """sources.csv rows (in SOURCE_COLUMNS order) and the notes a clerk must read."""
    notes = [f"{found.url}: platform {found.platform}"
             + (f" ({', '.join(found.evidence)})" if found.evidence else " (no known platform signs)")]
    if unit_id == PLACEHOLDER_UNIT:
        notes.append(f"replace {PLACEHOLDER_UNIT} with the unit's id from units.csv (or pass --unit ID)")
    rows: list[list[str]] = []
    used: set[str] = set()

    def add(platform: str, collector: str, address: str, active: bool, note: str = "", options: str = "") -> None:
        base = f"{unit_id}-{SHORT[platform]}"
        source_id, n = base, 2
        while source_id in used:
            source_id, n = f"{base}-{n}", n + 1
        used.add(source_id)
        rows.append([source_id, unit_id, platform, collector, address, options, "true" if active else "false"])
        if note:
            notes.append(f"{source_id}: {note}")

    if found.platform in SITE_COLLECTOR:
        add("website", SITE_COLLECTOR[found.platform], found.root, True,
            f"feed {found.feed}" if found.feed else "")
    elif found.preset is not None:
        add("website", "html_listing", found.preset.address, True,
            f"preset {found.preset.preset} ({found.preset.evidence}); make sure the address is the listing's "
            "first page", options=json.dumps({"preset": found.preset.preset}))
    elif found.feed:
        add("website", "feed", found.feed, True, "no known platform: collected through its feed")
    else:
        add("website", "", found.root, False,
            "no known platform and no feed: choose html_listing and give CSS selectors in options, then activate")
    for account in found.accounts:
        collector = "" if account.platform == "x" else account.platform
        add(account.platform, collector, account.address, account.ready, account.note)
    if not found.accounts:
        notes.append("no Instagram, Facebook, YouTube, TikTok or X account is linked from this page")
    notes.append("check every row before adding it to sources.csv: links on a page can point to other agencies")
    return rows, notes
