"""Facebook Page published_posts against a local server answering in the Graph API's shapes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from social_support import fixture_json, make_ctx

from collectors import facebook
from collectors.errors import NotCollectable, SourceNotFound
from collectors.graph import GraphPermissionDenied, GraphRateLimited, GraphTokenInvalid
from pantau.models import Source

TOKEN = "SECRET-FB-TOKEN-456"
PAGE = "104512345678901"
SINCE = datetime(2025, 9, 1, tzinfo=UTC)  # 1756684800


def source(httpserver) -> Source:
    return Source("fb-bupati", "bupati", "facebook", "facebook", PAGE, {"api_base": httpserver.url_for("/v25.0")})


def logged(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))


def test_pages_through_next_and_filters_created_time(httpserver, caplog):
    caplog.set_level(logging.DEBUG)
    path = f"/v25.0/{PAGE}/published_posts"
    httpserver.expect_ordered_request(path, query_string={
        "fields": facebook.POST_FIELDS, "since": "1756684800", "limit": "100", "access_token": TOKEN,
    }).respond_with_json(fixture_json("facebook", "page1.json"))
    httpserver.expect_ordered_request(path, query_string={
        "fields": facebook.POST_FIELDS, "since": "1756684800", "limit": "100", "until": "1757893800",
        "__paging_token": "enc_AdNEXT1", "access_token": TOKEN,
    }).respond_with_json(fixture_json("facebook", "page2.json"))
    ctx = make_ctx(source(httpserver), SINCE, {"PANTAU_FB_TOKEN": TOKEN})

    result = facebook.collect(ctx)

    httpserver.check_assertions()
    # the post created before `since` (returned because since applied to updated_time) is dropped
    assert [p.external_id for p in result.posts] == [
        "104512345678901_122190000000000003", "104512345678901_122190000000000002",
        "104512345678901_122190000000000001"]
    first, silent = result.posts[:2]
    assert first.title == "Bupati Blora membuka Festival Barongan 2025."
    assert (first.likes, first.comments) == (310, 41)
    assert first.published_at == datetime(2025, 9, 20, 3, 15, tzinfo=UTC)
    assert first.url == "https://www.facebook.com/104512345678901/posts/122190000000000003"
    assert silent.title == "" and silent.likes == 0
    # page 2 ended before `since`: its next link (carrying the token) was not followed
    assert ctx.http.requests == 2
    assert "shares=13" in result.notes
    assert TOKEN not in logged(caplog)


def test_without_token_is_not_collectable(httpserver):
    ctx = make_ctx(source(httpserver), SINCE, {})
    with pytest.raises(NotCollectable, match="token needed: set PANTAU_FB_TOKEN") as caught:
        facebook.collect(ctx)
    assert caught.value.kind == "not_collectable"


@pytest.mark.parametrize(("fixture", "status", "error"), [
    ("error_token.json", 400, GraphTokenInvalid),
    ("error_ppca.json", 403, GraphPermissionDenied),
    ("error_page_rate.json", 403, GraphRateLimited),
    ("error_unknown_page.json", 400, SourceNotFound),
])
def test_errors_are_typed_without_token(httpserver, caplog, fixture, status, error):
    caplog.set_level(logging.DEBUG)
    httpserver.expect_request(f"/v25.0/{PAGE}/published_posts").respond_with_json(
        fixture_json("facebook", fixture), status=status,
        headers={"X-Business-Use-Case-Usage": '{"104512345678901":[{"type":"pages","call_count":100}]}'})
    ctx = make_ctx(source(httpserver), SINCE, {"PANTAU_FB_TOKEN": TOKEN})
    with pytest.raises(error) as caught:
        facebook.collect(ctx)
    message = str(caught.value)
    assert TOKEN not in message and TOKEN not in logged(caplog)
    if error is GraphRateLimited:
        assert '"call_count":100' in message


def test_error_without_json_stays_an_http_error(httpserver):
    from collectors.errors import HttpStatusError

    httpserver.expect_request(f"/v25.0/{PAGE}/published_posts").respond_with_data("Forbidden", status=403)
    ctx = make_ctx(source(httpserver), SINCE, {"PANTAU_FB_TOKEN": TOKEN})
    with pytest.raises(HttpStatusError) as caught:
        facebook.collect(ctx)
    assert TOKEN not in str(caught.value)
