"""Lowering jacli syntax trees to matrix-form nodes, with shape checks on symbolic sizes.

The language is the one of ../declarations.py (CLI.md): ``*``/``@`` products with scalars scaling,
``'``/``.T`` transposes, ``inv``/``^-1``, ``det``, ``logdet``, ``tr``, ``norm``, ``sum``, ``dot``,
``hadamard``/``.*``, ``diag``, elementwise functions, ``softmax``, ``logsumexp``, indexing, and a
scalar added to or dividing an array applied to every entry. Shape errors are ShapeErrors at the
operator's column naming both shapes.
"""

from __future__ import annotations

import sympy as sp

from .. import syntax as sx
from ..arrays import index_message
from ..declarations import CONSTANTS, ELEMENTWISE, ChainLowering, Workspace, number
from ..errors import ShapeError, UnsupportedError
from ..shapes import SCALAR, a_shape, format_shape
from . import algebra as A
from . import nodes as N
from .kron import Blocks, Commutation, dim_mul, kron, vec


def node_shape(node: N.Node) -> tuple:
    return SCALAR if node.is_scalar else node.shape


def describe(node: N.Node) -> str:
    return format_shape(node_shape(node))


def variable(ws: Workspace, name: str) -> N.Node:
    shape = ws.shapes.get(name, SCALAR)
    if shape == SCALAR:
        return N.Scalar(N.atom(N.ScalarVar(name)))
    rows, cols = shape
    return N.Var(name, rows, cols, sym=name in ws.symmetric)


class MatrixLowerer(ChainLowering):
    def __init__(self, ws: Workspace, text: str, lets: dict[str, N.Node] | None = None) -> None:
        self.ws = ws
        self.text = text
        self.lets = lets if lets is not None else {}

    def error(self, message: str, pos: int) -> ShapeError:
        return ShapeError(message, self.text, pos)

    def is_scalar_value(self, value: N.Node) -> bool:
        return bool(value.is_scalar)

    def lower(self, node: sx.Node) -> N.Node:
        result: N.Node = getattr(self, "_" + type(node).__name__)(node)
        return result

    def _Num(self, node: sx.Num) -> N.Node:
        return N.Scalar(number(node.text))

    def _Name(self, node: sx.Name) -> N.Node:
        name = node.name
        if name in CONSTANTS:
            return N.Scalar(CONSTANTS[name])
        lets = dict(self.ws.lets)
        if name in lets:
            if name not in self.lets:
                body = lets[name]
                self.lets[name] = MatrixLowerer(self.ws, body, self.lets).lower(self.ws._let_nodes[name])
            return self.lets[name]
        return variable(self.ws, name)

    def _Neg(self, node: sx.Neg) -> N.Node:
        return A.scale(sp.S.NegativeOne, self.lower(node.operand))

    def _Add(self, node: sx.Add) -> N.Node:
        total = self.lower(node.args[0])
        for op, arg, pos in zip(node.ops[1:], node.args[1:], node.pos[1:], strict=False):
            v = self.lower(arg)
            if op == "-":
                v = A.scale(sp.S.NegativeOne, v)
            total = self.plus(total, v, op, pos)
        return total

    def plus(self, a: N.Node, b: N.Node, op: str, pos: int) -> N.Node:
        if a.is_scalar and b.is_scalar:
            return A.add(a, b)
        if a.is_scalar:
            return A.broadcast(N.as_expr(a), b)
        if b.is_scalar:
            return A.broadcast(N.as_expr(b), a)
        if a.shape != b.shape:
            word = "add" if op == "+" else "subtract"
            raise self.error(f"cannot {word} {a_shape(node_shape(a))} and {a_shape(node_shape(b))} "
                             "(arrays of different shapes are never broadcast)", pos)
        return A.add(a, b)

    def matmul(self, a: N.Node, b: N.Node, pos: int) -> N.Node:
        if not a.is_scalar and not b.is_scalar and a.cols != b.rows:
            raise self.error(f"cannot multiply {a_shape(node_shape(a))} by {a_shape(node_shape(b))}: "
                             f"inner sizes {a.cols} and {b.rows} differ", pos)
        return A.mul(a, b)

    def hadamard(self, a: N.Node, b: N.Node, pos: int) -> N.Node:
        if not a.is_scalar and not b.is_scalar and a.shape != b.shape:
            raise self.error(f"elementwise product needs equal shapes, not {a_shape(node_shape(a))} and {a_shape(node_shape(b))}", pos)
        return A.hadamard(a, b)

    def divide(self, a: N.Node, b: N.Node, pos: int) -> N.Node:
        if b.is_scalar:
            eb = N.as_expr(b)
            if eb.is_zero:
                raise self.error("division by zero", pos)
            return A.scale(1 / eb, a)
        if a.is_scalar:
            return A.elementwise(N.as_expr(a) / N.T, b)
        raise self.error(f"cannot divide {a_shape(node_shape(a))} by {a_shape(node_shape(b))}; "
                         "use inv(...) for matrix inverses or hadamard(a, 1/b) entry by entry", pos)

    def _Pow(self, node: sx.Pow) -> N.Node:
        base = self.lower(node.base)
        if self.ws.transposes(node):
            if base.is_scalar:
                raise self.ws.scalar_transpose(node, self.text)
            return A.transpose(base)
        if not base.is_scalar:
            exp = self.lower(node.exp)
            e = N.as_expr(exp) if exp.is_scalar else None
            if base.cols == 1 or base.rows == 1:
                raise self.error(f"{a_shape(node_shape(base))} cannot be raised to a power; "
                                 "write x'*x, norm(x)^2 or x .* x for squares", node.pos)
            if e is None or not e.is_Integer:
                raise self.error(f"{a_shape(node_shape(base))} can only be raised to an integer power "
                                 "(use .* or hadamard for entry-by-entry products)", node.pos)
            if base.rows != base.cols:
                raise self.error(f"only square matrices have powers, not {a_shape(node_shape(base))}", node.pos)
            k = int(e)
            if abs(k) > 8:
                raise UnsupportedError("matrix powers above 8 are not supported in matrix form")
            if k < 0:
                base, k = A.inverse(base), -k
            if k == 0:
                return N.Identity(base.rows)
            return A.mul(*([base] * k))
        exp = self.lower(node.exp)
        if not exp.is_scalar:
            raise self.error(f"the exponent must be a scalar, not {a_shape(node_shape(exp))}", node.pos)
        return N.Scalar(sp.Pow(N.as_expr(base), N.as_expr(exp)))

    def _Transpose(self, node: sx.Transpose) -> N.Node:
        return A.transpose(self.lower(node.operand))

    def _Index(self, node: sx.Index) -> N.Node:
        v = self.lower(node.operand)
        if v.is_scalar:
            raise self.error("cannot index a scalar", node.pos)
        idx = []
        for i in node.indices:
            iv = self.lower(i)
            if not iv.is_scalar or not N.as_expr(iv).is_Integer:
                raise self.error(index_message(i), sx.start(i))
            idx.append(int(N.as_expr(iv)))
        if len(idx) > 2:
            raise self.error("at most two indices: z[k] or W[i,j]", node.pos)
        if any(k < 0 for k in idx):
            raise UnsupportedError("negative indices need concrete sizes")
        for k, d in zip(idx, v.shape if len(idx) == 2 else (v.rows if v.cols == 1 else v.cols,), strict=False):
            if isinstance(d, int) and k >= d:
                raise self.error(f"index {k} is out of range for size {d} (indices start at 0)", node.pos)
        if len(idx) == 2:
            return N.Scalar(N.atom(N.Entry(v, idx[0], idx[1])))
        if v.cols == 1:
            return N.Scalar(N.atom(N.Entry(v, idx[0], 0)))
        if v.rows == 1:
            return N.Scalar(N.atom(N.Entry(A.transpose(v), idx[0], 0)))
        raise UnsupportedError("row selection W[i] of a matrix is not supported in matrix form; use W[i,j]")

    def _List(self, node: sx.List) -> N.Node:
        """[[A, B], [C, D]]: a block matrix of matrices (what block Hessians print)."""
        if not all(isinstance(r, sx.List) for r in node.items):
            raise UnsupportedError("lists are not supported together with symbolic sizes")
        grid = tuple(tuple(self.lower(i) for i in r.items) for r in node.items)  # type: ignore[union-attr]
        if any(b.is_scalar for row in grid for b in row) or len({len(row) for row in grid}) != 1:
            raise UnsupportedError("lists are not supported together with symbolic sizes (block matrices "
                                   "[[A, B], [C, D]] of matrices are)")
        for row in grid:
            if len({b.rows for b in row}) != 1:
                raise self.error("the blocks of a block row must have the same number of rows", node.pos)
        for j in range(len(grid[0])):
            if len({row[j].cols for row in grid}) != 1:
                raise self.error("the blocks of a block column must have the same number of columns", node.pos)
        return Blocks(grid)

    def _Call(self, node: sx.Call) -> N.Node:
        name = node.func
        if name in self.ws.funcs:
            raise UnsupportedError("abstract functions (--func) are not supported together with symbolic sizes")
        if node.primes:
            raise self.error(f"{name}' is only for functions declared with --func", node.pos)
        if node.partials:  # sin_1(x): the partial-derivative names f_1(x, y) are for declared functions
            written = name + "".join(f"_{k + 1}" for k in node.partials)
            raise self.error(f"{written}(...) is a partial derivative, only for functions declared with --func", node.pos)
        args = [self.lower(a) for a in node.args]
        if node.written == "|" and not args[0].is_scalar:
            raise self.ws.bars_of_array(node, self.text, describe(args[0]))
        if name in ELEMENTWISE or name == "log":
            self.arity(node, args, 1)
            (a,) = args
            if name == "log" and isinstance(a, N.Softmax):  # log softmax(v) = v - logsumexp(v)
                return A.broadcast(-N.atom(N.LogSumExp(a.arg)), a.arg)
            fn = sp.log(N.T) if name == "log" else ELEMENTWISE[name](N.T)
            return A.elementwise(fn, a)
        handler = getattr(self, "fn_" + name, None)
        if handler is None:
            raise UnsupportedError(f"{name}() is not supported together with symbolic sizes")
        result: N.Node = handler(node, args)
        return result

    def arity(self, node: sx.Call, args: list[N.Node], *counts: int) -> None:
        if len(args) not in counts:
            want = " or ".join(str(c) for c in counts)
            raise self.error(f"{node.func}() takes {want} argument{'s' if counts != (1,) else ''}, not {len(args)}",
                             node.pos)

    def need(self, node: sx.Call, value: N.Node, what: str, ok: bool) -> None:
        if not ok:
            raise self.error(f"{node.func}() needs {what}, not {a_shape(node_shape(value))}", node.pos)

    def square(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        self.arity(node, args, 1)
        (a,) = args
        self.need(node, a, "a square matrix", a.rows == a.cols)
        return a

    def fn_inv(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        a = self.square(node, args)
        if a.is_scalar and N.as_expr(a).is_zero:
            raise self.error("division by zero: inverse of 0", node.pos)
        return A.inverse(a)

    def fn_det(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        a = self.square(node, args)
        return a if a.is_scalar else N.Scalar(N.atom(N.Det(a)))

    def fn_logdet(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        a = self.square(node, args)
        return N.Scalar(sp.log(N.as_expr(a))) if a.is_scalar else N.Scalar(N.atom(N.LogDet(a)))

    def fn_tr(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        a = self.square(node, args)
        if a.is_scalar:
            return a
        if isinstance(a, N.Sum):
            return A.add(*[N.Scalar(N.atom(N.Trace(t))) for t in a.terms])
        coeff, fs = N.split(a)
        return N.Scalar(coeff * N.atom(N.Trace(A.prod(sp.S.One, fs))))

    fn_trace = fn_tr

    def fn_transpose(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        self.arity(node, args, 1)
        return A.transpose(args[0])

    def fn_norm(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        self.arity(node, args, 1)
        (a,) = args
        if a.is_scalar:
            return N.Scalar(sp.Abs(N.as_expr(a)))
        return N.Scalar(N.atom(N.Norm(a)))

    def fn_sum(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        self.arity(node, args, 1)
        (a,) = args
        return a if a.is_scalar else N.Scalar(N.atom(N.SumAll(a)))

    def fn_dot(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        self.arity(node, args, 2)
        a, b = args
        if a.is_scalar and b.is_scalar:
            return A.mul(a, b)
        va = a if a.cols == 1 else A.transpose(a)
        vb = b if b.cols == 1 else A.transpose(b)
        if a.is_scalar or b.is_scalar or 1 not in a.shape or 1 not in b.shape or va.rows != vb.rows:
            raise self.error(f"dot() needs two vectors of the same length, not {a_shape(node_shape(a))} and {a_shape(node_shape(b))}",
                             node.pos)
        return A.mul(A.transpose(va), vb)

    def fn_hadamard(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        self.arity(node, args, 2)
        return self.hadamard(args[0], args[1], node.pos)

    def fn_diag(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        self.arity(node, args, 1)
        (a,) = args
        if a.is_scalar:
            return a
        if a.cols == 1:
            return N.Diag(a)
        if a.rows == 1:
            return N.Diag(A.transpose(a))
        self.need(node, a, "a vector or a square matrix", a.rows == a.cols)
        return N.DiagOf(a)

    def vector(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        self.arity(node, args, 1)
        (a,) = args
        self.need(node, a, "a vector", not a.is_scalar and 1 in a.shape)
        return a

    def fn_softmax(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        v = self.vector(node, args)
        if v.rows == 1:
            return A.transpose(N.Softmax(A.transpose(v)))
        return N.Softmax(v)

    def fn_logsumexp(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        v = self.vector(node, args)
        return N.Scalar(N.atom(N.LogSumExp(v if v.cols == 1 else A.transpose(v))))


    # array constructors (jacli.arrays for concrete sizes): sizes are integers or size names
    def dim(self, node: sx.Call, k: int, least: int = 1) -> N.Dim:
        arg = node.args[k]
        sizes = {d for shape in self.ws.shapes.values() for d in shape if isinstance(d, str)}
        if isinstance(arg, sx.Name) and arg.name in sizes and least == 1:
            return arg.name
        if isinstance(arg, sx.Mul) and all(o == "*" for o in arg.ops) and least == 1:
            out: N.Dim = 1
            for a in arg.args:
                out = dim_mul(out, self.dim(sx.Call(node.func, (a,), node.pos), 0))
            return out
        v = self.lower(arg)
        e = N.as_expr(v) if v.is_scalar else None
        if e is None or not e.is_Integer or int(e) < least:
            what = "an index (0, 1, ...)" if least == 0 else "a size: a positive integer or a size name such as n"
            raise self.error(f"argument {k + 1} of {node.func}() must be {what}", sx.start(arg))
        return int(e)

    def fn_I(self, node: sx.Call, args: list[N.Node]) -> N.Node:  # noqa: N802 - the identity's name
        self.arity(node, args, 1)
        n = self.dim(node, 0)
        return N.Scalar(sp.S.One) if n == 1 else N.Identity(n)

    def fn_ones(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        self.arity(node, args, 1, 2)
        rows, cols = self.dim(node, 0), self.dim(node, 1) if len(args) == 2 else 1
        return N.Scalar(sp.S.One) if (rows, cols) == (1, 1) else N.Ones(rows, cols)

    def fn_unit(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        self.arity(node, args, 2)
        k, n = self.dim(node, 0, least=0), self.dim(node, 1)
        assert isinstance(k, int)
        if isinstance(n, int) and k >= n:
            raise self.error(f"unit({k}, {n}): index {k} is out of range for size {n} (indices start at 0)", node.pos)
        return N.Unit(n, 1, k, 0)

    def fn_commutation(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        self.arity(node, args, 2)
        return Commutation(self.dim(node, 0), self.dim(node, 1))

    def fn_kron(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        self.arity(node, args, 2)
        return kron(args[0], args[1])

    def fn_vec(self, node: sx.Call, args: list[N.Node]) -> N.Node:
        self.arity(node, args, 1)
        return vec(args[0])


def lower(ws: Workspace, text: str, tree: sx.Node | None = None) -> N.Node:
    """The matrix-form node of ``text`` in ``ws`` (symbolic sizes allowed)."""
    tree = tree if tree is not None else ws.parse(text)
    return MatrixLowerer(ws, text).lower(tree)
