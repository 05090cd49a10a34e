"""The printers in jacli/render form layers without an import circle (issue 18, item 7).

common (display, format_float, point_of) < text / tex (expressions) < steps < plain, latex, json,
pretty: every import inside jacli/render, including those deferred into functions, points down.
"""

from __future__ import annotations

import ast
from pathlib import Path

RENDER = Path(__file__).resolve().parent.parent / "jacli" / "render"


def imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in RENDER.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
        graph[path.stem] = found & {p.stem for p in RENDER.glob("*.py")}
    return graph


def test_no_import_circle_among_printers() -> None:
    graph = imports()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        assert module not in path, "import circle: " + " -> ".join([*path, module])
        if module in done:
            return
        for dep in graph[module]:
            visit(dep, [*path, module])
        done.add(module)

    for module in graph:
        visit(module, [])


def test_the_shared_helpers_sit_beneath_every_printer() -> None:
    graph = imports()
    assert graph["common"] == set()
    assert graph["text"] == {"common"}
    assert graph["tex"] == {"common"}
    assert graph["texfit"] == {"tex"}
    assert graph["steps"] <= {"common", "text", "tex", "texfit"}
    helpers = {"common", "text", "tex", "texfit", "steps", "cse", "fit"}  # what printers stand on
    for printer in ("plain", "latex", "json", "pretty"):
        assert all(printer not in graph[h] for h in helpers)
