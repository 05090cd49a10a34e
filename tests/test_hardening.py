"""Resource bounds, the memory limit, deep nesting, and batch safety (timeouts, signals, pipes).

Bounds on what the user types exit 2; bounds on what jacli computes (result size, numbers in
results, time, memory) exit 4. Every refusal is one line on stderr and nothing on stdout.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time

import pytest

from jacli import guard

from .conftest import run
from .tables import SLOW_LINE, rows

# (argv, exit status, a phrase of the message): tests/data/bounds.tsv, and the inputs built by repetition
BOUNDS = [(shlex.split(argv), int(status), phrase) for status, phrase, argv in rows("bounds.tsv", 3)] + [
    (["diff", "x" * 65, "x"], 2, "the limit is 64"),
    (["diff", "1" * 1001 + "*x", "x"], 2, "the limit is 1000"),
    (["diff", "x+" * 10_000 + "x", "x"], 2, "the limit is 20000"),
    (["diff", "(" * 101 + "x" + ")" * 101, "x"], 2, "nested more than 100 levels"),
    (["diff", "-" * 101 + "x", "x"], 2, "nested more than 100 levels"),
]


@pytest.mark.slow
def test_repeated_differentiation_that_explodes_stops_with_exit_4() -> None:
    r = run("diff", "x^x^x^x", "x", "-n", "12", "--timeout", "300")
    assert (r.status, r.stdout) == (4, "")
    assert r.stderr == "jacli: the result is too large: more than 200,000 terms and factors (lower the order or simplify the input)\n"


@pytest.mark.parametrize("argv,status,phrase", BOUNDS, ids=[" ".join(a)[:40] for a, _, _ in BOUNDS])
def test_bounds_give_one_clear_line(argv: list[str], status: int, phrase: str) -> None:
    r = run(*argv, "--timeout", "30")
    assert r.status == status, r
    assert r.stdout == ""
    assert phrase in r.stderr, r.stderr
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("jacli: ")


def test_values_just_inside_the_bounds_are_computed() -> None:
    assert run("diff", "10^3999*x", "x").stdout.strip() == "1" + "0" * 3999
    assert run("diff", "x^(10^100)", "x").stdout.strip() == f"{10**100}*x^{10**100 - 1}"
    assert run("diff", "factorial(1000)*x", "x").stdout.strip() == str(__import__("math").factorial(1000))
    r = run("diff", "(x+1)^100000", "x", "--timeout", "30")
    assert r.stdout.strip() == "100000*(x + 1)^99999"
    name = "x" * 64
    assert run("diff", f"{name}^2", name).stdout.strip() == f"2*{name}"


def test_result_guard_counts_shared_subtrees_as_printed() -> None:
    import sympy as sp

    x = sp.Symbol("x")
    e = x
    for _ in range(40):  # a DAG of 40 nodes whose printed tree has 2^40 leaves
        e = sp.Mul(e, sp.Add(e, 1, evaluate=False), evaluate=False)
    assert guard.tree_size(e, 1000) == 1001
    with pytest.raises(guard.ResourceError):
        guard.check_result(e)
    guard.check_result(sp.Integer(10) ** 3999)
    with pytest.raises(guard.ResourceError):
        guard.check_result(sp.Matrix([[1, sp.Integer(10) ** 4000]]))


def test_result_guard_allows_more_nodes_per_matrix_entry() -> None:
    """A large matrix of small entries (a 200x200 Jacobian) passes; the same nodes in one entry
    do not, nor does a matrix whose entries are each too large."""
    import sympy as sp

    a, b, x = sp.symbols("a b x")
    small = a + b * x  # 5 nodes
    entries = guard.MAX_RESULT_NODES // 4  # more nodes in all than MAX_RESULT_NODES
    big = sp.Matrix(entries, 1, [small] * entries)
    assert sum(guard.tree_size(e, 10) for e in big) > guard.MAX_RESULT_NODES
    guard.check_result(big)
    one = sp.Add(*[sp.Symbol(f"s{i}") * x for i in range(guard.MAX_RESULT_NODES // 3 + 1)])
    with pytest.raises(guard.ResourceError):
        guard.check_result(one)
    per_entry = sp.Add(*[sp.Symbol(f"t{i}") for i in range(guard.NODES_PER_ENTRY * 2)])
    with pytest.raises(guard.ResourceError, match="too large"):
        guard.check_result(sp.Matrix(guard.MAX_RESULT_NODES // guard.NODES_PER_ENTRY, 1,
                                     [per_entry] * (guard.MAX_RESULT_NODES // guard.NODES_PER_ENTRY)))


def test_memory_limit_is_restored_and_honours_the_hard_limit() -> None:
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    with guard.memory_limit(100_000):
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        assert soft == min(100_000 * 2**20, hard) if hard != resource.RLIM_INFINITY else soft == 100_000 * 2**20
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    with guard.memory_limit(0):
        assert resource.getrlimit(resource.RLIMIT_AS) == before


def _jacli(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jacli", *args], capture_output=True, text=True,
                          timeout=120, **kw)  # type: ignore[call-overload]


def test_memory_limit_turns_a_blowup_into_exit_4() -> None:
    """sympy computes 2^(10^100) for this limit; 400 MB of address space stops it cleanly."""
    p = _jacli("limit", "x^(10^100)", "x", "2", "--memory", "400", "--timeout", "100")
    assert p.returncode == 4, p.stderr
    assert p.stdout == ""
    assert p.stderr == "jacli: out of memory (the limit is 400 MB; see --memory)\n"


def test_default_memory_limit_lets_numpy_work() -> None:
    p = _jacli("diff", "x^2*sin(x)", "x", "--check", "-f", "json", env={**os.environ, "OPENBLAS_NUM_THREADS": "64"})
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["check"]["ok"] is True


DEPTH = 99  # the parser allows 100 levels


def test_deep_nesting_differentiates_simplifies_and_prints() -> None:
    text = "sin(" * DEPTH + "x" + ")" * DEPTH
    r = run("diff", text, "x", "--timeout", "60")
    assert r.status == 0, r.stderr
    assert r.stdout.count("cos(") == DEPTH
    assert "Recursion" not in r.stderr


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["plain", "latex", "json", "pretty"])
@pytest.mark.parametrize("shape", ["sin(1+{}", "exp(x*{}", "1/(1+{}", "sqrt(1+x*{}", "tower"])
def test_deep_nesting_every_format_and_check(shape: str, fmt: str) -> None:
    if shape == "tower":
        text = "^".join(["x"] * DEPTH)
    else:
        text = shape.replace("{}", "") * DEPTH + "x" + ")" * DEPTH
    r = run("diff", text, "x", "-f", fmt, "--timeout", "120")
    assert r.status == 0, r.stderr
    assert r.stdout.strip()
    if fmt == "plain":
        c = run("diff", text, "x", "--check", "--timeout", "120")
        assert c.status == 0, c.stderr


# --- batch safety ------------------------------------------------------------------------------


def test_batch_line_that_times_out_is_reported_and_the_next_runs() -> None:
    r = run("diff", "-", "x", "-f", "json", "--timeout", "0.5", input=f"x^2\n{SLOW_LINE}\nx^3\n")
    assert r.status == 4
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert records[0]["result"] == "2*x"
    assert records[1] == {"line": 2, "error": "gave up after 0.5 seconds (--timeout)", "status": 4}
    assert records[2]["result"] == "3*x^2"
    assert r.stderr == "jacli: line 2: gave up after 0.5 seconds (--timeout)\n"


def _start_batch(*extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "jacli", "diff", "-", "x", *extra], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _read_lines(proc: subprocess.Popen[str], n: int, seconds: float = 60) -> list[str]:
    """Read n lines of stdout as they come: proves each result was flushed on its own."""
    assert proc.stdout is not None
    got: list[str] = []
    stop = time.monotonic() + seconds
    while len(got) < n and time.monotonic() < stop:
        got.append(proc.stdout.readline().rstrip("\n"))
    return got


@pytest.mark.parametrize("sig,status,message", [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")])
def test_interrupted_batch_keeps_every_finished_line(sig: int, status: int, message: str) -> None:
    proc = _start_batch("--timeout", "100")
    assert proc.stdin is not None
    proc.stdin.write("x^2\nsin(x)\n")
    proc.stdin.flush()
    assert _read_lines(proc, 2) == ["2*x", "cos(x)"]  # flushed while the batch is still open
    proc.stdin.write(SLOW_LINE + "\n")  # busy inside sympy when the signal comes
    proc.stdin.flush()
    time.sleep(1.0)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == status
    assert out == ""
    assert err == f"jacli: {message}\n"


def test_sigterm_while_waiting_for_input_is_quiet_and_clean() -> None:
    proc = _start_batch()
    assert proc.stdin is not None
    proc.stdin.write("x^3\n")
    proc.stdin.flush()
    assert _read_lines(proc, 1) == ["3*x^2"]
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143 and out == "" and err == "jacli: terminated\n"


def test_closed_pipe_exits_quietly() -> None:
    lines = "\n".join(["x^2"] * 200) + "\n"
    p = subprocess.run(f"{sys.executable} -m jacli diff - x | head -1", shell=True, input=lines,
                       capture_output=True, text=True, timeout=120)
    assert p.stdout == "2*x\n"
    assert p.stderr == ""


@pytest.mark.parametrize("power", ["oo^1", "(-oo)^3", "oo^(-1)", "2^oo"])
def test_powers_of_infinity_pass_the_digit_bound(power: str) -> None:
    # the bound on exact powers took oo for a rational and raised TypeError (found by the slow fuzz run)
    import sympy as sp

    r = run("diff", f"x*{power}", "x")
    assert r.status == 0 and r.stderr == "", r.stderr
    x = sp.Symbol("x")
    assert r.stdout == str(sp.diff(x * sp.sympify(power.replace("^", "**")), x)) + "\n"
    assert r.stdout == {"oo^1": "oo\n", "(-oo)^3": "-oo\n", "oo^(-1)": "0\n", "2^oo": "oo\n"}[power]
    limit = run("limit", power)
    assert (limit.status, limit.stdout) == (2, "")
    assert limit.stderr == "jacli: the expression has no variable; name one: jacli limit EXPR VAR POINT\n"


def test_a_dirac_delta_at_the_point_is_an_evaluation_error() -> None:
    # the second derivative of abs at 0 is 2*DiracDelta(0): float() raised TypeError (slow fuzz run)
    for argv in (["diff", "abs(x)", "x", "-n", "2", "--at", "x=0"],
                 ["hessian", "-(abs(x))", "--wrt", "x,y", "-v", "x:1", "-v", "y:1", "--at", "x=0", "--at", "y=0"]):
        r = run(*argv)
        assert r.status == 1 and r.stdout == "", r.stderr
        assert r.stderr.startswith("jacli: the result has no numerical value at this point (") and "DiracDelta(0)" in r.stderr
        assert r.stderr.count("\n") == 1
