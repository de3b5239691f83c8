"""`pantau export weekly` follows the contract and agrees with the metrics and the posts export."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from pantau import loading, metrics
from pantau.cli import main
from pantau.metrics import WEEKLY_COLUMNS
from pantau.store import Store
from tests.seed import build_registry, seed_store

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2025, 9, 24)  # a Wednesday: the last complete week is 2025-W38 (15-21 September)


def cli(seeded_url: str, registry: Path, *args: str, today: date | str = TODAY) -> subprocess.CompletedProcess:
    """The real command in a subprocess (slow: used once); see run_export for the rest."""
    env = {**os.environ, "PANTAU_TODAY": str(today)}
    return subprocess.run([sys.executable, "-m", "pantau", *args, "--db", seeded_url, "--registry", str(registry)],
                          capture_output=True, cwd=ROOT, timeout=120, env=env)


@pytest.fixture
def run_export(tmp_path, monkeypatch):
    """pantau.cli.main in this process, output through --out; returns a CompletedProcess."""
    counter = iter(range(1000))

    def run(seeded_url: str, registry: Path, *args: str, today: date | str = TODAY) -> subprocess.CompletedProcess:
        monkeypatch.setenv("PANTAU_TODAY", str(today))
        out = tmp_path / f"out-{next(counter)}"
        code = main([*args, "--db", seeded_url, "--registry", str(registry), "--out", str(out)])
        return subprocess.CompletedProcess(args, code, out.read_bytes() if out.exists() else b"", b"")

    return run


def rows_of(result: subprocess.CompletedProcess) -> list[dict[str, str]]:
    assert result.returncode == 0, result.stderr.decode()
    text = result.stdout.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("weekly")
    registry = build_registry(folder / "registry")
    return seed_store(f"sqlite:///{folder / 'p.db'}", registry, TODAY)


def test_default_is_the_last_complete_week_with_every_unit(seeded):
    rows = rows_of(cli(seeded.url, seeded.registry_dir, "export", "weekly"))
    assert list(rows[0]) == list(WEEKLY_COLUMNS)
    assert {r["week"] for r in rows} == {"2025-W38"}
    assert sorted(r["unit_id"] for r in rows) == sorted(u.unit_id for u in seeded.registry.units)
    leader = next(r for r in rows if r["kind"] == "pimpinan")
    assert (leader["target"], leader["target_met"]) == ("", "")
    assert {r["target_met"] for r in rows if r["kind"] != "pimpinan"} <= {"true", "false"}
    assert next(r for r in rows if r["unit_id"] == seeded.no_source_unit)["data_status"] == "tanpa sumber"


def test_rows_per_unit_per_overlapping_week_and_agree_with_metrics(seeded, run_export):
    rows = rows_of(run_export(seeded.url, seeded.registry_dir, "export", "weekly", "--from", "2025-09-03", "--to",
                       "2025-09-16"))
    assert sorted({r["week"] for r in rows}) == ["2025-W36", "2025-W37", "2025-W38"]
    assert len(rows) == 3 * len(seeded.registry.units)
    store = Store(seeded.url)
    try:
        facts = loading.load_facts(store, seeded.registry, date(2025, 9, 1), TODAY)
    finally:
        store.dispose()
    table = metrics.weekly_table(facts, date(2025, 9, 3), date(2025, 9, 16)).set_index(["unit_id", "week"])
    for r in rows:
        expected = table.loc[(r["unit_id"], r["week"])]
        assert int(r["posts"]) == expected["posts"]
        assert int(r["active_days"]) == expected["active_days"]
        assert r["status"] == expected["status"]
        assert r["data_status"] == expected["data_status"]
        assert float(r["pace"]) == pytest.approx(expected["pace"], abs=1e-4)


def test_weekly_counts_agree_with_the_posts_export(seeded, run_export):
    weekly = rows_of(run_export(seeded.url, seeded.registry_dir, "export", "weekly", "--from", "2025-09-08", "--to",
                         "2025-09-14"))
    posts = rows_of(run_export(seeded.url, seeded.registry_dir, "export", "posts", "--from", "2025-09-08", "--to",
                        "2025-09-14"))
    per_unit: dict[str, int] = {}
    days: dict[str, set[str]] = {}
    for p in posts:
        per_unit[p["unit_id"]] = per_unit.get(p["unit_id"], 0) + 1
        days.setdefault(p["unit_id"], set()).add(p["published_at"][:10])
    for r in weekly:
        assert int(r["posts"]) == per_unit.get(r["unit_id"], 0)
        assert int(r["active_days"]) == len(days.get(r["unit_id"], ()))


def test_week_without_leader_posts_leaves_pace_empty(seeded, run_export):
    rows = rows_of(run_export(seeded.url, seeded.registry_dir, "export", "weekly", "--from", "2025-01-06", "--to",
                       "2025-01-12"))
    assert {r["pace"] for r in rows} == {""}
    assert {r["posts"] for r in rows} == {"0"}
    # Nothing was collected back then: no unit is called dormant for it.
    assert {r["status"] for r in rows} == {"tanpa data"}
    assert {r["data_status"] for r in rows} <= {"gagal", "tanpa sumber"}


def test_running_week_shows_the_broken_collector_as_tanpa_data(seeded, run_export):
    rows = rows_of(run_export(seeded.url, seeded.registry_dir, "export", "weekly", "--from", TODAY.isoformat(),
                       "--to", TODAY.isoformat()))
    broken = next(r for r in rows if r["unit_id"] == seeded.broken_unit)
    assert (broken["week"], broken["status"]) == ("2025-W39", "tanpa data")
    dormant = next(r for r in rows if r["unit_id"] == seeded.dormant_unit)
    assert dormant["status"] == "dorman" and int(dormant["days_since_last_post"]) > 30


def test_xlsx_and_json(seeded, tmp_path, run_export):
    result = run_export(seeded.url, seeded.registry_dir, "export", "weekly", "--format", "xlsx")
    assert result.returncode == 0
    sheet = openpyxl.load_workbook(io.BytesIO(result.stdout)).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header == list(WEEKLY_COLUMNS)
    assert sheet.max_row == len(seeded.registry.units) + 1
    result = run_export(seeded.url, seeded.registry_dir, "export", "weekly", "--format", "json")
    records = json.loads(result.stdout)
    leader = next(r for r in records if r["kind"] == "pimpinan")
    assert leader["target"] is None and leader["target_met"] is None
    assert {type(r["target_met"]) for r in records if r["kind"] != "pimpinan"} == {bool}


@pytest.mark.postgres
def test_export_weekly_on_postgresql(pg_store, tmp_path, run_export):
    registry = build_registry(tmp_path / "registry")
    seeded = seed_store(pg_store.url, registry, TODAY, weeks=4)
    rows = rows_of(run_export(seeded.url, registry, "export", "weekly"))
    sqlite = seed_store(f"sqlite:///{tmp_path / 'same.db'}", build_registry(tmp_path / "r2"), TODAY, weeks=4)
    same = rows_of(run_export(sqlite.url, sqlite.registry_dir, "export", "weekly"))
    assert rows == same


def test_today_can_be_pinned_and_must_be_a_date(seeded, run_export):
    later = rows_of(run_export(seeded.url, seeded.registry_dir, "export", "weekly", today=TODAY + timedelta(days=7)))
    assert {r["week"] for r in later} == {"2025-W39"}
    bad = cli(seeded.url, seeded.registry_dir, "export", "weekly", today="24/09/2025")
    assert bad.returncode == 1
    assert b"PANTAU_TODAY must be a date as YYYY-MM-DD" in bad.stderr
