"""The JSON printer: one object per result, the schema of ../shared/CLI.md.

Keys of every result: command, input, wrt, layout (null where it does not apply: diff, limit),
shape, result (plain text), latex, notes (a list, often empty); and where they apply value (with
--at), exact, exists/left/right (limit), check, steps. With several blocks
(``--wrt W,b`` for vector or matrix variables) shape, result, latex and value are lists
aligned with wrt.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..result import Result
from ..shapes import json_shape
from .common import differential_plain, point_of
from .tex import latex_expr
from .text import plain_expr


def _num(x: Any) -> Any:
    if isinstance(x, list):
        return [_num(v) for v in x]
    if isinstance(x, float) and math.isinf(x):
        return "oo" if x > 0 else "-oo"
    return x


def to_dict(result: Result, cse: bool = True) -> dict[str, Any]:
    """The JSON object. "result" and "latex" are whole, each parseable back on its own (the
    contract of ../shared/CLI.md); with ``cse``, where a result repeats subexpressions, "where"
    names them (a list of {"name", "expr", "latex"}, each name free to use in later ones) and
    "result_where" and "latex_where" are the result written with those names."""
    where: list[tuple[str, Any]] = []
    named_blocks: list[Any] = []
    if cse:
        from .cse import name_common

        named = name_common(result)
        where, named_blocks = named.where, named.result.blocks
    out: dict[str, Any] = {"command": result.command, "input": result.input, "wrt": result.wrt,
                           "layout": result.layout}
    blocks = result.blocks
    many = len(blocks) > 1

    def pick(values: list[Any]) -> Any:
        return values if many else values[0]

    exists = result.limit is None or result.limit.exists
    out["shape"] = pick([json_shape(b.shape) for b in blocks])
    out["result"] = pick([plain_expr(b.expr) if b.expr is not None else None for b in blocks])
    out["latex"] = pick([latex_expr(b.expr) if b.expr is not None else None for b in blocks])
    if where:
        out["where"] = [{"name": n, "expr": plain_expr(v), "latex": latex_expr(v)} for n, v in where]
        out["result_where"] = pick([plain_expr(b.expr) if b.expr is not None else None for b in named_blocks])
        out["latex_where"] = pick([latex_expr(b.expr) if b.expr is not None else None for b in named_blocks])
    if any(b.matrix_form is not None for b in blocks):  # concrete sizes: the verified matrix form too
        out["matrix_form"] = pick([plain_expr(b.matrix_form) if b.matrix_form is not None else None for b in blocks])
    if result.vec:
        out["vec"] = result.vec
    if any(b.differential is not None for b in blocks):
        out["differential"] = pick([differential_plain(b) for b in blocks])
    if result.at and exists:
        out["at"] = {k: plain_expr(v) if not hasattr(v, "dtype") else f"{v.shape[0]}x{v.shape[1]} array"
                     for k, v in result.at.items()}
        if all(b.exact is not None for b in blocks):  # large results are evaluated in floating point only
            out["exact"] = pick([plain_expr(b.exact) for b in blocks])
        out["value"] = pick([_num(b.value) for b in blocks])
    if result.limit is not None:
        info = result.limit
        out["var"] = info.var
        out["point"] = plain_expr(info.point)
        out["dir"] = info.direction
        out["exists"] = info.exists
        if info.sequence:
            out["sequence"] = True
        if info.left is not None:
            out["left"] = plain_expr(info.left)
        if info.right is not None:
            out["right"] = plain_expr(info.right)
        if info.reason:
            out["reason"] = info.reason
    if result.check is not None:
        c = result.check
        out["check"] = {
            "ok": c.ok,
            "max_abs_error": c.max_abs_error,
            "max_rel_error": c.max_rel_error,
            "point": {k: _num(v) for k, v in c.point.items()},
            "tolerance": c.tolerance,
        }
        if c.worst_entry is not None:  # where the largest error is, jacli's value and the estimate there
            out["check"]["worst"] = {"entry": c.worst_entry, "result": c.worst_claimed, "finite_differences": c.worst_fd}
    if result.steps is not None:
        from .steps import steps_json

        out["steps"] = steps_json(result.steps, *point_of(result))
    if result.verified:
        out["verified"] = result.verified
    out["notes"] = list(result.notes)
    return out


def render(result: Result, line: int | None = None, cse: bool = True) -> str:
    """One JSON object; ``line``: the batch input line it answers, as its first key."""
    out = to_dict(result, cse=cse)
    if line is not None:
        out = {"line": line, **out}
    return json.dumps(out, ensure_ascii=False)


def error_record(message: str, line: int | None = None, status: int | None = None,
                 column: int | None = None) -> str:
    """A batch error as JSON: {"line": N, "error": "...", "status": S} (+ "column", 1-based)."""
    rec: dict[str, Any] = {}
    if line is not None:
        rec["line"] = line
    rec["error"] = message
    if status is not None:
        rec["status"] = status
    if column is not None:
        rec["column"] = column
    return json.dumps(rec, ensure_ascii=False)
