"""The package's shape (docs/architecture.md): module-level imports form no circle, the engines
import nothing above them, and no module outgrows one concern."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "jacli"
MAX_LINES = 600


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def top_level_imports(path: Path) -> set[str]:
    """jacli modules imported at module level (imports inside functions are deferred on purpose;
    ``if TYPE_CHECKING:`` blocks are not run)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("jacli")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("jacli"):
                continue
            for alias in node.names:  # from . import syntax: the submodule, if it is one
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
    return found - {name}


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {name: top_level_imports(path) for name, path in MODULES.items()}


def test_module_level_imports_form_no_circle() -> None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for n in sorted(GRAPH.get(m, ())):
            if n not in GRAPH:
                continue
            if state.get(n) == 1:
                pytest.fail("import circle: " + " -> ".join(path[path.index(n):] + [n]))
            if n not in state:
                visit(n)
        path.pop()
        state[m] = 2

    for m in sorted(GRAPH):
        if m not in state:
            visit(m)


def test_the_walk_sees_the_imports_it_should() -> None:
    """The graph is not empty by mistake: known edges are in it."""
    assert "jacli.request" in GRAPH["jacli.calculus"]
    assert "jacli.matrix.nodes" in GRAPH["jacli.matrix.rules"]
    assert "jacli.declarations" in GRAPH["jacli.values"]


@pytest.mark.parametrize("module,absent", [
    ("jacli.matrix.api", ["jacli.calculus", "jacli.answer", "jacli.cli", "jacli.runner"]),
    ("jacli.calculus", ["jacli.answer", "jacli.matrix.api", "jacli.cli", "jacli.runner"]),
    ("jacli.request", ["jacli.calculus", "jacli.matrix", "jacli.answer", "jacli.cli"]),
    ("jacli", ["sympy", "numpy", "click", "rich"]),
    ("jacli.render.plain", ["jacli.cli", "jacli.runner", "click", "rich"]),
])
def test_lower_layers_do_not_load_the_upper_ones(module: str, absent: list[str]) -> None:
    code = f"import sys, {module}; print(sorted(m for m in {absent!r} if m in sys.modules))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]", f"importing {module} loads {r.stdout.strip()}"


def test_no_module_is_over_600_lines() -> None:
    long = {name: n for name, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"split these by concern: {long}"
