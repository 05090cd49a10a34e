"""Property tests: derivatives agree with finite differences; plain output parses back;
no input produces a traceback."""

from __future__ import annotations

import json

import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import jacli
from jacli.declarations import Workspace
from jacli.errors import EvaluationError, JacliError
from jacli.render.plain import plain_expr

from .conftest import run
from .strategies import scalar_exprs, token_soup

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scalar_exprs)
def test_derivatives_agree_with_finite_differences(text: str) -> None:
    try:
        result = jacli.diff(text, "x", check=True)
    except EvaluationError:
        assume(False)
        return
    assert result.check is not None
    assert result.check.ok, (text, result.expr, result.check)


@SETTINGS
@given(scalar_exprs)
def test_gradient_entries_agree_with_finite_differences(text: str) -> None:
    try:
        result = jacli.gradient(f"({text}) * (1 + y^2)", wrt="x,y", shapes={"x": "1"}, check=True)
    except EvaluationError:
        assume(False)
        return
    assert result.check is not None and result.check.ok, (text, result.check)


@SETTINGS
@given(scalar_exprs)
def test_plain_output_parses_back(text: str) -> None:
    ws = Workspace()
    value = ws.evaluate(text)
    again = Workspace().evaluate(plain_expr(value))
    assert again == value or sp.simplify(again - value) == 0


@SETTINGS
@given(scalar_exprs)
def test_derivative_output_parses_back(text: str) -> None:
    result = jacli.diff(text, "x")
    again = Workspace().evaluate(plain_expr(result.expr))
    assert again == result.expr or sp.simplify(again - result.expr) == 0


@SETTINGS
@given(scalar_exprs, scalar_exprs)
def test_derivative_of_a_sum_is_the_sum_of_derivatives(a: str, b: str) -> None:
    total = jacli.diff(f"({a}) + ({b})", "x", ws=None).expr
    parts = jacli.diff(a, "x").expr + jacli.diff(b, "x").expr
    assert sp.simplify(total - parts) == 0


@settings(max_examples=150, deadline=None)
@given(st.one_of(token_soup, st.text(max_size=40)))
def test_no_input_gives_a_traceback(text: str) -> None:
    for args in (["diff", text, "x"], ["limit", text, "x", "0"], ["grad", text]):
        r = run(*args, "--timeout", "5")
        assert r.status in (0, 1, 2, 3, 4), (args, r)
        assert "Traceback" not in r.stderr and "internal error" not in r.stderr, (args, r)
        if r.status == 0:
            if text != "-":  # "-" is a batch on empty stdin: nothing to print
                assert r.stdout.strip() and r.stdout.endswith("\n"), (args, r)
        elif r.status != 3:
            assert r.stdout == "" and r.stderr.startswith("jacli: "), (args, r)
            lines = r.stderr.splitlines()  # one line, and a caret under the column of a parse error
            assert len(lines) == 1 or (len(lines) == 2 and lines[1].strip() == "^"), (args, r)


@settings(max_examples=150, deadline=None)
@given(st.one_of(token_soup, st.text(max_size=40)))
def test_core_raises_only_jacli_errors(text: str) -> None:
    try:
        value = Workspace().evaluate(text)
    except JacliError as err:  # a one-line message with an error status (a caret may follow it)
        assert err.message.strip() and "\n" not in err.message, err.message
        assert int(err.status) in (1, 2, 4), err
        assert err.render("jacli: ").startswith("jacli: " + err.message)
        return
    assert isinstance(value, sp.Basic | sp.MatrixBase), (text, value)


@SETTINGS
@given(scalar_exprs)
def test_every_format_renders_every_result(text: str) -> None:
    for command, result in (("diff", jacli.diff(text, "x")), ("hessian", jacli.hessian(f"({text})^2 * y"))):
        plain = jacli.format_result(result, "plain")
        record = json.loads(jacli.format_result(result, "json"))
        assert record["command"] == command and record["result"] and plain.strip(), (plain, record)
        assert jacli.format_result(result, "latex").count(" = ") >= 1
        assert jacli.format_result(result, "pretty").startswith(
            "derivative of " if command == "diff" else "Hessian of "), jacli.format_result(result, "pretty")
