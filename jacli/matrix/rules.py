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

import sympy as sp

from ..errors import UnsupportedError
from . import nodes as N


def frobenius(g: N.Node, a: N.Node) -> sp.Expr:
    """G : A = tr(Gᵀ A) as a scalar expression."""
    if g.is_scalar:
        return N.as_expr(g) * N.as_expr(a)
    if isinstance(g, N.Zero) or isinstance(a, N.Zero):
        return sp.S.Zero
    if g.cols == 1:
        return N.as_expr(N.mul(N.transpose(g), a))
    p = N.mul(N.transpose(g), a)
    coeff, fs = N.split(p)
    return coeff * N.atom(N.Trace(N._prod(sp.S.One, fs)))


class Backprop:
    """Accumulates the adjoints of the variables of one scalar expression."""

    def __init__(self) -> None:
        self.grads: dict[str, list[N.Node]] = {}

    def scalar(self, e: sp.Expr, g: sp.Expr) -> None:
        for s in N.atoms_of(e):
            ge = g * sp.diff(e, s)
            if ge != 0:
                self.node(N.node_of(s), N.Scalar(ge))

    def node(self, y: N.Node, g: N.Node) -> None:  # noqa: C901 - one rule per node type
        if isinstance(g, N.Zero) or (g.is_scalar and N.as_expr(g) == 0):
            return
        if isinstance(y, (N.Var, N.ScalarVar)):
            self.grads.setdefault(y.name, []).append(g)
        elif isinstance(y, N.Scalar):
            self.scalar(y.e, N.as_expr(g))
        elif isinstance(y, (N.Zero, N.Identity, N.Ones, N.Unit)):
            return
        elif isinstance(y, N.Prod):
            if N.atoms_of(y.coeff):
                self.scalar(y.coeff, frobenius(g, N._prod(sp.S.One, y.factors)))
            fs = y.factors
            for k, f in enumerate(fs):
                left = [N.transpose(N._prod(sp.S.One, fs[:k]))] if k else []
                right = [N.transpose(N._prod(sp.S.One, fs[k + 1 :]))] if k + 1 < len(fs) else []
                self.node(f, N.mul(N.Scalar(y.coeff), *left, g, *right))
        elif isinstance(y, N.Sum):
            for t in y.terms:
                self.node(t, g)
        elif isinstance(y, N.Transpose):
            self.node(y.arg, N.transpose(g))
        elif isinstance(y, N.Inverse):
            it = N.transpose(y)
            self.node(y.arg, N.scale(sp.S.NegativeOne, N.mul(it, g, it)))
        elif isinstance(y, N.Hadamard):
            for k, f in enumerate(y.factors):
                self.node(f, N.hadamard(g, *(y.factors[:k] + y.factors[k + 1 :])))
        elif isinstance(y, N.Elementwise):
            if N.atoms_of(y.fn):
                raise UnsupportedError("elementwise functions with matrix-valued parameters are not supported")
            self.node(y.arg, N.hadamard(g, N.elementwise(sp.diff(y.fn, N.T), y.arg)))
        elif isinstance(y, N.Softmax):
            s = y
            self.node(y.arg, N.add(N.hadamard(s, g), N.scale(sp.S.NegativeOne, N.mul(s, N.transpose(s), g))))
        elif isinstance(y, N.Diag):
            self.node(y.arg, N.DiagOf(g))
        elif isinstance(y, N.DiagOf):
            self.node(y.arg, N.Diag(g))
        elif isinstance(y, N.Trace) and type(y) is N.Trace:
            self.node(y.arg, N.scale(N.as_expr(g), N.Identity(y.arg.rows)))
        elif isinstance(y, N.Det):
            self.node(y.arg, N.scale(N.as_expr(g) * N.atom(y), N.transpose(N.inverse(y.arg))))
        elif isinstance(y, N.LogDet):
            self.node(y.arg, N.scale(N.as_expr(g), N.transpose(N.inverse(y.arg))))
        elif isinstance(y, N.Norm):
            self.node(y.arg, N.scale(N.as_expr(g) / N.atom(y), y.arg))
        elif isinstance(y, N.SumAll):
            self.node(y.arg, N.scale(N.as_expr(g), N.Ones(y.arg.rows, y.arg.cols)))
        elif isinstance(y, N.LogSumExp):
            self.node(y.arg, N.scale(N.as_expr(g), N.Softmax(y.arg)))
        elif isinstance(y, N.Entry):
            self.node(y.arg, N.scale(N.as_expr(g), N.Unit(y.arg.rows, y.arg.cols, y.i, y.j)))
        else:
            raise UnsupportedError(f"no differential rule for {type(y).__name__}")


def gradient(f: N.Node, var: N.Node) -> N.Node:
    """∂f/∂var for a scalar f, in the variable's shape (df = tr(Gᵀ dX) gives G)."""
    assert f.is_scalar
    bp = Backprop()
    bp.node(f, N.Scalar(sp.S.One))
    name = (N.node_of(var.e) if isinstance(var, N.Scalar) else var).name  # type: ignore[union-attr]
    parts = bp.grads.get(name, [])
    if not parts:
        return N.Scalar(sp.S.Zero) if var.is_scalar else N.Zero(var.rows, var.cols)
    return N.add(*parts)


def _factor_u(node: N.Node, u: N.Var) -> N.Node:
    """M with node = M u (node linear in u); UnsupportedError where no such matrix form exists."""
    if isinstance(node, N.Zero):
        return N.Zero(node.rows, u.rows)
    if node == u:
        return N.Identity(u.rows)
    if isinstance(node, N.Scalar):
        parts = []
        for s in N.atoms_of(node.e):
            a = N.node_of(s)
            if not N.contains(a, u):
                continue
            c = sp.diff(node.e, s)
            if c.has(s) or not isinstance(a, N.Prod):
                raise UnsupportedError("no matrix form for this derivative")
            fs = a.factors
            if fs[-1] == u and not any(N.contains(f, u) for f in fs[:-1]):
                row = N._prod(a.coeff, fs[:-1])  # w' u
            elif fs[0] == N.transpose(u) and not any(N.contains(f, u) for f in fs[1:]):
                row = N.transpose(N._prod(a.coeff, fs[1:]))  # u' w = w' u
            else:
                raise UnsupportedError("no matrix form for this derivative")
            parts.append(N.mul(N.Scalar(c), row))
        return N.add(*parts) if parts else N.Zero(1, u.rows)
    if isinstance(node, N.Sum):
        return N.add(*[_factor_u(t, u) for t in node.terms])
    if isinstance(node, N.Prod):
        u_atoms = [s for s in N.atoms_of(node.coeff) if N.contains(N.node_of(s), u)]
        if u_atoms and not any(N.contains(f, u) for f in node.factors):
            inner = _factor_u(N.Scalar(node.coeff), u)  # coeff = inner u (a row times u)
            return N.mul(N._prod(sp.S.One, node.factors), inner)
        if not u_atoms and not any(N.contains(f, u) for f in node.factors[:-1]):
            return N.mul(N.Scalar(node.coeff), *node.factors[:-1], _factor_u(node.factors[-1], u))
    if isinstance(node, N.Hadamard) and u in node.factors and node.cols == 1:
        others = [f for f in node.factors if f != u]
        if not any(N.contains(f, u) for f in others):
            return N.Diag(N.hadamard(*others) if len(others) > 1 else others[0])
    raise UnsupportedError("this Jacobian has no matrix form here (only a vec/Kronecker form exists)")


def jacobian(f: N.Node, var: N.Node) -> N.Node:
    """∂f/∂var (numerator layout: rows are f's entries) for a vector f and a vector or scalar var."""
    if not (f.is_scalar or f.cols == 1) or not (var.is_scalar or var.cols == 1):
        raise UnsupportedError(
            "the Jacobian of a matrix-valued expression, or with respect to a matrix, has only a "
            "vec/Kronecker form (e.g. d vec(W x) = (x' ⊗ I) d vec(W)); jacli gives matrix forms for "
            "vector functions of vectors, or use concrete sizes for the entries"
        )
    if f.is_scalar:
        g = gradient(f, var)
        return N.transpose(g)
    u = N.Var("_u", f.rows, 1)
    probe = N.mul(N.transpose(u), f)
    g = gradient(probe, var)  # = Jᵀ u
    jt = _factor_u(g, u)
    return N.transpose(jt)


def hessian(f: N.Node, var: N.Node) -> N.Node:
    """The Hessian of a scalar f with respect to a vector var: the Jacobian of the gradient."""
    if not f.is_scalar:
        raise UnsupportedError("the Hessian needs a scalar-valued expression")
    if not (var.is_scalar or var.cols == 1):
        raise UnsupportedError("the Hessian with respect to a matrix has only a vec/Kronecker form; "
                               "use concrete sizes for the entries")
    return jacobian(gradient(f, var), var)
