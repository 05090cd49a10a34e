"""Lowering: jacli syntax trees -> sympy objects, with shape checking (the explicit path, for
concrete sizes; jacli.matrix lowers symbolic sizes). See jacli.declarations for the declarations a
lowering reads, and jacli.builtins for the functions it applies.

No user text reaches sympy: numbers are built from validated digit strings, names from
validated identifiers, and every operation is an explicit sympy call chosen here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy as sp

from . import syntax as sx
from .arrays import ArrayFunctions, index_message
from .builtins import (
    CONSTANTS,
    CUSTOM,
    ELEMENTWISE,
    MAX_DIGITS_RESULT,
    MAX_FACTORIAL,
    MAX_INVERSE,
    MAX_MATRIX_POWER,
    Value,
    as_value,
    check_numbers,
    check_power,
    check_size,
    shape_of,
)
from .canonical import product, total
from .errors import BoundError, ShapeError
from .shapes import SCALAR, a_shape, format_shape

if TYPE_CHECKING:
    from .declarations import Workspace


def number(text: str) -> sp.Rational:
    """An exact rational from a validated numeric literal: '0.3' is 3/10, '1e-3' is 1/1000."""
    mantissa, _, exponent = text.lower().partition("e")
    scale = abs(int(exponent)) if exponent else 0
    if scale + len(mantissa) > MAX_DIGITS_RESULT:
        shown = text if len(text) <= 24 else text[:20] + "..."
        raise BoundError(f"number {shown} has more than {MAX_DIGITS_RESULT} digits")
    frac = Fraction(text)
    return sp.Rational(frac.numerator, frac.denominator)


class ChainLowering:
    """The left-to-right product chain (``*``, ``@``, ``.*``, ``/``) shared by jacli's lowerers:
    the explicit one below and jacli.matrix's. Subclasses provide lower, matmul, hadamard, divide."""

    lower: Callable[[sx.Node], Any]
    matmul: Callable[[Any, Any, int], Any]
    hadamard: Callable[[Any, Any, int], Any]
    divide: Callable[[Any, Any, int], Any]
    shape_error: Callable[[str, int], ShapeError]

    ws: Workspace

    def is_scalar_value(self, value: Any) -> bool:
        return shape_of(value) == SCALAR

    def _Mul(self, node: sx.Mul) -> Any:
        values = [self.lower(arg) for arg in node.args]
        self.ws.note_scalar_factors(node, values, self.is_scalar_value)
        if all(isinstance(v, sp.Expr) and not isinstance(v, sp.MatrixBase) for v in values):
            # scalars (sympy's matrices are Exprs too): one product, not n growing ones (n^2 work)
            for op, v, pos in zip(node.ops, values, node.pos, strict=True):
                if op == "/" and v.is_zero:
                    raise self.shape_error("division by zero", pos)
            return sp.Mul(*[v if op != "/" else 1 / v for op, v in zip(node.ops, values, strict=True)])
        acc = values[0]
        for op, v, pos in zip(node.ops[1:], values[1:], node.pos[1:], strict=True):
            if op in ("*", "@"):
                acc = self.matmul(acc, v, pos)
            elif op == ".*":
                acc = self.hadamard(acc, v, pos)
            else:
                acc = self.divide(acc, v, pos)
        return acc


class Lowerer(ArrayFunctions, ChainLowering):
    """Turns one syntax tree into a sympy value, checking shapes as it goes."""

    def __init__(self, ws: Workspace, text: str) -> None:
        self.ws = ws
        self.text = text

    def shape_error(self, message: str, pos: int) -> ShapeError:
        return ShapeError(message, self.text, pos)

    def lower(self, node: sx.Node) -> Value:
        method = getattr(self, "_" + type(node).__name__)
        result: Value = method(node)
        check_numbers(result)
        return result

    # leaves
    def _Num(self, node: sx.Num) -> Value:
        return number(node.text)

    def _Name(self, node: sx.Name) -> Value:
        name = node.name
        if name in CONSTANTS:
            return CONSTANTS[name]
        if any(n == name for n, _ in self.ws.lets):
            return self.ws.let_value(name)
        return self.ws.variable(name)

    # arithmetic
    def _Neg(self, node: sx.Neg) -> Value:
        return -self.lower(node.operand)

    def _Add(self, node: sx.Add) -> Value:
        values = [self.lower(arg) for arg in node.args]
        if not any(isinstance(v, sp.MatrixBase) for v in values):  # one sum, not n growing ones (n^2 work)
            return sp.Add(*[v if op != "-" else -v for op, v in zip(node.ops, values, strict=True)])
        return functools.reduce(lambda total, item: self.combine(total, *item), zip(
            values[1:], node.ops[1:], node.pos[1:], strict=False), values[0])

    def combine(self, a: Value, b: Value, op: str, pos: int) -> Value:
        """a + b or a - b: equal shapes, or a scalar applied to every entry."""
        sa, sb = shape_of(a), shape_of(b)
        if sa != sb and SCALAR not in (sa, sb):
            word = "add" if op == "+" else "subtract"
            raise self.shape_error(
                f"cannot {word} {a_shape(sa)} and {a_shape(sb)} "
                "(arrays of different shapes are never broadcast)",
                pos,
            )
        if sa != sb:  # scalar with array
            if sa == SCALAR:
                a = sp.ImmutableMatrix(*sb, lambda i, j: a)
            else:
                b = sp.ImmutableMatrix(*sa, lambda i, j: b)
        if isinstance(a, sp.MatrixBase):
            return as_value(a + b if op == "+" else a - b)
        return a + b if op == "+" else a - b

    def matmul(self, a: Value, b: Value, pos: int) -> Value:
        sa, sb = shape_of(a), shape_of(b)
        if sa == SCALAR or sb == SCALAR:
            return as_value(a * b) if isinstance(a * b, sp.MatrixBase) else a * b
        if sa[1] != sb[0]:
            raise self.shape_error(
                f"cannot multiply {a_shape(sa)} by {a_shape(sb)}: "
                f"inner sizes {sa[1]} and {sb[0]} differ",
                pos,
            )
        check_size(sa[0] * sb[1] * sa[1], "matrix product")  # type: ignore[operator]
        if sa[0] * sb[1] * sa[1] >= 1_000 and (a.free_symbols or b.free_symbols):  # type: ignore[operator]
            return as_value(symbolic_product(a, b))
        return as_value(a * b)

    def hadamard(self, a: Value, b: Value, pos: int) -> Value:
        sa, sb = shape_of(a), shape_of(b)
        if sa == SCALAR or sb == SCALAR:
            return as_value(a * b) if isinstance(a * b, sp.MatrixBase) else a * b
        if sa != sb:
            raise self.shape_error(
                f"elementwise product needs equal shapes, not {a_shape(sa)} and {a_shape(sb)}",
                pos,
            )
        assert isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)
        return as_value(a.multiply_elementwise(b))

    def divide(self, a: Value, b: Value, pos: int) -> Value:
        sa, sb = shape_of(a), shape_of(b)
        if sb == SCALAR:
            if b.is_zero:
                raise self.shape_error("division by zero", pos)
            if sa == SCALAR:
                return a / b
            assert isinstance(a, sp.MatrixBase)
            return as_value(a.applyfunc(lambda e: e / b))
        if sa == SCALAR:
            assert isinstance(b, sp.MatrixBase)
            return as_value(b.applyfunc(lambda e: a / e))
        raise self.shape_error(
            f"cannot divide {a_shape(sa)} by {a_shape(sb)}; "
            "use inv(...) for matrix inverses or hadamard(a, 1/b) entry by entry",
            pos,
        )

    def _Pow(self, node: sx.Pow) -> Value:
        squared = self.squared_norm(node)
        if squared is not None:
            return squared
        base = self.lower(node.base)
        sb = shape_of(base)
        if self.ws.transposes(node):
            if sb == SCALAR:
                raise self.ws.scalar_transpose(node, self.text)
            return as_value(base.T)  # A^T
        if sb != SCALAR:
            exp = self.lower(node.exp)
            if 1 in sb:
                raise self.shape_error(
                    f"{a_shape(sb)} cannot be raised to a power; "
                    "write x'*x, norm(x)^2 or x .* x for squares",
                    node.pos,
                )
            if shape_of(exp) != SCALAR or not exp.is_Integer:
                raise self.shape_error(
                    f"{a_shape(sb)} can only be raised to an integer power "
                    "(use .* or hadamard for entry-by-entry products)",
                    node.pos,
                )
            if sb[0] != sb[1]:
                raise self.shape_error(f"only square matrices have powers, not {a_shape(sb)}", node.pos)
            k = int(exp)
            if abs(k) > MAX_MATRIX_POWER:
                raise BoundError(f"matrix power {k} is over the limit of {MAX_MATRIX_POWER}")
            if k < 0:
                base = self.inverse(base, node.pos)
                k = -k
            return as_value(sp.ImmutableMatrix(base) ** k)
        exp = self.lower(node.exp)
        if shape_of(exp) != SCALAR:
            raise self.shape_error(
                f"the exponent must be a scalar, not {a_shape(shape_of(exp))}", node.pos
            )
        check_power(base, exp)
        if base.is_zero and exp.is_negative:
            raise self.shape_error("division by zero: 0 to a negative power", node.pos)
        return sp.Pow(base, exp)

    def squared_norm(self, node: sx.Pow) -> Value | None:
        """norm(v)^2 as the sum of squares, without building sqrt(S)^2: sympy would simplify that
        to S only after proving S >= 0, which takes seconds for a sum of thousands of terms."""
        b = node.base
        if not (isinstance(b, sx.Call) and b.func == "norm" and b.func not in self.ws.funcs and not b.primes
                and len(b.args) == 1 and isinstance(node.exp, sx.Num) and node.exp.text == "2"):
            return None
        v = self.lower(b.args[0])
        if isinstance(v, sp.MatrixBase):
            return sp.Add(*[e**2 for e in v])
        return v**2  # |v|^2 for a real scalar

    def _Transpose(self, node: sx.Transpose) -> Value:
        v = self.lower(node.operand)
        if isinstance(v, sp.MatrixBase):
            return as_value(v.T)
        if not self.ws.shapes:  # nothing declared with -v
            # x^T A x with nothing declared, or sin(x)'' meant as a derivative: a scalar's transpose
            # changes nothing, so the formula was not read as meant
            raise self.shape_error("a transpose of a scalar changes nothing: declare vectors and matrices with -v "
                                   "(x:n, A:n,n); for a derivative let the command take it (diff -n 2)", node.pos)
        return v

    def _Index(self, node: sx.Index) -> Value:
        v = self.lower(node.operand)
        s = shape_of(v)
        if s == SCALAR:
            raise self.shape_error("cannot index a scalar", node.pos)
        assert isinstance(v, sp.MatrixBase)
        idx = [self.index_value(i) for i in node.indices]
        rows, cols = v.shape
        if len(idx) > 2:
            raise self.shape_error("at most two indices: z[k] or W[i,j]", node.pos)
        if rows == 1 or cols == 1:
            if len(idx) == 2:
                i, j = self.check_index(idx[0], rows, node), self.check_index(idx[1], cols, node)
                return v[i, j]
            n = rows * cols
            return v[self.check_index(idx[0], n, node)]
        if len(idx) == 1:
            return as_value(v[self.check_index(idx[0], rows, node), :])
        return v[self.check_index(idx[0], rows, node), self.check_index(idx[1], cols, node)]

    def index_value(self, node: sx.Node) -> int:
        v = self.lower(node)
        if shape_of(v) != SCALAR or not v.is_Integer:
            raise self.shape_error(index_message(node), sx.start(node))
        return int(v)

    def check_index(self, k: int, n: int, node: sx.Index) -> int:
        if not -n <= k < n:
            raise self.shape_error(f"index {k} is out of range for size {n} (indices start at 0)", node.pos)
        return k % n

    def _List(self, node: sx.List) -> Value:
        items = [self.lower(i) for i in node.items]
        shapes = [shape_of(i) for i in items]
        if all(s == SCALAR for s in shapes):
            check_size(len(items), "list")
            return as_value(sp.ImmutableMatrix(len(items), 1, items))
        first = shapes[0]
        for s, item in zip(shapes, node.items, strict=False):
            if s != first or s == SCALAR or (1 not in s):
                raise self.shape_error(
                    "a list holds numbers (a column vector) or rows of equal length (a matrix); "
                    f"found {a_shape(first)} and {a_shape(s)}",
                    sx.start(item),
                )
        rows = [list(i) for i in items]  # type: ignore[arg-type]
        check_size(len(rows) * len(rows[0]), "matrix")
        return as_value(sp.ImmutableMatrix(rows))

    # functions
    def _Call(self, node: sx.Call) -> Value:
        name = node.func
        if name in self.ws.funcs:
            return self.abstract_call(node)
        if node.primes:
            raise self.shape_error(f"{name}' is only for functions declared with --func", node.pos)
        if node.partials:  # sin_1(x): the partial-derivative names f_1(x, y) are for declared functions
            written = name + "".join(f"_{k + 1}" for k in node.partials)
            raise self.shape_error(f"{written}(...) is a partial derivative, only for functions declared with --func", node.pos)
        args = [self.lower(a) for a in node.args]
        if node.written == "|" and shape_of(args[0]) != SCALAR:
            raise self.ws.bars_of_array(node, self.text, format_shape(shape_of(args[0])))
        if name in ELEMENTWISE:
            self.arity(node, args, 1)
            f = ELEMENTWISE[name]
            (a,) = args
            if isinstance(a, sp.MatrixBase):
                return as_value(a.applyfunc(f))
            return f(a)
        handler = getattr(self, "fn_" + name)
        result: Value = handler(node, args)
        return result

    def arity(self, node: sx.Call, args: list[Value], *counts: int) -> None:
        if len(args) not in counts:
            want = " or ".join(str(c) for c in counts)
            raise self.shape_error(
                f"{node.func}() takes {want} argument{'s' if counts != (1,) else ''}, not {len(args)}", node.pos
            )

    def need(self, node: sx.Call, value: Value, what: str, ok: bool) -> None:
        if not ok:
            raise self.shape_error(f"{node.func}() needs {what}, not {a_shape(shape_of(value))}", node.pos)

    def abstract_call(self, node: sx.Call) -> Value:
        name = node.func
        args = [self.lower(a) for a in node.args]
        want = self.ws.funcs[name]
        if want is not None and len(args) != want:
            raise self.shape_error(f"{name}() was declared with {want} argument(s), not {len(args)}", node.pos)
        for a, n in zip(args, node.args, strict=False):
            if shape_of(a) != SCALAR:
                raise self.shape_error(f"{name}() takes scalar arguments", sx.start(n))
        f = self.ws.function(name)
        if node.partials:
            if any(k >= len(args) for k in node.partials):
                raise self.shape_error(
                    f"{name} has {len(args)} argument(s); no partial derivative by argument {max(node.partials) + 1}",
                    node.pos,
                )
            return applied_derivative(f, args, node.partials)
        if not node.primes:
            return f(*args)
        if len(args) != 1:
            raise self.shape_error(f"{name}'(...) is only for functions of one argument; write {name}_1(...)", node.pos)
        return applied_derivative(f, args, (0,) * node.primes)

    def fn_log(self, node: sx.Call, args: list[Value]) -> Value:
        self.arity(node, args, 1, 2)
        if len(args) == 2:
            x, b = args
            self.need(node, b, "a scalar base", shape_of(b) == SCALAR)
            if isinstance(x, sp.MatrixBase):
                return as_value(x.applyfunc(lambda e: sp.log(e, b)))
            return sp.log(x, b)
        (x,) = args
        if isinstance(x, sp.MatrixBase):
            return as_value(x.applyfunc(sp.log))
        return sp.log(x)

    def fn_factorial(self, node: sx.Call, args: list[Value]) -> Value:
        self.arity(node, args, 1)
        (x,) = args
        self.need(node, x, "a scalar", shape_of(x) == SCALAR)
        if x.is_Number and x > MAX_FACTORIAL:
            raise BoundError(f"factorial({x}) is over the limit of factorial({MAX_FACTORIAL})")
        return sp.factorial(x)

    def square(self, node: sx.Call, a: Value) -> sp.ImmutableMatrix:
        s = shape_of(a)
        if s == SCALAR:
            return sp.ImmutableMatrix([[a]])
        self.need(node, a, "a square matrix", s[0] == s[1])
        assert isinstance(a, sp.ImmutableMatrix)
        return a

    def inverse(self, a: Value, pos: int) -> Value:
        s = shape_of(a)
        if s == SCALAR:
            if a.is_zero:
                raise self.shape_error("division by zero: inverse of 0", pos)
            return 1 / a
        if s[0] != s[1]:
            raise self.shape_error(f"only square matrices have inverses, not {a_shape(s)}", pos)
        assert isinstance(a, sp.MatrixBase)
        if a.rows > MAX_INVERSE and a.free_symbols:
            raise BoundError(
                f"explicit inverse of a symbolic {format_shape(s)} matrix is over the limit of "
                f"{MAX_INVERSE}x{MAX_INVERSE}"
            )
        det = a.det(method="berkowitz")
        if sp.simplify(det) == 0:
            raise self.shape_error("the matrix is singular (its determinant is 0)", pos)
        return as_value(a.adjugate(method="berkowitz") / det)

    def fn_inv(self, node: sx.Call, args: list[Value]) -> Value:
        self.arity(node, args, 1)
        return self.inverse(args[0], node.pos)

    def fn_det(self, node: sx.Call, args: list[Value]) -> Value:
        self.arity(node, args, 1)
        m = self.square(node, args[0])
        if m.shape[0] > MAX_INVERSE and m.free_symbols:
            raise BoundError(f"explicit determinant of a symbolic matrix is limited to {MAX_INVERSE}x{MAX_INVERSE}")
        return m.det(method="berkowitz")

    def fn_logdet(self, node: sx.Call, args: list[Value]) -> Value:
        return sp.log(self.fn_det(node, args))

    def fn_tr(self, node: sx.Call, args: list[Value]) -> Value:
        self.arity(node, args, 1)
        return self.square(node, args[0]).trace()

    fn_trace = fn_tr

    def fn_transpose(self, node: sx.Call, args: list[Value]) -> Value:
        self.arity(node, args, 1)
        (a,) = args
        return as_value(a.T) if isinstance(a, sp.MatrixBase) else a

    def fn_norm(self, node: sx.Call, args: list[Value]) -> Value:
        self.arity(node, args, 1)
        (a,) = args
        if isinstance(a, sp.MatrixBase):
            return sp.sqrt(sum((e**2 for e in a), sp.S.Zero))
        return sp.Abs(a)

    def fn_sum(self, node: sx.Call, args: list[Value]) -> Value:
        self.arity(node, args, 1)
        (a,) = args
        if isinstance(a, sp.MatrixBase):
            return sp.Add(*a)
        return a

    def fn_dot(self, node: sx.Call, args: list[Value]) -> Value:
        self.arity(node, args, 2)
        a, b = args
        sa, sb = shape_of(a), shape_of(b)
        if sa == SCALAR and sb == SCALAR:
            return a * b
        if sa == SCALAR or sb == SCALAR or 1 not in sa or 1 not in sb or len(a) != len(b):
            raise self.shape_error(
                f"dot() needs two vectors of the same length, not {a_shape(sa)} and {a_shape(sb)}",
                node.pos,
            )
        return sp.Add(*[x * y for x, y in zip(a, b, strict=False)])

    def fn_hadamard(self, node: sx.Call, args: list[Value]) -> Value:
        self.arity(node, args, 2)
        return self.hadamard(args[0], args[1], node.pos)

    def fn_diag(self, node: sx.Call, args: list[Value]) -> Value:
        self.arity(node, args, 1)
        (a,) = args
        s = shape_of(a)
        if s == SCALAR:
            return a
        assert isinstance(a, sp.MatrixBase)
        if 1 in s:
            n = len(a)
            check_size(n * n, "diag")
            return as_value(sp.ImmutableMatrix(n, n, lambda i, j: a[i] if i == j else 0))
        self.need(node, a, "a vector or a square matrix", s[0] == s[1])
        return as_value(sp.ImmutableMatrix(a.rows, 1, [a[i, i] for i in range(a.rows)]))

    def vector(self, node: sx.Call, a: Value) -> sp.ImmutableMatrix:
        s = shape_of(a)
        if s == SCALAR:
            return sp.ImmutableMatrix([a])
        self.need(node, a, "a vector", 1 in s)
        assert isinstance(a, sp.ImmutableMatrix)
        return a

    def fn_softmax(self, node: sx.Call, args: list[Value]) -> Value:
        self.arity(node, args, 1)
        v = self.vector(node, args[0])
        exps = [sp.exp(e) for e in v]
        total = sp.Add(*exps)
        return as_value(sp.ImmutableMatrix(*v.shape, [e / total for e in exps]))

    def fn_logsumexp(self, node: sx.Call, args: list[Value]) -> Value:
        self.arity(node, args, 1)
        v = self.vector(node, args[0])
        return sp.log(sp.Add(*[sp.exp(e) for e in v]))

    def fn_mean(self, node: sx.Call, args: list[Value]) -> Value:
        self.arity(node, args, 1)
        (a,) = args
        if isinstance(a, sp.MatrixBase):
            return sp.Add(*a) / len(a)
        return a

    def fn_max(self, node: sx.Call, args: list[Value]) -> Value:
        return self.extremum(node, args)

    fn_min = fn_max

    def extremum(self, node: sx.Call, args: list[Value]) -> Value:
        """max(a, b), min(a, b): of two scalars, or entry by entry (a scalar applies to every entry)."""
        if len(args) == 1:
            raise self.shape_error(f"{node.func}() takes two arguments, as {node.func}(a, b); "
                                   f"the largest entry of a vector is not differentiable in jacli", node.pos)
        self.arity(node, args, 2)
        f = CUSTOM[node.func]
        a, b = args
        sa, sb = shape_of(a), shape_of(b)
        if sa == SCALAR and sb == SCALAR:
            return f(a, b)
        if sa != sb and SCALAR not in (sa, sb):
            raise self.shape_error(f"{node.func}() needs equal shapes, not {a_shape(sa)} and {a_shape(sb)}",
                                   node.pos)
        shape = sa if sa != SCALAR else sb
        entries_a = list(a) if isinstance(a, sp.MatrixBase) else [a] * (shape[0] * shape[1])  # type: ignore[operator]
        entries_b = list(b) if isinstance(b, sp.MatrixBase) else [b] * (shape[0] * shape[1])  # type: ignore[operator]
        return as_value(sp.ImmutableMatrix(shape[0], shape[1], [f(p, q) for p, q in zip(entries_a, entries_b, strict=True)]))


def applied_derivative(f: Any, args: list[sp.Expr], slots: tuple[int, ...]) -> sp.Expr:
    """The partial derivative of abstract f by the arguments in ``slots``, evaluated at ``args``,
    in the form sympy's own diff produces (Derivative, or Subs of one at non-symbol points)."""
    dummies = {k: sp.Dummy(f"xi_{k + 1}", real=True) for k in sorted(set(slots))}
    inner = f(*[dummies.get(k, a) for k, a in enumerate(args)])
    d = sp.Derivative(inner, *[dummies[k] for k in slots])
    return d.subs({dummies[k]: args[k] for k in dummies})


def symbolic_product(a: sp.MatrixBase, b: sp.MatrixBase) -> sp.ImmutableMatrix:
    """a*b for matrices of symbols: each entry is one flattened sum of products, where sympy's
    general product adds the terms one at a time (quadratic in the inner size)."""
    rows, cols = a.tolist(), b.T.tolist()
    if all(isinstance(e, sp.Symbol) for e in a) and all(isinstance(e, sp.Symbol) for e in b):
        return sp.ImmutableMatrix([[_sum_of_products(r, c) for c in cols] for r in rows])
    mul, add = sp.Mul, sp.Add
    return sp.ImmutableMatrix([[add(*[mul(p, q) for p, q in zip(r, c, strict=True) if p != 0 and q != 0]) for c in cols]
                               for r in rows])


def _sum_of_products(r: list[sp.Symbol], c: list[sp.Symbol]) -> sp.Expr:
    """sum(p*q) for symbols, built directly in sympy's canonical form where no terms combine
    (jacli.canonical); sympy's own flattening is what makes the lowering of large symbolic
    products slow."""
    return total([product((p, q)) for p, q in zip(r, c, strict=True)])
