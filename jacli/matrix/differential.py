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

import functools

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

    def atom(self, a: N.Node) -> N.Node:
        """d of a scalar-valued node (an atom of scalar algebra)."""
        return _d_atom(a, self)

    def _d(self, y: N.Node) -> N.Node:
        """d of a node that depends on the variable (one rule per node kind)."""
        return _d(y, self)


# --- d of atoms: scalar-valued nodes -------------------------------------------------------------
@functools.singledispatch
def _d_atom(a: N.Node, d: Differential) -> N.Node:
    raise UnsupportedError(f"no differential rule for {type(a).__name__}")


@_d_atom.register
def _d_atom_variable(a: N.ScalarVar, d: Differential) -> N.Node:
    return d.dvar


@_d_atom.register
def _d_atom_prod(a: N.Prod, d: Differential) -> N.Node:
    return d._d(a)


@_d_atom.register
def _d_atom_det(a: N.Det, d: Differential) -> N.Node:
    return N.Scalar(N.atom(a) * trace(A.mul(A.inverse(a.arg), d(a.arg))))


@_d_atom.register
def _d_atom_logdet(a: N.LogDet, d: Differential) -> N.Node:
    return N.Scalar(trace(A.mul(A.inverse(a.arg), d(a.arg))))


@_d_atom.register
def _d_atom_norm(a: N.Norm, d: Differential) -> N.Node:
    return N.Scalar(frobenius(a.arg, d(a.arg)) / N.atom(a))


@_d_atom.register
def _d_atom_sum_all(a: N.SumAll, d: Differential) -> N.Node:
    return N.Scalar(sum_all(d(a.arg)))


@_d_atom.register
def _d_atom_logsumexp(a: N.LogSumExp, d: Differential) -> N.Node:
    return A.mul(A.transpose(N.Softmax(a.arg)), d(a.arg))


@_d_atom.register
def _d_atom_entry(a: N.Entry, d: Differential) -> N.Node:
    inner = d(a.arg)
    return N.Scalar(N.as_expr(A.entry(inner, a.i, a.j)) if not isinstance(inner, N.Zero) else 0)


@_d_atom.register
def _d_atom_trace(a: N.Trace, d: Differential) -> N.Node:
    if type(a) is not N.Trace:  # a scalar-valued kind without a rule of its own
        raise UnsupportedError(f"no differential rule for {type(a).__name__}")
    return N.Scalar(trace(d(a.arg)))


# --- d of nodes ----------------------------------------------------------------------------------
@functools.singledispatch
def _d(y: N.Node, d: Differential) -> N.Node:
    raise UnsupportedError(f"no differential rule for {type(y).__name__}")


@_d.register
def _d_variable(y: N.Var, d: Differential) -> N.Node:
    return d.dvar if y.name == d.name else N.Zero(y.rows, y.cols)


@_d.register
def _d_scalar(y: N.Scalar, d: Differential) -> N.Node:
    return N.Scalar(d.scalar(y.e))


@_d.register(N.Zero)
@_d.register(N.Identity)
@_d.register(N.Ones)
@_d.register(N.Unit)
@_d.register(Commutation)
def _d_constant(y: N.Node, d: Differential) -> N.Node:
    return N.Zero(y.rows, y.cols)


@_d.register
def _d_prod(y: N.Prod, d: Differential) -> N.Node:
    terms: list[N.Node] = []
    body = A.prod(sp.S.One, y.factors)
    if any(d.has(N.node_of(s)) for s in N.atoms_of(y.coeff)):
        terms.append(A.mul(N.Scalar(d.scalar(y.coeff)), body))
    fs = y.factors
    for k, f in enumerate(fs):
        if d.has(f):
            terms.append(A.mul(N.Scalar(y.coeff), *fs[:k], d(f), *fs[k + 1:]))
    return A.add(*terms) if terms else N.Zero(y.rows, y.cols)


@_d.register
def _d_sum(y: N.Sum, d: Differential) -> N.Node:
    return A.add(*[d(t) for t in y.terms])


@_d.register
def _d_transpose(y: N.Transpose, d: Differential) -> N.Node:
    return A.transpose(d(y.arg))


@_d.register
def _d_inverse(y: N.Inverse, d: Differential) -> N.Node:
    return A.scale(sp.S.NegativeOne, A.mul(y, d(y.arg), y))


@_d.register
def _d_hadamard(y: N.Hadamard, d: Differential) -> N.Node:
    return A.add(*[A.hadamard(*y.factors[:k], d(f), *y.factors[k + 1:]) for k, f in enumerate(y.factors) if d.has(f)])


@_d.register
def _d_elementwise(y: N.Elementwise, d: Differential) -> N.Node:
    """φ_c(A): d = φ'(A) ⊙ dA + Σ (∂φ/∂c)(A) dc over scalar parameters c."""
    parts = [A.hadamard(A.elementwise(sp.diff(y.fn, N.T), y.arg), d(y.arg))] if d.has(y.arg) else []
    for s in N.atoms_of(y.fn):
        if d.has(N.node_of(s)):
            dc = N.as_expr(d.atom(N.node_of(s)))
            parts.append(A.scale(dc, A.elementwise(sp.diff(y.fn, s), y.arg)))
    return A.add(*parts)


@_d.register
def _d_softmax(y: N.Softmax, d: Differential) -> N.Node:
    dv = d(y.arg)
    return A.add(A.hadamard(y, dv), A.scale(sp.S.NegativeOne, A.mul(y, A.transpose(y), dv)))


@_d.register
def _d_kron(y: Kron, d: Differential) -> N.Node:
    return A.add(kron(d(y.a), y.b), kron(y.a, d(y.b)))


@_d.register
def _d_vec(y: Vec, d: Differential) -> N.Node:
    return vec(d(y.arg))


@_d.register
def _d_diag(y: N.Diag, d: Differential) -> N.Node:
    return N.Diag(d(y.arg))


@_d.register
def _d_diag_of(y: N.DiagOf, d: Differential) -> N.Node:
    return N.DiagOf(d(y.arg))


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
