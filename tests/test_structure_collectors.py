"""The import structure, read from the source with ast (nothing is imported to test it).

Layers, lowest first; a module imports only from its own layer or lower ones:

  base         pantau.models, pantau.presets, pantau.redaction, pantau.tables: plain records, the redaction rule and
               the reading of clerk-edited tables; no project imports
  collectors   collectors.*: one module per kind, the HTTP layer, the errors, the charset policy
  core         the rest of pantau: registry, store, ingest, the orchestrator (pantau.collection),
               metrics, screening, exports
  views        views.*, dashboard: the pages, formatting only
  entry points pantau.cli, pantau.commands.*, pantau.sim.* (the simulator and the benchmarks drive
               the collectors and render the pages), server

Every import counts, also one inside a function or under `if TYPE_CHECKING:`, since a circle of
those still ties the modules together for a reader.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("collectors", "pantau", "views")
TOP_MODULES = ("dashboard", "server")

BASE = ("pantau.models", "pantau.presets", "pantau.redaction", "pantau.tables")
ENTRY_POINTS = ("pantau.cli", "pantau.__main__", "pantau.commands", "pantau.sim", "server")
LAYERS = ("base", "collectors", "core", "views", "entry points")
# Core modules the collectors must never reach, named because the issue that split them named them.
COLLECTORS_MUST_NOT_IMPORT = ("pantau.store", "pantau.ingest", "pantau.registry", "pantau.collection")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found = {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    found.update({name: ROOT / f"{name}.py" for name in TOP_MODULES})
    return found


MODULES = project_modules()


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def layer_of(name: str) -> str:
    if name in BASE:
        return "base"
    if within(name, "collectors"):
        return "collectors"
    if any(within(name, entry) for entry in ENTRY_POINTS):
        return "entry points"
    if within(name, "pantau"):
        return "core"
    return "views"  # views.*, dashboard


def imported(name: str) -> Iterator[tuple[str, int]]:
    """The project modules `name` imports, with the line of each import."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            # `from collectors import blogger` imports the module collectors.blogger
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target, node.lineno


GRAPH = {name: sorted(set(imported(name))) for name in MODULES}


def test_the_modules_are_found():
    assert {"collectors.http", "collectors.kinds", "pantau.collection", "pantau.models", "dashboard"} <= set(MODULES)
    # the three import forms resolve to modules: `from x import module`, `from x.y import name`, `import x.y`
    assert {"collectors.blogger", "collectors.base"} <= {t for t, _ in GRAPH["collectors.kinds"]}
    assert "pantau.redaction" in {t for t, _ in GRAPH["collectors.http"]}


def test_base_modules_import_nothing_from_the_project():
    assert {name: GRAPH[name] for name in BASE if GRAPH[name]} == {}


def test_collectors_never_import_the_core():
    leaks = [f"{name}:{line} imports {target}" for name, edges in GRAPH.items() if within(name, "collectors")
             for target, line in edges if any(within(target, core) for core in COLLECTORS_MUST_NOT_IMPORT)]
    assert leaks == []


def test_every_import_points_down_the_layers():
    upward = [f"{name} ({layer_of(name)}):{line} imports {target} ({layer_of(target)})"
              for name, edges in GRAPH.items() for target, line in edges
              if LAYERS.index(layer_of(target)) > LAYERS.index(layer_of(name))]
    assert upward == []


def test_views_import_nothing_from_the_collectors():
    assert [f"{name}:{line}" for name, edges in GRAPH.items() if layer_of(name) == "views"
            for target, line in edges if within(target, "collectors")] == []


def cycles(graph: dict[str, list[tuple[str, int]]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target, _ in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    assert cycles(GRAPH) == []


def test_cycle_finder_finds_a_circle():
    circle = {"a": [("b", 1)], "b": [("c", 1)], "c": [("a", 1)], "d": [("a", 1)]}
    assert cycles(circle) == [["a", "b", "c"]]


def test_only_the_http_layer_imports_requests():
    users = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            if any(within(n, "requests") or within(n, "urllib3") for n in names):
                users.append(name)
    assert sorted(set(users)) == ["collectors.http"]


def test_the_registry_kinds_are_the_collectors():
    from collectors.kinds import COLLECTORS
    from pantau.models import COLLECTOR_KINDS

    assert COLLECTOR_KINDS == tuple(COLLECTORS)
