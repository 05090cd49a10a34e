"""The LaTeX printer: sympy's LatexPrinter with bmatrix matrices and jacli's symbols.

``render`` gives one display equation (``lhs = rhs``) that compiles inside ``\\[ ... \\]`` with
amsmath; ``latex_expr`` gives the right-hand side alone (the JSON ``latex`` field).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..matrix.nodes import Node
from ..matrix.printing import latex as matrix_latex
from ..result import Result
from .common import check_verdict, differential_latex, format_float, is_number, point_of
from .tex import JacliLatexPrinter, latex_expr
from .texfit import LINE, fits, rows_of_matrix, rows_of_sum

__all__ = ["JacliLatexPrinter", "document", "latex_expr", "lhs", "render"]


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
    """The function as the left-hand side names it: its matrix form where there is one (so
    ``\\nabla_{W} \\left(\\frac{1}{2} \\left\\|W x + b - z\\right\\|^{2}\\right)``, not
    its entries), else the expression itself, or ``f`` when that would not fit on a line."""
    mf = result.matrix_function
    if isinstance(mf, Node):
        return matrix_latex(mf)
    f = result.function
    if f is None:
        return "f"
    text = latex_expr(f)
    return text if len(text) <= 300 and fits(text, LINE / 2) else "f"


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


def render(result: Result, cse: bool = True, standalone: bool = False) -> str:
    """One display equation (an ``aligned`` block of several lines where it would not fit the
    width of a page); ``standalone``: a whole document that pdflatex compiles."""
    where: list[tuple[str, Any]] = []
    if cse and not (result.at and any(b.exact is not None or b.value is not None for b in result.blocks)):
        from .cse import name_common

        named = name_common(result)
        result, where = named.result, named.where
    main = _render(result) + where_latex(where)
    if not fits(main) and not (result.limit is not None and not result.limit.exists):
        main = _broken(result, where)
    if result.steps:
        from .steps import latex_block

        text = latex_block(result.steps, main, *point_of(result))
    else:
        text = main
    if result.check is not None and not result.check.ok:  # a LaTeX comment: the equation still compiles
        text += "\n% " + check_verdict(result.check)
    return document(text) if standalone else text


PREAMBLE = "\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n"


def document(equation: str) -> str:
    """A complete LaTeX document holding ``equation`` as a display: what --standalone prints."""
    return f"{PREAMBLE}\\begin{{document}}\n\\[\n{equation}\n\\]\n\\end{{document}}"


def _rows(lead: str, pieces: list[str]) -> list[str]:
    """Rows of an aligned block: the first piece after ``lead``, the others indented beneath it."""
    return [f"&{lead}{pieces[0]}", *(rf"&\qquad {p}" for p in pieces[1:])]


def _shown(result: Result, block: Any) -> tuple[str, Any, Any]:
    """(left-hand side, the value shown, the floating-point value beside it or None) of one block."""
    left = lhs(result, block.wrt if len(result.blocks) > 1 else None)
    if result.at and (block.exact is not None or block.value is not None):
        point = ", ".join(f"{_var(k)} = {_latex_point(v)}" for k, v in result.at.items())
        left += rf"\Big|_{{{point}}}"
        if block.exact is not None:
            return left, block.exact, None if is_number(block.exact) else block.value
        return left, _as_matrix(block.value), None
    return left, block.expr, None


def _as_matrix(value: Any) -> Any:
    if isinstance(value, list):
        rows = value if value and isinstance(value[0], list) else [[v] for v in value]
        return sp.ImmutableMatrix([[sp.Float(v) for v in row] for row in rows])
    return sp.Float(value)


def _pieces(expr: Any, room: float) -> list[str]:
    text = latex_expr(expr)
    if fits(text, room):
        return [text]
    if isinstance(expr, sp.MatrixBase):
        return rows_of_matrix(expr, room)
    return rows_of_sum(expr, room)


def _broken(result: Result, where: list[tuple[str, Any]]) -> str:
    """The result over several lines of an aligned block, each fitting the page: the left-hand
    side, then = the matrix form, = the entries (in blocks of columns, or entry by entry), then
    the where definitions one per line."""
    rows: list[str] = []
    room = LINE - 40.0
    for block in result.blocks:
        left, shown, approx = _shown(result, block)
        rows.append(f"&{left}")
        if block.matrix_form is not None:
            rows.extend(_rows(r"\quad = ", _pieces(block.matrix_form, room) if not isinstance(block.matrix_form, Node)
                              else [latex_expr(block.matrix_form)]))
        rows.extend(_rows(r"\quad = ", _pieces(shown, room)))
        if approx is not None:
            rows.extend(_rows(r"\quad \approx ", _pieces(_as_matrix(approx), room)))
    for k, (name, value) in enumerate(where):
        lead = (r"\text{where } " if k == 0 else r"\phantom{\text{where }} ") + f"{latex_expr(sp.Symbol(name))} = "
        pieces = rows_of_sum(value, room - 60.0) if not isinstance(value, sp.MatrixBase) else _pieces(value, room - 60.0)
        rows.extend(_rows(lead, pieces))
    return r"\begin{aligned}" + " \\\\\n".join(rows) + r"\end{aligned}"


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
        diff = differential_latex(block)
        if diff:  # Kronecker forms: the differential they are read off
            right += r", \quad " + diff
        lines.append(f"{left} = {right}")
    if len(lines) == 1:
        return lines[0]
    return r"\begin{gathered}" + r" \\ ".join(lines) + r"\end{gathered}"
