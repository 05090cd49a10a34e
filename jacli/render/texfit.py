"""LaTeX that fits the page: an estimate of a formula's printed width, and breaking wide results.

``tex_width`` estimates the width of math-mode LaTeX in points at 10 pt (the size of the article
class, whose text is 345 pt wide): fractions as their wider part, sub- and superscripts smaller,
bmatrix as its columns side by side. It is an estimate, calibrated on pdflatex's output (the test
in tests/test_latex_fit.py compiles the widest README examples and reads the log for overfull
boxes), deliberately generous.

``rows_of_matrix`` and ``rows_of_sum`` break a matrix into blocks of columns (or, when a single
column is too wide, its entries one per row) and a long sum after its + and - signs, as rows of
an ``aligned`` environment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import sympy as sp

from .tex import latex_expr

LINE = 320.0  # points a line may take (article: \textwidth = 345 pt, less the display's margins)
CHAR = 5.6  # points per ordinary character (cmmi10 letters average about 5 pt)
SMALL = 0.72  # sub- and superscripts
_WIDE = {"quad": 10.0, "qquad": 20.0, ";": 2.8, ",": 1.7, ":": 2.2, "!": -1.7, " ": 3.3}
_ZERO = {"left", "right", "Big", "big", "Bigg", "bigg", "displaystyle", "limits", "mathrm", "mathbf", "operatorname"}
_BINARY = set("+-=<>") | {"cdot", "times", "approx", "to", "rightarrow", "leq", "geq"}


def _group(s: str, i: int) -> tuple[str, int]:
    """The text of the {...} group starting at s[i] == '{' (or the single token there), and the index after it."""
    if i >= len(s):
        return "", i
    if s[i] != "{":
        if s[i] == "\\":
            j = i + 1
            while j < len(s) and s[j].isalpha():
                j += 1
            return s[i : max(j, i + 2)], max(j, i + 2)
        return s[i], i + 1
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1 : j], j + 1
    return s[i + 1 :], len(s)


def _split_top(s: str, sep: str) -> list[str]:
    """s split at ``sep`` outside braces and nested environments."""
    parts, start = [], 0
    for i, _ in _top_level(s, (sep,)):
        if i >= start:  # not a match inside the separator just taken
            parts.append(s[start:i])
            start = i + len(sep)
    parts.append(s[start:])
    return parts


def _top_level(s: str, seps: tuple[str, ...], left_right: bool = False) -> Iterator[tuple[int, str]]:
    r"""(position, separator) of each of ``seps`` outside braces and environments (and, with
    ``left_right``, outside \left...\right pairs), left to right."""
    depth, i = 0, 0
    while i < len(s):
        if left_right and s.startswith(r"\left", i) and not s[i + 5 : i + 6].isalpha():
            depth, i = depth + 1, i + 5
            continue
        if left_right and s.startswith(r"\right", i) and not s[i + 6 : i + 7].isalpha():
            depth, i = depth - 1, i + 6
            continue
        if s.startswith(r"\begin{", i):
            depth += 1
        elif s.startswith(r"\end{", i):
            depth -= 1
        ch = s[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            sep = next((p for p in seps if s.startswith(p, i)), None)
            if sep is not None:
                yield i, sep
        i += 1


SCALE = 1.2  # the estimate below comes out at 0.66-1.0 (median 0.88) of pdflatex's widths: err wide


def tex_width(s: str) -> float:
    """Estimated width in points of math-mode LaTeX ``s`` at 10 pt (on the generous side)."""
    return SCALE * _width(s)


def _width(s: str) -> float:
    width = 0.0
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "\\":
            if s.startswith(r"\begin{bmatrix}", i) or s.startswith(r"\begin{matrix}", i):
                name = "bmatrix" if s.startswith(r"\begin{bmatrix}", i) else "matrix"
                start = s.index("}", i) + 1
                end = _matching_end(s, start, name)
                width += _matrix_width(s[start:end]) + (8.0 if name == "bmatrix" else 0.0)
                i = end + len(rf"\end{{{name}}}")
                continue
            if s.startswith(r"\begin{", i) or s.startswith(r"\end{", i):
                _, i = _group(s, s.index("{", i))
                continue
            j = i + 1
            while j < len(s) and s[j].isalpha():
                j += 1
            name = s[i + 1 : j] if j > i + 1 else s[i + 1 : i + 2]
            i = j if j > i + 1 else i + 2
            if name == "frac":
                top, i = _group(s, i)
                bottom, i = _group(s, i)
                width += max(_width(top), _width(bottom)) + 2.0
            elif name in ("text", "textrm", "mathrm", "operatorname", "texttt"):
                body, i = _group(s, i)
                width += CHAR * 0.9 * len(body) if name != "operatorname" else _width(body) * 0.95
            elif name == "sqrt":
                body, i = _group(s, i)
                width += _width(body) + 8.0
            elif name in _WIDE:
                width += _WIDE[name]
            elif name in _ZERO:
                continue
            elif name in _BINARY:
                width += CHAR + 5.0
            elif name == "\\":  # a line break inside aligned: not expected here
                continue
            else:
                width += CHAR * 1.1
        elif ch in "_^":
            body, i = _group(s, i + 1)
            width += SMALL * _width(body)
        elif ch in "{}":
            i += 1
        elif ch == " ":
            i += 1
        elif ch in "+-=<>":
            width += CHAR + 5.0  # binary operators with their spaces
            i += 1
        elif ch in ",;":
            width += CHAR * 0.5 + 1.7
            i += 1
        elif ch in "()[]|":
            width += CHAR * 0.7
            i += 1
        elif ch == "&":
            i += 1
        else:
            width += CHAR
            i += 1
    return width


def _matching_end(s: str, start: int, name: str) -> int:
    depth = 1
    i = start
    while i < len(s):
        if s.startswith(rf"\begin{{{name}}}", i):
            depth += 1
        elif s.startswith(rf"\end{{{name}}}", i):
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(s)


def _matrix_width(body: str) -> float:
    rows = [_split_top(r, "&") for r in _split_top(body, r"\\")]
    cols = max((len(r) for r in rows), default=0)
    widths = [max((_width(r[j]) for r in rows if j < len(r)), default=0.0) for j in range(cols)]
    return sum(widths) + 10.0 * max(0, cols - 1)


def fits(s: str, room: float = LINE) -> bool:
    return tex_width(s) <= room


def _bmatrix(rows: list[list[str]]) -> str:
    return r"\begin{bmatrix}" + r"\\".join(" & ".join(r) for r in rows) + r"\end{bmatrix}"


def rows_of_sum(expr: Any, room: float, lead: str = "") -> list[str]:
    """``expr`` (a sum) over several pieces, each at most ``room`` wide: ``a + b``, ``{} + c - d``..."""
    text = lead + latex_expr(expr)
    if fits(text, room) or not isinstance(expr, sp.Add):
        return [text]
    terms = [latex_expr(t) for t in expr.as_ordered_terms()]
    rows: list[str] = []
    line = lead
    for k, term in enumerate(terms):
        piece = term if k == 0 else (" " + term if term.startswith("-") else " + " + term)
        if line.strip() and not fits(line + piece, room):
            rows.append(line)
            line = r"\quad {}" + (piece if piece.startswith(" -") or piece.startswith(" +") else " + " + piece)
        else:
            line += piece
    rows.append(line)
    return rows


def rows_of_matrix(m: Any, room: float) -> list[str]:
    """A matrix too wide for one line: blocks of columns side by side in turn (labelled), or, when
    a single column is too wide, its entries one per row (broken after + and - where needed)."""
    cells = [[latex_expr(m[i, j]) for j in range(m.cols)] for i in range(m.rows)]
    widths = [max(tex_width(cells[i][j]) for i in range(m.rows)) for j in range(m.cols)]
    label_room = room - 90.0  # "columns 1-3:" and the brackets
    if max(widths) <= label_room:
        out: list[str] = []
        j = 0
        while j < m.cols:
            k = j
            used = 0.0
            while k < m.cols and (k == j or used + widths[k] + 10.0 <= label_room):
                used += widths[k] + 10.0
                k += 1
            block = _bmatrix([row[j:k] for row in cells])
            what = f"column {j + 1}" if k == j + 1 else f"columns {j + 1}--{k}"
            out.append(rf"\text{{{what}: }} {block}")
            j = k
        return out
    rows: list[str] = []
    for i in range(m.rows):
        for j in range(m.cols):
            index = f"{i},{j}" if m.cols > 1 else f"{i}"
            rows.extend(rows_of_sum(m[i, j], room - 40.0, lead=rf"\left[\,\cdot\,\right]_{{{index}}} = "))
    return rows


_SEPARATORS = (" = ", r",\ ", r",\; ", " + ", " - ", r" \approx ")


def _cuts(s: str, only: tuple[str, ...] = _SEPARATORS) -> list[int]:
    r"""Positions in ``s`` where a line may be broken: before a top-level =, +, - or \approx, after a
    top-level comma of a list (outside braces, \left...\right pairs and environments)."""
    return [i + (len(sep) if sep.startswith(",") else 1) for i, sep in _top_level(s, only, left_right=True)]


def _indent(row: str) -> str:
    r"""The row's leading & and \quad / \qquad, and \qquad more: where its continuation starts."""
    m = re.match(r"&?(?:\\q?quad )*", row)
    return (m.group(0) if m else "&") + r"\qquad "


def _greedy(row: str, room: float, cuts: list[int]) -> list[str]:
    rows: list[str] = []
    start = 0
    prefix = ""
    indent = _indent(row)
    last = 0
    for k, cut in enumerate([*cuts, len(row)]):
        if k and not fits(prefix + row[start:cut], room) and last > start:
            rows.append(prefix + row[start:last].rstrip())
            start = last
            prefix = indent
        last = cut
    rows.append(prefix + row[start:].strip())
    return [r for r in rows if r.strip("& ")]


def _widest(rows: list[str]) -> float:
    return max(tex_width(r) for r in rows)


def break_row(row: str, room: float = LINE) -> list[str]:
    r"""One row of an aligned block (``&indent content``) as several that fit ``room`` where it
    can be broken: after the commas of a list, else before top-level =, + and - signs; when a
    parenthesis spans too much, \left( \right) become \bigl( \bigr) so it may be broken inside.
    Continuation rows are indented by a further \qquad."""
    if fits(row, room):
        return [row]
    best = [row]
    for text in (row, row.replace(r"\left(", r"\bigl(").replace(r"\right)", r"\bigr)")):
        for only in ((r",\ ", r",\; "), _SEPARATORS):
            cuts = _cuts(text, only)
            if not cuts:
                continue
            rows = _greedy(text, room, cuts)
            if _widest(rows) < _widest(best):
                best = rows
            if _widest(best) <= room:
                return best
    return best
