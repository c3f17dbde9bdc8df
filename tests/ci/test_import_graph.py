"""No import cycle between modules of different folders (docs/dev/contracts.md).

Every ``import armlint...`` counts, including those inside functions (lazy imports are still
dependencies) and under TYPE_CHECKING. A cycle inside one folder (a format's evaluator and its
functions) is allowed; one that crosses folders means two folders depend on each other. Each
top-level module (armlint/cli.py, armlint/config.py, ...) counts as a folder of its own: the
pipeline <-> transitions cycle of old was such a crossing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "armlint"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, modules: set[str]) -> set[str]:
    """The armlint modules a file imports (``from armlint.x import y`` counts y when it is a
    module, else armlint.x)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [name if name in modules else node.module for name in names]
        else:
            continue
        found.update(name for name in names if name in modules)
    return found


def graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    modules = set(paths)
    return {name: imported(path, modules) - {name} for name, path in paths.items()}


def folder(module: str) -> str:
    """The package folder a module lives in; a top-level module (armlint/cli.py) is a room of
    its own, so that two of them importing each other count as crossing."""
    path = PACKAGE.parent / module.replace(".", "/")
    if path.is_dir():
        return module
    parent = module.rsplit(".", 1)[0]
    return module if parent == "armlint" else parent


def cycles(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative enough here)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


@pytest.fixture(scope="module")
def edges() -> dict[str, set[str]]:
    return graph()  # parsing every module takes about a second: once for the module


def test_the_graph_is_read(edges):
    assert "armlint.run.pipeline" in edges["armlint.compare.diff"]
    assert "armlint.checks.transition_rules" in edges["armlint.run.pipeline"]


def test_no_cycle_crosses_folders(edges):
    crossing = [
        sorted(component)
        for component in cycles(edges)
        if len({folder(module) for module in component}) > 1
    ]
    assert crossing == []


def test_a_cycle_across_folders_would_be_found():
    edges = {"armlint.run.pipeline": {"armlint.compare.git"}, "armlint.compare.git": set()}
    edges["armlint.compare.git"].add("armlint.run.pipeline")
    assert [sorted(c) for c in cycles(edges)] == [["armlint.compare.git", "armlint.run.pipeline"]]
