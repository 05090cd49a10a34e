"""The array constructors of jacli's language, for concrete sizes: I(n), ones(n), ones(m, n),
unit(k, n), kron(A, B), vec(A) (row by row) and commutation(m, n).

They are what jacli prints in matrix forms (kron(I(m), x'), softmax(z) - unit(k, n)), so results
parse back as input. They are functions only when called: ``I`` alone is still a plain name.
A mixin of jacli.declarations.Lowerer; the symbolic-size versions are in jacli.matrix.lower.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from . import syntax as sx
from .errors import BoundError
from .shapes import MAX_ENTRIES, SCALAR

ARRAY_FUNCTIONS = sx.CALL_ONLY_NAMES  # I, ones, unit, kron, vec, commutation
SIZED_FUNCTIONS = frozenset({"I", "ones", "unit", "commutation"})  # their arguments are sizes


def _shape(value: Any) -> tuple[Any, ...]:
    return tuple(value.shape) if isinstance(value, sp.MatrixBase) else SCALAR


def _value(m: sp.MatrixBase) -> Any:
    return m[0, 0] if m.shape == (1, 1) else sp.ImmutableMatrix(m)


INDEX_HINT = ("; a variable index such as softmax(z)[k] is not supported: write the class-index loss with a "
              "one-hot vector y, -y'*log(softmax(z)) (gradient sum(y)*softmax(z) - y, i.e. softmax(z) - y), "
              "or for a fixed class -unit(2, n)'*log(softmax(z))")


def index_message(node: sx.Node) -> str:
    """The error for a non-integer index, with the one-hot hint when the index is a name."""
    base = "an index must be an integer (indices start at 0)"
    return base + (INDEX_HINT if isinstance(node, sx.Name) else "")


class ArrayFunctions:
    """fn_I, fn_ones, ... for jacli.declarations.Lowerer (which provides arity and shape_error)."""

    arity: Any
    shape_error: Any

    def _size(self, node: sx.Call, value: Any, k: int, least: int = 1) -> int:
        if not (isinstance(value, sp.Integer) and int(value) >= least):
            what = "an index (0, 1, ...)" if least == 0 else "a positive integer size"
            raise self.shape_error(f"argument {k + 1} of {node.func}() must be {what}", sx.start(node.args[k]))
        return int(value)

    def _entries(self, count: int, node: sx.Call) -> None:
        if count > MAX_ENTRIES:
            raise BoundError(f"{node.func}() would have {count} entries; the limit is {MAX_ENTRIES}")

    def fn_I(self, node: sx.Call, args: list[Any]) -> Any:  # noqa: N802 - the identity's name
        self.arity(node, args, 1)
        n = self._size(node, args[0], 0)
        self._entries(n * n, node)
        return _value(sp.eye(n))

    def fn_ones(self, node: sx.Call, args: list[Any]) -> Any:
        self.arity(node, args, 1, 2)
        dims = [self._size(node, a, k) for k, a in enumerate(args)]
        rows, cols = dims[0], dims[1] if len(dims) == 2 else 1
        self._entries(rows * cols, node)
        return _value(sp.ones(rows, cols))

    def fn_unit(self, node: sx.Call, args: list[Any]) -> Any:
        self.arity(node, args, 2)
        k = self._size(node, args[0], 0, least=0)
        n = self._size(node, args[1], 1)
        if k >= n:
            raise self.shape_error(f"unit({k}, {n}): index {k} is out of range for size {n} (indices start at 0)",
                                   node.pos)
        self._entries(n, node)
        return _value(sp.Matrix(n, 1, lambda i, _j: 1 if i == k else 0))

    def fn_commutation(self, node: sx.Call, args: list[Any]) -> Any:
        self.arity(node, args, 2)
        m, n = (self._size(node, a, k) for k, a in enumerate(args))
        self._entries((m * n) ** 2, node)
        out = sp.zeros(m * n, m * n)
        for i in range(m):
            for j in range(n):
                out[j * m + i, i * n + j] = 1
        return _value(out)

    def fn_kron(self, node: sx.Call, args: list[Any]) -> Any:
        self.arity(node, args, 2)
        a, b = args
        if _shape(a) == SCALAR or _shape(b) == SCALAR:
            return _value(sp.Matrix(a * b)) if isinstance(a * b, sp.MatrixBase) else a * b
        self._entries(len(a) * len(b), node)
        ra, ca = a.shape
        rb, cb = b.shape
        out = sp.Matrix(ra * rb, ca * cb, lambda i, j: a[i // rb, j // cb] * b[i % rb, j % cb])
        return _value(out)

    def fn_vec(self, node: sx.Call, args: list[Any]) -> Any:
        self.arity(node, args, 1)
        (a,) = args
        if _shape(a) == SCALAR:
            return a
        return _value(sp.Matrix(len(a), 1, list(a)))  # sympy iterates row by row
