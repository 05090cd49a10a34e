"""What jacli prints as LaTeX (--latex, the JSON latex field) reads back to the same expression, and
random LaTeX token soups never crash the reader: exit 2 with a column, or an answer."""

from __future__ import annotations

import random
from typing import Any

import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jacli.declarations import Workspace
from jacli.errors import EvaluationError, JacliError, ParseError, ResourceError
from jacli.render.latex import latex_expr

from .conftest import run
from .strategies import _shaped_expr, scalar_exprs

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def close(a: Any, b: Any) -> bool:
    """Equal as sympy values, or numerically equal at random points (both sides, every entry)."""
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        return (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase) and a.shape == b.shape
                and all(close(p, q) for p, q in zip(a, b, strict=True)))
    if a == b:
        return True
    free = sorted(a.free_symbols | b.free_symbols, key=str)
    rng = random.Random(0)
    for _ in range(3):
        point = {s: sp.Rational(rng.randint(-9, 9), 7) for s in free}
        x, y = complex(sp.N(a.xreplace(point))), complex(sp.N(b.xreplace(point)))
        if abs(x - y) > 1e-9 * (1 + abs(x)):
            return False
    return True


def read_back(value: Any, ws: Workspace) -> Any:
    text = latex_expr(value)
    reader = Workspace(shapes=dict(ws.shapes), funcs=dict(ws.funcs), input="latex")
    return reader.evaluate(text)


@SETTINGS
@given(scalar_exprs)
def test_scalar_latex_reads_back(expr: str) -> None:
    ws = Workspace()
    try:
        value = ws.evaluate(expr)
        derivative = sp.diff(value, sp.Symbol("x", real=True))
    except (EvaluationError, ResourceError):
        assume(False)
    for v in (value, derivative):
        assert close(read_back(v, ws), v), latex_expr(v)


SHAPES = {"x": (2, 1), "b": (2, 1), "W": (2, 2), "A": (2, 2), "s": (1, 1)}


@SETTINGS
@given(st.data(), st.sampled_from([(1, 1), (2, 1), (2, 2)]))
def test_shaped_latex_reads_back(data: st.DataObject, shape: tuple[int, int]) -> None:
    expr = _shaped_expr(data.draw, shape, SHAPES, data.draw(st.integers(1, 2)))
    ws = Workspace.from_options(var=[f"{n}:{r}x{c}" for n, (r, c) in SHAPES.items() if (r, c) != (1, 1)])
    try:
        value = ws.evaluate(expr)
    except (EvaluationError, ResourceError):
        assume(False)
    assert close(read_back(value, ws), value), latex_expr(value)


def test_printed_results_read_back_through_the_cli() -> None:
    """The JSON latex field of real results, read back, equals the JSON result (the text form)."""
    cases = [
        ["diff", "x^2*sin(x)", "x"],
        ["diff", "f(g(x))", "x", "--func", "f", "--func", "g"],
        ["diff", "g(x, x^2)", "x", "--func", "g(a,b)"],
        ["grad", "1/2*norm(W*x+b-z)^2", "--wrt", "W", "-v", "W:2x2", "-v", "x:2", "-v", "b:2", "-v", "z:2"],
        ["jacobian", "softmax(z)", "-v", "z:2"],
        ["hessian", "x^2*y + sigmoid(y) + lr*x"],
        ["diff", "tanh(x)^2*cosh(x) + asin(x) + abs(x)^3", "x"],
    ]
    for argv in cases:
        r = run(*argv, "-f", "json")
        assert r.status == 0, r.stderr
        out = r.json()
        decl = [argv[k + 1] for k, a in enumerate(argv) if a == "-v"]
        funcs = [argv[k + 1] for k, a in enumerate(argv) if a == "--func"]
        ws = Workspace.from_options(var=decl, func=funcs)
        latex = Workspace.from_options(var=decl, func=funcs, input="latex").evaluate(out["latex"])
        assert close(latex, ws.evaluate(out["result"])), (argv, out["latex"])


# --- fuzzing --------------------------------------------------------------------------------------
LATEX_TOKENS = st.sampled_from([
    "x", "y", "W", "2", "0.5", "+", "-", "^", "_", "{", "}", "(", ")", "[", "]", "|", "\\|", ",", "'", "=", "&",
    "\\\\", "\\frac", "\\sqrt", "\\sin", "\\log", "\\det", "\\left(", "\\right)", "\\left|", "\\right.", "\\lim",
    "\\to", "\\infty", "\\partial", "d", "\\nabla", "\\hat", "\\mathbf", "\\mathrm{d}", "\\operatorname{tr}",
    "\\cdot", "\\odot", "\\top", "\\begin{bmatrix}", "\\end{bmatrix}", "\\begin{align}", "\\cdots", "\\vdots",
    "\\int", "\\sigma", "\\theta", "\\Delta", "\\{", "\\}", " ", "$", "\\,", "\\quad", "\\", "%", "\\foo", "é",
    "\\tag{1}", "x_{11}", "\\prime", "!", "\\in", "\\mathbb{R}",
])
latex_soup = st.lists(LATEX_TOKENS, min_size=1, max_size=14).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(latex_soup)
def test_latex_soup_never_crashes_the_reader(text: str) -> None:
    ws = Workspace.from_options(var=["W:2x2"], input="latex")
    try:
        ws.parse(text)
    except ParseError as err:
        assert 0 <= err.column <= len(text)
        assert "\n" not in err.message
    except JacliError as err:  # bounds, usage: one line
        assert "\n" not in err.message


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(latex_soup, st.sampled_from(["limit", "diff", "grad", "jacobian", "hessian"]))
def test_latex_soup_on_the_command_line(text: str, command: str) -> None:
    r = run(command, "\\ " + text, "--timeout", "5")
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    if r.status == 2 and r.stderr.startswith("jacli: ") and "(column " in r.stderr:
        assert r.stdout == ""
        assert r.stderr.splitlines()[-1].strip() == "^"
    else:
        assert r.status in (0, 1, 2, 4), r


MATRIX_FORMS = [
    ["grad", "1/2*norm(W*x+b-z)^2", "--wrt", "W", "-v", "W:m,n", "-v", "x:n", "-v", "b:m", "-v", "z:m"],
    ["grad", "x'*A*x", "--wrt", "x", "-v", "x:n", "-v", "A:n,n"],
    ["hessian", "x'*A*x", "--wrt", "x", "-v", "x:n", "-v", "A:n,n"],
    ["grad", "logdet(X) + tr(A*X)", "--wrt", "X", "-v", "X:n,n", "-v", "A:n,n"],
    ["jacobian", "tanh(W*x)", "--wrt", "x", "-v", "W:m,n", "-v", "x:n"],
    ["grad", "sum(sigmoid(W*x))", "--wrt", "x", "-v", "W:m,n", "-v", "x:n"],
    ["grad", "1/2*norm(W*x+b-z)^2", "--wrt", "x", "-v", "W:m,n", "-v", "x:n", "-v", "b:m", "-v", "z:m"],
]


def test_matrix_forms_read_back() -> None:
    """A matrix form printed for symbolic sizes, read back at concrete sizes (m=2, n=3; square
    matrices 2x2), equals jacli's entry-by-entry result at those sizes."""
    for argv in MATRIX_FORMS:
        r = run(*argv, "-f", "json")
        assert r.status == 0, r.stderr
        latex = r.json()["latex"]
        square = any(a.endswith(":n,n") for a in argv)
        sizes = {"m": "2", "n": "2" if square else "3"}
        concrete = [a if ":" not in a else a.split(":")[0] + ":" + ",".join(sizes.get(d, d) for d in a.split(":")[1].split(","))
                    for a in argv]
        entries = run(*concrete, "-f", "json")
        assert entries.status == 0, entries.stderr
        decls = [concrete[k + 1] for k, a in enumerate(concrete) if a == "-v"]
        value = Workspace.from_options(var=decls, input="latex").evaluate(latex)
        expected = Workspace.from_options(var=decls).evaluate(entries.json()["result"])
        assert close(value, expected), (argv, latex)


def test_the_whole_latex_display_is_a_command_again() -> None:
    """`jacli CMD ... --latex` prints `operator(f) = answer`; pasted back, it is the same command, and
    its right-hand side is found to agree."""
    for argv in (["diff", "x^2*sin(x)", "x"], ["diff", "x^3*y^2", "x", "y"], ["diff", "exp(-x^2)", "x", "-n", "2"],
                 ["limit", "sin(x)/x", "x", "0"], ["limit", "1/x", "x", "0", "--dir", "+"],
                 ["grad", "x^2*y + sin(y)"], ["hessian", "x^2*y + y^3"]):
        shown = run(*argv, "--latex")
        assert shown.status == 0, shown.stderr
        again = run(argv[0], shown.stdout.strip(), "-f", "json")
        assert again.status == 0, (argv, shown.stdout, again.stderr)
        first = run(*argv, "-f", "json").json()
        assert again.json()["result"] == first["result"] and again.json()["wrt"] == first["wrt"], argv
        assert any("agrees with the answer" in n for n in again.json()["notes"]), (argv, again.json())
