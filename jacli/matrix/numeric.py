"""numpy evaluation of matrix-form nodes, and the guard that checks a matrix form before it is shown.

The check is independent of the matrix-form rules: the original text is lowered again by
jacli/declarations.py at small concrete sizes (entry symbols, sympy), and its derivative is taken by
central finite differences (Richardson-extrapolated, as jacli/numeric.py does) and compared with
the matrix form evaluated by numpy at the same sizes and values.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp

from ..declarations import Workspace
from ..errors import EvaluationError, UsageError
from ..functions import compile_numpy, numpy_functions, real_values
from ..result import Check
from ..shapes import SCALAR, Shape, is_concrete
from . import kron as K
from . import nodes as N

RTOL = 1e-6
TOLERANCE_TEXT = "|error| <= 1e-6*(1 + max|fd|) (matrix form against finite differences of the entries)"


class Env:
    """Sizes of the symbolic dimensions and values of the variables (2-D float arrays)."""

    def __init__(self, sizes: dict[str, int], values: dict[str, np.ndarray]) -> None:
        self.sizes = sizes
        self.values = values
        self.cache: dict[Any, Any] = {}

    def dim(self, d: N.Dim) -> int:
        if isinstance(d, int):
            return d
        if d in self.sizes:
            return self.sizes[d]
        try:
            return K.dim_value(d, self.sizes)
        except (KeyError, ValueError):
            raise UsageError(f"no value for the size {d!r}: give every vector or matrix with --at") from None


def _scalar(e: sp.Expr, env: Env) -> float:
    subs = {s: sp.Float(value(N.node_of(s), env).item(), 30) for s in N.atoms_of(e)}
    v = sp.N(e.xreplace(subs), 20)
    if not v.is_real or v.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise EvaluationError("the result is undefined or not real at this point")
    return float(v)


def _elementwise(fn: sp.Expr, arg: np.ndarray, env: Env) -> np.ndarray:
    subs = {s: sp.Float(value(N.node_of(s), env).item(), 30) for s in N.atoms_of(fn)}
    f = sp.lambdify(N.T, fn.xreplace(subs), modules=[numpy_functions(), "numpy"])
    with np.errstate(all="ignore"):
        out = np.asarray(f(arg), dtype=float)
    return np.broadcast_to(out, arg.shape).copy()


def value(node: N.Node, env: Env) -> np.ndarray:
    """The node's value as a 2-D array (1x1 for scalars)."""
    if node in env.cache:
        return env.cache[node]  # type: ignore[no-any-return]
    out = _value(node, env)
    env.cache[node] = out
    return out


# one evaluation per node kind
@functools.singledispatch
def _value(node: N.Node, env: Env) -> np.ndarray:
    raise TypeError(f"cannot evaluate {type(node).__name__}")


@_value.register
def _value_scalar(node: N.Scalar, env: Env) -> np.ndarray:
    return np.array([[_scalar(node.e, env)]])


@_value.register(N.Var)
@_value.register(N.ScalarVar)
def _value_variable(node: N.Var | N.ScalarVar, env: Env) -> np.ndarray:
    if node.name not in env.values:
        raise UsageError(f"--at gives no value for {node.name}")
    return np.atleast_2d(env.values[node.name])


@_value.register
def _value_zero(node: N.Zero, env: Env) -> np.ndarray:
    return np.zeros((env.dim(node.rows), env.dim(node.cols)))


@_value.register
def _value_identity(node: N.Identity, env: Env) -> np.ndarray:
    return np.eye(env.dim(node.n))


@_value.register
def _value_ones(node: N.Ones, env: Env) -> np.ndarray:
    return np.ones((env.dim(node.rows), env.dim(node.cols)))


@_value.register
def _value_kron(node: K.Kron, env: Env) -> np.ndarray:
    return np.kron(value(node.a, env), value(node.b, env))


@_value.register
def _value_commutation(node: K.Commutation, env: Env) -> np.ndarray:
    return commutation(env.dim(node.m), env.dim(node.n))


@_value.register
def _value_vec(node: K.Vec, env: Env) -> np.ndarray:
    return value(node.arg, env).reshape(-1, 1)


@_value.register
def _value_blocks(node: K.Blocks, env: Env) -> np.ndarray:
    return np.block([[value(b, env) for b in row] for row in node.grid])


@_value.register
def _value_unit(node: N.Unit, env: Env) -> np.ndarray:
    out = np.zeros((env.dim(node.rows), env.dim(node.cols)))
    out[node.i, node.j] = 1.0
    return out


@_value.register
def _value_prod(node: N.Prod, env: Env) -> np.ndarray:
    return value(N.Scalar(node.coeff), env).item() * _chain([value(f, env) for f in node.factors])


@_value.register
def _value_sum(node: N.Sum, env: Env) -> np.ndarray:
    return sum((value(t, env) for t in node.terms), np.zeros((env.dim(node.rows), env.dim(node.cols))))


@_value.register
def _value_transpose(node: N.Transpose, env: Env) -> np.ndarray:
    return value(node.arg, env).T


@_value.register
def _value_inverse(node: N.Inverse, env: Env) -> np.ndarray:
    return np.linalg.inv(value(node.arg, env))


@_value.register
def _value_hadamard(node: N.Hadamard, env: Env) -> np.ndarray:
    return _chain([value(f, env) for f in node.factors], elementwise=True)


@_value.register
def _value_elementwise(node: N.Elementwise, env: Env) -> np.ndarray:
    return _elementwise(node.fn, value(node.arg, env), env)


@_value.register
def _value_softmax(node: N.Softmax, env: Env) -> np.ndarray:
    v = value(node.arg, env)
    w = np.exp(v - v.max())
    return w / w.sum()  # type: ignore[no-any-return]


@_value.register
def _value_diag(node: N.Diag, env: Env) -> np.ndarray:
    return np.diag(value(node.arg, env).reshape(-1))


@_value.register
def _value_diag_of(node: N.DiagOf, env: Env) -> np.ndarray:
    return np.diag(value(node.arg, env)).reshape(-1, 1).copy()


@_value.register
def _value_det(node: N.Det, env: Env) -> np.ndarray:
    sign, logabs = np.linalg.slogdet(value(node.arg, env))
    return np.array([[sign * math.exp(logabs)]])


@_value.register
def _value_logdet(node: N.LogDet, env: Env) -> np.ndarray:
    sign, logabs = np.linalg.slogdet(value(node.arg, env))
    if sign <= 0:
        raise EvaluationError("logdet needs a matrix with a positive determinant at this point")
    return np.array([[logabs]])


@_value.register
def _value_norm(node: N.Norm, env: Env) -> np.ndarray:
    return np.array([[np.linalg.norm(value(node.arg, env))]])


@_value.register
def _value_sum_all(node: N.SumAll, env: Env) -> np.ndarray:
    return np.array([[value(node.arg, env).sum()]])


@_value.register
def _value_logsumexp(node: N.LogSumExp, env: Env) -> np.ndarray:
    v = value(node.arg, env)
    return np.array([[v.max() + np.log(np.exp(v - v.max()).sum())]])


@_value.register
def _value_trace(node: N.Trace, env: Env) -> np.ndarray:
    return np.array([[np.trace(value(node.arg, env))]])


@_value.register
def _value_entry(node: N.Entry, env: Env) -> np.ndarray:
    return np.array([[value(node.arg, env)[node.i, node.j]]])


def commutation(m: int, n: int) -> np.ndarray:
    """K with K @ X.reshape(-1) == X.T.reshape(-1) for an m x n matrix X."""
    out = np.zeros((m * n, m * n))
    for i in range(m):
        for j in range(n):
            out[j * m + i, i * n + j] = 1.0
    return out


def _chain(arrays: list[np.ndarray], elementwise: bool = False) -> np.ndarray:
    out = arrays[0]
    for a in arrays[1:]:
        out = out * a if elementwise else out @ a
    return out


# --- concrete instances ----------------------------------------------------------------------
def size_names(shapes: dict[str, Shape]) -> list[str]:
    names: list[str] = []
    for shape in shapes.values():
        for d in shape:
            if isinstance(d, str) and d not in names:
                names.append(d)
    return names


def random_sizes(names: list[str], rng: np.random.Generator) -> dict[str, int]:
    pool = [2, 3, 4] if len(names) <= 3 else list(range(2, 2 + len(names)))
    picked = rng.permutation(pool)[: len(names)]
    return {n: int(k) for n, k in zip(names, picked, strict=False)}


def inverted_names(node: N.Node) -> set[str]:
    """Variables that occur under inv, det or logdet (they get well-conditioned values)."""
    out: set[str] = set()

    def visit(n: N.Node, under: bool) -> None:
        if isinstance(n, N.Var) and under:
            out.add(n.name)
        under = under or isinstance(n, (N.Inverse, N.Det, N.LogDet))
        exprs = [n.e] if isinstance(n, N.Scalar) else [n.coeff] if isinstance(n, N.Prod) else []
        for e in exprs:
            for s in N.atoms_of(e):
                visit(N.node_of(s), under)
        for c in n.children():
            visit(c, under)

    visit(node, False)
    return out


def random_values(shapes: dict[str, tuple[int, int] | tuple[()]], wellcond: set[str],
                  rng: np.random.Generator, symmetric: set[str] | frozenset[str] = frozenset()) -> dict[str, np.ndarray]:
    values: dict[str, np.ndarray] = {}
    for name, shape in shapes.items():
        if shape == SCALAR:
            values[name] = np.array([[rng.uniform(0.3, 1.7)]])
            continue
        rows, cols = shape  # type: ignore[misc]
        if name in wellcond and rows == cols:
            values[name] = rows * np.eye(rows) + rng.uniform(-0.5, 0.5, (rows, cols))
        else:
            values[name] = rng.uniform(0.3, 1.7, (rows, cols))
        if name in symmetric:
            values[name] = (values[name] + values[name].T) / 2
    return values


def concrete_workspace(ws: Workspace, sizes: dict[str, int]) -> Workspace:
    """The same declarations with every size name replaced by its value.

    Sizes are drawn (or read from --at) only for the variables the expression uses, its --let
    definitions included; a declared variable it does not use (-v X:m,n beside x:n) may have
    size names without a value, and is left out. --let bodies are lowered only when used, so
    an unused one that names such a variable is never looked at.
    """
    out = Workspace()
    for name, shape in ws.shapes.items():
        if any(isinstance(d, str) and d not in sizes for d in shape):
            continue
        out.declare(name, tuple(sizes[d] if isinstance(d, str) else d for d in shape))
    out.funcs = dict(ws.funcs)
    for name, value in sizes.items():  # size names in the text (I(n), unit(k, n)) are their values
        if name not in ws.shapes and not any(n == name for n, _ in ws.lets):
            out.define(name, str(value))
    for name, body in ws.lets:
        out.define(name, body)
    return out


def entry_function(cws: Workspace, value_: Any, names: list[str]) -> tuple[Callable[..., np.ndarray], Any]:
    """numpy function of the variables' arrays computing ``value_``, the entry-wise (declarations.py) value
    of the expression lowered in ``cws``."""
    from ..values import flat

    if any(e.has(sp.zoo, sp.nan) for e in flat(value_)):  # logdet(X'*X) with fewer rows than columns
        raise EvaluationError("the expression is undefined at these sizes")
    symbols: list[Any] = []
    for name in names:
        symbols.extend(flat(cws.variable(name)))
    f = compile_numpy(symbols, flat(value_))

    def call(values: dict[str, np.ndarray]) -> np.ndarray:
        args = [v for name in names for v in np.asarray(values[name], dtype=float).reshape(-1)]
        with np.errstate(all="ignore"):
            out = f(*args)
        return real_values(out)

    return call, value_


def finite_differences(call: Callable[[dict[str, np.ndarray]], np.ndarray], values: dict[str, np.ndarray],
                       var: str) -> tuple[np.ndarray, int]:
    """Jacobian (outputs x entries of var, row-major) by Richardson-extrapolated central differences."""
    base = values[var]
    cols = []
    for k in range(base.size):
        h = 1e-3 * max(1.0, abs(float(base.reshape(-1)[k])))

        def d(step: float, k: int = k) -> np.ndarray:
            up, down = dict(values), dict(values)
            up[var] = base.copy().reshape(-1)
            down[var] = base.copy().reshape(-1)
            up[var][k] += step
            down[var][k] -= step
            up[var] = up[var].reshape(base.shape)
            down[var] = down[var].reshape(base.shape)
            return (call(up) - call(down)) / (2 * step)

        cols.append((4 * d(h / 2) - d(h)) / 3)
    return np.stack(cols, axis=1), 4 * base.size


def compare(claimed: np.ndarray, fd: np.ndarray, point: dict[str, Any], evaluations: int) -> Check:
    err = np.abs(claimed - fd)
    scale = 1.0 + (float(np.max(np.abs(fd))) if fd.size else 0.0)
    finite = bool(np.all(np.isfinite(err)))
    max_abs = float(np.max(err)) if err.size and finite else (0.0 if finite else math.inf)
    rel = err / np.maximum(np.abs(fd), 1e-300)
    max_rel = float(np.max(np.where(np.abs(fd) > 0, rel, err))) if err.size and finite else max_abs
    ok = finite and max_abs <= RTOL * scale
    check = Check(ok=ok, max_abs_error=max_abs, max_rel_error=max_rel, point=point, evaluations=evaluations,
                  tolerance=TOLERANCE_TEXT)
    if err.size:  # where the largest error is: its index in the result, counted from 0
        at = np.unravel_index(int(np.argmax(np.where(np.isfinite(err), err, np.inf))), err.shape)
        check.worst_entry = "entry [" + ", ".join(str(int(i)) for i in at) + "]"
        check.worst_claimed, check.worst_fd = float(claimed[at]), float(fd[at])
    return check


def is_symbolic(ws: Workspace, names: list[str]) -> bool:
    return any(not is_concrete(ws.shapes.get(n, SCALAR)) for n in names)
