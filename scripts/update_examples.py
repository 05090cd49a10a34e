#!/usr/bin/env python3
"""Rewrite the output shown under each `$ jacli ...` line of ```console blocks with jacli's real output.

    python scripts/update_examples.py README.md docs/*.md

The test suite (tests/test_readme.py) fails when shown output differs from the real one; this is
the command that brings the documents up to date after a deliberate change. Read the diff before
committing it: a changed example may be a regression, not an improvement. A failing command is
written as its stderr followed by `$ echo $?` and the status.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jacli.cli import main  # noqa: E402


def run(command: str) -> tuple[int, str, str]:
    words = shlex.split(command)
    stdin = None
    if words[0] == "printf":
        stdin, words = words[1].replace("\\n", "\n"), words[3:]
    runner = CliRunner()
    with runner.isolation(input=stdin) as (out, err, *_):
        try:
            main(words[1:])
            status = 0
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else 0
        return status, out.getvalue().decode(), err.getvalue().decode()


def update_block(block: str) -> str:
    lines = block.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        j = i + 1
        while j < len(lines) and not lines[j].startswith("$ "):
            j += 1
        if line.startswith("$ ") and "jacli " in line:
            status, stdout, stderr = run(line[2:])
            out.append(line)
            shown = stdout if status == 0 else stderr + stdout
            out += shown.rstrip("\n").splitlines()
            if j < len(lines) and lines[j] == "$ echo $?":  # drop the old status, written anew below
                j += 2
            if status:
                out += ["$ echo $?", str(status)]
        else:
            out += lines[i:j]
        i = j
    return "\n".join(out) + "\n"


def update(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    new = re.sub(r"(```console\n)(.*?)(```)", lambda m: m.group(1) + update_block(m.group(2)) + m.group(3), text, flags=re.S)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    for name in sys.argv[1:]:
        if update(Path(name)):
            print(f"updated {name}")
