"""The timed tidying of results (calculus.Tidy): what it prefers, when it tries trigsimp, and that
it never changes a value."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings

from jacli import calculus
from jacli.declarations import Workspace
from jacli.functions import compile_numpy

from .conftest import run
from .strategies import scalar_exprs

x = sp.Symbol("x", real=True)


def test_quotient_rule_results_come_as_one_fraction_without_nested_fractions() -> None:
    # factor_terms alone gives 2*(-x/(x^2 + 1) + 1)*exp(2*x)/(x^2 + 1), one operation shorter
    assert run("diff", "exp(2x)/(1+x^2)", "x").stdout == "2*(x^2 - x + 1)*exp(2*x)/(x^2 + 1)^2\n"
    assert run("diff", "sqrt(x^2+2)*x^2", "x").stdout == "x*(3*x^2 + 4)/sqrt(x^2 + 2)\n"
    assert run("diff", "(x^2+1)/(x-1)", "x").stdout == "(x^2 - 2*x - 1)/(x - 1)^2\n"
    assert run("diff", "exp(3x)/(1+x^2)", "x").stdout == "(3*x^2 - 2*x + 3)*exp(3*x)/(x^2 + 1)^2\n"
    # without a fraction, a rewrite must be a quarter shorter
    assert run("diff", "x^2*sin(x)", "x").stdout == "x^2*cos(x) + 2*x*sin(x)\n"
    assert calculus._nested_fractions(2 * (1 - x / (x**2 + 1)) * sp.exp(2 * x) / (x**2 + 1)) == 1
    assert calculus._nested_fractions(2 * (x**2 - x + 1) * sp.exp(2 * x) / (x**2 + 1) ** 2) == 0


def test_sums_of_single_trigonometric_factors_skip_trigsimp() -> None:
    assert not calculus._trig_products(2 * x * sp.cos(x) / (x**2 + 2) - sp.log(x**2 + 2) * sp.sin(x))
    assert not calculus._trig_products(x**2 * sp.cos(x) + 2 * x * sp.sin(x))
    assert calculus._trig_products(sp.sin(x) ** 2 + x)
    assert calculus._trig_products(sp.sin(x) * sp.cos(x) / x)
    assert calculus._trig_products(sp.tan(x) + sp.sin(x))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(scalar_exprs)
def test_tidying_keeps_the_value(text: str) -> None:
    ws = Workspace()
    value = ws.evaluate(text)
    assume(isinstance(value, sp.Expr) and x in value.free_symbols and value.free_symbols <= {x, sp.Symbol("y", real=True)})
    raw = calculus.diff_entries(value, ws.variable("x"))
    tidy = calculus.Tidy()(raw)
    f = compile_numpy(sorted(value.free_symbols, key=str), [raw, tidy])
    for point in ((0.3, 0.7), (1.1, -0.4), (-0.6, 1.3)):
        with np.errstate(all="ignore"):
            want, got = (complex(v) for v in f(*point[: len(value.free_symbols)]))
        if want.imag or not math.isfinite(want.real):
            continue
        assert math.isclose(got.real, want.real, rel_tol=1e-9, abs_tol=1e-9), (text, raw, tidy)
