"""A small simulated regency, faults on, collected end to end over HTTP by the real collectors.

After a first collection of the year and weekly Sunday-evening rounds up to the last day, each
followed by one retry pass, the store must equal the ground truth exactly, except where a
persisting injected fault stands in the way; every such fault must be visible as failed
attempts; a newest-N feed outrun by its posting rate must leave a recorded coverage gap; a
re-run must not duplicate anything; and past weeks must read from a real attempt log.
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from pantau import calendar, loading, metrics
from pantau.collection import run_collection
from pantau.config import DEFAULT_REGISTRY
from pantau.registry import load_registry, write_units_csv
from pantau.sim import content
from pantau.sim.faults import FaultPlan
from pantau.sim.registry import SIM_CREDENTIALS, write_registry
from pantau.sim.scenario import default_rounds, demo_policy, run_scenario
from pantau.sim.server import SimServer
from pantau.sim.truth import compare
from pantau.sim.world import build_world, small_regency
from pantau.store import Store

ROOT = Path(__file__).resolve().parent.parent
BLORA = load_registry(DEFAULT_REGISTRY)
CREDENTIALS = {k: v for k, v in SIM_CREDENTIALS.items() if k != "PANTAU_YOUTUBE_KEY"}


# A first collection nine weeks into the world (feeds are outrun by then), three weekly rounds.
WEEKS = 12
WEEKLY_ROUNDS = 3


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    world = build_world(small_regency(BLORA.units), seed=5, weeks=WEEKS)
    with SimServer(world, FaultPlan(stall_seconds=2.0)) as server:
        registry = load_registry(write_registry(world, tmp / "registry"))
        store = Store(f"sqlite:///{tmp / 'demo.db'}")
        store.sync_registry(registry)
        result = run_scenario(world, server, store, registry, weekly_rounds=WEEKLY_ROUNDS, credentials=CREDENTIALS,
                              policy=demo_policy())
        yield world, server, store, registry, result
        store.dispose()


def test_store_equals_ground_truth_but_for_persisting_faults(collected):
    world, server, store, registry, result = collected
    comparison = result.comparison
    assert comparison.exact, "\n".join(comparison.report())
    assert comparison.posts_expected > 300
    assert comparison.explained > 0  # the down sites and the robots.txt refusal do show
    fired = server.stats()["faults_fired"]
    # The transient faults really happened, and were recovered.
    assert {"http-503", "timeout", "broken-xml"} <= set(fired), fired


def test_every_persisting_fault_is_a_failed_attempt(collected):
    world, server, store, registry, result = collected
    attempts = store.attempts_frame()
    persisting = [c for c in world.channels if c.persisting]
    assert {c.persisting for c in persisting} == {"site-down", "robots"}
    for channel in persisting:
        mine = attempts[attempts.source_id == channel.source_id]
        assert len(mine) >= 2 and not mine.ok.any(), channel.source_id
        expected = "robots_disallowed" if channel.persisting == "robots" else "error"
        assert set(mine.status) == {expected}
        assert store.post_count(channel.source_id) == 0
    assert result.failed_sources() == {c.source_id for c in persisting if c.persisting == "site-down"}


def test_a_feed_outrun_by_its_posting_rate_records_a_coverage_gap(collected):
    world, server, store, registry, result = collected
    gaps = store.gaps_frame()
    first_round = result.rounds[0].at
    for variant in ("feed", "youtube"):
        outrun = [c for c in world.channels if c.variant == variant and len(c.visible(first_round)) > c.newest_only]
        channel = sorted(outrun, key=lambda c: bool(c.transient))[0]
        mine = gaps[gaps.source_id == channel.source_id]
        assert len(mine) >= 1, variant
        oldest_reached = channel.reachable(first_round, world.start)[-1].published
        assert mine.gap_end.min().to_pydatetime() == oldest_reached
        # The gap is a gap, not a difference: the truth expects only what the feed showed.
        assert store.post_count(channel.source_id) < len(channel.visible(world.end))


def test_rerun_duplicates_nothing_and_hostile_titles_stay_text(collected):
    world, server, store, registry, result = collected
    before = store.post_count()
    again = run_collection(store, registry, since=world.start, now=world.end, credentials=CREDENTIALS,
                           http_policy=demo_policy())
    assert again.posts_new == 0 and store.post_count() == before
    titles = set(store.posts_frame(columns=["title"]).title)
    wanted = {p.title for c in world.channels for p in c.posts} & {content.HOSTILE_TITLE, *content.FLAGGED_TITLES}
    assert wanted and wanted <= titles


def test_demo_collect_only_cli_ends_with_the_truth_line(tmp_path):
    units = small_regency(BLORA.units, opd=3, kecamatan=2, villages=3)
    folder = tmp_path / "units"
    folder.mkdir()
    write_units_csv(units, folder / "units.csv")
    db = tmp_path / "demo.db"
    # The same ports for both runs: a post's id on a site without ids of its own (an HTML
    # listing, a feed) is its URL, so a site that moved to another port is another site.
    args = [sys.executable, "-m", "pantau", "demo", "--collect-only", "--registry", str(folder),
            "--db", str(db), "--sim-port", str(free_port_block(len(units) + 1)), "--seed", "3", "--weeks", "8",
            "--weekly-rounds", "2"]
    first = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert first.stdout.count("collection at ") == 3, first.stdout  # two Sunday rounds, then the last day
    last = first.stdout.strip().splitlines()[-1]
    shape = re.fullmatch(r"ground truth: (\d+) differences \((\d+) explained by persisting faults\)", last)
    assert shape, first.stdout
    differences, explained = int(shape[1]), int(shape[2])
    assert first.returncode == (0 if differences == explained else 1), first.stdout + first.stderr
    assert differences == explained, first.stdout
    assert not (DEFAULT_REGISTRY / "sources.csv").read_text().count("127.0.0.1")
    store = Store(f"sqlite:///{db}")
    count = store.post_count()
    store.dispose()
    rerun = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert rerun.returncode == 0, rerun.stdout
    store = Store(f"sqlite:///{db}")
    assert store.post_count() == count  # same seed, same db: nothing duplicated
    store.dispose()


def free_port_block(size: int) -> int:
    """A first port, chosen by the system, with the `size` ports after it free as well."""
    for _ in range(50):
        with contextlib.ExitStack() as held:
            first = held.enter_context(socket.socket())
            first.bind(("127.0.0.1", 0))
            base = first.getsockname()[1]
            try:
                for offset in range(1, size + 1):
                    sock = held.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", base + offset))
            except OSError:
                continue
            return base
    raise AssertionError("no block of free loopback ports")


def _demo_cli(tmp_path, *extra: str) -> subprocess.CompletedProcess:
    units = small_regency(BLORA.units, opd=3, kecamatan=2, villages=3)
    folder = tmp_path / "units"
    folder.mkdir(exist_ok=True)
    write_units_csv(units, folder / "units.csv")
    args = [sys.executable, "-m", "pantau", "demo", "--collect-only", "--registry", str(folder),
            "--db", str(tmp_path / "demo.db"), "--sim-port", "0", "--seed", "3", "--weeks", "8",
            "--weekly-rounds", "1", *extra]
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_demo_without_faults_reports_zero_differences(tmp_path):
    done = _demo_cli(tmp_path, "--faults", "none")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "ground truth: 0 differences (0 explained by persisting faults)"
    assert "persisting: none" in done.stdout


def test_demo_site_down_on_demand_is_the_explained_difference(tmp_path):
    done = _demo_cli(tmp_path, "--transient-share", "0", "--sites-down", "1", "--robots-disallowed", "0",
                     "--outages", "0")
    lines = done.stdout.strip().splitlines()
    shape = re.fullmatch(r"ground truth: (\d+) differences \((\d+) explained by persisting faults\)", lines[-1])
    assert shape and int(shape[1]) == int(shape[2]) > 0, done.stdout
    assert done.returncode == 0, done.stdout + done.stderr
    assert lines[-2].startswith(f"explained: {shape[2]} differences on 1 source that still fails (site down")
    (tmp_path / "again").mkdir()
    refused = _demo_cli(tmp_path / "again", "--transient-share", "2")
    assert refused.returncode == 1 and "--transient-share must be between 0 and 1" in refused.stderr


def test_tiktok_video_count_delta_between_rounds_is_recorded_as_activity(collected):
    world, server, store, registry, result = collected
    activity = store.activity_frame()
    instants = [r.at for r in result.rounds]
    tiktok = [c for c in world.channels if c.variant == "tiktok"]
    assert tiktok
    for channel in tiktok:
        grown = [len(channel.visible(b)) - len(channel.visible(a)) for a, b in zip(instants, instants[1:], strict=False)]
        mine = activity[activity.source_id == channel.source_id]
        assert list(mine.delta) == [g for g in grown if g > 0], channel.source_id
        assert sum(grown) > 0
    assert store.post_count("bupati-tt") == 0  # activity, never posts


def test_youtube_data_api_reaches_past_the_feed(tmp_path):
    world = build_world(small_regency(BLORA.units), seed=5, weeks=20)
    with SimServer(world, FaultPlan.off()) as server:
        registry = load_registry(write_registry(world, tmp_path / "registry"))
        store = Store(f"sqlite:///{tmp_path / 'yt.db'}")
        store.sync_registry(registry)
        summary = run_collection(store, registry, kind="youtube", since=world.start, now=server.now,
                                 credentials=SIM_CREDENTIALS, http_policy=demo_policy())
        assert summary.ok == len([c for c in world.channels if c.variant == "youtube"]) and not summary.failed
        assert {a.route for a in summary.attempts} == {"api"}
        collected = {a.source_id: [(server.now, a.route)] for a in summary.attempts}
        comparison = compare(world, store, collected, world.start, kinds={"youtube"})
        assert comparison.count == 0, "\n".join(comparison.report())
        assert max(len(c.posts) for c in world.channels if c.variant == "youtube") > 15
        store.dispose()


def test_a_site_down_for_a_period_fails_then_catches_up(collected):
    world, server, store, registry, result = collected
    hosts = [h for h in world.hosts if h.outage_until is not None]
    assert len(hosts) == 1
    source_id = hosts[0].channels[0].source_id
    attempts = store.attempts_frame([source_id])
    # Every round before the end and its retry pass fail; the last day's round catches up.
    failing = 2 * (len(result.rounds) - 1)
    assert list(attempts.ok)[: failing + 1] == [False] * failing + [True]
    assert not [d for d in result.comparison.differences if d.source_id == source_id]
    assert store.post_count(source_id) == len(hosts[0].channels[0].visible(world.end)) > 0


def test_round_schedule_is_sunday_evenings_then_the_last_day(collected):
    world, server, store, registry, result = collected
    instants = [r.at for r in result.rounds]
    assert len(instants) == WEEKLY_ROUNDS + 1 and instants[-1] == world.end
    for at, weeks_before in zip(instants[:-1], range(WEEKLY_ROUNDS, 0, -1), strict=True):
        local = at.astimezone(world.zone)
        assert local.date() == world.last_day - timedelta(weeks=weeks_before) and local.weekday() == 6
        assert local.hour == 20
    assert len(default_rounds(world, 50)) == WEEKS  # never before the world's first Sunday


def test_past_weeks_read_their_health_from_the_attempt_log(collected):
    world, server, store, registry, result = collected
    # A past week inside the history, ended by a Sunday round: not the first, not the running one.
    sunday = result.rounds[1].at.astimezone(world.zone).date()
    monday = sunday - timedelta(days=6)
    facts = loading.load_facts(store, registry, monday - timedelta(weeks=1), world.last_day)
    week = metrics.weekly_table(facts, monday, sunday).set_index("unit_id")
    assert set(week.week) == {calendar.week_label(monday)}
    down = [c for c in world.channels if c.persisting == "site-down"]
    assert down
    for channel in down:
        assert week.loc[channel.unit_id, "data_status"] == metrics.DATA_FAILED
        assert week.loc[channel.unit_id, "status"] == metrics.TANPA_DATA
    # A unit with one working website, no fault on it: its week is known, whatever its pace.
    working = [h.unit_id for h in world.hosts
               if len(h.channels) == 1 and h.channels[0].collector and h.channels[0].variant != "tiktok"
               and not h.channels[0].persisting and h.outage_until is None]
    assert working
    for unit_id in working:
        assert week.loc[unit_id, "data_status"] == metrics.DATA_OK, unit_id
        assert week.loc[unit_id, "status"] != metrics.TANPA_DATA, unit_id
    # The outage is over only three days before the end: its past weeks are failures too.
    outage = next(h for h in world.hosts if h.outage_until is not None)
    assert week.loc[outage.unit_id, "data_status"] == metrics.DATA_FAILED
