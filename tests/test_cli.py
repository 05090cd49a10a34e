"""The command line: exit statuses, stdout/stderr separation, formats, batch mode, options."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import run
from .tables import rows


def test_issue_examples_in_all_formats() -> None:
    r = run("diff", "x^2*sin(x)", "x", "-f", "plain")
    assert (r.status, r.stdout, r.stderr) == (0, "x^2*cos(x) + 2*x*sin(x)\n", "")
    assert run("limit", "sin(x)/x", "x", "0").stdout == "1\n"
    assert run("limit", "(1+1/n)^n", "n").stdout == "e\n"
    r = run("limit", "1/x", "x", "0", "-f", "json")
    assert r.status == 0
    data = r.json()
    assert (data["exists"], data["left"], data["right"]) == (False, "-oo", "oo")
    assert run("diff", "[[x, x^2], [sin(x), 1]]", "x").stdout == "[[1, 2*x], [cos(x), 0]]\n"


def test_json_schema() -> None:
    data = run("diff", "x^2*sin(x)", "x", "-f", "json").json()
    assert data == {
        "command": "diff",
        "input": "x^2*sin(x)",
        "wrt": ["x"],
        "layout": None,
        "shape": [],
        "result": "x^2*cos(x) + 2*x*sin(x)",
        "latex": r"x^{2} \cos{\left(x \right)} + 2 x \sin{\left(x \right)}",
        "notes": [],
    }
    data = run("diff", "[[x, x^2], [sin(x), 1]]", "x", "-f", "json", "--at", "x=0").json()
    assert data["shape"] == [2, 2]
    assert data["value"] == [[1.0, 0.0], [1.0, 0.0]]
    data = run("limit", "sin(x)/x", "x", "0", "-f", "json").json()
    assert data["exists"] is True and data["result"] == "1"


def test_latex_format() -> None:
    r = run("diff", "[[x, x^2], [sin(x), 1]]", "x", "--latex")
    assert r.status == 0
    assert r"\begin{bmatrix}" in r.stdout and r"\end{bmatrix}" in r.stdout
    assert run("limit", "1/x", "x", "0", "-f", "latex").stdout.count(r"\lim") == 3


def test_pretty_format_has_no_markup_leak() -> None:
    r = run("diff", "[x, x^2]", "x", "-f", "pretty", env={"NO_COLOR": "1"})
    assert r.status == 0
    assert "\x1b[" not in r.stdout
    assert "⎡" in r.stdout or "[" in r.stdout


def test_plain_is_default_when_piped() -> None:
    r = run("diff", "x^3", "x")
    assert r.stdout == "3*x^2\n"


# tests/data/cli_commands.tsv: arguments and the exact stdout
COMMANDS = [(shlex.split(argv), out + "\n") for argv, out in rows("cli_commands.tsv", 2)]


@pytest.mark.parametrize("args, out", COMMANDS)
def test_commands(args: list[str], out: str) -> None:
    r = run(*args)
    assert (r.status, r.stdout, r.stderr) == (0, out, "")


# tests/data/cli_errors.tsv: arguments, exit status and a phrase of the message
ERRORS = [(shlex.split(argv), int(status), message) for status, message, argv in rows("cli_errors.tsv", 3)]


@pytest.mark.parametrize("args, status, message", ERRORS)
def test_errors_are_one_line_with_status(args: list[str], status: int, message: str) -> None:
    r = run(*args)
    assert r.status == status
    assert r.stdout == ""
    assert message in r.stderr
    assert r.stderr.startswith("jacli: ")
    assert len(r.stderr.splitlines()) <= 2
    assert "Traceback" not in r.stderr


def test_injection_makes_no_file(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    r = run("diff", f"__import__('os').system('touch {target}')", "x")
    assert r.status == 2 and not target.exists()
    assert len(r.stderr.splitlines()) == 2


def test_batch_mode_goes_on_after_a_bad_line() -> None:
    r = run("diff", "-", "x", input="x^2\nsin(\n# comment\n\nx^3\n")
    # one output line per input line: a bad line leaves a comment, blank and comment lines an empty line
    assert r.stdout == "2*x\n# error: expression ends too early\n\n\n3*x^2\n"
    assert r.status == 2
    assert "line 2:" in r.stderr


def test_batch_json_error_records() -> None:
    r = run("diff", "-", "x", "-f", "json", input="x^2\nsin(\n")
    lines = [json.loads(line) for line in r.lines()]
    assert lines[0]["result"] == "2*x"
    assert lines[1] == {"line": 2, "error": "expression ends too early", "status": 2, "column": 5}
    assert r.status == 2


def test_check_reports_agreement() -> None:
    data = run("diff", "x^2*sin(x)", "x", "--check", "-f", "json").json()
    assert data["check"]["ok"] is True
    assert data["check"]["max_abs_error"] < 1e-8


def test_check_mismatch_exits_3() -> None:
    # relu is not differentiable at 0: jacli's convention relu'(0) = 0 disagrees with the
    # symmetric difference quotient 1/2, and --check says so.
    r = run("diff", "relu(x)", "x", "--at", "x=0", "--check", "-f", "json")
    assert r.status == 3
    assert json.loads(r.stdout)["check"]["ok"] is False
    assert "--check" in r.stderr


def test_timeout_exits_4() -> None:
    r = run("diff", "exp(sin(x^x))^tan(x)", "x", "-n", "14", "--timeout", "0.5")
    assert (r.status, r.stdout) == (4, "")
    assert r.stderr == "jacli: gave up after 0.5 seconds (--timeout)\n"


def test_timeout_in_batch_reports_the_line_and_goes_on() -> None:
    r = run("diff", "-", "x", "-n", "14", "--timeout", "0.5", "-f", "json", input="x^5\nexp(sin(x^x))^tan(x)\nx^3\n")
    lines = [json.loads(line) for line in r.lines()]
    assert lines[0]["result"] == "0"
    assert lines[1] == {"line": 2, "error": "gave up after 0.5 seconds (--timeout)", "status": 4}
    assert lines[2]["result"] == "0"
    assert r.status == 4


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("jacli ")
    r = run("--help")
    assert r.status == 0 and "limit" in r.stdout and "hessian" in r.stdout
    assert run("diff", "--help").status == 0


def _subprocess(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    return subprocess.run([sys.executable, "-m", "jacli", *args], input=input, capture_output=True, text=True,
                          env=env, timeout=120)


def test_python_dash_m_and_closed_pipe() -> None:
    p = _subprocess("diff", "x^2*sin(x)", "x")
    assert p.returncode == 0 and p.stdout == "x^2*cos(x) + 2*x*sin(x)\n" and p.stderr == ""
    # a reader that goes away early: no traceback, no noise
    shell = subprocess.run(
        f"printf 'x^2\\nx^3\\nx^4\\n' | {sys.executable} -m jacli diff - x | head -1",
        shell=True, capture_output=True, text=True, timeout=120,
    )
    assert shell.stdout == "2*x\n"
    assert "Traceback" not in shell.stderr and "Broken pipe" not in shell.stderr


@pytest.mark.parametrize(
    "argv, env, expected",
    [
        (["--help"], {}, "Limits, derivatives"),
        (["--version"], {}, "jacli 0.1.0"),
        (["diff", "--help"], {}, "--order"),
        ([], {"_JACLI_COMPLETE": "bash_complete", "COMP_WORDS": "jacli ja", "COMP_CWORD": "1"}, "plain,jacobian"),
        ([], {"_JACLI_COMPLETE": "bash_complete", "COMP_WORDS": "jacli diff --fo", "COMP_CWORD": "2"}, "plain,--format"),
    ],
)
def test_help_does_not_import_sympy(argv: list[str], env: dict[str, str], expected: str) -> None:
    """--help, --version and shell completion answer without importing sympy, numpy or rich."""
    code = (
        f"import sys; from jacli.cli import main\ntry:\n main({argv!r} or None)\nexcept SystemExit: pass\n"
        "print('sympy' in sys.modules, 'numpy' in sys.modules, 'rich' in sys.modules)"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env={**os.environ, **env})
    assert p.stdout.strip().endswith("False False False"), p.stdout + p.stderr
    assert expected in p.stdout


def test_core_does_not_import_click_or_rich() -> None:
    code = (
        "import sys, jacli; r = jacli.gradient('x^2*y', shapes={}); "
        "print(jacli.format_result(r, 'json')); print('click' in sys.modules, 'rich' in sys.modules)"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.stdout.strip().endswith("False False"), p.stdout + p.stderr


@pytest.mark.parametrize(
    "args, result",
    [
        (["sin(x)/x", "x", "0"], "1"),
        (["(1+1/n)^n", "n"], "E"),
        (["x*log(x)", "x", "0", "--dir", "+"], "0"),
        (["x^0.1", "x", "0", "--dir", "+"], "0"),  # slow convergence is not a mismatch
        (["1/x", "x", "0"], None),
        (["sin(a*x)/x", "x", "0", "--at", "a=2"], "a"),
    ],
)
def test_limit_check(args: list[str], result: str | None) -> None:
    r = run("limit", *args, "--check", "-f", "json")
    assert r.status == 0, r.stderr
    data = r.json()
    assert data["check"]["ok"] is True
    assert data["result"] == (None if result is None else result.replace("E", "e"))


def test_limit_check_catches_a_wrong_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import sympy

    real = sympy.limit
    monkeypatch.setattr(sympy, "limit", lambda e, x, a, dir="+": real(e, x, a, dir) + 1)
    r = run("limit", "sin(x)/x", "x", "0", "--check", "-f", "json")
    assert r.status == 3
    assert r.json()["check"]["ok"] is False


def test_check_catches_a_wrong_derivative(monkeypatch: pytest.MonkeyPatch) -> None:
    import sympy

    import jacli.calculus as calculus

    real = calculus.diff_entries
    monkeypatch.setattr(calculus, "diff_entries", lambda v, s: real(v, s) + sympy.Rational(1, 10**4) * s)
    r = run("diff", "x^2*sin(x)", "x", "--check", "-f", "json")
    assert r.status == 3
    assert r.json()["check"]["ok"] is False and r.json()["check"]["max_abs_error"] > 1e-5


def test_vector_commands_take_variables_as_arguments() -> None:
    assert run("grad", "x^2 + y^2", "y", "x").stdout == "[2*y, 2*x]  # denominator layout\n"
    r = run("grad", "x^2 + y^2", "y", "--wrt", "x")
    assert r.status == 2 and "either after EXPR or with --wrt" in r.stderr


def test_notes_go_to_stderr_in_plain_output() -> None:
    r = run("limit", "2 + 3", "n")
    assert r.stdout == "5\n"
    assert r.stderr == "jacli: note: n does not occur in the expression, so the limit is the expression itself\n"
    assert run("limit", "2 + 3", "n", "-f", "json").json()["notes"] == [
        "n does not occur in the expression, so the limit is the expression itself"
    ]


def test_help_lists_aliases_and_exit_statuses() -> None:
    text = run("--help").stdout
    assert "derivative (diff)" in text and "4 time or resource" in text.replace("\n  ", " ")


def test_deadlines_leave_no_timer_behind() -> None:
    import signal
    import time

    from jacli import budget
    from jacli.errors import Timeout

    before = signal.getsignal(signal.SIGALRM)
    for _ in range(20):  # time out over and over, including inside the clean-up's reach
        try:
            with budget.deadline(0.01):
                while True:
                    time.sleep(0.001)
        except Timeout:
            pass
    assert budget.remaining() is None
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == before
    time.sleep(0.2)  # no tick arrives later


# At a corner of abs, relu, max or min the value is PyTorch's choice (sign(0) = step(0) = 0) and a
# note says the derivative does not exist there; where it does exist (x*|x|, relu^2) there is none.
CORNERS = [
    (["diff", "abs(x)", "x", "--at", "x=0"], "0", "where x = 0"),
    (["diff", "relu(x)", "x", "--at", "x=0"], "0", "step(0) = 0"),
    (["diff", "max(x, 1)", "x", "--at", "x=1"], "0", "where x - 1 = 0"),
    (["grad", "abs(x) + relu(y)", "--at", "x=1,y=0"], "[1, 0]  # denominator layout", "where y = 0"),
    (["jacobian", "[abs(x - y), x]", "--at", "x=1,y=1"], "[[0, 0], [1, 0]]  # numerator layout", "where x - y = 0"),
    (["grad", "sum(relu(x))", "-v", "x:2", "--at", "x=[0,1]"], "[0, 1]  # denominator layout", "where x[0] = 0"),
    (["diff", "x*abs(x)", "x", "--at", "x=0"], "0", None),
    (["diff", "relu(x)^2", "x", "--at", "x=0"], "0", None),
    (["diff", "abs(x)", "x", "--at", "x=2"], "1", None),
]


@pytest.mark.parametrize("args, out, note", CORNERS)
def test_a_corner_value_is_never_silent(args: list[str], out: str, note: str | None) -> None:
    r = run(*args)
    assert (r.status, r.stdout) == (0, out + "\n")
    if note is None:
        assert r.stderr == ""
    else:
        assert r.stderr.startswith("jacli: note: the derivative does not exist at this point") and note in r.stderr
        assert r.stderr.count("\n") == 1
