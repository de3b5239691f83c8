"""No form of a token reaches stdout, the -v log, the attempt log, the Kesehatan Sumber page or
an export (issue 18, point 1).

The Graph API servers here are local and answer in the Graph API's shapes (tests/fixtures/facebook,
tests/fixtures/instagram), but hostile: their errors echo the request URL, token included, in
`type` and `message`, percent-encoded once or twice or JSON-escaped; their posts carry the token
in a link and a text. The token contains `+ / =`, so every encoding differs from the raw token.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus, urlencode

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from pantau.redaction import MARKER, install_log_filter, redact_text, register_secret, secret_forms
from pantau.store import Store
from tests.fixture_server import FixtureServer, Reply
from tests.login_support import ADMIN, add_accounts, sign_in
from tests.social_support import fixture_json

ROOT = Path(__file__).resolve().parent.parent
FB_TOKEN = "EAAGm0PX4ZCps+leak/Token=="
IG_TOKEN = "IGQVJ+other/secret+token="
IG_USER = "17841400000000001"
PAGE = "104512345678901"
NOW = "2025-09-30T19:00:00+07:00"


def forms(token: str) -> set[str]:
    """Every way a token could be written out: raw, percent-encoded (both hex cases, once and
    twice, `quote` and `quote_plus`) and JSON-escaped."""
    once = {quote(token, safe=""), quote_plus(token), quote(token, safe="/")}
    found = {token, token.replace("/", "\\/"), *once, *(quote(f, safe="") for f in once)}
    found |= {f.replace("%2B", "%2b").replace("%2F", "%2f").replace("%3D", "%3d") for f in found}
    return found


def leaks(text: str) -> list[str]:
    """The forms of either token found in `text`."""
    return sorted({f for token in (FB_TOKEN, IG_TOKEN) for f in forms(token) if f in text})


def graph_error(request_url: str, token: str) -> Reply:
    """A Graph error whose `type` echoes the request URL (a proxy or an API version that does),
    and whose message quotes the token it could not parse, percent-encoded."""
    body = fixture_json("facebook", "error_token.json")
    body["error"]["type"] = f"OAuthException for {request_url}?{urlencode({'access_token': token})}"
    body["error"]["message"] = (f"Cannot parse access token {quote_plus(token)}; "
                                f"retry at {quote(request_url + '?access_token=' + quote(token, safe=''), safe='')}")
    return Reply(400, json.dumps(body), {}, "application/json")


def ig_error(request_url: str) -> Reply:
    body = fixture_json("instagram", "error_token.json")
    body["error"]["type"] = "OAuthException " + json.dumps({"access_token": IG_TOKEN}).replace("/", "\\/")
    body["error"]["message"] = f"Invalid token {IG_TOKEN.replace('/', chr(92) + '/')} ({quote(IG_TOKEN, safe='')})"
    return Reply(400, json.dumps(body), {}, "application/json")


def echoing_posts(request_url: str) -> Reply:
    """A page of posts that carries the token in a permalink and a message."""
    body = fixture_json("facebook", "page2.json")
    first = body["data"][0]
    first["permalink_url"] += "?" + urlencode({"access_token": FB_TOKEN})
    first["message"] = f"Rapat paripurna DPRD {quote(FB_TOKEN, safe='')} {FB_TOKEN}"
    body.pop("paging", None)
    return Reply(200, json.dumps(body), {}, "application/json")


def write_registry(folder: Path, sources: list[tuple[str, str, str, str, str, dict]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(
        "unit_id,name,kind,parent_id,code\nbupati,Bupati Blora,pimpinan,,\ndinkes,Dinas Kesehatan,opd,,\n")
    with (folder / "sources.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["source_id", "unit_id", "platform", "collector", "address", "options", "active"])
        for source_id, unit_id, platform, collector, address, options in sources:
            out.writerow([source_id, unit_id, platform, collector, address, json.dumps(options), "true"])
    (folder / "settings.csv").write_text("key,value\ntimezone,Asia/Jakarta\nallow_private_addresses,127.0.0.0/8\n")
    return folder


def env_with_tokens() -> dict[str, str]:
    return {**os.environ, "PANTAU_NOW": NOW, "PANTAU_FB_TOKEN": FB_TOKEN, "PANTAU_IG_TOKEN": IG_TOKEN,
            "PANTAU_IG_USER_ID": IG_USER}


def pantau(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pantau", *args], capture_output=True, cwd=ROOT, timeout=120,
                          env=env_with_tokens(), text=True)


@pytest.fixture
def graph():
    with FixtureServer() as server:
        yield server


@pytest.fixture
def failing_run(tmp_path, graph):
    """`pantau collect -v` against Graph servers whose errors echo the tokens."""
    api = graph.url("/v25.0")
    graph.route(f"/v25.0/{PAGE}/published_posts", lambda r: graph_error(graph.url(r.path), FB_TOKEN))
    graph.route(f"/v25.0/{IG_USER}", lambda r: ig_error(graph.url(r.path)))
    registry = write_registry(tmp_path / "reg", [
        ("fb-bupati", "bupati", "facebook", "facebook", PAGE, {"api_base": api}),
        ("ig-dinkes", "dinkes", "instagram", "instagram", "dinkesblora", {"api_base": api}),
    ])
    db = f"sqlite:///{tmp_path / 'p.db'}"
    result = pantau("collect", "-v", "--registry", str(registry), "--db", db)
    return registry, db, result


def test_graph_errors_echoing_the_token_leak_nowhere_on_the_command_line(failing_run, graph):
    _registry, db, result = failing_run
    assert result.returncode == 0, result.stderr
    assert len(graph.requests) == 2  # both servers were asked, with the token
    assert "sources: 2 (0 ok, 2 failed" in result.stdout
    assert "token_invalid" in result.stdout
    assert leaks(result.stdout) == []
    assert "INFO" in result.stderr  # -v logged
    assert leaks(result.stderr) == []
    store = Store(db)
    try:
        errors = store.attempts_frame()["error"].tolist()
    finally:
        store.dispose()
    assert len(errors) == 2 and all("Graph API error 190" in e for e in errors)
    assert all(MARKER in e for e in errors)  # the echoes were there, masked
    assert leaks("\n".join(errors)) == []


def test_the_kesehatan_page_shows_no_form_of_the_token(failing_run, monkeypatch):
    """Also for an error text stored unmasked (by a version before this one)."""
    registry, db, _result = failing_run
    store = Store(db)
    try:
        from sqlalchemy import insert

        from pantau.store import attempts, to_db_time
        from pantau.store.convert import utcnow

        with store.engine.begin() as conn:
            conn.execute(insert(attempts).values(
                source_id="fb-bupati", started_at=to_db_time(utcnow()), finished_at=to_db_time(utcnow()), ok=False,
                status="error", error_kind="token_invalid", items_seen=0, items_new=0, requests=1, route="",
                error=f"token {quote_plus(FB_TOKEN)} rejected, {quote(FB_TOKEN, safe='').lower()} too"))
    finally:
        store.dispose()
    add_accounts(db, (ADMIN,))
    for name, value in env_with_tokens().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PANTAU_DB", db)
    monkeypatch.setenv("PANTAU_REGISTRY", str(registry))
    monkeypatch.setenv("PANTAU_TODAY", "2025-09-30")
    monkeypatch.setenv("PANTAU_MODE", "internal")
    monkeypatch.delenv("PANTAU_SIMULATED", raising=False)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    sign_in(at, ADMIN)
    at.switch_page("views/kesehatan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    shown = table.to_csv() + "\n".join(m.value for m in at.markdown)
    assert "Graph API error 190" in shown  # the error texts are on the page
    assert leaks(shown) == []


def test_exports_hold_no_form_of_a_token_the_api_echoed_into_a_post(tmp_path, graph):
    graph.route(f"/v25.0/{PAGE}/published_posts", echoing_posts)
    registry = write_registry(tmp_path / "reg", [
        ("fb-bupati", "bupati", "facebook", "facebook", PAGE, {"api_base": graph.url("/v25.0")})])
    db = f"sqlite:///{tmp_path / 'p.db'}"
    collected = pantau("collect", "--registry", str(registry), "--db", db, "--since", "2025-08-01")
    assert collected.returncode == 0 and "1 ok" in collected.stdout, collected
    for fmt in ("csv", "json", "xlsx"):
        out = tmp_path / f"posts.{fmt}"
        exported = pantau("export", "posts", "--registry", str(registry), "--db", db, "--format", fmt, "--out", str(out))
        assert exported.returncode == 0, exported.stderr
        if fmt == "xlsx":
            text = "\n".join(str(cell) for row in load_workbook(out).active.iter_rows(values_only=True) for cell in row)
        else:
            text = out.read_text(encoding="utf-8-sig")
        assert "Rapat paripurna DPRD" in text  # the post is there
        assert leaks(text) == [], fmt


# -- the rule itself ------------------------------------------------------------------------


@pytest.mark.parametrize("form", sorted(forms(FB_TOKEN)))
def test_a_registered_secret_is_masked_in_every_encoding(form):
    register_secret(FB_TOKEN)
    assert redact_text(f"the server said: {form}.") == f"the server said: {MARKER}."


@pytest.mark.parametrize(("text", "expected"), [
    ("echo access_token=abc123 end", f"echo access_token={MARKER} end"),
    ('{"access_token": "abc123", "limit": 5}', f'{{"access_token": "{MARKER}", "limit": 5}}'),
    ("{'client_secret': 'abc'}", f"{{'client_secret': '{MARKER}'}}"),
    ("monkey=banana; a turkey=leg", "monkey=banana; a turkey=leg"),  # names inside words are no names
])
def test_credential_parameters_are_masked_by_name_outside_urls(text, expected):
    assert redact_text(text) == expected
    assert redact_text(expected) == expected


def test_short_values_are_not_registered_as_secrets():
    register_secret("abc")
    assert redact_text("abc def") == "abc def"
    assert secret_forms("a+b/") >= {"a+b/", "a%2Bb%2F", "a%2Bb/", "a%252Bb%252F", "a+b\\/"}


def test_the_command_lines_log_handler_masks_every_logger_and_traceback():
    """The -v log: a record of any logger (not only the HTTP library's), its traceback too."""
    register_secret(FB_TOKEN)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    install_log_filter([handler])
    logger = logging.getLogger("pantau.test_token_leaks")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError(f"bad token {quote_plus(FB_TOKEN)}")
        except ValueError:
            logger.exception("failed with %s", quote(FB_TOKEN, safe=""))
    finally:
        logger.removeHandler(handler)
    logged = stream.getvalue()
    assert "ValueError: bad token" in logged and "failed with" in logged
    assert leaks(logged) == []
