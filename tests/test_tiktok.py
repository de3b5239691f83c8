"""TikTok videoCount deltas from profile pages served by a local server."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from social_support import fixture_text, make_ctx

from collectors import tiktok
from collectors.errors import ParseError, SourceNotFound
from pantau.cli import main
from pantau.models import Activity, Source
from pantau.store import Store

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


def test_export_activity_lists_the_deltas_in_local_time(tmp_path, capsysbinary):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    store = Store(url)
    store.record_activity(Activity("dinkominfo", "tt-kominfo", MONDAY, TUESDAY, 5))
    store.record_activity(Activity("bupati", "tt-bupati", TUESDAY, WEDNESDAY, 2))
    store.dispose()

    assert main(["export", "activity", "--db", url]) == 0
    text = capsysbinary.readouterr().out.decode("utf-8").lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["unit_id", "source_id", "from", "to", "delta"]
    assert rows[0] == {"unit_id": "dinkominfo", "source_id": "tt-kominfo", "from": "2025-09-08T08:00:00+07:00",
                       "to": "2025-09-09T08:00:00+07:00", "delta": "5"}
    assert rows[1]["delta"] == "2"

    assert main(["export", "activity", "--db", url, "--from", "2025-09-10", "--format", "json"]) == 0
    assert [r["source_id"] for r in json.loads(capsysbinary.readouterr().out)] == ["tt-bupati"]
