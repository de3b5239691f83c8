"""TikTok videoCount deltas from profile pages served by a local server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from social_support import fixture_text, make_ctx

from collectors import tiktok
from collectors.base import ParseError, SourceNotFound
from pantau.models import Activity, Source

SINCE = datetime(2025, 1, 1, tzinfo=UTC)
MONDAY = datetime(2025, 9, 8, 1, 0, tzinfo=UTC)
TUESDAY = datetime(2025, 9, 9, 1, 0, tzinfo=UTC)
WEDNESDAY = datetime(2025, 9, 10, 1, 0, tzinfo=UTC)


def source(httpserver) -> Source:
    return Source("tt-kominfo", "dinkominfo", "tiktok", "tiktok", "https://www.tiktok.com/@diskominfo.blora",
                  {"web_base": httpserver.url_for("/")})


def serve(httpserver, name):
    httpserver.expect_oneshot_request("/@diskominfo.blora").respond_with_data(
        fixture_text("tiktok", name), content_type="text/html; charset=utf-8")


def test_two_collections_give_the_delta(httpserver):
    state: dict = {}
    serve(httpserver, "profile_120.html")
    first = tiktok.collect(make_ctx(source(httpserver), SINCE, state=state, now=MONDAY))
    assert first.activity == [] and first.posts == []
    assert first.account == {"followers": 4210, "media_count": 120}
    assert state["tiktok"]["video_count"] == 120

    serve(httpserver, "profile_125.html")
    second = tiktok.collect(make_ctx(source(httpserver), SINCE, state=state, now=TUESDAY))
    assert second.activity == [Activity("dinkominfo", "tt-kominfo", MONDAY, TUESDAY, 5)]
    assert second.posts == []
    assert second.account["followers"] == 4302

    # deleted videos: a negative change records nothing, and the new count becomes the mark
    serve(httpserver, "profile_123.html")
    third = tiktok.collect(make_ctx(source(httpserver), SINCE, state=state, now=WEDNESDAY))
    assert third.activity == []
    assert state["tiktok"] == {"video_count": 123, "collected_at": WEDNESDAY.isoformat()}


def test_page_without_the_json_is_a_parse_failure_not_zero(httpserver):
    state = {"tiktok": {"video_count": 120, "collected_at": MONDAY.isoformat()}}
    serve(httpserver, "captcha.html")
    with pytest.raises(ParseError):
        tiktok.collect(make_ctx(source(httpserver), SINCE, state=state, now=TUESDAY))
    assert state["tiktok"]["video_count"] == 120  # the mark is untouched


def test_missing_account(httpserver):
    serve(httpserver, "profile_missing.html")
    with pytest.raises(SourceNotFound):
        tiktok.collect(make_ctx(source(httpserver), SINCE, now=MONDAY))


def test_profile_url_on_web_base():
    assert tiktok.profile_url("https://www.tiktok.com/@desa.x", "http://127.0.0.1:9000/tt/") == \
        "http://127.0.0.1:9000/tt/@desa.x"
    assert tiktok.profile_url("https://www.tiktok.com/@desa.x", None) == "https://www.tiktok.com/@desa.x"
