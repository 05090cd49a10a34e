"""Expressions as jacli plain text (``plain_expr``): the one-line ASCII that jacli parses back.

Beneath every printer (plain, latex, json, pretty, steps); depends only on .common.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.printing.str import StrPrinter

from ..matrix.nodes import Node
from ..matrix.printing import plain as matrix_plain
from .common import display, format_float


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


_PRINTER = PlainPrinter()


def plain_expr(expr: Any) -> str:
    """One expression (scalar or matrix) as jacli plain text."""
    if isinstance(expr, Node):  # matrix-form results (jacli.matrix) have their own printer
        return matrix_plain(expr)
    if hasattr(expr, "plain"):  # parts named in the output (render.cse.Subterm) print themselves
        return str(expr.plain())
    text = _PRINTER.doprint(display(expr))
    return text.replace("**", "^")
