"""The store on SQLite and PostgreSQL: idempotent upserts, history kept, migrations once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from pantau.models import Activity, CollectionRun, Post, Source, Unit
from pantau.registry import Registry
from pantau.store import MIGRATIONS, Migration

T0 = datetime(2025, 9, 10, 7, 30, tzinfo=UTC)


def post(external_id: str, likes: int | None = None, when: datetime = T0, title: str = "Kerja bakti") -> Post:
    return Post("web-a", external_id, f"https://a.example/{external_id}", title, when, likes=likes)


def test_upsert_is_idempotent_and_updates_engagement(store):
    assert store.upsert_posts("opd-a", "website", [post("1", 3), post("2")]) == (2, 2)
    assert store.upsert_posts("opd-a", "website", [post("1", 9, when=T0 + timedelta(days=3), title="Kerja bakti (edit)"),
                                                   post("2")]) == (2, 0)
    frame = store.posts_frame()
    assert len(frame) == 2
    first = frame.set_index("external_id").loc["1"]
    assert first["likes"] == 9 and first["title"] == "Kerja bakti (edit)"
    # history is not rewritten: the publication time stays the first one seen
    assert first["published_at"] == T0
    assert str(frame["published_at"].dt.tz) == "UTC"


def test_date_only_post_gains_its_exact_time_but_never_loses_it(store):
    day = datetime(2025, 9, 9, 17, 0, tzinfo=UTC)  # 10 Sep 00:00 WIB, from an archive table
    archived = Post("web-a", "/artikel/2025/9/10/x", "u", "t", day, date_only=True)
    store.upsert_posts("desa-a", "website", [archived])
    exact = Post("web-a", "/artikel/2025/9/10/x", "u", "t", T0, date_only=False)
    assert store.upsert_posts("desa-a", "website", [exact]) == (1, 0)
    row = store.posts_frame().iloc[0]
    assert row["published_at"] == T0 and not row["date_only"]
    store.upsert_posts("desa-a", "website", [archived])  # the archive again: the exact time stays
    assert store.posts_frame().iloc[0]["published_at"] == T0


def test_engagement_not_erased_by_a_collection_without_it(store):
    store.upsert_posts("opd-a", "website", [post("1", 5)])
    store.upsert_posts("opd-a", "website", [post("1", None)])
    assert store.posts_frame()["likes"].tolist() == [5]


def test_post_missing_upstream_stays_in_history(store):
    store.upsert_posts("opd-a", "website", [post("1"), post("2")])
    gone = store.mark_missing("web-a", {"1"}, since=T0 - timedelta(days=1))
    assert gone == 1
    frame = store.posts_frame().set_index("external_id")
    assert len(frame) == 2
    assert frame.loc["2", "missing_since"] is not None and str(frame.loc["1", "missing_since"]) == "NaT"
    # seen again: no longer missing
    store.upsert_posts("opd-a", "website", [post("2")])
    assert store.posts_frame()["missing_since"].isna().all()


def test_duplicate_within_one_batch_counts_once(store):
    assert store.upsert_posts("opd-a", "website", [post("1", 1), post("1", 2)]) == (1, 1)
    assert store.posts_frame()["likes"].tolist() == [2]


def test_migrations_run_once(store):
    assert store.applied_migrations() == [m.name for m in MIGRATIONS]
    assert store.migrate() == []
    calls = []
    extra = Migration("9999_test_only", lambda engine: calls.append(1))
    assert store.migrate([*MIGRATIONS, extra]) == ["9999_test_only"]
    assert store.migrate([*MIGRATIONS, extra]) == []
    assert calls == [1]


def test_attempt_log(store):
    run = CollectionRun("web-a", T0, T0 + timedelta(seconds=2), ok=False, status="error",
                        error_kind="timeout", error="timed out", items_seen=0, requests=4)
    store.record_attempt(run)
    assert run.attempt_id is not None
    store.record_attempt(CollectionRun("web-a", T0 + timedelta(hours=1), T0 + timedelta(hours=1), ok=True,
                                       status="ok", items_seen=5, items_new=2))
    frame = store.attempts_frame()
    assert frame[["ok", "status", "items_new"]].values.tolist() == [[False, "error", 0], [True, "ok", 2]]
    assert frame["started_at"].iloc[0] == T0


def test_state_and_activity(store):
    assert store.get_state("s") == {}
    store.set_state("s", {"etag": "abc"})
    store.set_state("s", {"etag": "def", "count": 3})
    assert store.get_state("s") == {"etag": "def", "count": 3}
    item = Activity("opd-a", "tt-a", T0, T0 + timedelta(days=1), 4)
    assert store.record_activity(item) is True
    assert store.record_activity(item) is False
    assert store.activity_frame()["delta"].tolist() == [4]


def test_registry_sync_keeps_manual_sources(store):
    registry = Registry((Unit("opd-a", "A", "opd"),), (Source("web-a", "opd-a", "website", "feed", "https://a.example"),))
    store.sync_registry(registry)
    store.ensure_source(Source("manual:opd-a:instagram", "opd-a", "instagram", "manual", ""))
    store.sync_registry(registry)
    assert sorted(store.sources_frame()["source_id"]) == ["manual:opd-a:instagram", "web-a"]
    assert store.sources_frame(collector="manual")["source_id"].tolist() == ["manual:opd-a:instagram"]
    assert store.sources_frame(collector="feed")["unit_id"].tolist() == ["opd-a"]
    assert store.units_frame()["unit_id"].tolist() == ["opd-a"]


def test_collection_lock_refuses_a_second_holder(store):
    assert store.acquire_lock() is True
    assert store.acquire_lock() is False
    store.release_lock()
    assert store.acquire_lock() is True
    # a holder whose process is gone, or on another host with a stale heartbeat: tests/test_lock.py


def test_sqlite_uses_wal(sqlite_store):
    with sqlite_store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
