"""Faults on demand: which channel misbehaves, how, and whether it recovers.

Transient faults fire once per channel (its first matching request), so the HTTP layer's
retries or one retry pass recover them, deterministically whatever the thread interleaving:
a 503, a 429 with Retry-After, a stalled response (timeout), a reset connection, a body cut
mid-transfer, a truncated XML document (PHP died mid-feed), YouTube's occasional feed 404.
Persisting faults hold for the whole run: a site that is down (503 on everything), a robots.txt
that disallows the collector. Quirks are not failures but must be read correctly: a page in
windows-1252 that only its <meta> declares.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pantau.sim.world import World

TRANSIENT_ANY = ("http-503", "http-429", "timeout", "reset", "cut")
# Faults that only make sense on a route that serves XML or a YouTube feed.
TRANSIENT_XML = ("broken-xml",)
TRANSIENT_YOUTUBE = ("youtube-404",)
XML_VARIANTS = ("opensid", "wp-locked", "wp-waf", "feed", "youtube")
PERSISTING = ("site-down", "robots")


@dataclass(frozen=True)
class FaultPlan:
    enabled: bool = True
    # Added to every response (the bench uses 150 ms).
    latency_ms: float = 0.0
    # Share of channels hit by one transient fault.
    transient_share: float = 0.1
    sites_down: int = 2
    robots_disallowed: int = 1
    # How long a "timeout" response stalls; must exceed the client's read timeout.
    stall_seconds: float = 4.0
    retry_after_seconds: int = 1

    @classmethod
    def off(cls, latency_ms: float = 0.0) -> FaultPlan:
        return cls(enabled=False, latency_ms=latency_ms, transient_share=0.0, sites_down=0, robots_disallowed=0)


def assign_faults(world: World, plan: FaultPlan) -> None:
    """Mark channels and hosts with their faults, deterministically from the world's seed."""
    for host in world.hosts:
        host.robots_disallowed = False
        for channel in host.channels:
            channel.transient = channel.persisting = ""
    if not plan.enabled:
        return
    rng = random.Random(f"{world.seed}:faults")
    # Persisting faults hit hosts with a single collectable website, so one failure = one source.
    # Newest-N feeds are kept healthy: the coverage gap they must show is the point of having them.
    candidates = [h for h in world.hosts
                  if len(h.channels) == 1 and h.channels[0].platform == "website" and h.channels[0].posts
                  and not h.channels[0].newest_only]
    rng.shuffle(candidates)
    # Prefer an OPD and a desa for "down": the two shapes a reader of the dashboard meets.
    candidates.sort(key=lambda h: 0 if h.channels[0].unit_kind == "opd" else 1)
    down = _spread(candidates, plan.sites_down)
    for host in down:
        host.channels[0].persisting = "site-down"
    rest = [h for h in candidates if h not in down]
    for host in rest[: plan.robots_disallowed]:
        host.robots_disallowed = True
        host.channels[0].persisting = "robots"

    eligible = [c for c in world.channels
                if not c.persisting and c.collector and c.variant != "tiktok" and c.posts]
    eligible.sort(key=lambda c: c.source_id)
    rng.shuffle(eligible)
    count = round(len(eligible) * plan.transient_share)
    if plan.transient_share > 0:
        count = max(count, min(len(eligible), len(TRANSIENT_ANY) + 2))
    cycle = 0
    for channel in eligible[:count]:
        kinds = list(TRANSIENT_ANY)
        if channel.variant in XML_VARIANTS:
            kinds += TRANSIENT_XML
        if channel.variant == "youtube":
            kinds += TRANSIENT_YOUTUBE
        # Walk the kinds in turn so a small world still meets each of them.
        channel.transient = kinds[cycle % len(kinds)]
        cycle += 1
    _ensure_specials(eligible, count)


def _ensure_specials(eligible: list, count: int) -> None:
    """Make sure broken XML and the YouTube 404 occur when a channel can carry them."""
    chosen = eligible[:count]
    xml_not_youtube = tuple(v for v in XML_VARIANTS if v != "youtube")
    for special, variants in (("broken-xml", xml_not_youtube), ("youtube-404", ("youtube",))):
        if not count or any(c.transient == special for c in chosen):
            continue
        for channel in eligible:
            if channel.variant in variants:
                channel.transient = special
                break


def _spread(hosts: list, count: int) -> list:
    """`count` hosts, alternating unit kinds when possible."""
    chosen: list = []
    kinds_seen: set[str] = set()
    for host in hosts:
        if len(chosen) >= count:
            break
        kind = host.channels[0].unit_kind
        if kind in kinds_seen and any(h.channels[0].unit_kind not in kinds_seen for h in hosts if h not in chosen):
            continue
        chosen.append(host)
        kinds_seen.add(kind)
    for host in hosts:
        if len(chosen) >= count:
            break
        if host not in chosen:
            chosen.append(host)
    return chosen
