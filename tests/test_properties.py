"""Property tests: derivatives agree with finite differences; plain output parses back;
no input produces a traceback."""

from __future__ import annotations

import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import jacli
from jacli.build import Workspace
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
        assert "Traceback" not in r.stderr
        if r.status:
            assert r.stdout == "" and r.stderr.startswith("jacli: ")


@settings(max_examples=150, deadline=None)
@given(st.one_of(token_soup, st.text(max_size=40)))
def test_core_raises_only_jacli_errors(text: str) -> None:
    try:
        Workspace().evaluate(text)
    except JacliError:
        pass


@SETTINGS
@given(scalar_exprs)
def test_every_format_renders_every_result(text: str) -> None:
    result = jacli.diff(text, "x")
    for fmt in ("plain", "latex", "json", "pretty"):
        assert jacli.format_result(result, fmt)
    squared = jacli.hessian(f"({text})^2 * y")
    for fmt in ("plain", "latex", "json", "pretty"):
        assert jacli.format_result(squared, fmt)
