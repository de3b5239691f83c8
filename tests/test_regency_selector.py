"""The sidebar's "Kabupaten/kota" on the regency pages of a province registry: two simulated
regencies collected into one store (as on the Provinsi page's test); every number on a regency
page is that regency's. Blora, one regency, gets no selector and the same pages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from pantau.collection import run_collection
from pantau.regencies import regencies, within_regency
from pantau.registry import load_registry
from pantau.sim.faults import FaultPlan
from pantau.sim.province import synthetic_regency
from pantau.sim.registry import SIM_CREDENTIALS, write_registry
from pantau.sim.server import SimServer
from pantau.sim.world import build_world
from pantau.store import Store
from tests.seed import seeded_store

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = str(ROOT / "dashboard.py")
SELECTOR = "Kabupaten/kota"


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    folder = tmp_path_factory.mktemp("province-selector")
    units = synthetic_regency("33.16", "Blora", opd=3, kecamatan=2, villages=3) + \
        synthetic_regency("33.74", "Semarang", kota=True, opd=3, kecamatan=2, villages=3)
    world = build_world(units, seed=4, weeks=8)
    url = f"sqlite:///{folder / 'pantau.db'}"
    store = Store(url)
    with SimServer(world, FaultPlan.off()):
        registry_dir = write_registry(world, folder / "registry")
        run_collection(store, load_registry(registry_dir), since=world.start, now=world.end,
                       credentials=SIM_CREDENTIALS)
    store.dispose()
    return url, registry_dir, world.last_day


def use(monkeypatch, url, registry_dir, today):
    monkeypatch.setenv("PANTAU_DB", url)
    monkeypatch.setenv("PANTAU_REGISTRY", str(registry_dir))
    monkeypatch.setenv("PANTAU_TODAY", today.isoformat())
    monkeypatch.setenv("PANTAU_MODE", "public")
    monkeypatch.delenv("PANTAU_SIMULATED", raising=False)


@pytest.fixture
def env(province, monkeypatch):
    use(monkeypatch, *province)


def open_page(path: str, **query) -> AppTest:
    """A visitor's first request: the page's URL with these query parameters."""
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def regency_select(at: AppTest):
    found = [s for s in at.sidebar.selectbox if s.label == SELECTOR]
    assert len(found) == 1, [s.label for s in at.sidebar.selectbox]
    return found[0]


def board_units(at: AppTest) -> set[str]:
    """The unit names of Ringkasan's full leaderboard grid."""
    grids = [d.value for d in at.dataframe if "Indeks Imbang" in d.value.columns]
    assert grids
    return set(grids[0]["Unit"])


def test_the_selector_lists_both_regencies_and_starts_on_the_first(env):
    at = open_page("views/ringkasan.py")
    select = regency_select(at)
    assert select.options == ["Kabupaten Blora", "Kota Semarang"] and select.value == "33.16"
    units = board_units(at)
    assert units and all("Blora" in name for name in units)
    assert at.query_params["kabupaten"] == "33.16"


def test_switching_shows_the_other_regencys_units_and_leaders_only(env):
    at = open_page("views/ringkasan.py")
    regency_select(at).set_value("33.74").run()
    assert not at.exception
    units = board_units(at)
    assert units == {"Dinas 0 Semarang", "Dinas 1 Semarang", "Dinas 2 Semarang"} and not any("Blora" in name for name in units)
    # The leaders' line names Semarang's leaders (its reference), not Blora's.
    rhythm = next(m.value for m in at.markdown if m.value.startswith("**Ritme pimpinan"))
    assert "Wali Kota Semarang" in rhythm and "Bupati Blora" not in rhythm
    assert at.query_params["kabupaten"] == "33.74"


def test_the_url_selects_the_regency_on_every_regency_page(env):
    at = open_page("views/ringkasan.py", kabupaten="33.74")
    assert regency_select(at).value == "33.74"
    assert not any("Blora" in name for name in board_units(at))
    at = open_page("views/kecamatan.py", kabupaten="33.74")
    offices = at.dataframe[0].value["Kecamatan"]
    assert len(offices) == 2 and all(name.endswith("Semarang") for name in offices)
    at = open_page("views/unit.py", kabupaten="33.74")
    units = at.selectbox(key="unit-pilih").options
    assert units and all("Semarang" in name for name in units)


def test_a_link_to_a_unit_opens_the_units_regency(env):
    at = open_page("views/unit.py", unit="3374-opd-01")
    assert regency_select(at).value == "33.74"
    assert at.selectbox(key="unit-pilih").value == "3374-opd-01"


def test_the_latest_posts_are_the_regencys(env, province):
    url, _, _ = province
    at = open_page("views/terbaru.py", kabupaten="33.74")
    # Each post's line ends with its unit's name after the time: ":gray[<time> · <unit> · ...]".
    shown = [m.value.split(":gray[", 1)[1].split(" · ")[1] for m in at.markdown if ":gray[" in m.value]
    assert shown and all(name.endswith("Semarang") for name in shown), shown
    total = next(c.value for c in at.caption if "publikasi cocok" in c.value)
    store = Store(url)
    try:
        stored = store.posts_frame(columns=["unit_id"])
    finally:
        store.dispose()
    # Only Semarang's posts are counted (every one of them: the simulation ends on "today").
    assert total.startswith(f"{int(stored['unit_id'].str.startswith('3374-').sum())} publikasi")


def test_an_unknown_code_falls_back_to_the_first_regency_with_a_note(env):
    at = open_page("views/ringkasan.py", kabupaten="99.99")
    assert regency_select(at).value == "33.16"
    notes = [w.value for w in at.sidebar.warning]
    assert len(notes) == 1 and "99\\.99" in notes[0] and "Kabupaten Blora" in notes[0]
    assert all("Blora" in name for name in board_units(at))


def test_provinsi_starts_on_the_whole_province(env):
    at = open_page("views/provinsi.py")
    select = regency_select(at)
    assert select.value == "" and select.options[0] == "Seluruh provinsi"
    assert "kabupaten" not in at.query_params
    assert list(at.dataframe[0].value["Kabupaten/kota"]) == ["Kabupaten Blora", "Kota Semarang"]
    select.set_value("33.74").run()
    assert at.selectbox(key="provinsi-pilih").value == "33.74"


def test_a_regency_frame_has_its_own_leaders_reference():
    units = pd.DataFrame([("a-bupati", "Bupati A", "pimpinan", "33.01"), ("a-opd", "Dinas A", "opd", "33.01"),
                          ("b-bupati", "Bupati B", "pimpinan", "33.02"), ("b-opd", "Dinas B", "opd", "33.02")],
                         columns=["unit_id", "name", "kind", "code"])
    table = units.assign(active_days=[6, 1, 2, 2])
    table.attrs["reference"] = 4.0  # every leader's: (6 + 2) / 2
    assert list(regencies(units)["regency"]) == ["33.01", "33.02"]
    own = within_regency(table, "33.02")
    assert list(own["unit_id"]) == ["b-bupati", "b-opd"] and own.attrs["reference"] == 2.0
    assert list(within_regency(table[["unit_id", "active_days"]], "33.01", units)["unit_id"]) == ["a-bupati", "a-opd"]


def test_one_regency_gets_no_selector_and_the_same_pages(tmp_path, monkeypatch):
    seeded = seeded_store(tmp_path, blora=True)
    use(monkeypatch, seeded.url, seeded.registry_dir, seeded.today)
    assert regencies(pd.DataFrame([(u.unit_id, u.name, u.kind, u.code) for u in load_registry(seeded.registry_dir).units],
                                  columns=["unit_id", "name", "kind", "code"])).empty
    for path in ("views/ringkasan.py", "views/kecamatan.py", "views/unit.py", "views/terbaru.py"):
        at = open_page(path, kabupaten="33.16")
        assert SELECTOR not in [s.label for s in at.sidebar.selectbox], path
        assert not at.sidebar.warning, path
    # Ringkasan's board holds every unit of the registry but the leaders (all kinds shown).
    at = open_page("views/ringkasan.py")
    at.multiselect(key="ringkasan-kinds").set_value(["opd", "kecamatan", "desa", "kelurahan"]).run()
    grid = next(d.value for d in at.dataframe if "Indeks Imbang" in d.value.columns)
    assert len(grid) == len([u for u in load_registry(seeded.registry_dir).units if u.kind != "pimpinan"])
