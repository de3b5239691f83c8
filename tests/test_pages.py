"""Every dashboard page rendered from dashboard.py with AppTest, against a seeded store."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import PAGES, visible_pages
from pantau import calendar, loading
from pantau.store import Store
from tests.login_support import ADMIN, add_accounts, sign_in
from tests.seed import XSS_TITLE, build_registry, seed_store, seeded_store
from views.common import fmt_pace, md_link, md_text

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = str(ROOT / "dashboard.py")
PUBLIC = [p for p in PAGES if not p.internal_only and not p.province_only]
INTERNAL = [p for p in PAGES if p.internal_only]
ONE_REGENCY = [p for p in PAGES if not p.province_only]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    seeded = seeded_store(tmp_path_factory.mktemp("pages"))
    add_accounts(seeded.url)
    return seeded


@pytest.fixture
def env(seeded, monkeypatch):
    monkeypatch.setenv("PANTAU_DB", seeded.url)
    monkeypatch.setenv("PANTAU_REGISTRY", str(seeded.registry_dir))
    monkeypatch.setenv("PANTAU_TODAY", seeded.today.isoformat())
    monkeypatch.delenv("PANTAU_SIMULATED", raising=False)
    for name in ("PANTAU_IG_TOKEN", "PANTAU_IG_USER_ID", "PANTAU_FB_TOKEN", "PANTAU_YOUTUBE_KEY"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def app(mode: str) -> AppTest:
    """The dashboard as a visitor first sees it; in internal mode, signed in as an admin."""
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    if mode == "internal":
        sign_in(at, ADMIN)
    return at


def open_page(at: AppTest, path: str) -> AppTest:
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def all_markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.mark.parametrize("mode", ["public", "internal"])
def test_every_page_renders_in_both_modes(env, mode):
    env.setenv("PANTAU_MODE", mode)
    env.setenv("PANTAU_SIMULATED", "1")
    at = app(mode)
    role = "admin" if mode == "internal" else None
    for page in visible_pages(mode, role):
        open_page(at, page.path)
        assert [t.value for t in at.title] == [page.title]
        assert any("Data simulasi" in w.value for w in at.warning), page.title
    assert {p.path for p in visible_pages(mode, role)} == {p.path for p in (ONE_REGENCY if mode == "internal" else PUBLIC)}


def test_internal_pages_do_not_exist_in_public_mode(env):
    env.setenv("PANTAU_MODE", "public")
    at = app("public")
    for page in INTERNAL:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page.path)


def test_unknown_mode_falls_back_to_public(env):
    env.setenv("PANTAU_MODE", "admin")
    at = app("public")
    with pytest.raises(ValueError):
        at.switch_page(INTERNAL[0].path)


def test_empty_store_says_belum_ada_data(tmp_path, monkeypatch):
    registry = build_registry(tmp_path / "registry")
    monkeypatch.setenv("PANTAU_DB", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("PANTAU_REGISTRY", str(registry))
    monkeypatch.setenv("PANTAU_MODE", "internal")
    monkeypatch.setenv("PANTAU_TODAY", "2025-09-24")
    add_accounts(f"sqlite:///{tmp_path / 'empty.db'}", [ADMIN])
    at = app("internal")
    for page in ONE_REGENCY:
        open_page(at, page.path)
        if page.path in ("views/ringkasan.py", "views/kecamatan.py", "views/unit.py", "views/terbaru.py"):
            assert any("Belum ada data" in i.value for i in at.info), page.title


def test_scraped_title_is_escaped_on_publikasi_terbaru(env):
    env.setenv("PANTAU_MODE", "public")
    at = open_page(app("public"), "views/terbaru.py")
    at.text_input(key="terbaru-teks").input("onerror").run()
    assert not at.exception
    text = all_markdown(at)
    assert md_text(XSS_TITLE) in text
    assert "<img" not in text
    assert "&lt;img src\\=x onerror\\=alert\\(1\\)&gt;" in text


@pytest.mark.parametrize("expected, title", [
    ("&lt;img src\\=x onerror\\=alert\\(1\\)&gt;", XSS_TITLE),
    ("\\[klik\\]\\(javascript\\:alert\\(1\\)\\)", "[klik](javascript:alert(1))"),
    ("\\# bukan judul", "# bukan judul"),
    ("\\*\\*tebal\\*\\* \\_miring\\_", "**tebal** _miring_"),
    ("baris satu baris dua", "baris satu\n\nbaris dua"),
    ("\\:red\\[merah\\]", ":red[merah]"),
])
def test_md_text_neutralises_markdown_and_html(expected, title):
    assert md_text(title) == expected


@pytest.mark.parametrize("expected, url", [
    ("[judul](https://a.example/x%28y%29)", "https://a.example/x(y)"),
    ("judul", "javascript:alert(1)"),
    ("judul", "data:text/html,<b>x</b>"),
])
def test_md_link_only_links_http(expected, url):
    assert md_link("judul", url) == expected


def test_topic_filter_shows_only_that_topic(env):
    env.setenv("PANTAU_MODE", "public")
    at = open_page(app("public"), "views/terbaru.py")
    at.selectbox(key="terbaru-topik").select("pembangunan").run()
    lines = [m.value for m in at.markdown if m.value.startswith("[")]
    assert lines and all("Pembangunan" in line for line in lines)


def test_kecamatan_drill_lists_its_villages(env, seeded):
    env.setenv("PANTAU_MODE", "public")
    at = open_page(app("public"), "views/kecamatan.py")
    assert len(at.dataframe[0].value) == len(seeded.registry.units_of_kind("kecamatan"))
    at.selectbox(key="kecamatan-pilih").select("kec-randublatung").run()
    villages = at.dataframe[1].value["Desa/Kelurahan"].tolist()
    assert sorted(villages) == ["Desa Kalisari", "Desa Wulung"]


def test_unit_page_broken_collector_is_tanpa_data_and_hides_errors_in_public(env, seeded):
    env.setenv("PANTAU_MODE", "public")
    at = open_page(app("public"), "views/unit.py")
    at.selectbox(key="unit-pilih").select(seeded.broken_unit).run()
    assert not at.exception
    assert "tanpa data" in at.metric[0].value
    channels = at.dataframe[-1].value
    assert "Galat terakhir" not in channels.columns
    assert "HTTP 503" not in channels.to_csv()


def test_kesehatan_shows_redacted_errors_in_internal_mode(env, seeded):
    env.setenv("PANTAU_MODE", "internal")
    at = open_page(app("internal"), "views/kesehatan.py")
    table = at.dataframe[0].value
    broken = table[table["Unit"] == seeded.registry.unit(seeded.broken_unit).name]
    assert broken["Galat terakhir"].str.contains("HTTP 503").any()
    assert (broken["Gagal beruntun"] > 0).any()
    x_row = table[table["Kanal"] == "X"]
    assert x_row["Keadaan"].str.contains("tidak dikumpulkan").all()


def test_ringkasan_numbers_reproduce_from_the_posts_export(env, seeded):
    """Recompute the default period's (last complete week) numbers from `pantau export posts`."""
    env.setenv("PANTAU_MODE", "public")
    at = open_page(app("public"), "views/ringkasan.py")
    at.multiselect(key="ringkasan-kinds").set_value(["opd", "kecamatan", "desa", "kelurahan"]).run()
    board = at.dataframe[0].value.set_index("Unit")

    monday = calendar.last_complete_week(seeded.today).date()
    sunday = monday + timedelta(days=6)
    result = subprocess.run([sys.executable, "-m", "pantau", "export", "posts", "--db", seeded.url,
                             "--registry", str(seeded.registry_dir), "--from", monday.isoformat(),
                             "--to", sunday.isoformat()], capture_output=True, cwd=ROOT, timeout=120, check=True)
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8").lstrip("\ufeff"))))
    assert rows
    days: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for r in rows:  # the local day is the date part of the local ISO time
        days.setdefault(r["unit_id"], set()).add(r["published_at"][:10])
        counts[r["unit_id"]] = counts.get(r["unit_id"], 0) + 1
    leaders = [u.unit_id for u in seeded.registry.units_of_kind("pimpinan")]
    reference = sum(len(days.get(u, ())) for u in leaders) / len(leaders)
    checked = 0
    for unit in seeded.registry.units:
        if unit.kind == "pimpinan":
            continue
        shown = board.loc[unit.name]
        active = len(days.get(unit.unit_id, ()))
        assert shown["Publikasi"] == counts.get(unit.unit_id, 0), unit.unit_id
        assert shown["Hari aktif"] == active, unit.unit_id
        assert shown["Indeks Imbang"] == fmt_pace(active / reference), unit.unit_id
        checked += 1
    assert checked == len(seeded.registry.units) - len(leaders)
    assert f"{str(round(reference, 1)).replace('.', ',')} hari aktif" in all_markdown(at)


def test_dashboard_reads_only_aggregates(seeded):
    """The shared facts are per-day aggregates, far fewer rows than posts once data grows."""
    store = Store(seeded.url)
    try:
        f = loading.load_facts(store, seeded.registry, seeded.today - timedelta(days=90), seeded.today)
        assert set(f.daily.columns) == {"unit_id", "day", "posts"}
        assert f.daily["posts"].sum() == store.post_count()
        assert len(f.daily) <= store.post_count()
        assert isinstance(f.daily["day"].iloc[0], pd.Timestamp)
    finally:
        store.dispose()


def test_ringkasan_lists_who_went_silent(env, seeded):
    env.setenv("PANTAU_MODE", "public")
    at = open_page(app("public"), "views/ringkasan.py")
    text = all_markdown(at)
    dormant = seeded.registry.unit(seeded.dormant_unit).name
    assert f"- {md_text(dormant)}: " in text
    assert f"- {md_text(seeded.registry.unit(seeded.no_source_unit).name)}" in text


def test_bad_pantau_today_is_reported_not_crashed(env):
    env.setenv("PANTAU_TODAY", "24-09-2025")
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.run()
    assert not at.exception
    assert any("PANTAU_TODAY" in e.value for e in at.error)


@pytest.mark.postgres
def test_public_pages_on_postgresql(pg_store, tmp_path, monkeypatch):
    seeded = seed_store(pg_store.url, build_registry(tmp_path / "registry"), date(2025, 9, 24), weeks=6)
    monkeypatch.setenv("PANTAU_DB", pg_store.url)
    monkeypatch.setenv("PANTAU_REGISTRY", str(seeded.registry_dir))
    monkeypatch.setenv("PANTAU_TODAY", seeded.today.isoformat())
    monkeypatch.setenv("PANTAU_MODE", "internal")
    add_accounts(pg_store.url, [ADMIN])
    at = app("internal")
    for page in ONE_REGENCY:
        open_page(at, page.path)
    at = open_page(at, "views/terbaru.py")
    at.selectbox(key="terbaru-topik").select("pembangunan").run()
    at.text_input(key="terbaru-teks").input("JALAN").run()  # case-insensitive on PostgreSQL too
    lines = [m.value for m in at.markdown if m.value.startswith("[")]
    assert lines and all("Pembangunan" in line and "jalan" in line.lower() for line in lines)


@pytest.mark.parametrize("expected, error", [
    ("HTTP 400 dari https://graph.facebook.com/v25.0/1/posts?access_token=***&limit=5",
     "HTTP 400 dari https://graph.facebook.com/v25.0/1/posts?access_token=SECRET&limit=5"),
    ("timeout https://www.googleapis.com/youtube/v3/search?key=***&part=id (3x)",
     "timeout https://www.googleapis.com/youtube/v3/search?key=SECRET&part=id (3x)"),
    ("tanpa URL", "tanpa URL"),
])
def test_error_texts_are_redacted_again_before_display(expected, error):
    from pantau.source_health import redact_text

    assert redact_text(error) == expected
    assert "SECRET" not in redact_text(error)


def test_unit_page_opens_on_the_unit_named_in_the_link(env, seeded):
    env.setenv("PANTAU_MODE", "public")
    at = app("public")
    at.query_params["unit"] = seeded.manual_unit
    open_page(at, "views/unit.py")
    assert at.selectbox(key="unit-pilih").value == seeded.manual_unit
    # Its manually imported posts are listed with the collected ones.
    assert any("Musyawarah desa" in m.value for m in at.markdown)


def test_ekspor_csv_matches_the_cli_export(env, seeded, tmp_path):
    env.setenv("PANTAU_MODE", "internal")
    at = open_page(app("internal"), "views/ekspor.py")
    from views.ekspor import export_files

    monday = calendar.last_complete_week(seeded.today).date()
    _, csv_data, xlsx_data = export_files(seeded.url, str(seeded.registry_dir), seeded.today, monday,
                                          monday + timedelta(days=6))
    out = tmp_path / "w.csv"
    from pantau.cli import main

    assert main(["export", "weekly", "--db", seeded.url, "--registry", str(seeded.registry_dir), "--out", str(out)]) == 0
    assert csv_data == out.read_bytes()
    assert xlsx_data[:2] == b"PK"
    assert any("Rekap Pantau" in c.value for c in at.code)
