"""jacli's typed matrix-expression tree: every node knows its shape, dimensions are ints or size names.

Scalars (1x1 values) are sympy expressions over *atoms*: each scalar-valued matrix subexpression
(tr(A*X), x'*A*x, det(X), norm(r), a scalar variable) is one real sympy Symbol registered here, so
sympy does the scalar algebra (cancelling norm(r)/norm(r), collecting, differentiating g(u) by u).
Non-scalar values are the node classes below; jacli.matrix.algebra builds them in canonical form.

Nothing here depends on how nodes are printed (jacli.matrix.printing imports this module, never
the reverse): the canonical order of terms is ``order_key``, computed from the structure, and an
atom's name is built from its structure as well.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass
from typing import Any

import sympy as sp

Dim = int | str


# --- structural order -------------------------------------------------------------------------
@functools.lru_cache(maxsize=8192)
def order_key(node: Node) -> tuple[Any, ...]:
    """A total order on nodes from their structure alone: (class name, keys of the fields in order).

    Fields that are nodes give their own key, sympy expressions their ``default_sort_key``,
    tuples (chains, terms, block rows) the tuple of their items' keys, sizes and indices
    themselves. Each field key is tagged by its kind so that keys of one class always compare.
    """
    fields = dataclasses.fields(node)  # type: ignore[arg-type]  # every concrete node is a dataclass
    return (type(node).__name__, tuple(_field_key(getattr(node, f.name)) for f in fields))


def _field_key(v: Any) -> tuple[Any, ...]:
    if isinstance(v, Node):
        return (3, order_key(v))
    if isinstance(v, sp.Basic):
        return (2, sp.default_sort_key(v))
    if isinstance(v, tuple):
        return (1, tuple(_field_key(x) for x in v))
    if isinstance(v, str):
        return (0, (1, v))
    return (0, (0, v))  # an int size or index, or the sym flag


# --- atoms: scalar-valued subexpressions as sympy symbols --------------------------------------
_ATOMS: dict[Any, sp.Symbol] = {}  # node -> symbol
_NODES: dict[sp.Symbol, Any] = {}  # symbol -> node
T = sp.Symbol("_t", real=True)  # the argument of elementwise functions; not a jacli name, so never a variable


def atom(node: Any) -> sp.Symbol:
    """The sympy symbol standing for the scalar-valued ``node`` (interned: equal nodes, one symbol).

    A scalar variable is its own name; any other atom is named by its kind and a digest of its
    order key, so that the name (and so sympy's order of terms) is the same in every run and
    whatever was built before. The printers show atoms as the expressions they stand for.
    """
    if isinstance(node, ScalarVar):
        sym = sp.Symbol(node.name, real=True)
    else:
        sym = _ATOMS.get(node)
        if sym is None:
            digest = hashlib.sha1(repr(order_key(node)).encode()).hexdigest()[:12]
            name = f"\u27e8{type(node).__name__}:{digest}\u27e9"  # sorts after plain names
            while sp.Symbol(name, real=True) in _NODES:  # a digest collision: never in practice
                name += "'"
            sym = sp.Symbol(name, real=True)
    _ATOMS[node] = sym
    _NODES[sym] = node
    return sym


def node_of(sym: Any) -> Any:
    """The node an atom stands for (None for other symbols)."""
    return _NODES.get(sym)


def atoms_of(e: sp.Expr) -> list[sp.Symbol]:
    return sorted((s for s in e.free_symbols if s in _NODES), key=lambda s: s.name)


# --- nodes ------------------------------------------------------------------------------------
class Node:
    rows: Dim
    cols: Dim

    @property
    def shape(self) -> tuple[Dim, Dim]:
        return (self.rows, self.cols)

    @property
    def is_scalar(self) -> bool:
        return self.rows == 1 and self.cols == 1

    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True, eq=True)
class Scalar(Node):
    """A scalar: a sympy expression whose free symbols are atoms."""

    e: sp.Expr

    rows = 1
    cols = 1


@dataclass(frozen=True)
class Var(Node):
    name: str
    rows: Dim
    cols: Dim
    sym: bool = False  # declared symmetric (A:n,n:sym): A' = A


@dataclass(frozen=True)
class ScalarVar(Node):
    name: str

    rows = 1
    cols = 1


@dataclass(frozen=True)
class Zero(Node):
    rows: Dim
    cols: Dim


@dataclass(frozen=True)
class Identity(Node):
    n: Dim

    @property
    def rows(self) -> Dim:  # type: ignore[override]
        return self.n

    @property
    def cols(self) -> Dim:  # type: ignore[override]
        return self.n


@dataclass(frozen=True)
class Ones(Node):
    """All-ones: what a scalar becomes when it is added to every entry."""

    rows: Dim
    cols: Dim


@dataclass(frozen=True)
class Unit(Node):
    """The matrix with a single 1 at (i, j): the derivative of indexing."""

    rows: Dim
    cols: Dim
    i: int
    j: int


@dataclass(frozen=True)
class Prod(Node):
    """coeff * factors[0] * factors[1] * ...: a scalar coefficient times a chain of matrices."""

    coeff: sp.Expr
    factors: tuple[Node, ...]

    @property
    def rows(self) -> Dim:  # type: ignore[override]
        return self.factors[0].rows

    @property
    def cols(self) -> Dim:  # type: ignore[override]
        return self.factors[-1].cols

    def children(self) -> tuple[Node, ...]:
        return self.factors


class _SameShape(Node):
    """A node over operands of one shape (Sum, Hadamard): it has the first operand's shape."""

    def children(self) -> tuple[Node, ...]:
        raise NotImplementedError

    @property
    def rows(self) -> Dim:  # type: ignore[override]
        return self.children()[0].rows

    @property
    def cols(self) -> Dim:  # type: ignore[override]
        return self.children()[0].cols


@dataclass(frozen=True)
class Sum(_SameShape):
    terms: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.terms


@dataclass(frozen=True)
class Transpose(Node):
    arg: Node

    @property
    def rows(self) -> Dim:  # type: ignore[override]
        return self.arg.cols

    @property
    def cols(self) -> Dim:  # type: ignore[override]
        return self.arg.rows

    def children(self) -> tuple[Node, ...]:
        return (self.arg,)


class _Unary(Node):
    arg: Node

    @property
    def rows(self) -> Dim:  # type: ignore[override]
        return self.arg.rows

    @property
    def cols(self) -> Dim:  # type: ignore[override]
        return self.arg.cols

    def children(self) -> tuple[Node, ...]:
        return (self.arg,)


@dataclass(frozen=True)
class Inverse(_Unary):
    arg: Node


@dataclass(frozen=True)
class Softmax(_Unary):
    arg: Node


@dataclass(frozen=True)
class Elementwise(_Unary):
    """phi(arg) entry by entry; ``fn`` is a sympy expression in ``T``."""

    fn: sp.Expr
    arg: Node


@dataclass(frozen=True)
class Hadamard(_SameShape):
    factors: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.factors


@dataclass(frozen=True)
class Diag(Node):
    """diag(v): the square matrix with the vector v on its diagonal."""

    arg: Node

    @property
    def rows(self) -> Dim:  # type: ignore[override]
        return self.arg.rows

    @property
    def cols(self) -> Dim:  # type: ignore[override]
        return self.arg.rows

    def children(self) -> tuple[Node, ...]:
        return (self.arg,)


@dataclass(frozen=True)
class DiagOf(Node):
    """diag(M): the vector of the diagonal of a square matrix."""

    arg: Node

    @property
    def rows(self) -> Dim:  # type: ignore[override]
        return self.arg.rows

    cols = 1

    def children(self) -> tuple[Node, ...]:
        return (self.arg,)


# scalar-valued nodes: they only ever appear as atoms
@dataclass(frozen=True)
class Trace(Node):
    arg: Node
    rows = 1
    cols = 1

    def children(self) -> tuple[Node, ...]:
        return (self.arg,)


@dataclass(frozen=True)
class Det(Trace):
    pass


@dataclass(frozen=True)
class LogDet(Trace):
    pass


@dataclass(frozen=True)
class Norm(Trace):
    pass


@dataclass(frozen=True)
class SumAll(Trace):
    pass


@dataclass(frozen=True)
class LogSumExp(Trace):
    pass


@dataclass(frozen=True)
class Entry(Node):
    arg: Node
    i: int
    j: int
    rows = 1
    cols = 1

    def children(self) -> tuple[Node, ...]:
        return (self.arg,)


# --- queries ----------------------------------------------------------------------------------
def as_expr(node: Node) -> sp.Expr:
    """The sympy form of a scalar-valued node."""
    if isinstance(node, Scalar):
        return node.e
    if isinstance(node, Zero):
        return sp.S.Zero
    assert node.is_scalar, node
    return atom(node)


def split(node: Node) -> tuple[sp.Expr, tuple[Node, ...]]:
    """(coefficient, chain) of a non-scalar node."""
    if isinstance(node, Prod):
        return node.coeff, node.factors
    return sp.S.One, (node,)


def contains(node: Node, target: Node) -> bool:
    """Whether ``target`` occurs in ``node`` (looking inside atoms and coefficients)."""
    if node == target:
        return True
    if isinstance(node, Scalar):
        return any(contains(node_of(s), target) for s in atoms_of(node.e))
    if isinstance(node, Prod) and any(contains(node_of(s), target) for s in atoms_of(node.coeff)):
        return True
    if isinstance(node, Elementwise) and any(contains(node_of(s), target) for s in atoms_of(node.fn)):
        return True
    return any(contains(c, target) for c in node.children())


def variables(node: Node) -> set[str]:
    out: set[str] = set()

    def visit(n: Node) -> None:
        if isinstance(n, (Var, ScalarVar)):
            out.add(n.name)
        exprs = [n.e] if isinstance(n, Scalar) else [n.coeff] if isinstance(n, Prod) else (
            [n.fn] if isinstance(n, Elementwise) else [])
        for e in exprs:
            for s in atoms_of(e):
                visit(node_of(s))
        for c in n.children():
            visit(c)

    visit(node)
    return out
