"""An html_listing page that legitimately lists nothing yet (a new village site: "Belum ada
artikel") is an empty listing when it shows the source's `empty` / `empty_text` marker; without
the marker a page with no item is still a parse error, so a changed layout never passes silently.
Pages served by the fixture server; the marker options validated when the registry loads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from collectors import html_listing
from collectors.base import CollectContext
from collectors.errors import ParseError
from collectors.http import HttpClient, HttpPolicy
from pantau.models import Source
from pantau.registry import RegistryError, load_registry
from tests.fixture_server import LOOPBACK, FixtureServer, fixture, static

JAKARTA = ZoneInfo("Asia/Jakarta")
NOW = datetime(2025, 9, 12, 10, 0, tzinfo=UTC)
SELECTORS = {"item": "article.berita", "title": "h3", "link": "h3 a", "date": "time"}


@pytest.fixture
def site():
    with FixtureServer() as server:
        server.route("/kosong", static(fixture("html_listing", "empty", "belum_ada_artikel.html")))
        server.route("/berubah", static(fixture("html_listing", "empty", "layout_changed.html")))
        yield server


def collect(server: FixtureServer, path: str, **marker):
    client = HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0, respect_robots=False))
    source = Source("desa-web", "desa-sumberejo", "website", "html_listing", server.url(path),
                    options={**SELECTORS, **marker})
    ctx = CollectContext(source=source, since=datetime(2025, 1, 1, tzinfo=UTC),
                         http=client.for_source(source.source_id), zone=JAKARTA, now=NOW)
    return html_listing.collect(ctx)


@pytest.mark.parametrize("marker", [{"empty": "div.kosong"}, {"empty_text": "belum ada artikel"},
                                    {"empty": "div.tidak-ada", "empty_text": "Belum ada artikel."}])
def test_an_empty_page_with_its_marker_is_ok_with_no_posts(site, marker):
    result = collect(site, "/kosong", **marker)
    assert result.posts == [] and result.item_errors == [] and not result.truncated
    assert any("empty marker" in note for note in result.notes)


def test_an_empty_page_without_a_marker_is_still_a_parse_error(site):
    with pytest.raises(ParseError, match="no element matches the item selector"):
        collect(site, "/kosong")


@pytest.mark.parametrize("marker", [{"empty": "div.kosong"}, {"empty_text": "Belum ada artikel"}])
def test_a_changed_layout_is_an_error_even_with_a_marker(site, marker):
    # The items moved to other elements and the marker is not on the page: an error, not "empty".
    with pytest.raises(ParseError, match="no element matches the item selector"):
        collect(site, "/berubah", **marker)


def test_a_marker_does_not_hide_the_posts_of_a_listing_that_has_some(site):
    found = collect(site, "/berubah", item="div.card", title="h3", link="h3 a", date="span.tgl",
                    empty_text="Belum ada artikel")
    assert [post.title for post in found.posts] == ["Kerja bakti bersama warga"]


UNITS = "unit_id,name,kind,parent_id,code\nbupati,Bupati,pimpinan,,\nopd-a,Dinas A,opd,,\n"


def registry_with(tmp_path: Path, options: str) -> Path:
    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / "units.csv").write_text(UNITS, encoding="utf-8")
    (folder / "sources.csv").write_text(
        "source_id,unit_id,platform,collector,address,options,active\n"
        f"opd-a-web,opd-a,website,html_listing,https://desa-a.example/berita,\"{options}\",true\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("options", [
    '{""item"": ""article"", ""title"": ""h3"", ""link"": ""a"", ""empty"": ""div.kosong""}',
    '{""item"": ""article"", ""title"": ""h3"", ""link"": ""a"", ""empty_text"": ""Belum ada artikel""}',
])
def test_valid_markers_load(tmp_path, options):
    source = load_registry(registry_with(tmp_path, options)).sources[0]
    assert set(source.options) & {"empty", "empty_text"}


@pytest.mark.parametrize(("options", "message"), [
    ('{""item"": ""article"", ""title"": ""h3"", ""link"": ""a"", ""empty"": ""div[class=""}', "empty is not a valid CSS selector"),
    ('{""item"": ""article"", ""title"": ""h3"", ""link"": ""a"", ""empty"": ""  ""}', "empty must be a CSS selector"),
    ('{""item"": ""article"", ""title"": ""h3"", ""link"": ""a"", ""empty_text"": 3}', "empty_text must be a non-empty text"),
])
def test_invalid_markers_are_registry_errors_naming_row_and_column(tmp_path, options, message):
    with pytest.raises(RegistryError) as info:
        load_registry(registry_with(tmp_path, options))
    assert len(info.value.problems) == 1
    text = str(info.value)
    assert "sources.csv:2:options" in text and message in text
