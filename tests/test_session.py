"""The interactive session (jacli repl, or jacli alone on a terminal).

One test drives a real session through a pseudo-terminal (pexpect): declarations persist, `_`
is the last result, an error does not end the session, Ctrl-C during a slow limit returns to
the prompt, the history file is written. The others feed the session through a pipe, in-process.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from jacli.session import Session, State, _declared_on_line, history_path
from jacli.session_complete import candidates

from .conftest import run
from .tables import SLOW_LINE

pexpect = pytest.importorskip("pexpect")

SLOW_LIMIT = "limit x^(10^100) x 2 --timeout 100"  # busy in sympy for many seconds


def _session(tmp_path: Path) -> object:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "NO_COLOR": "1", "TERM": "dumb"}
    child = pexpect.spawn(sys.executable, ["-m", "jacli"], env=env, encoding="utf-8", timeout=60, dimensions=(40, 160))
    child.delaybeforesend = None
    child.expect_exact("jacli> ")
    return child


def _answer(child: object, line: str) -> list[str]:
    """Send a line; the lines printed before the next prompt (the echoed input left out)."""
    child.sendline(line)  # type: ignore[attr-defined]
    child.expect_exact("jacli> ")  # type: ignore[attr-defined]
    lines = child.before.replace("\r\n", "\n").split("\n")  # type: ignore[attr-defined]
    assert lines[0].endswith(line)
    return [x for x in lines[1:] if x]


def test_session_through_a_terminal(tmp_path: Path) -> None:
    child = _session(tmp_path)  # `jacli` with no arguments on a terminal starts the session
    assert _answer(child, "format plain") == []
    assert _answer(child, "var W:2x3 v:3 b:2 z:2") == []
    # the declarations of the previous line apply: W is a 2x3 matrix, the gradient has its shape
    grad = _answer(child, "grad 1/2*norm(W*v+b-z)^2 --wrt W")
    # the result line, and the input part it names (issue 18: where u = ...)
    assert grad[0].startswith("[[") and grad[0].count("], [") == 1 and grad[1:] == ["where u = W*v + b - z"]
    assert _answer(child, "diff t^2*sin(t) t") == ["t^2*cos(t) + 2*t*sin(t)"]
    assert _answer(child, "diff _ t") == ["-t^2*sin(t) + 4*t*cos(t) + 2*sin(t)"]  # _ is the last result
    error = _answer(child, "diff t^ t")
    assert error[0] == "jacli: '^' needs an exponent (column 3): t^"  # a message, and the session goes on
    assert _answer(child, "diff t^3 t") == ["3*t^2"]

    child.sendline(SLOW_LIMIT)
    time.sleep(1.5)  # well inside sympy
    started = time.monotonic()
    child.sendintr()
    child.expect_exact("jacli> ")
    assert time.monotonic() - started < 30
    assert child.before.rstrip().endswith("jacli: interrupted")
    assert _answer(child, "diff t^4 t") == ["4*t^3"]  # the session survived, and it computes
    assert _answer(child, "show") == ["var W:2x3", "var v:3", "var b:2", "var z:2", "format plain", "_ = 4*t^3"]

    child.sendline("quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    history = (tmp_path / "state" / "jacli" / "history").read_text().splitlines()
    assert history[:3] == ["format plain", "var W:2x3 v:3 b:2 z:2", "grad 1/2*norm(W*v+b-z)^2 --wrt W"]
    assert SLOW_LIMIT in history and history[-1] == "quit"


def test_sigterm_ends_the_session_during_a_computation(tmp_path: Path) -> None:
    child = _session(tmp_path)
    child.sendline(SLOW_LIMIT)
    time.sleep(1.5)
    child.kill(signal.SIGTERM)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 143
    assert child.before.rstrip().endswith("jacli: terminated")


def repl(text: str) -> tuple[str, str]:
    r = run("repl", input=text)
    assert r.status == 0
    return r.stdout, r.stderr


def test_declarations_persist_and_options_on_a_line_do_not() -> None:
    out, err = repl("-v x:2 --func f\nlet z = 2*x\ngrad f(sum(exp(z))) --wrt x\ngrad sum(exp(z)) --wrt x -v x:3\nshow\n")
    assert out.splitlines() == [
        "[2*f'(exp(2*x[0]) + exp(2*x[1]))*exp(2*x[0]), 2*f'(exp(2*x[0]) + exp(2*x[1]))*exp(2*x[1])]  # denominator layout",
        "[2*exp(2*x[0]), 2*exp(2*x[1]), 2*exp(2*x[2])]  # denominator layout",  # the line's own -v x:3 wins, once
        "var x:2", "func f", "let z = 2*x", "_ = [2*exp(2*x[0]), 2*exp(2*x[1]), 2*exp(2*x[2])]",
    ]
    assert err == ""


def test_settings_are_the_commands_own_options() -> None:
    out, err = repl("format json\ndiff x^2 x\nlayout numerator\ngrad \"x'*x\" -v x:2\nformat latex\ndiff x^3 x -f plain\n")
    lines = out.splitlines()
    assert lines[0].startswith('{"command": "diff"') and '"result": "2*x"' in lines[0]
    assert '"layout": "numerator"' in lines[1]
    assert lines[2] == "3*x^2"  # an option on the line beats the session's setting
    assert err == ""


def test_timeout_setting_applies_to_each_line() -> None:
    slow = SLOW_LINE
    out, err = repl(f"timeout 0.5\ndiff {slow} x\ndiff x^2 x\nshow\n")
    assert out.splitlines() == ["2*x", "timeout 0.5", "_ = 2*x"]
    assert err == "jacli: gave up after 0.5 seconds (--timeout)\n"


def test_without_arguments_and_without_a_terminal_jacli_still_shows_its_help() -> None:
    r = run()
    assert r.status == 2 and "Usage: jacli" in r.stderr and "repl" in r.stderr


def test_a_bad_declaration_is_refused_when_typed_and_changes_nothing() -> None:
    out, err = repl("var x:3\nvar W:2x\nformat nope\nlet y = x^\nshow\n")
    assert out == "var x:3\n"
    errors = err.splitlines()
    assert errors[0].startswith("jacli: ") and "W:2x" in errors[0]
    assert errors[1].startswith("jacli: Invalid value for '-f' / '--format': 'nope'")
    assert errors[2].startswith("jacli: '^' needs an exponent")


def test_errors_are_one_line_and_the_session_goes_on() -> None:
    out, err = repl("frobnicate x\ndiff _ x\ndiff 'x^2\ndiff - x\nlimit 1/x x 0 --dir +\nreset\nshow\n")
    assert out == "oo\n(nothing declared)\n"
    assert err.splitlines() == [
        "jacli: unknown command 'frobnicate' (try 'help')",
        "jacli: '_' is the last result, and there is none yet",
        "jacli: No closing quotation (quote an expression that holds ' as the shell does: \"x'*A*x\")",
        "jacli: batch mode (EXPR -) reads standard input: run it outside the session",
        "(everything forgotten)",
    ]


def test_last_result_is_the_value_at_the_point_and_parses_back() -> None:
    out, err = repl('diff sin(x) x --at x=0\ndiff x*_ x\njacobian "[x*y, x+y]"\ndiff "_[0,0]*x" x\n'
                    "limit sin(x)/x x 0\nlimit _+x x 2\nlimit 1/x x 0\ndiff _ x\n")
    assert out.splitlines() == ["1", "1", "[[y, x], [1, 1]]  # numerator layout", "y", "1", "3",
                                "does not exist (the one-sided limits differ; left: -oo; right: oo)", "0"]
    # the limit that does not exist is no result: _ stays 3, and d/dx 3 = 0, with issue 14's note
    assert err == "jacli: note: x does not occur in the expression, so the derivative by it is 0\n"


def test_help_lists_the_commands_and_help_command_shows_its_options() -> None:
    out, _ = repl("help\nhelp grad\n")
    assert "  grad       Gradient of a scalar expression." in out
    assert "repl" not in out.split("Usage:")[0]
    assert "Usage: jacli grad [OPTIONS] EXPR [VARIABLES]..." in out


def test_line_declarations_are_found_in_every_spelling() -> None:
    words = ["x", "-v", "a:2", "--var=b:3", "-vc:4", "--func", "f(x,y)", "--let", "z=x+1", "--wrt", "a"]
    assert _declared_on_line(words) == {"a", "b", "c", "f", "z"}


def test_completion() -> None:
    s = Session(interactive=False)
    s.state = State(vars={"Weights": "Weights:2x3"}, lets={"hidden": "Weights*x"})
    assert candidates("", "gr", s) == ["grad", "gradient"]
    assert candidates("", "res", s) == ["reset"]
    assert candidates("grad x ", "--la", s) == ["--latex", "--layout"]
    assert candidates("grad x --layout ", "", s) == ["numerator", "denominator"]
    assert candidates("diff -f ", "j", s) == ["json"]
    assert candidates("format ", "la", s) == ["latex"]
    assert candidates("diff ", "sig", s) == ["sigmoid", "sign"]
    assert candidates("grad 1/2*norm(", "Wei", s) == ["Weights"]
    assert candidates("grad ", "hid", s) == ["hidden"]
    assert candidates("help ", "j", s) == ["jacobian"]


def test_history_file_follows_xdg_state_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert history_path() == tmp_path / "jacli" / "history"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert history_path() == tmp_path / ".local" / "state" / "jacli" / "history"
