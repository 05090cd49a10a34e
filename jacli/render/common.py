"""Shared pieces of the printers: the display form of expressions and result labels."""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from ..result import Result


def _prime_name(f: Any, k: int) -> Any:
    return sp.Function(f"{f.func.__name__}{chr(39) * k}", real=True)


def display(expr: Any) -> Any:
    """Rewrite derivatives of abstract one-argument functions as primed functions.

    ``Subs(Derivative(f(xi), xi), xi, g(x))`` and ``Derivative(f(x), x)`` become ``f'(g(x))`` and
    ``f'(x)``: what the seed writes and what jacli's parser reads back.
    """
    if expr is None or not isinstance(expr, sp.Basic):
        return expr
    if not expr.has(sp.Derivative):
        return expr

    def is_simple(d: Any) -> bool:
        return (
            isinstance(d, sp.Derivative)
            and isinstance(d.expr, AppliedUndef)
            and len(d.expr.args) == 1
            and len(d.variable_count) == 1
            and d.variable_count[0][0] == d.expr.args[0]
        )

    def rewrite(e: Any) -> Any:
        if isinstance(e, sp.Subs) and is_simple(e.expr) and len(e.variables) == 1 and e.variables[0] == e.expr.expr.args[0]:
            d = e.expr
            return _prime_name(d.expr, int(d.variable_count[0][1]))(e.point[0])
        if is_simple(e):
            return _prime_name(e.expr, int(e.variable_count[0][1]))(e.expr.args[0])
        return e

    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(display)
    # Subs first: a bottom-up pass over both would prime the Derivative inside a Subs before the
    # Subs is seen, leaving Subs(f''(xi), xi, g(x)) behind.
    expr = expr.replace(lambda e: isinstance(e, sp.Subs), rewrite)
    return expr.replace(lambda e: isinstance(e, sp.Derivative), rewrite)


COMMAND_TITLES = {
    "limit": "limit",
    "diff": "derivative",
    "grad": "gradient",
    "jacobian": "Jacobian",
    "hessian": "Hessian",
}


def layout_note(result: Result) -> str | None:
    """A short phrase naming the layout, where it matters."""
    if result.layout is None:
        return None
    if result.command == "grad":
        if result.layout == "denominator":
            return "denominator layout: each gradient has the shape of its variable"
        return "numerator layout: gradients are transposed (rows for column vectors)"
    if result.command == "jacobian":
        if result.layout == "numerator":
            return "numerator layout: one row per output, one column per input"
        return "denominator layout: one row per input, one column per output"
    if result.command == "hessian":
        return f"{result.layout} layout: second partials over the variables in order"
    return None


def is_number(expr: Any) -> bool:
    """True for exact rationals (and matrices of them): values printed without a float beside."""
    if isinstance(expr, sp.MatrixBase):
        return all(is_number(e) for e in expr)
    return isinstance(expr, sp.Basic) and expr.is_Rational is True
