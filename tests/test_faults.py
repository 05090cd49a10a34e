"""Fault injection on real processes: stdout to a full disk, closed stdout and stdin, a reader
that goes away, undecodable batch input, SIGTERM and SIGINT at random points of a batch, a plot
file on a full disk. Each fault gives its one ``jacli:`` line (none for a closed pipe) and its
documented status, never a traceback (see docs/security.md, "Faults").

Every case runs ``python -m jacli`` in a subprocess: descriptors, signals and the interpreter's
final flush are the point, and an in-process runner has none of them.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

JACLI = [sys.executable, "-m", "jacli"]
FULL = "/dev/full"
needs_dev_full = pytest.mark.skipif(not os.path.exists(FULL), reason="needs /dev/full (Linux)")
ENOSPC_LINE = "jacli: cannot write the output: No space left on device\n"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "NO_COLOR")}
    env.update(extra)
    return env


def _run(args: list[str], *, stdin: object = None, stdout: object = subprocess.PIPE, input: bytes | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*JACLI, *args], stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, input=input,
                          env=env or _env(), timeout=120, check=False)


def _shell(script: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """``script`` with $JACLI standing for ``python -m jacli`` (for redirections like >&-)."""
    cmd = " ".join(f"'{a}'" for a in JACLI)
    return subprocess.run(["sh", "-c", script.replace("$JACLI", cmd)], input=input, capture_output=True,
                          env=_env(), timeout=120, check=False)


# --- output faults -------------------------------------------------------------------------------
@needs_dev_full
@pytest.mark.parametrize("args, input", [
    (["diff", "x^2", "x"], None),
    (["diff", "x^2", "x", "-f", "json"], None),
    (["diff", "x^2", "x", "-f", "latex"], None),
    (["diff", "-", "x"], b"x^2\nsin(x)\n"),
    (["diff", "-", "x", "-f", "json"], b"x^2\nsin(x)\n"),
    (["--help"], None),
    (["--version"], None),
    (["grad", "--help"], None),
])
def test_stdout_on_a_full_disk_is_one_line_and_exit_1(args: list[str], input: bytes | None) -> None:
    with open(FULL, "wb") as full:
        p = _run(args, stdout=full, input=input, stdin=None if input else subprocess.DEVNULL)
    assert (p.returncode, p.stderr.decode()) == (1, ENOSPC_LINE)


@pytest.mark.parametrize("script", [
    "printf 'x^2\\nsin(x)\\n' | $JACLI diff - x >&-",
    "$JACLI diff x^2 x >&-",
    "$JACLI --version >&-",
])
def test_closed_stdout_is_one_line_and_exit_1(script: str) -> None:
    p = _shell(script)
    assert (p.returncode, p.stderr.decode()) == (1, "jacli: cannot write the output: standard output is closed\n")


def test_closed_stdin_in_batch_mode_is_one_line_and_exit_1() -> None:
    p = _shell("$JACLI diff - x <&-")
    assert (p.returncode, p.stdout, p.stderr.decode()) == (1, b"", "jacli: standard input is closed\n")


@needs_dev_full
def test_a_full_stderr_keeps_the_status() -> None:
    with open(FULL, "wb") as full:
        p = subprocess.run([*JACLI, "diff", "x^", "x"], stdout=subprocess.PIPE, stderr=full, env=_env(), timeout=120,
                           check=False)
    assert (p.returncode, p.stdout) == (2, b"")


@pytest.mark.parametrize("args, input", [
    (["diff", "-", "x"], b"x^2\n" * 3000),
    (["diff", "-", "x", "-f", "json"], b"x^2\n" * 3000),
    (["diff", "x^2*sin(x)", "x", "-f", "pretty"], None),
    (["--help"], None),
    (["diff", "--help"], None),
])
def test_a_reader_that_went_away_is_quiet_and_exit_0(args: list[str], input: bytes | None) -> None:
    """A pipe whose read end is closed before jacli writes: EPIPE on the first write."""
    read, write = os.pipe()
    os.close(read)
    try:
        p = _run(args, stdout=write, input=input, stdin=None if input else subprocess.DEVNULL)
    finally:
        os.close(write)
    assert (p.returncode, p.stderr.decode()) == (0, "")


def test_head_dash_1_is_quiet_and_exit_0() -> None:
    p = subprocess.run(["bash", "-c", " ".join(f"'{a}'" for a in JACLI) + " diff - x | head -1; exit ${PIPESTATUS[0]}"],
                       input=b"x^2\n" * 2000, capture_output=True, env=_env(), timeout=120, check=False)
    assert (p.returncode, p.stdout, p.stderr) == (0, b"2*x\n", b"")


# --- input faults --------------------------------------------------------------------------------
BAD_LINES = b"x^2\n\xff\xfe\nsin(x)\n"


@pytest.mark.parametrize("encoding", [None, "utf-8", "ascii", "latin-1"])
def test_undecodable_batch_line_is_that_lines_error(encoding: str | None) -> None:
    env = _env(**({"PYTHONIOENCODING": encoding} if encoding else {}))
    p = _run(["diff", "-", "x"], input=BAD_LINES, env=env)
    assert p.returncode == 2
    # one output line per input line
    assert p.stdout.decode() == "2*x\n# error: the line is not valid UTF-8 text (byte 0xff at column 1)\ncos(x)\n"
    assert p.stderr.decode() == "jacli: line 2: the line is not valid UTF-8 text (byte 0xff at column 1)\n"
    p = _run(["diff", "-", "x", "-f", "json"], input=BAD_LINES, env=env)
    records = [json.loads(line) for line in p.stdout.decode().splitlines()]
    assert [r.get("result") for r in records] == ["2*x", None, "cos(x)"]
    assert records[1]["line"] == 2 and records[1]["status"] == 2 and "not valid UTF-8" in records[1]["error"]


def test_undecodable_byte_column_counts_characters() -> None:
    p = _run(["diff", "-", "x"], input="x + π*x\nπ*x+".encode() + b"\xc3(\n")
    assert p.stdout.decode() == "1 + pi\n# error: the line is not valid UTF-8 text (byte 0xc3 at column 5)\n"
    assert p.stderr.decode() == "jacli: line 2: the line is not valid UTF-8 text (byte 0xc3 at column 5)\n"


# --- signals at random points of a batch ---------------------------------------------------------
BATCH = "".join(f"x^{k}*sin(x) + cos({k}*x)\n" for k in range(1, 400)).encode()


def _full_run(fmt: str) -> list[str]:
    p = _run(["diff", "-", "x", "-f", fmt], input=BATCH)
    assert p.returncode == 0, p.stderr
    return p.stdout.decode().splitlines(keepends=True)


@pytest.mark.parametrize("fmt", ["plain", "json"])
@pytest.mark.parametrize("sig, status, message", [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")])
def test_signal_at_a_random_point_keeps_a_clean_prefix(fmt: str, sig: int, status: int, message: str) -> None:
    """The signal lands anywhere after the first result (inside sympy, between lines, during a
    write): stdout is then exactly the first k lines of an uninterrupted run, nothing partial."""
    full = _full_run(fmt)
    rng = random.Random(f"{fmt}{sig}")
    landed = 0
    for _ in range(3):
        proc = subprocess.Popen([*JACLI, "diff", "-", "x", "-f", fmt], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=_env())
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(BATCH)
        proc.stdin.close()
        first = proc.stdout.readline()  # the handlers are installed once a result is out
        time.sleep(rng.uniform(0.0, 0.6))
        proc.send_signal(sig)
        rest = proc.stdout.read()
        err = proc.stderr.read() if proc.stderr else b""
        proc.wait(timeout=60)
        lines = (first + rest).decode().splitlines(keepends=True)
        assert lines == full[: len(lines)]
        if proc.returncode == 0:  # finished before the signal came: the whole output
            assert lines == full
            continue
        assert proc.returncode == status
        assert err.decode() == f"jacli: {message}\n"
        assert len(lines) < len(full)
        landed += 1
    assert landed, "every run finished before its signal: make BATCH longer"


# --- a plot file on a full disk ------------------------------------------------------------------
@needs_dev_full
@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_file_on_a_full_disk_is_one_line_and_exit_1(tmp_path: Path, suffix: str) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / f"plot{suffix}"
    target.symlink_to(FULL)
    p = _run(["diff", "x^2", "x", "--plot-file", str(target)])
    assert (p.returncode, p.stdout) == (1, b"")
    assert p.stderr.decode() == f"jacli: --plot-file {target}: No space left on device\n"


@needs_dev_full
def test_picture_file_on_a_full_disk_is_one_line_and_exit_1(tmp_path: Path) -> None:
    """The heat maps of jacobian and hessian write through the same figure saving as diff's plot."""
    pytest.importorskip("matplotlib")
    target = tmp_path / "jac.png"
    target.symlink_to(FULL)
    p = _run(["jacobian", "[x*y, x+y]", "--plot-file", str(target)])
    assert (p.returncode, p.stdout) == (1, b"")
    assert p.stderr.decode() == f"jacli: --plot-file {target}: No space left on device\n"
