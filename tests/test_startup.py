"""What server.py does before the first visitor: the registry read into the pages' cache, and a
broken registry left for the page to report rather than stopping the server."""

from __future__ import annotations

from pantau.config import DEFAULT_REGISTRY
from views import data
from views.startup import warm_registry


def test_the_registry_is_loaded_at_start_and_served_from_the_cache(monkeypatch):
    monkeypatch.setenv("PANTAU_REGISTRY", str(DEFAULT_REGISTRY))
    data.get_registry.clear()
    warm_registry()

    def not_again(_folder):
        raise AssertionError("the registry was read again after the server's start")

    monkeypatch.setattr(data, "load_registry", not_again)
    assert len(data.get_registry(str(DEFAULT_REGISTRY)).units) > 100
    data.get_registry.clear()


def test_a_broken_registry_does_not_stop_the_start(tmp_path, monkeypatch):
    (tmp_path / "units.csv").write_text("unit_id,name,kind,parent_id,code\nx,X,nonsense,,\n")
    (tmp_path / "sources.csv").write_text("source_id,unit_id,platform,collector,address,options,active\n")
    monkeypatch.setenv("PANTAU_REGISTRY", str(tmp_path))
    data.get_registry.clear()
    assert warm_registry() >= 0
    data.get_registry.clear()
