"""Limits of expressions and sequences (``jacli limit``): two-sided unless asked otherwise, with
both sides given where they differ, and the squeeze where sympy's algorithm gives up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from . import formula
from . import syntax as sx
from .budget import attempt
from .calculus import evaluate, resolve, substitution
from .declarations import Workspace, as_value, shape_of
from .errors import UnsupportedError, UsageError
from .functions import to_elementary
from .request import with_notes
from .result import Block, LimitInfo, Result
from .shapes import SCALAR, a_shape
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
    return with_notes(ws, var, "limit", lambda: (_limit(text, var, point, direction, ws, at, steps), ws.parse(text)))


def _limit(text: str, var: str | None, point: str | float | None, direction: str, ws: Workspace,
           at: dict[str, str] | Sequence[str] | None, steps: bool) -> Result:
    question = Question.read(text, var, point, direction, ws)
    params = dict(parse_point(ws, at)) if at else {}
    value, info = question.answer()
    res = Result("limit", text, [Block(value, shape_of(value) if value is not None else SCALAR)], wrt=[question.var],
                 limit=info, function=question.f)
    if steps:
        from .limit_steps import explain_limit

        res.steps = explain_limit(question.g, question.x, question.a, question.direction, value, info)
    if params and value is not None:
        res.at = params
        res.blocks[0].exact, res.blocks[0].value = evaluate(value, substitution(ws, params))
    formula.stated_notes(ws, text, res)
    return res


class Question:
    """One limit: of ``g`` (the expression, elementary functions only) as ``x`` -> ``a`` from
    ``direction`` (both, + or -); ``f`` is the expression as lowered, for the printers."""

    def __init__(self, f: Any, g: Any, var: str, x: sp.Symbol, a: sp.Expr, direction: str, sequence: bool) -> None:
        self.f, self.g, self.var, self.x, self.a = f, g, var, x, a
        self.direction, self.sequence = direction, sequence

    @classmethod
    def read(cls, text: str, var: str | None, point: str | float | None, direction: str, ws: Workspace) -> Question:
        """The command's arguments (or the LaTeX formula's \\lim_{x \\to a}), each checked."""
        direction = {"both": "both", "+-": "both", "+": "+", "-": "-", "right": "+", "left": "-"}.get(direction, "")
        if not direction:
            raise UsageError("--dir must be both, + or -")
        point_text = point if point is None or isinstance(point, str) else number_text(point)
        point_text, direction = point_side(point_text, direction)
        var, point_text, direction = formula.limit_args(ws, text, var, point_text, direction)
        node = ws.parse(text)
        f = ws.lower(node, text)
        var = sx.read_name(var if var is not None else cls._only_variable(ws.variables_of(node)))
        x = resolve(ws, var)
        if isinstance(x, sp.MatrixBase):
            raise UsageError(f"the limit variable must be a scalar; {var!r} is {a_shape(ws.shapes[var])}")
        g = to_elementary(f)
        if point_text is None:
            if var != "n":
                raise UsageError(f"no POINT: give one (jacli limit EXPR {var} POINT); only n alone means n -> oo")
            n = sp.Symbol(var, positive=True, integer=True)  # a sequence
            return cls(f, g.xreplace({x: n}), var, n, sp.oo, direction, True)
        a = ws.lower(sx.parse(point_text, ws.function_names()), point_text)
        if shape_of(a) != SCALAR:
            raise UsageError("the limit point must be a scalar")
        if x in a.free_symbols:
            raise UsageError(f"the limit point cannot depend on {var}")
        return cls(f, g, var, x, a, direction, False)

    @staticmethod
    def _only_variable(found: list[str]) -> str:
        if not found:
            raise UsageError("the expression has no variable; name one: jacli limit EXPR VAR POINT")
        if len(found) != 1:
            raise UsageError(f"several variables ({', '.join(found)}); name the one that moves: jacli limit EXPR VAR POINT")
        return found[0]

    @property
    def at_infinity(self) -> bool:
        return self.a in (sp.oo, sp.S.NegativeInfinity)

    def answer(self) -> tuple[Any, LimitInfo]:
        """The limit (None where it does not exist) and how it was found."""
        info = LimitInfo(var=self.var, point=self.a, direction=self.direction, exists=True, sequence=self.sequence)
        value: Any
        if self.at_infinity or self.direction != "both":
            d = "-" if self.a is sp.oo else ("+" if self.a is sp.S.NegativeInfinity else self.direction)
            value = self.side(self.g, d)
            if not self.at_infinity:
                setattr(info, "right" if self.direction == "+" else "left", value)
            if _dne(value):
                info.exists, info.reason, value = False, _dne_reason(value), None
        else:
            left, right = self.side(self.g, "-"), self.side(self.g, "+")
            if _same(left, right) and not _dne(left):
                value = right
            else:
                info.exists, info.left, info.right, value = False, left, right, None
                info.reason = ("the one-sided limits differ" if not (_dne(left) or _dne(right))
                               else _dne_reason(left if _dne(left) else right))
        info.checked = (self.g, self.x, self.a, self.claims(value, info))
        return value, info

    def claims(self, value: Any, info: LimitInfo) -> list[tuple[str, Any]]:
        """What --check tests numerically: each side's limit that exists."""
        if self.at_infinity:
            claims = [("", value)]
        else:
            claims = [("-", info.left if info.left is not None else value)] if self.direction in ("both", "-") else []
            claims += [("+", info.right if info.right is not None else value)] if self.direction in ("both", "+") else []
        return [(side, v) for side, v in claims if v is not None and not _dne(v)]

    def side(self, expr: Any, d: str) -> Any:
        """sympy's one-sided limit from ``d``, entry by entry, else the squeeze."""
        if isinstance(expr, sp.MatrixBase):
            return as_value(expr.applyfunc(lambda e: self.side(e, d)))
        try:
            out = sp.limit(expr, self.x, self.a, dir=d)
        except (NotImplementedError, ValueError, TypeError) as err:
            out = self.squeeze(expr, d)
            if out is None:
                raise UnsupportedError(f"sympy could not compute this limit ({err})") from None
        if isinstance(out, sp.Limit) or out.has(sp.Limit):
            out = self.squeeze(expr, d)
            if out is None:
                raise UnsupportedError("sympy could not compute this limit")
        return _constant(out)

    def squeeze(self, expr: Any, d: str) -> Any:
        """|f| -> 0 implies f -> 0 (e.g. (-1)^n/n, where sympy's algorithm gives up)."""
        try:
            bound = sp.limit(sp.Abs(expr), self.x, self.a, dir=d)
        except (NotImplementedError, ValueError, TypeError):
            return None
        return sp.S.Zero if bound == 0 else None


def _constant(v: Any) -> Any:
    """A constant limit in its simplest form (log(8)/log(2) is 3), where simplify finishes quickly."""
    if not isinstance(v, sp.Expr) or v.is_Number or v.free_symbols or v.has(sp.AccumBounds):
        return v
    try:
        short = attempt(lambda: sp.simplify(v), 0.5)
    except (ArithmeticError, ValueError, TypeError):
        return v
    return short if short is not None and sp.count_ops(short) < sp.count_ops(v) else v


def _dne(v: Any) -> bool:
    """The limit does not exist (or sympy gives a range or nan for it)."""
    return v is None or (isinstance(v, sp.Basic) and v.has(sp.AccumBounds, sp.nan, sp.zoo))


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
