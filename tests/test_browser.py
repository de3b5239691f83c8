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
        expect(page.get_by_role("heading", name="Ringkasan")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("Data simulasi.")).to_be_visible()

        for title in ("Kecamatan", "Unit", "Tentang Data", "Publikasi Terbaru"):
            page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
            expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=60_000)
            assert page.get_by_test_id("stException").count() == 0, title

        search = page.get_by_label("Cari di judul")
        search.fill("onerror")
        search.press("Enter")
        literal = page.get_by_text(XSS_TITLE, exact=True)
        expect(literal).to_be_visible(timeout=60_000)
        assert literal.evaluate("node => node.textContent") == XSS_TITLE
        assert page.locator('img[src="x"]').count() == 0
        assert page.evaluate("() => document.querySelectorAll('img[onerror]').length") == 0
        page.wait_for_timeout(500)
        assert dialogs == []
        browser.close()


# -- internal mode behind the login -----------------------------------------------------------

FLAGGED_TITLE = "Test drive Alphard baru di garasi rumah kepala dinas"


@pytest.fixture(scope="module")
def internal_server(chromium, tmp_path_factory):
    from datetime import datetime, time, timedelta

    from pantau.ingest import save_posts
    from pantau.models import Post
    from pantau.store import Store
    from tests.login_support import ADMIN, PENINJAU, add_accounts
    from tests.seed import ZONE

    seeded = seeded_store(tmp_path_factory.mktemp("browser-internal"))
    store = Store(seeded.url)
    moment = datetime.combine(seeded.today - timedelta(days=1), time(9), tzinfo=ZONE)
    save_posts(store, "opd-dinkes", "website", [
        Post("web-opd-dinkes", "flagged-1", "https://opd-dinkes.example.invalid/flagged-1", FLAGGED_TITLE, moment)])
    store.dispose()
    add_accounts(seeded.url, [ADMIN, PENINJAU])
    port = free_port()
    env = {**os.environ, "PANTAU_DB": seeded.url, "PANTAU_REGISTRY": str(seeded.registry_dir),
           "PANTAU_TODAY": seeded.today.isoformat(), "PANTAU_MODE": "internal", "PYTHONPATH": str(ROOT)}
    env.pop("PANTAU_INTERNAL_NO_LOGIN", None)
    log = (tmp_path_factory.mktemp("log") / "streamlit-internal.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url, seeded
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def sign_in(page, username: str, password: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Masuk")).to_be_visible(timeout=60_000)
    expect(page.get_by_label("Kata sandi")).to_be_visible(timeout=60_000)
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()


def test_internal_pages_need_a_login_and_a_peninjau_marks_under_their_own_name(chromium, internal_server):
    from playwright.sync_api import expect, sync_playwright

    from pantau.store import Store
    from tests.login_support import PENINJAU

    url, seeded = internal_server
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS, headless=True)
        except Exception as exc:
            pytest.fail(f"Chromium at {chromium} did not start: {exc}")
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        # Anonymous: every internal page URL shows the login, and nothing of the page.
        for path in ("review", "kesehatan", "ekspor"):
            page.goto(f"{url}/{path}", wait_until="domcontentloaded")
            expect(page.get_by_role("heading", name="Masuk")).to_be_visible(timeout=60_000)
            expect(page.get_by_label("Kata sandi")).to_be_visible(timeout=60_000)
            page.wait_for_timeout(1000)
            body = page.inner_text("body")
            assert FLAGGED_TITLE not in body and "HTTP 503" not in body, path
            assert page.get_by_role("button", name="Unduh Excel (XLSX)").count() == 0, path
            assert page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tinjauan Konten").count() == 0

        # A peninjau signs in on Tinjauan Konten, marks the flagged post, and the mark carries their name.
        page.goto(f"{url}/review", wait_until="domcontentloaded")
        sign_in(page, PENINJAU.username, PENINJAU.password)
        expect(page.get_by_role("heading", name="Tinjauan Konten")).to_be_visible(timeout=60_000)
        expect(page.get_by_text(FLAGGED_TITLE, exact=True)).to_be_visible(timeout=60_000)
        buttons = page.get_by_role("button", name="Aman", exact=True)
        expect(buttons).to_have_count(1, timeout=60_000)  # the one flagged post of the store
        buttons.click()
        expect(page.get_by_text(f"Tersimpan: Aman oleh {PENINJAU.name} ({PENINJAU.username}).")).to_be_visible(
            timeout=60_000)
        assert page.get_by_test_id("stException").count() == 0
        store = Store(seeded.url)
        marks = store.reviews_frame()
        store.dispose()
        assert marks[["external_id", "mark", "reviewer"]].values.tolist() == [
            ["flagged-1", "aman", f"{PENINJAU.name} ({PENINJAU.username})"]]
        # While the page reruns after the mark, Streamlit may briefly show the old run's widgets
        # beside the new ones: wait for the one filter before using it.
        status_filter = page.get_by_label("Status")
        expect(status_filter).to_have_count(1, timeout=60_000)
        status_filter.click()
        page.get_by_role("option", name="Semua").click()
        expect(page.get_by_text(f"oleh {PENINJAU.name} ({PENINJAU.username})").first).to_be_visible(timeout=60_000)

        # A peninjau cannot open Ekspor: not in the menu, and its URL refuses them once signed in.
        assert page.get_by_test_id("stSidebarNav").get_by_role("link", name="Ekspor").count() == 0
        page.goto(f"{url}/ekspor", wait_until="domcontentloaded")
        sign_in(page, PENINJAU.username, PENINJAU.password)
        expect(page.get_by_role("heading", name="Akses ditolak")).to_be_visible(timeout=60_000)
        page.wait_for_timeout(500)
        assert page.get_by_role("button", name="Unduh Excel (XLSX)").count() == 0
        assert page.get_by_role("button", name="Unduh CSV").count() == 0
        browser.close()
