"""Values and option texts shared by the explicit (jacli.calculus) and matrix-form (jacli.matrix)
computations: entries of a value, --wrt names, --at points and the layout option.

Below both, so that dependencies point one way: calculus -> values, matrix.api -> values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sympy as sp

from . import syntax as sx
from .build import Value, Workspace, shape_of
from .errors import UsageError
from .shapes import SCALAR, format_shape


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


def parse_point(ws: Workspace, at: dict[str, str] | Sequence[str] | None) -> dict[str, Value]:
    """``--at NAME=VALUE`` texts -> sympy values (numbers, or matrices of numbers)."""
    if not at:
        return {}
    items = [(str(k), v if isinstance(v, str) else number_text(v)) for k, v in at.items()] if isinstance(at, dict) \
        else [_split_at(a) for a in split_at_options(at)]
    items = [(name, at_text(text)) for name, text in items]
    point: dict[str, Value] = {}
    for name, text in items:
        name = name.strip()
        if not sx.is_identifier(name):
            raise UsageError(f"bad --at name {name!r}")
        node = sx.parse(text, ws.function_names() - set(ws.funcs))
        value = Workspace().lower(node, text)
        free = value.free_symbols if isinstance(value, sp.Basic) else set()
        if free:
            raise UsageError(f"--at {name}={text}: the value must be a number, not an expression in {', '.join(sorted(map(str, free)))}")
        want = ws.shapes.get(name, SCALAR)
        got = shape_of(value)
        if got != want:
            raise UsageError(
                f"--at {name}: {name} is a {format_shape(want)} but the value is a {format_shape(got)}"
            )
        if name in ws.symmetric and isinstance(value, sp.MatrixBase) and value != value.T:
            raise UsageError(f"--at {name}: {name} is declared symmetric (:sym) but the value is not symmetric")
        point[name] = value
    return point


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


def _split_at(spec: str) -> tuple[str, str]:
    name, sep, value = spec.partition("=")
    name = sx.read_name(name)
    if not sep or not value.strip():
        raise UsageError(f"bad --at {spec!r}: expected NAME=VALUE")
    return name, at_text(value.strip())


MAX_AT_FILE = 64 * 2**20


def at_text(value: str) -> str:
    """An --at value; ``@PATH`` reads it from a file (large matrices do not fit on a command line,
    where one argument is limited to 128 KiB on Linux). The text is parsed like any other value."""
    if not value.startswith("@"):
        return value
    path = value[1:]
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(MAX_AT_FILE + 1)
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"--at: cannot read {path!r}: {getattr(err, 'strerror', None) or err}") from None
    if len(text) > MAX_AT_FILE:
        raise UsageError(f"--at: {path!r} is larger than {MAX_AT_FILE // 2**20} MiB")
    return text.strip()


def layout_of(layout: str | None, default: str) -> str:
    layout = layout or default
    if layout not in ("numerator", "denominator"):
        raise UsageError(f"unknown layout {layout!r}: use numerator or denominator")
    return layout
