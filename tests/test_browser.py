"""One real browser: Streamlit serves server.py (dashboard.py with its preloading lifespan),
headless Chromium clicks through the pages, and a post titled like an HTML injection shows as
literal text, never as an element.

Chromium comes from PANTAU_CHROMIUM, else /usr/bin/chromium. Without one (and without
PANTAU_REQUIRE_BROWSER) the test is skipped with the reason; when PANTAU_CHROMIUM is set
but unusable, it fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.seed import XSS_TITLE, seeded_store

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


def chromium_path() -> str:
    configured = os.environ.get("PANTAU_CHROMIUM")
    required = bool(configured or os.environ.get("PANTAU_REQUIRE_BROWSER"))
    path = configured or DEFAULT_CHROMIUM
    usable = os.path.isfile(path) and os.access(path, os.X_OK) or bool(shutil.which(path))
    if not usable:
        if required:
            pytest.fail(f"Chromium required but not usable at {path!r} (PANTAU_CHROMIUM / PANTAU_REQUIRE_BROWSER)")
        pytest.skip(f"no Chromium at {path}; install Debian's chromium or set PANTAU_CHROMIUM")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if required:
            pytest.fail("playwright is not installed but a browser test is required")
        pytest.skip("playwright is not installed")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer at {url}")


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_path()


@pytest.fixture(scope="module")
def server(chromium, tmp_path_factory):
    seeded = seeded_store(tmp_path_factory.mktemp("browser"))
    port = free_port()
    env = {**os.environ, "PANTAU_DB": seeded.url, "PANTAU_REGISTRY": str(seeded.registry_dir),
           "PANTAU_TODAY": seeded.today.isoformat(), "PANTAU_MODE": "public", "PANTAU_SIMULATED": "1",
           "PYTHONPATH": str(ROOT)}
    log = (tmp_path_factory.mktemp("log") / "streamlit.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_injected_title_is_literal_text_across_pages(chromium, server):
    executable = chromium
    from playwright.sync_api import expect, sync_playwright

    dialogs: list[str] = []
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=executable, args=LAUNCH_ARGS, headless=True)
        except Exception as exc:  # a configured browser that does not start is a failure, not a skip
            pytest.fail(f"Chromium at {executable} did not start: {exc}")
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(server, wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Ringkasan")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Data simulasi.")).to_be_visible()

        for title in ("Kecamatan", "Unit", "Tentang Data", "Publikasi Terbaru"):
            page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
            expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=30_000)
            assert page.get_by_test_id("stException").count() == 0, title

        search = page.get_by_label("Cari di judul")
        search.fill("onerror")
        search.press("Enter")
        literal = page.get_by_text(XSS_TITLE, exact=True)
        expect(literal).to_be_visible(timeout=30_000)
        assert literal.evaluate("node => node.textContent") == XSS_TITLE
        assert page.locator('img[src="x"]').count() == 0
        assert page.evaluate("() => document.querySelectorAll('img[onerror]').length") == 0
        page.wait_for_timeout(500)
        assert dialogs == []
        browser.close()
