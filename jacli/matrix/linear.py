"""Reading off the matrix of a linear map: for an expression L(D) linear in a placeholder D,
the matrix K with vec_r(L(D)) = K vec_r(D) (vec_r: entries row by row, as everywhere in jacli).

This is how every Jacobian is identified. For vectors D = dx the rules give plain matrix forms
(A dx -> A, a ⊙ (B dx) -> diag(a) B, s (sᵀ dx) -> s sᵀ); for matrices they give Kronecker forms
(A dX B -> A ⊗ Bᵀ, dXᵀ -> K(m, n), M ⊙ dX -> diag(vec_r M), tr(C dX) -> vec_r(Cᵀ)ᵀ).
A term that is not linear in D raises UnsupportedError (it never happens for differentials).
"""

from __future__ import annotations

import sympy as sp

from ..errors import UnsupportedError
from . import algebra as A
from . import nodes as N
from .kron import Commutation, kmul, kron, size, vec


def _identity(d: N.Dim) -> N.Node:
    return N.Identity(d)


def _chain(fs: tuple[N.Node, ...]) -> N.Node | None:
    return A.prod(sp.S.One, fs) if fs else None


def linear_map(node: N.Node, d: N.Node) -> N.Node:  # noqa: C901 - one case per node type
    """K with vec_r(node) = K vec_r(d), for ``node`` linear in the placeholder ``d``."""
    if not N.contains(node, d):
        return N.Zero(size(node), size(d))
    if node == d:
        return _identity(size(d))
    if isinstance(node, N.Scalar):
        return _scalar(node.e, d)
    if isinstance(node, N.Sum):
        return A.add(*[linear_map(t, d) for t in node.terms])
    if isinstance(node, N.Prod):
        return _product(node, d)
    if isinstance(node, N.Transpose):
        inner = linear_map(node.arg, d)
        if node.arg.cols == 1 or node.arg.rows == 1:  # a vector's entries in the same order
            return inner
        return kmul(Commutation(node.arg.rows, node.arg.cols), inner)
    if isinstance(node, N.Hadamard):
        have = [f for f in node.factors if N.contains(f, d)]
        if len(have) != 1:
            raise UnsupportedError("not linear in the differential")
        others = [f for f in node.factors if f is not have[0]]
        m = A.hadamard(*others) if len(others) > 1 else others[0]
        return kmul(N.Diag(vec(m)), linear_map(have[0], d))
    if isinstance(node, N.Elementwise):
        if sp.diff(node.fn, N.T, 2) != 0 or node.fn.xreplace({N.T: 0}) != 0:
            raise UnsupportedError("not linear in the differential")
        return A.scale(sp.diff(node.fn, N.T), linear_map(node.arg, d))
    raise UnsupportedError(f"no matrix form for the linear map through {type(node).__name__}")


def _scalar(e: sp.Expr, d: N.Node) -> N.Node:
    parts: list[N.Node] = []
    for s in N.atoms_of(e):
        a = N.node_of(s)
        if not N.contains(a, d):
            continue
        c = sp.diff(e, s)
        if any(N.contains(N.node_of(t), d) for t in N.atoms_of(c)):
            raise UnsupportedError("not linear in the differential")
        parts.append(A.mul(N.Scalar(c), _atom(a, d)))
    return A.add(*parts) if parts else N.Zero(1, size(d))


def _atom(a: N.Node, d: N.Node) -> N.Node:
    """The row (1 x size(d)) of a scalar-valued node linear in d."""
    if isinstance(a, N.Prod):
        return _product(a, d)
    if type(a) is N.Trace:
        inner = a.arg
        c, fs = N.split(inner)
        have = [k for k, f in enumerate(fs) if N.contains(f, d)]
        if len(have) == 1:  # tr(P F Q) = tr(Q P F) = vec_r((Q P)ᵀ)ᵀ vec_r(F)
            k = have[0]
            qp = A.mul(*fs[k + 1:], *fs[:k]) if len(fs) > 1 else N.Identity(fs[0].rows)
            row = A.transpose(vec(A.transpose(qp)))
            return A.scale(c, kmul(row, linear_map(fs[k], d)))
        return kmul(A.transpose(vec(N.Identity(inner.rows))), linear_map(inner, d))
    if isinstance(a, N.SumAll):
        return kmul(N.Ones(1, size(a.arg)), linear_map(a.arg, d))
    if isinstance(a, N.Entry) and a.arg.cols == 1:
        return kmul(A.transpose(N.Unit(a.arg.rows, 1, a.i, 0)), linear_map(a.arg, d))
    if isinstance(a, N.Entry) and a.arg.rows == 1:
        return kmul(A.transpose(N.Unit(a.arg.cols, 1, a.j, 0)), linear_map(a.arg, d))
    raise UnsupportedError(f"no matrix form for the linear map through {type(a).__name__}")


def _product(node: N.Prod, d: N.Node) -> N.Node:
    fs = node.factors
    coeff = node.coeff
    in_coeff = any(N.contains(N.node_of(s), d) for s in N.atoms_of(coeff))
    have = [k for k, f in enumerate(fs) if N.contains(f, d)]
    if in_coeff:
        if have:
            raise UnsupportedError("not linear in the differential")
        return A.mul(vec(A.prod(sp.S.One, fs)), _scalar(coeff, d))
    if len(have) != 1:
        raise UnsupportedError("not linear in the differential")
    k = have[0]
    f = fs[k]
    pre, post = _chain(fs[:k]), _chain(fs[k + 1:])
    if isinstance(f, N.Diag) and post is not None and post.cols == 1:  # diag(g) v = diag(v) g
        rest = A.mul(*fs[:k], N.Diag(post)) if pre is not None else N.Diag(post)
        return A.scale(coeff, kmul(rest, linear_map(f.arg, d)))
    left = pre if pre is not None else N.Identity(f.rows)
    right = A.transpose(post) if post is not None else N.Identity(f.cols)
    return A.scale(coeff, kmul(kron(left, right), linear_map(f, d)))
