"""Expressions as LaTeX (``latex_expr``): sympy's LatexPrinter with bmatrix matrices and jacli's symbols.

Beneath every printer that writes LaTeX (latex, json, steps); depends only on .common.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..declarations import split_entry
from ..errors import JacliError
from ..matrix.nodes import Node
from ..matrix.printing import latex as matrix_latex
from ..syntax import Name
from .common import display


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
    if isinstance(expr, Node):  # matrix-form results (jacli.matrix) have their own printer
        return matrix_latex(expr)
    if hasattr(expr, "latex"):  # parts named in the output (render.cse.Subterm) print themselves
        return str(expr.latex())
    return str(JacliLatexPrinter(_SETTINGS).doprint(display(expr)))
