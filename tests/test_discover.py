"""`pantau discover` against pages served by a local server."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from social_support import fixture_text

from pantau.cli import main
from pantau.registry import SOURCE_COLUMNS, validate_sources

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def loopback_registry(tmp_path, monkeypatch):
    """A registry permitting loopback, where the test server listens (discover refuses it otherwise)."""
    (tmp_path / "units.csv").write_text("unit_id,name,kind,parent_id,code\nbupati,Bupati,pimpinan,,\n")
    (tmp_path / "settings.csv").write_text("key,value\nallow_private_addresses,127.0.0.0/8 ::1/128\n")
    monkeypatch.setenv("PANTAU_REGISTRY", str(tmp_path))
    return tmp_path


def serve(httpserver, name, headers=None):
    httpserver.expect_request("/").respond_with_data(fixture_text("discover", name),
                                                     content_type="text/html; charset=utf-8", headers=headers)
    return httpserver.url_for("/")


def discover(capsys, *args):
    code = main(["discover", *args])
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    return code, rows, captured.err


def assert_valid_registry_rows(rows, unit_id):
    """What discover prints passes the registry's own validation once the unit exists."""
    records = [{k: v for k, v in row.items()} for row in rows]
    _, problems = validate_sources(records, {unit_id})
    assert problems == []


def test_wordpress_site(httpserver, capsys):
    url = serve(httpserver, "wordpress.html", headers={"Link": '<http://x/wp-json/>; rel="https://api.w.org/"'})
    code, rows, err = discover(capsys, url, "--unit", "dinkominfo")
    assert code == 0
    assert [(r["source_id"], r["platform"], r["collector"], r["address"], r["active"]) for r in rows] == [
        ("dinkominfo-web", "website", "wordpress", url, "true"),
        ("dinkominfo-ig", "instagram", "instagram", "dinkominfo.blora", "false"),
        ("dinkominfo-yt", "youtube", "youtube", "https://www.youtube.com/@dinkominfoblora", "true"),
    ]
    assert "platform wordpress (api.w.org link" in err
    assert f"feed {url}feed/" in err  # the posts feed, not the comments feed
    assert "dinkominfo-ig: needs PANTAU_IG_TOKEN" in err
    assert all(line.startswith("# ") for line in err.splitlines())
    assert_valid_registry_rows(rows, "dinkominfo")


def test_opensid_site(httpserver, capsys):
    url = serve(httpserver, "opensid.html")
    code, rows, err = discover(capsys, url, "--unit", "desa-ngloram")
    assert code == 0
    # The page's own article links carry index.php/: the site has no URL rewriting.
    assert [(r["platform"], r["collector"], r["address"], r["active"]) for r in rows] == [
        ("website", "opensid", url + "index.php/", "true"),
        ("facebook", "facebook", "100064123456789", "false"),
        ("tiktok", "tiktok", "https://www.tiktok.com/@desangloram", "true"),
        ("youtube", "youtube", "https://www.youtube.com/channel/UCkB7lV0aD3uQ7b7tQ1Fq9Zw", "true"),
    ]
    assert "platform opensid (OpenSID generator, feed.xml link, /artikel/Y/M/D/ links" in err
    assert "without URL rewriting: every route lives under /index.php/" in err
    assert_valid_registry_rows(rows, "desa-ngloram")


def test_plain_page_with_social_footer(httpserver, capsys):
    url = serve(httpserver, "plain.html")
    code, rows, err = discover(capsys, url)
    assert code == 0
    assert list(rows[0]) == list(SOURCE_COLUMNS)
    got = [(r["source_id"], r["platform"], r["collector"], r["address"], r["active"]) for r in rows]
    assert got == [
        ("UNIT_ID-web", "website", "", url, "false"),
        # linked by name: the numeric Page id is unknown, so no address is invented
        ("UNIT_ID-fb", "facebook", "facebook", "", "false"),
        ("UNIT_ID-ig", "instagram", "instagram", "kec.cepu", "false"),
        ("UNIT_ID-x", "x", "", "https://x.com/keccepu", "false"),
        ("UNIT_ID-tiktok", "tiktok", "tiktok", "https://www.tiktok.com/@kec.cepu", "true"),
        ("UNIT_ID-yt", "youtube", "youtube", "https://www.youtube.com/c/KecamatanCepu", "false"),
    ]
    assert "replace UNIT_ID" in err
    assert "find the numeric Page id of https://www.facebook.com/kecamatancepu" in err
    assert "html_listing" in err
    assert_valid_registry_rows([dict(r, unit_id="kec-cepu") for r in rows], "kec-cepu")


def test_unreachable_site_exits_1(httpserver):
    httpserver.expect_request("/").respond_with_data("gone", status=404)
    result = subprocess.run([sys.executable, "-m", "pantau", "discover", httpserver.url_for("/")],
                            capture_output=True, cwd=ROOT, timeout=120)
    assert result.returncode == 1
    assert b"HTTP 404" in result.stderr and result.stdout == b""


def test_blogger_page_and_link_filters():
    from collectors.discover import account_of, read_page

    page = ('<html><head><meta name="generator" content="blogger">'
            '<link rel="alternate" type="application/atom+xml" href="https://desa-x.blogspot.com/feeds/posts/default">'
            '</head><body><a href="https://www.facebook.com/pages/Desa-X/123456789012">FB</a></body></html>')
    found = read_page("https://desa-x.blogspot.com/", page)
    assert found.platform == "blogger"
    assert found.feed == "https://desa-x.blogspot.com/feeds/posts/default"
    assert [(a.platform, a.address) for a in found.accounts] == [("facebook", "123456789012")]
    for share_or_post in ("https://www.facebook.com/sharer.php?u=x", "https://twitter.com/intent/tweet?text=x",
                          "https://www.instagram.com/p/Cabc/", "https://www.instagram.com/reel/Cabc/",
                          "https://www.youtube.com/watch?v=AbCdEfGhIjK", "https://x.com/keccepu/status/1",
                          "https://www.tiktok.com/tag/blora", "https://www.facebook.com/groups/12345"):
        assert account_of(share_or_post) is None, share_or_post


def test_opensid_site_with_url_rewriting(httpserver, capsys):
    page = fixture_text("discover", "opensid.html").replace("/index.php/", "/")
    httpserver.expect_request("/").respond_with_data(page, content_type="text/html; charset=utf-8")
    url = httpserver.url_for("/")
    code, rows, err = discover(capsys, url, "--unit", "desa-ngloram")
    assert code == 0
    assert rows[0]["address"] == url
    assert "OpenSID with URL rewriting" in err


def test_opendk_portal_proposes_its_villages(httpserver, capsys, loopback_registry):
    """Villages the portal's API lists become inactive opensid rows for the registry's desa."""
    from pantau.config import DEFAULT_REGISTRY

    # The shipped Blora units, so the portal's villages have desa to match.
    (loopback_registry / "units.csv").write_bytes((DEFAULT_REGISTRY / "units.csv").read_bytes())
    from opendk_portal import Portal
    from opendk_portal import serve as serve_portal

    url = serve_portal(httpserver, Portal())
    code, rows, err = discover(capsys, url, "--unit", "kec-jati")
    assert code == 0
    assert [(r["source_id"], r["unit_id"], r["collector"], r["address"], r["active"]) for r in rows] == [
        ("kec-jati-web", "kec-jati", "opendk", url, "true"),
        ("desa-jati-bangkleyan-web", "desa-jati-bangkleyan", "opensid", "https://bangkleyan.desa.example/", "false"),
        ("desa-jati-kepoh-web", "desa-jati-kepoh", "opensid", "http://kepoh.desa.example/index.php/", "false"),
    ]
    assert "platform opendk" in err
    assert "Gempol (33.16.01.2002): the portal gives no website" in err
    assert "Sukamaju (33.16.01.2099) https://sukamaju.desa.example/: no desa of that code or name" in err
    assert "confirm https://bangkleyan.desa.example/ is Desa Bangkleyan's own site" in err
    assert any(line.endswith("/api/frontend/v1/desa") for line in (r.path for r, _ in httpserver.log))
    records = [dict(r) for r in rows]
    _, problems = validate_sources(records, {"kec-jati", "desa-jati-bangkleyan", "desa-jati-kepoh"})
    assert problems == []


def test_village_matching_by_name_when_the_code_is_missing():
    from collectors.discover import Village
    from pantau.commands.discover import match_village
    from pantau.models import Unit

    units = [Unit("desa-a-sido", "Desa Sidomulyo", "desa", "kec-a", "33.16.01.2005"),
             Unit("desa-b-sido", "Desa Sidomulyo", "desa", "kec-b", "33.16.02.2007")]
    assert match_village(Village("", "Sidomulyo", "https://x/"), units) is None  # two of that name
    assert match_village(Village("33.16.02.2099", "SIDOMULYO", "https://x/"), units).unit_id == "desa-b-sido"
    assert match_village(Village("33.16.01.2005", "Other", "https://x/"), units).unit_id == "desa-a-sido"
