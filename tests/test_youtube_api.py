"""YouTube Data API v3 collector against a local server answering in the API's shapes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from social_support import fixture_json, make_ctx

from collectors import youtube_api
from collectors.errors import NotCollectable, SourceNotFound
from pantau.models import Source

KEY = "AIzaSyTEST-KEY-0123456789abcdefghijk"
CHANNEL = "UCkB7lV0aD3uQ7b7tQ1Fq9Zw"
UPLOADS = "UUkB7lV0aD3uQ7b7tQ1Fq9Zw"
SINCE = datetime(2025, 9, 1, tzinfo=UTC)


def source(httpserver, address="@pemkabblora") -> Source:
    return Source("yt-pemkab", "dinkominfo", "youtube", "youtube", address,
                  {"api_base": httpserver.url_for("/youtube/v3")})


def logged(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))


def serve_listing(httpserver):
    httpserver.expect_ordered_request("/youtube/v3/playlistItems", query_string={
        "part": "snippet,contentDetails", "playlistId": UPLOADS, "maxResults": "50", "key": KEY,
    }).respond_with_json(fixture_json("youtube_api", "playlist_page1.json"))
    httpserver.expect_ordered_request("/youtube/v3/playlistItems", query_string={
        "part": "snippet,contentDetails", "playlistId": UPLOADS, "maxResults": "50", "pageToken": "EAAaBlBUOkNESQ",
        "key": KEY,
    }).respond_with_json(fixture_json("youtube_api", "playlist_page2.json"))
    httpserver.expect_ordered_request("/youtube/v3/videos", query_string={
        "part": "statistics", "id": "vidAAAAAAA1,vidAAAAAAA2,vidAAAAAAA3", "maxResults": "50", "key": KEY,
    }).respond_with_json(fixture_json("youtube_api", "videos.json"))


def test_handle_to_uploads_to_videos_with_statistics(httpserver, caplog):
    caplog.set_level(logging.DEBUG)
    httpserver.expect_ordered_request("/youtube/v3/channels", query_string={
        "part": "contentDetails", "forHandle": "@pemkabblora", "key": KEY,
    }).respond_with_json(fixture_json("youtube_api", "channels.json"))
    serve_listing(httpserver)
    ctx = make_ctx(source(httpserver), SINCE, {"PANTAU_YOUTUBE_KEY": KEY})

    result = youtube_api.collect(ctx)

    httpserver.check_assertions()
    assert [p.external_id for p in result.posts] == ["vidAAAAAAA1", "vidAAAAAAA2", "vidAAAAAAA3"]
    newest, draft, ceremony = result.posts
    assert newest.url == "https://www.youtube.com/watch?v=vidAAAAAAA1"
    assert newest.title == "Blora Sepekan #37"
    assert (newest.views, newest.likes, newest.comments) == (1520, 88, 7)
    # counted by videoPublishedAt, not by the time it entered the playlist
    assert draft.published_at == datetime(2025, 9, 18, 9, 30, tzinfo=UTC)
    assert draft.likes is None and draft.comments == 0  # hidden like count stays unknown
    assert ceremony.comments is None and ceremony.likes == 2
    assert "quota_units=4" in result.notes
    assert "undated_items=1" in result.notes
    assert ctx.state["youtube_api"]["uploads"] == UPLOADS
    assert KEY not in logged(caplog)
    assert "key=***" in logged(caplog)


def test_cached_uploads_playlist_skips_channels_list(httpserver):
    serve_listing(httpserver)
    state = {"youtube_api": {"address": "@pemkabblora", "channel_id": CHANNEL, "uploads": UPLOADS}}
    ctx = make_ctx(source(httpserver), SINCE, {"PANTAU_YOUTUBE_KEY": KEY}, state=state)
    result = youtube_api.collect(ctx)
    assert len(result.posts) == 3
    assert "quota_units=3" in result.notes


def test_since_stop_on_the_first_page(httpserver):
    httpserver.expect_request("/youtube/v3/playlistItems").respond_with_json(
        fixture_json("youtube_api", "playlist_page1.json"))
    httpserver.expect_request("/youtube/v3/videos").respond_with_json(fixture_json("youtube_api", "videos.json"))
    state = {"youtube_api": {"address": "@pemkabblora", "uploads": UPLOADS}}
    ctx = make_ctx(source(httpserver), datetime(2025, 9, 19, tzinfo=UTC), {"PANTAU_YOUTUBE_KEY": KEY}, state=state)
    result = youtube_api.collect(ctx)
    assert [p.external_id for p in result.posts] == ["vidAAAAAAA1"]
    assert ctx.http.requests == 2  # one page, one statistics call: page 2 was never asked for


@pytest.mark.parametrize(("address", "expected"), [
    ("@pemkabblora", {"forHandle": "@pemkabblora"}),
    ("https://www.youtube.com/@pemkabblora/videos", {"forHandle": "@pemkabblora"}),
    (f"https://www.youtube.com/channel/{CHANNEL}", {"id": CHANNEL}),
    (f"https://www.youtube.com/feeds/videos.xml?channel_id={CHANNEL}", {"id": CHANNEL}),
    ("https://www.youtube.com/feeds/videos.xml?playlist_id=UULFkB7lV0aD3uQ7b7tQ1Fq9Zw", {"id": CHANNEL}),
    ("https://www.youtube.com/user/pemkabblora", {"forUsername": "pemkabblora"}),
])
def test_channel_query_from_registry_addresses(address, expected):
    assert youtube_api.channel_query(address) == expected


def test_custom_c_url_is_not_collectable():
    with pytest.raises(NotCollectable, match="@handle"):
        youtube_api.channel_query("https://www.youtube.com/c/PemkabBlora")


def test_without_key_is_not_collectable(httpserver):
    with pytest.raises(NotCollectable, match="PANTAU_YOUTUBE_KEY"):
        youtube_api.collect(make_ctx(source(httpserver), SINCE, {}))


@pytest.mark.parametrize(("fixture", "status", "error", "kind"), [
    ("error_key.json", 400, youtube_api.YoutubeKeyInvalid, "key_invalid"),
    ("error_quota.json", 403, youtube_api.YoutubeQuotaExceeded, "quota_exceeded"),
])
def test_key_and_quota_errors(httpserver, caplog, fixture, status, error, kind):
    caplog.set_level(logging.DEBUG)
    httpserver.expect_request("/youtube/v3/channels").respond_with_json(fixture_json("youtube_api", fixture),
                                                                        status=status)
    ctx = make_ctx(source(httpserver), SINCE, {"PANTAU_YOUTUBE_KEY": KEY})
    with pytest.raises(error) as caught:
        youtube_api.collect(ctx)
    assert caught.value.kind == kind
    assert KEY not in str(caught.value) and KEY not in logged(caplog)
    assert "<a" not in str(caught.value)


def test_unknown_handle_is_not_found(httpserver):
    httpserver.expect_request("/youtube/v3/channels").respond_with_json(
        fixture_json("youtube_api", "channels_empty.json"))
    with pytest.raises(SourceNotFound):
        youtube_api.collect(make_ctx(source(httpserver), SINCE, {"PANTAU_YOUTUBE_KEY": KEY}))


def test_vanished_cached_playlist_is_resolved_again(httpserver):
    httpserver.expect_ordered_request("/youtube/v3/playlistItems", query_string={
        "part": "snippet,contentDetails", "playlistId": "UUold-playlist", "maxResults": "50", "key": KEY,
    }).respond_with_json(fixture_json("youtube_api", "error_playlist_gone.json"), status=404)
    httpserver.expect_ordered_request("/youtube/v3/channels").respond_with_json(
        fixture_json("youtube_api", "channels.json"))
    serve_listing(httpserver)
    state = {"youtube_api": {"address": "@pemkabblora", "uploads": "UUold-playlist"}}
    ctx = make_ctx(source(httpserver), SINCE, {"PANTAU_YOUTUBE_KEY": KEY}, state=state)
    result = youtube_api.collect(ctx)
    assert len(result.posts) == 3
    assert ctx.state["youtube_api"]["uploads"] == UPLOADS


def one_page() -> dict:
    """Both fixture pages' items on one page, as a real page of 50 would hold them."""
    first, second = fixture_json("youtube_api", "playlist_page1.json"), fixture_json("youtube_api", "playlist_page2.json")
    return {**{k: v for k, v in first.items() if k != "nextPageToken"}, "items": first["items"] + second["items"]}


def test_rerun_with_nothing_new_skips_the_statistics_call(httpserver):
    """A re-run whose window (newest stored minus the overlap) holds only videos the last run
    already took statistics for costs one playlistItems call."""
    serve_listing(httpserver)
    state = {"youtube_api": {"address": "@pemkabblora", "channel_id": CHANNEL, "uploads": UPLOADS}}
    first = youtube_api.collect(make_ctx(source(httpserver), SINCE, {"PANTAU_YOUTUBE_KEY": KEY}, state=state))
    assert first.posts[0].views == 1520
    # Remembered: the videos within a week of the newest, a margin over the next window.
    assert state["youtube_api_stats"]["ids"] == ["vidAAAAAAA1", "vidAAAAAAA2"]

    httpserver.clear()
    httpserver.expect_request("/youtube/v3/playlistItems").respond_with_json(one_page())
    httpserver.expect_request("/youtube/v3/videos").respond_with_json(fixture_json("youtube_api", "videos.json"))
    rerun_since = datetime(2025, 9, 17, 3, tzinfo=UTC)  # newest stored (20 Sept) minus 3 days
    ctx = make_ctx(source(httpserver), rerun_since, {"PANTAU_YOUTUBE_KEY": KEY}, state=state)
    again = youtube_api.collect(ctx)
    assert [p.external_id for p in again.posts] == ["vidAAAAAAA1", "vidAAAAAAA2"]
    assert ctx.http.requests == 1
    assert [request.path for request, _ in httpserver.log] == ["/youtube/v3/playlistItems"]
    assert all(p.views is None for p in again.posts)  # the store keeps the counts it has
    assert "quota_units=1" in again.notes


def test_a_new_video_brings_the_statistics_call_back(httpserver):
    httpserver.expect_request("/youtube/v3/playlistItems").respond_with_json(one_page())
    httpserver.expect_request("/youtube/v3/videos").respond_with_json(fixture_json("youtube_api", "videos.json"))
    # The last run saw only vidAAAAAAA2; vidAAAAAAA1 is new.
    state = {"youtube_api": {"address": "@pemkabblora", "uploads": UPLOADS},
             "youtube_api_stats": {"playlist": UPLOADS, "ids": ["vidAAAAAAA2"]}}
    ctx = make_ctx(source(httpserver), datetime(2025, 9, 15, tzinfo=UTC), {"PANTAU_YOUTUBE_KEY": KEY}, state=state)
    result = youtube_api.collect(ctx)
    assert ctx.http.requests == 2
    assert result.posts[0].views == 1520
    assert state["youtube_api_stats"]["ids"] == ["vidAAAAAAA1", "vidAAAAAAA2"]
