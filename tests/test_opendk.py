"""OpenDK kecamatan portals over a real local server: the JSON:API (both sort generations, the
rate limit's 429), the news list of older portals, and re-runs of one request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from collectors import opendk
from collectors.base import CollectContext
from collectors.http import HttpClient, HttpPolicy
from pantau.models import Source
from tests.fixture_server import LOOPBACK
from tests.opendk_portal import WIB_OFFSET, Portal, serve

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2025, 12, 1, tzinfo=WIB)
SINCE = datetime(2025, 1, 1, tzinfo=WIB)


def make_ctx(address: str, since: datetime = SINCE, state: dict | None = None) -> CollectContext:
    client = HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=2, backoff=0, max_retry_after=2, respect_robots=False))
    source = Source("kec-jati-portal", "kec-jati", "website", "opendk", address)
    return CollectContext(source=source, since=since, http=client.for_source(source.source_id), zone=WIB,
                          state=state if state is not None else {}, now=NOW)


def log(httpserver) -> list[str]:
    return [request.full_path.rstrip("?") for request, _ in httpserver.log]


def expected(portal: Portal, since: datetime = SINCE) -> list[dict]:
    return [r for r in portal.published() if r["created_at"] >= since]


@pytest.mark.parametrize("sort_column", ["tanggal_terbit", "created_at"])
def test_api_posts_are_collected_exactly(httpserver, sort_column):
    portal = Portal(sort_column=sort_column)
    state: dict = {}
    result = opendk.collect(make_ctx(serve(httpserver, portal), state=state))
    want = expected(portal)
    assert result.route == "api"
    assert [p.external_id for p in result.posts] == [f"/berita/{r['slug']}" for r in want]
    assert len(want) == 116  # 130 posts, 14 drafts left out
    for post, row in zip(result.posts, want, strict=True):
        assert post.published_at == row["created_at"]
        assert post.date_only is False
        assert post.title == row["judul"]
        assert post.url == portal.base + f"berita/{row['slug']}"
    assert state["opendk_sort"] == f"-{sort_column}"
    # Pages of 100: two pages cover the year (plus one refused sort on the first API releases).
    api_calls = [line for line in log(httpserver) if "artikel" in line]
    assert len(api_calls) == (2 if sort_column == "tanggal_terbit" else 3)


def test_rerun_with_nothing_new_costs_one_request(httpserver):
    portal = Portal(sort_column="created_at")
    address = serve(httpserver, portal)
    state: dict = {}
    opendk.collect(make_ctx(address, state=state))
    httpserver.clear_log()
    newest = portal.published()[0]["created_at"]
    again = opendk.collect(make_ctx(address, newest - timedelta(days=3), state))
    assert len(log(httpserver)) == 1
    assert "sort=-created_at" in log(httpserver)[0]
    assert [p.external_id for p in again.posts] == [f"/berita/{r['slug']}"
                                                    for r in expected(portal, newest - timedelta(days=3))]


def test_rate_limit_waits_for_retry_after(httpserver):
    portal = Portal(rate_limited_once=True)
    result = opendk.collect(make_ctx(serve(httpserver, portal)))
    assert [p.external_id for p in result.posts] == [f"/berita/{r['slug']}" for r in expected(portal)]
    statuses = [response.status_code for _, response in httpserver.log]
    assert statuses[0] == 429 and statuses[1] == 200


def test_older_portal_without_api_reads_the_news_list(httpserver):
    portal = Portal(api=False, rows=Portal().rows[:45])
    address = serve(httpserver, portal)
    state: dict = {}
    since = datetime(2025, 2, 15, tzinfo=WIB)
    result = opendk.collect(make_ctx(address, since, state))
    assert result.route == "html"
    want = [r for r in portal.published() if (r["created_at"] + WIB_OFFSET).date() >= since.date()]
    assert [p.external_id for p in result.posts] == [f"/berita/{r['slug']}" for r in want]
    assert all(p.date_only for p in result.posts)
    assert [p.published_at.astimezone(WIB).date() for p in result.posts] == \
        [(r["created_at"] + WIB_OFFSET).date() for r in want]
    assert state["opendk_route"] == "html"
    # A re-run reads the first list page and no post page: the days are remembered.
    httpserver.clear_log()
    newest = max(p.published_at for p in result.posts)
    opendk.collect(make_ctx(address, newest - timedelta(days=3), state))
    assert log(httpserver) == ["/"]


def test_address_change_forgets_the_route(httpserver):
    portal = Portal(api=False, rows=Portal().rows[:12])
    address = serve(httpserver, portal)
    state: dict = {}
    opendk.collect(make_ctx(address, state=state))
    assert state["opendk_route"] == "html"
    opendk.collect(make_ctx(address + "?from=kabupaten", state=state))
    assert state["opendk_address"] == address + "?from=kabupaten"
    assert state["opendk_route"] == "html"  # found again, after asking the API first
    assert any("api/frontend/v1/artikel" in line for line in log(httpserver)[-20:])


def test_portal_root():
    assert opendk.portal_root("https://jati.blorakab.go.id") == "https://jati.blorakab.go.id/"
    assert opendk.portal_root("https://jati.blorakab.go.id/api/frontend/v1/artikel") == "https://jati.blorakab.go.id/"
    assert UTC  # the module's times are UTC-aware
