"""The request stage: what one command asks, read once, before an engine answers it.

A :class:`Request` holds the expression parsed once, the variables to differentiate by (stated
or found, each checked), the layout (the default filled in, the name validated), the --at values
(each file read once), the order, and the simplify and steps flags. The two engines, entry by
entry (:mod:`jacli.calculus`) and in matrix form (:mod:`jacli.matrix.api`), take a Request and
answer in the canonical layout; :mod:`jacli.answer` routes it and transposes once, after.

Below both engines: it imports neither.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from . import formula
from . import syntax as sx
from .atvalue import AtValue
from .declarations import Workspace, split_entry
from .errors import UnsupportedError, UsageError
from .shapes import SCALAR, Shape, a_shape, is_concrete
from .values import SYMMETRIC_ONLY_GRADIENT, at_values, flipped, layout_of, split_names

COMMANDS = ("diff", "grad", "jacobian", "hessian")
MAX_ORDER = 50


@dataclasses.dataclass
class Request:
    """One question for an engine. ``names`` are the variables to differentiate by, in order
    (``diff`` may repeat one: a mixed partial ``--wrt x,x``); ``layout`` is None for ``diff``."""

    command: str
    text: str
    ws: Workspace
    tree: sx.Node
    names: list[str]
    order: int = 1
    layout: str | None = None
    at: list[AtValue] = dataclasses.field(default_factory=list)
    simplify: bool = True
    steps: bool = False

    @property
    def flip(self) -> bool:
        """Whether the answer is the transpose of what the engines compute (the other layout)."""
        return flipped(self.command, self.layout)

    @property
    def symbolic(self) -> bool:
        """Whether a variable of the expression has a symbolic size (-v W:m,n)."""
        return any(not is_concrete(self.ws.shapes.get(n, SCALAR)) for n in self.variables)

    @property
    def variables(self) -> list[str]:
        """The expression's variables: declared ones first, then in order of appearance."""
        return self.ws.variables_of(self.tree)

    def require_scalar(self, shape: Shape) -> None:
        """grad and hessian differentiate scalar-valued expressions only."""
        if self.command in ("grad", "hessian") and shape != SCALAR:
            hint = " (use 'jacli jacobian' for vector- and matrix-valued expressions)" if self.command == "grad" else ""
            raise UsageError(f"{self.command} needs a scalar-valued expression; this one is "
                             f"{a_shape(shape)}{hint}")

    def in_workspace(self, ws: Workspace) -> Request:
        """The same request over other declarations (concrete sizes renamed to size names)."""
        return dataclasses.replace(self, ws=ws)


def stated_names(names: Any) -> list[str]:
    """VAR / --wrt names as given (a comma-separated text, a list of them, or None), read as in
    an expression (θ is theta, x₁ is x1)."""
    if names is None:
        return []
    if isinstance(names, str):
        names = [names]
    return [sx.read_name(n) for part in names for n in _OUTSIDE_BRACKETS.split(str(part)) if n.strip()]


_OUTSIDE_BRACKETS = re.compile(r",(?![^\[]*\])")  # x,W[0,1] is two names


@contextlib.contextmanager
def stating(ws: Workspace, names: list[str]) -> Iterator[list[str]]:
    """While a command runs, the names it is told to differentiate by are never read as glued
    function calls (``sint`` with ``--wrt sint``). Yields the list that collects the notes on how
    the input was read (filled in when the command is done)."""
    notes: list[str] = []
    ws.take_notes()
    ws.stated = {n for n in names if sx.is_identifier(n)}
    try:
        yield notes
    finally:
        ws.stated = set()
        notes.extend(ws.take_notes())


def with_notes(ws: Workspace, wrt: Any, command: str, compute: Callable[[], tuple[Any, sx.Node]]) -> Any:
    """Run ``compute`` (giving a result and the parsed expression) while the ``wrt`` names are
    stated (see ``stating``), and give the result the notes on how its input was read."""
    names = stated_names(wrt)
    with stating(ws, names) as notes:
        res, tree = compute()
    notes.extend(absent_notes(ws, tree, names, command))
    res.notes = list(dict.fromkeys(notes + res.notes))
    return res


def absent_notes(ws: Workspace, tree: sx.Node, names: Sequence[str], command: str) -> list[str]:
    """A note for each stated name that does not occur in the expression."""
    used = set(ws.variables_of(tree))
    what = "the limit is the expression itself" if command == "limit" else "the derivative by it is 0"
    notes = []
    for name in names:
        entry = split_entry(name)
        base = entry[0] if entry else name
        if base not in used and sx.is_identifier(base):
            notes.append(f"{name} does not occur in the expression, so {what}")
    return notes


def read(command: str, text: str, ws: Workspace, *, wrt: str | Sequence[str] | None = None, order: int = 1,
         layout: str | None = None, at: Any = None, simplify: bool = True, steps: bool = False) -> Request:
    """Read a command's question: ``wrt`` is the VARIABLE arguments of diff (in order, repeats
    allowed) or the --wrt of the others; a LaTeX formula's own operator (d/dx, \\nabla_W) may give
    them instead. Raises UsageError for anything the question itself gets wrong."""
    if command not in COMMANDS:
        raise ValueError(f"unknown command {command!r}")
    if command == "diff":
        variables, order = formula.diff_args(ws, text, stated_names(wrt), order)
        if order < 1:
            raise UsageError("the order (-n) must be at least 1")
        if order > MAX_ORDER:
            raise UsageError(f"the order (-n) is limited to {MAX_ORDER}")
        wrt = [sx.read_name(v) for v in variables]
    else:
        wrt = formula.wrt_args(ws, text, command, wrt)
        layout = layout_of(layout, command)
    tree = ws.parse(text)
    req = Request(command, text, ws, tree, [], order, layout, at_values(at) if at else [], simplify, steps)
    req.names = _diff_names(req, list(wrt or ())) if command == "diff" else _wrt_names(req, wrt)
    for name in req.names:
        _check_name(req, name)
    return req


def _wrt_names(req: Request, wrt: str | Sequence[str] | None) -> list[str]:
    names = split_names(wrt)
    if names is None:
        names = req.variables
        if not names:
            raise UsageError("the expression has no variable to differentiate by")
    if req.command != "grad" and req.ws.symmetric & set(names):
        raise UnsupportedError(SYMMETRIC_ONLY_GRADIENT)
    return names


def _diff_names(req: Request, names: list[str]) -> list[str]:
    """diff's variables: as given, else the expression's one variable (one scalar, for
    symbolic sizes)."""
    if names:
        for name in names:
            shape = req.ws.shapes.get(name, SCALAR)
            if shape != SCALAR:
                entry = "" if req.symbolic else f", or an entry such as {name}[0]"
                raise UsageError(f"{name!r} is {a_shape(shape)}; use 'jacli grad' or 'jacli jacobian' for "
                                 f"derivatives with respect to vectors and matrices{entry}")
        return names
    found = req.variables
    if req.symbolic:
        scalars = [n for n in found if req.ws.shapes.get(n, SCALAR) == SCALAR]
        if len(scalars) != 1:
            raise UsageError("name the scalar to differentiate by: jacli diff EXPR VAR"
                             + (f" (the expression's scalars: {', '.join(scalars)})" if scalars else ""))
        return scalars
    if not found:
        raise UsageError("the expression has no variable; name one: jacli diff EXPR VAR")
    if len(found) != 1:
        raise UsageError(f"several variables ({', '.join(found)}); name the one(s) to differentiate by")
    return found


def _check_name(req: Request, name: str) -> None:
    """A name to differentiate by must be a variable (or, with concrete sizes, an entry W[0,1]).
    One that does not occur is an error with symbolic sizes (its shape is unknown), else a note."""
    if split_entry(name) is not None and not req.symbolic:
        return  # the explicit engine resolves entries (and says what is wrong with one)
    check_variable(req.ws, name, " (entries of vectors with symbolic sizes cannot be differentiated by separately)"
                   if req.symbolic else "")
    if req.symbolic and name not in req.ws.shapes and name not in req.variables:
        raise UsageError(f"unknown variable {name!r} in --wrt (the expression's variables: "
                         f"{', '.join(req.variables) or 'none'})")


def check_variable(ws: Workspace, name: str, why: str = "") -> None:
    """``name`` can be differentiated by (or be a limit's variable): not a constant, a --let
    definition or a declared function."""
    if not sx.is_identifier(name) or name in ("pi", "e", "E", "oo"):
        raise UsageError(f"{name!r} is not a variable name{why}")
    if any(n == name for n, _ in ws.lets):
        raise UsageError(f"{name!r} is defined by --let; differentiate with respect to the variables it uses")
    if name in ws.funcs:
        raise UsageError(f"{name!r} is declared as a function, not a variable")


__all__ = ["Request", "read", "stated_names", "stating", "absent_notes", "with_notes", "check_variable"]
