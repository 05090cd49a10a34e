"""The LaTeX printer: sympy's LatexPrinter with bmatrix matrices and jacli's symbols.

``render`` gives one display equation (``lhs = rhs``) that compiles inside ``\\[ ... \\]`` with
amsmath; ``latex_expr`` gives the right-hand side alone (the JSON ``latex`` field).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..result import Result
from .common import check_verdict, format_float, is_number, point_of
from .tex import JacliLatexPrinter, latex_expr

__all__ = ["JacliLatexPrinter", "latex_expr", "lhs", "render"]


def _latex_value(value: Any) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            rows = [" & ".join(format_float(v) for v in row) for row in value]
        else:
            rows = [format_float(v) for v in value]
        return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
    return format_float(value)


def _latex_point(v: Any) -> str:
    """An --at value; large lists read as numpy arrays are named by their shape."""
    if hasattr(v, "dtype"):
        return rf"\text{{({v.shape[0]}x{v.shape[1]} array)}}"
    return latex_expr(v)


def _var(name: str) -> str:
    return latex_expr(sp.Symbol(name))


def _operand(result: Result) -> str:
    f = result.function
    if f is None:
        return "f"
    text = latex_expr(f)
    return text if len(text) <= 300 else "f"


def lhs(result: Result, wrt: str | None = None) -> str:
    """The left-hand side naming what was computed."""
    f = _operand(result)
    if result.command == "limit":
        assert result.limit is not None
        info = result.limit
        to = latex_expr(info.point)
        side = {"+": "^{+}", "-": "^{-}"}.get(info.direction, "")
        return rf"\lim_{{{_var(info.var)} \to {to}{side}}} \left({f}\right)"
    if result.command == "diff":
        names = result.wrt
        n = result.order
        several = len(names) > 1 or (result.function is not None and len(getattr(result.function, "free_symbols", ())) > 1)
        d = r"\partial" if several else "d"
        total = n * len(names)
        top = d if total == 1 else f"{d}^{{{total}}}"
        bottom = " ".join(f"{d} {_var(v)}" + (f"^{{{n}}}" if n > 1 else "") for v in names)
        return rf"\frac{{{top}}}{{{bottom}}} \left({f}\right)"
    names = wrt.split(",") if wrt else result.wrt
    vars_ = ", ".join(_var(v) for v in names)
    if result.command == "grad":
        return rf"\nabla_{{{vars_}}} \left({f}\right)"
    if result.command == "jacobian":
        return rf"\frac{{\partial \left({f}\right)}}{{\partial \left({vars_}\right)}}"
    return rf"\nabla^{{2}}_{{{vars_}}} \left({f}\right)"


def where_latex(where: list[tuple[str, Any]]) -> str:
    """``,\\quad \\text{where } u = ...,\\; v = ...`` (empty without definitions)."""
    if not where:
        return ""
    parts = r",\; ".join(f"{latex_expr(sp.Symbol(n))} = {latex_expr(v)}" for n, v in where)
    return r",\quad \text{where } " + parts


def render(result: Result, cse: bool = True) -> str:
    where: list[tuple[str, Any]] = []
    if cse:
        from .cse import name_common

        named = name_common(result)
        result, where = named.result, named.where
    main = _render(result) + where_latex(where)
    if result.steps:
        from .steps import latex_block

        text = latex_block(result.steps, main, *point_of(result))
    else:
        text = main
    if result.check is not None and not result.check.ok:  # a LaTeX comment: the equation still compiles
        text += "\n% " + check_verdict(result.check)
    return text


def _render(result: Result) -> str:
    if result.limit is not None and not result.limit.exists:
        info = result.limit
        parts = [lhs(result) + r" \text{ does not exist}"]
        var, to = _var(info.var), latex_expr(info.point)
        f = _operand(result)
        if info.left is not None:
            parts.append(rf"\lim_{{{var} \to {to}^{{-}}}} \left({f}\right) = {latex_expr(info.left)}")
        if info.right is not None:
            parts.append(rf"\lim_{{{var} \to {to}^{{+}}}} \left({f}\right) = {latex_expr(info.right)}")
        return r",\quad ".join(parts)
    lines = []
    for block in result.blocks:
        left = lhs(result, block.wrt if len(result.blocks) > 1 else None)
        right = latex_expr(block.expr)
        if result.at and block.exact is not None:
            point = ", ".join(f"{_var(k)} = {_latex_point(v)}" for k, v in result.at.items())
            right = latex_expr(block.exact)
            if not is_number(block.exact):
                right += r" \approx " + _latex_value(block.value)
            left = left + rf"\Big|_{{{point}}}"
        elif result.at and block.value is not None:  # a large result, evaluated in floating point only
            point = ", ".join(f"{_var(k)} = {_latex_point(v)}" for k, v in result.at.items())
            right = _latex_value(block.value)
            left = left + rf"\Big|_{{{point}}}"
        if block.matrix_form is not None:  # concrete sizes: the matrix form, then the entries
            right = latex_expr(block.matrix_form) + " = " + right
        lines.append(f"{left} = {right}")
    if len(lines) == 1:
        return lines[0]
    return r"\begin{gathered}" + r" \\ ".join(lines) + r"\end{gathered}"
