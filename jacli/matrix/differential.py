"""The forward differential: d f as an expression linear in a placeholder dX (the design note's rules).

    d(A + B) = dA + dB         d(c A) = dc A + c dA        d(A B) = dA B + A dB
    d(Aᵀ) = (dA)ᵀ              d(A⁻¹) = -A⁻¹ dA A⁻¹        d(A ⊙ B) = dA ⊙ B + A ⊙ dB
    d φ(A) = φ'(A) ⊙ dA        d softmax(v) = s ⊙ dv - s (sᵀ dv)
    d tr A = tr dA             d det A = det A tr(A⁻¹ dA)  d logdet A = tr(A⁻¹ dA)
    d ‖A‖ = tr(Aᵀ dA)/‖A‖      d sum(A) = sum(dA)          d logsumexp(v) = softmax(v)ᵀ dv
    d g(u) = g'(u) du          (scalar algebra: sympy differentiates by the atom u)

With dX a matrix placeholder the result identifies the Jacobian through jacli.matrix.linear;
with a scalar variable and d = 1 it is the derivative itself (``diff`` by a scalar).
"""

from __future__ import annotations

import sympy as sp

from ..errors import UnsupportedError
from . import algebra as A
from . import nodes as N
from .kron import Commutation, Kron, Vec, kron, vec


def frobenius(g: N.Node, a: N.Node) -> sp.Expr:
    """G : A = tr(Gᵀ A) as a scalar expression."""
    if g.is_scalar:
        return N.as_expr(g) * N.as_expr(a)
    if isinstance(g, N.Zero) or isinstance(a, N.Zero):
        return sp.S.Zero
    if g.cols == 1:
        return N.as_expr(A.mul(A.transpose(g), a))
    p = A.mul(A.transpose(g), a)
    coeff, fs = N.split(p)
    return coeff * N.atom(N.Trace(A.prod(sp.S.One, fs)))


def trace(node: N.Node) -> sp.Expr:
    """tr(node) as a scalar expression (sums split, coefficients taken out)."""
    return _reduced(node, N.Trace)


def sum_all(node: N.Node) -> sp.Expr:
    """sum(node), the sum of its entries, as trace() builds tr(node)."""
    return _reduced(node, N.SumAll)


def _reduced(node: N.Node, kind: type[N.Node]) -> sp.Expr:
    """``kind(node)`` (a trace or a sum of entries, both linear) with sums split and coefficients
    taken out."""
    if node.is_scalar:
        return N.as_expr(node)
    if isinstance(node, N.Zero):
        return sp.S.Zero
    if isinstance(node, N.Sum):
        return sp.Add(*[_reduced(t, kind) for t in node.terms])
    c, fs = N.split(node)
    return c * N.atom(kind(A.prod(sp.S.One, fs)))  # type: ignore[call-arg]


class Differential:
    """d(node) with respect to one variable, whose differential is the node ``dvar``."""

    def __init__(self, var: N.Node, dvar: N.Node) -> None:
        self.name = (N.node_of(var.e) if isinstance(var, N.Scalar) else var).name  # type: ignore[union-attr]
        self.var = var
        self.dvar = dvar
        self.cache: dict[N.Node, N.Node] = {}

    def has(self, node: N.Node) -> bool:
        return self.name in N.variables(node)

    def __call__(self, node: N.Node) -> N.Node:
        if node in self.cache:
            return self.cache[node]
        out = self._d(node) if self.has(node) else (
            N.Scalar(sp.S.Zero) if node.is_scalar else N.Zero(node.rows, node.cols))
        self.cache[node] = out
        return out

    def scalar(self, e: sp.Expr) -> sp.Expr:
        total = sp.S.Zero
        for s in N.atoms_of(e):
            a = N.node_of(s)
            if not self.has(a):
                continue
            total += sp.diff(e, s) * N.as_expr(self.atom(a))
        return total

    def atom(self, a: N.Node) -> N.Node:  # noqa: C901 - one rule per scalar-valued node
        if isinstance(a, N.ScalarVar):
            return self.dvar
        if isinstance(a, N.Prod):
            return self._d(a)
        if isinstance(a, N.Det):
            return N.Scalar(N.atom(a) * trace(A.mul(A.inverse(a.arg), self(a.arg))))
        if isinstance(a, N.LogDet):
            return N.Scalar(trace(A.mul(A.inverse(a.arg), self(a.arg))))
        if isinstance(a, N.Norm):
            return N.Scalar(frobenius(a.arg, self(a.arg)) / N.atom(a))
        if isinstance(a, N.SumAll):
            return N.Scalar(sum_all(self(a.arg)))
        if isinstance(a, N.LogSumExp):
            return A.mul(A.transpose(N.Softmax(a.arg)), self(a.arg))
        if isinstance(a, N.Entry):
            inner = self(a.arg)
            return N.Scalar(N.as_expr(A.entry(inner, a.i, a.j)) if not isinstance(inner, N.Zero) else 0)
        if type(a) is N.Trace:
            return N.Scalar(trace(self(a.arg)))
        raise UnsupportedError(f"no differential rule for {type(a).__name__}")

    def _d(self, y: N.Node) -> N.Node:  # noqa: C901 - one rule per node type
        if isinstance(y, N.Var):
            return self.dvar if y.name == self.name else N.Zero(y.rows, y.cols)
        if isinstance(y, N.Scalar):
            return N.Scalar(self.scalar(y.e))
        if isinstance(y, (N.Zero, N.Identity, N.Ones, N.Unit, Commutation)):
            return N.Zero(y.rows, y.cols)
        if isinstance(y, N.Prod):
            terms: list[N.Node] = []
            body = A.prod(sp.S.One, y.factors)
            if any(self.has(N.node_of(s)) for s in N.atoms_of(y.coeff)):
                terms.append(A.mul(N.Scalar(self.scalar(y.coeff)), body))
            fs = y.factors
            for k, f in enumerate(fs):
                if self.has(f):
                    terms.append(A.mul(N.Scalar(y.coeff), *fs[:k], self(f), *fs[k + 1:]))
            return A.add(*terms) if terms else N.Zero(y.rows, y.cols)
        if isinstance(y, N.Sum):
            return A.add(*[self(t) for t in y.terms])
        if isinstance(y, N.Transpose):
            return A.transpose(self(y.arg))
        if isinstance(y, N.Inverse):
            return A.scale(sp.S.NegativeOne, A.mul(y, self(y.arg), y))
        if isinstance(y, N.Hadamard):
            parts = [A.hadamard(*y.factors[:k], self(f), *y.factors[k + 1:])
                     for k, f in enumerate(y.factors) if self.has(f)]
            return A.add(*parts)
        if isinstance(y, N.Elementwise):  # φ_c(A): d = φ'(A) ⊙ dA + Σ (∂φ/∂c)(A) dc over scalar parameters c
            parts = [A.hadamard(A.elementwise(sp.diff(y.fn, N.T), y.arg), self(y.arg))] if self.has(y.arg) else []
            for s in N.atoms_of(y.fn):
                if self.has(N.node_of(s)):
                    dc = N.as_expr(self.atom(N.node_of(s)))
                    parts.append(A.scale(dc, A.elementwise(sp.diff(y.fn, s), y.arg)))
            return A.add(*parts)
        if isinstance(y, N.Softmax):
            dv = self(y.arg)
            return A.add(A.hadamard(y, dv), A.scale(sp.S.NegativeOne, A.mul(y, A.transpose(y), dv)))
        if isinstance(y, Kron):
            return A.add(kron(self(y.a), y.b), kron(y.a, self(y.b)))
        if isinstance(y, Vec):
            return vec(self(y.arg))
        if isinstance(y, N.Diag):
            return N.Diag(self(y.arg))
        if isinstance(y, N.DiagOf):
            return N.DiagOf(self(y.arg))
        raise UnsupportedError(f"no differential rule for {type(y).__name__}")


def differential(f: N.Node, var: N.Node, dvar: N.Node) -> N.Node:
    """d f when var changes by dvar (a placeholder node of var's shape, or 1 for a derivative)."""
    return Differential(var, dvar)(f)


def placeholder(var: N.Node) -> N.Node:
    """The placeholder dX (a matrix or vector variable named d<name>) for a variable X."""
    if var.is_scalar:
        name = N.node_of(var.e).name if isinstance(var, N.Scalar) else var.name  # type: ignore[union-attr,attr-defined]
        return N.Scalar(N.atom(N.ScalarVar("d" + name)))
    assert isinstance(var, N.Var)
    return N.Var("d" + var.name, var.rows, var.cols)
