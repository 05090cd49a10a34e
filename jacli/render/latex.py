"""The LaTeX printer: sympy's LatexPrinter with bmatrix matrices and jacli's symbols.

``render`` gives one display equation (``lhs = rhs``) that compiles inside ``\\[ ... \\]`` with
amsmath; ``latex_expr`` gives the right-hand side alone (the JSON ``latex`` field).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..build import split_entry
from ..errors import JacliError
from ..result import Result
from ..syntax import Name
from .common import differential_latex, display, is_number
from .plain import format_float


class JacliLatexPrinter(LatexPrinter):
    def _print_Symbol(self, expr: Any, style: str = "plain") -> str:
        entry = split_entry(expr.name)
        if entry is not None:
            base, i, j = entry
            sub = f"{i}" if j is None else f"{i},{j}"
            return f"{super()._print_Symbol(sp.Symbol(base))}_{{{sub}}}"
        return symbol_latex(expr.name, str(super()._print_Symbol(expr)))


    def _print_Function(self, expr: Any, exp: Any = None) -> str:
        name = expr.func.__name__
        if name.endswith("'") and isinstance(expr.func, sp.core.function.UndefinedFunction):
            base = name.rstrip("'")
            primes = "'" * (len(name) - len(base))
            args = ", ".join(self._print(a) for a in expr.args)
            body = f"{self._print(sp.Symbol(base))}{primes}\\left({args}\\right)"
            return body if exp is None else f"\\left({body}\\right)^{{{exp}}}"
        return str(super()._print_Function(expr, exp))


@lru_cache(maxsize=4096)
def symbol_latex(name: str, printed: str) -> str:
    """sympy's spelling of a name where jacli's LaTeX reader reads it back as that name (x_{1} is x1,
    \\hat{z} is zhat, \\alpha is alpha); otherwise \\mathit{...}: sympy writes lr and w_2 as
    lr (l times r, to a reader of TeX) and w_{2} (the name w2)."""
    from ..texops import read

    try:
        node = read(printed, frozenset()).node
    except JacliError:
        node = None
    if isinstance(node, Name) and node.name == name:
        return printed
    return r"\mathit{" + name.replace("_", r"\_") + "}"


_SETTINGS = {"mat_str": "bmatrix", "mat_delim": "", "inv_trig_style": "full"}


def latex_expr(expr: Any) -> str:
    if hasattr(expr, "latex"):  # matrix-form results (jacli.matrix) print themselves
        return str(expr.latex())
    return str(JacliLatexPrinter(_SETTINGS).doprint(display(expr)))


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


def render(result: Result) -> str:
    if result.steps:
        from .steps import latex_block, point_of

        return latex_block(result.steps, _render(result), *point_of(result))
    return _render(result)


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
