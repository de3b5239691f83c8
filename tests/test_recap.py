"""`pantau recap`: WhatsApp text under 4,000 characters whose numbers match the weekly export."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pantau import metrics
from pantau.cli import main
from pantau.recap import LIMIT, recap_text
from pantau.registry import Settings
from pantau.store import Store
from tests.seed import build_registry, seed_store

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2025, 9, 24)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("recap")
    registry = build_registry(folder / "registry")
    return seed_store(f"sqlite:///{folder / 'p.db'}", registry, TODAY)


def run(capsysbinary, monkeypatch, seeded, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("PANTAU_TODAY", TODAY.isoformat())
    code = main([*args, "--db", seeded.url, "--registry", str(seeded.registry_dir)])
    return code, capsysbinary.readouterr().out.decode("utf-8")


def weekly_rows(capsysbinary, monkeypatch, seeded, week_from: str, week_to: str) -> list[dict[str, str]]:
    monkeypatch.setenv("PANTAU_TODAY", TODAY.isoformat())
    assert main(["export", "weekly", "--from", week_from, "--to", week_to, "--db", seeded.url,
                 "--registry", str(seeded.registry_dir)]) == 0
    return list(csv.DictReader(io.StringIO(capsysbinary.readouterr().out.decode("utf-8").lstrip("\ufeff"))))


def section(text: str, heading: str) -> tuple[str, list[str]]:
    """The heading line starting with `heading` and its bullet lines."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    bullets = []
    for line in lines[start + 1:]:
        if not line.startswith("•"):
            break
        bullets.append(line)
    return lines[start], bullets


def test_recap_cli_default_week_is_the_last_complete_week(seeded):
    env = {**os.environ, "PANTAU_TODAY": TODAY.isoformat()}
    result = subprocess.run([sys.executable, "-m", "pantau", "recap", "--db", seeded.url, "--registry",
                             str(seeded.registry_dir)], capture_output=True, cwd=ROOT, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    assert text.startswith("*Rekap Pantau 2025-W38* — Kabupaten Blora\n15 September 2025 – 21 September 2025")
    assert len(text) < LIMIT
    assert "|" not in text  # no tables


def test_recap_numbers_agree_with_the_weekly_export(seeded, capsysbinary, monkeypatch):
    code, text = run(capsysbinary, monkeypatch, seeded, "recap", "--week", "2025-W37")
    assert code == 0
    rows = weekly_rows(capsysbinary, monkeypatch, seeded, "2025-09-08", "2025-09-14")
    opd = [r for r in rows if r["kind"] == "opd"]
    keeping = [r for r in opd if r["pace"] and float(r["pace"]) >= 0.5]
    heading, bullets = section(text, "*Mengimbangi pimpinan*")
    assert f"{len(keeping)} dari {len(opd)} OPD" in heading
    names = {r["unit_name"] for r in rows if r["kind"] != "pimpinan" and r["pace"] and float(r["pace"]) >= 0.5}
    assert {b[2:].split(" — ")[0] for b in bullets} == names

    below = [r for r in opd if r["target_met"] == "false" and r["status"] != "tanpa data"]
    heading, bullets = section(text, "*Di bawah target")
    assert f"{len(below)} dari {len(opd)} OPD" in heading
    for r in below:
        assert f"• {r['unit_name']} — {r['posts']} dari target {r['target']} publikasi" in bullets

    dormant = [r for r in rows if r["status"] == "dorman"]
    heading, bullets = section(text, "*Diam (dorman")
    assert {b[2:].split(" — ")[0] for b in bullets} == {r["unit_name"] for r in dormant}
    no_data = [r for r in rows if r["status"] == "tanpa data"]
    heading, bullets = section(text, "*Tanpa data*")
    assert {b[2:].split(" — ")[0] for b in bullets} == {r["unit_name"] for r in no_data}
    assert "• Dinas Lingkungan Hidup — belum ada sumber terdaftar" in bullets
    leaders = [r for r in rows if r["kind"] == "pimpinan"]
    reference = sum(int(r["active_days"]) for r in leaders) / len(leaders)
    assert f"rata-rata {reference:.1f}".replace(".", ",") in text


def test_bad_week_is_a_usage_error(seeded, capsysbinary, monkeypatch):
    with pytest.raises(SystemExit) as exit_info:
        run(capsysbinary, monkeypatch, seeded, "recap", "--week", "2025-37")
    assert exit_info.value.code == 2


def big_week(n_villages: int, reference: float = 4.0) -> pd.DataFrame:
    rows = [("bupati", "Bupati", "pimpinan", 4, 4, np.nan, "aktif", "ok")]
    for i in range(n_villages):
        status = ["dorman", "tanpa data", "aktif"][i % 3]
        rows.append((f"desa-{i}", f"Desa Nomor Panjang Sekali {i:04d}", "desa", 0 if status != "aktif" else 3,
                     0 if status != "aktif" else 3, 1, status, "ok" if status != "tanpa data" else "gagal"))
    frame = pd.DataFrame(rows, columns=["unit_id", "unit_name", "kind", "posts", "active_days", "target", "status",
                                        "data_status"])
    frame["target"] = frame["target"].astype("Int64")
    frame["target_met"] = (frame["posts"] >= frame["target"]).astype("boolean")
    frame["reference"] = reference
    frame["pace"] = metrics.pace(frame["active_days"], reference)
    frame["days_since_last_post"] = pd.array([0] * len(frame), dtype="Int64")
    frame["week"] = "2025-W38"
    frame["week_start"] = pd.Timestamp("2025-09-15")
    return frame


@pytest.mark.parametrize("villages", [10, 300, 3000])
def test_long_lists_are_truncated_under_the_limit(villages):
    text = recap_text(big_week(villages), Settings())
    assert len(text) < LIMIT
    heading, bullets = section(text, "*Diam (dorman")
    dormant_total = len(range(0, villages, 3))
    assert f"{dormant_total} dari {villages} desa/kelurahan" in heading
    more = re.search(r"… dan (\d+) lainnya", text[text.index(heading):])
    shown_plus_hidden = len(bullets) + (int(more.group(1)) if more and len(bullets) < dormant_total else 0)
    assert shown_plus_hidden == dormant_total
    if villages == 10:
        assert "lainnya" not in text


def test_reference_zero_is_said_plainly():
    text = recap_text(big_week(5, reference=0.0), Settings())
    assert "Indeks Imbang tidak terdefinisi" in text
    assert "*Mengimbangi pimpinan* (Indeks Imbang ≥ 0,50): 0 dari 5 desa/kelurahan" in text


def test_recap_of_an_empty_store_says_there_is_no_data(tmp_path, capsysbinary, monkeypatch):
    registry = build_registry(tmp_path / "registry")
    monkeypatch.setenv("PANTAU_TODAY", TODAY.isoformat())
    Store(f"sqlite:///{tmp_path / 'empty.db'}").dispose()  # read commands refuse a missing file
    assert main(["recap", "--db", f"sqlite:///{tmp_path / 'empty.db'}", "--registry", str(registry)]) == 0
    text = capsysbinary.readouterr().out.decode("utf-8")
    assert "Belum ada data yang berhasil dikumpulkan" in text
    assert "Indeks Imbang tidak terdefinisi" in text
    assert "0 dari 5 OPD" in text
