"""Two numbers a page once computed on its own, now read from the one function that defines them:
the Unit page's "% melaporkan kerja" (pantau.topics) and "has a source" on the Kecamatan page
(pantau.metrics.units_with_post_source). A small registry and a handful of posts, rendered with
AppTest from dashboard.py."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pantau.models import CollectionRun, Post
from pantau.registry import load_registry
from pantau.store import Store
from tests.seed import build_registry

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2025, 9, 24)
UNIT = "opd-dinkes"
TIKTOK_VILLAGE = "desa-sumberpitu"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A store where opd-dinkes has three posts (two work topics on one, seremonial on one, no topic
    on one) and desa-sumberpitu's only channel is TikTok."""
    folder = build_registry(tmp_path_factory.mktemp("numbers") / "registry")
    path = folder / "sources.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["unit_id"] != TIKTOK_VILLAGE]
    rows.append({"source_id": f"tt-{TIKTOK_VILLAGE}", "unit_id": TIKTOK_VILLAGE, "platform": "tiktok",
                 "collector": "tiktok", "address": "https://www.tiktok.com/@sumberpitu.example", "options": "",
                 "active": "true"})
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    registry = load_registry(folder)
    url = f"sqlite:///{folder.parent / 'pantau.db'}"
    store = Store(url)
    store.sync_registry(registry)
    source = f"web-{UNIT}"
    when = datetime(2025, 9, 22, 3, tzinfo=UTC)
    store.upsert_posts(UNIT, "website", [Post(source, str(i), f"https://dinkes.example.invalid/{i}", f"Berita {i}",
                                              when + timedelta(hours=i)) for i in range(3)])
    store.set_flags([(source, "0", "pembangunan;kesehatan", {}), (source, "1", "seremonial", {}),
                     (source, "2", "", {})])
    moment = datetime(2025, 9, 24, 1, tzinfo=UTC)
    for item in registry.sources:
        store.record_attempt(CollectionRun(item.source_id, moment, moment, ok=True, status="ok"))
    store.dispose()
    return url, folder


@pytest.fixture
def env(small, monkeypatch):
    url, folder = small
    monkeypatch.setenv("PANTAU_DB", url)
    monkeypatch.setenv("PANTAU_REGISTRY", str(folder))
    monkeypatch.setenv("PANTAU_TODAY", TODAY.isoformat())
    monkeypatch.setenv("PANTAU_MODE", "public")
    return monkeypatch


def page(path: str, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_post_with_two_work_topics_counts_once_on_the_unit_page(env):
    at = page("views/unit.py", unit=UNIT)
    text = "\n".join(m.value for m in at.markdown)
    # Two posts carry a topic; one of them reports work (with two work topics): 50%, not 100%.
    assert "Dari 2 publikasi bertopik" in text and "(dari 3 publikasi)" in text
    assert "**50%** melaporkan kerja" in text
    assert "**50%** seremonial saja" in text


def test_a_village_whose_only_source_is_tiktok_is_not_covered_on_the_kecamatan_page(env):
    at = page("views/kecamatan.py")
    at.radio(key="kecamatan-kind").set_value("Minggu").run()
    at.selectbox(key="kecamatan-pilih").set_value("kec-cepu").run()
    assert not at.exception
    overview, villages = (frame.value for frame in at.dataframe[:2])
    cepu = overview.set_index("Kecamatan").loc["Kecamatan Cepu"]
    detail = villages.set_index("Desa/Kelurahan")
    assert detail.loc["Desa Sumberpitu", "Punya sumber publikasi"] == "belum"
    assert detail.loc["Desa Sumberpitu", "Status"] == "tanpa data"
    # Coverage and the per-village column say the same thing: 2 of 3 villages.
    assert (detail["Punya sumber publikasi"] == "ya").sum() == 2
    assert cepu["Cakupan sumber"] == "67%"
