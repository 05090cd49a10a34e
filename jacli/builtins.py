"""The vocabulary of jacli's lowered values: constants and functions of the language as sympy
builds them, bounds on exact numbers, and the helpers for values and their entries (``x[0]``,
``W[0,1]``). Below the lowerer (jacli.lowering) and the declarations (jacli.declarations).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeAlias

import sympy as sp

from . import syntax as sx
from .arrays import ARRAY_FUNCTIONS
from .errors import BoundError
from .functions import CUSTOM
from .shapes import SCALAR, Shape

Value: TypeAlias = sp.Expr | sp.ImmutableMatrix

MAX_DIGITS_RESULT = 4_000  # exact integers larger than this many digits are refused
MAX_FACTORIAL = 1_000
MAX_MATRIX_POWER = 64
MAX_INVERSE = 8  # largest symbolic matrix inverted / determinant expanded explicitly

CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E, "E": sp.E, **{name: sp.oo for name in sx.INFINITY_NAMES}}

# scalar functions applied entry by entry to vectors and matrices
ELEMENTWISE: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "cot": sp.cot, "sec": sp.sec, "csc": sp.csc,
    "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "acot": sp.acot,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "coth": sp.coth,
    "asinh": sp.asinh, "acosh": sp.acosh, "atanh": sp.atanh,
    "asec": sp.asec, "acsc": sp.acsc, "sech": sp.sech, "csch": sp.csch,
    "acoth": sp.acoth, "asech": sp.asech, "acsch": sp.acsch,
    "exp": sp.exp, "sqrt": sp.sqrt, "abs": sp.Abs, "sign": sp.sign, "ln": sp.log,
    "log10": lambda x: sp.log(x, 10), "log2": lambda x: sp.log(x, 2), "erf": sp.erf,
    "sigmoid": CUSTOM["sigmoid"], "relu": CUSTOM["relu"], "step": CUSTOM["step"],
    "softplus": CUSTOM["softplus"], "gelu": CUSTOM["gelu"],
}
#: other spellings of the same functions (arcsin for asin, as numpy and many textbooks write)
SPELLINGS = {
    "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arccot": "acot", "arcsec": "asec", "arccsc": "acsc",
    "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh", "arccoth": "acoth",
    "arsinh": "asinh", "arcosh": "acosh", "artanh": "atanh", "arcoth": "acoth",
}
ELEMENTWISE.update({alias: ELEMENTWISE[name] for alias, name in SPELLINGS.items()})
MATRIX_FUNCTIONS = frozenset({
    "inv", "det", "logdet", "tr", "trace", "norm", "sum", "dot", "hadamard", "diag", "softmax",
    "logsumexp", "log", "factorial", "transpose", "mean", "max", "min",
})
BUILTIN_FUNCTIONS = frozenset(ELEMENTWISE) | MATRIX_FUNCTIONS
BUILTIN_FUNCTIONS |= ARRAY_FUNCTIONS  # I(n), ones(n), unit(k, n), kron, vec, commutation: jacli.arrays
DECLARABLE_BUILTINS = ARRAY_FUNCTIONS  # functions only when called: still usable as variable names

_ENTRY_RE = re.compile(r"([A-Za-z][A-Za-z0-9_]*)\[(\d+)(?:,(\d+))?\]")


def shape_of(value: Value) -> Shape:
    if isinstance(value, sp.MatrixBase):
        return tuple(value.shape)
    return SCALAR


def as_value(m: sp.MatrixBase) -> Value:
    """Normalize: 1x1 matrices become scalars, other matrices immutable."""
    if m.shape == (1, 1):
        return m[0, 0]
    return sp.ImmutableMatrix(m)


def entry_name(var: str, i: int, j: int, shape: Shape) -> str:
    """The name of entry (i, j) of a declared variable: x[i] for vectors, W[i,j] for matrices."""
    rows, cols = shape
    if cols == 1:
        return f"{var}[{i}]"
    if rows == 1:
        return f"{var}[{j}]"
    return f"{var}[{i},{j}]"


def split_entry(name: str) -> tuple[str, int, int | None] | None:
    """Inverse of entry_name: 'W[0,1]' -> ('W', 0, 1); plain names -> None."""
    m = _ENTRY_RE.fullmatch(name)
    if not m:
        return None
    return m.group(1), int(m.group(2)), (int(m.group(3)) if m.group(3) is not None else None)


def symbol(name: str) -> sp.Symbol:
    """jacli's variables are real."""
    return sp.Symbol(name, real=True)


# --- bounds on what lowering may build -------------------------------------------------------------
def check_size(entries: Any, what: str) -> None:
    from .shapes import MAX_ENTRIES

    if isinstance(entries, int) and entries > MAX_ENTRIES:
        raise BoundError(f"{what} would have {entries} entries; the limit is {MAX_ENTRIES}")


def check_numbers(value: Value) -> None:
    """Refuse numbers of more than MAX_DIGITS_RESULT digits as soon as lowering makes one
    (``10^3999*10^3999``, sums of fractions): only the value and its numeric coefficient or
    constant term are looked at, which is where sympy gathers numbers, so the cost is O(1)
    per node (O(entries) for matrices)."""
    from .guard import number_too_big

    for e in (value if isinstance(value, sp.MatrixBase) else (value,)):
        if number_too_big(e) or ((e.is_Mul or e.is_Add) and number_too_big(e.args[0])):
            raise BoundError(f"a number in this expression would have more than {MAX_DIGITS_RESULT} digits")


def check_power(base: sp.Expr, exp: sp.Expr) -> None:
    """Refuse exact powers whose value would be astronomically large before sympy computes them.

    sympy evaluates powers of numbers at once, including algebraic ones: sqrt(2)^(10^10) becomes
    2^(5*10^9), (2*pi)^(10^10) becomes 2^(10^10)*pi^(10^10). Any base free of symbols counts,
    except pi and e alone, which sympy keeps as powers.
    """
    if not exp.is_Number or not exp.is_Rational or base.free_symbols or base in (sp.pi, sp.E):
        return
    import math

    if base.is_Number:
        if base.is_zero or abs(base) == 1 or not base.is_finite:  # oo^1, (-oo)^2: sympy's infinities
            return
        b = sp.Rational(base)
        size = max(abs(b.p), b.q)
        log_size = math.log10(size) if size > 1 else 0.0
    else:
        try:
            magnitude = abs(complex(sp.N(base, 15)))
        except (TypeError, ValueError, OverflowError, ZeroDivisionError):
            return
        if magnitude == 0 or not math.isfinite(magnitude):
            return
        log_size = abs(math.log10(magnitude))
        if log_size < 1e-12 and abs(exp) > MAX_DIGITS_RESULT:  # |base| = 1 but not exactly 1, e.g. (1+I)/sqrt(2)
            log_size = 1.0
    if log_size == 0:
        return
    r = sp.Rational(exp)
    magnitude_exp = abs(r.p) / r.q if max(abs(r.p), r.q).bit_length() < 1000 else math.inf  # no float overflow
    digits = magnitude_exp * log_size
    if digits > MAX_DIGITS_RESULT:
        about = f"about {digits:.3g}" if math.isfinite(digits) else "more than 10^300"
        raise BoundError(
            f"the exact value of this power would have {about} digits; "
            f"the limit is {MAX_DIGITS_RESULT}"
        )
