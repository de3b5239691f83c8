"""`pantau import`: manual posts validated as a whole, stored once, reported by FILE:ROW:COLUMN."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from collectors.dates import DateParseError
from collectors.spreadsheet import parse_import_date
from pantau.cli import main
from pantau.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "import"
REGISTRY = FIXTURES / "registry"
WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'p.db'}"


def run_import(db: str, *args: str) -> int:
    return main(["import", "--registry", str(REGISTRY), "--db", db, *args])


def stored(db: str):
    store = Store(db)
    try:
        return store.posts_frame(), store.attempts_frame(), store.sources_frame()
    finally:
        store.dispose()


def test_valid_csv_is_stored_once(db, capsys):
    path = FIXTURES / "valid.csv"
    assert run_import(db, str(path)) == 0
    out = capsys.readouterr().out
    assert "3 new, 0 already known" in out and "1 note row(s)" in out

    posts, attempts, sources = stored(db)
    by_url = {row.url: row for row in posts.itertuples()}
    ig = by_url["https://www.instagram.com/p/DOb1abc/"]
    assert ig.source_id == "manual:bupati:instagram" and ig.external_id == ig.url
    assert ig.published_at == datetime(2025, 9, 10, 7, 30, tzinfo=UTC)  # 14.30 WIB
    assert (ig.likes, ig.comments) == (120, 8) and ig.title == "Rapat koordinasi TPPS"
    fb = by_url["https://www.facebook.com/desangloram/posts/pfbid02abc"]
    assert fb.published_at == datetime(2025, 9, 9, 17, 0, tzinfo=UTC) and bool(fb.date_only)
    assert fb.unit_id == "desa-ngloram" and fb.platform == "facebook"
    assert posts["likes"].isna().sum() == 1  # an empty count is unknown, not zero
    assert set(sources.loc[sources["collector"] == "manual", "source_id"]) == {
        "manual:bupati:instagram", "manual:desa-ngloram:facebook", "manual:dinkominfo:youtube"}
    # each manual source counts as a source that succeeded on the day of import
    assert len(attempts) == 3
    assert set(attempts["status"]) == {"ok"} and set(attempts["route"]) == {"manual"} and attempts["ok"].all()

    assert run_import(db, str(path)) == 0
    assert "0 new, 3 already known" in capsys.readouterr().out
    posts_again, attempts_again, _ = stored(db)
    assert len(posts_again) == 3
    assert len(attempts_again) == 6


def test_every_bad_row_is_named_and_nothing_is_written(db, capsys):
    path = FIXTURES / "bad.csv"
    assert run_import(db, str(path)) == 1
    err = capsys.readouterr().err
    expected = [
        (3, "unit_id", "unknown unit 'dinas-hantu'"),
        (4, "platform", "unknown platform 'friendster'"),
        (5, "url", "is not an http(s) URL"),
        (6, "published_at", "unrecognised date"),
        (7, "likes", "must not be negative"),
        (8, "comments", "expected a whole number"),
        (9, "url", "duplicate url (first on row 2)"),
        (10, "url", "is not on instagram.com (platform instagram)"),
        (11, "published_at", "Senin does not fall on 10 September 2025"),
    ]
    for row, column, message in expected:
        line = next((x for x in err.splitlines() if x.startswith(f"{path}:{row}:{column}: ")), None)
        assert line is not None, (row, column, err)
        assert message in line
    assert f"{path}:2:" not in err
    assert "nothing imported: 9 invalid row(s)" in err
    posts, attempts, sources = stored(db)
    assert posts.empty and attempts.empty and (sources["collector"] != "manual").all()


def test_skip_invalid_writes_the_valid_rows(db, capsys):
    assert run_import(db, str(FIXTURES / "bad.csv"), "--skip-invalid") == 0
    captured = capsys.readouterr()
    assert "1 new, 0 already known; 9 invalid row(s) skipped" in captured.out
    assert f"{FIXTURES / 'bad.csv'}:3:unit_id:" in captured.err
    posts, _, _ = stored(db)
    assert posts["url"].tolist() == ["https://www.instagram.com/p/OK1/"]


def test_missing_column_is_reported_on_the_header(db, tmp_path, capsys):
    path = tmp_path / "nodate.csv"
    path.write_text("unit_id,platform,url\nbupati,website,https://blorakab.go.id/a\n", encoding="utf-8")
    assert run_import(db, str(path), "--skip-invalid") == 1
    assert f"{path}:1:published_at: missing column 'published_at'" in capsys.readouterr().err


def test_xlsx_with_spreadsheet_cells(db, tmp_path, capsys):
    path = tmp_path / "posting.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["unit_id", "platform", "url", "published_at", "title", "likes", "comments", "views"])
    sheet.append(["bupati", "tiktok", "https://www.tiktok.com/@bupatiblora/video/7548000000000000001",
                  datetime(2025, 9, 12, 19, 5), "Ngopi bareng warga", 2300, 41, 18000])
    sheet.append([])
    sheet.append(["wabup", "instagram", "https://www.instagram.com/p/DOc9/", "Jumat, 12 September 2025",
                  "Peresmian", 88.0, None, None])
    sheet.append(["wabup", "instagram", "https://www.instagram.com/p/DOd0/", "12/9/2025 07.00", "x", 1.5, None, None])
    book.save(path)

    assert run_import(db, str(path)) == 1
    err = capsys.readouterr().err
    assert f"{path}:5:likes: expected a whole number" in err  # the sheet's own row number

    assert run_import(db, str(path), "--skip-invalid") == 0
    assert "2 new" in capsys.readouterr().out
    posts, _, _ = stored(db)
    tiktok = posts[posts["platform"] == "tiktok"].iloc[0]
    assert tiktok["published_at"] == datetime(2025, 9, 12, 12, 5, tzinfo=UTC)
    assert (tiktok["likes"], tiktok["comments"], tiktok["views"]) == (2300, 41, 18000)
    assert posts[posts["platform"] == "instagram"].iloc[0]["likes"] == 88


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_template_reimports_as_valid_and_empty(db, tmp_path, capsys, suffix):
    path = tmp_path / f"templat{suffix}"
    assert run_import(db, "--template", str(path)) == 0
    assert path.exists()
    if suffix == ".xlsx":
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == ["posts", "Petunjuk"]
        notes = " ".join(str(c.value) for row in book["Petunjuk"] for c in row if c.value)
        assert "Kosongkan bila tidak diketahui" in notes
    else:
        assert "Wajib" in path.read_text(encoding="utf-8-sig")
    assert run_import(db, str(path)) == 0
    out = capsys.readouterr().out
    assert "0 new, 0 already known" in out and "note row(s) starting with # ignored" in out
    assert stored(db)[0].empty
    # the template is never written over an existing file
    assert run_import(db, "--template", str(path)) == 1


def test_example_row_with_its_hash_removed_imports(db, tmp_path, capsys):
    template = tmp_path / "t.csv"
    assert run_import(db, "--template", str(template)) == 0
    filled = tmp_path / "filled.csv"
    lines = template.read_text(encoding="utf-8-sig").splitlines()
    filled.write_text("\n".join([lines[0], lines[-1].lstrip("#")]) + "\n", encoding="utf-8")
    assert run_import(db, str(filled)) == 0
    assert "1 new" in capsys.readouterr().out


@pytest.mark.parametrize(("text", "expected", "date_only"), [
    ("10/9/2025 14.30", datetime(2025, 9, 10, 7, 30, tzinfo=UTC), False),
    ("10-09-2025", datetime(2025, 9, 9, 17, 0, tzinfo=UTC), True),
    ("Rabu, 10 September 2025", datetime(2025, 9, 9, 17, 0, tzinfo=UTC), True),
    ("10 Agustus 2025 pukul 08.00 WITA", datetime(2025, 8, 10, 0, 0, tzinfo=UTC), False),
    ("Jum'at, 3 Okt 2025 13:15", datetime(2025, 10, 3, 6, 15, tzinfo=UTC), False),
    ("2025-09-10T14:30:00+07:00", datetime(2025, 9, 10, 7, 30, tzinfo=UTC), False),
    ("2025-09-10", datetime(2025, 9, 9, 17, 0, tzinfo=UTC), True),
])
def test_import_dates(text, expected, date_only):
    parsed = parse_import_date(text, WIB)
    assert parsed.when == expected and parsed.date_only is date_only


@pytest.mark.parametrize("text", ["31/2/2025", "Selasa, 10 September 2025", "10 Septober 2025", "kemarin"])
def test_bad_import_dates(text):
    with pytest.raises(DateParseError):
        parse_import_date(text, WIB)


def test_cli_usage_and_exit_codes(tmp_path):
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "pantau", "import", "--registry", str(REGISTRY),
                               "--db", f"sqlite:///{tmp_path / 'c.db'}", *args],
                              capture_output=True, cwd=ROOT, timeout=120)
    assert cli().returncode == 2
    result = cli(str(FIXTURES / "bad.csv"))
    assert result.returncode == 1 and b":3:unit_id:" in result.stderr
    result = cli(str(FIXTURES / "valid.csv"))
    assert result.returncode == 0 and b"3 new" in result.stdout
