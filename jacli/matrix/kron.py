"""Kronecker products, row-wise vec, commutation matrices and block matrices: the nodes of
derivatives that involve matrices on either side.

jacli flattens matrices row by row (the order of its concrete entries and of the seed), so for
vec_r(X) = (X[0,0], X[0,1], ..., X[1,0], ...):

    vec_r(A X B) = (A ⊗ Bᵀ) vec_r(X)        vec_r(Xᵀ) = K(m, n) vec_r(X)  (X is m x n)
    vec_r(M ⊙ X) = diag(vec_r(M)) vec_r(X)   tr(C X) = vec_r(Cᵀ)ᵀ vec_r(X)

Sizes of these nodes are products (and, for block matrices, sums) of sizes: ``dim_mul`` and
``dim_add`` spell them as strings such as ``"m*n"`` that ``dim_value`` evaluates.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from . import algebra as A
from . import nodes as N


# --- sizes -------------------------------------------------------------------------------------
def dim_mul(a: N.Dim, b: N.Dim) -> N.Dim:
    """a*b as a size; products of names are spelled with the names sorted, so that n*m == m*n."""
    if a == 1:
        return b
    if b == 1:
        return a
    if isinstance(a, int) and isinstance(b, int):
        return a * b
    number, names = 1, []
    for d in (a, b):
        for part in (_factors(d) if isinstance(d, str) else [str(d)]):
            if part.isdigit():
                number *= int(part)
            else:
                names.append(part)
    names.sort()
    return "*".join(([str(number)] if number != 1 else []) + names)


def _factors(d: str) -> list[str]:
    return [d] if "+" in d else d.split("*")


def dim_add(a: N.Dim, b: N.Dim) -> N.Dim:
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    return f"{a} + {b}"


def _wrap(d: N.Dim) -> str:
    return f"({d})" if isinstance(d, str) and "+" in d else str(d)


def dim_value(d: N.Dim, sizes: dict[str, int]) -> int:
    """The value of a size (an int, a size name, or a sum of products of them) for given size names."""
    if isinstance(d, int):
        return d
    total = 0
    for term in d.replace("(", "").replace(")", "").replace(" ", "").split("+"):
        value = 1
        for factor in term.split("*"):
            value *= int(factor) if factor.isdigit() else sizes[factor]
        total += value
    return total


def size(node: N.Node) -> N.Dim:
    """The number of entries of a node."""
    return dim_mul(node.rows, node.cols)


# --- nodes -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kron(N.Node):
    """a ⊗ b."""

    a: N.Node
    b: N.Node

    @property
    def rows(self) -> N.Dim:  # type: ignore[override]
        return dim_mul(self.a.rows, self.b.rows)

    @property
    def cols(self) -> N.Dim:  # type: ignore[override]
        return dim_mul(self.a.cols, self.b.cols)

    def children(self) -> tuple[N.Node, ...]:
        return (self.a, self.b)

    def transposed(self) -> N.Node:
        return kron(A.transpose(self.a), A.transpose(self.b))


@dataclass(frozen=True)
class Commutation(N.Node):
    """K(m, n): vec_r(Xᵀ) = K vec_r(X) for an m x n matrix X (a permutation, mn x mn)."""

    m: N.Dim
    n: N.Dim

    @property
    def rows(self) -> N.Dim:  # type: ignore[override]
        return dim_mul(self.m, self.n)

    @property
    def cols(self) -> N.Dim:  # type: ignore[override]
        return dim_mul(self.m, self.n)

    def transposed(self) -> N.Node:
        return Commutation(self.n, self.m)


@dataclass(frozen=True)
class Vec(N.Node):
    """vec_r(arg): the entries of a matrix row by row, as a column."""

    arg: N.Node

    @property
    def rows(self) -> N.Dim:  # type: ignore[override]
        return size(self.arg)

    cols = 1

    def children(self) -> tuple[N.Node, ...]:
        return (self.arg,)


@dataclass(frozen=True)
class Blocks(N.Node):
    """A block matrix [[H11, H12], [H21, H22]] (rows of blocks)."""

    grid: tuple[tuple[N.Node, ...], ...]

    @property
    def rows(self) -> N.Dim:  # type: ignore[override]
        out: N.Dim = self.grid[0][0].rows
        for row in self.grid[1:]:
            out = dim_add(out, row[0].rows)
        return out

    @property
    def cols(self) -> N.Dim:  # type: ignore[override]
        out: N.Dim = self.grid[0][0].cols
        for b in self.grid[0][1:]:
            out = dim_add(out, b.cols)
        return out

    def children(self) -> tuple[N.Node, ...]:
        return tuple(b for row in self.grid for b in row)

    def transposed(self) -> N.Node:
        return Blocks(tuple(tuple(A.transpose(self.grid[i][j]) for i in range(len(self.grid)))
                            for j in range(len(self.grid[0]))))


# --- smart constructors -------------------------------------------------------------------------
def _one(node: N.Node) -> bool:
    return isinstance(node, N.Identity) and node.n == 1


def kron(a: N.Node, b: N.Node) -> N.Node:
    """a ⊗ b, with scalars taken out, I ⊗ I = I, and column ⊗ row = column * row."""
    if _one(a) or a.is_scalar:
        return A.scale(sp.S.One if _one(a) else N.as_expr(a), b)
    if _one(b) or b.is_scalar:
        return A.scale(sp.S.One if _one(b) else N.as_expr(b), a)
    if isinstance(a, N.Zero) or isinstance(b, N.Zero):
        return N.Zero(dim_mul(a.rows, b.rows), dim_mul(a.cols, b.cols))
    ca, fa = N.split(a)
    cb, fb = N.split(b)
    pa, pb = A.prod(sp.S.One, fa), A.prod(sp.S.One, fb)
    if isinstance(pa, N.Identity) and isinstance(pb, N.Identity):
        inner: N.Node = N.Identity(dim_mul(pa.n, pb.n))
    elif (pa.cols == 1 and pb.rows == 1) or (pa.rows == 1 and pb.cols == 1):
        inner = A.mul(pa, pb) if pa.cols == 1 else A.mul(pb, pa)
    else:
        inner = Kron(pa, pb)
    return A.scale(ca * cb, inner)


def vec(node: N.Node) -> N.Node:
    if node.is_scalar or node.cols == 1:
        return node
    if node.rows == 1:
        return A.transpose(node)
    if isinstance(node, N.Zero):
        return N.Zero(size(node), 1)
    c, fs = N.split(node)
    if len(fs) == 2 and fs[0].cols == 1 and fs[1].rows == 1:  # vec_r(a bᵀ) = a ⊗ b
        return A.scale(c, kron(fs[0], A.transpose(fs[1])))
    return A.scale(c, Vec(A.prod(sp.S.One, fs)))


def kmul(*nodes: N.Node) -> N.Node:
    """A matrix product that also merges (A ⊗ B)(C ⊗ D) = AC ⊗ BD where the sizes fit."""
    out = nodes[0]
    for nxt in nodes[1:]:
        ca, fa = N.split(out)
        cb, fb = N.split(nxt)
        x, y = fa[-1], fb[0]
        if (isinstance(x, Kron) and isinstance(y, Kron) and x.a.cols == y.a.rows and x.b.cols == y.b.rows):
            merged = kron(A.mul(x.a, y.a), A.mul(x.b, y.b))
            out = A.mul(N.Scalar(ca * cb), *fa[:-1], merged, *fb[1:])
        else:
            out = A.mul(out, nxt)
    return out
