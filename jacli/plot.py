"""Plots for ``jacli diff --plot/--plot-file``: f, f' and (with --at x=a) the tangent line at a.

The terminal drawing is jacli's own small character canvas (plain ASCII, so it survives pipes and
every format); picture files come from matplotlib, an optional extra (``pip install 'jacli[plot]'``),
imported only when a file is asked for.
"""

from __future__ import annotations

import errno
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from .declarations import Workspace, shape_of
from .errors import JacliError, UnsupportedError, UsageError
from .functions import numpy_functions
from .result import Result
from .shapes import SCALAR

SAMPLES = 481


@dataclass
class PlotData:
    name: str  # the variable
    f_text: str
    d_text: str
    order: int
    xs: Any
    f: Any
    d: Any
    tangent: Any = None  # y values of the tangent line, or None
    a: float | None = None
    fa: float | None = None
    slope: float | None = None
    tangent_text: str | None = None


def _numeric(expr: Any, x: sp.Symbol) -> Any:
    fn = sp.lambdify(x, expr, modules=[numpy_functions(), "numpy"])

    def call(xs: Any) -> Any:
        with np.errstate(all="ignore"):
            try:
                ys = fn(xs)
            except (ValueError, TypeError, ZeroDivisionError, OverflowError):
                ys = np.array([_point(expr, x, v) for v in xs])
        ys = np.broadcast_to(np.asarray(ys, dtype=complex), xs.shape)
        out = np.where(np.abs(ys.imag) < 1e-12, ys.real, np.nan)
        return np.where(np.isfinite(out), out, np.nan)

    return call


def _point(expr: Any, x: sp.Symbol, v: float) -> complex:
    try:
        return complex(sp.N(expr.xreplace({x: v})))
    except (TypeError, ValueError):
        return complex(math.nan)


def prepare(result: Result, ws: Workspace) -> PlotData:
    """Sample f and its derivative (and the tangent line at --at) from a ``diff`` result."""
    from .render.text import plain_expr

    f = result.function
    if result.command != "diff" or f is None or shape_of(f) != SCALAR or len(set(result.wrt)) != 1:
        raise UsageError("--plot needs a scalar function of one variable (jacli diff EXPR x --plot)")
    name = result.wrt[0]
    x = ws.variable(name)
    free = f.free_symbols - {x}
    if free:
        raise UsageError(f"--plot needs a function of {name} alone; it also depends on {', '.join(sorted(map(str, free)))}")
    if f.has(sp.core.function.AppliedUndef):
        raise UsageError("--plot cannot draw abstract functions (--func)")
    d = result.expr
    first = sp.diff(f, x)
    a = None
    if result.at:
        if set(result.at) != {name}:
            raise UsageError(f"--plot draws the tangent at --at {name}=VALUE only")
        a = float(sp.N(result.at[name]))
    lo, hi = (a - 3.0, a + 3.0) if a is not None else (-5.0, 5.0)
    xs = np.linspace(lo, hi, SAMPLES)
    data = PlotData(name, plain_expr(f), plain_expr(d), result.order, xs, _numeric(f, x)(xs), _numeric(d, x)(xs))
    if a is not None:
        fa = complex(sp.N(f.xreplace({x: result.at[name]})))
        slope = complex(sp.N(first.xreplace({x: result.at[name]})))
        if abs(fa.imag) > 1e-12 or abs(slope.imag) > 1e-12 or not (math.isfinite(fa.real) and math.isfinite(slope.real)):
            raise UsageError(f"--plot: f or f' is undefined at {name} = {plain_expr(result.at[name])}, so there is no tangent")
        data.a, data.fa, data.slope = a, fa.real, slope.real
        data.tangent = data.fa + data.slope * (xs - a)
        data.tangent_text = f"y = {_num(data.fa)} + {_num(data.slope)}*({name} - {_num(a)})"
    if not np.isfinite(data.f).any():
        raise UsageError("--plot: the function has no real values on the plotted interval")
    return data


def _num(v: float) -> str:
    return f"{v:.6g}"


def y_range(data: PlotData) -> tuple[float, float]:
    """A y-range that shows the curves without being stretched by poles: central 96% of the values."""
    values = [v[np.isfinite(v)] for v in (data.f, data.d) if v is not None]
    allv = np.concatenate(values) if values else np.array([0.0])
    if allv.size == 0:
        allv = np.array([0.0])
    lo, hi = float(allv.min()), float(allv.max())
    plo, phi = np.percentile(allv, 2), np.percentile(allv, 98)
    if hi - lo > 10 * max(phi - plo, 1e-9):  # a pole: keep the bulk of the values in view
        lo, hi = plo, phi
    if data.fa is not None:
        lo, hi = min(lo, data.fa), max(hi, data.fa)
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    pad = 0.08 * (hi - lo)
    return float(lo - pad), float(hi + pad)


def terminal(data: PlotData, width: int = 72, height: int = 21) -> str:
    """An ASCII drawing: '*' f, '+' f' (or the n-th derivative), '.' the tangent, 'O' the point (a, f(a))."""
    margin = 10
    cols = max(20, width - margin - 1)
    ylo, yhi = y_range(data)
    grid = [[" "] * cols for _ in range(height)]
    x0, x1 = float(data.xs[0]), float(data.xs[-1])

    def row_of(y: float) -> int | None:
        if not math.isfinite(y) or y < ylo or y > yhi:
            return None
        return int(round((yhi - y) / (yhi - ylo) * (height - 1)))

    def col_of(x: float) -> int:
        return int(round((x - x0) / (x1 - x0) * (cols - 1)))

    # axes
    zr = row_of(0.0)
    if zr is not None:
        for c in range(cols):
            grid[zr][c] = "-"
    if x0 <= 0.0 <= x1:
        zc = col_of(0.0)
        for r in range(height):
            grid[r][zc] = "+" if grid[r][zc] == "-" else "|"

    def draw(ys: Any, ch: str) -> None:
        sample_x = np.linspace(x0, x1, cols)
        vals = np.interp(sample_x, data.xs, np.where(np.isfinite(ys), ys, np.nan))
        prev: int | None = None
        for c, y in enumerate(vals):
            r = row_of(float(y))
            if r is None:
                prev = None
                continue
            if prev is not None and abs(r - prev) > 1 and abs(r - prev) < height // 2:
                step = 1 if r > prev else -1
                for rr in range(prev + step, r, step):
                    grid[rr][c] = ch
            grid[r][c] = ch
            prev = r

    if data.tangent is not None:
        draw(data.tangent, ".")
    draw(data.d, "o")
    draw(data.f, "*")
    if data.a is not None and data.fa is not None:
        at_row = row_of(data.fa)
        if at_row is not None:
            grid[at_row][col_of(data.a)] = "@"
    dname = f"{data.name}" if data.order == 1 else f"{data.name}, order {data.order}"
    lines = [f"f({data.name}) = {data.f_text}   [*]",
             f"f{chr(39) * min(data.order, 3) if data.order <= 3 else f'^({data.order})'}({dname}) = {data.d_text}   [o]"]
    if data.tangent_text:
        lines.append(f"tangent at {data.name} = {_num(data.a or 0.0)}: {data.tangent_text}   [.]  point [@]")
    for r in range(height):
        label = f"{yhi:.4g}" if r == 0 else (f"{ylo:.4g}" if r == height - 1 else ("0" if r == zr else ""))
        lines.append(f"{label:>{margin}}" + "|" + "".join(grid[r]).rstrip())
    axis = f"{_num(x0)}"
    right = f"{_num(x1)}"
    lines.append(" " * (margin + 1) + axis + " " * max(1, cols - len(axis) - len(right)) + right)
    return "\n".join(lines)


_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG}


def pyplot_for(path: str) -> tuple[Path, str, Any]:
    """The file, its format (png or svg) and matplotlib's pyplot for ``--plot-file PATH``
    (matplotlib is imported here, only when a file is asked for)."""
    out = Path(path)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise UsageError(f"--plot-file {path}: the file name must end in .png or .svg")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UnsupportedError("--plot-file needs matplotlib: pip install 'jacli[plot]'") from None
    return out, fmt, plt


def save_figure(fig: Any, plt: Any, out: Path, fmt: str, path: str, rc: dict[str, Any] | None = None) -> None:
    """Write ``fig`` and close it. A full disk is a failure (exit 1); a bad path (no such
    directory) is bad usage (exit 2)."""
    try:
        fig.tight_layout()
        metadata = {"Date": None} if fmt == "svg" else {}
        with plt.rc_context(rc or {}):
            fig.savefig(out, format=fmt, metadata=metadata)
    except OSError as e:
        kind = JacliError if e.errno in _DISK_FULL else UsageError
        raise kind(f"--plot-file {path}: {e.strerror or e}") from None
    finally:
        plt.close(fig)


def write_file(data: PlotData, path: str) -> Path:
    """A PNG or SVG picture (matplotlib): f, f', and the tangent line with its point of contact."""
    out, fmt, plt = pyplot_for(path)
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    try:
        v = data.name
        ax.plot(data.xs, data.f, label=f"f({v}) = {data.f_text}", color="tab:blue", linewidth=2)
        prime = "'" * data.order if data.order <= 3 else f"^({data.order})"
        ax.plot(data.xs, data.d, label=f"f{prime}({v}) = {data.d_text}", color="tab:orange", linewidth=1.5, linestyle="--")
        if data.tangent is not None and data.a is not None and data.fa is not None:
            ax.plot(data.xs, data.tangent, label=f"tangent: {data.tangent_text}", color="tab:green", linewidth=1.2)
            ax.plot([data.a], [data.fa], "o", color="tab:red", zorder=5)
        ax.set_ylim(*y_range(data))
        ax.axhline(0, color="0.6", linewidth=0.8)
        ax.axvline(0, color="0.6", linewidth=0.8)
        ax.set_xlabel(v)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize=8)
    except BaseException:
        plt.close(fig)
        raise
    save_figure(fig, plt, out, fmt, path)
    return out
