"""Save a PNG of every dashboard page, in public and internal mode.

    python scripts/screenshots.py OUT_DIR [--db URL --registry DIR] [--today YYYY-MM-DD]

Without --db, a realistic seeded store (the Blora registry with example sources, 16 weeks of
simulated posts) is built in a temporary folder, and the pages say the data is simulated.
Chromium comes from PANTAU_CHROMIUM, else /usr/bin/chromium (Playwright's sync API drives it).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard import visible_pages  # noqa: E402

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_streamlit(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless", "true", "--server.port",
         str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"streamlit did not start at {url}")


def wait_until_drawn(page, timeout_s: float = 90) -> None:
    """Until the script run is over and no placeholder skeleton is left, twice in a row."""
    deadline, calm = time.monotonic() + timeout_s, 0
    while time.monotonic() < deadline and calm < 2:
        busy = page.get_by_test_id("stStatusWidget").count() + page.locator('[data-testid="stSkeleton"]').count()
        calm = calm + 1 if busy == 0 else 0
        page.wait_for_timeout(700)
    page.wait_for_timeout(800)  # plotly draws after the last element arrives


def shoot(url: str, mode: str, out: Path, chromium: str) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    saved = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS, headless=True)
        # Streamlit scrolls inside its main block, not the document: a tall viewport shows the whole page.
        page = browser.new_page(viewport={"width": 1366, "height": 2400})
        for spec in visible_pages(mode):
            page.goto(f"{url}/{'' if spec.default else spec.url_path}", wait_until="domcontentloaded")
            expect(page.get_by_role("heading", name=spec.title)).to_be_visible(timeout=60_000)
            wait_until_drawn(page)
            path = out / f"{mode}-{spec.url_path}.png"
            page.screenshot(path=str(path), full_page=True)
            saved.append(path)
        browser.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument("--db", help="database URL (default: a freshly seeded temporary store)")
    parser.add_argument("--registry", help="registry folder (with --db)")
    parser.add_argument("--today", default="2025-09-24", help="reference date YYYY-MM-DD (default 2025-09-24)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PANTAU_TODAY": args.today, "PYTHONPATH": str(ROOT)}
    if args.db:
        env["PANTAU_DB"] = args.db
        if args.registry:
            env["PANTAU_REGISTRY"] = args.registry
    else:
        from tests.seed import seeded_store

        folder = Path(tempfile.mkdtemp(prefix="pantau-shots-"))
        seeded = seeded_store(folder, today=date.fromisoformat(args.today), blora=True, weeks=16)
        env.update({"PANTAU_DB": seeded.url, "PANTAU_REGISTRY": str(seeded.registry_dir), "PANTAU_SIMULATED": "1"})
    chromium = os.environ.get("PANTAU_CHROMIUM", "/usr/bin/chromium")
    for mode in ("public", "internal"):
        process, url = start_streamlit({**env, "PANTAU_MODE": mode})
        try:
            for path in shoot(url, mode, args.out, chromium):
                print(path)
        finally:
            process.terminate()
            process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
