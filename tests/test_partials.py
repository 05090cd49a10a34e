"""jacli.partials.Partials and jacli.canonical build exactly sympy's objects.

The explicit Jacobian, gradient and Hessian take every partial derivative through
``partials.Partials`` (sympy's own rules, applied only where a variable occurs) and build sums and
products through ``canonical.total`` and ``canonical.product`` (sympy's canonical form, built
directly). Each must give the object sympy gives: equal, with the same arguments and hash, not
merely an equal value; otherwise printing, simplification and caching would see a different
expression. hypothesis builds the expressions.
"""

from __future__ import annotations

from functools import cmp_to_key
from typing import Any

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jacli import canonical, partials
from jacli.functions import relu, sigmoid

from .conftest import identical

X = [sp.Symbol(n, real=True) for n in ("x[0]", "x[1]", "x[2]", "x[10]", "y")]
OTHERS = [sp.Symbol("a", real=True), sp.Symbol("W[1,0]", real=True), sp.Symbol("p", positive=True)]
f = sp.Function("f", real=True)
g = sp.Function("g", real=True)

UNARY = [sp.sin, sp.cos, sp.tan, sp.exp, sp.log, sp.tanh, sp.atan, sp.asin, sp.sqrt, sp.Abs, sp.sign, sigmoid, relu,
         sp.Heaviside, f, lambda u: g(u, u**2), lambda u: sp.Max(u, 1), lambda u: sp.Piecewise((u, u > 0), (u**2, True))]
NUMBERS = st.sampled_from([sp.Integer(2), sp.Integer(-3), sp.Rational(1, 3), sp.Rational(-5, 2), sp.pi, sp.E,
                           sp.sqrt(2), sp.Float(0.5), sp.S.Zero, sp.S.One])
LEAVES = st.one_of(st.sampled_from(X + OTHERS), NUMBERS)


def _grow(children: st.SearchStrategy[sp.Expr]) -> st.SearchStrategy[sp.Expr]:
    return st.one_of(
        st.lists(children, min_size=2, max_size=4).map(lambda a: sp.Add(*a)),
        st.lists(children, min_size=2, max_size=4).map(lambda a: sp.Mul(*a)),
        # long sums of products: the indexed path of Partials.positions
        st.lists(st.tuples(children, st.sampled_from(X)), min_size=9, max_size=14).map(
            lambda ts: sp.Add(*[c * v for c, v in ts])),
        st.tuples(children, st.sampled_from([2, 3, -1, -2, sp.Rational(1, 2)])).map(lambda t: t[0] ** t[1]),
        st.tuples(children, children).map(lambda t: t[0] ** t[1]),
        st.tuples(st.sampled_from(UNARY), children).map(_apply).filter(lambda e: e is not None),
    )


def _apply(t: tuple[Any, sp.Expr]) -> sp.Expr | None:
    """f(u), or None where sympy refuses to build it: Max and Piecewise compare their argument,
    which fails for a non-real one such as sqrt(-3)."""
    try:
        return t[0](t[1])
    except (TypeError, ValueError):
        return None


expressions = st.recursive(LEAVES, _grow, max_leaves=14)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(expressions, min_size=1, max_size=3))
def test_partials_are_sympys_derivatives(exprs: list[sp.Expr]) -> None:
    p = partials.Partials(X)
    for e in exprs:
        p.uses(e)
    for e in exprs:
        for s in X:
            got, want = p.d(e, s), sp.diff(e, s)
            assert identical(got, want), (e, s, got, want)


@SETTINGS
@given(expressions)
def test_hessian_rows_are_sympys_second_derivatives(e: sp.Expr) -> None:
    symbols = X[:3]
    grad, rows = partials.hessian_rows(e, symbols)
    for i, s in enumerate(symbols):
        first = sp.diff(e, s)
        assert identical(grad[i], first)
        for k, t in enumerate(symbols):
            assert identical(rows[i][k], sp.diff(first, t)), (e, s, t)


def test_infinities_leave_every_derivative_to_sympy() -> None:
    # sympy's rules meet zoo in terms that the sparse rules skip, and give nan; so must jacli
    x, y = X[0], X[1]
    e = x * (sp.zoo * y + x) + sp.oo * x
    assert partials.jacobian_rows([e], [x, y]) == [[sp.diff(e, x), sp.diff(e, y)]]


# --- canonical construction --------------------------------------------------------------------
ATOMS = st.one_of(
    st.sampled_from(X + OTHERS), NUMBERS,
    st.tuples(st.sampled_from(X + OTHERS), st.sampled_from([2, 3, -1, -2, sp.Rational(1, 2)])).map(lambda t: t[0] ** t[1]),
    st.tuples(st.sampled_from([sp.sin, sp.exp, sp.tanh, f, sp.log]), st.sampled_from(X)).map(lambda t: t[0](t[1])),
    st.tuples(st.sampled_from(X), st.sampled_from(X), st.integers(-2, 2)).map(lambda t: t[0] + t[1] + t[2]),
    st.tuples(st.sampled_from(X), st.sampled_from([2, -1])).map(lambda t: (t[0] + 1) ** t[1]),
)
MONOMIALS = st.tuples(st.lists(ATOMS, max_size=3), st.sampled_from([1, 2, -1, sp.Rational(1, 3)])).map(
    lambda t: sp.Mul(*t[0]) * t[1])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(ATOMS, MONOMIALS), max_size=5))
def test_product_is_sympys_mul(factors: list[sp.Expr]) -> None:
    assert identical(canonical.product(factors), sp.Mul(*factors))


@settings(max_examples=400, deadline=None)
@given(st.lists(MONOMIALS, max_size=8))
def test_total_is_sympys_add(terms: list[sp.Expr]) -> None:
    assert identical(canonical.total(terms), sp.Add(*terms))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(ATOMS, MONOMIALS, expressions), min_size=2, max_size=8))
def test_order_key_orders_as_basic_compare(exprs: list[sp.Expr]) -> None:
    keys = [canonical.order_key(e) for e in exprs]
    if None in keys:
        return
    by_key = [e for _, _, e in sorted(zip(keys, range(len(exprs)), exprs, strict=True))]
    assert by_key == sorted(exprs, key=cmp_to_key(sp.Basic.compare))


def test_the_fast_construction_is_taken_where_nothing_combines(monkeypatch: pytest.MonkeyPatch) -> None:
    # a sum of distinct monomials and a product of distinct symbols never reach sympy's constructors
    x0, x1, a = X[0], X[1], OTHERS[0]
    terms = [a, 2 * x0 * x1, x1**2, sp.Rational(1, 2)]
    want_sum, want_product = sp.Add(*terms), sp.Mul(x1, a, x0)

    class Refuse:
        def __init__(self, cls: type) -> None:
            self._from_args = cls._from_args

        def __call__(self, *args: object) -> None:
            raise AssertionError("sympy's general constructor was used")

    monkeypatch.setattr(canonical, "Add", Refuse(sp.Add))
    monkeypatch.setattr(canonical, "Mul", Refuse(sp.Mul))
    assert identical(canonical.total(terms), want_sum)
    assert identical(canonical.product([x1, a, x0]), want_product)
