"""Plain (parseable by jacli) and LaTeX text of matrix-form expressions.

Scalar parts go through sympy's printers (subclassed so that atoms print as the matrix
expressions they stand for); matrix parts are printed here with jacli's spelling: ``*`` products,
``'`` transposes, ``inv(X)``, ``.*`` Hadamard products. LaTeX uses ``^{\\top}``, ``^{-1}``,
``^{-\\top}`` and ``\\odot``. There is one printing function per node kind (``functools.singledispatch``).

The printers choose the order in which things are shown: the terms of a sum and the factors of a
Hadamard product by their printed text (``display_order``), and the factors and terms of scalar
algebra as sympy orders them once each atom is renamed after its printed text (``shown``). The
nodes' own (structural) order and the atoms' own names never reach the output.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from . import algebra as A
from . import kron as K
from . import nodes as N

ADD, NEG, MUL, CHAIN, FUNC, ATOM = 40, 45, 50, 48, 55, 1000
# CHAIN: a 1x1 matrix product (x'*A*x) inside scalar algebra; below MUL so that it is
# parenthesized in products and quotients: 2*(x'*A*x), 1/(x'*A*x)


# --- the order things are shown in --------------------------------------------------------------
_SHOWN: dict[sp.Symbol, N.Node] = {}  # display symbol -> the node it shows


def shown(e: Any) -> Any:
    """``e`` with each atom (other than a scalar variable) renamed ``⟨its plain text⟩``.

    sympy orders the terms and factors it prints by the names of the symbols; under these names
    a product of atoms reads tr(A)*x'*x rather than in the order of the atoms' structural names.
    Atoms whose texts coincide get primes, so that they stay distinct symbols.
    """
    if not isinstance(e, sp.Basic):
        return e
    atoms = [s for s in N.atoms_of(e) if not isinstance(N.node_of(s), N.ScalarVar)]
    if not atoms:
        return e
    taken = {s.name for s in e.free_symbols if s not in atoms}
    subs = {}
    for s in atoms:
        node = N.node_of(s)
        name = f"\u27e8{plain(node)}\u27e9"
        while name in taken:
            name += "'"
        taken.add(name)
        d = sp.Symbol(name, real=True)
        _SHOWN[d] = node
        subs[s] = d
    return e.xreplace(subs)


def node_shown(sym: Any) -> Any:
    """The node a symbol stands for: an atom or a display symbol of ``shown`` (None for others)."""
    node = _SHOWN.get(sym)
    return node if node is not None else N.node_of(sym)


def display_order(nodes: Iterable[N.Node]) -> list[N.Node]:
    """Terms of a sum (factors of a Hadamard product) in the order they are shown: by the text
    of their chains, coefficients aside."""
    return sorted(nodes, key=lambda t: plain(A.prod(sp.S.One, N.split(t)[1])))


class _Shown:
    """Printing starts from the display form of the expression (see ``shown``)."""

    def doprint(self, expr: Any) -> str:
        return str(super().doprint(shown(expr)))  # type: ignore[misc]


# --- scalar printers ----------------------------------------------------------------------------
class _ScalarPlain(_Shown, StrPrinter):
    def __init__(self, arg: tuple[str, int] | None = None) -> None:
        super().__init__()
        self.arg = arg  # the printed argument of an elementwise function (text, precedence)

    def _print_Symbol(self, expr: Any) -> str:
        if expr == N.T and self.arg is not None:
            return self.arg[0]
        node = node_shown(expr)
        if node is not None:
            return _plain(node)[0]
        return str(expr.name)

    def _prec(self, item: Any) -> int:
        if item == N.T and self.arg is not None:
            return self.arg[1]
        node = node_shown(item) if isinstance(item, sp.Symbol) else None
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


class _ScalarLatex(_Shown, LatexPrinter):
    """Atoms print bare; parentheses come from ``parenthesize`` where the context needs them, so
    sympy's own brackets (function arguments) are never doubled: tanh(W x), not tanh((W x))."""

    def __init__(self, arg: tuple[str, int] | None = None) -> None:
        super().__init__({"mul_symbol": None})
        self.arg = arg  # the printed argument of an elementwise function (text, precedence)

    def _prec(self, item: Any) -> int:
        if item == N.T and self.arg is not None:
            return self.arg[1]
        node = node_shown(item) if isinstance(item, sp.Symbol) else None
        if node is not None:
            return _latex(node)[1]
        return int(precedence(item))

    def _print_Symbol(self, expr: Any, style: str = "plain") -> str:
        if expr == N.T and self.arg is not None:
            return self.arg[0]
        node = node_shown(expr)
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
    """('2*', negative?) for a coefficient (in display form); the sign is returned separately."""
    neg = bool(c.could_extract_minus_sign())
    if neg:
        c = -c
    if c == 1:
        return "", neg
    if c.is_Rational and not c.is_Integer:
        return f"{c.p}/{c.q}*", neg
    text = _ScalarPlain().doprint(c)
    return (f"({text})*" if c.is_Add else f"{text}*"), neg


def _negated(t: N.Node) -> tuple[bool, N.Node]:
    """(True, -t) for a term of a sum shown with a minus sign, (False, t) otherwise."""
    if isinstance(t, N.Prod) and shown(t.coeff).could_extract_minus_sign():
        return True, A.scale(-1, t)
    return False, t


@functools.lru_cache(maxsize=4096)
def _plain(node: N.Node) -> tuple[str, int]:
    """(text, precedence) of a node; a node prints the same every time, so texts are kept."""
    return _plain_kind(node)


@functools.singledispatch
def _plain_kind(node: N.Node) -> tuple[str, int]:
    raise TypeError(f"cannot print {type(node).__name__}")


@_plain_kind.register(N.Var)
@_plain_kind.register(N.ScalarVar)
def _plain_name(node: N.Var | N.ScalarVar) -> tuple[str, int]:
    return node.name, ATOM


@_plain_kind.register
def _plain_scalar(node: N.Scalar) -> tuple[str, int]:
    e = shown(node.e)
    text = scalar_plain(e)
    p = precedence(e)
    if isinstance(e, sp.Symbol):
        p = _ScalarPlain()._prec(e)
    elif e.could_extract_minus_sign():
        p = min(p, NEG)
    return text, p


@_plain_kind.register
def _plain_zero(node: N.Zero) -> tuple[str, int]:
    return "0", ATOM


@_plain_kind.register
def _plain_identity(node: N.Identity) -> tuple[str, int]:
    return f"I({node.n})", ATOM


@_plain_kind.register
def _plain_kron(node: K.Kron) -> tuple[str, int]:
    return f"kron({_plain(node.a)[0]}, {_plain(node.b)[0]})", ATOM


@_plain_kind.register
def _plain_commutation(node: K.Commutation) -> tuple[str, int]:
    return f"commutation({node.m}, {node.n})", ATOM


@_plain_kind.register
def _plain_vec(node: K.Vec) -> tuple[str, int]:
    return f"vec({_plain(node.arg)[0]})", ATOM


@_plain_kind.register
def _plain_blocks(node: K.Blocks) -> tuple[str, int]:
    return "[" + ", ".join("[" + ", ".join(_plain(b)[0] for b in row) + "]" for row in node.grid) + "]", ATOM


@_plain_kind.register
def _plain_ones(node: N.Ones) -> tuple[str, int]:
    return f"ones({node.rows}, {node.cols})" if node.cols != 1 else f"ones({node.rows})", ATOM


@_plain_kind.register
def _plain_unit(node: N.Unit) -> tuple[str, int]:
    return f"unit({node.i}, {node.rows})" if node.cols == 1 else f"unit({node.i}, {node.j})", ATOM


@_plain_kind.register
def _plain_transpose(node: N.Transpose) -> tuple[str, int]:
    return _paren(_plain(node.arg), ATOM) + "'", ATOM


_NAMES: dict[type[N.Node], str] = {
    N.Trace: "tr", N.Det: "det", N.LogDet: "logdet", N.Norm: "norm", N.SumAll: "sum", N.LogSumExp: "logsumexp",
    N.Softmax: "softmax", N.Diag: "diag", N.DiagOf: "diag", N.Inverse: "inv"}


def _plain_function(node: N.Node) -> tuple[str, int]:
    """name(arg) for the node kinds of _NAMES."""
    return f"{_NAMES[type(node)]}({_plain(node.arg)[0]})", ATOM  # type: ignore[attr-defined]


for _kind in _NAMES:
    _plain_kind.register(_kind, _plain_function)


@_plain_kind.register
def _plain_entry(node: N.Entry) -> tuple[str, int]:
    idx = f"{node.i}" if node.arg.cols == 1 else f"{node.i},{node.j}"
    return _paren(_plain(node.arg), ATOM) + f"[{idx}]", ATOM


@_plain_kind.register
def _plain_elementwise(node: N.Elementwise) -> tuple[str, int]:
    fn = shown(node.fn)
    text = _ScalarPlain(_plain(node.arg)).doprint(fn)
    if fn.is_Function:
        return text, ATOM
    if fn.could_extract_minus_sign():
        return text, NEG
    return text, MUL - 1 if fn.is_Mul else int(precedence(fn))


@_plain_kind.register
def _plain_hadamard(node: N.Hadamard) -> tuple[str, int]:
    return " .* ".join(_paren(_plain(f), ATOM) for f in display_order(node.factors)), MUL - 1


@_plain_kind.register
def _plain_prod(node: N.Prod) -> tuple[str, int]:
    coeff, den = shown(node.coeff), sp.S.One
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


@_plain_kind.register
def _plain_sum(node: N.Sum) -> tuple[str, int]:
    out = []
    for k, term in enumerate(display_order(node.terms)):
        neg, t = _negated(term)
        if isinstance(t, N.Ones) or (isinstance(t, N.Prod) and t.factors == (N.Ones(t.rows, t.cols),)):
            c = t.coeff if isinstance(t, N.Prod) else sp.S.One
            text = _ScalarPlain().parenthesize(shown(c), ADD + 1)
        else:
            text = _paren(_plain(t), ADD + 1)
        if k == 0:
            out.append(("-" if neg else "") + text)
        else:
            out.append((" - " if neg else " + ") + text)
    return "".join(out), ADD


def plain(node: N.Node) -> str:
    """The plain text of a node (jacli's input syntax)."""
    return _plain(node)[0]


# --- LaTeX --------------------------------------------------------------------------------------
def _ldim(d: N.Dim) -> str:
    return str(d).replace("*", " ")


def _lparen(pt: tuple[str, int], level: int) -> str:
    text, p = pt
    return rf"\left({text}\right)" if p < level else text


@functools.lru_cache(maxsize=4096)
def _latex(node: N.Node) -> tuple[str, int]:
    """(LaTeX, precedence) of a node."""
    return _latex_kind(node)


@functools.singledispatch
def _latex_kind(node: N.Node) -> tuple[str, int]:
    raise TypeError(f"cannot print {type(node).__name__}")


@_latex_kind.register(N.Var)
@_latex_kind.register(N.ScalarVar)
def _latex_name(node: N.Var | N.ScalarVar) -> tuple[str, int]:
    return sp.latex(sp.Symbol(node.name)), ATOM


@_latex_kind.register
def _latex_scalar(node: N.Scalar) -> tuple[str, int]:
    e = shown(node.e)
    if isinstance(e, sp.Symbol):
        return _ScalarLatex().doprint(e), _ScalarLatex()._prec(e)
    return _ScalarLatex().doprint(e), int(precedence(e))


@_latex_kind.register
def _latex_zero(node: N.Zero) -> tuple[str, int]:
    return "0", ATOM


@_latex_kind.register
def _latex_identity(node: N.Identity) -> tuple[str, int]:
    return f"I_{{{_ldim(node.n)}}}", ATOM


@_latex_kind.register
def _latex_kron(node: K.Kron) -> tuple[str, int]:
    return rf"{_lparen(_latex(node.a), MUL)} \otimes {_lparen(_latex(node.b), MUL)}", MUL - 1


@_latex_kind.register
def _latex_commutation(node: K.Commutation) -> tuple[str, int]:
    return rf"K_{{{_ldim(node.m)},{_ldim(node.n)}}}", ATOM


@_latex_kind.register
def _latex_vec(node: K.Vec) -> tuple[str, int]:
    return rf"\operatorname{{vec}}_{{r}}\left({_latex(node.arg)[0]}\right)", ATOM


@_latex_kind.register
def _latex_blocks(node: K.Blocks) -> tuple[str, int]:
    rows = [" & ".join(_latex(b)[0] for b in row) for row in node.grid]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}", ATOM


@_latex_kind.register
def _latex_ones(node: N.Ones) -> tuple[str, int]:
    return r"\mathbf{1}", ATOM


@_latex_kind.register
def _latex_unit(node: N.Unit) -> tuple[str, int]:
    return rf"e_{{{node.i}}}", ATOM


@_latex_kind.register
def _latex_transpose(node: N.Transpose) -> tuple[str, int]:
    if isinstance(node.arg, N.Inverse):
        return _lparen(_latex(node.arg.arg), ATOM) + r"^{-\top}", ATOM
    return _lparen(_latex(node.arg), ATOM) + r"^{\top}", ATOM


@_latex_kind.register
def _latex_inverse(node: N.Inverse) -> tuple[str, int]:
    return _lparen(_latex(node.arg), ATOM) + "^{-1}", ATOM


@_latex_kind.register
def _latex_norm(node: N.Norm) -> tuple[str, int]:
    return rf"\left\|{_latex(node.arg)[0]}\right\|", ATOM


_LATEX_NAMES: dict[type[N.Node], str] = {
    N.Trace: r"\operatorname{tr}", N.Det: r"\det", N.LogDet: r"\log\det", N.SumAll: r"\operatorname{sum}",
    N.LogSumExp: r"\operatorname{logsumexp}", N.Softmax: r"\operatorname{softmax}",
    N.Diag: r"\operatorname{diag}", N.DiagOf: r"\operatorname{diag}"}


def _latex_function(node: N.Node) -> tuple[str, int]:
    """\\name(arg) for the node kinds of _LATEX_NAMES."""
    return rf"{_LATEX_NAMES[type(node)]}\left({_latex(node.arg)[0]}\right)", ATOM  # type: ignore[attr-defined]


for _kind in _LATEX_NAMES:
    _latex_kind.register(_kind, _latex_function)


@_latex_kind.register
def _latex_entry(node: N.Entry) -> tuple[str, int]:
    idx = f"{node.i}" if node.arg.cols == 1 else f"{node.i},{node.j}"
    return _lparen(_latex(node.arg), ATOM) + f"_{{{idx}}}", ATOM


@_latex_kind.register
def _latex_elementwise(node: N.Elementwise) -> tuple[str, int]:
    fn = shown(node.fn)
    return _ScalarLatex(_latex(node.arg)).doprint(fn), int(precedence(fn))


@_latex_kind.register
def _latex_hadamard(node: N.Hadamard) -> tuple[str, int]:
    return r" \odot ".join(_lparen(_latex(f), ATOM) for f in display_order(node.factors)), MUL - 1


@_latex_kind.register
def _latex_prod(node: N.Prod) -> tuple[str, int]:
    c = shown(node.coeff)
    neg = bool(c.could_extract_minus_sign())
    if neg:
        c = -c
    head = "" if c == 1 else _ScalarLatex().parenthesize(c, MUL, strict=True) + " "
    body = " ".join(_lparen(_latex(f), MUL + 1) for f in node.factors)
    return ("-" if neg else "") + head + body, (CHAIN if node.is_scalar else MUL)


@_latex_kind.register
def _latex_sum(node: N.Sum) -> tuple[str, int]:
    out = []
    for k, term in enumerate(display_order(node.terms)):
        neg, t = _negated(term)
        text = _lparen(_latex(t), ADD + 1)
        out.append(("-" if neg else "") + text if k == 0 else (" - " if neg else " + ") + text)
    return "".join(out), ADD


def latex(node: N.Node) -> str:
    """The LaTeX of a node."""
    return _latex(node)[0]
