"""Plain (parseable by jacli) and LaTeX text of matrix-form expressions.

Scalar parts go through sympy's printers (subclassed so that atoms print as the matrix
expressions they stand for); matrix parts are printed here with jacli's spelling: ``*`` products,
``'`` transposes, ``inv(X)``, ``.*`` Hadamard products. LaTeX uses ``^{\\top}``, ``^{-1}``,
``^{-\\top}`` and ``\\odot``.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from . import kron as K
from . import nodes as N

ADD, NEG, MUL, CHAIN, FUNC, ATOM = 40, 45, 50, 48, 55, 1000
# CHAIN: a 1x1 matrix product (x'*A*x) inside scalar algebra; below MUL so that it is
# parenthesized in products and quotients: 2*(x'*A*x), 1/(x'*A*x)


# --- scalar printers ----------------------------------------------------------------------------
class _ScalarPlain(StrPrinter):
    def __init__(self, arg: tuple[str, int] | None = None) -> None:
        super().__init__()
        self.arg = arg  # the printed argument of an elementwise function (text, precedence)

    def _print_Symbol(self, expr: Any) -> str:
        if expr == N.T and self.arg is not None:
            return self.arg[0]
        node = N.node_of(expr)
        if node is not None:
            return _plain(node)[0]
        return str(expr.name)

    def _prec(self, item: Any) -> int:
        if item == N.T and self.arg is not None:
            return self.arg[1]
        node = N.node_of(item) if isinstance(item, sp.Symbol) else None
        if node is not None:
            return _plain(node)[1]
        return int(precedence(item))

    def parenthesize(self, item: Any, level: int, strict: bool = False) -> str:
        if isinstance(item, sp.Symbol):
            p = self._prec(item)
            text = self._print(item)
            return f"({text})" if p < level or (strict and p <= level) else text
        return str(super().parenthesize(item, level, strict))

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        if self.arg is not None and expr.exp.is_Integer:
            k = int(expr.exp)
            if k >= 2:
                return " .* ".join([self.parenthesize(expr.base, FUNC)] * k)
            if k < 0:
                return "1/" + self.parenthesize(expr.base ** (-k), FUNC)
        return str(super()._print_Pow(expr, rational)).replace("**", "^")

    def _print_Mul(self, expr: Any) -> str:
        if self.arg is None or not expr.has(N.T):
            return str(super()._print_Mul(expr))
        c, rest = expr.as_coeff_Mul()
        num, den = [], []
        for f in sp.Mul.make_args(rest):
            if f.is_Pow and f.exp.is_Integer and f.exp < 0:
                den.append(f.base ** (-f.exp))
            else:
                num.append(f)
        parts = [self.parenthesize(f, FUNC) if f.has(N.T) else self.parenthesize(f, MUL) for f in num]
        if den:
            parts.append("(1/" + self.parenthesize(sp.Mul(*den), FUNC) + ")")
        sign = ""
        if c < 0:
            sign, c = "-", -c
        head = "" if c == 1 else self._print(c) + "*"
        return sign + head + " .* ".join(parts)

    def _print_Abs(self, expr: Any) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Exp1(self, expr: Any) -> str:
        return "e"


class _ScalarLatex(LatexPrinter):
    """Atoms print bare; parentheses come from ``parenthesize`` where the context needs them, so
    sympy's own brackets (function arguments) are never doubled: tanh(W x), not tanh((W x))."""

    def __init__(self, arg: tuple[str, int] | None = None) -> None:
        super().__init__({"mul_symbol": None})
        self.arg = arg  # the printed argument of an elementwise function (text, precedence)

    def _prec(self, item: Any) -> int:
        if item == N.T and self.arg is not None:
            return self.arg[1]
        node = N.node_of(item) if isinstance(item, sp.Symbol) else None
        if node is not None:
            return _latex(node)[1]
        return int(precedence(item))

    def _print_Symbol(self, expr: Any, style: str = "plain") -> str:
        if expr == N.T and self.arg is not None:
            return self.arg[0]
        node = N.node_of(expr)
        if node is not None:
            return _latex(node)[0]
        return str(super()._print_Symbol(expr))

    def parenthesize_super(self, s: str) -> str:
        return s if s.startswith(r"\left(") else str(super().parenthesize_super(s))

    def parenthesize(self, item: Any, level: int, is_neg: bool = False, strict: bool = False) -> str:
        if isinstance(item, sp.Symbol):
            p = self._prec(item)
            text = self._print(item)
            return rf"\left({text}\right)" if p < level or (strict and p <= level) else text
        return str(super().parenthesize(item, level, is_neg, strict))

    def _print_Mul(self, expr: Any) -> str:
        # sympy's _print_Pow prints 1/u through _print_Mul(Pow): not a product, so not ours to split
        if self.arg is None or not expr.has(N.T) or not isinstance(expr, sp.Mul):
            if isinstance(expr, sp.Mul):  # scalar factors that are products (x'*A*x) are bracketed
                c, rest = expr.as_coeff_Mul()
                factors = sp.Mul.make_args(rest)
                fraction = any(f.is_Pow and f.exp.is_negative for f in factors)
                if len(factors) > 1 and not fraction and any(isinstance(f, sp.Symbol) and self._prec(f) < MUL for f in factors):
                    head = "" if c == 1 else ("-" if c == -1 else self._print(c) + " ")
                    return head + " ".join(self.parenthesize(f, MUL) for f in factors)
            return str(super()._print_Mul(expr))
        c, rest = expr.as_coeff_Mul()
        parts = []
        for f in sp.Mul.make_args(rest):
            parts.append(self.parenthesize(f, PRECEDENCE["Mul"]) if not isinstance(f, sp.Symbol)
                         else self.parenthesize(f, MUL))
        sign = ""
        if c < 0:
            sign, c = "-", -c
        head = "" if c == 1 else self._print(c) + " "
        return sign + head + r" \odot ".join(parts)

    def _print_Pow(self, expr: Any) -> str:  # LatexPrinter's takes no ``rational`` (StrPrinter's does)
        if self.arg is not None and expr.base.has(N.T) and expr.exp.is_Integer and expr.exp > 1:
            if expr.base == N.T:
                base = self.parenthesize(expr.base, ATOM)
            else:
                base = self._print(expr.base)
                if not expr.base.is_Function:
                    base = rf"\left({base}\right)"
            return rf"{base}^{{\circ {int(expr.exp)}}}"  # Hadamard power
        return str(super()._print_Pow(expr))


def scalar_plain(e: sp.Expr) -> str:
    return _ScalarPlain().doprint(e)


# --- matrix expressions, plain ------------------------------------------------------------------
def _paren(pt: tuple[str, int], level: int) -> str:
    text, p = pt
    return f"({text})" if p < level else text


def _coeff_prefix(c: sp.Expr) -> tuple[str, bool]:
    """('2*', negative?) for a coefficient; the sign is returned separately."""
    neg = bool(c.could_extract_minus_sign())
    if neg:
        c = -c
    if c == 1:
        return "", neg
    if c.is_Rational and not c.is_Integer:
        return f"{c.p}/{c.q}*", neg
    text = _ScalarPlain().doprint(c)
    return (f"({text})*" if c.is_Add else f"{text}*"), neg


_NAMES = {N.Trace: "tr", N.Det: "det", N.LogDet: "logdet", N.Norm: "norm", N.SumAll: "sum",
          N.LogSumExp: "logsumexp", N.Softmax: "softmax", N.Diag: "diag", N.DiagOf: "diag",
          N.Inverse: "inv"}


def _plain(node: N.Node) -> tuple[str, int]:
    if isinstance(node, (N.Var, N.ScalarVar)):
        return node.name, ATOM
    if isinstance(node, N.Scalar):
        text = scalar_plain(node.e)
        p = precedence(node.e)
        if isinstance(node.e, sp.Symbol):
            p = _ScalarPlain()._prec(node.e)
        elif node.e.could_extract_minus_sign():
            p = min(p, NEG)
        return text, p
    if isinstance(node, N.Zero):
        return "0", ATOM
    if isinstance(node, N.Identity):
        return f"I({node.n})", ATOM
    if isinstance(node, K.Kron):
        return f"kron({_plain(node.a)[0]}, {_plain(node.b)[0]})", ATOM
    if isinstance(node, K.Commutation):
        return f"commutation({node.m}, {node.n})", ATOM
    if isinstance(node, K.Vec):
        return f"vec({_plain(node.arg)[0]})", ATOM
    if isinstance(node, K.Blocks):
        return "[" + ", ".join("[" + ", ".join(_plain(b)[0] for b in row) + "]" for row in node.grid) + "]", ATOM
    if isinstance(node, N.Ones):
        return f"ones({node.rows}, {node.cols})" if node.cols != 1 else f"ones({node.rows})", ATOM
    if isinstance(node, N.Unit):
        return f"unit({node.i}, {node.rows})" if node.cols == 1 else f"unit({node.i}, {node.j})", ATOM
    if isinstance(node, N.Transpose):
        return _paren(_plain(node.arg), ATOM) + "'", ATOM
    if type(node) in _NAMES:
        return f"{_NAMES[type(node)]}({_plain(node.arg)[0]})", ATOM  # type: ignore[attr-defined]
    if isinstance(node, N.Entry):
        idx = f"{node.i}" if node.arg.cols == 1 else f"{node.i},{node.j}"
        return _paren(_plain(node.arg), ATOM) + f"[{idx}]", ATOM
    if isinstance(node, N.Elementwise):
        text = _ScalarPlain(_plain(node.arg)).doprint(node.fn)
        if node.fn.is_Function:
            return text, ATOM
        if node.fn.could_extract_minus_sign():
            return text, NEG
        return text, MUL - 1 if node.fn.is_Mul else int(precedence(node.fn))
    if isinstance(node, N.Hadamard):
        return " .* ".join(_paren(_plain(f), ATOM) for f in node.factors), MUL - 1
    if isinstance(node, N.Prod):
        coeff, den = node.coeff, sp.S.One
        if not coeff.is_Rational:
            coeff, den = sp.fraction(coeff, exact=True)  # x/norm(x) rather than 1/norm(x)*x
        prefix, neg = _coeff_prefix(coeff)
        body = "*".join(_paren(_plain(f), MUL) if not isinstance(f, N.Hadamard) else f"({_plain(f)[0]})"
                        for f in node.factors)
        text = ("-" if neg else "") + prefix + body
        if den != 1:
            den_text = _ScalarPlain().doprint(den)
            simple = re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*(\([^()]*\))?", den_text)
            text += "/" + (den_text if simple else f"({den_text})")
        if node.is_scalar:
            return text, CHAIN
        return text, NEG if neg else MUL
    if isinstance(node, N.Sum):
        out = []
        for k, t in enumerate(node.terms):
            neg = False
            if isinstance(t, N.Prod) and t.coeff.could_extract_minus_sign():
                neg, t = True, N.scale(-1, t)
            if isinstance(t, N.Ones) or (isinstance(t, N.Prod) and t.factors == (N.Ones(t.rows, t.cols),)):
                c = t.coeff if isinstance(t, N.Prod) else sp.S.One
                text = _ScalarPlain().parenthesize(c, ADD + 1)
            else:
                text = _paren(_plain(t), ADD + 1)
            if k == 0:
                out.append(("-" if neg else "") + text)
            else:
                out.append((" - " if neg else " + ") + text)
        return "".join(out), ADD
    raise TypeError(f"cannot print {type(node).__name__}")


def plain(node: N.Node) -> str:
    return _plain(node)[0]


# --- LaTeX --------------------------------------------------------------------------------------
_LATEX_NAMES = {N.Trace: r"\operatorname{tr}", N.Det: r"\det", N.LogDet: r"\log\det",
                N.SumAll: r"\operatorname{sum}", N.LogSumExp: r"\operatorname{logsumexp}",
                N.Softmax: r"\operatorname{softmax}", N.Diag: r"\operatorname{diag}",
                N.DiagOf: r"\operatorname{diag}"}


def _ldim(d: N.Dim) -> str:
    return str(d).replace("*", " ")


def _lparen(pt: tuple[str, int], level: int) -> str:
    text, p = pt
    return rf"\left({text}\right)" if p < level else text


def _latex(node: N.Node) -> tuple[str, int]:
    if isinstance(node, (N.Var, N.ScalarVar)):
        return sp.latex(sp.Symbol(node.name)), ATOM
    if isinstance(node, N.Scalar):
        if isinstance(node.e, sp.Symbol):
            return _ScalarLatex().doprint(node.e), _ScalarLatex()._prec(node.e)
        return _ScalarLatex().doprint(node.e), int(precedence(node.e))
    if isinstance(node, N.Zero):
        return "0", ATOM
    if isinstance(node, N.Identity):
        return f"I_{{{_ldim(node.n)}}}", ATOM
    if isinstance(node, K.Kron):
        return rf"{_lparen(_latex(node.a), MUL)} \otimes {_lparen(_latex(node.b), MUL)}", MUL - 1
    if isinstance(node, K.Commutation):
        return rf"K_{{{_ldim(node.m)},{_ldim(node.n)}}}", ATOM
    if isinstance(node, K.Vec):
        return rf"\operatorname{{vec}}_{{r}}\left({_latex(node.arg)[0]}\right)", ATOM
    if isinstance(node, K.Blocks):
        rows = [" & ".join(_latex(b)[0] for b in row) for row in node.grid]
        return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}", ATOM
    if isinstance(node, N.Ones):
        return r"\mathbf{1}", ATOM
    if isinstance(node, N.Unit):
        return rf"e_{{{node.i}}}", ATOM
    if isinstance(node, N.Transpose):
        if isinstance(node.arg, N.Inverse):
            return _lparen(_latex(node.arg.arg), ATOM) + r"^{-\top}", ATOM
        return _lparen(_latex(node.arg), ATOM) + r"^{\top}", ATOM
    if isinstance(node, N.Inverse):
        return _lparen(_latex(node.arg), ATOM) + "^{-1}", ATOM
    if isinstance(node, N.Norm):
        return rf"\left\|{_latex(node.arg)[0]}\right\|", ATOM
    if type(node) in _LATEX_NAMES:
        return rf"{_LATEX_NAMES[type(node)]}\left({_latex(node.arg)[0]}\right)", ATOM  # type: ignore[attr-defined]
    if isinstance(node, N.Entry):
        idx = f"{node.i}" if node.arg.cols == 1 else f"{node.i},{node.j}"
        return _lparen(_latex(node.arg), ATOM) + f"_{{{idx}}}", ATOM
    if isinstance(node, N.Elementwise):
        return _ScalarLatex(_latex(node.arg)).doprint(node.fn), int(precedence(node.fn))
    if isinstance(node, N.Hadamard):
        return r" \odot ".join(_lparen(_latex(f), ATOM) for f in node.factors), MUL - 1
    if isinstance(node, N.Prod):
        c = node.coeff
        neg = bool(c.could_extract_minus_sign())
        if neg:
            c = -c
        head = "" if c == 1 else _ScalarLatex().parenthesize(c, MUL, strict=True) + " "
        body = " ".join(_lparen(_latex(f), MUL + 1) for f in node.factors)
        return ("-" if neg else "") + head + body, (CHAIN if node.is_scalar else MUL)
    if isinstance(node, N.Sum):
        out = []
        for k, t in enumerate(node.terms):
            neg = False
            if isinstance(t, N.Prod) and t.coeff.could_extract_minus_sign():
                neg, t = True, N.scale(-1, t)
            text = _lparen(_latex(t), ADD + 1)
            out.append(("-" if neg else "") + text if k == 0 else (" - " if neg else " + ") + text)
        return "".join(out), ADD
    raise TypeError(f"cannot print {type(node).__name__}")


def latex(node: N.Node) -> str:
    return _latex(node)[0]


N.PRINTERS.plain = plain
N.PRINTERS.latex = latex
