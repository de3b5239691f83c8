"""OpenSID as its current releases serve it: premium themes (the archive filled from
internal_api/arsip by GET or POST), feeds broken on some releases, the free theme's archive with
static pages and agenda in it, installs without URL rewriting, zero-padded article URLs, and the
sitemap as a coverage check. The village is tests/opensid_site.py over a real local server.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from werkzeug import Response

from collectors import opensid, opensid_feed
from collectors.base import CollectContext
from collectors.errors import ParseError
from collectors.http import HttpClient, HttpPolicy
from pantau.models import Source
from tests.fixture_server import LOOPBACK
from tests.opensid_site import WIB, Village, articles, identity, serve, uploaded

NOW = datetime(2025, 9, 10, 12, 0, tzinfo=WIB)
SINCE = datetime(2025, 1, 1, tzinfo=WIB)
RERUN_SINCE = datetime(2025, 9, 1, tzinfo=WIB)


def make_ctx(address: str, since: datetime = SINCE, state: dict | None = None,
             now: datetime = NOW) -> CollectContext:
    client = HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0, respect_robots=False))
    source = Source("desa-karangjati-web", "desa-karangjati", "website", "opensid", address)
    return CollectContext(source=source, since=since, http=client.for_source(source.source_id), zone=WIB,
                          state=state if state is not None else {}, now=now)


def log(httpserver) -> list[str]:
    return [f"{request.method} {request.path}" for request, _ in httpserver.log]


def expected_ids(since: datetime = SINCE) -> list[str]:
    return [identity(e) for e in articles() if uploaded(e) >= since]


@pytest.mark.parametrize("method", ["get", "post"])
def test_premium_site_is_collected_completely_from_the_json_archive(httpserver, method):
    address = serve(httpserver, Village(json_method=method))
    state: dict = {}
    result = opensid.collect(make_ctx(address, state=state))

    assert result.route == "feed+json"
    assert [p.external_id for p in result.posts] == expected_ids()
    assert len(result.posts) == 59  # 64 entries: 2 static pages, 1 agenda, 1 finance report, 1 disabled
    by_id = {p.external_id: p for p in result.posts}
    for entry in articles():
        post = by_id[identity(entry)]
        assert post.published_at == uploaded(entry)  # tgl_upload "d-m-Y H:i:s" carries the time
        assert post.date_only is False
        assert post.views == entry["views"]
        assert post.title == entry["title"]
    assert not result.truncated and not result.gaps
    assert state["opensid_archive_kind"] == f"json-{method}"
    # The premium /arsip page (an empty table) is never asked for.
    assert not any(line in ("GET /arsip", "GET /arsip/1") for line in log(httpserver))
    json_calls = [line for line in log(httpserver) if "internal_api" in line]
    assert json_calls[-1] == f"{method.upper()} /internal_api/arsip"


def test_rerun_with_nothing_new_costs_one_request(httpserver):
    address = serve(httpserver, Village(json_method="post"))
    state: dict = {}
    opensid.collect(make_ctx(address, state=state))
    httpserver.clear_log()
    again = opensid.collect(make_ctx(address, RERUN_SINCE, state))
    assert log(httpserver) == ["GET /index.php/feed"]
    assert [p.external_id for p in again.posts] == expected_ids(RERUN_SINCE)


@pytest.mark.parametrize("status", ["500", "404"])
def test_broken_feed_of_premium_releases_goes_to_the_json_archive(httpserver, status):
    """Premium 22.06 answered the feed with 500, 24.01 with 404: the JSON archive has it all."""
    address = serve(httpserver, Village(feed=status, json_method="post"))
    state: dict = {}
    result = opensid.collect(make_ctx(address, state=state))
    assert result.route == "json"
    assert [p.external_id for p in result.posts] == expected_ids()
    assert state["opensid_feed"]["status"] == "broken"
    httpserver.clear_log()
    opensid.collect(make_ctx(address, RERUN_SINCE, state))
    # The broken feed waits a week; the JSON archive's first page reaches since.
    assert log(httpserver) == ["POST /internal_api/arsip"]


def test_empty_premium_table_is_never_no_posts(httpserver):
    """Without a readable JSON archive, the empty DataTables table must not read as zero posts."""
    address = serve(httpserver, Village(feed="404", json_method=None, sitemap=False))
    with pytest.raises(ParseError) as info:
        opensid.collect(make_ctx(address))
    assert "filled in the browser" in str(info.value)


def test_free_theme_archive_leaves_static_pages_and_agenda_out(httpserver):
    """The free theme's /arsip lists every enabled entry; its page tells what each one is."""
    address = serve(httpserver, Village(json_method=None, premium=False, feed="404"))
    state: dict = {}
    result = opensid.collect(make_ctx(address, state=state))
    assert result.route == "archive"
    assert [p.external_id for p in result.posts] == expected_ids()
    assert all(not p.date_only for p in result.posts)  # the entry page shows the time
    kinds = state["opensid_entry_kinds"]
    assert sorted(k for k in kinds.values() if k != "artikel") == ["agenda", "gone", "keuangan", "statis", "statis"]
    # A re-run reads no entry page twice.
    httpserver.clear_log()
    opensid.collect(make_ctx(address, RERUN_SINCE, state))
    assert log(httpserver) == ["GET /arsip/1"]


def test_feed_vouches_for_its_entries_so_few_pages_are_read(httpserver):
    """Entries newer than the feed's oldest item but absent from it are not articles: no page read."""
    address = serve(httpserver, Village(json_method=None, premium=False))
    result = opensid.collect(make_ctx(address))
    assert result.route == "feed+archive"
    assert [p.external_id for p in result.posts] == expected_ids()
    oldest_in_feed = uploaded(articles()[49])
    lines = log(httpserver)
    page_reads = [line for line in lines[: lines.index("GET /sitemap.xml")] if "/artikel/" in line]
    assert page_reads  # the older entries, beyond the feed's reach
    assert all(datetime.strptime("/".join(line.split("/")[2:5]), "%Y/%m/%d").date() <= oldest_in_feed.date()
               for line in page_reads)


def test_index_php_and_rewritten_sites_give_the_same_posts(httpserver):
    rewritten = opensid.collect(make_ctx(serve(httpserver, Village())))
    httpserver.clear()
    address = serve(httpserver, Village(prefix="index.php/"))
    state: dict = {}
    plain_root = address.removesuffix("index.php/")
    prefixed = opensid.collect(make_ctx(plain_root, state=state))
    assert [p.external_id for p in prefixed.posts] == [p.external_id for p in rewritten.posts]
    assert [p.published_at for p in prefixed.posts] == [p.published_at for p in rewritten.posts]
    assert all("/index.php/artikel/" in p.url for p in prefixed.posts)
    assert opensid_feed.site_form(state["opensid_site"]) == "index.php"


@pytest.mark.parametrize("zero_padded", [True, False])
def test_leading_zeros_in_article_urls_give_one_identity(httpserver, zero_padded):
    """The feed links /artikel/2025/9/4/slug, the JSON archive /artikel/2025/09/04/slug: one post."""
    result = opensid.collect(make_ctx(serve(httpserver, Village(zero_padded=zero_padded))))
    ids = [p.external_id for p in result.posts]
    assert ids == expected_ids()
    assert len(set(ids)) == len(ids)
    oldest = result.posts[-1]  # beyond the feed's reach: from the JSON archive
    assert oldest.external_id.startswith("/artikel/2025/3/")
    assert ("/artikel/2025/03/" in oldest.url) is zero_padded  # the URL as the site printed it


def test_sitemap_entries_no_route_reached_are_confirmed_on_their_page(httpserver):
    """The JSON archive leaves out categories outside `anjungan_artikel`: the sitemap finds them."""
    hidden = {e["slug"] for e in articles()[52:55]}
    address = serve(httpserver, Village(feed="404", hidden_from_json=hidden))
    result = opensid.collect(make_ctx(address))
    assert [p.external_id for p in result.posts] == expected_ids()
    assert any("sitemap: 3 article(s)" in note for note in result.notes)
    assert not result.gaps


def test_sitemap_entries_that_cannot_be_confirmed_are_a_coverage_gap(httpserver):
    hidden = {e["slug"] for e in articles()[52:55]}
    village = Village(feed="404", hidden_from_json=hidden)
    address = serve(httpserver, village)
    original = village.entry_reply
    village.entry_reply = lambda slug: Response("error", status=500) if slug in hidden else original(slug)
    broken = {e["slug"] for e in articles()[52:55]}
    result = opensid.collect(make_ctx(address))
    reached = {p.external_id for p in result.posts}
    assert reached == set(expected_ids()) - {identity(e) for e in articles() if e["slug"] in broken}
    # Never counted without their page; the days they fall on are recorded as a gap.
    assert result.gaps
    days = {identity(e): uploaded(e) for e in articles() if e["slug"] in broken}
    for when in days.values():
        assert any(start <= when < end for start, end in result.gaps)


def test_routes_learned_for_another_address_are_forgotten(httpserver):
    address = serve(httpserver, Village(json_method="post"))
    state: dict = {}
    opensid.collect(make_ctx(address, state=state))
    assert state["opensid_address"] == address
    moved = address + "index.php/"  # the clerk registered the site again under index.php/
    httpserver.clear_log()
    opensid.collect(make_ctx(moved, RERUN_SINCE, state))
    assert state["opensid_address"] == moved
    assert state["opensid_site"] == moved
    assert log(httpserver)[0] == "GET /index.php/feed"  # nothing carried over: routes found afresh


def test_sitemap_is_checked_weekly(httpserver):
    address = serve(httpserver, Village())
    state: dict = {}
    opensid.collect(make_ctx(address, state=state))
    assert any(line.endswith("/sitemap.xml") for line in log(httpserver))
    httpserver.clear_log()
    opensid.collect(make_ctx(address, RERUN_SINCE, state, now=NOW + timedelta(days=8)))
    assert log(httpserver) == ["GET /index.php/feed", "GET /sitemap.xml"]


def test_runner_records_the_sitemap_gap_and_stores_no_static_page(httpserver, sqlite_store):
    """Through the runner: the gap is a recorded coverage gap; static pages and agenda are not posts."""
    from pantau.collection import collect_source
    from pantau.models import Unit
    from pantau.registry import Registry

    hidden = {e["slug"] for e in articles()[52:55]}
    village = Village(feed="404", hidden_from_json=hidden)
    address = serve(httpserver, village)
    original = village.entry_reply
    village.entry_reply = lambda slug: Response("error", status=500) if slug in hidden else original(slug)
    source = Source("desa-karangjati-web", "desa-karangjati", "website", "opensid", address)
    sqlite_store.sync_registry(Registry(units=(Unit("desa-karangjati", "Desa Karangjati", "desa"),),
                                        sources=(source,)))
    with HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0, respect_robots=False)) as client:
        run = collect_source(source, sqlite_store, client, zone=WIB, fallback_since=SINCE, now=NOW)
    assert run.ok
    stored = set(sqlite_store.posts_frame(columns=["external_id"])["external_id"])
    assert stored == set(expected_ids()) - {identity(e) for e in articles() if e["slug"] in hidden}
    assert not any(("profil-desa" in i or "agenda" in i or "apbdes" in i or "sejarah" in i) for i in stored)
    gaps = sqlite_store.gaps_frame()
    assert len(gaps) >= 1
    for entry in (e for e in articles() if e["slug"] in hidden):
        assert ((gaps["gap_start"] <= uploaded(entry)) & (uploaded(entry) < gaps["gap_end"])).any()
