"""`pantau export` reflects exactly what the registry and the store hold."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import openpyxl

from pantau.cli import build_parser, main
from pantau.config import DEFAULT_REGISTRY
from pantau.models import Post
from pantau.store import Store

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pantau", *args], capture_output=True, cwd=ROOT, timeout=120)


def test_help_lists_only_real_subcommands():
    result = run_cli("--help")
    assert result.returncode == 0
    parser = build_parser()
    names = sorted(parser._subparsers._group_actions[0].choices)
    for name in names:
        assert name in result.stdout.decode()
        sub = run_cli(name, "--help")
        assert sub.returncode == 0, sub.stderr
        assert b"--registry" in sub.stdout and b"--db" in sub.stdout


def test_wrong_usage_exits_2():
    assert run_cli("export", "nonsense").returncode == 2


def test_export_units_lists_the_blora_registry():
    result = run_cli("export", "units", "--format", "csv")
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == len((DEFAULT_REGISTRY / "units.csv").read_text().strip().splitlines()) - 1
    assert sum(r["kind"] == "kecamatan" for r in rows) == 16
    assert rows[0]["unit_id"] == "bupati"


def seeded(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    store = Store(url)
    store.upsert_posts("bupati", "website", [
        Post("web-bupati", "101", "https://a.example/?p=101", "Rapat POK, 10/9", datetime(2025, 9, 10, 7, 30, tzinfo=UTC),
             likes=None, comments=4),
        Post("web-bupati", "102", "https://a.example/?p=102", "Tengah malam", datetime(2025, 9, 10, 16, 30, tzinfo=UTC),
             views=12),
    ])
    store.dispose()
    return url


def test_export_posts_csv_matches_store(tmp_path, capsysbinary):
    url = seeded(tmp_path)
    assert main(["export", "posts", "--db", url]) == 0
    text = capsysbinary.readouterr().out.decode("utf-8").lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["external_id"] for r in rows] == ["101", "102"]
    assert rows[0]["published_at"] == "2025-09-10T14:30:00+07:00"
    # 16:30 UTC is 23:30 WIB: still the 10th locally
    assert rows[1]["published_at"] == "2025-09-10T23:30:00+07:00"
    assert rows[0]["likes"] == "" and rows[0]["comments"] == "4" and rows[1]["views"] == "12"
    assert rows[0]["title"] == "Rapat POK, 10/9"
    assert list(rows[0]) == ["unit_id", "source_id", "platform", "external_id", "url", "title", "published_at",
                             "likes", "comments", "views", "flags", "flag_reasons"]


def test_export_posts_period_and_json(tmp_path, capsysbinary):
    url = seeded(tmp_path)
    assert main(["export", "posts", "--db", url, "--from", "2025-09-11", "--format", "json"]) == 0
    assert json.loads(capsysbinary.readouterr().out) == []
    assert main(["export", "posts", "--db", url, "--to", "2025-09-10", "--format", "json"]) == 0
    records = json.loads(capsysbinary.readouterr().out)
    assert [r["external_id"] for r in records] == ["101", "102"]
    assert records[0]["likes"] is None and records[0]["comments"] == 4


def test_export_posts_xlsx(tmp_path):
    url = seeded(tmp_path)
    out = tmp_path / "posts.xlsx"
    assert main(["export", "posts", "--db", url, "--format", "xlsx", "--out", str(out)]) == 0
    sheet = openpyxl.load_workbook(out).active
    values = list(sheet.values)
    assert values[0][:4] == ("unit_id", "source_id", "platform", "external_id")
    assert [v[3] for v in values[1:]] == ["101", "102"]


def test_xlsx_to_stdout_is_refused(tmp_path):
    result = run_cli("export", "posts", "--format", "xlsx", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 1 and b"--out" in result.stderr


def test_invalid_registry_exits_1_with_located_errors(tmp_path):
    (tmp_path / "units.csv").write_text("unit_id,name,kind,parent_id,code\na,A,raja,,\n")
    result = run_cli("export", "units", "--registry", str(tmp_path))
    assert result.returncode == 1
    assert f"{tmp_path / 'units.csv'}:2:kind: unknown kind 'raja'".encode() in result.stderr
