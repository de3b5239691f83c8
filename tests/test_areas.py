from pathlib import Path

from pantau.areas import area_units, merge_area_units, slug, village_kind
from pantau.models import Unit


def test_village_kind_follows_kemendagri_code():
    assert village_kind("33.16.05.1001") == "kelurahan"
    assert village_kind("33.16.05.2003") == "desa"


def test_area_units_from_dataset(tmp_path: Path):
    (tmp_path / "districts.csv").write_text(
        "code,regency_code,name\n33.16.01,33.16,Jati\n33.16.05,33.16,Cepu\n33.17,33.17,Other\n")
    (tmp_path / "villages.csv").write_text(
        "code,district_code,name\n33.16.05.1001,33.16.05,Cepu\n33.16.05.2001,33.16.05,Ngloram\n"
        "33.16.01.2001,33.16.01,Bangkleyan\n33.16.01.2002,33.16.01,Bangkleyan\n33.17.01.2001,33.17.01,Elsewhere\n")
    units = area_units(tmp_path / "districts.csv", tmp_path / "villages.csv", "33.16")
    ids = [u.unit_id for u in units]
    assert ids == ["kec-jati", "desa-jati-bangkleyan", "desa-jati-bangkleyan-3316012002",
                   "kec-cepu", "kelurahan-cepu-cepu", "desa-cepu-ngloram"]
    assert units[4].kind == "kelurahan" and units[4].parent_id == "kec-cepu"
    merged = merge_area_units([Unit("bupati", "Bupati", "pimpinan"), Unit("kec-old", "Old", "kecamatan")], units)
    assert merged[0].unit_id == "bupati" and "kec-old" not in [u.unit_id for u in merged]


def test_slug():
    assert slug("Kedung Tuban") == "kedung-tuban"
    assert slug("Ngampel (Kidul)") == "ngampel-kidul"
