"""One imported row must not take down pages (issue 18, point 4): the import refuses dates outside
[1995-01-01, now + 2 days] and bare numbers by FILE:ROW:COLUMN, and posts a store already holds
from before that check (written here with SQL) are left out of every page and export instead
of crashing them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import insert
from streamlit.testing.v1 import AppTest

from pantau.cli import main
from pantau.store import Store
from pantau.store.schema import posts
from tests.seed import seeded_store
from tests.test_pages import DASHBOARD

REGISTRY = Path(__file__).resolve().parent / "fixtures" / "import" / "registry"
HEADER = "unit_id,platform,url,published_at,title\n"
BAD_ROWS = {
    2: ("01/01/0001 08.00", "before 1995-01-01"),
    3: ("1/1/1900", "1899"),  # was stored with Jakarta's local-mean-time offset (+07:07:12)
    4: ("1700000000", "bare number"),  # was read as a Unix time (2023-11-14)
    5: ("31/12/2030", "in the future"),
    6: ("31/12/9999 23.59", "in the future"),
}
GOOD_ROW = "bupati,instagram,https://www.instagram.com/p/good/,10/9/2025 14.30,Rapat koordinasi\n"


def bad_csv(tmp_path: Path) -> Path:
    path = tmp_path / "tanggal.csv"
    lines = [f"bupati,instagram,https://www.instagram.com/p/row{row}/,{text},Judul {row}\n"
             for row, (text, _) in sorted(BAD_ROWS.items())]
    path.write_text(HEADER + "".join(lines) + GOOD_ROW, encoding="utf-8")
    return path


def test_import_names_every_out_of_window_date_and_writes_nothing(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'p.db'}"
    path = bad_csv(tmp_path)
    assert main(["import", "--registry", str(REGISTRY), "--db", db, str(path)]) == 1
    err = capsys.readouterr().err
    for row, (_, reason) in BAD_ROWS.items():
        line = next((x for x in err.splitlines() if x.startswith(f"{path}:{row}:published_at:")), "")
        assert reason in line, (row, err)
    assert "nothing imported: 5 invalid row(s)" in err
    assert "Traceback" not in err


def test_skip_invalid_stores_only_the_dates_inside_the_window(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'p.db'}"
    assert main(["import", "--registry", str(REGISTRY), "--db", db, str(bad_csv(tmp_path)), "--skip-invalid"]) == 0
    assert "1 new" in capsys.readouterr().out
    store = Store(db)
    try:
        stored = store.posts_frame()
    finally:
        store.dispose()
    assert list(stored["url"]) == ["https://www.instagram.com/p/good/"]


def test_a_number_cell_in_xlsx_is_refused(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'p.db'}"
    path = tmp_path / "angka.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["unit_id", "platform", "url", "published_at", "title"])
    sheet.append(["bupati", "instagram", "https://www.instagram.com/p/n/", 1700000000, "Angka"])
    book.save(path)
    assert main(["import", "--registry", str(REGISTRY), "--db", db, str(path)]) == 1
    assert f"{path}:2:published_at:" in capsys.readouterr().err


# -- a store that already holds such posts ------------------------------------------------------

# Year 1 (the import above used to store it), the year 2030, the last day of 9999; for a unit
# without other posts, year 1 is its newest post before any period (pandas holds no such time).
STORED_BAD = [datetime(1, 1, 1, 0, 52, 48), datetime(2030, 1, 1), datetime(9999, 12, 31, 16, 0)]
# 1 January 1900 as it was stored with Jakarta's local-mean-time offset, for one unit.
LMT_1900 = datetime(1899, 12, 31, 16, 52, 48)


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory):
    seeded = seeded_store(tmp_path_factory.mktemp("poisoned"))
    store = Store(seeded.url)
    # Written past the ingest door, as a store from before the check holds them: for every unit,
    # so a unit with no other post has one of these as its newest.
    rows = [dict(source_id=f"manual:{unit.unit_id}:instagram", external_id=f"bad-{i}", unit_id=unit.unit_id,
                 platform="instagram", url=f"https://www.instagram.com/p/bad-{unit.unit_id}-{i}/",
                 title=f"Tanggal rusak {i}", excerpt="", published_at=when, date_only=False,
                 collected_at=datetime(2025, 9, 1), updated_at=datetime(2025, 9, 1), flags="", flag_terms="{}")
            for unit in seeded.registry.units for i, when in enumerate(STORED_BAD)]
    rows.append({**rows[0], "external_id": "bad-lmt", "url": "https://www.instagram.com/p/bad-lmt/",
                 "published_at": LMT_1900})
    with store.engine.begin() as conn:
        conn.execute(insert(posts), rows)
    store.dispose()
    return seeded


@pytest.fixture
def env(poisoned, monkeypatch):
    monkeypatch.setenv("PANTAU_DB", poisoned.url)
    monkeypatch.setenv("PANTAU_REGISTRY", str(poisoned.registry_dir))
    monkeypatch.setenv("PANTAU_TODAY", poisoned.today.isoformat())
    monkeypatch.setenv("PANTAU_MODE", "public")
    monkeypatch.delenv("PANTAU_SIMULATED", raising=False)
    return monkeypatch


def open_page(path: str, unit: str | None = None) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    if unit:
        at.query_params["unit"] = unit
    at.run()
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("path", ["views/ringkasan.py", "views/unit.py"])
def test_pages_render_over_posts_stored_outside_the_window(env, poisoned, path):
    at = open_page(path, unit=poisoned.no_source_unit if path == "views/unit.py" else None)
    shown = "\n".join(m.value for m in at.markdown) + "".join(d.value.to_csv() for d in at.dataframe)
    assert "Tanggal rusak" not in shown


def test_tentang_data_does_not_call_a_post_of_9999_the_newest(env, poisoned):
    text = "\n".join(m.value for m in open_page("views/tentang.py").markdown)
    assert "Publikasi terbaru:" in text and "9999" not in text and "2030" not in text


@pytest.mark.parametrize("command", [["export", "weekly"], ["recap"], ["summary"], ["export", "posts"]])
def test_exports_and_recap_run_over_posts_stored_outside_the_window(env, poisoned, command, capsys):
    assert main([*command, "--db", poisoned.url, "--registry", str(poisoned.registry_dir)]) == 0
    out = capsys.readouterr().out
    assert out.strip() and "Tanggal rusak" not in out
