"""A source that moved (http to https, a new domain, another port) is collected at its new address
at once: what was remembered about the old address (API root, route, OpenSID site, conditional-GET
validators, robots.txt) is forgotten, never called.

The old server is stopped before the second run, so a single request to it would fail; the new
server counts every request it gets, and the run's own count must equal it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, update

from collectors.http import HttpPolicy
from pantau.collection import LEARNED_FROM, learned_from, remembered_state, run_collection
from pantau.config import DEFAULT_REGISTRY
from pantau.models import Source, Unit
from pantau.registry import Registry, Settings, load_registry
from pantau.sim.faults import FaultPlan
from pantau.sim.registry import SIM_CREDENTIALS, sources_of
from pantau.sim.server import SimServer
from pantau.sim.world import build_world, small_regency
from pantau.store import Store, post_days, posts, reviews, schema_migrations
from tests.fixture_server import LOOPBACK, FixtureServer, Reply, Request, WordPressSite, wordpress_posts

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
    # The same posts, found again by their platform ids, or a generic feed's and a listing's by
    # their URL within the site (pantau.models.page_key): none comes back as new.
    renamed = {a.source_id: a.items_new for a in second.attempts if a.items_new}
    assert renamed == {}
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


# ---------------------------------------------------------------------------------------------
# A generic feed (items without a guid) and an HTML listing: known by their pages' URLs

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html_listing"
JOOMLA_SITE = "https://cepu.blorakab.go.id"
JOOMLA_OPTIONS = {"item": "div.blog div[itemprop=blogPost]", "title": "h2[itemprop=name] a",
                  "link": "h2[itemprop=name] a", "date": "dd.published time", "date_attr": "datetime",
                  "next": "li.pagination-next a"}
JOOMLA_ARTICLES = len(json.loads((FIXTURES / "joomla_articles.json").read_text()))
FEED_ITEMS = 12
SINCE = datetime(2025, 1, 1).date()


def rss_without_guids(base: str) -> str:
    items = "".join(
        f"<item><title>Kegiatan {n}</title><link>{base}/berita/kegiatan-{n}.html</link>"
        f"<pubDate>{format_datetime(datetime(2025, 9, n, 3, 0, tzinfo=UTC), usegmt=True)}</pubDate></item>"
        for n in range(FEED_ITEMS, 0, -1))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Dinkes</title>'
            f"<link>{base}/</link><description>Berita</description>{items}</channel></rss>")


def serve_feed_and_listing(server: FixtureServer) -> Registry:
    """A feed and a Joomla listing whose links carry the server's own address, as a moved site's do."""
    feed = rss_without_guids(server.base)
    server.route("/rss.xml", lambda _request: Reply(body=feed, content_type="application/rss+xml"))

    def listing(request: Request) -> Reply:
        start = request.query.get("start", "0")
        body = (FIXTURES / f"joomla_start_{start}.html").read_text().replace(JOOMLA_SITE, server.base)
        return Reply(body=body, content_type="text/html; charset=utf-8")

    server.route("/index.php/berita", listing)
    sources = (Source("rss-dinkes", "dinkes", "website", "feed", server.url("/rss.xml")),
               Source("web-dinkes", "dinkes", "website", "html_listing", server.url("/index.php/berita"),
                      options=JOOMLA_OPTIONS))
    return Registry(UNITS, sources, Settings(private_networks=LOOPBACK))


def collect_at(store: Store, server: FixtureServer):
    """As `pantau collect` does: mirror the registry into the store, then collect."""
    registry = serve_feed_and_listing(server)
    store.sync_registry(registry)
    return run_collection(store, registry, now=NOW, since=SINCE, http_policy=FAST)


def test_a_feed_and_a_listing_that_moved_keep_their_posts(store):
    with FixtureServer() as old:
        first = collect_at(store, old)
    assert first.ok == 2 and first.posts_new == FEED_ITEMS + JOOMLA_ARTICLES
    with FixtureServer() as new:
        assert new.base != old.base
        second = collect_at(store, new)
    # Each source reads its newest posts again (the window reaches back from the newest stored);
    # at the new address they are the same posts.
    assert [(a.source_id, a.status, a.items_new) for a in second.attempts] == [
        ("rss-dinkes", "ok", 0), ("web-dinkes", "ok", 0)]
    assert all(a.items_seen > 0 for a in second.attempts)
    assert len(store.posts_frame()) == FEED_ITEMS + JOOMLA_ARTICLES


def reopened(store: Store) -> Store:
    return Store(store.engine.url.render_as_string(hide_password=False))


def test_a_store_written_with_absolute_url_keys_is_rekeyed_and_a_move_duplicates_nothing(store):
    """A database from before page keys: its feed and listing posts are keyed by absolute URL, and
    one page is stored twice (under the site's http and https address, as a move used to leave it).
    The migration reads each source's address from the registry mirrored at the last collection."""
    with FixtureServer() as old:
        collect_at(store, old)
        old_base = old.base
    with store.engine.begin() as conn:  # back to the old format: the key was the URL itself
        conn.execute(update(posts).values(external_id=posts.c.url))
        twin = conn.execute(select(posts).where(posts.c.source_id == "rss-dinkes").order_by(posts.c.id)).mappings().first()
        copy = {k: v for k, v in twin.items() if k != "id"}
        https = twin["url"].replace("http://", "https://")
        conn.execute(insert(posts).values({**copy, "external_id": https, "url": https}))
        conn.execute(insert(reviews).values(source_id="rss-dinkes", external_id=https, mark="kerja",
                                            reviewer="clerk", note="", reviewed_at=NOW.replace(tzinfo=None)))
        conn.execute(delete(schema_migrations).where(schema_migrations.c.name == "0004_page_keys"))
    assert len(store.posts_frame()) == FEED_ITEMS + JOOMLA_ARTICLES + 1
    store.dispose()

    again = reopened(store)  # opening migrates
    try:
        frame = again.posts_frame()
        assert len(frame) == FEED_ITEMS + JOOMLA_ARTICLES
        assert not frame["external_id"].str.startswith(old_base).any()
        assert set(frame.loc[frame["source_id"] == "rss-dinkes", "external_id"]) == {
            f"/berita/kegiatan-{n}.html" for n in range(1, FEED_ITEMS + 1)}
        with again.engine.connect() as conn:  # the twin's mark now belongs to the post kept
            marks = conn.execute(select(reviews.c.external_id)).scalars().all()
        assert marks == [twin["url"].removeprefix(old_base)]
        with FixtureServer() as new:
            moved = collect_at(again, new)
        assert moved.ok == 2 and moved.posts_new == 0
        assert len(again.posts_frame()) == FEED_ITEMS + JOOMLA_ARTICLES
        with again.engine.connect() as conn:  # the day rollup, rebuilt after the merge, counts each post once
            counted = conn.execute(select(func.sum(post_days.c.posts))).scalar()
        assert counted == FEED_ITEMS + JOOMLA_ARTICLES
    finally:
        again.dispose()
