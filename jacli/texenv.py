"""Matrix environments and sequence sets of the LaTeX reader: functions of a jacli.texread.TexParser."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import syntax as sx
from .errors import ParseError
from .texlex import MATRIX_ENVS, Tok, describe

if TYPE_CHECKING:
    from .texread import TexParser


def sequence(p: TexParser, t: Tok) -> sx.Node:
    """\\{a_1, a_2, \\cdots, a_n, \\cdots\\} under \\lim_{n \\to \\infty}: the general term a_n."""
    items: list[sx.Node] = []
    while not p.op("\\}"):
        if p.cmd("cdots", "dots", "ldots"):
            p.advance()
        elif p.op(","):
            p.advance()
        else:
            items.append(p.expr())
    p.expect_op("\\}", t)
    from .declarations import names_in

    general = [n for n in items if p.limit_var in set(names_in(n))]
    if p.limit_var is None or len(general) != 1:
        raise ParseError("a set \\{...\\} is read only as a sequence under \\lim_{n \\to \\infty}, with one "
                         "general term in n", p.text, t.pos)
    return general[0]

def environment(p: TexParser, t: Tok) -> sx.Node:
    env = t.text.rstrip("*")
    if env not in MATRIX_ENVS:
        raise p.error(f"the {env} environment is not read; paste the formula inside it")
    p.advance()
    if env == "array" and p.op("{"):  # the column specification
        while not p.op("}") and p.tok.kind != "END":
            p.advance()
        p.expect_op("}")
    p.enter(t.pos)
    rows: list[list[sx.Node]] = [[]]
    while True:
        if p.tok.kind == "ENDENV":
            break
        if p.tok.kind == "END":
            raise p.error(f"\\begin{{{t.text}}} at column {t.pos + 1} has no \\end")
        rows[-1].append(p.expr())
        if p.op("&"):
            p.advance()
        elif p.op("\\\\"):
            p.advance()
            rows.append([])
        elif p.tok.kind != "ENDENV":
            raise p.error(f"unexpected {describe(p.tok)} in a matrix")
    end = p.advance()
    if end.text != t.text:
        raise ParseError(f"\\begin{{{t.text}}} is closed by \\end{{{end.text}}}", p.text, end.pos)
    if not rows[-1]:
        rows.pop()  # the seed ends the last row with \\ before \end
    if not rows:
        raise ParseError("an empty matrix", p.text, t.pos)
    if len({len(r) for r in rows}) != 1:
        raise ParseError("the rows of the matrix have different lengths", p.text, t.pos)
    p.leave()
    if len(rows[0]) == 1:
        node: sx.Node = rows[0][0] if len(rows) == 1 else sx.List(tuple(r[0] for r in rows), t.pos)
    else:
        node = sx.List(tuple(sx.List(tuple(r), t.pos) for r in rows), t.pos)
    return sx.Call("det", (node,), t.pos) if env == "vmatrix" else node
