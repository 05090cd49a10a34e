"""Common subexpressions: results that repeat a subexpression show it once (``where u = ...``).

Built on ``sympy.cse``, then pruned to what helps a reader: a definition is kept only if it is
used at least twice, is itself long (MIN_DEFINITION characters of plain text) and saves at least
MIN_SAVED characters, otherwise it is put back in place; and the whole is used only where it makes the output clearly shorter
(at most SHORTER times the length without). Names are ``u`` (one definition) or ``u1``, ``u2``,
... (another letter if the result already uses such names); each definition ``NAME = EXPR`` is
a valid ``--let NAME=EXPR`` of jacli's grammar, with EXPR in plain text.

Beneath the result printers (plain, latex, json, pretty); depends on .text only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from ..guard import tree_size
from ..result import Result
from .text import plain_expr

MIN_DEFINITION = 12  # characters: shorter subexpressions are left in place
MIN_SAVED = 40  # characters a definition must save
SHORTER = 0.9  # use the definitions only if the output shrinks to at most this fraction
MAX_NODES = 50_000  # larger results are printed as they are (cse time grows with the tree)
MAX_DEFINITIONS = 12
LETTERS = "uvwqrs"


@dataclass
class Named:
    """A result with its repeated subexpressions named: ``where`` lists (name, sympy value) in
    the order they are defined (later ones may use earlier names)."""

    result: Result
    where: list[tuple[str, Any]]


def _eligible(expr: Any) -> bool:
    if expr is None or not isinstance(expr, sp.Basic) or hasattr(expr, "plain"):
        return False
    if expr.has(sp.Derivative, sp.Subs, AppliedUndef):
        return False
    return tree_size(expr, MAX_NODES) <= MAX_NODES


def _flat(expr: Any) -> list[Any]:
    return list(expr) if isinstance(expr, sp.MatrixBase) else [expr]


def _unflat(like: Any, values: list[Any]) -> Any:
    if isinstance(like, sp.MatrixBase):
        return sp.ImmutableMatrix(like.rows, like.cols, values)
    return values[0]


def _letter(exprs: list[Any]) -> str:
    used = {s.name for e in exprs for s in e.free_symbols}
    for letter in LETTERS:
        if not any(n == letter or (n.startswith(letter) and n[1:].isdigit()) for n in used):
            return letter
    return "cse"


def _size(exprs: list[Any]) -> int:
    return sum(len(plain_expr(e)) for e in exprs)


def common_subexpressions(exprs: list[Any]) -> tuple[list[tuple[Any, Any]], list[Any]]:
    """(definitions, reduced expressions): sympy.cse pruned to long subexpressions used twice or more."""
    from sympy.simplify.cse_main import tree_cse

    placeholders = sp.numbered_symbols("_cse", real=True)
    # sympy.cse's core without its optimisation pass: only whole repeated subtrees are named (the
    # pass also names subsets of the factors of products, v^2*w^2*sin(...), which no reader would)
    defs, reduced = tree_cse(exprs, placeholders, opt_subs={}, order="none")
    defs = list(defs)
    changed = True
    while changed:
        changed = False
        for k, (sym, value) in enumerate(defs):
            uses = sum(e.count(sym) for e in reduced) + sum(v.count(sym) for _, v in defs[k + 1:])
            whole = any(e == sym for e in reduced)  # an entry repeated whole (symmetry) is shown as is
            scaled = value.is_Mul and value.args[0].is_Number  # -2*sin(x): name sin(x), not this
            size = len(plain_expr(value))
            saved = uses * (size - 2) - (size + 5)
            if uses >= 2 and not whole and not scaled and size >= MIN_DEFINITION and saved >= MIN_SAVED:
                continue
            del defs[k]  # put it back where it was used
            defs = [(s, v.xreplace({sym: value})) for s, v in defs]
            reduced = [e.xreplace({sym: value}) for e in reduced]
            changed = True
            break
    return defs, reduced


def name_common(result: Result, enabled: bool = True) -> Named:
    """The result with its common subexpressions named (or unchanged, with an empty ``where``,
    where naming would not shorten it, or ``enabled`` is False)."""
    if not enabled or result.command == "limit":
        return Named(result, [])
    shown = [b.expr for b in result.blocks]
    if not shown or not all(_eligible(e) for e in shown):
        return Named(result, [])
    flat = [e for expr in shown for e in _flat(expr)]
    defs, reduced = common_subexpressions(flat)
    if not defs or len(defs) > MAX_DEFINITIONS:
        return Named(result, [])
    letter = _letter(flat)
    names = [letter] if len(defs) == 1 else [f"{letter}{k}" for k in range(1, len(defs) + 1)]
    rename = {sym: sp.Symbol(n, real=True) for (sym, _), n in zip(defs, names, strict=True)}
    where = [(n, v.xreplace(rename)) for (_, v), n in zip(defs, names, strict=True)]
    reduced = [e.xreplace(rename) for e in reduced]
    before = _size(flat)
    after = _size(reduced) + sum(len(n) + 3 + len(plain_expr(v)) for n, v in where)
    if after > SHORTER * before:
        return Named(result, [])
    blocks = []
    i = 0
    for block, expr in zip(result.blocks, shown, strict=True):
        n = len(_flat(expr))
        blocks.append(replace(block, expr=_unflat(expr, reduced[i:i + n])))
        i += n
    return Named(replace(result, blocks=blocks), where)


def expand_where(expr: Any, where: list[tuple[str, Any]]) -> Any:
    """The expression with the names of ``where`` replaced by their values (the inverse)."""
    for name, value in reversed(where):
        expr = expr.xreplace({sp.Symbol(name, real=True): value})
    return expr
