"""pantau discover: tell a unit's website platform and linked accounts; print sources.csv rows.

The rows go to standard output (header included) ready to paste into sources.csv; what a person
must check goes to standard error as `#` comment lines. Rows that need a token, or whose address
could not be read from the page (a Facebook page linked by name), are written with active=false:
nothing is invented. On an OpenDK kecamatan portal, every village website its API lists becomes
an `opensid` row for the registry's desa of the same code (or, failing a code, the same name in
that kecamatan), written with active=false until a person confirms the site is the village's own.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys

from collectors.discover import Discovery, Village, discover
from collectors.errors import AddressRefused, FetchError
from collectors.http import HttpClient, HttpPolicy
from pantau.commands.common import CommandError, config_from, registry_from
from pantau.models import VILLAGE_KINDS, Unit
from pantau.redaction import redact_url
from pantau.registry import ID_PATTERN, SOURCE_COLUMNS, is_http_url
from pantau.registry_checks import url_problem

NAME = "discover"
HELP = "detect a site's platform, feed and linked social accounts; print sources.csv rows"
PLACEHOLDER_UNIT = "UNIT_ID"
SHORT = {"website": "web", "instagram": "ig", "facebook": "fb", "youtube": "yt", "tiktok": "tiktok", "x": "x"}
SITE_COLLECTOR = {"wordpress": "wordpress", "opensid": "opensid", "opendk": "opendk", "blogger": "blogger"}
VILLAGE_PREFIX = re.compile(r"^(desa|kelurahan|kel\.|ds\.)\s+", re.IGNORECASE)


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
    if reason := url_problem(url):
        print(f"pantau discover: {reason}", file=sys.stderr)
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
    units: list[Unit] = []
    if found.villages:
        try:
            units = list(registry_from(config_from(args)).units)
        except (CommandError, OSError) as exc:
            print(f"# registry unreadable, villages not matched: {exc}", file=sys.stderr)
    rows, notes = source_rows(found, args.unit or PLACEHOLDER_UNIT, units)
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


def source_rows(found: Discovery, unit_id: str, units: list[Unit] | None = None) -> tuple[list[list[str]], list[str]]:
    """sources.csv rows (in SOURCE_COLUMNS order) and the notes a clerk must read."""
    notes = [f"{found.url}: platform {found.platform}"
             + (f" ({', '.join(found.evidence)})" if found.evidence else " (no known platform signs)")]
    if found.form == "index.php":
        notes.append("OpenSID without URL rewriting: every route lives under /index.php/ (address given so)")
    elif found.form == "rewrite":
        notes.append("OpenSID with URL rewriting: routes without /index.php/")
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
    if found.platform == "opendk":
        village_rows(found, units or [], rows, notes, used)
    notes.append("check every row before adding it to sources.csv: links on a page can point to other agencies")
    return rows, notes


def village_rows(found: Discovery, units: list[Unit], rows: list[list[str]], notes: list[str],
                 used: set[str]) -> None:
    """One inactive `opensid` row per village website the portal lists, for the registry's desa."""
    if found.villages_error:
        notes.append(f"villages not listed: {found.villages_error}")
        return
    villages = [u for u in units if u.kind in VILLAGE_KINDS]
    for village in found.villages:
        if not village.website:
            notes.append(f"{village.name} ({village.code or 'no code'}): the portal gives no website")
            continue
        unit = match_village(village, villages)
        if unit is None:
            notes.append(f"{village.name} ({village.code or 'no code'}) {village.website}: "
                         "no desa of that code or name in the registry; not written")
            continue
        source_id, n = f"{unit.unit_id}-web", 2
        while source_id in used:
            source_id, n = f"{unit.unit_id}-web-{n}", n + 1
        used.add(source_id)
        rows.append([source_id, unit.unit_id, "website", "opensid", village.website, "", "false"])
        notes.append(f"{source_id}: listed by the kecamatan portal, unverified: confirm {village.website} is "
                     f"{unit.name}'s own site, then set active=true")


def match_village(village: Village, villages: list[Unit]) -> Unit | None:
    """By the Kemendagri code first; else by name among the villages of the code's kecamatan."""
    by_code = [u for u in villages if village.code and u.code == village.code]
    if len(by_code) == 1:
        return by_code[0]
    name = _plain(village.name)
    district = village.code.rsplit(".", 1)[0] if village.code.count(".") == 3 else ""
    named = [u for u in villages if _plain(u.name) == name]
    if district:
        in_district = [u for u in named if u.code.startswith(district + ".")]
        named = in_district or [u for u in named if not u.code]
    return named[0] if len(named) == 1 else None


def _plain(name: str) -> str:
    return " ".join(VILLAGE_PREFIX.sub("", name.strip()).lower().split())
