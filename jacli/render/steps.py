"""Printing derivations (jacli.steps.Step trees) as numbered plain lines, LaTeX aligned rows and JSON.

The pretty printer draws the same trees with rich (jacli.render.pretty.steps_tree); the wording of
every line comes from here so the formats agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..steps import GENERAL, Step
from .common import point_of
from .tex import latex_expr
from .text import plain_expr

__all__ = ["latex_block", "plain_lines", "point_of", "statement", "steps_json", "title"]

_SUFFIX_FREE = ("logarithmic differentiation", "identity")


def title(step: Step) -> str:
    """The rule's name as shown: 'product rule', 'chain rule', 'sine', 'L'Hôpital's rule'."""
    if step.kind == "derivative" and step.rule in GENERAL and step.rule not in _SUFFIX_FREE:
        return f"{step.rule} rule"
    return step.rule


def _var(step: Step) -> str:
    return plain_expr(step.var) if step.var is not None else ""


def statement(step: Step) -> str:
    """The step's equation in plain text: d/dx (expr) = result, lim x->a (expr) = value, ..."""
    if step.kind == "section":
        return ""  # the tree beneath states the equation
    res = plain_expr(step.result) if step.result is not None else "does not exist"
    if step.kind == "derivative":
        return f"d/d{_var(step)} ({plain_expr(step.expr)}) = {res}"
    if step.kind == "limit":
        return f"lim {_var(step)} -> {{point}} ({plain_expr(step.expr)}) = {res}"
    if step.lhs is not None:
        middle = f" = {plain_expr(step.expr)}" if step.expr is not None and step.kind == "equation" and step.bindings == [] else ""
        return f"{step.lhs[0]}{middle} = {res}"
    if step.expr is not None:
        return f"{plain_expr(step.expr)} -> {res}"
    return res


def _binding_text(step: Step) -> str:
    return ", ".join(f"{name} = {plain_expr(value)}" for name, value in step.bindings)


def numbered(steps: list[Step], prefix: str = "") -> Iterator[tuple[str, Step]]:
    for i, s in enumerate(steps, start=1):
        number = f"{prefix}{i}"
        yield number, s
        yield from numbered(s.substeps, number + ".")


def plain_lines(steps: list[Step], point: Any = None, side: str = "") -> list[str]:
    """Numbered lines (1., 1.1., ...): the rule and its equation, then its general form, bindings, note."""
    lines = []
    pt = (plain_expr(point) + side) if point is not None else ""
    for number, s in numbered(steps):
        depth = number.count(".")
        pad = "   " * depth
        said = statement(s).replace("{point}", pt)
        lines.append(f"{pad}{number}. {title(s)}" + (f": {said}" if said else ""))
        more = pad + " " * (len(number) + 2)
        if s.general:
            lines.append(f"{more}rule: {s.general[0]}")
        if s.bindings:
            lines.append(f"{more}where {_binding_text(s)}")
        if s.note:
            lines.append(f"{more}note: {s.note}")
    return lines


# --- LaTeX -------------------------------------------------------------------------------------
_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "_": r"\_", "#": r"\#", "%": r"\%", "&": r"\&", "$": r"\$",
                 "^": r"\^{}", "~": r"\~{}", "{": r"\{", "}": r"\}", "ô": r"\^{o}"}


def tex_text(text: str) -> str:
    return r"\text{" + "".join(_TEXT_ESCAPES.get(c, c) for c in text) + "}"


def _tex_var(step: Step) -> str:
    return latex_expr(step.var) if step.var is not None else "x"


def latex_statement(step: Step, point: Any = None, side: str = "") -> str:
    if step.kind == "section":
        return ""
    res = latex_expr(step.result) if step.result is not None else r"\text{does not exist}"
    if step.kind == "derivative":
        v = _tex_var(step)
        return rf"\frac{{d}}{{d{v}}}\left({latex_expr(step.expr)}\right) = {res}"
    if step.kind == "limit":
        to = (latex_expr(point) + (f"^{{{side}}}" if side else "")) if point is not None else "a"
        return rf"\lim_{{{_tex_var(step)} \to {to}}} \left({latex_expr(step.expr)}\right) = {res}"
    if step.lhs is not None:
        middle = f" = {latex_expr(step.expr)}" if step.expr is not None and step.kind == "equation" and step.bindings == [] else ""
        return f"{step.lhs[1]}{middle} = {res}"
    if step.expr is not None:
        return rf"{latex_expr(step.expr)} \;\rightarrow\; {res}"
    return res


def latex_rows(steps: list[Step], point: Any = None, side: str = "") -> list[str]:
    """Rows for an aligned environment: '&\\text{1. product rule: } ...'."""
    rows = []
    for number, s in numbered(steps):
        indent = r"\quad " * number.count(".")
        said = latex_statement(s, point, side)
        rows.append(rf"&{indent}{tex_text(f'{number}. {title(s)}' + (': ' if said else ''))} {said}")
        inner = indent + r"\qquad "
        if s.general:
            rows.append(rf"&{inner}{tex_text('rule: ')} {s.general[1]}")
        if s.bindings:
            parts = r",\ ".join(rf"{_tex_name(n)} = {latex_expr(v)}" for n, v in s.bindings)
            rows.append(rf"&{inner}{tex_text('where ')} {parts}")
        if s.note:
            rows.append(rf"&{inner}{tex_text('note: ' + s.note)}")
    return rows


def _tex_name(name: str) -> str:
    if all(c.isalnum() or c == "'" for c in name) and name[:1].isalpha() and len(name) <= 4:
        base = name.rstrip("'")
        primes = name[len(base):]
        if len(base) > 1 and base[1:].isdigit():
            return f"{base[0]}_{{{base[1:]}}}{primes}"
        if len(base) == 3 and base.startswith("J_"):
            return f"J_{{{base[2:]}}}"
        return name
    if name.startswith("J_"):
        return f"J_{{{name[2:]}}}"
    return tex_text(name)


def latex_block(steps: list[Step], main: str, point: Any = None, side: str = "") -> str:
    """The whole derivation as one aligned environment ending with the answer; rows too wide for
    a page are broken at their top-level =, + and - signs (jacli.render.texfit)."""
    from .texfit import break_row

    rows = [part for row in latex_rows(steps, point, side) for part in break_row(row)]
    rows.extend(break_row(rf"&{tex_text('answer: ')} {main}"))
    return r"\begin{aligned}" + " \\\\\n".join(rows) + r"\end{aligned}"


# --- JSON ------------------------------------------------------------------------------------------
def to_json(step: Step, point: Any = None, side: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": title(step),
        "expr": plain_expr(step.expr) if step.expr is not None else None,
        "result": plain_expr(step.result) if step.result is not None else None,
        "expr_latex": latex_expr(step.expr) if step.expr is not None else None,
        "result_latex": latex_expr(step.result) if step.result is not None else None,
        "latex": latex_statement(step, point, side),
        "kind": step.kind,
    }
    if step.var is not None:
        out["var"] = plain_expr(step.var)
    if step.general:
        out["general"] = step.general[0]
        out["general_latex"] = step.general[1]
    if step.bindings:
        out["bindings"] = [{"name": n, "expr": plain_expr(v), "latex": latex_expr(v)} for n, v in step.bindings]
    if step.note:
        out["note"] = step.note
    out["substeps"] = [to_json(s, point, side) for s in step.substeps]
    return out


def steps_json(steps: list[Step], point: Any = None, side: str = "") -> list[dict[str, Any]]:
    return [to_json(s, point, side) for s in steps]
