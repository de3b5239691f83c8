"""Publication dates outside [1995-01-01, now + 2 days] are item errors: never stored, never a
source's restart point, never a failed source (issue 18, point 5); and ids that change on every
run do not multiply a source's posts (point 8). Sources are real feeds, WordPress sites and HTML
listings served by tests/fixture_server.py."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from collectors.base import CollectContext
from collectors.dates import DateOutOfRange, DateParseError, check_publication_date, parse_date
from collectors.kinds import COLLECTORS
from pantau.collection import run_collection, since_for, summary_lines
from pantau.models import Post, Source
from tests.fixture_server import FixtureServer, Reply, WordPressSite, static
from tests.test_collection import FAST, NOW, probe, registry_of, rss

WIB = ZoneInfo("Asia/Jakarta")
GOOD = [(101, datetime(2025, 9, 10, 7, 30, tzinfo=UTC), "Rapat koordinasi"),
        (102, datetime(2025, 9, 20, 2, 0, tzinfo=UTC), "Posyandu balita")]
# A post dated 2030 (a typo of the year) and one dated the last day a datetime holds.
FUTURE = (201, datetime(2030, 1, 1, 3, 0, tzinfo=UTC), "Agenda tahun 2030")
END_OF_TIME = (202, datetime(9999, 12, 31, 3, 0, tzinfo=UTC), "Tanggal rusak")
# Published after the poisoned items, within the overlap of a healthy restart point.
LATER = (103, NOW - timedelta(days=1), "Vaksinasi")


@pytest.fixture
def server():
    with FixtureServer() as s:
        yield s


# -- the check itself ---------------------------------------------------------------------------

@pytest.mark.parametrize("when", [
    datetime(1, 1, 1, tzinfo=UTC), datetime(1899, 12, 31, 16, 52, tzinfo=UTC), datetime(1994, 12, 31, 23, 59, tzinfo=UTC),
    NOW + timedelta(days=2, seconds=1), datetime(2030, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)])
def test_outside_the_window_is_refused(when):
    with pytest.raises(DateOutOfRange):
        check_publication_date(when, NOW)


@pytest.mark.parametrize("when", [datetime(1995, 1, 1, tzinfo=UTC), NOW, NOW + timedelta(days=2)])
def test_inside_the_window_passes(when):
    assert check_publication_date(when, NOW) == when


@pytest.mark.parametrize("text", ["1700000000", "45000", "45000.5", "-1"])
def test_a_bare_number_is_not_a_date(text):
    with pytest.raises(DateParseError, match="bare number"):
        parse_date(text, WIB, NOW)


def test_a_time_of_day_is_still_read():
    assert parse_date("14.30", WIB, NOW).when == datetime(2025, 9, 30, 7, 30, tzinfo=UTC)


def test_a_four_digit_year_is_never_moved_to_this_century():
    # "0001" was read as 2001: a year-1 date then passed every check
    with pytest.raises(DateParseError):
        parse_date("01/01/0001 08.00", WIB, NOW)


def test_a_date_beyond_what_a_datetime_holds_is_a_parse_error_not_an_overflow():
    with pytest.raises(DateParseError):
        parse_date("Fri, 31 Dec 9999 23:00:00 -0700", WIB, NOW)


def test_restart_point_never_passes_now():
    assert since_for(datetime(2030, 1, 1, tzinfo=UTC), NOW, NOW) == NOW - timedelta(days=3)
    assert since_for(NOW - timedelta(days=10), NOW, NOW) == NOW - timedelta(days=13)


# -- three kinds of site, each with a 2030 item and a 9999 item ---------------------------------

def rss_site(server: FixtureServer, items: list) -> Source:
    body = rss(items, server.base)
    # The same instant as written by a site at UTC-7: past 9999-12-31 once moved to UTC.
    body = body.replace(b"Fri, 31 Dec 9999 03:00:00 +0000", b"Fri, 31 Dec 9999 23:00:00 -0700")
    server.route("/feed/", static(body, "application/rss+xml; charset=UTF-8"))
    return Source("web-dinkes", "dinkes", "website", "feed", server.url("/feed/"))


def wordpress_site(server: FixtureServer, items: list) -> Source:
    site = WordPressSite(server)
    fixture_posts = list(site.posts)  # the fixture's posts serve as templates, then leave
    for pid, when, title in items:
        site.add_post(pid, when.astimezone(WIB), title)
    site.posts = [post for post in site.posts if post not in fixture_posts]
    return Source("web-dinkes", "dinkes", "website", "wordpress", site.address)


LISTING_OPTIONS = {"item": "article.post-card", "title": ".post-title", "link": "a.post-link", "date": ".post-date"}


def listing_site(server: FixtureServer, items: list) -> Source:
    cards = "".join(
        f'<article class="post-card"><a class="post-link" href="/berita/{pid}"><h3 class="post-title">{title}</h3></a>'
        f'<span class="post-date">{when.astimezone(WIB):%d/%m/%Y %H.%M} WIB</span></article>'
        for pid, when, title in sorted(items, key=lambda i: i[1], reverse=True))
    server.route("/berita", static(f"<html><body><main>{cards}</main></body></html>"))
    return Source("web-dinkes", "dinkes", "website", "html_listing", server.url("/berita"), options=LISTING_OPTIONS)


SITES = {"rss": rss_site, "wordpress": wordpress_site, "html_listing": listing_site}


@pytest.mark.parametrize("kind", SITES)
def test_out_of_window_items_are_item_errors_and_never_the_restart_point(store, server, kind):
    source = SITES[kind](server, [*GOOD, FUTURE, END_OF_TIME])
    first = run_collection(store, registry_of(source), now=NOW, http_policy=FAST)
    assert (first.ok, first.failed) == (1, 0), first.attempts[0].error
    stored = store.posts_frame()
    assert sorted(stored["title"]) == ["Posyandu balita", "Rapat koordinasi"]
    attempt = store.attempts_frame().iloc[-1]
    assert attempt["status"] == "ok" and attempt["items_new"] == 2
    assert "2 item(s) skipped" in attempt["error"]
    assert store.newest_published("web-dinkes") == GOOD[1][1]

    # The next run starts three days before the newest stored post, so a post of yesterday is found.
    server.routes.clear()
    source = SITES[kind](server, [*GOOD, LATER, FUTURE, END_OF_TIME])
    second = run_collection(store, registry_of(source), now=NOW, http_policy=FAST)
    assert (second.ok, second.posts_new) == (1, 1), second.attempts[0].error
    assert "Vaksinasi" in set(store.posts_frame()["title"])
    assert store.post_count() == 3


def test_a_post_stored_ahead_of_the_clock_does_not_move_the_restart_point(store, monkeypatch):
    seen: list[CollectContext] = []
    monkeypatch.setitem(COLLECTORS, "probe", probe(seen))
    source = Source("ahead", "dinkes", "website", "probe", "http://127.0.0.1:9/")
    # Inside the window (a site's clock a day fast), so stored; it must still not be the restart point.
    store.upsert_posts("dinkes", "website", [Post("ahead", "1", "u", "t", NOW + timedelta(days=1))])
    run_collection(store, registry_of(source), now=NOW, since=date(2025, 1, 1), http_policy=FAST)
    assert seen[0].since == NOW - timedelta(days=3)


# -- ids that change on every run ---------------------------------------------------------------

# Three posts of the last three days: every run reads them all again (the overlap).
RECENT = [(301, NOW - timedelta(days=2, hours=12), "Rapat koordinasi"), (302, NOW - timedelta(days=2), "Posyandu"),
          (303, NOW - timedelta(days=1), "Vaksinasi")]


def renaming_feed(server: FixtureServer) -> Source:
    """A feed whose items keep their links but get new guids on every request."""
    counter = itertools.count(1)

    def answer(_request) -> Reply:
        run = next(counter)
        body = rss(RECENT, server.base).decode()
        for pid, _, _ in RECENT:
            body = body.replace(f'<guid isPermaLink="false">{server.base}/?p={pid}</guid>',
                                f'<guid isPermaLink="false">urn:uuid:{pid}-{run}</guid>')
            body = body.replace(f"<link>{server.base}/?p={pid}</link>", f"<link>{server.base}/berita/{pid}</link>")
        return Reply(200, body, {}, "application/rss+xml; charset=UTF-8")

    server.route("/feed/", answer)
    return Source("web-dinkes", "dinkes", "website", "feed", server.url("/feed/"))


def test_ids_renamed_every_run_are_not_stored_again_and_are_noticed(store, server):
    registry = registry_of(renaming_feed(server))
    summaries = [run_collection(store, registry, now=NOW + timedelta(minutes=i), http_policy=FAST) for i in range(3)]
    assert store.post_count() == 3  # 3 posts, not 9
    assert [s.posts_new for s in summaries] == [3, 0, 0]
    attempts = store.attempts_frame().sort_values("id")
    assert list(attempts["status"]) == ["ok", "ok", "ok"]
    assert list(attempts["error_kind"]) == ["", "ids_renamed", "ids_renamed"]
    assert "3 item(s) came back under new ids" in attempts.iloc[-1]["error"]
    text = "\n".join(summary_lines(summaries[-1]))
    assert "notices:" in text and "ids_renamed" in text and "web-dinkes" in text
    summary = store.attempt_summary().set_index("source_id")
    assert summary.loc["web-dinkes", "last_notice_kind"] == "ids_renamed"
    assert summary.loc["web-dinkes", "failing_streak"] == 0


def test_two_posts_with_one_title_on_one_day_are_both_kept(store, server):
    """Title and time identify a renamed item only to the second; a date-only day is no identity."""
    day = datetime(2025, 9, 20, tzinfo=WIB)
    cards = "".join(f'<article class="post-card"><a class="post-link" href="/berita/{n}"><h3 class="post-title">'
                    f'Posyandu</h3></a><span class="post-date">{day:%d/%m/%Y}</span></article>' for n in (1, 2))
    server.route("/berita", static(f"<html><body>{cards}</body></html>"))
    source = Source("web-dinkes", "dinkes", "website", "html_listing", server.url("/berita"), options=LISTING_OPTIONS)
    run_collection(store, registry_of(source), now=NOW, http_policy=FAST)
    cards = cards.replace("/berita/1", "/berita/3")  # a third post of that day with the same title
    server.route("/berita", static(f"<html><body>{cards}</body></html>"))
    summary = run_collection(store, registry_of(source), now=NOW, http_policy=FAST)
    assert store.post_count() == 3 and summary.attempts[0].error_kind == ""


def test_kesehatan_sumber_shows_the_ids_renamed_notice(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from pantau.models import CollectionRun
    from pantau.store import Store
    from tests.seed import seeded_store
    from tests.test_pages import DASHBOARD

    seeded = seeded_store(tmp_path)
    store = Store(seeded.url)
    moment = datetime.combine(seeded.today, datetime.min.time(), tzinfo=WIB) + timedelta(hours=23)  # the last attempt
    store.record_attempt(CollectionRun("web-opd-dinkes", moment, moment, ok=True, status="ok",
                                       error_kind="ids_renamed", error="3 item(s) came back under new ids"))
    store.dispose()
    for name, value in {"PANTAU_DB": seeded.url, "PANTAU_REGISTRY": str(seeded.registry_dir),
                        "PANTAU_TODAY": seeded.today.isoformat(), "PANTAU_MODE": "internal",
                        "PANTAU_INTERNAL_NO_LOGIN": "1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PANTAU_SIMULATED", raising=False)
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.run()
    at.switch_page("views/kesehatan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    row = table[table["Catatan terakhir"].str.contains("ids_renamed: 3 item(s) came back under new ids", regex=False)]
    assert list(row["Unit"]) == ["Dinas Kesehatan"] and list(row["Gagal beruntun"]) == [0]
