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

import functools
import re
from dataclasses import dataclass, replace
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from ..guard import tree_size
from ..matrix.nodes import Node
from ..matrix.printing import latex as matrix_latex
from ..matrix.printing import plain as matrix_plain
from ..result import Result
from .text import plain_expr

MIN_DEFINITION = 12  # characters: shorter subexpressions are left in place
MIN_SAVED = 40  # characters a definition must save
SHORTER = 0.9  # use the definitions only if the output shrinks to at most this fraction
MAX_NODES = 50_000  # larger results are printed as they are (cse time grows with the tree)
MAX_DEFINITIONS = 12
MIN_RESULT = 80  # characters: shorter results are printed as they are
LETTERS = "uvwqrs"


@dataclass(frozen=True)
class Subterm:
    """A vector- or matrix-valued part of the input (``softmax(z)``, ``A*x``, ``W*x + b``): its
    text as jacli reads it, its LaTeX, and its entries (a sympy matrix). Printers show it by its
    text (``where s = softmax(z)``); results name its entries ``s[0]``, ``s[1,2]``."""

    text: str
    tex: str
    entries: Any
    name: str | None = None  # the user's own name for it (a --let), used as the name

    def plain(self) -> str:
        return self.text

    def latex(self) -> str:
        return self.tex


@dataclass
class Named:
    """A result with its repeated subexpressions named: ``where`` lists (name, sympy value) in
    the order they are defined (later ones may use earlier names)."""

    result: Result
    where: list[tuple[str, Any]]


def _eligible(expr: Any) -> bool:
    if expr is None or not isinstance(expr, sp.Basic) or isinstance(expr, Node):
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


@functools.lru_cache(maxsize=8192)
def _length(e: Any) -> int:
    """Characters of ``e`` in plain text (cached: sizes are compared again and again)."""
    return len(plain_expr(e))


def _size(exprs: list[Any]) -> int:
    return sum(_length(e) for e in exprs)


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
            size = _length(value)
            saved = uses * (size - 2) - (size + 5)
            if uses >= 2 and not whole and not scaled and size >= MIN_DEFINITION and saved >= MIN_SAVED:
                continue
            del defs[k]  # put it back where it was used
            defs = [(s, v.xreplace({sym: value})) for s, v in defs]
            reduced = [e.xreplace({sym: value}) for e in reduced]
            changed = True
            break
    return defs, reduced


def _entry_symbols(name: str, m: Any) -> list[Any]:
    if m.cols == 1 or m.rows == 1:
        return [sp.Symbol(f"{name}[{k}]", real=True) for k in range(m.rows * m.cols)]
    return [sp.Symbol(f"{name}[{i},{j}]", real=True) for i in range(m.rows) for j in range(m.cols)]


def _nodes(e: Any) -> int:
    return sum(1 for _ in sp.preorder_traversal(e))


def _ratio(e: Any, products: list[tuple[Any, Any]], atoms: set[Any]) -> Any:
    """Bottom-up, each product P in ``e`` becomes new*(P/old) where that has fewer nodes: the
    division cancels what old and P share (exp(z[0])/S inside -exp(z[0])*exp(z[1])/S^2)."""
    if not e.args or not (e.free_symbols & atoms):
        return e
    args = [_ratio(a, products, atoms) for a in e.args]
    if any(a is not b for a, b in zip(args, e.args, strict=True)):
        e = e.func(*args)
    if e.is_Mul:
        improved = True
        while improved:
            improved = False
            for old, new in products:
                if old.free_symbols <= e.free_symbols and _divides(old, e):
                    candidate = (e / old) * new
                    if _nodes(candidate) < _nodes(e):
                        e, improved = candidate, True
    return e


def _factors(e: Any) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for f in sp.Mul.make_args(e):
        base, exp = (f.base, f.exp) if f.is_Pow else (f, sp.Integer(1))
        if base.func == sp.exp and base.args[0].is_Mul and base.args[0].args[0].is_Integer:  # exp(2*z) = exp(z)^2
            k = base.args[0].args[0]
            base, exp = sp.exp(base.args[0] / k), exp * k
        out[base] = out.get(base, 0) + exp
    return out


def _divides(old: Any, e: Any) -> bool:
    """Every factor of ``old`` is a factor of ``e`` at least as often (powers of the same sign):
    e/old then cancels and introduces nothing new."""
    have = _factors(e)
    for base, exp in _factors(old).items():
        if base.is_Number:
            continue
        got = have.get(base)
        if got is None:
            return False
        if exp.is_Number and got.is_Number:
            if exp * got <= 0 or abs(got) < abs(exp):
                return False
        elif got != exp:
            return False
    return True


def _in_terms_of(e: Any, candidates: list[tuple[Any, Any, frozenset[Any]]], atoms: set[Any]) -> Any:
    """``e`` with the subterm's entries replaced by their names where that makes it shorter:
    whole subtrees (tanh(W*x + b)[0]), products (exp(z[0])/S inside -exp(z[0])*exp(z[1])/S^2),
    a sum with one entry's terms taken out (2*a*x + b*y -> u[0] + a*x for u[0] = a*x + b*y), and
    the expanded form (for entries still written in the subterm's own variables)."""
    free = e.free_symbols
    pairs = [(old, new) for old, new, needs in candidates if needs and needs <= free]
    if not pairs:
        return e
    products = [(old, new) for old, new in pairs if old.is_Mul or old.is_Pow]
    best = e.xreplace(dict(pairs))
    if products:
        best = _ratio(best, products, atoms)
    size = _length(best)
    if isinstance(best, sp.Add):
        terms = best.as_coefficients_dict()
        for old, new in pairs:
            if isinstance(old, sp.Add) and all(terms.get(t, 0) != 0 for t in old.as_coefficients_dict()):
                tried = best - old + new
                if _length(tried) < size:
                    best, size = tried, _length(tried)
                    terms = best.as_coefficients_dict()
    if products and best.free_symbols & atoms:
        tried = sp.factor_terms(_ratio(sp.expand(best), products, atoms))
        if _length(tried) < size:
            best = tried
    return best


def name_subterms(flat: list[Any], subterms: list[Subterm], taken: set[str]) -> tuple[list[tuple[str, Any]], list[Any]]:
    """Name the input's vector and matrix parts in the entries ``flat`` where that shortens them:
    ([(name, Subterm)], the entries in terms of the names)."""
    where: list[tuple[str, Any]] = []
    for sub in subterms:
        call = re.match(r"([a-z]+)\(", sub.text)  # softmax(z) -> s; otherwise u, v, ...
        first = (call.group(1)[0],) if call else ()
        lower = {t.lower() for t in taken}
        name = sub.name or next((c for c in (*first, *LETTERS) if c.lower() not in lower), None)
        if name is None:
            continue
        symbols = _entry_symbols(name, sub.entries)
        pairs = [(old, new, frozenset(old.free_symbols)) for old, new in zip(list(sub.entries), symbols, strict=True)]
        atoms = set().union(*(e.free_symbols for e in sub.entries))
        tried = [_in_terms_of(e, pairs, atoms) for e in flat]
        if all(t is e for t, e in zip(tried, flat, strict=True)):
            continue
        after = _size(tried) + len(sub.text) + 4
        if after <= SHORTER * _size(flat) and _size(flat) - after >= MIN_SAVED:
            flat = tried
            where.append((name, sub))
            taken.add(name)
    return where, flat


def name_common(result: Result, enabled: bool = True) -> Named:
    """The result with its common subexpressions named (or unchanged, with an empty ``where``,
    where naming would not shorten it, or ``enabled`` is False): first the vector and matrix
    parts of the input the result was given (``result.subterms``), then repeated subtrees."""
    if not enabled or result.command == "limit":
        return Named(result, [])
    shown = [b.expr for b in result.blocks]
    if not shown or not all(_eligible(e) for e in shown):
        return Named(result, [])
    flat = [e for expr in shown for e in _flat(expr)]
    before = _size(flat)
    if before < MIN_RESULT:
        return Named(result, [])
    # names in the result, and every name the input uses (its --let names and functions too)
    taken = {s.name.split("[")[0] for e in flat for s in e.free_symbols} | set(re.findall(r"[A-Za-z]\w*", result.input))
    named, flat = name_subterms(flat, list(getattr(result, "subterms", []) or []), taken)
    defs, reduced = common_subexpressions(flat)
    if len(defs) > MAX_DEFINITIONS:
        defs, reduced = [], flat
    if not defs and not named:
        return Named(result, [])
    letter = _letter(flat + [sp.Symbol(n) for n in {*taken, *(n for n, _ in named)}])
    names = [letter] if len(defs) == 1 else [f"{letter}{k}" for k in range(1, len(defs) + 1)]
    rename = {sym: sp.Symbol(n, real=True) for (sym, _), n in zip(defs, names, strict=True)}
    where = [*named, *((n, v.xreplace(rename)) for (_, v), n in zip(defs, names, strict=True))]
    reduced = [e.xreplace(rename) for e in reduced]
    after = _size(reduced) + sum(len(n) + 3 + _length(v) for n, v in where)
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
        if isinstance(value, Subterm):
            expr = expr.xreplace(dict(zip(_entry_symbols(name, value.entries), list(value.entries), strict=True)))
        else:
            expr = expr.xreplace({sp.Symbol(name, real=True): value})
    return expr


def subterms_of(text: str, ws: Any, limit: int = 12) -> list[Subterm]:
    """The vector- and matrix-valued parts of the input ``text`` (concrete sizes), largest
    first: candidates for ``where`` names. Names, indexing and transposes of names are left out."""
    from .. import syntax as sx

    try:
        tree = ws.parse(text)
    except Exception:  # noqa: BLE001 - the result was computed, so this does not happen; be safe
        return []
    found: list[Subterm] = []
    seen: set[str] = set()

    lets = dict(getattr(ws, "lets", []))

    def visit(node: Any) -> None:
        if len(found) >= limit:
            return
        if isinstance(node, sx.Name) and node.name in lets and node.name not in seen:  # the user's --let
            seen.add(node.name)
            try:
                value = ws.let_value(node.name)
                body = lets[node.name]
                shown = _source(ws, body, ws.parse(body))
            except Exception:  # noqa: BLE001 - a --let that does not lower alone is no candidate
                value, shown = None, None
            if isinstance(value, sp.MatrixBase) and 2 <= value.rows * value.cols <= 400 and shown is not None:
                found.append(Subterm(shown[0], shown[1], sp.ImmutableMatrix(value), name=node.name))
            return
        skip = isinstance(node, (sx.Name, sx.Num, sx.Index, sx.List)) or (
            isinstance(node, sx.Transpose) and isinstance(node.operand, sx.Name))
        if not skip:
            try:
                value = ws.lower(node, text)
            except Exception:  # noqa: BLE001 - a part that does not lower alone is no candidate
                value = None
            if isinstance(value, sp.MatrixBase) and value.rows * value.cols >= 2 and value.rows * value.cols <= 400:
                shown = _source(ws, text, node)
                if shown is not None and shown[0] not in seen:
                    seen.add(shown[0])
                    found.append(Subterm(shown[0], shown[1], sp.ImmutableMatrix(value)))
        for child in _children(node):
            visit(child)

    visit(tree)
    return found


def _children(node: Any) -> list[Any]:
    from .. import syntax as sx

    if isinstance(node, (sx.Add, sx.Mul)):
        return list(node.args)
    if isinstance(node, sx.Call):
        return list(node.args)
    if isinstance(node, (sx.Neg, sx.Transpose, sx.Index)):
        return [node.operand]
    if isinstance(node, sx.Pow):
        return [node.base, node.exp]
    if isinstance(node, sx.List):
        return list(node.items)
    return []


def _source(ws: Any, text: str, node: Any) -> tuple[str, str] | None:
    """(plain text, LaTeX) of a part of the input, from its matrix form (jacli.matrix)."""
    try:
        from ..matrix.lower import lower

        form = lower(ws, text, node)
        return matrix_plain(form), matrix_latex(form)
    except Exception:  # noqa: BLE001 - parts the matrix engine does not cover are not named
        return None
