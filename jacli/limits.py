"""Limits of expressions and sequences (``jacli limit``): two-sided unless asked otherwise, with
both sides given where they differ, and the squeeze where sympy's algorithm gives up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from . import formula
from . import syntax as sx
from .build import Workspace, as_value, shape_of
from .calculus import evaluate, resolve, substitution
from .errors import UnsupportedError, UsageError
from .functions import to_elementary
from .request import absent_notes, stated_names, stating
from .result import Block, LimitInfo, Result
from .shapes import SCALAR, format_shape
from .values import number_text, parse_point


def point_side(point: str | None, direction: str) -> tuple[str | None, str]:
    """A limit POINT may carry its side: ``0+`` and ``0-`` (also ``0^+``) are 0 with --dir + or -;
    a --dir that says otherwise is a usage error."""
    if point is None:
        return point, direction
    text = point.strip()
    for mark in ("^+", "^-", "+", "-"):
        if text.endswith(mark) and len(text) > len(mark) and text[: -len(mark)].strip()[-1:] not in "+-*/^(,":
            side = mark[-1]
            if direction not in ("both", side):
                raise UsageError(f"the point {point} approaches from the {'right' if side == '+' else 'left'}, "
                                 f"but --dir says {direction}")
            return text[: -len(mark)].strip(), side
    return point, direction



def limit(
    text: str,
    var: str | None = None,
    point: str | float | None = None,
    direction: str = "both",
    ws: Workspace | None = None,
    at: dict[str, str] | Sequence[str] | None = None,
    steps: bool = False,
) -> Result:
    """The limit of ``text`` as ``var`` -> ``point``; two-sided unless ``direction`` is + or -.

    With VAR ``n`` and no POINT (or no VAR, and n the only variable) it is the limit of a
    sequence as n -> oo. The result's notes say how the input was read.
    """
    ws = ws or Workspace()
    stated = stated_names(var)
    with stating(ws, stated) as notes:
        res = _limit(text, var, point, direction, ws, at, steps)
    notes.extend(absent_notes(ws, ws.parse(text), stated, "limit"))
    res.notes = list(dict.fromkeys(notes + res.notes))
    return res


def _limit(text: str, var: str | None, point: str | float | None, direction: str, ws: Workspace,
           at: dict[str, str] | Sequence[str] | None, steps: bool) -> Result:
    direction = {"both": "both", "+-": "both", "+": "+", "-": "-", "right": "+", "left": "-"}.get(direction, "")
    if not direction:
        raise UsageError("--dir must be both, + or -")
    point_text = point if point is None or isinstance(point, str) else number_text(point)
    point_text, direction = point_side(point_text, direction)
    var, point_text, direction = formula.limit_args(ws, text, var, point_text, direction)
    node = ws.parse(text)
    f = ws.lower(node, text)
    if shape_of(f) != SCALAR:
        assert isinstance(f, sp.MatrixBase)
    found = ws.variables_of(node)
    if var is None:
        if len(found) != 1:
            if not found:
                raise UsageError("the expression has no variable; name one: jacli limit EXPR VAR POINT")
            raise UsageError(f"several variables ({', '.join(found)}); name the one that moves: jacli limit EXPR VAR POINT")
        var = found[0]
    var = sx.read_name(var)
    x = resolve(ws, var)
    if isinstance(x, sp.MatrixBase):
        raise UsageError(f"the limit variable must be a scalar; {var!r} is a {format_shape(ws.shapes[var])}")
    sequence = False
    if point_text is None:
        if var != "n":
            raise UsageError(f"no POINT: give one (jacli limit EXPR {var} POINT); only n alone means n -> oo")
        a: sp.Expr = sp.oo
        sequence = True
    else:
        pnode = sx.parse(point_text, ws.function_names())
        a = ws.lower(pnode, point_text)
        if shape_of(a) != SCALAR:
            raise UsageError("the limit point must be a scalar")
        if x in a.free_symbols:
            raise UsageError(f"the limit point cannot depend on {var}")
    params = dict(parse_point(ws, at)) if at else {}

    g = to_elementary(f)
    if sequence:
        n = sp.Symbol(var, positive=True, integer=True)
        g, x = g.xreplace({x: n}), n

    def one(expr: sp.Expr, d: str) -> sp.Expr:
        if isinstance(expr, sp.MatrixBase):
            return as_value(expr.applyfunc(lambda e: one(e, d)))
        try:
            out = sp.limit(expr, x, a, dir=d)
        except (NotImplementedError, ValueError, TypeError) as err:
            out = squeeze(expr, d)
            if out is None:
                raise UnsupportedError(f"sympy could not compute this limit ({err})") from None
        if isinstance(out, sp.Limit) or out.has(sp.Limit):
            out = squeeze(expr, d)
            if out is None:
                raise UnsupportedError("sympy could not compute this limit")
        return out

    def squeeze(expr: sp.Expr, d: str) -> sp.Expr | None:
        """|f| -> 0 implies f -> 0 (e.g. (-1)^n/n, where sympy's algorithm gives up)."""
        try:
            bound = sp.limit(sp.Abs(expr), x, a, dir=d)
        except (NotImplementedError, ValueError, TypeError):
            return None
        return sp.S.Zero if bound == 0 else None

    def dne(v: Any) -> bool:
        return v is None or (isinstance(v, sp.Basic) and v.has(sp.AccumBounds, sp.nan, sp.zoo))

    info = LimitInfo(var=var, point=a, direction=direction, exists=True, sequence=sequence)
    notes: list[str] = []
    value: Any
    if a in (sp.oo, sp.S.NegativeInfinity) or direction != "both":
        d = "-" if a is sp.oo else ("+" if a is sp.S.NegativeInfinity else direction)
        value = one(g, d)
        if direction == "+" and a not in (sp.oo, sp.S.NegativeInfinity):
            info.right = value
        elif direction == "-" and a not in (sp.oo, sp.S.NegativeInfinity):
            info.left = value
        if dne(value):
            info.exists = False
            info.reason = _dne_reason(value)
            value = None
    else:
        left, right = one(g, "-"), one(g, "+")
        if _same(left, right) and not dne(left):
            value = right
        else:
            info.exists = False
            info.left, info.right = left, right
            info.reason = "the one-sided limits differ" if not (dne(left) or dne(right)) else _dne_reason(
                left if dne(left) else right
            )
            value = None
    claims = []
    if a is sp.oo or a is sp.S.NegativeInfinity:
        claims.append(("", value))
    else:
        claims += [("-", info.left if info.left is not None else value)] if direction in ("both", "-") else []
        claims += [("+", info.right if info.right is not None else value)] if direction in ("both", "+") else []
    info.checked = (g, x, a, [(side, v) for side, v in claims if v is not None and not dne(v)])
    blocks = [Block(value, shape_of(value) if value is not None else SCALAR)]
    res = Result("limit", text, blocks, wrt=[var], limit=info, function=f, notes=notes)
    if steps:
        from .limit_steps import explain_limit

        res.steps = explain_limit(g, x, a, direction, value, info)
    if params and value is not None:
        subs = substitution(ws, params)
        res.at = params
        blocks[0].exact, blocks[0].value = evaluate(value, subs)
    formula.stated_notes(ws, text, res)
    return res


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        return isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase) and a.shape == b.shape and all(
            _same(p, q) for p, q in zip(a, b, strict=False)
        )
    if a == b:
        return True
    diff = sp.simplify(a - b)
    return bool(diff == 0)


def _dne_reason(v: Any) -> str:
    if isinstance(v, sp.Basic) and v.has(sp.AccumBounds):
        bounds = v.atoms(sp.AccumBounds)
        b = next(iter(bounds))
        return f"oscillates (values fill [{b.min}, {b.max}])"
    return "no single value is approached"
