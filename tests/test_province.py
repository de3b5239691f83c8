"""A province's registry from the area dataset: ids and names unique across regencies, each
regency with its own two leaders and the regency's code on every unit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from pantau.metrics import leader_regencies
from pantau.registry import load_registry


def write_dataset(folder: Path) -> Path:
    folder.mkdir()
    (folder / "provinces.csv").write_text("code,name\n33,JAWA TENGAH\n35,JAWA TIMUR\n")
    (folder / "regencies.csv").write_text(
        "code,province_code,name\n33.16,33,KABUPATEN BLORA\n33.74,33,KOTA SEMARANG\n35.01,35,KABUPATEN PACITAN\n")
    (folder / "districts.csv").write_text(
        "code,regency_code,name\n33.16.01,33.16,Jati\n33.16.02,33.16,Kota Blora\n"
        "33.74.01,33.74,Semarang Tengah\n35.01.01,35.01,Donorojo\n")
    (folder / "villages.csv").write_text(
        "code,district_code,name\n33.16.01.2001,33.16.01,Sumber\n33.16.02.1001,33.16.02,Kauman\n"
        "33.74.01.1001,33.74.01,Kauman\n33.74.01.1002,33.74.01,Sekayu\n35.01.01.2001,35.01.01,Sumber\n")
    return folder


def build(tmp_path: Path, out: Path) -> subprocess.CompletedProcess:
    data = tmp_path / "data" if (tmp_path / "data").exists() else write_dataset(tmp_path / "data")
    return subprocess.run([sys.executable, "-m", "pantau", "registry", "build", "--area-data", str(data),
                           "--province", "33", "--out", str(out)], capture_output=True, text=True)


def test_a_province_registry_keeps_regencies_apart(tmp_path):
    out = tmp_path / "jateng"
    done = build(tmp_path, out)
    assert done.returncode == 0, done.stderr
    assert "2 regencies, 4 pimpinan, 0 opd, 3 kecamatan, 1 desa, 3 kelurahan" in done.stdout
    registry = load_registry(out)
    units = {u.unit_id: u for u in registry.units}
    assert units["3316-bupati"].name == "Bupati Blora" and units["3316-bupati"].code == "33.16"
    assert units["3374-walikota"].name == "Wali Kota Semarang"
    assert units["3374-wakil-walikota"].name == "Wakil Wali Kota Semarang"
    # Kauman is a kelurahan of both: ids and names stay apart, each names its regency.
    kauman = sorted((u.unit_id, u.name) for u in registry.units if u.name.startswith("Kelurahan Kauman"))
    assert kauman == [("3316-kelurahan-kota-blora-kauman", "Kelurahan Kauman (Blora)"),
                      ("3374-kelurahan-semarang-tengah-kauman", "Kelurahan Kauman (Semarang)")]
    # Desa Sumber of Pacitan is in another province: Blora's keeps its plain name.
    assert units["3316-desa-jati-sumber"].name == "Desa Sumber"
    assert units["3316-desa-jati-sumber"].parent_id == "3316-kec-jati"
    assert len({u.name for u in registry.units}) == len(registry.units)
    assert registry.settings.regency_name == "Provinsi Jawa Tengah"
    frame = pd.DataFrame([(u.unit_id, u.kind, u.code) for u in registry.units], columns=["unit_id", "kind", "code"])
    regencies = leader_regencies(frame)
    assert regencies is not None and regencies["3374-kelurahan-semarang-tengah-sekayu"] == "33.74"


def test_a_rebuild_keeps_hand_made_opd_and_leader_names(tmp_path):
    out = tmp_path / "jateng"
    assert build(tmp_path, out).returncode == 0
    text = (out / "units.csv").read_text()
    text = text.replace("3316-bupati,Bupati Blora,", "3316-bupati,Bupati Kabupaten Blora,")
    text += "3316-opd-dinkominfo,Dinas Komunikasi dan Informatika Blora,opd,,33.16,true\n"
    (out / "units.csv").write_text(text)
    done = build(tmp_path, out)
    assert done.returncode == 0, done.stderr
    units = {u.unit_id: u for u in load_registry(out).units}
    assert units["3316-bupati"].name == "Bupati Kabupaten Blora"
    assert units["3316-opd-dinkominfo"].kind == "opd"


def test_an_unknown_province_is_a_clear_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pantau", "registry", "build", "--area-data",
                           str(write_dataset(tmp_path / "data")), "--province", "99", "--out", str(tmp_path / "x")],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "province '99'" in done.stderr
