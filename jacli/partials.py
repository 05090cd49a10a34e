"""Large explicit derivatives: many partial derivatives at once, each equal to sympy's own.

``sympy.diff(f, x)`` walks all of ``f`` for every variable ``x`` and asks every node for its free
symbols on the way, so a Jacobian of m outputs by n variables costs m x n whole-tree walks: more
than a minute for a dense 100x100 quadratic map. :class:`Partials` computes the same derivatives
with sympy's own rules, applied in the same order to the same arguments, but

- works node by node, once: a node's derivatives by all the variables it uses come from its
  arguments' (a sum's derivative by x_k gathers only the terms that use x_k), and a node without
  any of the variables is skipped (sympy's own quick exit, without recomputing free symbols);
- remembers every node's derivatives, so a subexpression shared by several outputs (or by the
  gradient and the Hessian) is differentiated once;
- builds the sums and products of the rules with :mod:`jacli.canonical`, which skips sympy's
  general canonicalization where no terms or factors combine.

The results are sympy's objects, equal to what ``sympy.diff`` gives (same arguments, same hash;
a test compares them on random expressions). Nodes whose derivative sympy computes by other rules
(``Abs``, ``Piecewise``, ``Max``, abstract functions, unevaluated derivatives) are handed to
``sympy.diff`` itself.

The size bound :func:`check_work` refuses explicit derivatives whose cost grows like n⁴ (the
gradient of ‖Wx+b−z‖² with respect to a large W) before any of that work starts.
"""

from __future__ import annotations

import functools
import gc
import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sympy as sp
from sympy.core.function import AppliedUndef, ArgumentIndexError

from .canonical import product, total
from .errors import ResourceError

#: the largest (number of variables differentiated by) x (number of scalar symbols in the
#: function) attempted explicitly; beyond it the work is refused with a pointer to symbolic sizes
MAX_WORK = 4_000_000

#: the elementary functions :func:`float_values` evaluates, with their floating-point versions
_MATH = {
    sp.sin: math.sin, sp.cos: math.cos, sp.tan: math.tan, sp.cot: lambda v: 1.0 / math.tan(v),
    sp.asin: math.asin, sp.acos: math.acos, sp.atan: math.atan,
    sp.sinh: math.sinh, sp.cosh: math.cosh, sp.tanh: math.tanh,
    sp.asinh: math.asinh, sp.acosh: math.acosh, sp.atanh: math.atanh,
    sp.exp: math.exp, sp.log: math.log,
}
FUNCTIONS = frozenset(_MATH)
_ATOMS = (sp.Symbol, sp.Integer, sp.Rational)
F = TypeVar("F", bound=Callable[..., Any])


def pausing_gc(func: F) -> F:
    """Run ``func`` with the cyclic garbage collector paused (as timeit does).

    Building tens of thousands of sympy objects triggers a collection every 700 allocations, each
    walking every live object: a quarter of the time of a 200x200 Jacobian. sympy's expressions
    are immutable trees without reference cycles, so nothing is lost by collecting afterwards.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        was = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if was:
                gc.enable()

    return wrapper  # type: ignore[return-value]


def check_work(variables: int, symbols: int, what: str, example: str | None = None) -> None:
    """Refuse explicit work of about ``variables`` x ``symbols`` derivative steps over MAX_WORK."""
    work = variables * symbols
    if work > MAX_WORK:
        hint = f" (e.g. -v {example})" if example else ""
        raise ResourceError(
            f"the explicit {what} would take about {work:,} derivative steps "
            f"({variables:,} variables x {symbols:,} symbols; the limit is {MAX_WORK:,}); "
            f"declare symbolic sizes{hint} for the matrix form, or use smaller concrete sizes"
        )


_ZERO = sp.S.Zero
_ONE = sp.S.One
_NONE: frozenset[Any] = frozenset()
_INFINITE = frozenset((sp.S.ComplexInfinity, sp.S.Infinity, sp.S.NegativeInfinity, sp.S.NaN))


def _standard_function(e: Any) -> bool:
    """A function whose derivative sympy takes by the chain rule through ``fdiff`` (sin, exp, sigmoid,
    relu, ...), not by a rule of its own (Abs, sign, Max) and not an abstract function."""
    cls = type(e)
    return (isinstance(e, sp.Function) and not isinstance(e, AppliedUndef)
            and cls._eval_derivative is sp.Function._eval_derivative
            and cls._eval_derivative_n_times is sp.Basic._eval_derivative_n_times)


class Partials:
    """First partial derivatives of sympy expressions by the given symbols, each equal to
    ``sympy.diff(e, s)`` (see the module's docstring for how it is faster).

    Each rule below is sympy's own (sympy/core/add.py, mul.py, power.py, function.py), written
    with the same operations on the same arguments, so that sympy's canonical construction gives
    the identical object.
    """

    def __init__(self, symbols: Sequence[sp.Symbol]) -> None:
        self.targets = frozenset(symbols)
        self._uses: dict[Any, frozenset[Any]] = {}
        self._grads: dict[Any, dict[Any, Any]] = {}
        self._fdiff: dict[tuple[Any, int], Any] = {}
        #: an infinite or undefined number occurs (zoo, oo, nan): sympy's rules give nan where the
        #: skipped zero terms would have met it, so every derivative is left to sympy.diff
        self.infinite = False

    def uses(self, e: Any) -> frozenset[Any]:
        """The target symbols that occur in ``e``."""
        hit = self._uses.get(e)
        if hit is not None:
            return hit
        if e.is_Symbol:
            out = frozenset((e,)) if e in self.targets else _NONE
        elif not e.args:
            out = _NONE
            if e in _INFINITE:
                self.infinite = True
        else:
            out = frozenset().union(*[self.uses(a) for a in e.args])
        self._uses[e] = out
        return out

    def d(self, e: Any, s: Any) -> Any:
        """d e / d s, equal to ``sympy.diff(e, s)``."""
        return self.gradient(e).get(s, _ZERO)

    def gradient(self, e: Any) -> dict[Any, Any]:
        """{s: d e / d s} for the target symbols s that occur in ``e`` (the others give 0), each
        equal to ``sympy.diff(e, s)``: the rules below run once per node for all its symbols."""
        hit = self._grads.get(e)
        if hit is not None:
            return hit
        used = self.uses(e)  # sympy's quick exit: the derivative by a symbol not in e is 0
        cls = type(e)
        out: dict[Any, Any]
        if not used:
            out = {}
        elif self.infinite:
            out = {s: sp.diff(e, s) for s in used}
        elif e.is_Symbol:
            out = {e: _ONE}
        elif cls is sp.Add:  # Add._eval_derivative: the sum of the terms' derivatives (zeros drop out)
            parts: dict[Any, list[Any]] = {}
            for a in e.args:
                for s, v in self.gradient(a).items():
                    parts.setdefault(s, []).append(v)
            out = {s: total(v) for s, v in parts.items()}
        elif cls is sp.Mul:
            # Mul._eval_derivative_n_times with n = 1 (general Leibniz rule): one product per factor
            # with that factor differentiated; those of the factors without s are 0
            parts = {}
            args = e.args
            for j, a in enumerate(args):
                for s, v in self.gradient(a).items():
                    parts.setdefault(s, []).append(product((*args[:j], v, *args[j + 1:])))
            out = {s: total(v) for s, v in parts.items()}
        elif cls is sp.Pow:  # Pow._eval_derivative
            base, exp = e.args
            gbase, gexp = self.gradient(base), self.gradient(exp)
            out = {}
            for s in used:
                dbase, dexp = gbase.get(s, _ZERO), gexp.get(s, _ZERO)
                # dexp*log(base) is 0 when dexp is: base uses s, so it is no number and log(base) is finite
                first = dexp * sp.log(base) if dexp is not _ZERO else _ZERO
                out[s] = e * (first + dbase * exp / base)
        elif _standard_function(e):  # Function._eval_derivative: the chain rule through fdiff
            grads = [self.gradient(a) for a in e.args]
            out = {}
            for s in used:
                terms = []
                for i, g in enumerate(grads, 1):
                    da = g.get(s, _ZERO)
                    if da.is_zero:
                        continue
                    terms.append(self.fdiff(e, i) * da)
                out[s] = sp.Add(*terms)
        else:  # a node with a derivative rule of its own: sympy's
            out = {s: sp.diff(e, s) for s in used}
        self._grads[e] = out
        return out

    def fdiff(self, e: Any, i: int) -> Any:
        key = (e, i)
        hit = self._fdiff.get(key)
        if hit is None:
            try:
                hit = e.fdiff(i)
            except ArgumentIndexError:
                hit = sp.Function.fdiff(e, i)
            self._fdiff[key] = hit
        return hit


def supported(exprs: Sequence[Any]) -> bool:
    """True when every expression is built only from nodes :func:`float_values` evaluates."""
    seen: set[int] = set()
    stack = list(exprs)
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, _ATOMS) or e is sp.pi or e is sp.E:
            continue
        if isinstance(e, (sp.Add, sp.Mul, sp.Pow)) or type(e) in FUNCTIONS:
            stack.extend(e.args)
            continue
        return False
    return True


def jacobian_rows(outputs: Sequence[Any], symbols: Sequence[sp.Symbol]) -> list[list[Any]]:
    """d outputs[i] / d symbols[k] as nested lists of sympy expressions."""
    p = Partials(symbols)
    for o in outputs:
        p.uses(o)
    return [[p.d(o, s) for s in symbols] for o in outputs]


def hessian_rows(f: Any, symbols: Sequence[sp.Symbol]) -> tuple[list[Any], list[list[Any]]]:
    """(gradient, Hessian rows) of a scalar; the second derivatives reuse the first ones' work."""
    p = Partials(symbols)
    p.uses(f)
    grad = [p.d(f, s) for s in symbols]
    return grad, [[p.d(g, s) for s in symbols] for g in grad]


def float_values(entries: Sequence[Any], point: dict[Any, float]) -> list[float]:
    """The supported expressions ``entries`` at ``point`` in floating point: one walk of the
    expression graph with every distinct subexpression computed once.

    Cost is linear in the distinct nodes, so the 40,000 entries of a 200x200 Jacobian take a
    fraction of a second, where compiling them takes tens of seconds and
    substituting entry by entry minutes. Raises ArithmeticError or ValueError where a value is
    undefined or not real (division by zero, log of a negative number, overflow).
    """
    memo: dict[Any, float] = {s: float(v) for s, v in point.items()}

    def ev(e: Any) -> float:
        v = memo.get(e)
        if v is not None:
            return v
        if e.is_Add:
            v = math.fsum([ev(a) for a in e.args])
        elif e.is_Mul:
            v = math.prod([ev(a) for a in e.args])
        elif e.is_Pow:
            base, exp = ev(e.base), ev(e.exp)
            v = base ** exp
            if isinstance(v, complex):
                raise ValueError("a power of a negative number is not real")
        elif e.is_Number:
            v = float(e)
        elif e is sp.pi:
            v = math.pi
        elif e is sp.E:
            v = math.e
        elif type(e) in _MATH:
            v = float(_MATH[type(e)](ev(e.args[0])))
        elif e.is_Symbol:
            raise ValueError(f"no value for {e}")
        else:
            raise ValueError(f"cannot evaluate {type(e).__name__}")
        memo[e] = v
        return v

    return [ev(e) for e in entries]


def evaluate_floats(value: Any, subs: dict[Any, Any]) -> Any:
    """A large matrix at a point in floating point (nested lists, columns as flat lists), by
    :func:`float_values` when every entry is supported, else compiled once by sympy's lambdify
    over numpy; either way never by substituting and simplifying entry by entry."""
    import numpy as np

    from .errors import EvaluationError, UsageError

    entries = [sp.sympify(e) for e in value]
    used: set[Any] = set().union(*(e.free_symbols for e in entries))
    left = used - set(subs)
    if left:
        raise UsageError(f"--at gives no value for {', '.join(sorted(str(s) for s in left))}")
    point = {s: subs[s] if isinstance(subs[s], float) else float(sp.N(subs[s], 17)) for s in used}
    if supported(entries):
        try:
            out = np.asarray(float_values(entries, point), dtype=float)
        except (ArithmeticError, ValueError):
            out = np.full(len(entries), np.nan)
    else:
        from .functions import compile_numpy

        symbols = sorted(used, key=str)
        f = compile_numpy(symbols, entries, cse=True)
        with np.errstate(all="ignore"):  # numpy floats: an overflow is inf, not an OverflowError
            out = np.asarray([np.broadcast_to(np.asarray(v, dtype=float), ())
                              for v in f(*[np.float64(point[s]) for s in symbols])], dtype=float)
    if not np.all(np.isfinite(out)):
        raise EvaluationError("the result is undefined at this point (division by zero or a singularity)")
    rows, cols = value.shape
    grid = out.reshape(rows, cols).tolist()
    return [r[0] for r in grid] if cols == 1 else grid
