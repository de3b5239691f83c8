"""Every command answers every bad input with a clear message and exit 1 (2 for usage), never a
traceback (issue 18, points 6, 7 and 9).

Each test feeds one named bad input to the real command (`pantau.cli.main`, or the installed
module as a subprocess where the whole process matters) and checks the exit code, that the
message names the file, row and column (or the flag, folder or database), and that no
traceback was printed. Each failed on the code before this change: a traceback, exit 0 with the
bad value stored, or a message without the row.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from collectors import spreadsheet, spreadsheet_read
from pantau.cli import main
from pantau.commands import export as export_command
from pantau.commands.importer import ImportWriteError, save_manual_posts
from pantau.store import Store, attempts, posts

ROOT = Path(__file__).resolve().parent.parent

UNITS = """unit_id,name,kind,parent_id,code
bupati,Bupati Blora,pimpinan,,
kec-cepu,Kecamatan Cepu,kecamatan,,
desa-a,Desa A,desa,kec-cepu,
"""
SOURCES_HEADER = "source_id,unit_id,platform,collector,address,options,active\n"
GOOD_SOURCE = "web-bupati,bupati,website,wordpress,https://bupati.example/,,true\n"
IMPORT_HEADER = "unit_id,platform,url,published_at,title,likes,comments,views\n"


def registry(tmp_path: Path, units: str = UNITS, sources: str = SOURCES_HEADER + GOOD_SOURCE,
             settings: str | None = None) -> Path:
    folder = tmp_path / "registry"
    folder.mkdir(exist_ok=True)
    (folder / "units.csv").write_text(units, encoding="utf-8")
    (folder / "sources.csv").write_text(sources, encoding="utf-8")
    if settings is not None:
        (folder / "settings.csv").write_text(settings, encoding="utf-8")
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def source_row(**values: str) -> str:
    row = {"source_id": "web-x", "unit_id": "bupati", "platform": "website", "collector": "wordpress",
           "address": "https://x.example/", "options": "", "active": "true", **values}
    options = row["options"].replace('"', '""')
    return (f'{row["source_id"]},{row["unit_id"]},{row["platform"]},{row["collector"]},{row["address"]},'
            f'"{options}",{row["active"]}\n')


def registry_error(tmp_path: Path, capsys, **files: str) -> str:
    folder = registry(tmp_path, **files)
    code, _out, err = run(capsys, "export", "units", "--registry", str(folder))
    assert code == 1, err
    return err


# ---------------------------------------------------------------------------------------------
# Registry files that used to raise, or to pass and fail later as `bug` records (point 9)


def test_registry_not_in_utf8_names_file_and_row(tmp_path, capsys):
    folder = registry(tmp_path)
    (folder / "units.csv").write_bytes(UNITS.replace("Bupati Blora", "Bupati Blor\xe1").encode("latin-1"))
    code, _out, err = run(capsys, "export", "units", "--registry", str(folder))
    assert code == 1
    assert f"{folder / 'units.csv'}:2:-: not UTF-8" in err


def test_registry_cell_over_the_csv_field_limit_names_its_row(tmp_path, capsys):
    huge = "x" * 200_000
    err = registry_error(tmp_path, capsys, sources=SOURCES_HEADER + GOOD_SOURCE + source_row(options=huge))
    assert "sources.csv:3:-: a cell is longer than 131072 characters" in err


def test_registry_deeply_nested_options_json(tmp_path, capsys):
    nested = '{"a":' + "[" * 20_000 + "]" * 20_000 + "}"
    err = registry_error(tmp_path, capsys, sources=SOURCES_HEADER + source_row(options=nested))
    assert "sources.csv:2:options: options are nested too deeply" in err


def test_registry_malformed_ipv6_address(tmp_path, capsys):
    err = registry_error(tmp_path, capsys, sources=SOURCES_HEADER + source_row(address="http://[::1/berita"))
    assert "sources.csv:2:address:" in err and "IPv6" in err


def test_registry_port_out_of_range(tmp_path, capsys):
    err = registry_error(tmp_path, capsys, sources=SOURCES_HEADER + source_row(address="https://x.example:99999/"))
    assert "sources.csv:2:address:" in err and "65535" in err


def test_registry_credentials_in_an_address(tmp_path, capsys):
    err = registry_error(tmp_path, capsys,
                         sources=SOURCES_HEADER + source_row(address="https://admin:rahasia@x.example/"))
    assert "sources.csv:2:address: an address must not hold a user name or password" in err
    assert "rahasia" not in err


def test_registry_broken_css_selector(tmp_path, capsys):
    options = json.dumps({"item": "article[", "title": "h2", "link": "a"})
    err = registry_error(tmp_path, capsys,
                         sources=SOURCES_HEADER + source_row(collector="html_listing", options=options))
    assert "sources.csv:2:options: item is not a valid CSS selector 'article['" in err


def test_registry_max_pages_not_a_number(tmp_path, capsys):
    options = json.dumps({"item": "article", "title": "h2", "link": "a", "max_pages": "abc"})
    err = registry_error(tmp_path, capsys,
                         sources=SOURCES_HEADER + source_row(collector="html_listing", options=options))
    assert "sources.csv:2:options: max_pages must be a whole number from 1 to 1000, got 'abc'" in err


def test_registry_parent_id_cycle(tmp_path, capsys):
    units = UNITS + "opd-a,Dinas A,opd,opd-b,\nopd-b,Dinas B,opd,opd-a,\n"
    err = registry_error(tmp_path, capsys, units=units)
    assert "units.csv:5:parent_id: parent_id leads back to 'opd-a'" in err
    assert "units.csv:6:parent_id: parent_id leads back to 'opd-b'" in err


def test_registry_platform_collector_mismatch(tmp_path, capsys):
    err = registry_error(tmp_path, capsys, sources=SOURCES_HEADER + source_row(platform="instagram"))
    assert "sources.csv:2:collector: collector 'wordpress' reads website, not platform 'instagram'" in err


def test_registry_target_of_ten_to_the_23(tmp_path, capsys):
    err = registry_error(tmp_path, capsys, settings="key,value\ntarget_opd,100000000000000000000000\n")
    assert "settings.csv:2:value:" in err and "from 0 to 1000" in err


def test_registry_unit_id_longer_than_the_store_column(tmp_path, capsys):
    err = registry_error(tmp_path, capsys, units=UNITS + f"{'o' * 250},Dinas,opd,,\n")
    assert "units.csv:5:unit_id: unit_id is 250 characters long; at most 100" in err


# ---------------------------------------------------------------------------------------------
# Imports: resource abuse (point 6)


def import_file(tmp_path: Path, capsys, name: str, content: str | bytes, *extra: str) -> tuple[int, str, str, str]:
    folder = registry(tmp_path)
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'p.db'}"
    code, out, err = run(capsys, "import", str(path), "--registry", str(folder), "--db", db, *extra)
    return code, out, err, db


def stored_posts(db: str) -> int:
    if not Path(db.removeprefix("sqlite:///")).exists():
        return 0
    store = Store(db)
    try:
        return store.post_count()
    finally:
        store.dispose()


def xlsx_with_title(path: Path, title: str) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "posts"
    sheet.append(IMPORT_HEADER.strip().split(","))
    sheet.append(["bupati", "website", "https://bupati.example/1", "10/9/2025 14.30", "Rapat", 1, 0, 0])
    book.save(path)
    # openpyxl caps a cell at 32,767 characters; write the shared-strings table by hand, as a
    # hostile file would.
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    holder = next(name for name, data in parts.items() if b"Rapat" in data)  # inline or shared string
    parts[holder] = parts[holder].replace(b"Rapat", title.encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_xlsx_zip_bomb_is_refused_before_openpyxl_opens_it(tmp_path, capsys):
    path = tmp_path / "bomb.xlsx"
    xlsx_with_title(path, "A" * (20 << 20))  # a 20 MB title in a file of a few tens of KB
    assert path.stat().st_size < 100_000
    code, _out, err, db = import_file(tmp_path, capsys, "bomb.xlsx", path.read_bytes())
    assert code == 1
    assert f"{tmp_path / 'bomb.xlsx'}:0:-: refused: xl/" in err
    assert "would expand" in err and "zip bomb" in err
    assert stored_posts(db) == 0


def test_xlsx_title_over_the_cap_rejects_the_row(tmp_path, capsys):
    import random
    import string

    path = tmp_path / "long.xlsx"
    # Incompressible text: passes the archive check, then the title cap rejects the row.
    xlsx_with_title(path, "".join(random.Random(7).choices(string.ascii_letters, k=50_000)))
    code, _out, err, _db = import_file(tmp_path, capsys, "long.xlsx", path.read_bytes())
    assert code == 1
    assert f"{path}:2:title: 50,000 characters; at most 2,200" in err


def test_csv_title_over_the_cap_rejects_the_row(tmp_path, capsys):
    content = IMPORT_HEADER + f"bupati,website,https://bupati.example/1,10/9/2025,{'t' * 3000},,,\n"
    code, _out, err, _db = import_file(tmp_path, capsys, "posts.csv", content)
    assert code == 1
    assert f"{tmp_path / 'posts.csv'}:2:title: 3,000 characters; at most 2,200" in err


def test_url_longer_than_the_store_key_rejects_the_row(tmp_path, capsys):
    url = "https://bupati.example/" + "p" * 600
    content = IMPORT_HEADER + f"bupati,website,{url},10/9/2025,Rapat,,,\n"
    code, _out, err, _db = import_file(tmp_path, capsys, "posts.csv", content)
    assert code == 1
    assert f"{tmp_path / 'posts.csv'}:2:url:" in err and "at most 500" in err


def test_count_beyond_the_integer_column_rejects_the_row(tmp_path, capsys):
    content = (IMPORT_HEADER + "bupati,website,https://bupati.example/1,10/9/2025,Satu,1,,\n"
               "kec-cepu,website,https://cepu.example/2,10/9/2025,Dua,99999999999999999999,,\n")
    code, _out, err, db = import_file(tmp_path, capsys, "posts.csv", content)
    assert code == 1
    assert f"{tmp_path / 'posts.csv'}:3:likes:" in err
    assert stored_posts(db) == 0


def test_import_with_too_many_columns(tmp_path, capsys):
    header = IMPORT_HEADER.strip() + "," + ",".join(f"extra{i}" for i in range(60)) + "\n"
    content = header + "bupati,website,https://bupati.example/1,10/9/2025,Satu,,,\n"
    code, _out, err, _db = import_file(tmp_path, capsys, "wide.csv", content)
    assert code == 1
    assert f"{tmp_path / 'wide.csv'}:1:-:" in err and "at most 50" in err


def test_import_with_too_many_rows(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(spreadsheet_read, "MAX_ROWS", 3)
    rows = "".join(f"bupati,website,https://bupati.example/{i},10/9/2025,Satu,,,\n" for i in range(5))
    code, _out, err, _db = import_file(tmp_path, capsys, "long.csv", IMPORT_HEADER + rows, "--skip-invalid")
    assert code == 1
    assert f"{tmp_path / 'long.csv'}:5:-: more than 3 rows" in err


def test_import_cell_over_the_csv_field_limit_names_its_row(tmp_path, capsys):
    content = IMPORT_HEADER + f'bupati,website,https://bupati.example/1,10/9/2025,"{"x" * 200_000}",,,\n'
    code, _out, err, _db = import_file(tmp_path, capsys, "posts.csv", content)
    assert code == 1
    assert f"{tmp_path / 'posts.csv'}:2:-: a cell is longer than 131072 characters" in err


def test_import_not_in_utf8_names_the_line(tmp_path, capsys):
    content = (IMPORT_HEADER + "bupati,website,https://bupati.example/1,10/9/2025,Satu,,,\n"
               + "bupati,website,https://bupati.example/2,10/9/2025,Pemb\xe9ngunan,,,\n").encode("latin-1")
    code, _out, err, _db = import_file(tmp_path, capsys, "posts.csv", content)
    assert code == 1
    assert f"{tmp_path / 'posts.csv'}:3:-: not UTF-8" in err


# ---------------------------------------------------------------------------------------------
# Imports: all or nothing (point 7), on SQLite and PostgreSQL


def manual(row: int, unit_id: str, url: str, likes: int | None = None) -> spreadsheet.ManualPost:
    return spreadsheet.ManualPost(row, unit_id, "website", url, datetime(2025, 9, 10, 7, tzinfo=UTC), False,
                                  f"Kegiatan {row}", likes, None, None)


def test_a_row_the_store_refuses_leaves_nothing_of_the_import(store):
    # Rows that skipped validation (a value only the database rejects): the first source's
    # group is written before the second one fails. On PostgreSQL a url over external_id's
    # VARCHAR(500); on SQLite, which does not bound VARCHAR, a count over 64 bits.
    refused = (manual(3, "kec-cepu", "https://cepu.example/" + "p" * 600) if store.dialect == "postgresql"
               else manual(3, "kec-cepu", "https://cepu.example/3", likes=2**64))
    batch = [manual(2, "bupati", "https://bupati.example/2"), refused]
    with pytest.raises(ImportWriteError) as caught:
        save_manual_posts(store, iter(batch), "posts.csv")
    column = "url" if store.dialect == "postgresql" else "likes"
    assert str(caught.value).startswith(f"posts.csv:3:{column}: the store cannot hold this value")
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(posts)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(attempts)).scalar() == 0
    # The store still works, and a good import after it is stored whole.
    assert save_manual_posts(store, iter(batch[:1]), "posts.csv") == (1, 0)


def test_import_caps_fit_the_store_columns():
    # The caps are the collectors' own constants (collectors never import the store): they must
    # stay inside the bounded columns of pantau/store/schema.py, or PostgreSQL refuses mid-import.
    from pantau.registry_checks import MAX_ID_LENGTH
    from pantau.store import sources

    assert spreadsheet.MAX_LENGTHS["url"] <= posts.c.external_id.type.length
    assert spreadsheet.MAX_LENGTHS["unit_id"] <= posts.c.unit_id.type.length
    assert spreadsheet.MAX_LENGTHS["platform"] <= posts.c.platform.type.length
    assert MAX_ID_LENGTH <= posts.c.unit_id.type.length
    longest_manual_id = spreadsheet.manual_source_id("u" * MAX_ID_LENGTH, "instagram")
    assert len(longest_manual_id) <= sources.c.source_id.type.length
    assert spreadsheet.MAX_COUNT == 2**31 - 1  # PostgreSQL INTEGER


# ---------------------------------------------------------------------------------------------
# The command line: dates, --out, databases (point 9)


@pytest.mark.parametrize("argv, flag", [
    (["export", "weekly", "--from", "0001-01-01", "--to", "0001-02-01"], "--from"),
    (["export", "posts", "--to", "9999-12-31"], "--to"),
    (["export", "weekly", "--from", "9998-12-01"], "--from"),
    (["collect", "--since", "0999-01-01"], "--since"),
    (["recap", "--week", "0001-W01"], "--week"),
])
def test_dates_outside_the_calendar_are_usage_errors(tmp_path, capsys, argv, flag):
    folder = registry(tmp_path)
    with pytest.raises(SystemExit) as caught:
        main([*argv, "--registry", str(folder), "--db", str(tmp_path / "p.db")])
    err = capsys.readouterr().err
    assert caught.value.code == 2
    assert f"argument {flag}:" in err and "is outside 1990-01-01 .. 2200-12-31" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv", [["export", "units"], ["summary"]])
def test_out_into_a_missing_folder(tmp_path, capsys, argv):
    folder = registry(tmp_path)
    db = tmp_path / "p.db"
    Store(f"sqlite:///{db}").dispose()
    target = tmp_path / "tidak-ada" / "hasil.csv"
    code, _out, err = run(capsys, *argv, "--registry", str(folder), "--db", str(db), "--out", str(target))
    assert code == 1
    assert f"{target.parent}: folder does not exist" in err


def test_corrupt_database(tmp_path, capsys):
    folder = registry(tmp_path)
    db = tmp_path / "rusak.db"
    db.write_bytes(b"this is no database " * 100)
    code, _out, err = run(capsys, "export", "posts", "--registry", str(folder), "--db", str(db))
    assert code == 1
    assert f"{db}: the database file is damaged or is not a database" in err


def test_read_only_database(tmp_path, capsys):
    folder = registry(tmp_path, sources=SOURCES_HEADER)
    db = tmp_path / "p.db"
    Store(f"sqlite:///{db}").dispose()
    # Opened read-only (as a file without write permission would be; root ignores permissions).
    url = f"sqlite:///file:{db}?mode=ro&uri=true"
    code, _out, err = run(capsys, "collect", "--registry", str(folder), "--db", url)
    assert code == 1
    assert "the database is read-only" in err


def test_read_commands_refuse_a_mistyped_sqlite_path(tmp_path, capsys):
    folder = registry(tmp_path)
    typo = tmp_path / "dta" / "pantau.db"
    code, _out, err = run(capsys, "export", "posts", "--registry", str(folder), "--db", str(typo))
    assert code == 1
    assert f"{typo.parent}: folder does not exist (a mistyped --db?)" in err
    assert not typo.parent.exists()
    missing = tmp_path / "pantua.db"
    code, _out, err = run(capsys, "export", "posts", "--registry", str(folder), "--db", str(missing))
    assert code == 1
    assert f"{missing}: no such database" in err
    assert not missing.exists()


def test_collect_does_not_create_missing_folders(tmp_path, capsys):
    folder = registry(tmp_path, sources=SOURCES_HEADER)
    typo = tmp_path / "dta" / "pantau.db"
    code, _out, err = run(capsys, "collect", "--registry", str(folder), "--db", str(typo))
    assert code == 1
    assert f"{typo.parent}: folder does not exist" in err
    assert not typo.parent.exists()


# ---------------------------------------------------------------------------------------------
# The safety net


def test_an_unexpected_error_is_one_line_without_traceback(tmp_path, capsys, monkeypatch):
    def broken(args, config, registry):
        raise RuntimeError("something nobody expected")

    monkeypatch.setitem(export_command.TABLES, "units", broken)
    monkeypatch.delenv("PANTAU_DEBUG", raising=False)
    folder = registry(tmp_path)
    code, out, err = run(capsys, "export", "units", "--registry", str(folder))
    assert code == 1
    assert "pantau: unexpected error (RuntimeError): something nobody expected" in err
    monkeypatch.setenv("PANTAU_DEBUG", "1")
    assert main(["export", "units", "--registry", str(folder)]) == 1
    assert "Traceback" in capsys.readouterr().err  # asked for: the details are there


def test_the_real_process_exits_1_without_traceback_and_2_for_usage(tmp_path):
    folder = registry(tmp_path)
    (folder / "units.csv").write_bytes(b"unit_id,name,kind,parent_id,code\nbupati,Bup\xe1ti,pimpinan,,\n")
    result = subprocess.run([sys.executable, "-m", "pantau", "export", "units", "--registry", str(folder)],
                            capture_output=True, cwd=ROOT, timeout=120)
    assert result.returncode == 1
    assert b"units.csv:2:-: not UTF-8" in result.stderr and b"Traceback" not in result.stderr
    usage = subprocess.run([sys.executable, "-m", "pantau", "export", "--from", "0999-01-01", "posts"],
                           capture_output=True, cwd=ROOT, timeout=120)
    assert usage.returncode == 2 and b"Traceback" not in usage.stderr
