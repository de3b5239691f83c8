"""The regency's own CMS as a ready preset: no selectors to write, discover proposes it."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from collectors import html_listing
from collectors.base import CollectContext
from collectors.http import HttpClient, HttpPolicy
from pantau.cli import main
from pantau.models import Source
from pantau.presets import load_presets, resolve
from pantau.registry import validate_sources
from tests.fixture_server import LOOPBACK, FixtureServer, static

HERE = Path(__file__).parent / "fixtures" / "html_listing" / "blorakab"
TRUTH = json.loads((HERE / "articles.json").read_text())
JAKARTA = ZoneInfo("Asia/Jakarta")
SITE = "https://blorakab.go.id"
NOW = datetime(2020, 7, 10, 12, 0, tzinfo=UTC)
LISTING = "/index.php/public/berita/index"


def serve(server: FixtureServer) -> None:
    def page(name: str):
        return static((HERE / name).read_text().replace(SITE, server.base))
    server.route("/index.php", page("home.html"))
    server.route(LISTING, page("index.html"))
    server.route(LISTING + "/9", page("index_9.html"))
    for row in TRUTH:
        server.route(row["path"], page(f"detail_{row['id']}.html"))


def test_preset_is_data_with_the_selectors_a_clerk_would_otherwise_write():
    preset = load_presets()["blorakab"]
    assert preset.options["date"] == "page" and preset.options["item"] and preset.options["next"]
    assert preset.matches_path("/index.php/public/berita/index/18") and not preset.matches_path("/berita")
    # Options written beside the preset win over it.
    assert resolve({"preset": "blorakab", "max_pages": 3})["max_pages"] == 3
    assert resolve({"preset": "blorakab", "next": "a.lanjut"})["next"] == "a.lanjut"


def test_regency_cms_collected_through_the_preset():
    with FixtureServer() as server:
        serve(server)
        client = HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0, respect_robots=False))
        src = Source("opd-setda-web", "opd-setda", "website", "html_listing", server.url(LISTING),
                     options={"preset": "blorakab"})
        ctx = CollectContext(source=src, since=datetime(2020, 1, 1, tzinfo=JAKARTA), http=client.for_source("s"),
                             zone=JAKARTA, now=NOW)
        result = html_listing.collect(ctx)
        targets = [r.target for r in server.requests]
    got = [(p.external_id.removeprefix(server.base), p.title, p.published_at.astimezone(JAKARTA).date(), p.date_only)
           for p in result.posts]
    assert got == [(r["path"], r["title"], date.fromisoformat(r["day"]), True) for r in TRUTH]
    assert result.item_errors == [] and not result.truncated
    # Offset paging through CodeIgniter's rel="next", not the theme's href="#" around it.
    assert [t for t in targets if t.startswith(LISTING) and "/detail/" not in t] == [LISTING, LISTING + "/9"]
    # Pages with only "(29/6/2020)" in their text are dated too.
    assert any(r["text_only"] for r in TRUTH)


def discover_rows(capsys, url: str) -> tuple[list[dict], str]:
    assert main(["discover", url, "--unit", "opd-setda"]) == 0
    captured = capsys.readouterr()
    return list(csv.DictReader(io.StringIO(captured.out))), captured.err


def test_discover_proposes_the_preset_on_the_listing_and_from_the_home_page(capsys, tmp_path, monkeypatch):
    # A registry permitting loopback, where the test server listens (discover refuses it otherwise).
    (tmp_path / "units.csv").write_text("unit_id,name,kind,parent_id,code\nopd-setda,Sekretariat Daerah,opd,,\n")
    (tmp_path / "settings.csv").write_text("key,value\nallow_private_addresses,127.0.0.0/8 ::1/128\n")
    monkeypatch.setenv("PANTAU_REGISTRY", str(tmp_path))
    with FixtureServer() as server:
        serve(server)
        on_listing, err = discover_rows(capsys, server.url(LISTING))
        from_home, _ = discover_rows(capsys, server.url("/index.php"))
    for rows in (on_listing, from_home):
        web = rows[0]
        assert (web["collector"], web["address"], json.loads(web["options"]), web["active"]) == (
            "html_listing", server.url(LISTING), {"preset": "blorakab"}, "true")
        _, problems = validate_sources(rows, {"opd-setda"})
        assert problems == []
    assert "preset blorakab (9 items match" in err
