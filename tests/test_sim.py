"""The simulator: a deterministic world, and every format served as the real platform serves it.

Formats are checked over real HTTP with plain requests and feedparser, independently of the
collectors, so a collector bug and a simulator bug cannot hide each other.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
import requests
from bs4 import BeautifulSoup

from pantau.config import DEFAULT_REGISTRY
from pantau.registry import load_registry
from pantau.sim import content
from pantau.sim.faults import FaultPlan
from pantau.sim.registry import source_of, write_registry
from pantau.sim.server import SimServer
from pantau.sim.truth import compare, iso_week
from pantau.sim.world import build_world, small_regency
from pantau.store import Store

BLORA = load_registry(DEFAULT_REGISTRY)
UNITS = small_regency(BLORA.units)


@pytest.fixture(scope="module")
def world():
    return build_world(UNITS, seed=7, weeks=20)


@pytest.fixture(scope="module")
def server(world):
    with SimServer(world, FaultPlan.off()) as running:
        yield running


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def channel_of(world, variant):
    for host in world.hosts:
        for channel in host.channels:
            if channel.variant == variant and channel.posts:
                return host, channel
    raise AssertionError(f"no {variant} channel in the test world")


# --- the world ---------------------------------------------------------------------------------

def test_same_seed_same_world_and_another_seed_another():
    first = build_world(UNITS, seed=3, weeks=8)
    again = build_world(UNITS, seed=3, weeks=8)
    other = build_world(UNITS, seed=4, weeks=8)
    snapshot = [(c.source_id, [(p.external_id, p.published, p.title) for p in c.posts]) for c in first.channels]
    assert snapshot == [(c.source_id, [(p.external_id, p.published, p.title) for p in c.posts])
                        for c in again.channels]
    assert snapshot != [(c.source_id, [(p.external_id, p.published, p.title) for p in c.posts])
                        for c in other.channels]


def test_a_units_posts_do_not_depend_on_the_other_units():
    whole = build_world(UNITS, seed=3, weeks=8)
    alone = build_world([u for u in UNITS if u.kind == "pimpinan"], seed=3, weeks=8)
    assert whole.channel("bupati-web").posts == alone.channel("bupati-web").posts


def test_identities_are_distinct_per_source(world):
    for channel in world.channels:
        ids = [p.external_id for p in channel.posts]
        assert len(ids) == len(set(ids)), channel.source_id


def test_rhythms_leaders_daily_desa_sparse_weekends_quieter():
    full = build_world(BLORA.units, seed=1)
    zone = full.zone
    leader_days = {p.published.astimezone(zone).date() for c in full.channels if c.unit_id == "bupati"
                   for p in c.posts}
    assert len(leader_days) > 300  # nearly every day of 364
    villages = [u for u in full.units if u.kind in ("desa", "kelurahan")]
    with_posts = {c.unit_id for c in full.channels if c.posts}
    silent = [u for u in villages if u.unit_id not in with_posts]
    assert len(silent) > len(villages) // 4
    posts = [p for c in full.channels for p in c.posts]
    weekend = sum(1 for p in posts if p.published.astimezone(zone).weekday() >= 5)
    assert weekend / len(posts) < 2 / 7 * 0.7
    august = sum(1 for p in posts if p.published.astimezone(zone).date().month == 8
                 and 10 <= p.published.astimezone(zone).day <= 20)
    june = sum(1 for p in posts if p.published.astimezone(zone).date().month == 6
               and 10 <= p.published.astimezone(zone).day <= 20)
    assert august > 1.5 * june  # the 17 Agustus burst
    late = [p for p in posts if p.published.astimezone(zone).hour == 23]
    assert late  # admins posting at night
    early = [p for p in posts if p.published.astimezone(zone).hour < 7]
    # Before 07:00 WIB it is still yesterday in UTC: a week must be cut in local time.
    assert early and all(p.published.date() != p.published.astimezone(zone).date() for p in early)
    titles = {p.title for p in posts}
    assert content.HOSTILE_TITLE in titles
    assert set(content.FLAGGED_TITLES) <= titles


def test_persisting_and_transient_faults_are_assigned(world):
    fresh = build_world(UNITS, seed=7, weeks=20)
    from pantau.sim.faults import assign_faults

    assign_faults(fresh, FaultPlan())
    persisting = [c.persisting for c in fresh.channels if c.persisting]
    assert sorted(persisting) == ["robots", "site-down", "site-down"]
    transient = {c.transient for c in fresh.channels if c.transient}
    assert {"http-503", "http-429", "timeout", "reset", "cut", "broken-xml"} <= transient


# --- WordPress ---------------------------------------------------------------------------------

def test_wordpress_rest_discovery_paging_and_refusals(world, server, http):
    host, channel = channel_of(world, "wp-rest")
    home = http.get(host.base + "/")
    assert f'<{host.base}/wp-json/>; rel="https://api.w.org/"' == home.headers["Link"]
    assert 'rel="https://api.w.org/"' in home.text
    api = host.base + "/wp-json/wp/v2/posts"
    first = http.get(api, params={"per_page": 10})
    total = int(first.headers["X-WP-Total"])
    assert total == len(channel.visible(server.now)) and total > 10
    assert int(first.headers["X-WP-TotalPages"]) == -(-total // 10)
    assert 'rel="next"' in first.headers["Link"]
    post = first.json()[0]
    newest = channel.posts[0]
    assert post["id"] == newest.number
    assert post["date"] == newest.published.astimezone(world.zone).replace(tzinfo=None).isoformat()
    assert post["date_gmt"] == newest.published.astimezone(UTC).replace(tzinfo=None).isoformat()
    assert post["guid"]["rendered"].endswith(f"?p={newest.number}")
    bare = http.get(api, params={"after": "2025-09-01"})
    assert bare.status_code == 400 and bare.json()["code"] == "rest_invalid_param"
    past = http.get(api, params={"page": 999})
    assert past.status_code == 400 and past.json()["code"] == "rest_post_invalid_page_number"
    assert http.get(api, params={"per_page": 101}).status_code == 400
    cut = channel.posts[5].published.astimezone(world.zone).replace(tzinfo=None).isoformat()
    after = http.get(api, params={"after": cut, "_fields": "id,date"})
    assert [p["id"] for p in after.json()] == [p.number for p in channel.posts[:5]]
    assert set(after.json()[0]) == {"id", "date"}


def test_wordpress_plain_permalinks_only_through_rest_route(world, server, http):
    host, channel = channel_of(world, "wp-plain")
    assert http.get(host.base + "/").headers["Link"] == f'<{host.base}/?rest_route=/>; rel="https://api.w.org/"'
    assert http.get(host.base + "/wp-json/wp/v2/posts").status_code == 404
    posts = http.get(host.base + "/", params={"rest_route": "/wp/v2/posts", "per_page": 5})
    assert posts.status_code == 200 and posts.json()[0]["link"] == f"{host.base}/?p={channel.posts[0].number}"
    assert "rest_route=%2Fwp%2Fv2%2Fposts" in posts.headers["Link"]
    assert http.get(host.base + "/feed/").status_code == 404
    assert feedparser.parse(http.get(host.base + "/", params={"feed": "rss2"}).content).entries


def test_wordpress_locked_and_waf_fall_back_to_rss_with_the_same_ids(world, server, http):
    host, channel = channel_of(world, "wp-locked")
    home = http.get(host.base + "/")
    assert "Link" not in home.headers and "api.w.org" not in home.text
    locked = http.get(host.base + "/wp-json/wp/v2/posts")
    assert locked.status_code == 401 and locked.json()["code"] == "rest_login_required"
    feed = feedparser.parse(http.get(host.base + "/feed/").content)
    visible = channel.visible(server.now)
    assert len(feed.entries) == min(10, len(visible))
    assert feed.entries[0].published.endswith("+0000")
    assert feed.entries[0].id == f"{host.base}/?p={channel.posts[0].number}"
    paged = [feedparser.parse(http.get(host.base + "/feed/", params={"paged": n}).content).entries
             for n in range(1, 2 + len(visible) // 10)]
    assert [e.id.rsplit("=", 1)[1] for page in paged for e in page] == [str(p.number) for p in visible]
    assert http.get(host.base + "/feed/", params={"paged": 2 + len(visible) // 10}).status_code == 404
    waf_host, _ = channel_of(world, "wp-waf")
    waf = http.get(waf_host.base + "/wp-json/wp/v2/posts")
    assert waf.status_code == 200 and waf.headers["Content-Type"].startswith("text/html")


def test_wordpress_html_only_site_pages_with_entry_dates(world, server, http):
    host, channel = channel_of(world, "wp-html")
    assert http.get(host.base + "/feed/").status_code == 404
    page = BeautifulSoup(http.get(host.base + "/").text, "html.parser")
    stamps = [t["datetime"] for t in page.select("time.entry-date")]
    assert stamps[0] == channel.posts[0].published.astimezone(world.zone).isoformat()
    assert page.select_one("a.next")["href"].endswith("/page/2/")


# --- OpenSID -----------------------------------------------------------------------------------

def test_opensid_feed_newest_50_with_offset_and_unpadded_article_paths(world, server, http):
    host, channel = channel_of(world, "opensid")
    parsed = feedparser.parse(http.get(host.base + "/feed.xml").content)
    assert len(parsed.entries) == min(50, len(channel.visible(server.now)))
    entry = parsed.entries[0]
    assert entry.published.endswith("+0700")
    local = channel.posts[0].published.astimezone(world.zone)
    assert f"/artikel/{local.year}/{local.month}/{local.day}/" in entry.link
    assert entry.link.endswith(channel.posts[0].external_id)


def test_opensid_old_feed_is_broken_and_the_archive_has_everything(world, server, http):
    host, channel = channel_of(world, "opensid-old")
    parsed = feedparser.parse(http.get(host.base + "/feed.xml").content)
    assert not any(e.get("published") for e in parsed.entries)
    seen = []
    page = 1
    while True:
        soup = BeautifulSoup(http.get(f"{host.base}/arsip/{page}").text, "html.parser")
        rows = soup.select("table.table-striped tbody tr")
        if not rows:
            break
        seen += [(r.select("td")[1].text, r.select_one("a")["href"]) for r in rows]
        assert f"Halaman {page} dari" in soup.select_one(".pagination_area").text
        page += 1
    # Every post, plus the site's static page and agenda item (entries that are not posts).
    assert len(seen) == len(channel.visible(server.now)) + 2
    assert sum("/profil-desa" in href or "/agenda-musyawarah-desa" in href for _, href in seen) == 2
    date_text, href = seen[0]
    assert re.fullmatch(r"\d{2} [A-Z][a-z]+ \d{4}", date_text)
    assert href.endswith(channel.posts[0].external_id)


# --- Blogger -----------------------------------------------------------------------------------

def test_blogger_json_paging_filter_and_pacific_offsets(world, server, http):
    host, channel = channel_of(world, "blogger")
    url = host.base + "/feeds/posts/default"
    total = len(channel.visible(server.now))
    first = http.get(url, params={"alt": "json", "max-results": 5}).json()["feed"]
    assert first["openSearch$totalResults"]["$t"] == str(total)
    entry = first["entry"][0]
    assert entry["id"]["$t"].endswith(f".post-{channel.posts[0].external_id}")
    assert re.search(r"\.\d{3}-0[78]:00$", entry["published"]["$t"])
    collected, start = [], 1
    while start <= total:
        page = http.get(url, params={"alt": "json", "max-results": 500, "start-index": start}).json()["feed"]
        collected += page.get("entry", [])
        start += len(page.get("entry", [])) or 1
    assert len(collected) == total
    assert len(http.get(url, params={"alt": "json", "max-results": 500}).json()["feed"]["entry"]) <= 150
    cut = channel.posts[3].published.isoformat()
    recent = http.get(url, params={"alt": "json", "published-min": cut}).json()["feed"]
    assert recent["openSearch$totalResults"]["$t"] == "4"


# --- YouTube -----------------------------------------------------------------------------------

def test_youtube_feed_15_entries_channel_page_and_data_api(world, server, http):
    host, channel = channel_of(world, "youtube")
    options = source_of(channel, host).options
    page = http.get(options["web_base"] + "/" + "@" + channel.unit_id).text
    og = re.search(r'<meta property="og:url" content="https://www\.youtube\.com/channel/(UC[\w-]{22})"', page)
    assert og and og.group(1) == channel.handle
    assert re.search(r"UC[\w-]{22}", page).group(0) != channel.handle  # the first id is a decoy
    feed = feedparser.parse(http.get(options["web_base"] + "/feeds/videos.xml",
                                     params={"channel_id": channel.handle}).content)
    assert len(feed.entries) == 15 < len(channel.posts)
    assert feed.entries[0].yt_videoid == channel.posts[0].external_id
    api = options["api_base"]
    assert http.get(api + "/channels", params={"forHandle": "@" + channel.unit_id}).status_code == 403
    uploads = http.get(api + "/channels", params={"forHandle": "@" + channel.unit_id, "key": "k"}).json()
    playlist = uploads["items"][0]["contentDetails"]["relatedPlaylists"]["uploads"]
    ids, token = [], None
    while True:
        params = {"playlistId": playlist, "maxResults": 50, "key": "k", "part": "snippet,contentDetails"}
        if token:
            params["pageToken"] = token
        answer = http.get(api + "/playlistItems", params=params).json()
        ids += [i["contentDetails"]["videoId"] for i in answer["items"]]
        token = answer.get("nextPageToken")
        if not token:
            break
    assert ids == [p.external_id for p in channel.visible(server.now)]
    stats = http.get(api + "/videos", params={"id": ",".join(ids[:3]), "key": "k", "part": "statistics"}).json()
    assert stats["items"][0]["statistics"]["viewCount"] == str(channel.posts[0].views)


# --- Graph API and TikTok ----------------------------------------------------------------------

def test_instagram_business_discovery_pages_by_cursor(world, server, http):
    host, channel = channel_of(world, "instagram")
    api = source_of(channel, host).options["api_base"]
    assert http.get(f"{api}/178414", params={"fields": "business_discovery.username(x)"}).status_code == 400
    ids, after = [], None
    while True:
        media = f"media.after({after}).limit(50)" if after else "media.limit(50)"
        fields = f"business_discovery.username({channel.handle}){{media_count,{media}{{id,timestamp,caption}}}}"
        answer = http.get(f"{api}/178414", params={"fields": fields, "access_token": "t"}).json()
        block = answer["business_discovery"]["media"]
        ids += [m["id"] for m in block["data"]]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", block["data"][0]["timestamp"])
        after = block["paging"]["cursors"].get("after")
        if not after:
            break
    assert ids == [p.external_id for p in channel.visible(server.now)]


def test_facebook_published_posts_follow_paging_next(world, server, http):
    host, channel = channel_of(world, "facebook")
    api = source_of(channel, host).options["api_base"]
    url = f"{api}/{channel.handle}/published_posts"
    params = {"fields": "id,created_time,message,permalink_url", "limit": 25, "access_token": "secret"}
    ids = []
    while url:
        answer = http.get(url, params=params).json()
        params = None
        ids += [p["id"] for p in answer["data"]]
        url = answer.get("paging", {}).get("next")
        assert url is None or "access_token=secret" in url  # Graph's next links carry the token
    assert ids == [p.external_id for p in channel.visible(server.now)]


def test_tiktok_video_count_grows_with_the_clock(http):
    world = build_world(UNITS, seed=7, weeks=20)
    host, channel = channel_of(world, "tiktok")
    with SimServer(world, FaultPlan.off()) as running:
        url = source_of(channel, host).address

        def count():
            page = BeautifulSoup(http.get(url).text, "html.parser")
            data = json.loads(page.select_one("#__UNIVERSAL_DATA_FOR_REHYDRATION__").string)
            return data["__DEFAULT_SCOPE__"]["webapp.user-detail"]["userInfo"]["stats"]["videoCount"]

        running.now = world.end - timedelta(days=30)
        earlier = count()
        running.now = world.end
        assert count() > earlier


# --- Listing, generic feed, conditional GET ----------------------------------------------------

def test_listing_dates_next_link_and_charset_declared_only_in_meta(http):
    world = build_world(UNITS, seed=7, weeks=20)
    with SimServer(world, FaultPlan(transient_share=0, sites_down=0, robots_disallowed=0)) as running:
        host, channel = channel_of(world, "listing")
        assert channel.source_id in running.sim.cp1252_sources
        answer = http.get(host.base + "/berita")
        assert answer.headers["Content-Type"] == "text/html"
        assert b'charset=windows-1252' in answer.content
        soup = BeautifulSoup(answer.content, "html.parser")  # bs4 honours the <meta> charset
        titles = [a.text for a in soup.select("h3.judul a")]
        assert titles == [p.title for p in channel.posts[:10]]
        assert soup.select_one("a.next")["href"] == "/berita?page=2"
        assert soup.select_one("span.tanggal").text


def test_generic_feed_shows_only_its_newest_10(world, server, http):
    host, channel = channel_of(world, "feed")
    parsed = feedparser.parse(http.get(host.base + "/rss.xml").content)
    assert len(parsed.entries) == 10 < len(channel.posts)
    assert parsed.entries[0].published.endswith("+0700")
    reach = channel.reachable(server.now, world.start)
    assert [p.external_id for p in reach] == [p.external_id for p in channel.posts[:10]]


def test_conditional_get_answers_304(world, server, http):
    host, _ = channel_of(world, "opensid")
    first = http.get(host.base + "/feed.xml")
    again = http.get(host.base + "/feed.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.content
    since = http.get(host.base + "/feed.xml", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304


# --- Faults, counting, robots --------------------------------------------------------------------

def entry_path(channel):
    """A path on the channel's host that routes to that channel."""
    return {"youtube": "/youtube/feeds/videos.xml", "instagram": "/graph/v25.0/1",
            "facebook": "/graph/v25.0/1/published_posts", "tiktok": "/tiktok/@x"}.get(channel.variant, "/")


CONTENT_PATHS = {"opensid": "/feed.xml", "opensid-old": "/feed.xml", "blogger": "/feeds/posts/default",
                 "listing": "/berita", "feed": "/rss.xml"}


def test_transient_faults_fire_once_and_persisting_ones_always(http):
    world = build_world(UNITS, seed=7, weeks=20)
    plan = FaultPlan(transient_share=1.0, stall_seconds=0.5)
    with SimServer(world, plan) as running:
        by_kind = {}
        for channel in world.channels:
            by_kind.setdefault(channel.transient or channel.persisting, channel)

        def get(channel, **kwargs):
            return http.get(world.hosts[channel.host_index].base + entry_path(channel), **kwargs)

        failing = by_kind["http-503"]
        assert get(failing).status_code == 503
        assert get(failing).status_code != 503
        limited = get(by_kind["http-429"])
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
        with pytest.raises(requests.exceptions.ReadTimeout):
            get(by_kind["timeout"], timeout=0.2)
        with pytest.raises(requests.exceptions.ConnectionError):
            get(by_kind["reset"])
        assert get(by_kind["reset"]).status_code != 0
        cut = next(c for c in world.channels if c.transient == "cut" and c.platform == "website")
        cut_url = world.hosts[cut.host_index].base + CONTENT_PATHS.get(cut.variant, "/")
        with pytest.raises(requests.exceptions.RequestException):  # IncompleteRead: less than Content-Length
            http.get(cut_url)
        assert http.get(cut_url).status_code == 200
        down = by_kind["site-down"]
        assert [get(down).status_code for _ in range(3)] == [503, 503, 503]
        robots = world.hosts[by_kind["robots"].host_index]
        assert http.get(robots.base + "/robots.txt").text == "User-agent: *\nDisallow: /\n"
        assert "Disallow: /\n" not in http.get(world.hosts[failing.host_index].base + "/robots.txt").text
        stats = running.stats()
        assert stats["robots"] == 2
        assert stats["faults_fired"]["http-503"] == 1 and stats["faults_fired"]["reset"] == 1


def test_broken_xml_is_cut_once_then_whole():
    world = build_world(UNITS, seed=7, weeks=20)
    with SimServer(world, FaultPlan(transient_share=1.0)) as running:
        channel = next(c for c in world.channels if c.transient == "broken-xml")
        url = world.hosts[channel.host_index].base + {"opensid": "/feed.xml", "feed": "/rss.xml"}.get(
            channel.variant, "/feed/")
        first, second = requests.get(url), requests.get(url)
        assert first.status_code == second.status_code == 200
        assert len(first.content) < len(second.content)
        assert feedparser.parse(first.content).bozo and not feedparser.parse(second.content).bozo
        assert b"Fatal error" in first.content
        assert running.stats()["faults_fired"] == {"broken-xml": 1}


def test_stats_count_requests_and_concurrency_per_host():
    import concurrent.futures

    world = build_world(UNITS, seed=7, weeks=20)
    with SimServer(world, FaultPlan.off(latency_ms=300)) as running:
        host = world.hosts[0]
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: requests.get(host.base + "/robots.txt"), range(4)))
        stats = running.stats()
        assert stats["requests"] == 4 and stats["robots"] == 4
        assert stats["max_per_host"] == 4


# --- Registry and truth ----------------------------------------------------------------------------

def test_written_registry_loads_and_never_lands_in_data_blora(world, server, tmp_path):
    folder = write_registry(world, tmp_path / "registry")
    loaded = load_registry(folder)
    assert {u.unit_id for u in loaded.units} == {u.unit_id for u in UNITS}
    collected = [s for s in loaded.sources if s.active and s.collector]
    assert len(collected) == sum(1 for c in world.channels if c.collector)
    assert any(s.platform == "x" and not s.collector for s in loaded.sources)
    with pytest.raises(ValueError):
        write_registry(world, DEFAULT_REGISTRY)
    assert not list(Path(DEFAULT_REGISTRY).glob("*.tmp"))


def test_truth_comparison_counts_missing_and_extra_posts_per_week(world, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'truth.db'}")
    from pantau.models import Post

    channel = next(c for c in world.channels if c.variant == "opensid" and len(c.posts) > 3)
    unit = channel.unit_id
    kept = channel.posts[1:]
    store.upsert_posts(unit, "website", [Post(channel.source_id, p.external_id, "", p.title, p.published)
                                         for p in kept])
    store.upsert_posts(unit, "website", [Post(channel.source_id, "/artikel/2025/1/1/bogus", "", "x",
                                              datetime(2025, 9, 10, tzinfo=UTC))])
    result = compare(world, store, {}, world.start)
    mine = [d for d in result.differences if d.source_id == channel.source_id]
    assert {d.week for d in mine} == {iso_week(channel.posts[0].published, world.zone), "2025-W37"}
    assert any(d.missing == [channel.posts[0].external_id] for d in mine)
    assert any(d.extra == ["/artikel/2025/1/1/bogus"] for d in mine)
    assert result.count > len(mine)  # the other sources hold nothing at all
    assert result.summary_line() == f"ground truth: {result.count} differences (0 explained by persisting faults)"
    assert not result.exact and result.explanation_line() == ""
    store.dispose()


def test_simulator_in_its_own_process_is_driven_through_the_control_port():
    from pantau.sim.process import SimProcess
    from pantau.sim.world import synthetic_units

    units = synthetic_units(40)
    world = build_world(units, seed=2, weeks=6)
    collectable = sum(1 for c in world.channels if c.collector)
    assert 40 <= collectable <= 42
    simulator = SimProcess(world, FaultPlan.off(), weeks=6)
    try:
        host, channel = channel_of(world, "opensid")
        assert requests.get(host.base + "/feed.xml").status_code == 200
        assert requests.get(host.base + "/robots.txt").status_code == 200
        stats = simulator.stats()
        assert (stats["requests"], stats["robots"], stats["hosts_seen"]) == (2, 1, 1), stats
        simulator.now = world.end - timedelta(days=14)
        assert simulator.now == world.end - timedelta(days=14)
        shown = feedparser.parse(requests.get(host.base + "/feed.xml").content).entries
        assert len(shown) == len(channel.visible(world.end - timedelta(days=14)))
        simulator.reset_stats()
        assert simulator.stats()["requests"] == 0
    finally:
        simulator.stop()


def test_listing_without_dates_dates_each_article_page_its_own_way(http):
    # The 13th OPD is the first on the no-date listing's slot.
    world = build_world(small_regency(BLORA.units, opd=13, kecamatan=1, villages=0), seed=7, weeks=20)
    with SimServer(world, FaultPlan.off()) as server:
        check_nodate_listing(world, server, http)


def check_nodate_listing(world, server, http):
    host, channel = channel_of(world, "listing-nodate")
    soup = BeautifulSoup(http.get(host.base + "/berita").content, "lxml")
    links = [a["href"] for a in soup.select("div.daftar-berita div.berita h3.judul a")]
    assert links == [p.external_id for p in channel.visible(server.now)[:10]]
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", soup.select_one("div.daftar-berita").decode())
    assert soup.select_one("ul.pagination a.next")["href"] == "/berita?hal=2"
    pages = [http.get(host.base + p.external_id).text for p in channel.posts[:14]]
    signs = ("article:published_time", "application/ld+json", "post-meta", "entry-date", "itemprop=\"datePublished\"",
             "DC.date.issued", "BLORA - (")
    assert {sign for sign in signs for page in pages if sign in page} == set(signs)


def test_regency_cms_listing_pages_by_offset_with_a_nested_next_link(world, server, http):
    host, channel = channel_of(world, "blorakab")
    assert channel.unit_id == "opd-setda"
    first = BeautifulSoup(http.get(host.base + "/index.php/public/berita/index").content, "lxml")
    items = first.select("div.berita-list div.item-berita")
    assert len(items) == 9 and all(i.select_one("a.btn").text == "Read more" for i in items)
    assert first.select_one("a[rel=next]")["href"] == host.base + "/index.php/public/berita/index/9"
    second = BeautifulSoup(http.get(host.base + "/index.php/public/berita/index/9").content, "lxml")
    hrefs = [a["href"] for a in second.select("h4.judul-berita a")]
    assert hrefs == [host.base + p.external_id for p in channel.visible(server.now)[9:18]]
    article = http.get(hrefs[0]).text
    post = channel.visible(server.now)[9]
    local = post.local(world.zone)
    assert f"({local.day}/{local.month}/{local.year})" in article


def test_opensid_premium_archive_is_json_and_the_table_is_empty(world, server, http):
    from pantau.sim.formats.opensid import premium_profile

    host, channel = channel_of(world, "opensid-premium")
    page = BeautifulSoup(http.get(host.base + "/arsip").text, "html.parser")
    assert page.select_one("table#arsip-artikel tbody").find("tr") is None
    method = premium_profile(channel)[1]
    params = {"page[size]": 100, "page[number]": 1, "sort": "-tgl_upload"}
    answer = http.post(host.base + "/internal_api/arsip", data=params) if method == "post" else \
        http.get(host.base + "/internal_api/arsip", params=params)
    assert answer.status_code == 200
    data = answer.json()["data"]
    kinds = [d["attributes"]["tipe"] for d in data]
    assert kinds.count("dinamis") == len(channel.visible(server.now)) and {"statis", "agenda"} <= set(kinds)
    assert re.search(r"/artikel/\d{4}/\d{2}/\d{2}/", data[0]["attributes"]["url_slug"])  # zero-padded


def test_opensid_without_url_rewriting_answers_only_under_index_php(world, server, http):
    host, channel = channel_of(world, "opensid-idx")
    assert http.get(host.base + "/index.php/feed").status_code == 200
    assert http.get(host.base + "/arsip/1").status_code == 404
    parsed = feedparser.parse(http.get(host.base + "/index.php/feed").content)
    assert "/index.php/artikel/" in parsed.entries[0].link


def test_opendk_portal_pages_its_posts_and_lists_its_villages(world, server, http):
    from pantau.sim.formats.opendk import sort_column

    host, channel = channel_of(world, "opendk")
    column = sort_column(channel)
    first = http.get(host.base + "/api/frontend/v1/artikel",
                     params={"page[number]": 1, "page[size]": 100, "sort": f"-{column}"}).json()
    assert first["data"][0]["attributes"]["slug"] == channel.posts[0].slug
    assert first["meta"]["pagination"]["total"] == len(channel.visible(server.now))
    other = "created_at" if column == "tanggal_terbit" else "tanggal_terbit"
    refused = http.get(host.base + "/api/frontend/v1/artikel", params={"sort": f"-{other}"})
    assert refused.status_code == 400
    villages = http.get(host.base + "/api/frontend/v1/desa").json()["data"]
    assert villages and all(v["attributes"]["kode_desa"].startswith("33.16.") for v in villages)
