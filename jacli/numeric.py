"""Numerical verification with numpy: central finite differences against symbolic results.

Every derivative command records *stages*: (G, inputs, J) meaning "J is the Jacobian of the
flattened G with respect to the input symbols" (rows: entries of G, columns: inputs). A check
evaluates G at points around a base point and compares Richardson-extrapolated central
differences, (4 D(h/2) - D(h)) / 3 with D(h) = (G(v+h) - G(v-h)) / 2h, to J evaluated there.

Two such estimates are made, with h = 1e-3 max(1, |v|) and with h/4; the finer one is compared
and their difference is the estimate's own error (large where G curves sharply).
Tolerance: |J - FD| <= RTOL (1 + |J| + |FD|) + 1e-9 max|G| + |FD(h) - FD(h/4)| per entry,
RTOL = 1e-6: the terms scale with the derivative, with rounding in G, and with the estimate's error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy as sp

from .errors import EvaluationError, UnsupportedError
from .functions import compile_numpy, real_values
from .result import Check

RTOL = 1e-6
GTOL = 1e-9
MAX_INPUTS_CHECKED = 400  # larger problems are checked on a deterministic sample of inputs
SEED = 20190709  # the seed text's date; fixed so checks are reproducible
TOLERANCE_TEXT = "|error| <= 1e-6*(1 + |result| + |fd|) + 1e-9*max|f| + |fd(h) - fd(h/4)|"

Stage = tuple[list[Any], list[Any], Any]  # (G entries, input symbols, J as list of rows)


def _dirac(x: Any, k: Any = 0) -> Any:
    """DiracDelta (from d/dx sign(x), e.g. the Hessian of abs): 0 away from 0, undefined at 0."""
    return np.where(np.asarray(x) == 0, np.inf, 0.0)


def _lambdify(args: Sequence[Any], exprs: Any) -> Any:
    extra = {"DiracDelta": _dirac}  # numpy has none; lambdify would emit a NameError at run time
    return compile_numpy(list(args), exprs, extra)


def _has_abstract(exprs: Sequence[Any]) -> bool:
    from sympy.core.function import AppliedUndef

    return any(isinstance(e, sp.Basic) and (e.has(sp.Derivative, sp.Subs) or e.atoms(AppliedUndef)) for e in exprs)


def _flat(rows: Any) -> list[Any]:
    return [e for row in rows for e in row]


def random_point(symbols: Sequence[Any], finite: Any, rng: np.random.Generator) -> dict[Any, float]:
    """A point where ``finite(point)`` holds: tries positive values first (logs, roots), then any sign."""
    for attempt in range(40):
        lo, hi = (0.3, 1.7) if attempt < 20 else (-1.7, 1.7)
        values = {s: float(rng.uniform(lo, hi)) for s in symbols}
        if finite(values):
            return values
    raise EvaluationError("--check found no point where the expression and its derivative are finite; give one with --at")


def check_stages(stages: list[Stage], point: dict[Any, float] | None = None, seed: int = SEED) -> Check:
    """Compare every stage's claimed Jacobian with finite differences at ``point`` (or a random one)."""
    all_exprs: list[Any] = []
    for g, _, j in stages:
        all_exprs.extend(g)
        all_exprs.extend(_flat(j))
    if _has_abstract(all_exprs):
        raise UnsupportedError("--check cannot evaluate abstract functions (--func) numerically")
    symbols = sorted(
        set().union(*[e.free_symbols for e in all_exprs if isinstance(e, sp.Basic)]), key=lambda s: s.name
    )
    compiled = []
    for g, inputs, j in stages:
        fg = _lambdify(symbols, list(g))
        fj = _lambdify(symbols, _flat(j))
        compiled.append((fg, inputs, fj, len(g)))

    def call(f: Any, values: dict[Any, float]) -> np.ndarray:
        with np.errstate(all="ignore"):  # numpy floats: an overflow is inf (Python's floats raise)
            out = f(*[np.float64(values[s]) for s in symbols])
        return real_values(out)

    rng = np.random.default_rng(seed)
    if point is None:
        def finite(values: dict[Any, float]) -> bool:
            return all(np.all(np.isfinite(call(f, values))) for g, _, j, _ in compiled for f in (g, j))

        base = random_point(symbols, finite, rng)
    else:
        base = {s: float(point.get(s, rng.uniform(0.3, 1.7))) for s in symbols}

    max_abs = 0.0
    max_rel = 0.0
    ok = True
    evaluations = 0
    worst: tuple[str, float, float] | None = None
    for number, (fg, inputs, fj, nout) in enumerate(compiled):
        claimed = call(fj, base).reshape(nout, len(inputs)) if inputs else np.zeros((nout, 0))
        g0 = call(fg, base)
        evaluations += 2
        if not (np.all(np.isfinite(claimed)) and np.all(np.isfinite(g0))):
            raise EvaluationError("the function or its derivative is not finite at the check point; --check needs a point where both are")
        gscale = float(np.max(np.abs(g0))) if g0.size else 0.0
        cols = list(range(len(inputs)))
        if len(cols) > MAX_INPUTS_CHECKED:
            cols = sorted(rng.choice(len(cols), MAX_INPUTS_CHECKED, replace=False).tolist())
        for k in cols:
            s = inputs[k]
            if s not in base:  # the input does not appear at all: the derivative must be 0
                fd = spread = np.zeros(nout)
            else:
                h = 1e-3 * max(1.0, abs(base[s]))

                def d(step: float, s: Any = s, fg: Any = fg) -> np.ndarray:
                    up, down = dict(base), dict(base)
                    up[s] += step
                    down[s] -= step
                    return (call(fg, up) - call(fg, down)) / (2 * step)

                coarse = (4 * d(h / 2) - d(h)) / 3
                fd = (4 * d(h / 8) - d(h / 4)) / 3
                spread = np.abs(fd - coarse)  # the difference quotients' own error estimate
                evaluations += 8
            c = claimed[:, k]
            err = np.abs(c - fd)
            allowed = RTOL * (1 + np.abs(c) + np.abs(fd)) + GTOL * gscale + spread
            if not np.all(np.isfinite(fd)) or np.any(err > allowed):
                ok = False
            seen = np.isfinite(err)
            if np.any(seen):
                r = int(np.argmax(np.where(seen, err, -1.0)))
                if worst is None or float(err[r]) > max_abs:
                    worst = (_entry_name(number, len(compiled), r, nout, s), float(c[r]), float(fd[r]))
                max_abs = max(max_abs, float(np.max(err[seen])))
                rel = err[seen] / np.maximum(np.abs(c[seen]), 1e-300)
                max_rel = max(max_rel, float(np.max(np.where(np.abs(c[seen]) > 0, rel, err[seen]))))
            if not np.all(seen):
                max_abs = math.inf
    shown = {str(s): base[s] for s in symbols}
    check = Check(ok=ok, max_abs_error=max_abs, max_rel_error=max_rel, point=shown, evaluations=evaluations,
                  tolerance=TOLERANCE_TEXT)
    if worst is not None:
        check.worst_entry, check.worst_claimed, check.worst_fd = worst
    return check


def _entry_name(stage: int, stages: int, row: int, rows: int, var: Any) -> str:
    """The derivative entry a check compared: d/dx, d(output 2)/dx[1] (outputs counted from 0 like
    x[0]), prefixed by the stage ('derivative 2: ...') when the result is a derivative of a derivative."""
    name = f"d/d{var}" if rows == 1 else f"d(output {row})/d{var}"
    return f"derivative {stage + 1}: {name}" if stages > 1 else name


LIMIT_STEPS = range(3, 11)  # approach the point to within 10^-3 ... 10^-10 (or out to 10^3 ... 10^10)


def check_limit(expr: Any, var: Any, point: Any, claims: Sequence[tuple[str, Any]]) -> Check:
    """Evaluate ``expr`` at 30 significant digits along points approaching ``point`` from each
    claimed side and test that the values approach the claimed limit.

    A finite limit L passes when the last error |f(x_k) - L| is below 1e-6 (1 + |L|), or the
    errors keep shrinking over the last steps and have at least halved along the approach (slow
    convergence such as x^0.1 -> 0; a wrong limit leaves the error flat). An infinite limit
    passes when |f| grows past 10^3 with the claimed sign. Oscillating or non-existent limits
    are not checked.
    """
    free = (expr.free_symbols | getattr(point, "free_symbols", set())) - {var}
    if free:
        names = ", ".join(sorted(str(s) for s in free))
        raise UnsupportedError(f"--check needs numeric values for {names} (give them with --at)")
    ok = True
    worst = 0.0
    shown: dict[str, Any] = {}
    evaluations = 0
    for side, claimed in claims:
        if point is sp.oo or point is sp.S.NegativeInfinity:
            sign = 1 if point is sp.oo else -1
            xs = [sp.Integer(sign * 10**k) for k in LIMIT_STEPS]
        else:
            sign = 1 if side == "+" else -1
            xs = [point + sign * sp.Rational(1, 10**k) for k in LIMIT_STEPS]
        values = []
        for xk in xs:
            v = expr.evalf(30, subs={var: xk})
            evaluations += 1
            if v.is_real is not True or not v.is_finite:
                continue
            values.append(float(v))
        if len(values) < 3:
            raise EvaluationError("--check could not evaluate the expression near the limit point")
        key = {"+": "right", "-": "left"}.get(side, "approach")
        shown[key] = float(xs[-1])
        if claimed is sp.oo or claimed is sp.S.NegativeInfinity:
            want = 1 if claimed is sp.oo else -1
            good = values[-1] * want > 1e3 and abs(values[-1]) > abs(values[0])
            worst = max(worst, 0.0 if good else math.inf)
        else:
            target = complex(sp.N(claimed, 30))
            if abs(target.imag) > 0:
                continue
            errors = [abs(v - target.real) for v in values]
            scale = 1 + abs(target.real)
            shrinking = all(b < a for a, b in zip(errors[-4:-1], errors[-3:], strict=True)) and errors[-1] <= errors[0] / 2
            good = errors[-1] <= RTOL * scale or shrinking
            worst = max(worst, errors[-1])
        ok = ok and good
    return Check(ok=ok, max_abs_error=worst, max_rel_error=worst, point=shown, evaluations=evaluations,
                 tolerance="values approach the limit: |f - L| <= 1e-6 (1 + |L|), or |f - L| keeps shrinking")
