"""Every `$ jacli ...` example in README.md (and docs/*.md) is run and its shown output compared.

In ```console blocks:

    $ jacli diff "x^2" x                     stdout must equal the lines that follow
    $ printf 'x^2\\nsin(x)\\n' | jacli diff - x   the same, with printf's text on stdin
    $ jacli diff "x^" x                      a failing command: the lines that follow are its
    jacli: ...                               stderr (and stdout, if any), and the next line
    $ echo $?                                must be `$ echo $?` with the exit status
    2
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from jacli.errors import ExitStatus

from .conftest import run

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CONSOLE = re.compile(r"```console\n(.*?)```", re.S)


@dataclass
class Example:
    where: str
    command: str
    expected: str
    status: int = 0


def examples() -> list[Example]:
    found: list[Example] = []
    for path in DOCS:
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        for block in CONSOLE.finditer(text):
            start_line = text[: block.start()].count("\n") + 2
            lines = block.group(1).splitlines()
            i = 0
            while i < len(lines):
                line = lines[i]
                if not line.startswith("$ "):
                    i += 1
                    continue
                j = i + 1
                while j < len(lines) and not lines[j].startswith("$ "):
                    j += 1
                output = "\n".join(lines[i + 1 : j])
                where = f"{path.name}:{start_line + i}"
                if line == "$ echo $?":
                    assert found and found[-1].where.startswith(path.name), f"{where}: `echo $?` follows no command"
                    found[-1].status = int(output)
                else:
                    assert "jacli " in line, f"{where}: only jacli commands are run: {line}"
                    found.append(Example(where, line[2:], output))
                i = j
    return found


EXAMPLES = examples()


def test_docs_have_examples() -> None:
    assert len(EXAMPLES) >= 60
    assert any(e.status for e in EXAMPLES) and any(e.command.startswith("printf ") for e in EXAMPLES)


def test_every_jacli_command_in_the_docs_is_in_a_console_block() -> None:
    """No `$ jacli` line hides in a ```sh or ```text block where the tests would not run it."""
    for path in DOCS:
        if path.exists():
            outside = CONSOLE.sub("", path.read_text(encoding="utf-8"))
            assert not re.search(r"^\$ .*jacli ", outside, re.M), path.name


def split(command: str) -> tuple[list[str], str | None]:
    """The jacli arguments and the standard input of an example."""
    words = shlex.split(command)
    if words[0] == "printf":
        assert words[2] == "|" and words[3] == "jacli", command
        return words[4:], words[1].replace("\\n", "\n")
    assert words[0] == "jacli", command
    return words[1:], None


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.where for e in EXAMPLES])
def test_example(example: Example) -> None:
    args, stdin = split(example.command)
    r = run(*args, input=stdin)
    assert r.status == example.status, (example.where, r.stderr)
    shown = r.stdout if example.status == 0 else r.stderr + r.stdout
    assert shown.rstrip("\n") == example.expected, example.where


def test_readme_exit_status_table_matches_the_enum() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (\d) \| (.*) \|$", text, re.M))
    assert sorted(rows) == [str(int(s)) for s in ExitStatus]
    for status in ExitStatus:
        assert rows[str(int(status))].startswith(status.meaning.replace("--check", "`--check`")), status


def test_python_api_example_runs() -> None:
    """The README's Python example runs as shown, and prints the shape and the check it claims."""
    import subprocess
    import sys

    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert blocks
    for code in blocks:
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert r.stdout.splitlines()[0] == "(2, 3) True"
        assert "\\nabla_{W}" in r.stdout.splitlines()[1]  # (a wide result opens an aligned block)
