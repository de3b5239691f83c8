"""`pantau bench web`: what a person on a phone waits for, measured in a real browser.

Debian's headless Chromium (through Playwright) opens the dashboard with a phone's viewport
(390x844), a fresh profile (nothing cached), and its network throttled through the DevTools
protocol (`Network.emulateNetworkConditions`), then opens it again with the cache that first
visit left (the repeat visit). Per link and per way of serving (through nginx configured from
deploy/, and as `pantau demo` serves it), each figure is the median of --repeat visits:

- bytes and requests (HTTP responses as the network delivered them, compressed or not, headers
  included; the websocket's frames apart, and both together as bytes_total),
- the time from navigation until the leaderboard ("Papan peringkat" and its table) is visible,
- the time until the first chart on the page is drawn,
- the Largest Contentful Paint the browser itself reports (PerformanceObserver),
- and each figure's ratio to its target.

The store is the simulated Blora year (as `pantau demo` collects it), written through the
store's own write path. Timings are never asserted by a test.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from pantau.config import DEFAULT_REGISTRY, PROJECT_ROOT

VIEWPORT = {"width": 390, "height": 844}
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
MB = 1_000_000


@dataclass(frozen=True)
class Link:
    name: str
    down_kbps: float  # 0 = not throttled
    up_kbps: float
    rtt_ms: float

    def conditions(self) -> dict:
        if not self.down_kbps:
            return {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
        # DevTools takes bytes per second.
        return {"offline": False, "latency": self.rtt_ms, "downloadThroughput": self.down_kbps * 1000 / 8,
                "uploadThroughput": self.up_kbps * 1000 / 8}


# Fast 4G and Slow 4G as the issue defines them (Slow 4G is Lighthouse's mobile profile).
LINKS = {
    "unthrottled": Link("unthrottled", 0, 0, 0),
    "fast4g": Link("fast4g", 9000, 1500, 150),
    "slow4g": Link("slow4g", 1600, 750, 150),
}

# Targets: (link, figure) -> bound. Bytes in bytes, times in seconds.
TIME_TARGETS = {
    ("fast4g", "leaderboard_s"): 2.5,
    ("fast4g", "first_chart_s"): 4.0,
    ("fast4g", "lcp_s"): 2.5,
    ("slow4g", "leaderboard_s"): 6.0,
}
FIRST_VISIT_BYTES = 2.5 * MB
REPEAT_VISIT_BYTES = 300_000

# The leaderboard is visible when its heading is and a table follows it: the data grid's canvas
# (st.dataframe), an HTML table (st.table / Markdown) with a body row.
LEADERBOARD_READY = """() => {
  const heading = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
      .find(h => h.textContent.includes('Papan peringkat'));
  if (!heading) return false;
  const shown = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  if (!shown(heading)) return false;
  const tables = [...document.querySelectorAll('[data-testid="stDataFrame"] canvas, table tbody tr')];
  const after = tables.find(t => heading.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING);
  return after && shown(after) ? performance.now() : false;
}"""

# A chart is drawn when a chart element holds a painted SVG or canvas of non-zero size.
CHART_READY = """() => {
  const drawn = [...document.querySelectorAll(
      '.js-plotly-plot .main-svg, [data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg, '
      + '[data-testid="stArrowVegaLiteChart"] canvas, [data-testid="stImage"] img[src^="data:image/svg"], '
      + 'svg.pantau-chart')]
    .find(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
  return drawn ? performance.now() : false;
}"""

LCP_OBSERVER = """
window.__pantauLcp = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) window.__pantauLcp = entry.startTime;
}).observe({type: 'largest-contentful-paint', buffered: true});
"""


class Traffic:
    """HTTP responses and websocket frames seen by one page, through its DevTools session."""

    def __init__(self, cdp) -> None:
        self.bytes = 0
        self.requests = 0
        self.ws_bytes = 0
        self.by_url: dict[str, int] = {}
        self._urls: dict[str, str] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.on("Network.webSocketFrameSent", self._frame)

    def _sent(self, event) -> None:
        self._urls[event["requestId"]] = event["request"]["url"]

    def _finished(self, event) -> None:
        size = int(event.get("encodedDataLength", 0))
        self.requests += 1
        self.bytes += size
        url = self._urls.get(event["requestId"], "?")
        self.by_url[url] = self.by_url.get(url, 0) + size

    def _frame(self, event) -> None:
        payload = event["response"]["payloadData"]
        # Binary frames arrive base64-encoded: 3 bytes per 4 characters.
        self.ws_bytes += len(payload) * 3 // 4 if event["response"]["opcode"] == 2 else len(payload.encode())


@dataclass
class Visit:
    bytes: int
    requests: int
    ws_bytes: int
    leaderboard_s: float
    first_chart_s: float
    lcp_s: float
    largest: list[tuple[str, int]]


def visit(context, url: str, link: Link, timeout_s: float, want_chart: bool = True) -> Visit:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", link.conditions())
    traffic = Traffic(cdp)
    page.add_init_script(LCP_OBSERVER)
    page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
    leaderboard = page.wait_for_function(LEADERBOARD_READY, polling="raf", timeout=timeout_s * 1000).json_value()
    chart = float("nan")
    if want_chart:
        chart = page.wait_for_function(CHART_READY, polling="raf", timeout=timeout_s * 1000).json_value() / 1000
    # Let the last requests of the first screen finish before counting.
    try:
        page.wait_for_load_state("networkidle", timeout=timeout_s * 1000)
    except Exception:  # a chatty page: count what arrived
        pass
    lcp = page.evaluate("() => window.__pantauLcp") / 1000
    largest = sorted(traffic.by_url.items(), key=lambda kv: -kv[1])[:5]
    result = Visit(traffic.bytes, traffic.requests, traffic.ws_bytes, leaderboard / 1000, chart, lcp, largest)
    page.close()
    return result


def measure(browser_path: str, url: str, link: Link, repeat: int, timeout_s: float,
            extra_args: tuple[str, ...] = ()) -> list[tuple[Visit, Visit]]:
    from playwright.sync_api import sync_playwright

    runs = []
    with sync_playwright() as pw:
        for _ in range(repeat):
            # A fresh browser per run: fresh profile, empty cache, no warmed connection.
            browser = pw.chromium.launch(executable_path=browser_path, args=LAUNCH_ARGS + list(extra_args),
                                         headless=True)
            try:
                # Device scale 1, not a phone's 3: this software-rendered Chromium would spend the
                # difference painting pixels, which a phone's GPU does not.
                context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, is_mobile=True,
                                              has_touch=True)
                try:
                    first = visit(context, url, link, timeout_s)
                    again = visit(context, url, link, timeout_s)
                    runs.append((first, again))
                except Exception as exc:  # a visit that never showed the page: counted, not fatal
                    print(f"pantau: a run against {url} failed: {str(exc).splitlines()[0]}", file=sys.stderr)
            finally:
                browser.close()
    return runs


def report(emit: Callable, prefix: str, link: Link, runs: list[tuple[Visit, Visit]], repeat: int) -> None:
    def median(values):
        return statistics.median(values)

    emit(f"{prefix}.{link.name}.runs_failed", repeat - len(runs))
    if not runs:
        return
    for label, index in (("first", 0), ("repeat", 1)):
        visits = [r[index] for r in runs]
        for key in ("bytes", "requests", "ws_bytes", "leaderboard_s", "first_chart_s", "lcp_s"):
            value = median([getattr(v, key) for v in visits])
            emit(f"{prefix}.{link.name}.{label}.{key}", value if key.endswith("_s") else int(value))
            if key.endswith("_s") and len(visits) > 1:
                emit(f"{prefix}.{link.name}.{label}.{key}_worst", max(getattr(v, key) for v in visits))
            bound = TIME_TARGETS.get((link.name, key)) if label == "first" else None
            if bound:
                emit(f"{prefix}.{link.name}.{label}.{key}_ratio", value / bound)
        # The bound covers everything the visit moved: HTTP responses and the websocket's frames.
        total = median([v.bytes + v.ws_bytes for v in visits])
        bound = FIRST_VISIT_BYTES if label == "first" else REPEAT_VISIT_BYTES
        emit(f"{prefix}.{link.name}.{label}.bytes_total", int(total))
        emit(f"{prefix}.{link.name}.{label}.bytes_total_ratio", total / bound)
    for url, size in runs[0][0].largest:
        emit(f"{prefix}.{link.name}.first.largest", f"{size} {url.split('?')[0].rsplit('/', 1)[-1] or url}")


# --- serving the dashboard ---------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen | None = None, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"nothing healthy at {url}")


def seed_blora(folder: Path, seed: int = 1):
    """A store holding the simulated Blora year; returns (db_url, registry folder, last day, posts)."""
    from pantau.registry import load_registry
    from pantau.sim.dashboard_bench import seed_store
    from pantau.sim.registry import write_registry
    from pantau.sim.world import build_world
    from pantau.store import Store

    units = load_registry(DEFAULT_REGISTRY)
    world = build_world(units.units, seed=seed)
    registry_dir = write_registry(world, folder / "registry", settings=units.settings)
    registry = load_registry(registry_dir)
    db_url = f"sqlite:///{folder / 'web.db'}"
    store = Store(db_url)
    store.sync_registry(registry)
    posts = seed_store(store, world, registry, world.post_count())
    store.dispose()
    return db_url, registry_dir, world.last_day, posts


def write_summary(db_url: str, registry_dir: Path, today, out: Path) -> None:
    """The static summary page as the collection unit writes it (`pantau summary --out`)."""
    from datetime import datetime

    from pantau.registry import load_registry
    from pantau.store import Store
    from pantau.summary_page import render, week_table

    registry = load_registry(registry_dir)
    store = Store(db_url)
    try:
        table, start, end = week_table(store, registry, today)
    finally:
        store.dispose()
    out.write_text(render(table, registry, start, end, datetime.now(), simulated=True), encoding="utf-8")


def start_streamlit(port: int, env: dict, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false"]
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def run(args, emit: Callable, machine: Callable) -> int:
    from pantau import proxy

    links = [LINKS[name] for name in args.links]
    chromium = args.chromium
    if not (os.path.isfile(chromium) and os.access(chromium, os.X_OK)):
        print(f"pantau: no Chromium at {chromium} (apt-get install chromium, or --chromium PATH)", file=sys.stderr)
        return 1
    targets: list[tuple[str, str]] = [(name, url) for name, url in (t.split("=", 1) for t in args.url)]
    trust: tuple[str, ...] = ()
    with ExitStack() as stack:
        tmp = Path(tempfile.mkdtemp(prefix="pantau-bench-web-"))
        stack.callback(shutil.rmtree, tmp, True)
        machine()
        emit("machine.chromium", subprocess.run([chromium, "--version"], capture_output=True, text=True,
                                                check=False).stdout.strip())
        emit("inputs.viewport", f"{VIEWPORT['width']}x{VIEWPORT['height']}")
        emit("inputs.repeat", args.repeat)
        for link in links:
            emit(f"inputs.link.{link.name}",
                 f"{link.down_kbps / 1000:g} Mbps down, {link.up_kbps / 1000:g} Mbps up, {link.rtt_ms:g} ms RTT"
                 if link.down_kbps else "not throttled")
        if not targets:
            db_url, registry_dir, today, posts = seed_blora(tmp, args.seed)
            emit("inputs.store", f"simulated Blora year, seed {args.seed}, {posts} posts, today {today}")
            env = {"PANTAU_DB": db_url, "PANTAU_REGISTRY": str(registry_dir), "PANTAU_TODAY": today.isoformat(),
                   "PANTAU_SIMULATED": "1", "PANTAU_MODE": "public"}
            port = free_port()
            app = start_streamlit(port, env, tmp / "streamlit.log")
            stack.callback(stop, app)
            demo_url = f"http://127.0.0.1:{port}"
            wait_healthy(demo_url, app)
            proxied = [s for s in args.serve if s.startswith("nginx")]
            if proxied and not proxy.nginx_binary():
                print("pantau: nginx not found; measuring the demo only", file=sys.stderr)
            elif proxied:
                # HTTPS as deployed: HTTP/2 and brotli, which browsers offer over TLS only.
                site = proxy.LocalProxy(tmp / "nginx", public_port=port, internal_port=port, tls=True)
                site.start()
                stack.callback(site.stop)
                # Trust the test certificate for real: Chromium caches nothing from a site whose
                # certificate error was merely ignored, which would spoil the repeat visit.
                trust = (f"--ignore-certificate-errors-spki-list={proxy.spki_hash(site.cert)}",)
                if "nginx" in args.serve:
                    targets.append(("nginx", site.url("public")))
                if "nginx-https" in args.serve:
                    targets.append(("nginx_https", site.url("public", scheme="https")))
                if "summary" in args.serve:
                    write_summary(db_url, registry_dir, today, site.summary_dir / "ringkas.html")
                    targets.append(("summary_https", site.url("public", scheme="https") + "/ringkas"))
            if "demo" in args.serve:
                targets.append(("demo", demo_url))
            # Warm the server's caches once, as a running deployment would be before visitors.
            measure(chromium, demo_url, LINKS["unthrottled"], 1, args.timeout)
        for name, url in targets:
            emit(f"{name}.url", url)
            for link in links:
                runs = measure(chromium, url, link, args.repeat, args.timeout, trust)
                report(emit, name, link, runs, args.repeat)
    emit("target.fast4g.leaderboard_s", "<= 2.5")
    emit("target.fast4g.first_chart_s", "<= 4")
    emit("target.slow4g.leaderboard_s", "<= 6")
    emit("target.first.bytes", f"<= {FIRST_VISIT_BYTES:.0f}")
    emit("target.repeat.bytes", f"<= {REPEAT_VISIT_BYTES}")
    return 0
