"""jacli: limits, derivatives, gradients, Jacobians and Hessians for the mathematics of deep learning.

The core is usable from Python without click or rich::

    >>> import jacli
    >>> r = jacli.gradient("1/2*norm(W*x+b-z)^2", wrt="W", shapes={"W": "2x3", "x": "3", "b": "2", "z": "2"})
    >>> r.shape
    (2, 3)

Each function returns a :class:`jacli.result.Result`; ``jacli.format_result`` turns it into text.
The command line goes through these functions too: each reads its question once into a
:class:`jacli.request.Request`, which an engine answers (:mod:`jacli.answer`). sympy
is imported on first use, not on ``import jacli``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .errors import (
    CheckError,
    EvaluationError,
    ExitStatus,
    JacliError,
    ParseError,
    ShapeError,
    UnsupportedError,
    UsageError,
)

if TYPE_CHECKING:
    from .declarations import Workspace
    from .result import Result

__version__ = "0.1.0"


def workspace(
    shapes: dict[str, str] | None = None,
    funcs: Sequence[str] = (),
    lets: dict[str, str] | Sequence[str] | None = None,
) -> Workspace:
    """Declarations for one or more computations: ``shapes={"W": "2x3", "x": "3"}``,
    ``funcs=["f", "g(x,y)"]``, ``lets={"z": "W*x+b"}`` (applied in order)."""
    from .declarations import Workspace

    let_specs = [f"{k}={v}" for k, v in lets.items()] if isinstance(lets, dict) else list(lets or ())
    return Workspace.from_options(func=list(funcs), let=let_specs, shapes=shapes or {})


def _ws(shapes: Any, funcs: Any, lets: Any, ws: Any) -> Workspace:
    return ws if ws is not None else workspace(shapes, funcs or (), lets)


def diff(expr: str, *variables: str, order: int = 1, shapes: dict[str, str] | None = None,
         funcs: Sequence[str] = (), lets: Any = None, at: dict[str, Any] | None = None,
         check: bool = False, ws: Workspace | None = None, steps: bool = False, simplify: bool = True) -> Result:
    """The derivative of ``expr`` by each of ``variables`` in turn, ``order`` times each."""
    from .answer import ask

    return ask("diff", expr, _ws(shapes, funcs, lets, ws), wrt=list(variables), order=order, at=at,
               simplify=simplify, steps=steps, check=check)


def _vector(command: str, expr: str, wrt: str | Sequence[str] | None, layout: str | None, shapes: Any,
            funcs: Any, lets: Any, at: Any, check: bool, ws: Any, steps: bool, simplify: bool) -> Result:
    from .answer import ask

    return ask(command, expr, _ws(shapes, funcs, lets, ws), wrt=wrt, layout=layout, at=at, simplify=simplify,
               steps=steps, check=check)


def gradient(expr: str, wrt: str | Sequence[str] | None = None, *, layout: str | None = None,
             shapes: dict[str, str] | None = None, funcs: Sequence[str] = (), lets: Any = None,
             at: dict[str, Any] | None = None, check: bool = False, ws: Workspace | None = None,
             steps: bool = False, simplify: bool = True) -> Result:
    """The gradient of a scalar ``expr`` with respect to ``wrt`` (default: all its variables)."""
    return _vector("grad", expr, wrt, layout, shapes, funcs, lets, at, check, ws, steps, simplify)


def jacobian(expr: str, wrt: str | Sequence[str] | None = None, *, layout: str | None = None,
             shapes: dict[str, str] | None = None, funcs: Sequence[str] = (), lets: Any = None,
             at: dict[str, Any] | None = None, check: bool = False, ws: Workspace | None = None,
             steps: bool = False, simplify: bool = True) -> Result:
    """The Jacobian of a vector- or matrix-valued ``expr`` (numerator layout by default)."""
    return _vector("jacobian", expr, wrt, layout, shapes, funcs, lets, at, check, ws, steps, simplify)


def hessian(expr: str, wrt: str | Sequence[str] | None = None, *, layout: str | None = None,
            shapes: dict[str, str] | None = None, funcs: Sequence[str] = (), lets: Any = None,
            at: dict[str, Any] | None = None, check: bool = False, ws: Workspace | None = None,
            steps: bool = False, simplify: bool = True) -> Result:
    """The Hessian of a scalar ``expr``."""
    return _vector("hessian", expr, wrt, layout, shapes, funcs, lets, at, check, ws, steps, simplify)


def limit(expr: str, var: str | None = None, point: str | float | None = None, *, direction: str = "both",
          shapes: dict[str, str] | None = None, funcs: Sequence[str] = (), lets: Any = None,
          at: dict[str, Any] | None = None, ws: Workspace | None = None, steps: bool = False,
          check: bool = False) -> Result:
    """The limit of ``expr`` as ``var`` -> ``point`` (two-sided unless direction is '+' or '-').

    ``point`` is text (``"pi/2"``, ``"oo"``, ``"0+"``) or a number; ``at`` maps names to text or
    numbers (lists of numbers for vectors and matrices), here and in every function above."""
    from .answer import verify
    from .limits import limit as compute

    ws = _ws(shapes, funcs, lets, ws)
    result = compute(expr, var, point, direction, ws=ws, at=at, steps=steps)
    return verify(result, ws) if check else result


def format_result(result: Result, fmt: str = "plain") -> str:
    """Text of a result: ``plain``, ``latex``, ``json``, ``numpy`` or ``pretty`` (pretty needs rich)."""
    from .render import render

    return render(result, fmt)


__all__ = [
    "diff", "gradient", "jacobian", "hessian", "limit", "format_result", "workspace", "__version__",
    "JacliError", "ParseError", "ShapeError", "UsageError", "UnsupportedError", "EvaluationError",
    "CheckError", "ExitStatus",
]
