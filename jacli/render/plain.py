"""The plain printer: jacli's own ASCII, one line per result, parseable back by jacli.

Lists are column vectors (``[a, b]``), nested lists matrices (``[[a, b], [c, d]]``), powers use
``^``. No colour, no box drawing.
"""

from __future__ import annotations

import math
from typing import Any

import sympy as sp
from sympy.printing.str import StrPrinter

from ..result import Result
from .common import differential_plain, display, is_number


class PlainPrinter(StrPrinter):
    """sympy's str printer with jacli's spelling of functions, powers and matrices."""

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        if expr.exp.is_Rational and expr.exp.is_negative and expr.exp != -1:
            # (x + 1)^(-2) reads better as 1/(x + 1)^2
            return "1/" + self._print(sp.Pow(expr.base, -expr.exp, evaluate=False))
        return str(super()._print_Pow(expr, rational)).replace("**", "^")

    def _print_Abs(self, expr: Any) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Exp1(self, expr: Any) -> str:
        return "e"

    def _print_MatrixBase(self, expr: Any) -> str:
        if expr.cols == 1:
            return "[" + ", ".join(self._print(e) for e in expr) + "]"
        rows = ("[" + ", ".join(self._print(expr[i, j]) for j in range(expr.cols)) + "]" for i in range(expr.rows))
        return "[" + ", ".join(rows) + "]"

    _print_ImmutableMatrix = _print_MatrixBase
    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase

    def _print_Float(self, expr: Any) -> str:
        return format_float(float(expr))


def format_float(x: float) -> str:
    if math.isinf(x):
        return "oo" if x > 0 else "-oo"
    return repr(float(x))


_PRINTER = PlainPrinter()


def plain_expr(expr: Any) -> str:
    """One expression (scalar or matrix) as jacli plain text."""
    if hasattr(expr, "plain"):  # matrix-form results (jacli.matrix) print themselves
        return str(expr.plain())
    text = _PRINTER.doprint(display(expr))
    return text.replace("**", "^")


def plain_value(value: Any) -> str:
    """A float or nested list of floats, in jacli's list syntax."""
    if isinstance(value, list):
        return "[" + ", ".join(plain_value(v) for v in value) + "]"
    return format_float(value)


def render(result: Result) -> str:
    if result.steps:
        from .steps import plain_lines, point_of

        return "\n".join([*plain_lines(result.steps, *point_of(result)), _render(result)])
    return _render(result)


def _render(result: Result) -> str:
    if result.limit is not None and not result.limit.exists:
        info = result.limit
        sides = []
        if info.left is not None:
            sides.append(f"left: {plain_expr(info.left)}")
        if info.right is not None:
            sides.append(f"right: {plain_expr(info.right)}")
        extra = "; ".join(sides)
        reason = info.reason or ""
        return "does not exist" + (f" ({reason}" + (f"; {extra})" if extra else ")") if reason else (f" ({extra})" if extra else ""))
    parts, comments = [], []
    for block in result.blocks:
        if result.at and block.exact is not None:
            text = plain_expr(block.exact)
            if not is_number(block.exact):
                comments.append("= " + plain_value(block.value))
        elif result.at and block.value is not None:  # a large result, evaluated in floating point only
            text = plain_value(block.value)
        else:
            text = plain_expr(block.expr)
        if len(result.blocks) > 1:
            text = f"{block.wrt}: {text}"
        parts.append(text)
    if result.layout and any(b.shape != () for b in result.blocks):
        comments.append(f"{result.layout} layout")
    if result.vec:
        comments.append(f"vec by {result.vec}")
    comments.extend(d for d in (differential_plain(b) for b in result.blocks) if d)
    line = "; ".join(parts)
    if comments:
        line += "  # " + "; ".join(comments)
    return line
