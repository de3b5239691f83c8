"""Store.last_post_times_of: the newest post before an instant per unit, in one statement per
chunk of units (a province asks for 9,314), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pantau.models import Post, Source, Unit
from pantau.registry import Registry

T0 = datetime(2025, 9, 10, 7, 30, tzinfo=UTC)


def posts_of(source_id: str, *times: datetime) -> list[Post]:
    return [Post(source_id, f"{source_id}-{i}", f"https://x.example/{source_id}/{i}", "t", when)
            for i, when in enumerate(times)]


def test_newest_post_before_the_instant_per_unit(store):
    units = [Unit(f"desa-{i:04d}", f"Desa {i}", "desa", "", f"33.16.01.{2000 + i}") for i in range(2500)]
    store.sync_registry(Registry(tuple(units), (Source("web-1", "desa-0001", "website", "feed", "https://x.example"),)))
    store.upsert_posts("desa-0001", "website", posts_of("web-1", T0 - timedelta(days=9), T0 - timedelta(days=2),
                                                        T0 + timedelta(days=1)))
    # Past the first chunk of units; its only post is after the instant, so it has none before.
    store.upsert_posts("desa-2400", "website", posts_of("web-2400", T0 - timedelta(days=30)))
    store.upsert_posts("desa-2401", "website", posts_of("web-2401", T0 + timedelta(hours=1)))
    # A unit the store's mirror does not list yet (the registry was edited since): still answered.
    store.upsert_posts("desa-baru", "website", posts_of("web-baru", T0 - timedelta(days=5)))
    wanted = [u.unit_id for u in units] + ["desa-baru", "desa-0001"]
    frame = store.last_post_times_of(wanted, before=T0)
    got = dict(zip(frame["unit_id"], frame["published_at"], strict=True))
    assert got == {"desa-0001": T0 - timedelta(days=2), "desa-2400": T0 - timedelta(days=30),
                   "desa-baru": T0 - timedelta(days=5)}
    assert str(frame["published_at"].dt.tz) == "UTC"


def test_no_units_no_rows(store):
    frame = store.last_post_times_of([], before=T0)
    assert frame.empty and list(frame.columns) == ["unit_id", "published_at"]
