"""The package's layering: no import cycles, between modules or between subpackages.

Imports are read from the source (``ast``), including those inside functions (which keep
heavy dependencies off the import path but still make one module depend on another) and the
lazy ``"module:Class"`` strings of the settings registry.

Layers, lowest first: ``core`` (the typed records, vocabulary, config base, strict reader, io),
``signal`` (preprocessing, the window grid, features: it imports only ``core``), the sources
(``acquire``) and the window tables (``data``), ``quality``, ``events`` (probability tables to
catalogues: no model), ``learn``, ``explain``, ``plots``;
top-level modules above them (``settings``, ``cli``) may import anything.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.unit

PACKAGE = REPO / "src" / "seisclass"
SUBPACKAGES = ("core", "signal", "acquire", "data", "quality", "events", "learn", "explain", "plots")
# What each subpackage may import (besides itself); anything else is a layering error.
ALLOWED = {
    "core": set(),
    "signal": {"core"},
    "acquire": {"core", "signal"},
    "data": {"core", "signal"},
    "quality": {"core", "signal", "acquire", "data"},
    "events": {"core", "signal"},
    "learn": {"core", "signal", "data", "events"},
    "explain": {"core", "signal", "data", "learn"},
    "plots": {"core", "signal", "acquire", "data", "quality", "events", "learn", "explain"},
}


def module_name(path: Path) -> str:
    parts = ["seisclass", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(path: Path, name: str, known: set[str]) -> set[str]:
    """seisclass modules imported anywhere in ``path`` (resolved to known module names)."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = re.fullmatch(r"(seisclass(?:\.\w+)+):\w+", node.value)  # registry strings
            if match:
                targets = [match.group(1)]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target.startswith("seisclass") and target != name and target != "seisclass":
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imported(path, name, set(found)) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return out


def subpackage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in SUBPACKAGES else module


def test_no_module_cycles():
    assert cycles(graph()) == []


def test_no_subpackage_cycles():
    edges: dict[str, set[str]] = {}
    for module, targets in graph().items():
        edges.setdefault(subpackage(module), set()).update(
            subpackage(t) for t in targets if subpackage(t) != subpackage(module))
    assert cycles(edges) == []


def test_subpackages_import_only_lower_layers():
    bad = sorted(f"{module} imports {target}" for module, targets in graph().items()
                 for target in targets
                 if subpackage(module) in ALLOWED and subpackage(target) != subpackage(module)
                 and subpackage(target) not in ALLOWED[subpackage(module)])
    assert bad == []


def test_the_checker_sees_cycles_and_imports_inside_functions(tmp_path):
    """The checks can fail: a cycle through an import inside a function is found."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    source = tmp_path / "mod.py"
    source.write_text("def f():\n    from seisclass.core.io import write_json\n")
    assert imported(source, "seisclass.x", {"seisclass.core.io", "seisclass.core"}) == {"seisclass.core.io"}
