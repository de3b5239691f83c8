"""The Provinsi page: two simulated regencies collected into one store, side by side, each unit
measured against its own regency's leaders."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import PAGES, is_province
from pantau.collection import run_collection
from pantau.registry import load_registry
from pantau.sim.faults import FaultPlan
from pantau.sim.province import synthetic_regency
from pantau.sim.registry import SIM_CREDENTIALS, write_registry
from pantau.sim.server import SimServer
from pantau.sim.world import build_world
from pantau.store import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    folder = tmp_path_factory.mktemp("province")
    units = synthetic_regency("33.16", "Blora", opd=3, kecamatan=2, villages=3) + \
        synthetic_regency("33.74", "Semarang", kota=True, opd=3, kecamatan=2, villages=3)
    world = build_world(units, seed=4, weeks=8)
    url = f"sqlite:///{folder / 'pantau.db'}"
    store = Store(url)
    with SimServer(world, FaultPlan.off()):  # the hosts get their ports here, before the registry names them
        registry_dir = write_registry(world, folder / "registry")
        run_collection(store, load_registry(registry_dir), since=world.start, now=world.end,
                       credentials=SIM_CREDENTIALS)
    store.dispose()
    return url, registry_dir, world.last_day


def test_the_province_page_compares_the_regencies(province, monkeypatch):
    url, registry_dir, last_day = province
    monkeypatch.setenv("PANTAU_DB", url)
    monkeypatch.setenv("PANTAU_REGISTRY", str(registry_dir))
    monkeypatch.setenv("PANTAU_TODAY", last_day.isoformat())
    monkeypatch.setenv("PANTAU_MODE", "public")
    assert is_province(load_registry(registry_dir))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    at.switch_page("views/provinsi.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe, ([i.value for i in at.info], [t.value for t in at.title], [m.value for m in at.markdown])
    regencies = at.dataframe[0].value
    assert list(regencies["Kabupaten/kota"]) == ["Kabupaten Blora", "Kota Semarang"]
    # 3 OPD + 2 kecamatan + 6 villages per regency; leaders are the reference, not counted.
    assert list(regencies["Unit"]) == [11, 11]
    assert all(value.endswith("%") for value in regencies["Mengimbangi pimpinan"])
    at.selectbox(key="provinsi-pilih").set_value("33.74").run()
    units = at.dataframe[1].value
    assert set(units["Unit"]) >= {"Wali Kota Semarang", "Kelurahan 1 Jepon Semarang"}
    assert not any("Blora" in name for name in units["Unit"])


def test_the_province_page_is_absent_for_one_regency():
    one = load_registry(ROOT / "data" / "blora")
    assert not is_province(one)
    assert any(p.province_only for p in PAGES)
