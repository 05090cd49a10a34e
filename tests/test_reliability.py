"""Regression tests for issue 16: internal errors found by attacking jacli, --at values and @FILE,
option errors in batch mode. (Faults of the streams and signals: tests/test_faults.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from jacli import atvalue
from jacli.errors import UsageError
from jacli.functions import compile_numpy

from .conftest import run


def one_line(r: object, status: int) -> str:
    """The single stderr line of an error with nothing on stdout."""
    assert (r.status, r.stdout) == (status, ""), r  # type: ignore[attr-defined]
    lines = r.stderr.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("jacli: "), r
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr  # type: ignore[attr-defined]
    return str(lines[0])


# --- internal errors, fixed at the root ------------------------------------------------------------
def test_an_unused_symbolic_declaration_beside_used_ones_checks() -> None:
    """-v X:m,n declared but unused: its size m was never drawn (KeyError: 'm')."""
    r = run("jacobian", "x", "-v", "M:4x1", "-v", "x:n", "-v", "X:m,n", "-f", "json", "--check", "--timeout", "10")
    assert r.status == 0, r.stderr
    record = r.json()
    assert record["result"] == "I(n)" and record["check"]["ok"] is True
    r = run("jacobian", "x", "-v", "M:4x1", "-v", "x:n", "-v", "X:m,n", "--at", "x=[1,2]", "--check")
    assert r.status == 0 and r.stdout.startswith("[[1, 0], [0, 1]]"), r.stderr
    r = run("grad", "x'*A*x", "-v", "x:n", "-v", "A:n,n", "-v", "X:m,k", "-v", "W:2x3", "--check", "-f", "json")
    assert r.status == 0 and r.json()["check"]["ok"] is True, r.stderr


@pytest.mark.parametrize("expr", ["acot(7e372^t)", "atan(1e300^t)", "sin(t*10^30)^2", "exp(-7e372*t^2)", "log(1+t^2*10^400)"])
def test_huge_literals_under_check_are_no_internal_error(expr: str) -> None:
    """A literal beyond a float (7e372 is an exact integer) reached numpy as a Python int:
    OverflowError, or an object array without log."""
    r = run("diff", expr, "t", "--check", "--timeout", "30")
    assert "internal error" not in r.stderr, r.stderr
    if expr == "atan(1e300^t)":  # checked at a point where 10^(300 t) is a float
        assert (r.status, r.stderr) == (0, ""), r
        assert r.stdout == f"{10**300}^t*log({10**300})/({10**300}^(2*t) + 1)\n"
    elif expr == "sin(t*10^30)^2":  # exact, but 10^30 t is beyond what finite differences resolve
        assert r.status == 3 and r.stdout.startswith(f"{2 * 10**30}*sin({10**30}*t)*cos({10**30}*t)  # check: DISAGREES")
        assert r.stderr.startswith("jacli: --check: the result disagrees with central finite differences at t = ")
        assert r.stderr.count("\n") == 1, r.stderr
    else:
        assert one_line(r, 1) == ("jacli: --check found no point where the expression and its derivative are finite; "
                                  "give one with --at")


def test_acot_of_a_huge_power_is_one_line_exit_1() -> None:
    line = one_line(run("diff", "acot(7e372^t)", "t", "--check"), 1)
    assert "--check found no point where the expression and its derivative are finite" in line


def test_numbers_beyond_floats_compile_to_floats() -> None:
    x = sp.Symbol("x")
    f = compile_numpy([x], [sp.Integer(7) * sp.Integer(10) ** 372 * x, sp.log(sp.Integer(10) ** 30 * x),
                            x / sp.Integer(10) ** 400, sp.Rational(1, 3) * x])
    with np.errstate(all="ignore"):
        big, log, tiny, third = (float(v) for v in f(np.float64(2.0)))
    assert big == np.inf and tiny == 0.0
    assert log == pytest.approx(30 * np.log(10) + np.log(2)) and third == pytest.approx(2 / 3)


def test_overflowing_powers_and_factorials_under_check() -> None:
    assert one_line(run("diff", "x^2000", "x", "--check", "--at", "x=1.7"), 1).endswith("needs a point where both are")
    for expr in ("factorial(x)", "factorial(300*x)"):
        r = run("diff", expr, "x", "--check", "-f", "json")
        assert r.status == 0 and r.json()["check"]["ok"] is True, r.stderr


# --- --at values and @FILE ---------------------------------------------------------------------------
SECRET = "root:x:0:0:SECRET_PASSWORD_hash:/root:/bin/bash\nTOKEN=s3cr3t_t0ken\n"


@pytest.mark.parametrize("content", [SECRET, "API_KEY_abcdef", "[1, 2, SECRET]", "[[1,2],[3]]", "9^9^9^9",
                                     "factorial(12345)", "@/etc/passwd", "1e99999", "x" * 70])
@pytest.mark.parametrize("shape", ["x:3", "x:n", "x:2x2", None])
def test_file_errors_name_the_file_never_its_contents(tmp_path: Path, content: str, shape: str | None) -> None:
    path = tmp_path / "value.txt"
    path.write_text(content)
    decl = ["-v", shape] if shape else []
    r = run("grad", "sum(x)" if shape else "x^2", "--wrt", "x", *decl, "--at", f"x=@{path}")
    line = one_line(r, 2)
    assert line.startswith(f"jacli: --at x=@{path}: ") or line.startswith("jacli: --at x: x is a"), line
    line = line.removeprefix(f"jacli: --at x=@{path}: ")
    for word in ("SECRET", "s3cr3t", "API_KEY", "root", "12345", "passwd", "xxx", "9^9"):
        assert word not in line, line


def test_file_errors_give_the_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "v.txt"
    path.write_text("[1,\n 2,\n 3 $]\n")
    assert one_line(run("grad", "sum(x)", "-v", "x:3", "--at", f"x=@{path}"), 2) == (
        f"jacli: --at x=@{path}: not a number or a list of numbers (line 3, column 4)")
    path.write_bytes(b"\n\n  [1, 2,\xff]")
    assert one_line(run("grad", "sum(x)", "-v", "x:3", "--at", f"x=@{path}"), 2) == (
        f"jacli: --at x=@{path}: not UTF-8 text (byte 0xff at line 3, column 9)")
    path.write_text("[1, 2,\n abc]")
    assert one_line(run("grad", "sum(x)", "-v", "x:3", "--at", f"x=@{path}"), 2) == (
        f"jacli: --at x=@{path}: a name where a number was expected (line 2, column 2)")


def test_values_over_several_lines_of_a_file_are_read(tmp_path: Path) -> None:
    path = tmp_path / "W.txt"
    path.write_text("[[1, 2],\r\n [3, 4]]\n")
    r = run("grad", "sum(W)", "-v", "W:2x2", "--at", f"W=@{path}", "-f", "json")
    assert r.status == 0, r.stderr
    assert r.json()["at"] == {"W": "[[1, 2], [3, 4]]"}


@pytest.mark.parametrize("shape", ["x:3", "x:n"])
@pytest.mark.parametrize("depth, phrase", [(5_000_000, "the value is 10000001 characters long; the limit is 20000"),
                                           (150, "the value is nested more than 100 levels deep (line 1, column 101)")])
def test_deeply_nested_lists_in_files_exit_2(tmp_path: Path, shape: str, depth: int, phrase: str) -> None:
    path = tmp_path / "deep.txt"
    path.write_text("[" * depth + "1" + "]" * depth)
    assert one_line(run("grad", "sum(x)", "-v", shape, "--at", f"x=@{path}"), 2) == f"jacli: --at x=@{path}: {phrase}"


# (value, the name it is refused for); diff x^2 x for numbers, grad x'*x -v x:3 for lists (diff x^2 of a
# 3-vector was refused for the power before the value was read)
NAMED_VALUES = [("0x1F", "x1F' (numbers are decimal: 31, not 0x1F)"), ("0b101", "b101' (numbers are decimal: 5, not 0b101)"),
                ("0o17", "o17' (numbers are decimal: 15, not 0o17)"), ("2e3x", "x'"), ("10x", "x'"), ("[1,2,abc]", "abc'"),
                ("2x", "x'"), ("x", "x'"), ("sin(y)", "y'")]


@pytest.mark.parametrize("value", [v for v, _ in NAMED_VALUES] + ["[1, pi, oo]"])
def test_at_values_refuse_names(value: str) -> None:
    argv = ["grad", "x'*x", "-v", "x:3"] if value.startswith("[") else ["diff", "x^2", "x"]
    r = run(*argv, "--at", f"x={value}")
    if value == "[1, pi, oo]":  # constants are numbers: refused for not being finite, not as names
        assert one_line(r, 1) == "jacli: the result is infinite at this point (oo)"
        return
    assert one_line(r, 2) == f"jacli: --at x={value}: the value must be a number, not the name '{dict(NAMED_VALUES)[value]}"


def test_at_values_keep_exact_numbers_and_constants() -> None:
    r = run("diff", "x^2", "x", "--at", "x=pi/3", "-f", "json")
    assert r.json()["exact"] == "2*pi/3"
    r = run("diff", "x^2", "x", "--at", "x=sqrt(2)*e", "-f", "json")
    assert r.json()["exact"] == "2*sqrt(2)*e"
    assert run("diff", "x^2", "x", "--at", "x=0x1F").stderr == (
        "jacli: --at x=0x1F: the value must be a number, not the name 'x1F' (numbers are decimal: 31, not 0x1F)\n")


def test_file_reading_can_be_turned_off(tmp_path: Path) -> None:
    path = tmp_path / "v.txt"
    path.write_text("2")
    assert run("diff", "x^2", "x", "--at", f"x=@{path}").stdout == "4\n"
    r = run("diff", "x^2", "x", "--at", f"x=@{path}", env={atvalue.NO_FILES_ENV: "1"})
    assert one_line(r, 2) == f"jacli: --at x=@{path}: reading values from files is turned off (JACLI_NO_FILES)"
    assert run("diff", "x^2", "x", "--at", f"x=@{path}", env={atvalue.NO_FILES_ENV: "0"}).status == 0


def test_a_file_is_read_once_even_if_it_names_another(tmp_path: Path) -> None:
    inner = tmp_path / "inner.txt"
    inner.write_text("2")
    outer = tmp_path / "outer.txt"
    outer.write_text(f"@{inner}")
    assert one_line(run("diff", "x^2", "x", "--at", f"x=@{outer}"), 2).startswith(
        f"jacli: --at x=@{outer}: not a number or a list of numbers (line 1, column ")


def test_atvalue_positions() -> None:
    v = atvalue.AtValue("x", "[1,  2]", "f", "\n\n  [1,\n  2]", 4)
    assert v.where(0) == "line 3, column 3"
    with pytest.raises(UsageError, match="bad --at"):
        atvalue.split("x")


# --- option errors ---------------------------------------------------------------------------------
def test_plot_file_without_a_name_is_exit_2() -> None:
    line = one_line(run("diff", "x^2", "x", "--plot-file", ""), 2)
    assert "--plot-file" in line and "needs a file name" in line


@pytest.mark.parametrize("options, phrase", [
    (["-v", "x:2", "-v", "x:3"], "'x' is declared twice with different shapes"),
    (["--at", "x=0x1F"], "not the name 'x1F'"),
    (["--at", "x=@/nonexistent/file"], "cannot read the file: No such file or directory"),
    (["--let", "q=x^"], "'^' needs an exponent"),
    (["--func", "f(("], "bad --func"),
])
@pytest.mark.parametrize("fmt", ["plain", "json"])
def test_option_errors_in_batch_mode_are_reported_once_before_any_line(options: list[str], phrase: str, fmt: str) -> None:
    r = run("diff", "-", "x", *options, "-f", fmt, input="x^2\nsin(x)\nx^3\n")
    assert r.status == 2 and r.stdout == ""
    assert phrase in r.stderr and r.stderr.startswith("jacli: ") and "line 1" not in r.stderr
    assert r.stderr.count("jacli:") == 1, r.stderr


def test_a_good_batch_still_runs_with_at_values_and_files(tmp_path: Path) -> None:
    path = tmp_path / "v.txt"
    path.write_text("3")
    r = run("diff", "-", "x", "--at", f"x=@{path}", "-f", "json", input="x^2\nx^3\n")
    assert r.status == 0, r.stderr
    assert [json.loads(line)["exact"] for line in r.stdout.splitlines()] == ["6", "27"]


@pytest.mark.parametrize("expr, at, status, phrase", [
    ("exp((7e372)^t)", "t=1", 0, ""),  # mpmath overflowed inside nsimplify: the exact form is kept
    ("sin(sin((-7e372)^t)) + t", "t=1/2", 1, "the result's value at this point is too large to compute"),
    ("tanh(exp(t^2 + (7e372))) + t", "t=0", -1, "the result's value at this point is too large to compute"),
    ("factorial((-7e372)*t)", "t=pi/3", 1, "the result is undefined at this point (a pole of the function)"),
])
def test_values_beyond_mpmath_at_the_point(expr: str, at: str, status: int, phrase: str) -> None:
    """Found by the slow fuzz run of huge literals: OverflowError 'too many digits in integer'."""
    r = run("diff", expr, "t", "--at", at, "-f", "json")
    if status == -1:  # sympy's caches decide whether tanh(exp(7e372)) evaluates to 1 or overflows: either is clean
        if r.status == 0:
            assert r.json()["value"] == 1.0
            return
        status = 1
    if status == 0:
        assert r.status == 0 and r.json()["value"] == "oo", r.stderr
    else:
        assert one_line(r, status) == f"jacli: {phrase}"


def test_a_sympy_error_on_an_exact_value_is_one_line() -> None:
    """Found by the slow fuzz run: sympy's factorint raises ValueError on the exact value of
    asinh(1e-300*t)' at t=1/2 (the square root of 1/4 + 10^600); one line and exit 1, no
    internal error."""
    r = run("diff", "asinh((1e-300)*t)", "t", "-f", "plain", "--check", "--at", "t=1/2")
    assert (r.status, r.stdout) == (1, "")
    assert r.stderr == "jacli: sympy could not compute the exact value at this point\n"
