"""The pretty printer: sympy's 2-D Unicode layout inside a rich-rendered report (terminals).

All user-derived text goes through ``rich.text.Text`` (never markup strings), so brackets in
expressions are shown, not interpreted.
"""

from __future__ import annotations

import io
from typing import Any

import sympy as sp
from rich.console import Console
from rich.text import Text

from ..guard import tree_size
from ..matrix.nodes import Node
from ..matrix.printing import plain as matrix_plain
from ..result import Result
from .common import (
    COMMAND_TITLES,
    VEC_NOTE,
    check_verdict,
    differential_plain,
    display,
    is_number,
    layout_note,
    plain_value,
    point_of,
)
from .fit import MAX_COLS, MAX_ROWS, fit_entries, fit_expr, fit_matrix, wrap
from .text import plain_expr

#: larger expressions are shown in one line: sympy's 2-D layout of a result nested 100 levels deep
#: takes minutes (it re-pads every enclosing picture at each level) and is wider than any terminal
MAX_PRETTY_NODES = 2_000
TOO_LARGE_NOTE = "shown in one line (-f plain's text): too large for a 2-D layout"


def too_large(expr: Any) -> bool:
    return isinstance(expr, sp.Basic) and tree_size(expr, MAX_PRETTY_NODES) > MAX_PRETTY_NODES


def pretty_expr(expr: Any, width: int = 100) -> str:
    if isinstance(expr, Node):  # matrix-form results (jacli.matrix): their plain text
        return matrix_plain(expr)
    if hasattr(expr, "plain"):  # parts named in the output (render.cse.Subterm): their plain text
        return str(expr.plain())
    if too_large(expr):
        return plain_expr(expr)
    return str(sp.pretty(display(expr), use_unicode=True, num_columns=width))


def corner_value(value: Any, full: bool) -> Any:
    if full or not isinstance(value, list):
        return value
    if value and isinstance(value[0], list):
        return [row[:MAX_COLS] for row in value[:MAX_ROWS]]
    return value[:MAX_ROWS]


def point_text(at: dict[str, Any], full: bool) -> str:
    """The --at point; matrices too large to read are named by their shape unless full=True."""
    parts = []
    for k, v in at.items():
        if hasattr(v, "dtype"):  # a large --at list, read as a numpy array
            parts.append(f"{k} = ({v.shape[0]}x{v.shape[1]} array)")
            continue
        big = isinstance(v, sp.MatrixBase) and not full and (v.rows > MAX_ROWS or v.cols > MAX_COLS)
        parts.append(f"{k} = ({v.rows}x{v.cols} matrix)" if big else f"{k} = {plain_expr(v)}")
    return ", ".join(parts)


def show(expr: Any, width: int, full: bool) -> tuple[str, str | None]:
    """An expression fitted to ``width`` (see jacli.render.fit), and the note saying what is left out."""
    if full:
        return pretty_expr(expr, width), (f"note: {TOO_LARGE_NOTE}" if too_large(expr) else None)
    if isinstance(expr, sp.MatrixBase):
        if any(too_large(e) for e in expr[: min(expr.rows, MAX_ROWS), : min(expr.cols, MAX_COLS)]):
            return fit_entries(expr, width)
        return fit_matrix(expr, width)
    if too_large(expr):
        return "\n".join(wrap(plain_expr(expr), width)), TOO_LARGE_NOTE
    if isinstance(expr, Node):
        return "\n".join(wrap(matrix_plain(expr), width)), None
    if hasattr(expr, "plain"):
        return "\n".join(wrap(str(expr.plain()), width)), None
    return fit_expr(expr, width), None


def values_text(value: Any, width: int, full: bool) -> str:
    """≈ the floating-point value (a corner of a large matrix unless ``full``), wrapped at commas."""
    return "\n".join(wrap(f"≈ {plain_value(corner_value(value, full))}", width, 2))


def render(result: Result, color: bool = True, width: int = 100, full: bool = False, cse: bool = True) -> str:
    """The report, every line at most ``width`` cells (sympy's 2-D layout where it fits; see
    jacli.render.fit); with ``cse``, repeated subexpressions named in "where" lines."""
    where: list[tuple[str, Any]] = []
    if cse:
        from .cse import name_common

        named = name_common(result)
        result, where = named.result, named.where
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False,
                      soft_wrap=True)
    title = COMMAND_TITLES.get(result.command, result.command)
    head = Text()
    head.append(title, style="bold cyan")
    if result.command == "limit" and result.limit is not None:
        info = result.limit
        side = {"+": "+", "-": "-"}.get(info.direction, "")
        head.append(f" of {result.input} as {info.var} → {plain_expr(info.point)}{side}", style="bold")
        if info.sequence:
            head.append(" (sequence)", style="dim")
    else:
        wrt = ", ".join(result.wrt)
        head.append(f" of {result.input}", style="bold")
        if wrt:
            head.append(f" with respect to {wrt}", style="bold")
        if result.command == "diff" and result.order > 1:
            head.append(f" (order {result.order})", style="bold")
    console.print(head, soft_wrap=False)
    if result.steps:
        console.print(steps_tree(result), soft_wrap=False)
    if result.limit is not None and not result.limit.exists:
        info = result.limit
        console.print(Text("does not exist" + (f": {info.reason}" if info.reason else ""), style="yellow"))
        if info.left is not None:
            console.print(Text(f"  from the left:  {pretty_expr(info.left, width)}"))
        if info.right is not None:
            console.print(Text(f"  from the right: {pretty_expr(info.right, width)}"))
    else:
        for block in result.blocks:
            if len(result.blocks) > 1:
                console.print(Text(f"∂/∂{block.wrt}:", style="bold"))
            if block.matrix_form is not None:  # concrete sizes: the matrix form above the entries
                console.print(Text("\n".join(wrap(f"= {plain_expr(block.matrix_form)}", width)), style="cyan"))
            text, elided = show(block.expr, width, full)
            console.print(Text(text))
            diff = differential_plain(block)
            if diff:
                console.print(Text("\n".join(wrap(diff, width)), style="cyan"))
            if result.at and block.exact is not None:
                point = point_text(result.at, full)
                console.print(Text(f"at {point}:", style="bold"), soft_wrap=False)
                console.print(Text(show(block.exact, width, full)[0]))
                if not is_number(block.exact):
                    console.print(Text(values_text(block.value, width, full), style="green"))
            elif result.at and block.value is not None:  # a large result, evaluated in floating point only
                point = point_text(result.at, full)
                console.print(Text(f"at {point} (floating point):", style="bold"), soft_wrap=False)
                console.print(Text(values_text(block.value, width, full), style="green"))
            if elided:
                console.print(Text(f"note: {elided}", style="dim"), soft_wrap=False)
        for name, value in where:
            console.print(Text("\n".join(wrap(f"where {name} = {plain_expr(value)}", width, len(name) + 9))))
    note = layout_note(result)
    if note and any(b.shape != () for b in result.blocks):
        console.print(Text(note, style="dim"), soft_wrap=False)
    if result.vec:
        console.print(Text(VEC_NOTE, style="dim"), soft_wrap=False)
    if result.check is not None:
        style = "green" if result.check.ok else "bold red"
        console.print(Text(check_verdict(result.check), style=style), soft_wrap=False)
    if result.verified:
        console.print(Text(result.verified, style="dim"), soft_wrap=False)
    for n in result.notes:
        console.print(Text(f"note: {n}", style="dim"), soft_wrap=False)
    return buf.getvalue().rstrip("\n")


def steps_tree(result: Result) -> Any:
    """The derivation as a rich Tree: one node per rule, its general form, bindings and note beneath."""
    from rich.tree import Tree

    from .steps import statement, title

    where, side = point_of(result)
    point = plain_expr(where) + side if where is not None else ""
    root = Tree(Text("steps", style="bold"))

    def add(parent: Any, step: Any) -> None:
        label = Text(overflow="fold")
        label.append(title(step), style="bold magenta")
        said = statement(step).replace("{point}", point)
        if said:
            label.append("  " + said)
        node = parent.add(label)
        if step.general:
            node.add(Text("rule: " + step.general[0], style="cyan", overflow="fold"))
        if step.bindings:
            node.add(Text("where " + ", ".join(f"{n} = {plain_expr(v)}" for n, v in step.bindings), style="dim",
                          overflow="fold"))
        if step.note:
            node.add(Text("note: " + step.note, style="yellow", overflow="fold"))
        for sub in step.substeps:
            add(node, sub)

    for step in result.steps or []:
        add(root, step)
    return root
