"""LaTeX input (jacli.texread): tests/data/latex_inputs.tsv checked against the text language, the
reader's conventions one by one, operators carried by formulas, and errors that point into the LaTeX."""

from __future__ import annotations

import math
import shlex
from pathlib import Path
from typing import Any

import pytest

from jacli import syntax as sx
from jacli.declarations import BUILTIN_FUNCTIONS, Workspace
from jacli.errors import ParseError, UsageError
from jacli.texops import read

from .conftest import run
from .tables import rows

DATA = Path(__file__).parent / "data" / "latex_inputs.tsv"


def cases() -> list[tuple[str, str, str, str, str]]:
    out = []
    for raw in DATA.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        cols = raw.split("\t")
        cols += [""] * (5 - len(cols))
        out.append((cols[0], cols[1], cols[2], cols[3], cols[4]))
    return out


CASES = cases()


def test_the_data_file_is_substantial() -> None:
    assert len(CASES) >= 60
    assert {c[0] for c in CASES} == {"limit", "diff", "grad", "jacobian", "hessian"}


def numbers(v: Any) -> list[float]:
    if isinstance(v, list):
        return [x for item in v for x in numbers(item)]
    return [float(v)]


@pytest.mark.parametrize("command, latex, text, text_args, shared", CASES, ids=[c[1][:40] for c in CASES])
def test_latex_input_agrees_with_the_text_language(command: str, latex: str, text: str, text_args: str,
                                                    shared: str) -> None:
    common = shlex.split(shared)
    a = run(command, latex, *common, "-f", "json")
    assert a.status == 0, (latex, a.stderr)
    text_common = [x for x in common if x not in ("--input", "latex")]
    b = run(command, text, *shlex.split(text_args), *text_common, "-f", "json")
    assert b.status == 0, (text, b.stderr)
    ja, jb = a.json(), b.json()
    assert ja["wrt"] == jb["wrt"] and ja["shape"] == jb["shape"]
    if "value" in jb:  # numerically, at the --at point
        va, vb = numbers(ja["value"]), numbers(jb["value"])
        assert len(va) == len(vb) and all(math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12) for x, y in zip(va, vb, strict=True))
    else:
        assert ja["result"] == jb["result"]
        if command == "limit":
            assert ja["exists"] == jb["exists"]


# --- conventions --------------------------------------------------------------------------------
def node(latex: str, shaped: set[str] | None = None, functions: set[str] | None = None) -> sx.Node:
    return read(latex, BUILTIN_FUNCTIONS | (functions or set()), shaped or set()).node


def same(latex: str, text: str, **kw: Any) -> None:
    """The LaTeX and the text lower to the same sympy value."""
    ws = Workspace.from_options(**kw, input="latex")
    assert ws.evaluate(latex) == Workspace.from_options(**kw).evaluate(text), (latex, text)


# tests/data/latex_conventions.tsv: scalar or shaped, the formula and its text-language equivalent
CONVENTIONS = rows("latex_conventions.tsv", 3)


@pytest.mark.parametrize("latex, text", [(latex, text) for kind, latex, text in CONVENTIONS if kind == "scalar"])
def test_tex_conventions(latex: str, text: str) -> None:
    same(latex, text)


@pytest.mark.parametrize("latex, text", [(latex, text) for kind, latex, text in CONVENTIONS if kind == "shaped"])
def test_shaped_conventions(latex: str, text: str) -> None:
    same(latex, text, var=["x:2", "A:2x2", "W:2x2", "b:2"])


def test_declared_multi_letter_names_are_read_whole() -> None:
    same(r"\frac{1}{2}\|z - zh\|^2", "1/2*norm(z - zh)^2", var=["z:2", "zh:2"])


def test_declared_function_and_its_derivatives() -> None:
    same(r"f'(g(x)) g'(x)", "f'(g(x))*g'(x)", func=["f", "g"])
    same(r"f^{\prime}(x)", "f'(x)", func=["f"])
    same(r"g_{2}{\left(y,y^{2} \right)}", "g_2(y, y^2)", func=["g(a,b)"])
    same(r"g^{3}{\left(x \right)}", "g(x)^3", func=["g"])


# --- operators ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "latex, command, wrt",
    [
        (r"\frac{d}{dx} x^2", "diff", ("x",)),
        (r"\frac{d^2}{dx^2} x^4", "diff", ("x", "x")),
        (r"\frac{\partial^2}{\partial x \partial y} x y", "diff", ("x", "y")),
        (r"\frac{\partial^{3}}{\partial x^2 \partial y} x^3 y", "diff", ("x", "x", "y")),
        (r"\frac{\partial f}{\partial {x_j}}", "diff", ("xj",)),
        (r"\nabla_W L", "grad", ("W",)),
        (r"\nabla_{x, b} L", "grad", ("x", "b")),
        (r"\nabla^2_x L", "hessian", ("x",)),
        (r"\nabla_x^{2} L", "hessian", ("x",)),
    ],
)
def test_operators(latex: str, command: str, wrt: tuple[str, ...]) -> None:
    op = read(latex, BUILTIN_FUNCTIONS).op
    assert op is not None and op.command == command and op.wrt == wrt


@pytest.mark.parametrize(
    "latex, var, point, side",
    [
        (r"\lim_{x \to 0} x", "x", "0", None),
        (r"\lim \limits_{ x \to x_0} x", "x", "x0", None),
        (r"\lim_{x \rightarrow a^+} x", "x", "a", "+"),
        (r"\lim_{x \to 0^{-}} x", "x", "0", "-"),
        (r"\lim_{n \to \infty} n", "n", "oo", None),
        (r"\lim_{\Delta x \to 0} \Delta x", "Deltax", "0", None),
    ],
)
def test_limit_operators(latex: str, var: str, point: str, side: str | None) -> None:
    op = read(latex, BUILTIN_FUNCTIONS).op
    assert op is not None and op.command == "limit" and op.var == var and op.side == side
    assert isinstance(op.point, sx.Name | sx.Num) and getattr(op.point, "name", getattr(op.point, "text", "")) == point


def plain(*args: str) -> str:
    r = run(*args, "-f", "plain")
    assert r.status == 0, r.stderr
    return r.stdout.strip()


def test_the_formula_is_the_whole_command() -> None:
    assert plain("limit", r"\lim_{x \to 0} \frac{\sin x}{x}") == "1"
    assert plain("limit", r"\lim_{x \to 0^+} \frac{1}{x}") == "oo"
    assert plain("diff", r"\frac{d^2}{dx^2} x^4") == "12*x^2"
    assert plain("hessian", r"\nabla^2_{x} x^2 y") == "2*y"


def test_agreeing_arguments_are_accepted() -> None:
    assert plain("limit", r"\lim_{x \to 0} \frac{\sin x}{x}", "x", "0") == "1"
    assert plain("diff", r"\frac{d^2}{dx^2} x^4", "x", "-n", "2") == "12*x^2"
    assert plain("grad", r"\nabla_{x} x^2 y", "--wrt", "x") == "2*x*y"


# tests/data/latex_disagreements.tsv: a phrase of the message and the arguments
DISAGREEMENTS = [(shlex.split(argv), message) for message, argv in rows("latex_disagreements.tsv", 2)]


@pytest.mark.parametrize("argv, message", DISAGREEMENTS)
def test_disagreements_are_usage_errors(argv: list[str], message: str) -> None:
    r = run(*argv)
    assert r.status == 2 and r.stdout == "" and message in r.stderr, r.stderr


def test_stated_sides_are_compared() -> None:
    r = run("limit", r"\lim \limits_{ x \to 3} x^2 = 9", "-f", "json")
    assert r.status == 0 and r.json()["result"] == "9"
    assert any("agrees with the answer" in n for n in r.json()["notes"])
    r = run("limit", r"\lim \limits_{ x \to 3} x^2 = 8", "-f", "json")
    assert any("DIFFERS" in n for n in r.json()["notes"])


# --- errors ---------------------------------------------------------------------------------------
# tests/data/latex_errors.tsv: the formula, the error's column and a phrase of its message
LATEX_ERRORS = [(latex, message, int(column)) for latex, column, message in rows("latex_errors.tsv", 3)]


@pytest.mark.parametrize("latex, message, column", LATEX_ERRORS)
def test_errors_point_into_the_latex(latex: str, message: str, column: int) -> None:
    with pytest.raises(ParseError) as info:
        node(latex, functions=set())
    assert message in info.value.message and info.value.column == column, (info.value.message, info.value.column)


def test_error_line_on_the_command_line() -> None:
    r = run("diff", r"\frac{\sin x}{x", "x")
    assert r.status == 2 and r.stdout == ""
    first, caret = r.stderr.splitlines()
    assert first.startswith("jacli: expected '}'") and "(column 16)" in first
    assert caret.index("^") == first.index(r"\frac") + 15


def test_input_option_forces_the_language() -> None:
    assert plain("diff", "Wx", "--input", "latex", "-v", "W:1x1", "x") == "W"
    r = run("diff", r"\sin x", "x", "--input", "text")
    assert r.status == 2 and "unexpected character" in r.stderr
    with pytest.raises(UsageError):
        Workspace.from_options(input="html")


def test_the_python_api_reads_latex_too() -> None:
    import jacli

    assert str(jacli.limit(r"\lim_{x \to 0} \frac{\sin x}{x}").blocks[0].expr) == "1"
    r = jacli.gradient(r"\nabla_{W} \frac{1}{2}\|W x - z\|^2", shapes={"W": "2x2", "x": "2", "z": "2"}, check=True)
    assert r.wrt == ["W"] and r.check is not None and r.check.ok


def test_unicode_in_latex_keeps_its_columns() -> None:
    same(r"\frac{θ}{2} + π x", "theta/2 + pi*x")
    with pytest.raises(ParseError) as info:
        node(r"θ + \foo")
    assert info.value.column == 4
