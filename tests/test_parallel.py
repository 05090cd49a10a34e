"""--jobs N for batch mode: the same output, records and exit status as --jobs 1, in input order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from .tables import SLOW_LINE

BATCH = "\n".join([
    "x^2", "sin(x)", "", "# a comment", "x^", "exp(x)*cos(x)", SLOW_LINE, "log(x)/x", "1/0*x", "y^2*x",
    *(f"x^{k}*sin({k}*x)" for k in range(1, 30)), "sqrt(", "tanh(x)^2",
]) + "\n"


def _batch(*args: str, text: str = BATCH) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jacli", "diff", "-", "x", *args], input=text,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("fmt", ["json", "plain"])
def test_jobs_2_gives_exactly_the_output_of_jobs_1(fmt: str) -> None:
    one = _batch("-f", fmt, "--timeout", "0.5", "--jobs", "1")
    two = _batch("-f", fmt, "--timeout", "0.5", "--jobs", "2")
    assert two.stdout == one.stdout
    assert two.stderr == one.stderr
    assert two.returncode == one.returncode == 2  # the first failure's status: the parse error of line 5
    errors = one.stderr.splitlines()
    assert "jacli: line 7: gave up after 0.5 seconds (--timeout)" in errors  # the timeout is enforced per line
    assert errors[0].startswith("jacli: line 5: '^' needs an exponent")
    if fmt == "json":
        assert len(one.stdout.splitlines()) == 39  # one record per non-blank, non-comment line


def test_jobs_reports_a_bad_declaration_once_as_one_process_does() -> None:
    one = _batch("-v", "x:0", "--jobs", "1", text="x\nx^2\n")
    two = _batch("-v", "x:0", "--jobs", "2", text="x\nx^2\n")
    assert (two.stdout, two.stderr, two.returncode) == (one.stdout, one.stderr, one.returncode)
    assert one.returncode == 2 and one.stdout == "" and len(one.stderr.splitlines()) == 1


def test_a_worker_that_dies_costs_only_its_line() -> None:
    script = textwrap.dedent("""
        import os, sys
        from jacli import cli, parallel
        import jacli

        def compute(text, ws):
            if text == "die":
                os._exit(9)  # a crash in C code, as far as the parent can tell
            return jacli.diff(text, "x", ws=ws)

        run = cli.Run(compute, {"fmt": "json"})
        lines = [f"x^{k}" for k in range(2, 30)] + ["die"] + [f"sin({k}*x)" for k in range(1, 20)]
        sys.exit(parallel.batch(run, [line + "\\n" for line in lines], 2))
    """)
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    records = [__import__("json").loads(line) for line in r.stdout.splitlines()]
    assert len(records) == 28 + 1 + 19
    assert [rec["result"] for rec in records[:28]] == [f"{k}*x^{k - 1}" if k > 2 else "2*x" for k in range(2, 30)]
    assert records[28] == {"line": 29, "error": "internal error: the worker process computing this line died", "status": 1}
    assert records[29]["result"] == "cos(x)"
    assert r.stderr == "jacli: line 29: internal error: the worker process computing this line died\n"
    assert r.returncode == 1


def test_sigterm_stops_the_workers_too() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "jacli", "diff", "-", "x", "--jobs", "2", "--timeout", "100"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    assert proc.stdin is not None
    proc.stdin.write(f"x^2\n{SLOW_LINE}\n{SLOW_LINE}\n")
    proc.stdin.flush()
    time.sleep(3)  # the workers are inside sympy
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert err == "jacli: terminated\n"
    for _ in range(100):  # the whole process group is gone: no orphaned worker computes on
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("worker processes outlived the batch")
