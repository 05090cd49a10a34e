"""jacli's own differential rules, read off as gradients (reverse mode over the matrix tree).

For a scalar f, each node Y receives its adjoint G (same shape as Y) meaning
df = tr(Gᵀ dY) = G : dY; the rules below are the differentials of the design note turned
around with tr(AB) = tr(BA), aᵀ dX b = tr(b aᵀ dX) and (A ⊙ B) : C = A : (B ⊙ C):

    d(c A)      c dA + dc A            A gets c G; c gets G : A
    d(A B ...)  dA B ... + A dB ...    factor k gets (left)ᵀ G (right)ᵀ
    d(Aᵀ)       (dA)ᵀ                  A gets Gᵀ
    d(A⁻¹)      -A⁻¹ dA A⁻¹            A gets -A⁻ᵀ G A⁻ᵀ
    d det A     det A tr(A⁻¹ dA)       A gets g det(A) A⁻ᵀ
    d logdet A  tr(A⁻¹ dA)             A gets g A⁻ᵀ
    d tr A      tr dA                  A gets g I
    d ‖A‖       A : dA / ‖A‖           A gets g A / ‖A‖
    d(A ⊙ B)    dA ⊙ B + A ⊙ dB        A gets G ⊙ B
    d φ(A)      φ'(A) ⊙ dA             A gets G ⊙ φ'(A)
    d softmax v (diag(s) - s sᵀ) dv    v gets s ⊙ G - s (sᵀ G)
    d lse(v)    softmax(v)ᵀ dv         v gets g softmax(v)
    d g(u)      g'(u) du               (scalar algebra: sympy differentiates by the atom u)

Jacobians of vector functions use the same machinery on uᵀ f(x) with a fresh vector u: its
gradient is Jᵀ u, and J is read off by taking u out on the right (a ⊙ u -> diag(a) u).
"""

from __future__ import annotations

import functools

import sympy as sp

from ..errors import UnsupportedError
from ..values import SYMMETRIC_ONLY_GRADIENT
from . import algebra as A
from . import nodes as N
from .differential import differential, frobenius, placeholder
from .kron import vec
from .linear import linear_map


class Backprop:
    """Accumulates the adjoints of the variables of one scalar expression."""

    def __init__(self) -> None:
        self.grads: dict[str, list[N.Node]] = {}

    def scalar(self, e: sp.Expr, g: sp.Expr) -> None:
        for s in N.atoms_of(e):
            ge = g * sp.diff(e, s)
            if ge != 0:
                self.node(N.node_of(s), N.Scalar(ge))

    def node(self, y: N.Node, g: N.Node) -> None:
        """Pass the adjoint ``g`` of ``y`` on to what ``y`` is built from (one rule per node kind)."""
        if isinstance(g, N.Zero) or (g.is_scalar and N.as_expr(g) == 0):
            return
        _adjoint(y, g, self)


# --- the rules: y receives g, and passes adjoints on through bp.node -----------------------------
@functools.singledispatch
def _adjoint(y: N.Node, g: N.Node, bp: Backprop) -> None:
    raise UnsupportedError(f"no differential rule for {type(y).__name__}")


@_adjoint.register(N.Var)
@_adjoint.register(N.ScalarVar)
def _adjoint_variable(y: N.Var | N.ScalarVar, g: N.Node, bp: Backprop) -> None:
    bp.grads.setdefault(y.name, []).append(g)


@_adjoint.register
def _adjoint_scalar(y: N.Scalar, g: N.Node, bp: Backprop) -> None:
    bp.scalar(y.e, N.as_expr(g))


@_adjoint.register(N.Zero)
@_adjoint.register(N.Identity)
@_adjoint.register(N.Ones)
@_adjoint.register(N.Unit)
def _adjoint_constant(y: N.Node, g: N.Node, bp: Backprop) -> None:
    return


@_adjoint.register
def _adjoint_prod(y: N.Prod, g: N.Node, bp: Backprop) -> None:
    if N.atoms_of(y.coeff):
        bp.scalar(y.coeff, frobenius(g, A.prod(sp.S.One, y.factors)))
    fs = y.factors
    for k, f in enumerate(fs):
        left = [A.transpose(A.prod(sp.S.One, fs[:k]))] if k else []
        right = [A.transpose(A.prod(sp.S.One, fs[k + 1 :]))] if k + 1 < len(fs) else []
        bp.node(f, A.mul(N.Scalar(y.coeff), *left, g, *right))


@_adjoint.register
def _adjoint_sum(y: N.Sum, g: N.Node, bp: Backprop) -> None:
    for t in y.terms:
        bp.node(t, g)


@_adjoint.register
def _adjoint_transpose(y: N.Transpose, g: N.Node, bp: Backprop) -> None:
    bp.node(y.arg, A.transpose(g))


@_adjoint.register
def _adjoint_inverse(y: N.Inverse, g: N.Node, bp: Backprop) -> None:
    it = A.transpose(y)
    bp.node(y.arg, A.scale(sp.S.NegativeOne, A.mul(it, g, it)))


@_adjoint.register
def _adjoint_hadamard(y: N.Hadamard, g: N.Node, bp: Backprop) -> None:
    for k, f in enumerate(y.factors):
        bp.node(f, A.hadamard(g, *(y.factors[:k] + y.factors[k + 1 :])))


@_adjoint.register
def _adjoint_elementwise(y: N.Elementwise, g: N.Node, bp: Backprop) -> None:
    if N.atoms_of(y.fn):
        raise UnsupportedError("elementwise functions with matrix-valued parameters are not supported")
    bp.node(y.arg, A.hadamard(g, A.elementwise(sp.diff(y.fn, N.T), y.arg)))


@_adjoint.register
def _adjoint_softmax(y: N.Softmax, g: N.Node, bp: Backprop) -> None:
    bp.node(y.arg, A.add(A.hadamard(y, g), A.scale(sp.S.NegativeOne, A.mul(y, A.transpose(y), g))))


@_adjoint.register
def _adjoint_diag(y: N.Diag, g: N.Node, bp: Backprop) -> None:
    bp.node(y.arg, N.DiagOf(g))


@_adjoint.register
def _adjoint_diag_of(y: N.DiagOf, g: N.Node, bp: Backprop) -> None:
    bp.node(y.arg, N.Diag(g))


@_adjoint.register
def _adjoint_trace(y: N.Trace, g: N.Node, bp: Backprop) -> None:
    if type(y) is not N.Trace:  # a scalar-valued kind without a rule of its own
        raise UnsupportedError(f"no differential rule for {type(y).__name__}")
    bp.node(y.arg, A.scale(N.as_expr(g), N.Identity(y.arg.rows)))


@_adjoint.register
def _adjoint_det(y: N.Det, g: N.Node, bp: Backprop) -> None:
    bp.node(y.arg, A.scale(N.as_expr(g) * N.atom(y), A.transpose(A.inverse(y.arg))))


@_adjoint.register
def _adjoint_logdet(y: N.LogDet, g: N.Node, bp: Backprop) -> None:
    bp.node(y.arg, A.scale(N.as_expr(g), A.transpose(A.inverse(y.arg))))


@_adjoint.register
def _adjoint_norm(y: N.Norm, g: N.Node, bp: Backprop) -> None:
    bp.node(y.arg, A.scale(N.as_expr(g) / N.atom(y), y.arg))


@_adjoint.register
def _adjoint_sum_all(y: N.SumAll, g: N.Node, bp: Backprop) -> None:
    bp.node(y.arg, A.scale(N.as_expr(g), N.Ones(y.arg.rows, y.arg.cols)))


@_adjoint.register
def _adjoint_logsumexp(y: N.LogSumExp, g: N.Node, bp: Backprop) -> None:
    bp.node(y.arg, A.scale(N.as_expr(g), N.Softmax(y.arg)))


@_adjoint.register
def _adjoint_entry(y: N.Entry, g: N.Node, bp: Backprop) -> None:
    bp.node(y.arg, A.scale(N.as_expr(g), N.Unit(y.arg.rows, y.arg.cols, y.i, y.j)))


def gradient(f: N.Node, var: N.Node) -> N.Node:
    """∂f/∂var for a scalar f, in the variable's shape (df = tr(Gᵀ dX) gives G)."""
    assert f.is_scalar
    bp = Backprop()
    bp.node(f, N.Scalar(sp.S.One))
    name = (N.node_of(var.e) if isinstance(var, N.Scalar) else var).name  # type: ignore[union-attr]
    parts = bp.grads.get(name, [])
    if not parts:
        return N.Scalar(sp.S.Zero) if var.is_scalar else N.Zero(var.rows, var.cols)
    g = A.add(*parts)
    if isinstance(var, N.Var) and var.sym:  # the symmetric part: df = sym(G) : dA for symmetric dA
        return A.add(A.scale(sp.Rational(1, 2), g), A.scale(sp.Rational(1, 2), A.transpose(g)))
    return g


def _no_symmetric(var: N.Node) -> None:
    if isinstance(var, N.Var) and var.sym:
        raise UnsupportedError(SYMMETRIC_ONLY_GRADIENT)


def jacobian(f: N.Node, var: N.Node) -> N.Node:
    """∂f/∂var in numerator layout: rows are f's entries, columns var's, both flattened row by row.

    A vector f of a vector (or scalar) var: reverse mode on uᵀ f with a fresh vector u gives
    Jᵀ u, and Jᵀ is read off as the matrix of that linear map (jacli.matrix.linear), which is
    always a plain matrix form. Otherwise the forward differential d f (linear in dX) is read
    off the same way, giving a Kronecker form: d(A X B) = A dX B -> A ⊗ Bᵀ.
    """
    _no_symmetric(var)
    if f.is_scalar:
        if var.is_scalar or var.cols == 1:
            return A.transpose(gradient(f, var))
        return A.transpose(vec(gradient(f, var)))
    if f.cols == 1 and (var.is_scalar or var.cols == 1):
        u = N.Var("_u", f.rows, 1)
        probe = A.mul(A.transpose(u), f)
        try:
            g = gradient(probe, var)  # = Jᵀ u
        except UnsupportedError:  # no reverse rule (kron, vec): the forward differential has them
            return kronecker_jacobian(f, var)
        return A.transpose(linear_map(g, u))
    return kronecker_jacobian(f, var)


def kronecker_jacobian(f: N.Node, var: N.Node) -> N.Node:
    """The Jacobian of vec_r(f) by vec_r(var), read off the forward differential."""
    if var.is_scalar:
        return vec(differential(f, var, N.Scalar(sp.S.One)))
    dv = placeholder(var)
    return linear_map(differential(f, var, dv), dv)


def hessian(f: N.Node, var: N.Node) -> N.Node:
    """The Hessian of a scalar f: the Jacobian of the gradient (of vec_r of it, for a matrix var)."""
    if not f.is_scalar:
        raise UnsupportedError("the Hessian needs a scalar-valued expression")
    _no_symmetric(var)
    g = gradient(f, var)
    if var.is_scalar or var.cols == 1:
        return jacobian(g, var)
    return kronecker_jacobian(g, var)


def cross_hessian(f: N.Node, a: N.Node, b: N.Node) -> N.Node:
    """∂/∂b of vec_r(∇_a f): the (a, b) block of the Hessian."""
    _no_symmetric(a)
    _no_symmetric(b)
    g = gradient(f, a)
    if g.is_scalar or g.cols == 1:
        return jacobian(g, b)
    return kronecker_jacobian(g, b)
