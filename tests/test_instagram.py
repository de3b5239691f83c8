"""Instagram Business Discovery against a local server answering in the Graph API's shapes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from social_support import fixture_json, make_ctx

from collectors import instagram
from collectors.errors import AuthError, NotCollectable, SourceNotFound
from collectors.graph import GraphPermissionDenied, GraphRateLimited, GraphTokenInvalid
from pantau.models import Source

TOKEN = "SECRET-IG-TOKEN-123"
OWN_ID = "17841405309211844"
CREDS = {"PANTAU_IG_TOKEN": TOKEN, "PANTAU_IG_USER_ID": OWN_ID}


def logged(caplog) -> str:
    """Our log lines and the HTTP library's; the fake platform's own server log is not ours."""
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))


def source(httpserver, username="dinkominfo.blora") -> Source:
    return Source("ig-kominfo", "dinkominfo", "instagram", "instagram", username,
                  {"api_base": httpserver.url_for("/v25.0")})


def query(cursor=None, username="dinkominfo.blora"):
    return {"fields": instagram.discovery_fields(username, cursor), "access_token": TOKEN}


def test_pages_with_the_cursor_until_since(httpserver, caplog):
    caplog.set_level(logging.DEBUG)
    httpserver.expect_ordered_request(f"/v25.0/{OWN_ID}", query_string=query()).respond_with_json(
        fixture_json("instagram", "page1.json"))
    httpserver.expect_ordered_request(f"/v25.0/{OWN_ID}", query_string=query("QVFIUkFGVEVSMQ")).respond_with_json(
        fixture_json("instagram", "page2.json"))
    ctx = make_ctx(source(httpserver), datetime(2025, 9, 1, tzinfo=UTC), CREDS)

    result = instagram.collect(ctx)

    httpserver.check_assertions()
    assert [p.external_id for p in result.posts] == [
        "18045000000000003", "18045000000000002", "18045000000000001", "18045000000000000"]
    first, reel, untitled = result.posts[:3]
    assert first.published_at == datetime(2025, 9, 20, 5, 0, tzinfo=UTC)
    assert first.title == "Rapat koordinasi percepatan penurunan stunting"
    assert "#stunting" in first.excerpt
    assert first.url == "https://www.instagram.com/p/DOa3/"
    assert (first.likes, first.comments) == (211, 14)
    # like_count absent (hidden likes): unknown, not zero; a real 0 stays 0
    assert reel.likes is None and reel.comments == 3
    assert untitled.likes == 0 and untitled.title == "FEED"
    assert result.account == {"followers": 26779, "media_count": 1205}
    assert result.route == "api"
    assert ctx.http.requests == 2
    assert TOKEN not in logged(caplog)
    assert "access_token=***" in logged(caplog)  # urllib3's request lines were there, redacted


def test_stops_paging_once_a_page_ends_before_since(httpserver):
    httpserver.expect_request(f"/v25.0/{OWN_ID}", query_string=query()).respond_with_json(
        fixture_json("instagram", "page1.json"))
    ctx = make_ctx(source(httpserver), datetime(2025, 9, 12, tzinfo=UTC), CREDS)

    result = instagram.collect(ctx)

    assert [p.external_id for p in result.posts] == ["18045000000000003", "18045000000000002"]
    assert ctx.http.requests == 1  # the cursor of page 1 was not followed


def test_without_token_is_not_collectable(httpserver):
    ctx = make_ctx(source(httpserver), datetime(2025, 9, 1, tzinfo=UTC), {"PANTAU_IG_TOKEN": TOKEN})
    with pytest.raises(NotCollectable, match="PANTAU_IG_TOKEN and PANTAU_IG_USER_ID"):
        instagram.collect(ctx)
    assert ctx.http.requests == 0


@pytest.mark.parametrize(("fixture", "status", "error", "kind"), [
    ("error_token.json", 400, GraphTokenInvalid, "token_invalid"),
    ("error_malformed_token.json", 400, GraphTokenInvalid, "token_invalid"),
    ("error_permission.json", 403, GraphPermissionDenied, "permission_denied"),
    ("error_not_business.json", 400, SourceNotFound, "account_not_found"),
    ("error_alias.json", 400, SourceNotFound, "account_not_found"),
])
def test_graph_errors_are_typed_and_never_carry_the_token(httpserver, caplog, fixture, status, error, kind):
    caplog.set_level(logging.DEBUG)
    httpserver.expect_request(f"/v25.0/{OWN_ID}").respond_with_json(fixture_json("instagram", fixture), status=status)
    ctx = make_ctx(source(httpserver), datetime(2025, 9, 1, tzinfo=UTC), CREDS)
    with pytest.raises(error) as caught:
        instagram.collect(ctx)
    assert caught.value.kind == kind
    assert isinstance(caught.value, AuthError | SourceNotFound)
    assert TOKEN not in str(caught.value)
    assert TOKEN not in logged(caplog)


def test_rate_limit_reports_the_usage_header(httpserver):
    usage = '{"call_count":100,"total_cputime":12,"total_time":40}'
    httpserver.expect_request(f"/v25.0/{OWN_ID}").respond_with_json(
        fixture_json("instagram", "error_rate.json"), status=400, headers={"X-App-Usage": usage})
    ctx = make_ctx(source(httpserver), datetime(2025, 9, 1, tzinfo=UTC), CREDS)
    with pytest.raises(GraphRateLimited) as caught:
        instagram.collect(ctx)
    assert caught.value.kind == "rate_limited"
    assert "Application request limit reached" in str(caught.value)
    assert usage in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_html_instead_of_json_is_a_parse_error(httpserver):
    from collectors.errors import ParseError

    httpserver.expect_request(f"/v25.0/{OWN_ID}").respond_with_data("<html>maintenance</html>",
                                                                   content_type="text/html")
    ctx = make_ctx(source(httpserver), datetime(2025, 9, 1, tzinfo=UTC), CREDS)
    with pytest.raises(ParseError):
        instagram.collect(ctx)
