"""The deployment of deploy/, for real: nginx from the repository's own configuration (rendered
by deploy/render-nginx into a temporary prefix, run as an ordinary process) in front of
`streamlit run server.py` in public mode and in internal mode under /internal/, on loopback,
against a seeded store. Checks what a phone depends on: a hashed JavaScript bundle arrives
compressed with Streamlit's year-long cache header, the websocket upgrades through the proxy,
the internal dashboard needs its password, and Ringkasan renders in headless Chromium over the
proxy's HTTPS (self-signed certificate).

Needs nginx (Debian's package; .ci/run installs it) and Chromium like tests/test_browser.py.
"""

from __future__ import annotations

import base64
import gzip
import os
import re
import socket
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pantau.proxy import LocalProxy, nginx_binary
from pantau.static_gzip import StaticGzip  # noqa: F401  (server.py needs it; fail here if it breaks)
from tests.seed import seeded_store
from tests.test_browser import LAUNCH_ARGS, chromium_path, free_port, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
INTERNAL_USER, INTERNAL_PASSWORD = "camat", "uji-sandi"

pytestmark = [pytest.mark.nginx, pytest.mark.browser]


def start_dashboard(seeded, mode: str, log: Path, base: str = "") -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "PANTAU_DB": seeded.url, "PANTAU_REGISTRY": str(seeded.registry_dir),
           "PANTAU_TODAY": seeded.today.isoformat(), "PANTAU_MODE": mode, "PANTAU_SIMULATED": "1",
           "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    if mode == "internal":
        # This test is about the proxy (its password, compression, websocket); the dashboard's own
        # login is tested in test_login and test_browser, so it is opened here as on a closed network.
        env["PANTAU_INTERNAL_NO_LOGIN"] = "1"
    if base:
        command += ["--server.baseUrlPath", base]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    return process, port


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not nginx_binary():
        if os.environ.get("PANTAU_REQUIRE_NGINX"):
            pytest.fail("nginx required (PANTAU_REQUIRE_NGINX) but not installed")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    folder = tmp_path_factory.mktemp("deploy")
    seeded = seeded_store(folder / "store")
    public, public_port = start_dashboard(seeded, "public", folder / "public.log")
    internal, internal_port = start_dashboard(seeded, "internal", folder / "internal.log", base="internal")
    htpasswd = folder / "internal.htpasswd"
    hashed = subprocess.run(["openssl", "passwd", "-apr1", INTERNAL_PASSWORD], capture_output=True, text=True,
                            check=True).stdout.strip()
    htpasswd.write_text(f"{INTERNAL_USER}:{hashed}\n")
    proxy = LocalProxy(folder / "nginx", public_port, internal_port, tls=True, htpasswd=htpasswd)
    proxy.summary_dir.mkdir(parents=True)
    subprocess.run([sys.executable, "-m", "pantau", "summary", "--db", seeded.url, "--registry",
                    str(seeded.registry_dir), "--out", str(proxy.summary_dir / "ringkas.html")],
                   env={**os.environ, "PANTAU_TODAY": seeded.today.isoformat()}, cwd=ROOT, check=True)
    try:
        wait_healthy(f"http://127.0.0.1:{public_port}", public)
        wait_healthy(f"http://127.0.0.1:{internal_port}/internal", internal)
        proxy.start()
        yield proxy, public_port
    finally:
        proxy.stop()
        for process in (public, internal):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def fetch(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, answer.headers, answer.read()


def hashed_bundle(base: str) -> str:
    _, _, page = fetch(base + "/")
    found = re.search(r'src="\.?/?(static/js/index\.[\w-]+\.js)"', page.decode())
    assert found, "the page names no hashed index bundle"
    return found.group(1)


def test_hashed_bundle_is_compressed_and_cached_for_a_year(site):
    proxy, public_port = site
    bundle = hashed_bundle(proxy.url())
    status, headers, body = fetch(f"{proxy.url()}/{bundle}", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "max-age=31536000" in headers["Cache-Control"] and "immutable" in headers["Cache-Control"]
    _, _, direct = fetch(f"http://127.0.0.1:{public_port}/{bundle}", {"Accept-Encoding": "identity"})
    assert gzip.decompress(body) == direct
    assert len(body) < len(direct) / 2
    # The page itself must stay revalidated, or a new release would not reach a returning phone.
    _, headers, _ = fetch(proxy.url() + "/", {"Accept-Encoding": "gzip"})
    assert "no-cache" in headers["Cache-Control"]


def test_static_summary_page_is_served_compressed(site):
    proxy, _ = site
    status, headers, body = fetch(proxy.url() + "/ringkas", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"].startswith("text/html")
    page = gzip.decompress(body).decode()
    assert "Papan peringkat" in page and "Dinas Kesehatan" in page
    assert "<script" not in page


def test_brotli_when_debian_module_is_loaded(site):
    proxy, _ = site
    if not Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so").exists():
        pytest.skip("libnginx-mod-http-brotli-filter is not installed: gzip only")
    bundle = hashed_bundle(proxy.url())
    _, headers, _ = fetch(f"{proxy.url()}/{bundle}", {"Accept-Encoding": "br, gzip"})
    assert headers["Content-Encoding"] == "br"


def websocket_handshake(port: int, path: str, tls: bool = False) -> str:
    key = base64.b64encode(os.urandom(16)).decode()
    raw = socket.create_connection(("127.0.0.1", port), timeout=15)
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        raw = context.wrap_socket(raw, server_hostname="localhost")
    with raw:
        raw.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                     f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                     f"Sec-WebSocket-Protocol: streamlit\r\nOrigin: http://127.0.0.1:{port}\r\n\r\n").encode())
        return raw.recv(4096).decode(errors="replace")


def test_websocket_upgrades_through_the_proxy(site):
    proxy, _ = site
    answer = websocket_handshake(proxy.port, "/_stcore/stream")
    assert answer.startswith("HTTP/1.1 101"), answer
    assert "upgrade: websocket" in answer.lower()
    answer = websocket_handshake(proxy.tls_port, "/_stcore/stream", tls=True)
    assert answer.startswith("HTTP/1.1 101"), answer


def test_internal_dashboard_needs_its_password(site):
    proxy, _ = site
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(proxy.url("internal") + "_stcore/health")
    assert refused.value.code == 401
    token = base64.b64encode(f"{INTERNAL_USER}:{INTERNAL_PASSWORD}".encode()).decode()
    status, _, body = fetch(proxy.url("internal") + "_stcore/health", {"Authorization": f"Basic {token}"})
    assert status == 200 and body.strip() == b"ok"


def test_ringkasan_renders_through_the_proxy_over_https(site):
    executable = chromium_path()
    from playwright.sync_api import expect, sync_playwright

    proxy, _ = site
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=LAUNCH_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844}, ignore_https_errors=True)
            page = context.new_page()
            page.goto(proxy.url(scheme="https"), wait_until="domcontentloaded")
            expect(page.get_by_role("heading", name="Papan peringkat")).to_be_visible(timeout=60_000)
            expect(page.get_by_text("Dinas Kesehatan").first).to_be_visible(timeout=30_000)
            assert page.get_by_test_id("stException").count() == 0
        finally:
            browser.close()
