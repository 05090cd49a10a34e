"""Shared pieces of the printers: the display form of expressions and result labels."""

from __future__ import annotations

import math
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from ..matrix.printing import latex as matrix_latex
from ..matrix.printing import plain as matrix_plain
from ..result import Result


def _derivative_name(f: Any, slots: list[int]) -> str:
    """f' / f'' for one-argument functions, f_1 / f_1_2 (1-based argument positions) otherwise."""
    name = f.func.__name__
    if len(f.args) == 1:
        return name + "'" * len(slots)
    return name + "".join(f"_{k + 1}" for k in slots)


def _abstract_derivative(d: Any) -> tuple[Any, list[int]] | None:
    """For Derivative(f(a1, ..., an), v...) with every v one of the a_i: (f(...), argument slots)."""
    if not isinstance(d, sp.Derivative) or not isinstance(d.expr, AppliedUndef):
        return None
    args = list(d.expr.args)
    slots: list[int] = []
    for var, count in d.variable_count:
        if args.count(var) != 1:
            return None
        slots.extend([args.index(var)] * int(count))
    return d.expr, slots


def display(expr: Any) -> Any:
    """Rewrite derivatives of abstract functions (--func) in the notation jacli reads back.

    ``Subs(Derivative(f(xi), xi), xi, g(x))`` becomes ``f'(g(x))``, ``Derivative(f(x), x)`` becomes
    ``f'(x)``, and partials of functions of several arguments become ``f_1(x, y)``, ``f_1_2(x, y)``
    (by the first argument, then the second), evaluated at the Subs point where there is one.
    """
    if expr is None or not isinstance(expr, sp.Basic) or not expr.has(sp.Derivative):
        return expr
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(display)
    return _rewrite(expr)


def _rewrite(e: Any) -> Any:
    if isinstance(e, sp.Subs):
        found = _abstract_derivative(e.expr)
        if found is not None:
            applied, slots = found
            point = dict(zip(e.variables, e.point, strict=True))
            args = [_rewrite(a.xreplace(point)) for a in applied.args]
            return sp.Function(_derivative_name(applied, slots), real=True)(*args)
    found = _abstract_derivative(e)
    if found is not None:
        applied, slots = found
        return sp.Function(_derivative_name(applied, slots), real=True)(*applied.args)
    if not e.args or isinstance(e, sp.MatrixBase):
        return e
    new = [_rewrite(a) for a in e.args]
    return e.func(*new) if any(n is not a for n, a in zip(new, e.args, strict=True)) else e


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


VEC_NOTE = "matrices flattened row by row (vec by rows)"


def differential_plain(block: Any) -> str | None:
    """'d(W*x) = dW*x' for a matrix-form block that has its differential, else None."""
    if block.differential is None:
        return None
    of, d = block.differential
    return f"d({matrix_plain(of)}) = {matrix_plain(d)}"


def differential_latex(block: Any) -> str | None:
    if block.differential is None:
        return None
    of, d = block.differential
    return rf"\mathrm{{d}}\left({matrix_latex(of)}\right) = {matrix_latex(d)}"
def format_float(x: float) -> str:
    """A float as jacli prints it: Python's shortest repr, infinities as oo / -oo."""
    if math.isinf(x):
        return "oo" if x > 0 else "-oo"
    return repr(float(x))


def plain_value(value: Any) -> str:
    """A float or nested list of floats, in jacli's list syntax."""
    if isinstance(value, list):
        return "[" + ", ".join(plain_value(v) for v in value) + "]"
    return format_float(value)


def point_of(result: Any) -> tuple[Any, str]:
    """The limit point and side ('+', '-' or '') of a limit result; (None, '') otherwise."""
    info = getattr(result, "limit", None)
    if info is None:
        return None, ""
    finite = info.point.is_finite is not False
    return info.point, (info.direction if info.direction in ("+", "-") and finite else "")


def check_point(check: Any) -> str:
    """The point a --check used, as --at would spell it: x = 0.5, W = [[...]]."""
    return ", ".join(f"{k} = {plain_value(v) if isinstance(v, (list, float)) else v}" for k, v in check.point.items())


def check_verdict(check: Any) -> str:
    """The --check line every format prints: agreement, or where and by how much it failed."""
    if check.ok:
        return (f"check: agrees with central finite differences (max abs error {check.max_abs_error:.2g}, "
                f"max rel error {check.max_rel_error:.2g}, {check.evaluations} evaluations)")
    return "check: DISAGREES with central finite differences " + check_failure(check)


def check_failure(check: Any) -> str:
    """at POINT: largest error E at ENTRY (jacli A, finite differences B)."""
    text = f"at {check_point(check)}: largest error {check.max_abs_error:.2g}"
    if check.worst_entry:
        text += f" at {check.worst_entry}"
        if check.worst_claimed is not None and check.worst_fd is not None:
            text += f" (jacli {check.worst_claimed:.6g}, finite differences {check.worst_fd:.6g})"
    return text
