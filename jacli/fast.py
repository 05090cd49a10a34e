"""Large explicit derivatives through symengine, sympy's C++ sibling.

sympy differentiates a 100x100 Jacobian entry by entry in Python; symengine does the same
differentiation in C++ tens of times faster. For results with at least :data:`FAST_ENTRIES`
entries whose expressions use only operations both libraries share (sums, products, powers,
and the elementary functions of :data:`FUNCTIONS`), the entries are converted to symengine once,
differentiated there, and converted back to sympy objects built from jacli's own (real) symbols,
so the rest of jacli sees exactly what the sympy path would give. Anything else (abstract
functions, sigmoid, relu, abs, ...) stays on the sympy path.

The size bound :func:`check_work` refuses explicit derivatives whose cost grows like n⁴ (the
gradient of ‖Wx+b−z‖² with respect to a large W) before any of that work starts.
"""

from __future__ import annotations

import functools
import gc
import math
from collections.abc import Callable, Sequence
from functools import cmp_to_key
from typing import Any, TypeVar

import sympy as sp

from .errors import ResourceError

#: results with at least this many entries go through symengine (below it, conversion costs more
#: than it saves; measured with bench/run.py)
FAST_ENTRIES = 400

#: the largest (number of variables differentiated by) x (number of scalar symbols in the
#: function) attempted explicitly; beyond it the work is refused with a pointer to symbolic sizes
MAX_WORK = 4_000_000

_FUNCTIONS = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "cot": sp.cot,
    "asin": sp.asin, "acos": sp.acos, "atan": sp.atan,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
    "asinh": sp.asinh, "acosh": sp.acosh, "atanh": sp.atanh,
    "exp": sp.exp, "log": sp.log,
}
#: sympy function classes that symengine differentiates the same way
FUNCTIONS = frozenset(_FUNCTIONS.values())
_ATOMS = (sp.Symbol, sp.Integer, sp.Rational)
_CONSTANTS = {"Pi": sp.pi, "Exp1": sp.E}
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


def available() -> bool:
    try:
        import symengine  # noqa: F401
    except ImportError:
        return False
    return True


def supported(exprs: Sequence[Any]) -> bool:
    """True when every expression is built only from nodes symengine handles identically."""
    seen: set[int] = set()
    stack = list(exprs)
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, _ATOMS) or e is sp.pi or e is sp.E:
            if isinstance(e, sp.Symbol) and not e.is_real:
                return False
            continue
        if isinstance(e, (sp.Add, sp.Mul, sp.Pow)) or type(e) in FUNCTIONS:
            stack.extend(e.args)
            continue
        return False
    return True


def worth_it(outputs: int, symbols: int) -> bool:
    return outputs * symbols >= FAST_ENTRIES and available()


class Bridge:
    """Converts jacli's sympy expressions to symengine and back, keeping jacli's real symbols."""

    def __init__(self) -> None:
        import symengine as se

        self.se = se
        self.names: dict[str, sp.Symbol] = {}
        self.memo: dict[Any, Any] = {}

    def to(self, e: Any) -> Any:
        for s in e.free_symbols if isinstance(e, sp.Basic) else ():
            self.names[s.name] = s
        return self.se.sympify(e)

    def symbol(self, s: sp.Symbol) -> Any:
        self.names[s.name] = s
        return self.se.Symbol(s.name)

    def back(self, e: Any) -> Any:
        memo = self.memo
        hit = memo.get(e)
        if hit is not None:
            return hit
        if e.is_Symbol:
            out = self.names[e.name]
        elif e.is_Integer:
            out = sp.Integer(int(e))
        elif e.is_Rational:
            p, q = e.get_num_den()
            out = sp.Rational(int(p), int(q))
        elif e.is_Add:
            out = _canonical(sp.Add, [self.back(a) for a in e.args], _is_monomial)
        elif e.is_Mul:
            out = _canonical(sp.Mul, [self.back(a) for a in e.args], _is_power)
        elif e.is_Pow:
            base, exp = e.args
            out = sp.Pow(self.back(base), self.back(exp))
        elif type(e).__name__ in _CONSTANTS:
            out = _CONSTANTS[type(e).__name__]
        elif e.is_Function and type(e).__name__ in _FUNCTIONS:
            out = _FUNCTIONS[type(e).__name__](*[self.back(a) for a in e.args])
        else:  # nothing else arises from supported input; keep sympy's own conversion as a guard
            out = e._sympy_()
        memo[e] = out
        return out


_ORDER = cmp_to_key(sp.Basic.compare)


def _is_power(a: Any) -> bool:
    return a.is_Symbol or (a.is_Pow and a.base.is_Symbol and a.exp.is_Integer)


def _is_monomial(a: Any) -> bool:
    return _is_power(a) or (a.is_Mul and all(_is_power(f) or f is a.args[0] and f.is_Rational for f in a.args))


def _canonical(cls: Any, args: list[Any], simple: Any) -> Any:
    """cls(*args), built directly when symengine's args are already collected and sympy's
    canonical form is just a reordering: a rational first, the rest sorted as sympy sorts them.
    (Building through sympy's flatten is most of the cost of converting large results back.)"""
    number = [a for a in args if a.is_Rational]
    rest = [a for a in args if not a.is_Rational]
    if len(number) > 1 or not rest or not all(simple(a) for a in rest):
        return cls(*args)
    rest.sort(key=_ORDER)
    return cls._from_args(number + rest if number else rest)


def jacobian_rows(outputs: Sequence[Any], symbols: Sequence[sp.Symbol]) -> list[list[Any]] | None:
    """d outputs[i] / d symbols[k] as nested lists of sympy expressions, via symengine; None when
    the expressions are not all supported (the caller then uses sympy)."""
    if not supported([*outputs, *symbols]):
        return None
    b = Bridge()
    se = b.se
    f = se.DenseMatrix(len(outputs), 1, [b.to(e) for e in outputs])
    x = se.DenseMatrix(len(symbols), 1, [b.symbol(s) for s in symbols])
    j = f.jacobian(x)
    rows, cols = j.shape
    flat = [b.back(e) for e in j]
    return [flat[i * cols:(i + 1) * cols] for i in range(rows)]


def hessian_rows(f: Any, symbols: Sequence[sp.Symbol]) -> tuple[list[Any], list[list[Any]]] | None:
    """(gradient, Hessian rows) of a scalar via symengine, or None when unsupported."""
    if not supported([f, *symbols]):
        return None
    b = Bridge()
    se = b.se
    fs = b.to(f)
    xs = [b.symbol(s) for s in symbols]
    grad = [fs.diff(x) for x in xs]
    h = se.DenseMatrix(len(grad), 1, grad).jacobian(se.DenseMatrix(len(xs), 1, xs))
    rows, cols = h.shape
    flat = [b.back(e) for e in h]
    return [b.back(g) for g in grad], [flat[i * cols:(i + 1) * cols] for i in range(rows)]


_MATH = {
    sp.sin: math.sin, sp.cos: math.cos, sp.tan: math.tan, sp.cot: lambda v: 1.0 / math.tan(v),
    sp.asin: math.asin, sp.acos: math.acos, sp.atan: math.atan,
    sp.sinh: math.sinh, sp.cosh: math.cosh, sp.tanh: math.tanh,
    sp.asinh: math.asinh, sp.acosh: math.acosh, sp.atanh: math.atanh,
    sp.exp: math.exp, sp.log: math.log,
}


def float_values(entries: Sequence[Any], point: dict[Any, float]) -> list[float]:
    """The supported expressions ``entries`` at ``point`` in floating point: one walk of the
    expression graph with every distinct subexpression computed once.

    Cost is linear in the distinct nodes, so the 40,000 entries of a 200x200 Jacobian take a
    fraction of a second, where compiling them (symengine's Lambdify) takes tens of seconds and
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
        from .functions import numpy_functions

        symbols = sorted(used, key=str)
        f = sp.lambdify(symbols, entries, modules=[numpy_functions(), "numpy"], dummify=True, cse=True)
        with np.errstate(all="ignore"):
            out = np.asarray([np.broadcast_to(np.asarray(v, dtype=float), ())
                              for v in f(*[point[s] for s in symbols])], dtype=float)
    if not np.all(np.isfinite(out)):
        raise EvaluationError("the result is undefined at this point (division by zero or a singularity)")
    rows, cols = value.shape
    grid = out.reshape(rows, cols).tolist()
    return [r[0] for r in grid] if cols == 1 else grid
