"""Values and option texts shared by the explicit (jacli.calculus) and matrix-form (jacli.matrix)
computations: entries of a value, --wrt names, --at points and the layout option.

Below both, so that dependencies point one way: calculus -> values, matrix.api -> values.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

import sympy as sp

from . import atvalue
from . import syntax as sx
from .atvalue import AtValue
from .declarations import Value, Workspace, shape_of
from .errors import UsageError
from .shapes import SCALAR, a_shape


def flat(value: Value) -> list[sp.Expr]:
    """Entries row by row; a scalar is a list of one."""
    if isinstance(value, sp.MatrixBase):
        return list(value)  # sympy iterates row-major
    return [value]


def split_names(wrt: str | Sequence[str] | None) -> list[str] | None:
    if wrt is None:
        return None
    if isinstance(wrt, str):
        names = [sx.read_name(w) for w in wrt.split(",")]
    else:
        names = [sx.read_name(w) for part in wrt for w in part.split(",")]
    names = [n for n in names if n]
    if not names:
        raise UsageError("--wrt needs at least one variable name")
    if len(set(names)) != len(names):
        raise UsageError("--wrt names a variable twice")
    return names


def parse_point(ws: Workspace, at: dict[str, Any] | Sequence[str | AtValue] | None) -> dict[str, Value]:
    """``--at NAME=VALUE`` texts (``x=1,y=2`` holds two), numbers given to the Python API, or
    AtValues already read -> sympy values (numbers, or matrices of numbers), by the strict value
    grammar of :mod:`jacli.atvalue`."""
    if not at:
        return {}
    return {v.name: point_value(ws, v) for v in at_values(at)}


def point_value(ws: Workspace, v: AtValue, value: Value | None = None) -> Value:
    """One --at value, checked against its declaration; ``value`` if it has been read already."""
    name = v.name
    if not sx.is_identifier(name):
        raise UsageError(f"bad --at name {name!r}")
    if value is None:
        value = atvalue.parse(v, ws.function_names() - set(ws.funcs))
    free = value.free_symbols if isinstance(value, sp.Basic) else set()
    if free:
        raise UsageError(f"{v.label}: the value must be a number, not an expression in {', '.join(sorted(map(str, free)))}")
    want = ws.shapes.get(name, SCALAR)
    got = shape_of(value)
    if got != want:
        raise UsageError(
            f"--at {name}: {name} is {a_shape(want)} but the value is {a_shape(got)}"
        )
    if name in ws.symmetric and isinstance(value, sp.MatrixBase) and value != value.T:
        raise UsageError(f"--at {name}: {name} is declared symmetric (:sym) but the value is not symmetric")
    return value


def at_values(at: dict[str, Any] | Sequence[str | AtValue]) -> list[AtValue]:
    """The --at values, each read (@FILE) once: from ``NAME=VALUE`` texts (``x=1,y=2`` holds two),
    from a dict of texts or numbers (the Python API), or AtValues already read."""
    if isinstance(at, dict):
        return [atvalue.read(sx.read_name(str(name)), text if isinstance(text, str) else number_text(text))
                for name, text in at.items()]
    return [a if isinstance(a, AtValue) else _split_at(a)
            for spec in at for a in ([spec] if isinstance(spec, AtValue) else split_at_options([spec]))]


def split_at_options(specs: Sequence[str]) -> list[str]:
    """``--at x=1,y=2`` is two values: split at the commas outside brackets and parentheses, each
    of which must begin a new ``NAME=`` (a value read from ``@FILE`` takes the rest of the text:
    paths may hold commas)."""
    out: list[str] = []
    for spec in specs:
        depth, start = 0, 0
        for i, ch in enumerate(spec):
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1
            elif ch == "," and depth == 0:
                if spec[start:].partition("=")[2].lstrip().startswith("@"):
                    break
                if not re.match(r"\s*[^\W\d][\w\[\],]*?\s*=", spec[i + 1:]):
                    raise UsageError(f"bad --at {spec!r}: write a vector as a list (x=[1,2]) and several values "
                                     "as x=1,y=2")
                out.append(spec[start:i])
                start = i + 1
        out.append(spec[start:])
    return out


def number_text(value: Any) -> str:
    """A number (or nested lists of numbers) given to the Python API, as jacli text: ints and
    floats exactly as repr writes them (a float is its exact decimal value, 0.1 is 1/10)."""
    import numbers

    if isinstance(value, bool) or value is None:
        raise UsageError(f"not a number: {value!r}")
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        x = float(value)
        if x != x:
            raise UsageError("not a number: nan")
        if x in (float("inf"), float("-inf")):
            return "oo" if x > 0 else "-oo"
        return repr(x)
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return number_text(value.tolist())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(number_text(v) for v in value) + "]"
    raise UsageError(f"not a number or a list of numbers: {value!r}")


def _split_at(spec: str) -> AtValue:
    """One ``NAME=VALUE`` (VALUE possibly @FILE, read once), the name read as in an expression."""
    v = atvalue.split(spec)
    return dataclasses.replace(v, name=sx.read_name(v.name))


def at_text(value: str) -> str:
    """An --at value's text; ``@PATH`` reads it from a file (see jacli.atvalue)."""
    return atvalue.read("", value).text


#: the layout each command gives by default (../shared/CLI.md, Layouts), and in which both engines
#: compute: a gradient has the shape of its variable, a Jacobian one row per output entry
SYMMETRIC_ONLY_GRADIENT = ("with respect to a symmetric matrix (declared :sym) jacli gives the gradient only "
                           "(its symmetric part, (G + G')/2); declare the matrix without :sym for Jacobians "
                           "and Hessians by all its entries")

CANONICAL_LAYOUT = {"grad": "denominator", "jacobian": "numerator", "hessian": "numerator"}


def layout_of(layout: str | None, command: str) -> str:
    """The layout of a ``command``'s result: the one asked for, or the command's default."""
    layout = layout or CANONICAL_LAYOUT[command]
    if layout not in ("numerator", "denominator"):
        raise UsageError(f"unknown layout {layout!r}: use numerator or denominator")
    return layout


def flipped(command: str, layout: str | None) -> bool:
    """Whether a result in ``layout`` is the transpose of the form the engines compute."""
    return layout is not None and layout != CANONICAL_LAYOUT[command]
