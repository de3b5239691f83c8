"""A small simulated regency, faults on, collected end to end over HTTP by the real collectors.

After two weekly rounds each followed by one retry pass, the store must equal the ground truth
exactly, except where a persisting injected fault stands in the way; every such fault must be
visible as failed attempts; a newest-N feed outrun by its posting rate must leave a recorded
coverage gap; and a re-run must not duplicate anything.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from collectors.runner import run_collection
from pantau.config import DEFAULT_REGISTRY
from pantau.registry import load_registry, write_units_csv
from pantau.sim import content
from pantau.sim.faults import FaultPlan
from pantau.sim.registry import SIM_CREDENTIALS, write_registry
from pantau.sim.scenario import demo_policy, run_scenario
from pantau.sim.server import SimServer
from pantau.sim.truth import compare
from pantau.sim.world import build_world, small_regency
from pantau.store import Store

ROOT = Path(__file__).resolve().parent.parent
BLORA = load_registry(DEFAULT_REGISTRY)
CREDENTIALS = {k: v for k, v in SIM_CREDENTIALS.items() if k != "PANTAU_YOUTUBE_KEY"}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    world = build_world(small_regency(BLORA.units), seed=5, weeks=10)
    with SimServer(world, FaultPlan(stall_seconds=2.0)) as server:
        registry = load_registry(write_registry(world, tmp / "registry"))
        store = Store(f"sqlite:///{tmp / 'demo.db'}")
        store.sync_registry(registry)
        result = run_scenario(world, server, store, registry, credentials=CREDENTIALS, policy=demo_policy())
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
    args = [sys.executable, "-m", "pantau", "demo", "--collect-only", "--registry", str(folder),
            "--db", str(db), "--sim-port", "0", "--seed", "3", "--weeks", "8"]
    first = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)
    last = first.stdout.strip().splitlines()[-1]
    assert last.startswith("ground truth: ") and last.endswith(" explained by persisting faults)"), first.stdout
    n, m = (int(x) for x in last.removeprefix("ground truth: ").replace(" differences (", " ").split()[:2])
    assert first.returncode == (0 if n == m else 1), first.stdout + first.stderr
    assert n == m, first.stdout
    assert not (DEFAULT_REGISTRY / "sources.csv").read_text().count("127.0.0.1")
    store = Store(f"sqlite:///{db}")
    count = store.post_count()
    store.dispose()
    rerun = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert rerun.returncode == 0, rerun.stdout
    store = Store(f"sqlite:///{db}")
    assert store.post_count() == count  # same seed, same db: nothing duplicated
    store.dispose()


def test_tiktok_video_count_delta_between_rounds_is_recorded_as_activity(collected):
    world, server, store, registry, result = collected
    activity = store.activity_frame()
    first, last = (r.at for r in result.rounds)
    tiktok = [c for c in world.channels if c.variant == "tiktok"]
    assert tiktok
    for channel in tiktok:
        grown = len(channel.visible(last)) - len(channel.visible(first))
        mine = activity[activity.source_id == channel.source_id]
        assert list(mine.delta) == ([grown] if grown > 0 else []), channel.source_id
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
    assert list(attempts.ok)[:3] == [False, False, True]  # round 1 and its retry pass, then round 2
    assert not [d for d in result.comparison.differences if d.source_id == source_id]
    assert store.post_count(source_id) == len(hosts[0].channels[0].visible(world.end)) > 0
