#!/usr/bin/env python
"""jacli's performance scenarios, each beside its baseline in the same run, with the ratios.

    python bench/run.py            # every scenario (several minutes on a 2-core machine)
    python bench/run.py --quick    # fewer repetitions and smaller sizes
    python bench/run.py startup batch     # only the named scenarios

Scenarios (targets from issue 5):
  startup   cold `jacli diff "x^2*sin(x)" x -f plain` vs a sympy one-liner      (<= 1.10x)
  help      cold `jacli --help` vs `python -c pass`                              (<= 6x)
  jacobian  explicit Jacobian of the dense quadratic map A*x + x.*(B*x), n=200:
            jacli vs raw symengine (<= 1.2x); at n=100, jacli vs sympy's
            Matrix.jacobian (>= 100x faster); symengine comes with the dev extra
  gradient  gradient of 1/2*norm(W*x+b-z)^2 with respect to an n x n W at a point (500x500 under 2 s);
            also the explicit path at 20x20 and 50x50
  kron      Hessian of 1/2*norm(W*x+b-z)^2 with respect to an n x n W (n^2 x n^2) at a point: through the
            verified Kronecker form kron(I(m), x*x') (derive + verify, then numpy) vs jacli's explicit
            entry-by-entry Hessian; measured side by side up to n=10, the 100x100 W (a 10^4 x 10^4
            Hessian) through the Kronecker form, the entry-by-entry time there extrapolated (power-law fit)
  batch     1000 lines through `jacli diff - x -f plain` vs a raw sympy loop that parses, differentiates
            and prints the same lines (<= 1.3x)
  latex     reading a 200-character LaTeX formula (jacli.texops.read) vs the text parser on its
            text-language equivalent (issue 17: under 5 ms)
  session, jobs, dask   the warm session, --jobs 2 vs 1, the Dask recipe (issue 19; see bench/session.py)

Every measurement is a whole process (or a fresh process per in-process timing), so sympy's cache
never carries over; times are medians of interleaved repetitions.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
HERE = Path(__file__).resolve().parent


def jacli_cmd() -> list[str]:
    """The installed console script beside this Python (what users run), else ``python -m jacli``."""
    script = Path(PY).with_name("jacli")
    return [str(script)] if script.exists() else [PY, "-m", "jacli"]


#: child processes run as an installed jacli would: bytecode cached (an installation compiles it)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"NO_COLOR": "1"}


def compile_jacli() -> None:
    """Write jacli's bytecode, as pip does on installation (editable installs and
    PYTHONDONTWRITEBYTECODE would otherwise make every run compile jacli from source)."""
    import compileall

    import jacli

    compileall.compile_dir(str(Path(jacli.__file__).parent), quiet=1)


def wall(cmd: list[str], stdin: str | None = None, check: bool = True) -> tuple[float, subprocess.CompletedProcess[str]]:
    t = time.perf_counter()
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - t
    if check and p.returncode != 0:
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)[:200]}\n{p.stderr[-2000:]}")
    return elapsed, p


def medians(cmds: dict[str, list[str]], repeat: int, stdin: str | None = None, warm: bool = True) -> dict[str, float]:
    """Median wall time of each command, runs interleaved so load affects all alike."""
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for cmd in cmds.values() if warm else ():  # warm the file cache once
        wall(cmd, stdin)
    for _ in range(repeat):
        for name, cmd in cmds.items():
            times[name].append(wall(cmd, stdin)[0])
    return {k: statistics.median(v) for k, v in times.items()}


def timed(code: str) -> float:
    """Run ``code`` in a fresh Python; it prints the seconds it measured on its last line."""
    _, p = wall([PY, "-c", code])
    return float(p.stdout.strip().splitlines()[-1])


def line(label: str, value: float, base: float, target: str) -> None:
    print(f"  {label:<58} {value:8.3f} s  vs {base:8.3f} s  ratio {value / base:6.2f}x   target {target}")


# --- scenarios --------------------------------------------------------------------------------
def startup(quick: bool) -> None:
    print("startup: cold jacli diff vs the sympy one-liner")
    m = medians({
        "jacli": [*jacli_cmd(), "diff", "x^2*sin(x)", "x", "-f", "plain"],
        "sympy": [PY, "-c", "import sympy; x=sympy.Symbol('x'); print(sympy.diff(x**2*sympy.sin(x), x))"],
    }, 5 if quick else 15)
    line('jacli diff "x^2*sin(x)" x -f plain', m["jacli"], m["sympy"], "<= 1.10x")


def help_(quick: bool) -> None:
    print("help: cold jacli --help vs python -c pass")
    m = medians({"jacli": [*jacli_cmd(), "--help"], "python": [PY, "-c", "pass"]}, 5 if quick else 15)
    line("jacli --help", m["jacli"], m["python"], "<= 6x")
    m = medians({"jacli": [*jacli_cmd(), "--version"], "python": [PY, "-c", "pass"]}, 3 if quick else 9)
    line("jacli --version", m["jacli"], m["python"], "(no sympy, no numpy)")


QUADRATIC = "A*x + x .* (B*x)"

JACLI_JACOBIAN = """
import time, jacli
import jacli.calculus  # as the baselines import sympy or symengine before their timers start
n = {n}
t = time.perf_counter()
r = jacli.jacobian({expr!r}, "x", shapes={{"A": f"{{n}}x{{n}}", "B": f"{{n}}x{{n}}", "x": str(n)}})
assert r.expr.shape == (n, n)
print(time.perf_counter() - t)
"""

SYMENGINE_JACOBIAN = """
import time, symengine as se
n = {n}
t = time.perf_counter()
x = se.DenseMatrix(n, 1, [se.Symbol(f"x[{{i}}]") for i in range(n)])
A = se.DenseMatrix(n, n, [se.Symbol(f"A[{{i}},{{j}}]") for i in range(n) for j in range(n)])
B = se.DenseMatrix(n, n, [se.Symbol(f"B[{{i}},{{j}}]") for i in range(n) for j in range(n)])
f = A * x + (B * x).multiply_elementwise(x)
j = f.jacobian(x)
assert j.shape == (n, n)
print(time.perf_counter() - t)
"""

SYMPY_JACOBIAN = """
import time, sympy as sp
n = {n}
t = time.perf_counter()
x = sp.Matrix(n, 1, [sp.Symbol(f"x[{{i}}]", real=True) for i in range(n)])
A = sp.Matrix(n, n, [sp.Symbol(f"A[{{i}},{{j}}]", real=True) for i in range(n) for j in range(n)])
B = sp.Matrix(n, n, [sp.Symbol(f"B[{{i}},{{j}}]", real=True) for i in range(n) for j in range(n)])
f = A * x + (B * x).multiply_elementwise(x)
j = f.jacobian(x)
assert j.shape == (n, n)
print(time.perf_counter() - t)
"""


def jacobian(quick: bool) -> None:
    print(f"jacobian: explicit Jacobian of {QUADRATIC} with respect to x (A, B: n x n symbols)")
    n = 60 if quick else 200
    jt = timed(JACLI_JACOBIAN.format(n=n, expr=QUADRATIC))
    st = timed(SYMENGINE_JACOBIAN.format(n=n))
    line(f"jacli.jacobian, n={n}, vs raw symengine (build + jacobian)", jt, st, "<= 1.2x")
    n = 30 if quick else 100
    jt = timed(JACLI_JACOBIAN.format(n=n, expr=QUADRATIC))
    yt = timed(SYMPY_JACOBIAN.format(n=n))
    line(f"jacli.jacobian, n={n}, vs sympy Matrix.jacobian (build + jacobian)", jt, yt, ">= 100x faster (<= 0.01x)")


def gradient(quick: bool) -> None:
    print("gradient: 1/2*norm(W*x+b-z)^2 with respect to an n x n W, at a point")
    for n in ((10, 20) if quick else (20, 50)):
        at = [f"W=[{','.join('[' + ','.join(str((i + j) % 3 - 1) for j in range(n)) + ']' for i in range(n))}]",
              f"x=[{','.join(str(i % 4) for i in range(n))}]", f"b=[{','.join('1' for _ in range(n))}]",
              f"z=[{','.join('2' for _ in range(n))}]"]
        args = [*jacli_cmd(), "grad", "1/2*norm(W*x+b-z)^2", "--wrt", "W", "-v", f"W:{n}x{n}", "-v", f"x:{n}",
                "-v", f"b:{n}", "-v", f"z:{n}", "-f", "json", "--timeout", "0"]
        for a in at:
            args += ["--at", a]
        t, p = wall(args, check=False)
        outcome = "ok" if p.returncode == 0 else f"exit {p.returncode}: {p.stderr.strip()[:90]}"
        print(f"  {n}x{n} at a point (--at lists): {t:8.3f} s  ({outcome})")
    n = 500
    import json

    import numpy as np

    rng = np.random.default_rng(0)
    values = {"W": rng.normal(size=(n, n)), "x": rng.normal(size=n), "b": rng.normal(size=n), "z": rng.normal(size=n)}
    with tempfile.TemporaryDirectory() as tmp:
        at = []
        for name, value in values.items():
            path = Path(tmp) / f"{name}.json"
            path.write_text(json.dumps(value.tolist()))
            at += ["--at", f"{name}=@{path}"]
        args = [*jacli_cmd(), "grad", "1/2*norm(W*x+b-z)^2", "--wrt", "W", "-v", f"W:{n}x{n}", "-v", f"x:{n}",
                "-v", f"b:{n}", "-v", f"z:{n}", "-f", "json", *at]
        t, p = wall(args, check=False)
    ok = p.returncode == 0 and np.allclose(json.loads(p.stdout)["value"], np.outer(
        values["W"] @ values["x"] + values["b"] - values["z"], values["x"]))
    outcome = "ok, values match numpy" if ok else f"exit {p.returncode}: {p.stderr.strip()[:90]}"
    print(f"  {n}x{n} at a point (--at NAME=@file.json; evaluated through the verified matrix form): {t:8.3f} s  "
          f"({outcome})   target < 2 s")
    t, p = wall([*jacli_cmd(), "grad", "1/2*norm(W*x+b-z)^2", "--wrt", "W", "-v", f"W:{n}x{n}", "-v", f"x:{n}",
                 "-v", f"b:{n}", "-v", f"z:{n}"], check=False)
    print(f"  explicit {n}x{n} without a point: {t:8.3f} s  (exit {p.returncode}: {p.stderr.strip()[:120]})")


KRON_FORM = """
import time, numpy as np
import jacli
from jacli.matrix import numeric as M
from jacli.declarations import Workspace
t = time.perf_counter()  # the work, not the imports
n = {n}
ws = Workspace.from_options(var=["W:m,k", "x:k", "b:m", "z:m"])
res = jacli.hessian("1/2*norm(W*x+b-z)^2", "W", ws=ws)  # derived and verified at random small sizes
rng = np.random.default_rng(0)
vals = {{"W": rng.normal(size=(n, n)), "x": rng.normal(size=(n, 1)), "b": rng.normal(size=(n, 1)),
        "z": rng.normal(size=(n, 1))}}
h = M.value(res.blocks[0].expr, M.Env({{"m": n, "k": n}}, vals))
assert h.shape == (n * n, n * n) and np.allclose(h[:n, :n], vals["x"] @ vals["x"].T)
print(jacli.format_result(res, "plain"))
print(time.perf_counter() - t)
"""

KRON_ENTRIES = """
import time, numpy as np, sympy
import jacli
from jacli import partials
t = time.perf_counter()  # the work, not the imports
n = {n}
ws = jacli.workspace({{"W": f"{{n}}x{{n}}", "x": str(n), "b": str(n), "z": str(n)}})
f = ws.evaluate("1/2*norm(W*x+b-z)^2")
symbols = list(ws.variable("W"))
_, rows = partials.hessian_rows(f, symbols)  # the explicit path: every second partial, entry by entry
rng = np.random.default_rng(0)
subs = dict(zip([s for v in "Wxbz" for s in ws.variable(v)], rng.normal(size=n * n + 3 * n).tolist()))
h = np.array(partials.evaluate_floats(__import__("sympy").ImmutableMatrix(rows), subs), dtype=float).reshape(n * n, n * n)
print(time.perf_counter() - t)
"""


def kron(quick: bool) -> None:
    print("kron: Hessian of 1/2*norm(W*x+b-z)^2 by an n x n W at a point, Kronecker form vs entry by entry")
    import math

    small = (6, 10) if quick else (10, 15, 20)
    fits = []
    for n in small:
        form = statistics.median(timed(KRON_FORM.format(n=n)) for _ in range(1 if quick else 3))
        entries = statistics.median(timed(KRON_ENTRIES.format(n=n)) for _ in range(1 if quick else 3))
        fits.append((n, entries))
        line(f"{n}x{n} W ({n * n}x{n * n} Hessian)", form, entries, "(ratio: Kronecker form / entry by entry)")
    n = 30 if quick else 100
    _, p = wall([PY, "-c", KRON_FORM.format(n=n)])
    form_text, seconds = p.stdout.strip().splitlines()[-2:]
    big = float(seconds)
    # entry-by-entry time grows like a power of n (n^4 second partials); fit t = c * n^a on the two largest sizes
    fits = fits[-2:]  # the largest sizes, where the work dominates
    xs, ys = [math.log(k) for k, _ in fits], [math.log(t) for _, t in fits]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    a = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
    guess = math.exp(my + a * (math.log(n) - mx))
    print(f"  {n}x{n} W ({n * n}x{n * n} Hessian = {form_text}) through the Kronecker form: {big:8.3f} s")
    print(f"  entry by entry at {n}x{n}: not run; extrapolated from the sizes above (t ~ n^{a:.2f}): "
          f"{guess:10.1f} s  ratio {big / guess:.2g}x")


BATCH_BASELINE = """
import sys
from sympy import Symbol, diff
from sympy.parsing.sympy_parser import parse_expr, standard_transformations, convert_xor, implicit_multiplication
x = Symbol("x", real=True)
names = {"x": x}
for text in sys.stdin:
    text = text.strip()
    if text:
        print(diff(parse_expr(text, local_dict=names, transformations=standard_transformations + (convert_xor,)), x))
"""


def batch_lines(count: int) -> str:
    forms = ["x^{k}*sin(x)", "exp({k}*x)/(1+x^2)", "log(x^2+{k})*cos(x)", "tanh({k}*x)^2", "sqrt(x^2+{k})*x^{k}"]
    return "\n".join(forms[i % len(forms)].format(k=i // len(forms) + 2) for i in range(count)) + "\n"  # all distinct


def batch(quick: bool) -> None:
    count = 200 if quick else 1000
    print(f"batch: {count} lines, jacli diff - x vs a raw sympy loop (parse_expr, diff, print)")
    text = batch_lines(count)
    m = medians({
        "jacli": [*jacli_cmd(), "diff", "-", "x", "-f", "plain"],
        "sympy": [PY, "-c", BATCH_BASELINE],
    }, 1, stdin=text, warm=False)
    line(f"jacli diff - x ({count} lines)", m["jacli"], m["sympy"], "<= 1.3x")
    m = medians({
        "jacli": [*jacli_cmd(), "diff", "-", "x", "-f", "plain", "--no-simplify"],
        "sympy": [PY, "-c", BATCH_BASELINE],
    }, 1 if quick else 3, stdin=text, warm=False)
    line(f"jacli diff - x --no-simplify ({count} lines)", m["jacli"], m["sympy"], "(for comparison)")


SCENARIOS = {"startup": startup, "help": help_, "jacobian": jacobian, "gradient": gradient, "batch": batch,
             "kron": kron}


LATEX_FORMULA = (r"\frac{1}{2}\left\| \sigma\left(W_{1} x + b\right) - \hat{z} \right\|^2 + \frac{\eta}{2} "
                 r"\operatorname{tr}\left(W_{1}^{\top} W_{1}\right) + \log\left(1 + e^{-\theta^{\top} x}\right) "
                 r"- \frac{\alpha}{\beta + 1}")
LATEX_TEXT = "1/2*norm(sigmoid(W1*x + b) - zhat)^2 + eta/2*tr(W1'*W1) + log(1 + exp(-theta'*x)) - alpha/(beta + 1)"

READ_LATEX = """
import time
from jacli.declarations import BUILTIN_FUNCTIONS
from jacli.texops import read
from jacli.syntax import parse
text = {text!r}
for _ in range(20):  # warm up
    {call}
t = time.perf_counter()
for _ in range(500):
    {call}
print((time.perf_counter() - t) / 500)
"""


def latex(quick: bool) -> None:
    print(f"latex: reading a {len(LATEX_FORMULA)}-character LaTeX formula vs the text parser "
          f"({len(LATEX_TEXT)} characters of the same expression)")
    shaped = "{'W1', 'x', 'theta'}"
    reps = 3 if quick else 7
    tex = [timed(READ_LATEX.format(text=LATEX_FORMULA, call=f"read(text, BUILTIN_FUNCTIONS, {shaped})"))
           for _ in range(reps)]
    txt = [timed(READ_LATEX.format(text=LATEX_TEXT, call="parse(text, BUILTIN_FUNCTIONS)")) for _ in range(reps)]
    a, b = statistics.median(tex), statistics.median(txt)
    print(f"  {'read one formula (per call, median of processes)':<58} {a * 1e3:8.3f} ms vs {b * 1e3:8.3f} ms  "
          f"ratio {a / b:6.2f}x   target < 5 ms")


SCENARIOS["latex"] = latex


def machine() -> None:
    import numpy
    import sympy

    try:
        import symengine

        sev = symengine.__version__
    except ImportError:
        sev = "not installed"
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()} {platform.release()}, "
          f"load average {load[0]:.2f}")
    print(f"python {platform.python_version()}, sympy {sympy.__version__}, symengine {sev}, numpy {numpy.__version__}")
    print(f"jacli: {' '.join(jacli_cmd())}")
    if shutil.which("hyperfine"):
        print("(hyperfine is installed; this script uses its own interleaved medians)")


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(HERE))
    from session import SCENARIOS as ISSUE_19  # noqa: E402 - it imports helpers from this file

    SCENARIOS.update(ISSUE_19)
    quick = "--quick" in argv
    names = [a for a in argv if not a.startswith("-")] or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise SystemExit(f"unknown scenario(s) {unknown}; choose from {list(SCENARIOS)}")
    machine()
    compile_jacli()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        for name in names:
            SCENARIOS[name](quick)


if __name__ == "__main__":
    main(sys.argv[1:])
