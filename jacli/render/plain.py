"""The plain printer: jacli's own ASCII, one line per result, parseable back by jacli.

Lists are column vectors (``[a, b]``), nested lists matrices (``[[a, b], [c, d]]``), powers use
``^``. No colour, no box drawing.
"""

from __future__ import annotations

from ..result import Result
from .common import check_verdict, differential_plain, format_float, is_number, plain_value, point_of
from .text import PlainPrinter, plain_expr

__all__ = ["PlainPrinter", "format_float", "plain_expr", "plain_value", "render"]


def render(result: Result, cse: bool = True) -> str:
    """The result on one line; with ``cse``, repeated subexpressions named on the lines after it
    (``where u = EXPR``: ``u=EXPR`` is a valid --let, and the result parses back with it)."""
    where: list[tuple[str, object]] = []
    if cse and not (result.at and any(b.exact is not None or b.value is not None for b in result.blocks)):
        from .cse import name_common

        named = name_common(result)
        result, where = named.result, named.where
    lines = [_render(result), *(f"where {name} = {plain_expr(value)}" for name, value in where)]
    if result.steps:
        from .steps import plain_lines

        lines = [*plain_lines(result.steps, *point_of(result)), *lines]
    return "\n".join(lines)


def _render(result: Result) -> str:
    if result.limit is not None and not result.limit.exists:
        info = result.limit
        sides = []
        if info.left is not None:
            sides.append(f"left: {plain_expr(info.left)}")
        if info.right is not None:
            sides.append(f"right: {plain_expr(info.right)}")
        extra = "; ".join(sides)
        reason = info.reason or ""
        return "does not exist" + (f" ({reason}" + (f"; {extra})" if extra else ")") if reason else (f" ({extra})" if extra else ""))
    parts, comments = [], []
    for block in result.blocks:
        if result.at and block.exact is not None:
            text = plain_expr(block.exact)
            if not is_number(block.exact):
                comments.append("= " + plain_value(block.value))
        elif result.at and block.value is not None:  # a large result, evaluated in floating point only
            text = plain_value(block.value)
        else:
            text = plain_expr(block.expr)
        if len(result.blocks) > 1:
            text = f"{block.wrt}: {text}"
        parts.append(text)
    if result.layout and any(b.shape != () for b in result.blocks):
        comments.append(f"{result.layout} layout")
    if result.vec:
        comments.append(f"vec by {result.vec}")
    comments.extend(d for d in (differential_plain(b) for b in result.blocks) if d)
    if result.check is not None and not result.check.ok:  # the failure, on the result's own line
        comments.append(check_verdict(result.check))
    line = "; ".join(parts)
    if comments:
        line += "  # " + "; ".join(comments)
    return line
