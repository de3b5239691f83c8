"""The Tinjauan Konten page: flagged posts with reasons, marks that persist, scraped text escaped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pantau.ingest import save_posts
from pantau.models import Post
from pantau.store import Store

HOSTILE_TITLE = "<script>alert(1)</script> Test drive Alphard baru di garasi **rumah**"


def _page():
    from views.review import render

    render()


def _posts() -> list[Post]:
    when = datetime(2025, 9, 10, 7, 30, tzinfo=UTC)
    return [
        Post("ig-dinas", "A1", "https://instagram.example/p/A1", HOSTILE_TITLE, when,
             excerpt="Rolex [klik](javascript:alert(1)) hadiah ulang tahun"),
        Post("ig-dinas", "A2", "javascript:alert(2)", "Yang komen goblok, baca dulu pengumumannya!", when),
        Post("ig-dinas", "A3", "https://instagram.example/p/A3", "Pembangunan talud RT 03 selesai", when),
    ]


@pytest.fixture
def seeded(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'review.db'}"
    store = Store(url)
    save_posts(store, "dinas-x", "instagram", _posts())
    monkeypatch.setenv("PANTAU_DB", url)
    monkeypatch.setenv("PANTAU_MODE", "internal")
    yield store
    store.dispose()
    st.cache_resource.clear()
    st.cache_data.clear()


def _run() -> AppTest:
    at = AppTest.from_function(_page, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def _texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def test_flagged_posts_listed_with_reasons_and_escaped(seeded):
    at = _run()
    texts = _texts(at)
    # The hostile title is shown verbatim as text, never rendered as HTML or markdown.
    assert HOSTILE_TITLE in texts
    assert "Yang komen goblok, baca dulu pengumumannya!" in texts
    # A post without a review flag is not on the page.
    assert "Pembangunan talud RT 03 selesai" not in texts
    markdown = [m.value for m in at.markdown]
    assert any("alphard" in m and "rolex" in m for m in markdown)
    assert any("goblok" in m for m in markdown)
    assert all(not m.proto.allow_html for m in at.markdown)
    assert all("<script>" not in m.value for m in at.markdown)
    assert [m.value for m in at.metric] == ["2", "2"]


def test_only_http_links_become_buttons(seeded):
    at = _run()
    links = [e for e in at.get("link_button")]
    assert [e.proto.url for e in links] == ["https://instagram.example/p/A1"]
    assert "Tautan asli tidak tersedia." in _texts(at)


def test_marking_needs_a_reviewer_name(seeded):
    at = _run()
    at.button[0].click().run()
    assert not at.exception
    assert any("nama peninjau" in w.value for w in at.warning)
    assert seeded.reviews_frame().empty


def test_click_persists_mark_with_reviewer_and_survives_recollection(seeded):
    at = _run()
    at.text_input(key="review_reviewer").input("Budi Prokopim").run()
    # Posts are listed newest first, then by id: A1 before A2; each card has two buttons.
    at.text_input[1].input("sudah dikonfirmasi ke admin")
    at.button[1].click().run()  # A1: "Aman"
    assert not at.exception
    reviews = seeded.reviews_frame()
    assert len(reviews) == 1
    row = reviews.iloc[0]
    assert (row.source_id, row.external_id, row.mark, row.reviewer) == ("ig-dinas", "A1", "aman", "Budi Prokopim")
    assert row.note == "sudah dikonfirmasi ke admin"
    assert row.reviewed_at.tzinfo is not None
    assert [m.value for m in at.success] == ["Tersimpan: Aman oleh Budi Prokopim."]

    # Re-collection: the same posts upserted again, flags recomputed; the mark is untouched.
    save_posts(seeded, "dinas-x", "instagram", _posts())
    after = seeded.reviews_frame()
    assert after[["source_id", "external_id", "mark", "reviewer"]].values.tolist() == \
        [["ig-dinas", "A1", "aman", "Budi Prokopim"]]

    # The default filter shows open posts only: the marked one left the list.
    at = _run()
    assert HOSTILE_TITLE not in _texts(at)
    at.selectbox(key="review_status").select("Semua").run()
    assert HOSTILE_TITLE in _texts(at)
    assert any("Aman" in m.value and "Budi Prokopim" in m.value and "dikonfirmasi" in m.value for m in at.markdown)


def test_public_mode_shows_nothing(seeded, monkeypatch):
    monkeypatch.setenv("PANTAU_MODE", "public")
    at = _run()
    assert not at.text
    assert any("mode internal" in i.value for i in at.info)
