"""The layers hold: pages only format, metrics are pure, and no module of pantau/ or views/ imports
itself back through another. Read from the source with ast, so a violation fails here before it
hides behind a lazy import at run time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("pantau", "views")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def imports_of(path: Path) -> set[str]:
    """Every module an import statement names, anywhere in the file (lazy imports included).

    `from a.b import c` names a.b.c when that is a module of ours, else a.b.
    """
    names: set[str] = set()
    package = ""
    if path.is_relative_to(ROOT):
        package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)
    return names


def imported_names(path: Path) -> set[tuple[str, str]]:
    """(module, name) for every `from module import name`."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.update((node.module, alias.name) for alias in node.names)
    return found


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


VIEWS = sorted(name for name in MODULES if under(name, "views"))


def test_the_modules_are_found():
    assert {"pantau.metrics", "pantau.store", "pantau.calendar", "views.data", "views.unit"} <= set(MODULES)


@pytest.mark.parametrize("view", VIEWS)
def test_views_import_no_sqlalchemy_and_nothing_from_collectors(view):
    bad = sorted(n for n in imports_of(MODULES[view]) if under(n, "sqlalchemy") or under(n, "collectors"))
    assert bad == [], f"{view} imports {bad}"


@pytest.mark.parametrize("view", [v for v in VIEWS if v != "views.data"])
def test_pages_reach_the_store_only_through_views_data(view):
    bad = sorted(n for n in imports_of(MODULES[view]) if under(n, "pantau.store") or under(n, "pantau.loading"))
    assert bad == [], f"{view} imports {bad}; pages read through views.data"


@pytest.mark.parametrize("view", VIEWS)
def test_views_import_no_private_name(view):
    private = sorted(f"{module}.{name}" for module, name in imported_names(MODULES[view])
                     if name.startswith("_") and name != "__future__" and module != "__future__")
    assert private == []


METRICS = sorted(name for name in MODULES if under(name, "pantau.metrics"))


def test_metrics_is_a_package_of_several_modules():
    assert {"pantau.metrics", "pantau.metrics.period", "pantau.metrics.weekly", "pantau.metrics.status"} <= set(METRICS)


@pytest.mark.parametrize("module", METRICS)
def test_metrics_are_pure(module):
    path = MODULES[module]
    imports = imports_of(path)
    assert not {n for n in imports if under(n, "pantau.store") or under(n, "sqlalchemy") or under(n, "os")
                or under(n, "streamlit") or under(n, "pantau.loading") or under(n, "pantau.config")}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    reads = [node.lineno for node in ast.walk(tree)
             if (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"))
             or (isinstance(node, ast.Name) and node.id in ("environ", "getenv"))]
    assert reads == [], f"{path.relative_to(ROOT)} reads the environment at lines {reads}"


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each back edge of a depth-first walk, as the cycle it closes."""
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    return cycles


def test_no_import_cycles_between_modules():
    graph = {name: {n for n in imports_of(path) if n in MODULES and n != name} for name, path in MODULES.items()}
    cycles = find_cycles(graph)
    assert cycles == [], " ; ".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("expected, graph", [
    ([["a", "b", "a"]], {"a": {"b"}, "b": {"a"}}),
    ([["b", "c", "d", "b"]], {"a": {"b"}, "b": {"c"}, "c": {"d"}, "d": {"b"}}),
    ([], {"a": {"b", "c"}, "b": {"c"}, "c": set()}),
])
def test_the_cycle_finder(expected, graph):
    assert find_cycles(graph) == expected


def test_imports_are_read_from_from_imports_of_our_modules(tmp_path):
    (tmp_path / "x.py").write_text("from pantau import calendar\nfrom pantau.store import Store\n"
                                   "def f():\n    import views.data\n")
    assert {"pantau.calendar", "pantau.store", "views.data"} <= imports_of(tmp_path / "x.py")


@pytest.mark.parametrize("label, function", [
    ("Indeks Imbang", "pantau.metrics.pace"),
    ("Mengimbangi", "pantau.metrics.keeps_pace"),
    ("Minggu beruntun", "pantau.metrics.streaks"),
    ("Papan peringkat", "pantau.metrics.period_table"),
    ("Cakupan sumber", "pantau.metrics.kecamatan_rollup"),
    ("Punya sumber publikasi", "pantau.metrics.units_with_post_source"),
    ("Perubahan status", "pantau.metrics.status_changes"),
    ("% melaporkan kerja", "pantau.topics.topic_shares"),
])
def test_a_number_names_the_page_label_that_shows_it(label, function):
    import importlib

    module, _, name = function.rpartition(".")
    assert label in (getattr(importlib.import_module(module), name).__doc__ or "")
