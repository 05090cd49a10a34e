"""Answering a request: choose the engine, transpose once into the asked layout, attach the
values at --at and the notes, and (``verify``) check the answer numerically.

The public functions (``jacli.diff``, ``jacli.gradient``, ...) and through them the command
line come here. The engines answer in the canonical layouts (``jacli.values.CANONICAL_LAYOUT``):
the entry-by-entry engine, ``jacli.calculus``, and the matrix-form engine, ``jacli.matrix.api``,
which takes symbolic sizes (-v W:m,n) and large concrete ones evaluated at a point.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from . import calculus, formula
from .declarations import Workspace, as_value, split_entry
from .errors import UnsupportedError
from .request import Request, read, with_notes
from .result import Result
from .values import parse_point

ENGINE = {"diff": calculus.derivative, "grad": calculus.gradient, "jacobian": calculus.jacobian,
          "hessian": calculus.hessian}
MATRIX_AT_WORK = 100_000  # explicit derivative steps above which --at goes through the matrix form


def ask(command: str, text: str, ws: Workspace, *, wrt: str | Sequence[str] | None = None, order: int = 1,
        layout: str | None = None, at: Any = None, simplify: bool = True, steps: bool = False,
        check: bool = False) -> Result:
    """Read the question (:func:`jacli.request.read`), answer it, and check it with ``check``."""
    def compute() -> tuple[Result, Any]:
        req = read(command, text, ws, wrt=wrt, order=order, layout=layout, at=at, simplify=simplify, steps=steps)
        return answer(req), req.tree

    res: Result = with_notes(ws, wrt, command, compute)
    return verify(res, ws) if check else res


def answer(req: Request) -> Result:
    """The engine's answer to ``req``, in ``req.layout``, with its values at ``req.at``."""
    if matrix_form(req):
        res = _via_matrix_form(req)
    else:
        point = parse_point(req.ws, req.at)
        res = orient(ENGINE[req.command](req), req)
        calculus.attach_values(res, req.ws, point)
    formula.stated_notes(req.ws, req.text, res)
    return res


def matrix_form(req: Request) -> bool:
    """Symbolic sizes always; concrete sizes when a point is given and the explicit entry-by-entry
    work (variables x symbols) would be large: the matrix form evaluates with numpy instead."""
    if req.symbolic:
        return True
    if not req.at or req.command == "diff":
        return False
    return calculus.entries(req.ws, req.names) * calculus.entries(req.ws, req.variables) > MATRIX_AT_WORK


def orient(res: Result, req: Request) -> Result:
    """The one transpose: a result in the other layout than the engines' canonical one."""
    if not req.flip:
        return res
    for block in res.blocks:
        block.expr = _transposed(block.expr)
        if len(block.shape) == 2:
            block.shape = (block.shape[1], block.shape[0])
        if block.matrix_form is not None:
            block.matrix_form = _transposed(block.matrix_form)
    return res


def _transposed(value: Any) -> Any:
    if isinstance(value, sp.MatrixBase):
        return as_value(value.T)
    if isinstance(value, sp.Basic) or value is None:
        return value
    from .matrix.algebra import transpose

    return transpose(value)


def _via_matrix_form(req: Request) -> Result:
    """Run the matrix-form engine. Concrete sizes are first renamed to size names (500 -> n500,
    equal sizes sharing a name), so the matrix form is derived for every size and verified at
    small random ones; the --at lists then give the actual sizes, and the shapes shown are the
    concrete ones again."""
    if req.symbolic:
        return _matrix_engine(req)
    ws = req.ws
    taken = set(ws.shapes) | set(req.variables)

    def dim(d: Any) -> Any:
        if not isinstance(d, int) or d == 1:
            return d
        name = f"n{d}"
        while name in taken:
            name += "_"
        return name

    renamed = Workspace(shapes={n: tuple(dim(d) for d in shape) for n, shape in ws.shapes.items()},
                        funcs=dict(ws.funcs), input=ws.input)
    for name, body in ws.lets:
        renamed.define(name, body)
    res = _matrix_engine(req.in_workspace(renamed))
    back = {dim(d): d for shape in ws.shapes.values() for d in shape if isinstance(d, int)}
    for block in res.blocks:
        block.shape = tuple(back.get(d, d) for d in block.shape)
    return res


def _matrix_engine(req: Request) -> Result:
    from .matrix import api

    point = api.read_point(req)
    res = orient(api.ENGINE[req.command](req), req)
    return api.attach_values(res, point)


def verify(result: Result, ws: Workspace) -> Result:
    """Attach a finite-difference check of every derivative stage (at --at, or a random point)."""
    from .numeric import check_limit, check_stages

    if result.matrix_check is not None:
        result.check = result.matrix_check()
        return result
    if result.limit is not None:
        g, x, a, claims = result.limit.checked
        subs = calculus.substitution(ws, result.at) if result.at else {}
        claims = [(side, v.xreplace(subs)) for side, v in claims]
        result.check = check_limit(g.xreplace(subs), x, a.xreplace(subs), claims)
        if not claims:
            result.notes.append("--check: a limit that does not exist by oscillation is not checked numerically")
        return result
    if not result.stages:
        raise UnsupportedError(f"--check is not available for {result.command}")
    point = None
    if result.at:
        point = {s: float(sp.N(v)) for s, v in calculus.substitution(ws, result.at).items()}
    result.check = check_stages(result.stages, point)
    result.check.point = group_point(ws, result.check.point)
    return result


def group_point(ws: Workspace, flat_point: dict[str, float]) -> dict[str, Any]:
    """{'W[0,1]': v, ...} -> {'W': [[...]]}: the check point as --at would spell it."""
    grouped: dict[str, Any] = {}
    for name, v in flat_point.items():
        entry = split_entry(name)
        if entry is None or entry[0] not in ws.shapes:
            grouped[name] = v
            continue
        base, i, j = entry
        rows, cols = ws.shapes[base]
        assert isinstance(rows, int) and isinstance(cols, int)
        if base not in grouped:
            grouped[base] = [0.0] * (rows * cols) if 1 in (rows, cols) else [[0.0] * cols for _ in range(rows)]
        if j is None:
            grouped[base][i] = v
        else:
            grouped[base][i][j] = v
            if base in ws.symmetric:  # A[1,0] is the symbol A[0,1]
                grouped[base][j][i] = v
    return grouped


__all__ = ["ask", "answer", "orient", "verify", "matrix_form"]
