"""A source that moved (http to https, a new domain, another port) is collected at its new address
at once: what was remembered about the old address (API root, route, OpenSID site, conditional-GET
validators, robots.txt) is forgotten, never called.

The old server is stopped before the second run, so a single request to it would fail; the new
server counts every request it gets, and the run's own count must equal it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from collectors.http import HttpPolicy
from pantau.collection import LEARNED_FROM, learned_from, remembered_state, run_collection
from pantau.config import DEFAULT_REGISTRY
from pantau.models import Source, Unit
from pantau.registry import Registry, Settings, load_registry
from pantau.sim.faults import FaultPlan
from pantau.sim.registry import SIM_CREDENTIALS, sources_of
from pantau.sim.server import SimServer
from pantau.sim.world import build_world, small_regency
from tests.fixture_server import LOOPBACK, FixtureServer, WordPressSite, wordpress_posts

NOW = datetime(2025, 9, 30, 12, 0, tzinfo=UTC)
FAST = HttpPolicy(private_networks=LOOPBACK, connect_timeout=1.0, read_timeout=1.0, max_retries=1, backoff=0.01,
                  max_backoff=0.02)
UNITS = (Unit("dinkes", "Dinas Kesehatan", "opd"),)


def wordpress_source(address: str) -> Registry:
    return Registry(UNITS, (Source("web-dinkes", "dinkes", "website", "wordpress", address),), Settings(private_networks=LOOPBACK))


def test_a_wordpress_site_that_moved_is_collected_at_its_new_address(store):
    with FixtureServer() as old:
        site = WordPressSite(old)  # advertises its API root in a Link header: the root is remembered
        first = run_collection(store, wordpress_source(site.address), now=NOW, since=datetime(2025, 1, 1).date(),
                               http_policy=FAST)
        assert first.ok == 1 and first.posts_new == 130
        remembered = store.get_state("web-dinkes")
        assert remembered["wp_api_root"].startswith(old.base)
    with FixtureServer() as new:
        assert new.base != old.base
        moved = WordPressSite(new, posts=wordpress_posts(new.base))
        second = run_collection(store, wordpress_source(moved.address), now=NOW, http_policy=FAST)
        attempt = second.attempts[0]
        assert (attempt.status, attempt.error) == ("ok", ""), attempt.error
        assert attempt.route == "rest" and second.posts_new == 0  # same post ids: nothing duplicated
        # every request went to the new server: its count is the run's count
        assert attempt.requests == len(new.requests) > 0
        assert store.get_state("web-dinkes")["wp_api_root"].startswith(new.base)
        assert store.get_state("web-dinkes")[LEARNED_FROM] == learned_from(wordpress_source(moved.address).sources[0])
    attempts = store.attempts_frame()
    assert list(attempts.status) == ["ok", "ok"]


def test_a_simulated_regency_moved_to_other_ports_is_collected_without_a_failed_attempt(sqlite_store):
    """Every kind the simulator serves: collected once, then the whole simulator moves."""
    world = build_world(small_regency(load_registry(DEFAULT_REGISTRY).units), seed=11, weeks=6)
    settings = Settings(timezone=world.zone.key, private_networks=LOOPBACK)
    with SimServer(world, FaultPlan.off()) as old:
        old.now = world.end
        before = Registry(tuple(world.units), tuple(sources_of(world)), settings)
        first = run_collection(sqlite_store, before, since=world.start, now=world.end,
                               credentials=SIM_CREDENTIALS, http_policy=FAST)
        collected = {a.source_id for a in first.attempts if a.status == "ok"}
        assert len(collected) > 20
        new = SimServer(world, FaultPlan.off())  # bound now, while the old ports are still taken
    old_ports = {int(s.address.split(":")[2].split("/")[0]) for s in before.sources if s.address.startswith("http")}
    after = Registry(tuple(world.units), tuple(sources_of(world)), settings)
    assert {s.address for s in after.sources} != {s.address for s in before.sources}
    assert not old_ports & {h.port for h in world.hosts}
    with new:
        new.now = world.end
        second = run_collection(sqlite_store, after, since=world.start, now=world.end,
                                credentials=SIM_CREDENTIALS, http_policy=FAST)
        served = new.stats()["requests"]
    failed = {a.source_id: f"{a.status} {a.error_kind} {a.error}" for a in second.attempts
              if a.source_id in collected and a.status != "ok"}
    assert not failed
    # The same posts, found again by their platform ids. A generic feed's and a listing's identity
    # is the item's absolute URL (collectors/feed.py, html_listing.py): it moves with the site.
    kinds = {s.source_id: s.collector for s in after.sources}
    renamed = {a.source_id for a in second.attempts if a.items_new}
    assert {kinds[s] for s in renamed} <= {"feed", "html_listing"}, renamed
    assert second.requests == served  # not one request to the old ports


SITE = Source("web-dinkes", "dinkes", "website", "wordpress", "https://dinkes.example.go.id/")
LEARNED = {"wp_api_root": "https://dinkes.example.go.id/wp-json/", "wp_route": "rest",
           "http_validators": {"https://dinkes.example.go.id/feed/": {"etag": '"1"'}},
           "robots": {"dinkes.example.go.id:443": {"fetched_at": 1, "body": None}}}


@pytest.mark.parametrize(("kept", "source", "stored"), [
    (True, SITE, {**LEARNED, LEARNED_FROM: learned_from(SITE)}),
    (False, replace(SITE, address="https://dinkes.blorakab.go.id/"), {**LEARNED, LEARNED_FROM: learned_from(SITE)}),
    (False, replace(SITE, address="http://dinkes.example.go.id/"), {**LEARNED, LEARNED_FROM: learned_from(SITE)}),
    (False, replace(SITE, options={"api_base": "https://api.example.go.id/wp-json/"}),
     {**LEARNED, LEARNED_FROM: learned_from(SITE)}),
    (False, replace(SITE, collector="feed"), {**LEARNED, LEARNED_FROM: learned_from(SITE)}),
    # saved before states said where they were learned: kept when all of it is the source's own
    (True, SITE, LEARNED),
    (False, replace(SITE, address="https://dinkes.blorakab.go.id/"), LEARNED),
    (True, replace(SITE, collector="tiktok"), {"tiktok": {"video_count": 3, "collected_at": "2025-09-01"}}),
    (False, replace(SITE, address="https://dinkes.example.go.id:80a/"), LEARNED),  # a typo'd port is no host
])
def test_remembered_state_holds_only_for_the_address_it_was_learned_from(kept, source, stored):
    assert remembered_state(source, stored) == (stored if kept else {})
