"""The vocabulary of jacli's lowered values: constants and functions of the language as sympy
builds them, bounds on exact numbers, and the helpers for values and their entries (``x[0]``,
``W[0,1]``). Below the lowerer (jacli.lowering) and the declarations (jacli.declarations).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeAlias

import sympy as sp

from . import syntax as sx
from .arrays import ARRAY_FUNCTIONS
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
