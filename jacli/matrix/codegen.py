"""Python/numpy source for matrix-form nodes (``-f numpy``).

Inside generated functions every vector is a 2-D column (``x.reshape(-1, 1)``) and every
matrix a 2-D array, so the matrix forms translate operator by operator: products ``@``,
transposes ``.T``, ``np.linalg.inv``, Hadamard products ``*``. Scalar parts go through sympy's
NumPyPrinter with atoms printed as the numpy code of the matrix expressions they stand for.
"""

from __future__ import annotations

import functools
import keyword
from typing import Any

import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from . import kron as K
from . import nodes as N
from .printing import display_order, node_shown, shown

HELPERS = '''\
def _sigmoid(t):
    return 0.5 * (1.0 + numpy.tanh(0.5 * t))


def _relu(t):
    return numpy.maximum(t, 0.0)


def _step(t):
    return numpy.where(t > 0, 1.0, 0.0)


def _softplus(t):
    return numpy.logaddexp(0.0, t)


_erf = numpy.vectorize(math.erf, otypes=[float])


def _gelu(t):
    return 0.5 * t * (1.0 + _erf(t / math.sqrt(2.0)))


def _softmax(v):
    w = numpy.exp(v - numpy.max(v))
    return w / numpy.sum(w)


def _logsumexp(v):
    top = numpy.max(v)
    return top + numpy.log(numpy.sum(numpy.exp(v - top)))


def _commutation(m, n):
    k = numpy.zeros((m * n, m * n))
    for i in range(m):
        for j in range(n):
            k[j * m + i, i * n + j] = 1.0
    return k


def _unit(rows, cols, i, j):
    e = numpy.zeros((rows, cols))
    e[i, j] = 1.0
    return e
'''


class Code(NumPyPrinter):
    """NumPyPrinter that knows jacli's atoms, functions and the elementwise argument."""

    def __init__(self, arg: str | None = None) -> None:
        super().__init__({"fully_qualified_modules": True, "allow_unknown_functions": True})
        self.arg = arg

    def doprint(self, expr: Any, assign_to: Any = None) -> str:
        """Terms and factors in the order the printers show them (atoms by their printed text)."""
        return str(super().doprint(shown(expr), assign_to))

    def _print_Symbol(self, expr: Any) -> str:
        if expr == N.T and self.arg is not None:
            return self.arg
        node = node_shown(expr)
        if node is not None:
            return f"({code(node)})"
        return pyname(str(expr.name))

    def _print_softplus(self, expr: Any) -> str:
        return f"_softplus({self._print(expr.args[0])})"

    def _print_gelu(self, expr: Any) -> str:
        return f"_gelu({self._print(expr.args[0])})"

    def _print_erf(self, expr: Any) -> str:
        return f"_erf({self._print(expr.args[0])})"

    def _print_maximum(self, expr: Any) -> str:
        return f"numpy.maximum({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_minimum(self, expr: Any) -> str:
        return f"numpy.minimum({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_sigmoid(self, expr: Any) -> str:
        return f"_sigmoid({self._print(expr.args[0])})"

    def _print_relu(self, expr: Any) -> str:
        return f"_relu({self._print(expr.args[0])})"

    def _print_step(self, expr: Any) -> str:
        return f"_step({self._print(expr.args[0])})"


def pyname(name: str) -> str:
    """A jacli name as a Python identifier of the generated code: keywords (lambda) and the names
    the code itself uses get a trailing underscore."""
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in ("numpy", "math", "value", "float"):
        return name + "_"
    return name


def dim(d: N.Dim) -> str:
    if isinstance(d, str):
        return pyname(d) if d.isidentifier() else f"({d})"
    return str(d)


def code(node: N.Node) -> str:
    """A numpy expression for ``node`` (floats for scalar-valued nodes, 2-D arrays otherwise).

    One function per node kind (``functools.singledispatch``); sums and Hadamard products are
    written in the order the printers show them, so the code reads like the plain text.
    """
    return _code(node)


@functools.singledispatch
def _code(node: N.Node) -> str:
    raise TypeError(f"no numpy code for {type(node).__name__}")


@_code.register(N.Var)
@_code.register(N.ScalarVar)
def _code_name(node: N.Var | N.ScalarVar) -> str:
    return pyname(node.name)


@_code.register
def _code_scalar(node: N.Scalar) -> str:
    return str(Code().doprint(node.e))


@_code.register
def _code_zero(node: N.Zero) -> str:
    return f"numpy.zeros(({dim(node.rows)}, {dim(node.cols)}))"


@_code.register
def _code_identity(node: N.Identity) -> str:
    return f"numpy.eye({dim(node.n)})"


@_code.register
def _code_ones(node: N.Ones) -> str:
    return f"numpy.ones(({dim(node.rows)}, {dim(node.cols)}))"


@_code.register
def _code_kron(node: K.Kron) -> str:
    return f"numpy.kron({code(node.a)}, {code(node.b)})"


@_code.register
def _code_commutation(node: K.Commutation) -> str:
    return f"_commutation({dim(node.m)}, {dim(node.n)})"


@_code.register
def _code_vec(node: K.Vec) -> str:
    return f"({code(node.arg)}).reshape(-1, 1)"


@_code.register
def _code_blocks(node: K.Blocks) -> str:
    return "numpy.block([" + ", ".join("[" + ", ".join(code(b) for b in row) + "]" for row in node.grid) + "])"


@_code.register
def _code_unit(node: N.Unit) -> str:
    return f"_unit({dim(node.rows)}, {dim(node.cols)}, {node.i}, {node.j})"


@_code.register
def _code_prod(node: N.Prod) -> str:
    chain = " @ ".join(f"({code(f)})" for f in node.factors)
    if node.is_scalar:
        chain = f"({chain}).item()"
    return chain if node.coeff == 1 else f"({Code().doprint(node.coeff)}) * {chain}"


@_code.register
def _code_sum(node: N.Sum) -> str:
    return " + ".join(f"({code(t)})" for t in display_order(node.terms))


@_code.register
def _code_transpose(node: N.Transpose) -> str:
    return f"({code(node.arg)}).T"


@_code.register
def _code_hadamard(node: N.Hadamard) -> str:
    return " * ".join(f"({code(f)})" for f in display_order(node.factors))


@_code.register
def _code_elementwise(node: N.Elementwise) -> str:
    return str(Code(f"({code(node.arg)})").doprint(node.fn))


@_code.register
def _code_entry(node: N.Entry) -> str:
    return f"({code(node.arg)})[{node.i}, {node.j}]"


# node kinds that are one numpy call on their argument
_CALLS: dict[type[N.Node], str] = {
    N.Inverse: "numpy.linalg.inv({})", N.Softmax: "_softmax({})", N.Diag: "numpy.diagflat({})",
    N.DiagOf: "numpy.diag({}).reshape(-1, 1)", N.Det: "numpy.linalg.det({})",
    N.LogDet: "numpy.linalg.slogdet({})[1]", N.Norm: "numpy.linalg.norm({})", N.SumAll: "numpy.sum({})",
    N.LogSumExp: "_logsumexp({})", N.Trace: "numpy.trace({})"}


def _code_call(node: N.Node) -> str:
    return _CALLS[type(node)].format(code(node.arg))  # type: ignore[attr-defined]


for _kind in _CALLS:
    _code.register(_kind, _code_call)


def function_source(name: str, doc: str, variables: list[tuple[str, tuple[Any, ...]]], value: N.Node,
                    outputs: list[tuple[str, Any, Any]]) -> str:
    """Source of ``def name(vars...)`` returning (value, output1, ...), with sizes read off the
    arguments' shapes. ``variables``: (name, declared shape); ``outputs``: (label, node, shape)."""
    args = [pyname(n) for n, _ in variables]
    lines = [f"def {name}({', '.join(args)}):", f'    """{doc}"""']
    sizes: dict[str, str] = {}
    for n, shape in [(pyname(n), shape) for n, shape in variables]:
        if shape == ():
            lines.append(f"    {n} = float({n})")
            continue
        if shape[1] == 1:
            lines.append(f"    {n} = numpy.asarray({n}, dtype=float).reshape(-1, 1)")
        elif shape[0] == 1:
            lines.append(f"    {n} = numpy.asarray({n}, dtype=float).reshape(1, -1)")
        else:
            lines.append(f"    {n} = numpy.atleast_2d(numpy.asarray({n}, dtype=float))")
        for k, d in enumerate(shape):
            if isinstance(d, str) and d not in sizes:
                sizes[d] = f"{n}.shape[{k}]"
                lines.append(f"    {dim(d)} = {n}.shape[{k}]")
    if value.is_scalar:
        lines.append(f"    value = float({code(value)})")
    else:
        shape = value.shape
        lines.append(f"    value = numpy.asarray({code(value)}, dtype=float)" + (".reshape(-1)" if shape[1] == 1 else ""))
    names = []
    for label, node, shape in outputs:
        expr = code(node)
        if node.is_scalar:
            expr = f"float({expr})"
        elif len(shape) == 2 and shape[1] == 1:
            expr = f"numpy.asarray({expr}, dtype=float).reshape(-1)"
        lines.append(f"    {label} = {expr}")
        names.append(label)
    lines.append(f"    return {', '.join(['value', *names])}")
    return "\n".join(lines)


def ordered_variables(node: N.Node) -> list[tuple[str, tuple[Any, ...]]]:
    """(name, shape) of the variables of ``node`` in order of first appearance."""
    found: dict[str, tuple[Any, ...]] = {}

    def visit(n: N.Node) -> None:
        if isinstance(n, N.Var):
            found.setdefault(n.name, (n.rows, n.cols))
        elif isinstance(n, N.ScalarVar):
            found.setdefault(n.name, ())
        exprs = [n.e] if isinstance(n, N.Scalar) else [n.coeff] if isinstance(n, N.Prod) else (
            [n.fn] if isinstance(n, N.Elementwise) else [])
        for e in exprs:
            for s in sorted(e.free_symbols, key=lambda s: sp.default_sort_key(shown(s))):  # as printed
                if N.node_of(s) is not None:
                    visit(N.node_of(s))
        for c in n.children():
            visit(c)

    visit(node)
    return list(found.items())
