"""The Tinjauan Konten page: flagged posts with reasons, marks that persist, scraped text escaped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pantau.accounts import AccountBook
from pantau.ingest import save_posts
from pantau.models import Post
from pantau.store import Store
from tests.login_support import PENINJAU, add_accounts

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
        Post("ig-dinas", "A4", " java\tscript:alert(4)", "Dasar goblok semua", when),
        Post("ig-dinas", "A5", "&#106;avascript:alert(5)", "Admin goblok, jawab dong", when),
        Post("ig-dinas", "A6", "DATA:text/html,<script>alert(6)</script>", "Pejabat goblok itu", when),
    ]


@pytest.fixture
def seeded(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'review.db'}"
    store = Store(url)
    save_posts(store, "dinas-x", "instagram", _posts())
    monkeypatch.setenv("PANTAU_DB", url)
    monkeypatch.setenv("PANTAU_MODE", "internal")
    add_accounts(url, [PENINJAU])
    yield store
    store.dispose()
    st.cache_resource.clear()
    st.cache_data.clear()


def _run(signed_in: bool = True) -> AppTest:
    """The page as a visitor opens it; signed in through its login form unless told otherwise."""
    at = AppTest.from_function(_page, default_timeout=60)
    at.run()
    assert not at.exception
    if signed_in:
        at.text_input(key="masuk-nama").input(PENINJAU.username)
        at.text_input(key="masuk-sandi").input(PENINJAU.password)
        next(b for b in at.button if b.label == "Masuk").click().run()
        assert not at.exception, [e.value for e in at.exception]
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
    assert [m.value for m in at.metric] == ["5", "5"]


def test_only_http_links_become_buttons(seeded):
    at = _run()
    links = [e for e in at.get("link_button")]
    assert [e.proto.url for e in links] == ["https://instagram.example/p/A1"]
    assert _texts(at).count("Tautan asli tidak tersedia.") == 4


def test_anonymous_sees_the_login_and_no_flagged_post(seeded):
    at = _run(signed_in=False)
    texts = _texts(at)
    assert HOSTILE_TITLE not in texts and not any("goblok" in t for t in texts)
    assert not at.metric and not list(at.get("link_button"))
    assert at.text_input(key="masuk-nama") is not None
    assert not any(b.label in ("Aman", "Perlu ditindaklanjuti") for b in at.button)
    assert seeded.reviews_frame().empty


def test_a_wrong_password_does_not_sign_in(seeded):
    at = AppTest.from_function(_page, default_timeout=60)
    at.run()
    at.text_input(key="masuk-nama").input(PENINJAU.username)
    at.text_input(key="masuk-sandi").input("bukan-sandinya-123")
    next(b for b in at.button if b.label == "Masuk").click().run()
    assert any("salah" in w.value for w in at.warning)
    assert HOSTILE_TITLE not in _texts(at)


def test_a_disabled_account_is_signed_out_at_its_next_click(seeded):
    at = _run()
    assert HOSTILE_TITLE in _texts(at)
    AccountBook(seeded.engine).set_active(PENINJAU.username, False)
    at.button[1].click().run()  # "Aman" on the first post, after the account was disabled
    assert not at.exception
    assert seeded.reviews_frame().empty
    assert HOSTILE_TITLE not in _texts(at)
    AccountBook(seeded.engine).set_active(PENINJAU.username, True)


def test_an_idle_session_expires(seeded, monkeypatch):
    at = _run()
    assert HOSTILE_TITLE in _texts(at)
    monkeypatch.setenv("PANTAU_SESSION_IDLE_MINUTES", "0")
    at.run()
    assert HOSTILE_TITLE not in _texts(at)
    assert any("Sesi Anda berakhir" in w.value for w in at.warning)


def test_click_persists_mark_with_reviewer_and_survives_recollection(seeded):
    at = _run()
    # Posts are listed newest first, then by id: A1 before A2; each card has two buttons.
    at.text_input(key=next(t.key for t in at.text_input if t.key.startswith("review_note_"))).input(
        "sudah dikonfirmasi ke admin")
    at.button[1].click().run()  # A1: "Aman"
    assert not at.exception
    reviews = seeded.reviews_frame()
    assert len(reviews) == 1
    row = reviews.iloc[0]
    assert (row.source_id, row.external_id, row.mark, row.reviewer) == ("ig-dinas", "A1", "aman", "Sri Peninjau (peninjau-uji)")
    assert row.note == "sudah dikonfirmasi ke admin"
    assert row.reviewed_at.tzinfo is not None
    assert [m.value for m in at.success] == ["Tersimpan: Aman oleh Sri Peninjau (peninjau-uji)."]

    # Re-collection: the same posts upserted again, flags recomputed; the mark is untouched.
    save_posts(seeded, "dinas-x", "instagram", _posts())
    after = seeded.reviews_frame()
    assert after[["source_id", "external_id", "mark", "reviewer"]].values.tolist() == \
        [["ig-dinas", "A1", "aman", "Sri Peninjau (peninjau-uji)"]]

    # The default filter shows open posts only: the marked one left the list.
    at = _run()
    assert HOSTILE_TITLE not in _texts(at)
    at.selectbox(key="review_status").select("Semua").run()
    assert HOSTILE_TITLE in _texts(at)
    assert any("Aman" in m.value and "Sri Peninjau" in m.value and "dikonfirmasi" in m.value for m in at.markdown)


def test_public_mode_shows_nothing(seeded, monkeypatch):
    monkeypatch.setenv("PANTAU_MODE", "public")
    at = _run(signed_in=False)
    assert not at.text
    assert any("mode internal" in e.value for e in at.error)


def test_a_changed_mark_keeps_the_earlier_one_on_the_page_and_in_the_export(seeded, capsys):
    at = _run()
    at.button[1].click().run()  # A1: "Aman"
    at.selectbox(key="review_status").select("Semua").run()
    at.button[0].click().run()  # A1 again: "Perlu ditindaklanjuti"
    assert not at.exception
    current = seeded.reviews_frame()
    assert current[["external_id", "mark", "reviewer"]].values.tolist() == [
        ["A1", "perlu_ditindaklanjuti", "Sri Peninjau (peninjau-uji)"]]
    trail = seeded.review_history_frame()
    assert trail[["external_id", "mark", "reviewer", "reviewer_name"]].values.tolist() == [
        ["A1", "aman", "peninjau-uji", "Sri Peninjau"],
        ["A1", "perlu_ditindaklanjuti", "peninjau-uji", "Sri Peninjau"]]
    assert trail["reviewed_at"].is_monotonic_increasing
    # The page shows the current mark and, under "Riwayat tanda", the one it replaced.
    assert [e.label for e in at.expander] == ["Riwayat tanda (1 sebelumnya)"]
    earlier = [m.value for m in at.expander[0].markdown]
    assert len(earlier) == 1 and "**Aman** oleh Sri Peninjau (peninjau\\-uji)" in earlier[0]

    from pantau.cli import main

    assert main(["export", "reviews", "--db", seeded.url, "--format", "json"]) == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    assert [(r["external_id"], r["mark"], r["reviewer"], r["reviewer_name"], r["current"]) for r in rows] == [
        ("A1", "aman", "peninjau-uji", "Sri Peninjau", False),
        ("A1", "perlu_ditindaklanjuti", "peninjau-uji", "Sri Peninjau", True)]
    assert rows[0]["reviewed_at"].endswith("+07:00") and rows[0]["url"] == "https://instagram.example/p/A1"


def test_marks_given_before_the_audit_trail_existed_join_it(seeded):
    from sqlalchemy import delete, insert

    from pantau.store import review_history, reviews, schema_migrations

    with seeded.engine.begin() as conn:
        conn.execute(insert(reviews).values(source_id="ig-dinas", external_id="A2", mark="aman", reviewer="Budi",
                                            note="lama", reviewed_at=datetime(2025, 9, 11, 1, 0)))
        conn.execute(delete(review_history))
        conn.execute(delete(schema_migrations).where(schema_migrations.c.name == "0003_review_history"))
    assert seeded.migrate() == ["0003_review_history"]
    trail = seeded.review_history_frame()
    assert trail[["external_id", "mark", "reviewer", "reviewer_name", "note"]].values.tolist() == [
        ["A2", "aman", "Budi", "Budi", "lama"]]


def test_a_post_flagged_by_the_model_alone_shows_why(tmp_path, monkeypatch):
    from pantau.screening import load_lexicons, screen

    text = "Weekend di Singapura, nonton konser dan belanja sepuasnya"
    assert "pamer" not in screen(text, load_lexicons(with_model=False)).flags  # the rules alone miss it
    url = f"sqlite:///{tmp_path / 'model.db'}"
    store = Store(url)
    save_posts(store, "dinas-x", "instagram", [
        Post("ig-dinas", "M1", "https://instagram.example/p/M1", text, datetime(2025, 9, 10, 7, 30, tzinfo=UTC))])
    monkeypatch.setenv("PANTAU_DB", url)
    monkeypatch.setenv("PANTAU_MODE", "internal")
    add_accounts(url, [PENINJAU])
    try:
        at = _run()
        assert text in _texts(at)
        # Below the rules' own threshold ("singapura", "belanja"), raised by the model beside them.
        reasons = [m.value for m in at.markdown if m.value.startswith("Alasan")]
        assert len(reasons) == 1 and "model statistik" in reasons[0] and "kata paling berpengaruh" in reasons[0]
    finally:
        store.dispose()
        st.cache_resource.clear()
        st.cache_data.clear()
