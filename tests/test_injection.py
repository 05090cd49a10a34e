"""The injection corpus (tests/data/injection.txt) through every channel jacli reads text from.

Each payload must be refused with exit 2, nothing on stdout, and one line on stderr (two when
a caret points at a column); none may execute anything: a canary file in a temporary
directory (the working directory during the test) must never appear.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Outcome, run

DATA = Path(__file__).parent / "data" / "injection.txt"
PLAIN_NAMES = Path(__file__).parent / "data" / "plain_names.txt"


def payloads(path: Path = DATA) -> list[str]:
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        out.append(raw.encode("latin-1", "backslashreplace").decode("unicode_escape"))
    return out


PAYLOADS = payloads()

# (channel name, argv builder). P is the payload.
CHANNELS = {
    "EXPR": lambda p: ["diff", p, "x"],
    "EXPR grad": lambda p: ["grad", p],
    "VAR": lambda p: ["diff", "x^2", p],
    "POINT": lambda p: ["limit", "sin(x)/x", "x", p],
    "limit VAR": lambda p: ["limit", "x^2", p, "0"],
    "--at value": lambda p: ["diff", "x^2", "x", "--at", f"x={p}"],
    "--at name": lambda p: ["diff", "x^2", "x", "--at", f"{p}=1"],
    "--let body": lambda p: ["diff", "y^2", "x", "--let", f"y={p}"],
    "--let name": lambda p: ["diff", "x^2", "x", "--let", f"{p}=x"],
    "--func": lambda p: ["diff", "x^2", "x", "--func", p],
    "-v name": lambda p: ["grad", "x^2", "-v", f"{p}:3"],
    "-v shape": lambda p: ["grad", "x^2", "-v", f"W:{p}"],
    "--wrt": lambda p: ["grad", "x^2", "--wrt", p],
    "jacobian --wrt": lambda p: ["jacobian", "[x, x^2]", "--wrt", p],
}


def assert_refused(r: Outcome, what: object) -> None:
    assert r.status == 2, (what, r)
    assert r.stdout == "", (what, r)
    lines = r.stderr.splitlines()
    assert r.stderr.startswith("jacli: "), (what, r)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, (what, r)
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].strip() == "^"), (what, r)


def test_corpus_is_substantial() -> None:
    assert len(PAYLOADS) >= 80
    assert any("\x00" in p for p in PAYLOADS) and any("\u202e" in p for p in PAYLOADS)
    assert any("CANARY" in p for p in PAYLOADS)


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_every_payload_is_refused_on_every_channel(channel: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    canary = tmp_path / "canary"
    build = CHANNELS[channel]
    for p in PAYLOADS:
        payload = p.replace("CANARY", str(canary))
        r = run(*build(payload), "--timeout", "10")
        assert_refused(r, (channel, payload))
    assert not canary.exists()
    assert list(tmp_path.iterdir()) == []


def test_batch_stdin_refuses_every_payload_and_goes_on(tmp_path: Path) -> None:
    """A real process reading the corpus on stdin: one JSON error record per payload, with the
    right line numbers, status 2, and the valid lines between them still computed."""
    canary = tmp_path / "canary"
    lines = []
    for p in PAYLOADS:
        if "\n" in p or "\r" in p or "\x00" in p:
            continue  # a line break splits the payload; NUL is covered in-process above
        lines.append(p.replace("CANARY", str(canary)))
        lines.append("x^2")
    proc = subprocess.run(
        [sys.executable, "-m", "jacli", "diff", "-", "x", "-f", "json", "--timeout", "10"],
        input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=tmp_path, timeout=240,
    )
    assert proc.returncode == 2, proc.stderr[-500:]
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(records) == len(lines)
    for number, (text, rec) in enumerate(zip(lines, records, strict=True), start=1):
        if text == "x^2":
            assert rec["result"] == "2*x", (number, rec)
        else:
            assert rec["line"] == number and rec["status"] == 2, (text, rec)
    assert "Traceback" not in proc.stderr
    assert not canary.exists() and list(tmp_path.iterdir()) == []


def test_payloads_through_a_real_process_create_nothing(tmp_path: Path) -> None:
    """The console script with the payloads that name the canary, as a shell would pass them."""
    canary = tmp_path / "canary"
    chosen = [p for p in PAYLOADS if "CANARY" in p and "\x00" not in p]
    for p in (chosen[0], chosen[-1]):  # two: the batch test above covers the rest
        payload = p.replace("CANARY", str(canary))
        proc = subprocess.run([sys.executable, "-m", "jacli", "diff", payload, "x"],
                              capture_output=True, text=True, cwd=tmp_path, timeout=60)
        assert proc.returncode == 2 and proc.stdout == "", (payload, proc)
        assert "Traceback" not in proc.stderr
        lines = proc.stderr.splitlines()
        assert lines[0].startswith("jacli: ") and (len(lines) == 1 or (len(lines) == 2 and lines[1].strip() == "^")), proc
    assert not canary.exists()


@pytest.mark.parametrize("text", payloads(PLAIN_NAMES))
def test_python_keywords_and_builtins_are_plain_names(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Python's keywords and builtins are variables like any other: read, never run."""
    monkeypatch.chdir(tmp_path)
    r = run("grad", text, "-f", "json")
    assert r.status == 0, r
    record = r.json()
    names = re.findall(r"[A-Za-z]\w*", text)
    assert record["wrt"] == list(dict.fromkeys(names)), record
    assert list(tmp_path.iterdir()) == []


def test_a_builtin_name_may_be_declared_as_an_abstract_function() -> None:
    r = run("diff", "type(x)^2", "x", "--func", "type")
    assert (r.status, r.stdout, r.stderr) == (0, "2*type(x)*type'(x)\n", ""), r
