"""Shapes of jacli values and the ``NAME:SHAPE`` declarations that give variables their shape.

A shape is ``()`` for a scalar or ``(rows, cols)``; a dimension is a positive int or, for
symbolic sizes, an identifier string (``"n"``). Column vectors are ``(n, 1)``. No sympy here.
"""

from __future__ import annotations

import re

from .errors import UsageError
from .syntax import is_identifier, read_name

Dim = int | str
Shape = tuple[Dim, ...]  # () or (rows, cols)

SCALAR: Shape = ()

MAX_DIM = 10_000  # largest concrete dimension a declaration may give
MAX_ENTRIES = 250_000  # largest number of entries of one declared variable

_DIM_RE = re.compile(r"\d+|[A-Za-z][A-Za-z0-9_]*", re.ASCII)


def _dim(text: str, decl: str) -> Dim:
    text = text.strip()
    if not _DIM_RE.fullmatch(text):
        raise UsageError(f"bad dimension {text!r} in {decl!r}: use a positive integer or a name")
    if text.isascii() and text.isdigit():
        value = int(text)
        if value < 1:
            raise UsageError(f"bad dimension {text!r} in {decl!r}: sizes are at least 1")
        if value > MAX_DIM:
            raise UsageError(f"dimension {value} in {decl!r} is over the limit of {MAX_DIM}")
        return value
    if not is_identifier(text):
        raise UsageError(f"bad dimension name {text!r} in {decl!r}")
    return text


def parse_shape(text: str, decl: str | None = None) -> Shape:
    """``"4"`` -> (4, 1); ``"1x4"`` -> (1, 4); ``"2x3"``/``"2,3"`` -> (2, 3); ``"m,n"`` -> ("m", "n")."""
    decl = decl or text
    text = text.strip()
    if "," in text:
        parts = text.split(",")
    elif re.fullmatch(r"\d+\s*[x×]\s*(\d+|[A-Za-z][A-Za-z0-9_]*)", text):
        parts = re.split(r"\s*[x×]\s*", text, maxsplit=1)
    else:
        parts = [text]
    if len(parts) == 1:
        if parts[0].strip() in ("", "1", "scalar"):
            return SCALAR if parts[0].strip() != "" else _fail(decl)
        return (_dim(parts[0], decl), 1)
    if len(parts) != 2:
        raise UsageError(f"bad shape in {decl!r}: give one size (a column vector) or two (rows,cols)")
    rows, cols = _dim(parts[0], decl), _dim(parts[1], decl)
    if rows == 1 and cols == 1:
        return SCALAR
    if isinstance(rows, int) and isinstance(cols, int) and rows * cols > MAX_ENTRIES:
        raise UsageError(f"{decl!r} has {rows * cols} entries; the limit is {MAX_ENTRIES}")
    return (rows, cols)


def _fail(decl: str) -> Shape:
    raise UsageError(f"bad declaration {decl!r}: expected NAME:SHAPE such as x:3, W:2x3 or X:n,n")


def parse_declaration(text: str) -> tuple[str, Shape]:
    """``"W:m,n"`` -> ("W", ("m", "n"))."""
    if ":" not in text:
        _fail(text)
    name, _, shape = text.partition(":")
    name = read_name(name)
    if not is_identifier(name):
        raise UsageError(f"bad variable name {name!r} in {text!r}")
    return name, parse_shape(shape, text)


SYMMETRIC_SUFFIX = ":sym"


def split_symmetric(decl: str) -> tuple[str, bool]:
    """``"A:n,n:sym"`` -> ("A:n,n", True): a symmetric matrix; other declarations unchanged."""
    text = decl.rstrip()
    if text.lower().endswith(SYMMETRIC_SUFFIX) and text.count(":") >= 2:
        return text[: -len(SYMMETRIC_SUFFIX)], True
    return decl, False


def is_concrete(shape: Shape) -> bool:
    return all(isinstance(d, int) for d in shape)


def format_shape(shape: Shape) -> str:
    """Human form used in messages: 'scalar', '3-vector', '1x3', '2x3', 'm x n'."""
    if shape == SCALAR:
        return "scalar"
    rows, cols = shape
    if cols == 1:
        return f"{rows}-vector"
    if is_concrete(shape):
        return f"{rows}x{cols}"
    return f"{rows} x {cols}"


def a_shape(shape: Shape) -> str:
    """format_shape with its article, as it is read aloud: 'a 3-vector', 'an 8-vector', 'an m x n'."""
    text = format_shape(shape)
    vowel = text[0] in "aefhilmnorsx8" or re.match(r"1[18](\D|$)", text)
    return f"{'an' if vowel else 'a'} {text}"


def json_shape(shape: Shape) -> list[Dim]:
    """The shape as JSON lists it: [] for a scalar, [n] for a column vector, [rows, cols] otherwise.

    A column vector is listed as [n] because jacli writes and reads it as a flat list ``[a, b, c]``.
    """
    if len(shape) == 2 and shape[1] == 1:
        return [shape[0]]
    return list(shape)
