"""Fitting expressions to the terminal: lines measured with rich's cell widths, never broken inside
a token.

- ``wrap`` breaks one-line text only after an operator, a comma or a space (prefering the loosest
  operators: ``+``/``-`` and ``,`` before ``*`` and ``/``), continuation lines indented.
- ``fit_expr`` gives sympy's 2-D layout where it fits the width, else the wrapped plain text.
- ``fit_matrix`` shows the largest top-left corner whose 2-D layout fits the width and a line
  budget (saying what was left out); when not even one column fits, it lists the entries
  (``[i,j]  text``, wrapped), as many as the budget allows, the upper triangle only for a
  symmetric matrix.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from rich.cells import cell_len

from .common import display
from .text import plain_expr

MAX_LINES = 24  # lines of one matrix picture (or entry list) unless --full
MAX_ROWS, MAX_COLS = 12, 8  # never more rows or columns than these in a corner, unless --full

_LOOSE = (" + ", " - ", ", ", "; ")
_TIGHT = ("*", "/", " ")


def _breaks(text: str) -> tuple[list[int], list[int]]:
    """Positions after which a line may end: after loose operators, and after tight ones."""
    loose, tight = [], []
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        for op in _LOOSE:
            if text.startswith(op, i):
                loose.append((depth, i + len(op)))
        if ch in "*/" and not text.startswith("**", i):
            tight.append((depth, i + 1))
        elif ch == " ":
            tight.append((depth, i + 1))
    return [p for _, p in sorted(loose)], [p for _, p in sorted(tight)]


def wrap(text: str, width: int, indent: int = 4) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken only after operators or spaces (a
    single token wider than the line is left whole)."""
    lines: list[str] = []
    pad = ""
    while cell_len(pad + text) > width:
        room = width - cell_len(pad)
        loose, tight = _breaks(text)
        # the last loose break that fits, unless it leaves the line less than half full
        fits_loose = [p for p in loose if p <= room]
        fits_tight = [p for p in tight if p <= room]
        cut = max(fits_loose, default=0)
        if cut < room // 2:
            cut = max([cut, *fits_tight])
        if cut <= 0:  # one token wider than the line: it is not broken
            later = [p for p in loose + tight if p > 0]
            if not later:
                break
            cut = min(later)
        lines.append(pad + text[:cut].rstrip())
        text = text[cut:].lstrip()
        pad = " " * indent
    lines.append(pad + text)
    return lines


def width_of(picture: str) -> int:
    return max((cell_len(line) for line in picture.split("\n")), default=0)


def pretty_picture(expr: Any) -> str:
    """sympy's 2-D Unicode picture, unwrapped (its width is measured, not cut)."""
    return str(sp.pretty(display(expr), use_unicode=True, wrap_line=False))


def fit_expr(expr: Any, width: int, indent: int = 4) -> str:
    """The 2-D picture if it fits ``width``, else the plain text wrapped at operators."""
    picture = pretty_picture(expr)
    if width_of(picture) <= width:
        return picture
    return "\n".join(wrap(plain_expr(expr), width, indent))


def _symmetric(m: Any) -> bool:
    return bool(m.rows == m.cols and all(m[i, j] == m[j, i] for i in range(m.rows) for j in range(i + 1, m.cols)))


def fit_matrix(m: Any, width: int, max_lines: int = MAX_LINES) -> tuple[str, str | None]:
    """(text, note): the corner of ``m`` that fits, or its entries listed; the note says what is
    left out (None when all is shown)."""
    rows, cols = min(m.rows, MAX_ROWS), min(m.cols, MAX_COLS)
    cells = {(i, j): pretty_picture(m[i, j]) for i in range(rows) for j in range(cols)}
    col_w = [max(width_of(cells[i, j]) for i in range(rows)) for j in range(cols)]
    row_h = [max(cells[i, j].count("\n") + 1 for j in range(cols)) for i in range(rows)]
    # sympy: a bracket each side, two spaces between columns; a blank line between tall rows
    k = 0
    while k < cols and 2 + sum(col_w[: k + 1]) + 2 * k <= width:
        k += 1
    r = 0
    while r < rows and sum(row_h[: r + 1]) + (r if max(row_h[: r + 1]) > 1 else 0) <= max_lines:
        r += 1
    while k > 0 and r > 0:
        picture = pretty_picture(m[:r, :k])
        if width_of(picture) <= width and picture.count("\n") < max_lines:
            break
        if width_of(picture) > width:
            k -= 1
        else:
            r -= 1
    if r > 0 and k >= min(2, m.cols):  # a single column of a wide matrix says less than its entries
        if (r, k) == (m.rows, m.cols):
            return picture, None
        return picture, (f"rows 1-{r} and columns 1-{k} of the {m.rows}x{m.cols} matrix, the corner that fits; "
                         "--full prints every entry (as -f plain and -f json do)")
    return _entry_list(m, width, max_lines)


def fit_entries(m: Any, width: int, max_lines: int = MAX_LINES) -> tuple[str, str | None]:
    """The entries of ``m`` listed one after another (``[i,j]  text``), as many as fit the budget."""
    return _entry_list(m, width, max_lines)


def _entry_list(m: Any, width: int, max_lines: int) -> tuple[str, str | None]:
    symmetric = _symmetric(m)
    lines: list[str] = []
    shown = total = 0
    full_up = False
    for i in range(m.rows):
        for j in range(i if symmetric else 0, m.cols):
            total += 1
            if full_up:
                continue
            label = f"[{i},{j}]" if m.cols > 1 else f"[{i}]"
            entry = wrap(f"{label}  {plain_expr(m[i, j])}", width, indent=len(label) + 2)
            if lines and len(lines) + len(entry) > max_lines:  # no partial entries
                full_up = True
                continue
            lines.extend(entry)
            shown += 1
    what = f"the {m.rows}x{m.cols} matrix entry by entry, too wide to fit as a matrix"
    if symmetric:
        what += "; symmetric: entries [i,j] with i <= j"
    if shown < total:
        what += f"; {shown} of {total} entries shown: --full prints every entry (as -f plain and -f json do)"
    return "\n".join(lines), what
