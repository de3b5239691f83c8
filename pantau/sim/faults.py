"""Faults on demand: which channel misbehaves, how, and whether it recovers.

Transient faults fire once per channel (its first matching request), so the HTTP layer's
retries or one retry pass recover them, deterministically whatever the thread interleaving:
a 503, a 429 with Retry-After, a stalled response (timeout), a reset connection, a body cut
mid-transfer, a truncated XML document (PHP died mid-feed), YouTube's occasional feed 404.
Persisting faults hold for the whole run: a site that is down (503 on everything), a robots.txt
that disallows the collector. An outage holds for a period: the site is down until three days
before the last day, so the last collection finds it back and must catch up. Quirks are not
failures but must be read correctly: a page in windows-1252 that only its <meta> declares.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from pantau.sim.world import World

TRANSIENT_ANY = ("http-503", "http-429", "timeout", "reset", "cut")
# Faults that only make sense on a route that serves XML or a YouTube feed.
TRANSIENT_XML = ("broken-xml",)
TRANSIENT_YOUTUBE = ("youtube-404",)
XML_VARIANTS = ("opensid", "wp-locked", "wp-waf", "feed", "youtube")
PERSISTING = ("site-down", "robots")
ALL_TRANSIENT = (*TRANSIENT_ANY, *TRANSIENT_XML, *TRANSIENT_YOUTUBE)


@dataclass(frozen=True)
class FaultPlan:
    enabled: bool = True
    # Added to every response (the bench uses 150 ms).
    latency_ms: float = 0.0
    # Share of channels hit by one transient fault.
    transient_share: float = 0.1
    sites_down: int = 2
    robots_disallowed: int = 1
    outages: int = 1
    # How long a "timeout" response stalls; must exceed the client's read timeout.
    stall_seconds: float = 4.0
    retry_after_seconds: int = 1

    @classmethod
    def off(cls, latency_ms: float = 0.0) -> FaultPlan:
        return cls(enabled=False, latency_ms=latency_ms, transient_share=0.0, sites_down=0, robots_disallowed=0,
                   outages=0)


def assign_faults(world: World, plan: FaultPlan) -> None:
    """Mark channels and hosts with their faults, deterministically from the world's seed."""
    for host in world.hosts:
        host.robots_disallowed = False
        host.outage_until = None
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
    # Down for a period: through the week before the last day, back for the last collection.
    for host in rest[plan.robots_disallowed: plan.robots_disallowed + plan.outages]:
        host.outage_until = world.end - timedelta(days=3)

    eligible = [c for c in world.channels
                if not c.persisting and c.collector and c.variant != "tiktok" and c.posts
                and world.hosts[c.host_index].outage_until is None]
    eligible.sort(key=lambda c: c.source_id)
    rng.shuffle(eligible)
    count = round(len(eligible) * plan.transient_share)
    if plan.transient_share > 0:
        count = max(count, min(len(eligible), len(ALL_TRANSIENT)))
    assigned = 0
    # Every kind once first (so a small world still meets each of them), then the common ones in turn.
    for kind in (*ALL_TRANSIENT, *TRANSIENT_ANY * len(eligible)):
        if assigned >= count:
            break
        for channel in eligible:
            if not channel.transient and supports(channel, kind):
                channel.transient = kind
                assigned += 1
                break


def supports(channel, kind: str) -> bool:
    """Whether a transient fault of this kind makes sense on this channel."""
    if kind == "broken-xml":
        return channel.variant in XML_VARIANTS and channel.variant != "youtube"
    if kind == "youtube-404":
        return channel.variant == "youtube"
    if kind == "cut":
        return channel.platform == "website"  # a big page cut mid-transfer
    return True


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
