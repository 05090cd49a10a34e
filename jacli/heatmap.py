"""Pictures of Jacobians and Hessians (``--plot`` / ``--plot-file`` on jacobian and hessian).

With ``--at`` the picture is a heat map of the values there; without a point it is the sparsity
pattern (which entries are not identically zero). The axes that run over the variables are cut
into one block per variable, marked with its name, in the order and layout of the result.

The terminal picture is two character cells per entry: coloured blocks with a legend (rich
styles) or, without colour (NO_COLOR, pipes, -f plain), plain characters whose legend gives the
value each stands for. Files (PNG, SVG) come from matplotlib, imported only when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .declarations import Workspace
from .errors import UsageError
from .result import Result

MAX_ROWS = 40  # rows drawn in the terminal; more are left out, and a note says so
LABEL = 9  # characters of the row labels
POSITIVE = ".oO@"  # plain characters for |value| in the four quarters of the largest, positive
NEGATIVE = ",xX#"  # ... and negative
ZERO = "·"


@dataclass
class Picture:
    title: str
    values: Any  # 2-D float array (the values at --at) or 0/1 array (the sparsity pattern)
    pattern: bool  # True: sparsity pattern; False: values
    row_labels: list[str]
    col_groups: list[tuple[str, int]] = field(default_factory=list)  # (variable, columns) in order
    row_groups: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _entries(name: str, shape: Any) -> list[str]:
    rows, cols = shape
    if (rows, cols) == (1, 1):
        return [name]
    if cols == 1 or rows == 1:
        return [f"{name}[{i}]" for i in range(rows * cols)]
    return [f"{name}[{i},{j}]" for i in range(rows) for j in range(cols)]


def prepare(result: Result, ws: Workspace) -> list[Picture]:
    """One picture per block of a jacobian or hessian result (one per --wrt variable when the
    result has several blocks)."""
    import sympy as sp

    if result.command not in ("jacobian", "hessian"):
        raise UsageError("--plot draws Jacobians and Hessians (and, for diff, the function and its derivative)")
    pictures = []
    for block in result.blocks:
        expr = block.expr
        if not isinstance(expr, sp.MatrixBase):
            raise UsageError("--plot needs concrete sizes (declare them with -v x:3, -v W:2x3), not symbolic ones")
        if result.at and block.value is not None:
            values = np.array(block.value, dtype=float).reshape(expr.rows, expr.cols)
            pattern = False
        else:
            values = np.array([[0.0 if expr[i, j] == 0 else 1.0 for j in range(expr.cols)] for i in range(expr.rows)])
            pattern = True
        names = [block.wrt] if block.wrt and len(result.blocks) > 1 else list(result.wrt)
        groups = [(n, len(_entries(n, ws.shapes.get(n, (1, 1))))) for n in names]
        labels = [e for n in names for e in _entries(n, ws.shapes.get(n, (1, 1)))]
        across = result.command == "hessian" or result.layout != "denominator"  # columns run over the variables
        down = result.command == "hessian" or result.layout == "denominator"
        size = expr.cols if across else expr.rows
        if sum(k for _, k in groups) != size:  # not one entry per variable entry: no blocks to mark
            groups, labels = [], []
        title = "Hessian" if result.command == "hessian" else "Jacobian"
        what = "sparsity pattern (entries not identically 0)" if pattern else "values at " + ", ".join(
            f"{k} = {_short(v)}" for k, v in result.at.items())
        layout = f", {result.layout} layout" if result.layout else ""
        wrt = f" with respect to {block.wrt}" if len(result.blocks) > 1 else ""
        pic = Picture(
            title=f"{title} of {result.input}{wrt}{layout}: {what}",
            values=values,
            pattern=pattern,
            row_labels=labels if down and labels else [f"[{i}]" for i in range(expr.rows)],
            col_groups=groups if across else [],
            row_groups=groups if down else [],
        )
        pictures.append(pic)
    return pictures


def _short(v: Any) -> str:
    from .render.text import plain_expr

    if hasattr(v, "dtype"):
        return f"({v.shape[0]}x{v.shape[1]} array)"
    text = plain_expr(v)
    return text if len(text) <= 40 else text[:37] + "..."


# --- the terminal ------------------------------------------------------------------------------
def _scale(pic: Picture) -> float:
    finite = np.abs(pic.values[np.isfinite(pic.values)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def _cell(v: float, top: float, color: bool) -> tuple[str, str]:
    """(two characters, rich style) for one entry."""
    if not np.isfinite(v):
        return "??", "bold"
    if v == 0:
        return ZERO + " ", "dim"
    t = min(1.0, abs(v) / top)
    if color:
        fade = int(round(225 * (1 - t)))
        rgb = (255, fade, fade) if v > 0 else (fade, fade, 255)
        return "██", f"rgb({rgb[0]},{rgb[1]},{rgb[2]})"
    level = min(3, int(t * 4 - 1e-9)) if t > 0 else 0
    return (POSITIVE if v > 0 else NEGATIVE)[level] + " ", ""


def terminal(pic: Picture, width: int = 80, color: bool = False) -> str:
    """The picture as text (with ANSI colours when ``color``), at most ``width`` columns."""
    import io

    from rich.console import Console
    from rich.text import Text

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False,
                      soft_wrap=True, color_system="truecolor" if color else None)
    console.print(Text(pic.title, style="bold"), soft_wrap=False)
    rows, cols = pic.values.shape
    seps = {sum(k for _, k in pic.col_groups[:g]) for g in range(1, len(pic.col_groups))}
    shown = cols
    while shown > 1 and 2 * shown + sum(1 for s in seps if s < shown) > width - LABEL - 1:
        shown -= 1
    row_seps = {sum(k for _, k in pic.row_groups[:g]) for g in range(1, len(pic.row_groups))}
    if pic.col_groups:  # the variables' names above their blocks of columns
        head = [" "] * (2 * shown + len(seps) + 1)
        at = 0
        for g, (name, k) in enumerate(pic.col_groups):
            if at >= shown:
                break
            pos = 2 * at + sum(1 for s in seps if s <= at)
            text = name if g == len(pic.col_groups) - 1 or len(name) < 2 * k else name[: max(1, 2 * k - 1)]
            for i, ch in enumerate(text):
                if pos + i < len(head):
                    head[pos + i] = ch
            at += k
        console.print(Text(" " * LABEL + "".join(head).rstrip()))
    top = _scale(pic)
    for i in range(min(rows, MAX_ROWS)):
        if i in row_seps:
            console.print(Text(" " * LABEL + "".join("─" * (2 if j not in seps else 3) for j in range(shown)).rstrip()))
        line = Text(f"{pic.row_labels[i][: LABEL - 1]:<{LABEL}}")
        for j in range(shown):
            if j in seps:
                line.append("│")
            chars, style = _cell(float(pic.values[i, j]), top, color)
            line.append(chars, style=style)
        console.print(line)
    console.print(_legend(pic, top, color), soft_wrap=False)
    left = []
    if shown < cols:
        left.append(f"columns 1-{shown} of {cols} shown")
    if rows > MAX_ROWS:
        left.append(f"rows 1-{MAX_ROWS} of {rows} shown")
    for note in [*left, *pic.notes]:
        console.print(Text(f"note: {note}; --plot-file FILE draws all of it" if note in left else f"note: {note}",
                           style="dim"), soft_wrap=False)
    return "\n".join(line.rstrip() for line in buf.getvalue().rstrip("\n").split("\n"))


def _legend(pic: Picture, top: float, color: bool) -> Any:
    from rich.text import Text

    legend = Text("legend: ")
    if pic.pattern:
        chars, style = _cell(1.0, 1.0, color)
        legend.append(chars, style=style)
        legend.append(" not identically 0   ")
        legend.append(ZERO + " ", style="dim")
        legend.append(" 0")
        return legend
    if color:  # swatches at four values
        for v in (-top, -top / 2, top / 2, top):
            chars, style = _cell(v, top, color)
            legend.append(chars, style=style)
            legend.append(f" {v:.3g}  ")
    else:  # every character and the values it stands for
        for k in (3, 2, 1, 0):
            legend.append(f"{NEGATIVE[k]} < {-k * top / 4:.3g}  " if k else f"{NEGATIVE[0]} < 0  ")
        for k in (0, 1, 2, 3):
            legend.append(f"{POSITIVE[k]} > {k * top / 4:.3g}  " if k else f"{POSITIVE[0]} > 0  ")
    legend.append(ZERO + " ", style="dim")
    legend.append(" exactly 0")
    return legend


# --- files -----------------------------------------------------------------------------------------
def write_file(pictures: list[Picture], path: str) -> Path:
    """A PNG or SVG heat map (matplotlib), one panel per picture, variable blocks marked and named."""
    from .plot import pyplot_for, save_figure

    out, fmt, plt = pyplot_for(path)
    fig, axes = plt.subplots(1, len(pictures), figsize=(5.5 * len(pictures), 5), dpi=100, squeeze=False)
    try:
        for ax, pic in zip(axes[0], pictures, strict=True):
            if pic.pattern:
                image = ax.imshow(pic.values, cmap="Greys", vmin=0, vmax=1, interpolation="nearest")
            else:
                top = _scale(pic)
                image = ax.imshow(pic.values, cmap="RdBu_r", vmin=-top, vmax=top, interpolation="nearest")
                fig.colorbar(image, ax=ax, shrink=0.8)
            _mark(ax, pic.col_groups, "x")
            _mark(ax, pic.row_groups, "y")
            if not pic.row_groups:
                ax.set_ylabel("output entry")
            ax.set_title(pic.title, fontsize=9, wrap=True)
    except BaseException:
        plt.close(fig)
        raise
    save_figure(fig, plt, out, fmt, path, rc={"svg.fonttype": "none"})  # SVG text stays text: names can be searched
    return out


def _mark(ax: Any, groups: list[tuple[str, int]], axis: str) -> None:
    """Lines between the variables' blocks and each variable's name at the middle of its block."""
    if not groups:
        return
    starts = np.cumsum([0] + [k for _, k in groups])
    for s in starts[1:-1]:
        (ax.axvline if axis == "x" else ax.axhline)(s - 0.5, color="tab:green", linewidth=1.5)
    centers = [(a + b - 1) / 2 for a, b in zip(starts[:-1], starts[1:], strict=True)]
    names = [n for n, _ in groups]
    if axis == "x":
        ax.set_xticks(centers, names)
    else:
        ax.set_yticks(centers, names)
