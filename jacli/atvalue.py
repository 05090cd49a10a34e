"""``--at NAME=VALUE`` texts: where a value comes from (the command line or ``@FILE``), the strict
value grammar both share, and errors that never show a file's contents.

A value is a number, an exact number built from numbers, constants (pi, e, oo) and the
allow-listed functions (``pi/3``, ``sqrt(2)``), or a list of them (``[1,2]``, ``[[1,2],[3,4]]``):
parsed by jacli's own grammar, like EXPR, and then refused if it names anything else. So
``0x1F`` (0 times a name ``x1F``) is an error, not 0.

``@FILE`` reads VALUE from a file (large matrices do not fit on a command line, where one
argument is limited to 128 KiB on Linux). It reads any path the calling user may open, like any
other program given a file name; a service that passes untrusted text to jacli sets
``JACLI_NO_FILES=1`` to turn file reading off. An error in a value read from a file names the
file, the line and the column, and never echoes the text: a service that returns jacli's stderr
discloses nothing of a file it was tricked into naming.

No sympy at module level.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from . import syntax as sx
from .errors import BoundError, JacliError, ParseError, UsageError

MAX_AT_FILE = 64 * 2**20  # bytes read from one @FILE
NO_FILES_ENV = "JACLI_NO_FILES"  # set (to anything but "" or "0"): @FILE is refused


@dataclass(frozen=True)
class AtValue:
    """One --at value: its text and, for @FILE, the file and where the text starts in it."""

    name: str
    text: str
    path: str | None = None
    source: str = ""  # the whole file (for line and column numbers)
    offset: int = 0  # where ``text`` starts in ``source``

    @property
    def label(self) -> str:
        """How error messages name the value: ``--at x=[1,2]`` or ``--at x=@FILE``."""
        return f"--at {self.name}=@{self.path}" if self.path is not None else f"--at {self.name}={self.text}"

    def where(self, column: int) -> str:
        """``line L, column C`` of the 0-based ``column`` of ``text`` in the file."""
        return _line_column(self.source, self.offset + max(0, min(column, len(self.text))))


def _line_column(source: str, i: int | None) -> str:
    """``line L, column C`` (1-based) of index ``i`` of ``source`` (None: its end)."""
    if i is None:
        i = len(source)
    line = source.count("\n", 0, i) + 1
    return f"line {line}, column {i - (source.rfind(chr(10), 0, i) + 1) + 1}"


def files_allowed() -> bool:
    return os.environ.get(NO_FILES_ENV, "") in ("", "0")


def split(spec: str) -> AtValue:
    """``NAME=VALUE`` (VALUE possibly ``@FILE``) as an AtValue, the file read."""
    name, sep, value = spec.partition("=")
    if not sep or not value.strip():
        raise UsageError(f"bad --at {spec!r}: expected NAME=VALUE")
    return read(name.strip(), value)


def read(name: str, value: str) -> AtValue:
    """The value ``value`` of ``name``; ``@PATH`` reads it from a file, once (a file holding
    ``@OTHER`` is a value error, not a second file name)."""
    value = value.strip()
    if not value.startswith("@"):
        return AtValue(name, value)
    path = value[1:]
    if not files_allowed():
        raise UsageError(f"--at {name}=@{path}: reading values from files is turned off ({NO_FILES_ENV})")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_AT_FILE + 1)
    except OSError as err:
        raise UsageError(f"--at {name}=@{path}: cannot read the file: {err.strerror or type(err).__name__}") from None
    if len(data) > MAX_AT_FILE:
        raise UsageError(f"--at {name}=@{path}: the file is larger than {MAX_AT_FILE // 2**20} MiB")
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as err:
        where = _line_column(data[: err.start].decode("utf-8", "replace"), None)
        raise UsageError(f"--at {name}=@{path}: not UTF-8 text (byte 0x{data[err.start]:02x} at {where})") from None
    # lines and carriage returns are spaces to the grammar; same length, so columns still match
    flat = source.replace("\r", " ").replace("\n", " ")
    text = flat.strip()
    offset = len(flat) - len(flat.lstrip())
    if not text:
        raise UsageError(f"--at {name}=@{path}: the file is empty")
    return AtValue(name, text, path, source, offset)


def parse(value: AtValue, functions: frozenset[str] | set[str]) -> Any:
    """The sympy value of ``value`` (a number or a matrix of numbers), by the strict value grammar."""
    from .declarations import CONSTANTS, Workspace

    try:
        node = sx.parse(value.text, functions)
    except ParseError as err:
        raise _located(value, err, "not a number or a list of numbers") from None
    except BoundError as err:
        raise _bound(value, err) from None
    name = _first_name(node, set(CONSTANTS))
    if name is not None:
        if value.path is not None:
            raise UsageError(f"{value.label}: a name where a number was expected ({value.where(name.pos)})")
        hint = _radix_hint(value.text[: name.pos], name.name)
        raise UsageError(f"{value.label}: the value must be a number, not the name {name.name!r}{hint}")
    try:
        return Workspace().lower(node, value.text)
    except ParseError as err:  # rows of different lengths and other shape errors in a list
        if value.path is None:
            raise
        raise _located(value, err, "not a number or a list of numbers (rows must have equal lengths)") from None
    except JacliError as err:
        if value.path is None:
            raise
        status = err.status
        out = UsageError(f"{value.label}: a number in the file is over jacli's bounds, or not a number")
        out.status = status
        raise out from None


def _located(value: AtValue, err: ParseError, what: str) -> UsageError | ParseError:
    if value.path is None:
        return err
    return UsageError(f"{value.label}: {what} ({value.where(err.column)})")


_COLUMN = re.compile(r"\s*\(column (\d+)\)|name at column (\d+) is")


def _bound(value: AtValue, err: BoundError) -> BoundError:
    """A bound of the tokenizer or parser (length, nesting, literal and name sizes): its message
    names only sizes; for a file, its column becomes the file's line and column."""
    if value.path is None:
        return err

    def at(m: re.Match[str]) -> str:
        column = int(m.group(1) or m.group(2)) - 1
        return f" ({value.where(column)})" if m.group(1) else f"name at {value.where(column)} is"

    return BoundError(f"{value.label}: {_COLUMN.sub(at, err.message).replace('expression is', 'the value is')}")


def _radix_hint(before: str, name: str) -> str:
    """0x1F, 0o17, 0b101 read as 0 times a name: say the number in decimal."""
    if not before.rstrip().endswith("0") or before.rstrip()[-2:-1].isdigit():
        return ""
    base = {"x": 16, "o": 8, "b": 2}.get(name[:1].lower())
    try:
        decimal = int(name[1:], base) if base else None
    except ValueError:
        decimal = None
    if decimal is None:
        return " (numbers are decimal)"
    return f" (numbers are decimal: {decimal}, not 0{name})"


def _first_name(node: sx.Node, constants: set[str]) -> sx.Name | None:
    """The leftmost name in ``node`` that is not a constant (function names are Call nodes)."""
    stack: list[Any] = [node]
    found: sx.Name | None = None
    while stack:
        n = stack.pop()
        if isinstance(n, sx.Name):
            if n.name not in constants and (found is None or n.pos < found.pos):
                found = n
            continue
        for attr in ("operand", "base", "exp"):
            child = getattr(n, attr, None)
            if child is not None:
                stack.append(child)
        for attr in ("args", "items", "indices"):
            stack.extend(getattr(n, attr, ()))
    return found
