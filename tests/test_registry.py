"""Registry validation: every error class names file, row and column; all are reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from pantau.config import DEFAULT_REGISTRY
from pantau.registry import RegistryError, load_registry

UNITS_OK = """unit_id,name,kind,parent_id,code
bupati,Bupati,pimpinan,,
wabup,Wakil Bupati,pimpinan,,
opd-kominfo,Dinas Kominfo,opd,,
kec-jati,Kecamatan Jati,kecamatan,,33.16.01
desa-jati-a,Desa A,desa,kec-jati,33.16.01.2001
"""
SOURCES_HEADER = "source_id,unit_id,platform,collector,address,options,active\n"


def write(folder: Path, units: str = UNITS_OK, sources: str | None = None, settings: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(units, encoding="utf-8")
    if sources is not None:
        (folder / "sources.csv").write_text(SOURCES_HEADER + sources, encoding="utf-8")
    if settings is not None:
        (folder / "settings.csv").write_text(settings, encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(RegistryError) as info:
        load_registry(folder)
    return [str(p) for p in info.value.problems]


def test_valid_registry_loads(tmp_path):
    folder = write(tmp_path / "r", sources="web-kominfo,opd-kominfo,website,wordpress,https://kominfo.example.go.id,,\n"
                                            'ig-kominfo,opd-kominfo,instagram,instagram,kominfo_x,{"api_base":"http://127.0.0.1:9/v25.0"},TRUE\n')
    registry = load_registry(folder)
    assert [u.unit_id for u in registry.units] == ["bupati", "wabup", "opd-kominfo", "kec-jati", "desa-jati-a"]
    assert registry.sources[1].options == {"api_base": "http://127.0.0.1:9/v25.0"}
    assert registry.sources[1].active is True
    assert registry.settings.target_for("desa") == 1
    assert registry.settings.target_for("pimpinan") is None


@pytest.mark.parametrize(
    "expected, units",
    [
        ("units.csv:3:kind: unknown kind 'walikota'", UNITS_OK.replace("Wakil Bupati,pimpinan", "Wakil Bupati,walikota")),
        ("units.csv:3:unit_id: duplicate unit_id 'bupati' (first on row 2)", UNITS_OK.replace("wabup,", "bupati,")),
        ("units.csv:6:parent_id: parent 'kec-japah' does not exist", UNITS_OK.replace("desa,kec-jati", "desa,kec-japah")),
        ("units.csv:6:parent_id: parent 'opd-kominfo' of a desa must be a kecamatan, not opd",
         UNITS_OK.replace("desa,kec-jati", "desa,opd-kominfo")),
        ("units.csv:6:parent_id: a desa needs its kecamatan as parent_id", UNITS_OK.replace("desa,kec-jati", "desa,")),
        ("units.csv:1:kind: missing column 'kind'", UNITS_OK.replace(",kind,", ",jenis,")),
    ],
)
def test_unit_errors_name_file_row_and_column(tmp_path, expected, units):
    problems = problems_of(write(tmp_path / "r", units=units))
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    "expected, row",
    [
        ("sources.csv:2:unit_id: unknown unit 'opd-nope'", "s1,opd-nope,website,wordpress,https://a.example,,"),
        ("sources.csv:2:options: options must be a JSON object", "s1,opd-kominfo,website,wordpress,https://a.example,{not json,"),
        ("sources.csv:2:options: options must be a JSON object", 's1,opd-kominfo,website,wordpress,https://a.example,"[1,2]",'),
        ("sources.csv:2:address: 'kominfo.example' is not an http(s) URL", "s1,opd-kominfo,website,wordpress,kominfo.example,,"),
        ("sources.csv:2:address: an Instagram username is written without '@'", "s1,opd-kominfo,instagram,instagram,@kominfo,,"),
        ("sources.csv:2:address: 'kominfo' is not a numeric Facebook Page id", "s1,opd-kominfo,facebook,facebook,kominfo,,"),
        ("sources.csv:2:collector: unknown collector 'scraper'", "s1,opd-kominfo,website,scraper,https://a.example,,"),
        ("sources.csv:2:platform: unknown platform 'myspace'", "s1,opd-kominfo,myspace,feed,https://a.example,,"),
        ("sources.csv:2:active: expected true or false, got 'maybe'", "s1,opd-kominfo,website,feed,https://a.example,,maybe"),
        ("sources.csv:2:options: html_listing needs CSS selectors for title", 's1,opd-kominfo,website,html_listing,https://a.example,"{""item"":""li"",""link"":""a"",""date"":""span""}",'),
        ("sources.csv:2:options: unknown preset 'blorakb'; known: blorakab", 's1,opd-kominfo,website,html_listing,https://a.example,"{""preset"":""blorakb""}",'),
        ("sources.csv:3:source_id: duplicate source_id 's1' (first on row 2)",
         "s1,opd-kominfo,website,feed,https://a.example,,\ns1,opd-kominfo,website,feed,https://b.example,,"),
        ("sources.csv:2:address: empty address on an active source", "s1,opd-kominfo,instagram,instagram,,,"),
    ],
)
def test_source_errors_name_file_row_and_column(tmp_path, expected, row):
    problems = problems_of(write(tmp_path / "r", sources=row + "\n"))
    assert any(expected in p for p in problems), problems


def test_all_problems_reported_at_once(tmp_path):
    units = UNITS_OK.replace("wabup,Wakil Bupati,pimpinan", "wabup,Wakil Bupati,raja") + "bupati,Dup,opd,,\n"
    sources = "s1,opd-nope,website,wordpress,https://a.example,,\ns2,opd-kominfo,website,feed,not-a-url,,\n"
    problems = problems_of(write(tmp_path / "r", units=units, sources=sources))
    assert len(problems) == 4, problems
    assert {p.split(":")[1] for p in problems} == {"3", "7", "2"}


def test_semicolon_and_bom_accepted(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    text = UNITS_OK.replace(",", ";")
    (folder / "units.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (folder / "sources.csv").write_bytes(
        b"\xef\xbb\xbf" + (SOURCES_HEADER + "s1,opd-kominfo,x,,,,false\n").replace(",", ";").encode())
    registry = load_registry(folder)
    assert len(registry.units) == 5
    assert registry.sources[0].platform == "x" and registry.sources[0].active is False


def test_inactive_source_may_keep_its_address_empty(tmp_path):
    registry = load_registry(write(tmp_path / "r", sources="s1,opd-kominfo,instagram,instagram,,,false\n"))
    assert registry.sources[0].address == "" and not registry.active_sources()


def test_settings_validated(tmp_path):
    folder = write(tmp_path / "r", settings="key,value\ntimezone,Asia/Makassar\ntarget_opd,3\npace_threshold,0,6\n")
    # "0,6" is Indonesian for 0.6 -- but in a comma CSV it splits; a semicolon file is the clerk's way.
    (folder / "settings.csv").write_text("key;value\ntimezone;Asia/Makassar\ntarget_opd;3\npace_threshold;0,6\n")
    settings = load_registry(folder).settings
    assert (settings.timezone, settings.target_for("opd"), settings.pace_threshold) == ("Asia/Makassar", 3, 0.6)
    (folder / "settings.csv").write_text("key,value\ntimezone,Mars/Olympus\ncolour,red\n")
    problems = problems_of(folder)
    assert any(p.startswith(f"{folder / 'settings.csv'}:2:value:") for p in problems)
    assert any(p.endswith("settings.csv:3:key: unknown setting 'colour'") for p in problems)


def test_shipped_blora_registry():
    registry = load_registry(DEFAULT_REGISTRY)
    kinds = [u.kind for u in registry.units]
    assert kinds.count("pimpinan") == 2
    assert kinds.count("kecamatan") == 16
    villages = registry.units_of_kind("desa", "kelurahan")
    assert len(villages) == 295
    assert kinds.count("desa") == 271 and kinds.count("kelurahan") == 24
    kecamatan = {u.unit_id for u in registry.units_of_kind("kecamatan")}
    assert all(v.parent_id in kecamatan for v in villages)
    assert all(v.code.startswith("33.16.") for v in villages)
    # desa/kelurahan follow the Kemendagri code: 4th part 2xxx is a desa, 1xxx a kelurahan.
    assert all((v.kind == "desa") == v.code.split(".")[3].startswith("2") for v in villages)
    assert kinds.count("opd") >= 20
    # Nobody verified any channel address: nothing is invented.
    assert all(not s.address or not s.active for s in registry.sources)


def test_listing_preset_and_page_dates_load(tmp_path):
    """A clerk writes {"preset": "blorakab"} and no selectors; a listing without a date selector is valid."""
    folder = write(tmp_path / "r", sources=(
        's1,opd-kominfo,website,html_listing,https://blorakab.example/index.php/public/berita/index,'
        '"{""preset"":""blorakab""}",\n'
        's2,kec-jati,website,html_listing,https://jati.example/berita,'
        '"{""item"":""div.berita"",""title"":""h3 a"",""link"":""h3 a""}",\n'))
    registry = load_registry(folder)
    assert registry.sources[0].options == {"preset": "blorakab"}
    assert [s.source_id for s in registry.sources] == ["s1", "s2"]
