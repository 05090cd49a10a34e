"""Every `$ jacli ...` example in README.md (and docs/*.md) is run and its shown output compared."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from .conftest import run

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def examples() -> list[tuple[str, str, str]]:
    """(file:line, command, expected output) for each `$ jacli` line in ```console blocks."""
    found = []
    for path in DOCS:
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        for block in re.finditer(r"```console\n(.*?)```", text, re.S):
            start_line = text[: block.start()].count("\n") + 2
            lines = block.group(1).splitlines()
            i = 0
            while i < len(lines):
                if lines[i].startswith("$ jacli "):
                    cmd, out = lines[i][2:], []
                    j = i + 1
                    while j < len(lines) and not lines[j].startswith("$ "):
                        out.append(lines[j])
                        j += 1
                    found.append((f"{path.name}:{start_line + i}", cmd, "\n".join(out)))
                    i = j
                else:
                    i += 1
    return found


EXAMPLES = examples()


def test_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 20


@pytest.mark.parametrize("where, command, expected", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_example(where: str, command: str, expected: str) -> None:
    args = shlex.split(command)[1:]
    r = run(*args)
    assert r.status == 0, (where, r.stderr)
    assert r.stdout.rstrip("\n") == expected, where
