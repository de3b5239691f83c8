"""Write the registry folder of a simulated world, pointing every source at the simulator.

units.csv is the registry's own; sources.csv is generated (one row per simulated channel, plus
a few inactive rows with empty, unverified addresses); settings.csv carries the registry's
settings, and permits loopback addresses (where the simulator serves) to collection. It is
written to the folder it is given, never into data/blora/.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

from pantau.config import DEFAULT_REGISTRY
from pantau.models import Source
from pantau.registry import Settings, write_sources_csv, write_units_csv
from pantau.sim.formats import cms, graph, pages, youtube
from pantau.sim.world import Channel, Host, World

# Where the simulator serves, and so the one non-public network its registry permits.
LOOPBACK = ("127.0.0.0/8", "::1/128")

# Simulated tokens: the simulator checks that one is sent, never what it is.
SIM_CREDENTIALS = {
    "PANTAU_IG_TOKEN": "sim-ig-token",
    "PANTAU_IG_USER_ID": "17841400000000001",
    "PANTAU_FB_TOKEN": "sim-fb-token",
    "PANTAU_YOUTUBE_KEY": "sim-youtube-key",
}


def source_of(channel: Channel, host: Host) -> Source:
    base = host.base
    options: dict = {}
    variant = channel.variant
    if variant == "listing":
        address = f"{base}/berita"
        options = dict(pages.LISTING_SELECTORS)
    elif variant == "listing-nodate":
        address = f"{base}/berita"
        options = dict(cms.NODATE_SELECTORS)
    elif variant == "blorakab":
        address = f"{base}{cms.BLORAKAB_LISTING}"
        options = {"preset": "blorakab"}
    elif variant == "feed":
        address = f"{base}/rss.xml"
    elif variant == "youtube":
        # Both forms a clerk types: a handle page, or the channel URL. They point at the
        # simulator itself, never at youtube.com: a made-up account must not look like a real
        # one. `web_base` sends the feed fetches there too, as it would to a proxy.
        web = f"{base}{youtube.WEB_PREFIX}"
        address = f"{web}/{youtube.handle_of(channel)}" if host.index % 2 == 0 else \
            f"{web}/channel/{channel.handle}"
        options = {"web_base": web, "api_base": f"{base}{youtube.API_PREFIX}"}
    elif variant in ("instagram", "facebook"):
        address = channel.handle
        options = {"api_base": f"{base}{graph.PREFIX}"}
    elif variant == "tiktok":
        address = f"{base}{pages.TIKTOK_PREFIX}/@{channel.handle}"
    elif variant == "x":
        address = f"{base}/x/{channel.handle}"
    else:
        address = f"{base}/"
    return Source(channel.source_id, channel.unit_id, channel.platform, channel.collector, address, options, True)


def sources_of(world: World) -> list[Source]:
    sources = [source_of(c, h) for h in world.hosts for c in h.channels]
    # Unverified accounts a clerk noted without an address: registered, inactive, never collected.
    hosted = {h.unit_id for h in world.hosts}
    silent = [u for u in world.units if u.kind in ("desa", "kelurahan") and u.unit_id not in hosted]
    for unit in silent[::7]:
        sources.append(Source(f"{unit.unit_id}-ig", unit.unit_id, "instagram", "instagram", "", {}, False))
    return sources


def write_registry(world: World, folder: Path, settings: Settings | None = None,
                   source_folder: Path | None = DEFAULT_REGISTRY) -> Path:
    """Write units.csv, sources.csv and settings.csv for `world` into `folder`."""
    folder = Path(folder)
    if source_folder is not None and folder.resolve() == Path(source_folder).resolve():
        raise ValueError(f"refusing to overwrite the registry in {folder}")
    if folder.resolve() == DEFAULT_REGISTRY.resolve():
        raise ValueError("refusing to write a simulated registry into data/blora/")
    folder.mkdir(parents=True, exist_ok=True)
    write_units_csv(world.units, folder / "units.csv")
    write_sources_csv(sources_of(world), folder / "sources.csv")
    # The simulator serves on loopback: its registry must permit that network, and only that one.
    settings = replace(settings or Settings(timezone=world.zone.key), private_networks=LOOPBACK)
    write_settings(settings, folder / "settings.csv")
    return folder


def write_settings(settings: Settings, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["key", "value"])
        if settings.regency_name:
            writer.writerow(["regency_name", settings.regency_name])
        writer.writerow(["timezone", settings.timezone])
        writer.writerow(["pace_threshold", settings.pace_threshold])
        for kind, target in sorted(settings.targets.items()):
            writer.writerow([f"target_{kind}", target])
        if settings.private_networks:
            writer.writerow(["allow_private_addresses", " ".join(settings.private_networks)])


def describe(world: World) -> str:
    """A one-line summary of the world, for logs and the demo's output."""
    kinds: dict[str, int] = {}
    for channel in world.channels:
        kinds[channel.variant] = kinds.get(channel.variant, 0) + 1
    return json.dumps({"units": len(world.units), "hosts": len(world.hosts), "channels": len(world.channels),
                       "posts": world.post_count(), "variants": kinds}, sort_keys=True)
