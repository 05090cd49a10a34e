"""Readable at any size (issue 18): output that fits 80 columns, named common subexpressions,
error carets and --check failures that say everything, batch output aligned with its input."""

from __future__ import annotations

import json
import re

import pytest
import sympy as sp
from rich.cells import cell_len

from jacli import diff, gradient, hessian, jacobian
from jacli.answer import verify
from jacli.declarations import Workspace
from jacli.errors import ParseError
from jacli.render import json as json_printer
from jacli.render import latex, plain, pretty
from jacli.render.cse import expand_where, name_common, subterms_of
from jacli.render.fit import wrap
from jacli.render.text import plain_expr

from .conftest import run

LARGE = [
    (jacobian, "softmax(z)", None, ["z:10"]),
    (jacobian, "x .* (A*x)", "x", ["x:10", "A:10x10"]),
    (hessian, "x'*A*x", "x", ["x:5", "A:5x5"]),
    (hessian, "exp(-(x^2+y^2+z^2+w^2+v^2))*sin(x*y*z*w*v)", None, []),
    (hessian, "log(1 + exp(a*b*c*d*e))", None, []),
]


def compute(fn, text, wrt, decls):  # type: ignore[no-untyped-def]
    ws = Workspace.from_options(var=decls)
    return fn(text, wrt, ws=ws), ws


# --- 1. pretty output fits the terminal ---------------------------------------------------------
@pytest.mark.parametrize("cse", [True, False], ids=["named", "no-cse"])
@pytest.mark.parametrize(("fn", "text", "wrt", "decls"), LARGE, ids=[t for _, t, _, _ in LARGE])
def test_large_results_fit_80_columns_in_40_lines(fn, text, wrt, decls, cse) -> None:  # type: ignore[no-untyped-def]
    result, ws = compute(fn, text, wrt, decls)
    result.subterms = subterms_of(text, ws)  # as the command line does
    out = pretty.render(result, color=False, width=80, cse=cse)  # rendered by rich's Console(width=80)
    lines = out.splitlines()
    assert len(lines) <= 40, out
    assert max(cell_len(line) for line in lines) <= 80, out
    assert "↪" not in out  # sympy's strips of a picture cut into pieces


def test_a_matrix_that_does_not_fit_is_shown_as_a_corner_and_says_so() -> None:
    result, _ = compute(hessian, "x'*A*x", "x", ["x:5", "A:5x5"])
    out = pretty.render(result, color=False, width=80)
    assert "rows 1-5 and columns 1-4 of the 5x5 matrix" in out
    assert "A[0,3] + A[3,0]" in out and "A[0,4] + A[4,0]" in out  # the fifth row is there, not the fifth column
    wide = pretty.render(result, color=False, width=200)
    assert "of the 5x5 matrix" not in wide  # all of it fits in 200 columns


def test_entries_too_wide_for_a_matrix_are_listed_and_wrapped_at_operators() -> None:
    result, _ = compute(jacobian, "x .* (A*x)", "x", ["x:10", "A:10x10"])
    out = pretty.render(result, color=False, width=80)
    assert "[0,0]  2*A[0,0]*x[0] + A[0,1]*x[1]" in out
    assert "entries shown" in out and "--full" in out
    first = out.splitlines()[2:4]
    joined = first[0] + " " + first[1].strip()
    assert joined == "[0,0]  " + plain_expr(result.expr[0, 0])


@pytest.mark.parametrize("width", [20, 33, 50, 80])
def test_wrap_breaks_only_after_operators_and_loses_nothing(width: int) -> None:
    result, _ = compute(hessian, "exp(-(x^2+y^2))*sin(x*y)", None, [])
    for entry in result.expr:
        text = plain_expr(entry)
        lines = wrap(text, width, indent=4)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for line in lines:
            assert cell_len(line) <= width or " " not in line.strip()  # only a single long token may overflow
        for line in lines[:-1]:
            assert line.rstrip()[-1] in "+-*/,;" or line.rstrip()[-1:].isalnum() or line.rstrip()[-1] in ")]", line
        # a break never falls inside a name or number: the pieces are whole tokens of the text
        tokens = re.findall(r"[A-Za-z_][A-Za-z0-9_]*|\d+", text)
        assert re.findall(r"[A-Za-z_][A-Za-z0-9_]*|\d+", " ".join(lines)) == tokens


# --- 2. common subexpressions ------------------------------------------------------------------
def test_repeated_rows_of_w_x_plus_b_are_named_once_and_parse_back() -> None:
    decls = ["W:2x3", "x:3", "b:2", "zh:2"]
    result, ws = compute(gradient, "1/2*norm(W*x + b - zh)^2", "W", decls)
    result.subterms = subterms_of(result.input, ws)
    out = plain.render(result)
    first, *where = out.splitlines()
    assert first == "[[u[0]*x[0], u[0]*x[1], u[0]*x[2]], [u[1]*x[0], u[1]*x[1], u[1]*x[2]]]  # denominator layout"
    assert where == ["where u = W*x + b - zh"]
    # every "where" line is a --let definition, and with them the result line parses back
    lets = [line.removeprefix("where ").replace(" = ", "=", 1) for line in where]
    back = Workspace.from_options(var=decls, let=lets).evaluate(first.split("  #")[0])
    assert sp.Matrix(back) == sp.Matrix(result.expr)


def test_without_input_parts_repeated_subtrees_are_named() -> None:
    decls = ["W:2x3", "x:3", "b:2", "zh:2"]
    result, ws = compute(gradient, "1/2*norm(W*x + b - zh)^2", "W", decls)
    first, *where = plain.render(result).splitlines()
    assert where == ["where u1 = W[0,0]*x[0] + W[0,1]*x[1] + W[0,2]*x[2] + b[0] - zh[0]",
                     "where u2 = W[1,0]*x[0] + W[1,1]*x[1] + W[1,2]*x[2] + b[1] - zh[1]"]
    lets = [line.removeprefix("where ").replace(" = ", "=", 1) for line in where]
    back = Workspace.from_options(var=decls, let=lets).evaluate(first.split("  #")[0])
    assert sp.simplify(sp.Matrix(back) - sp.Matrix(result.expr)) == sp.zeros(2, 3)


@pytest.mark.parametrize(("text", "decls", "wrt", "name", "entry"), [
    ("softmax(z)", ["z:4"], None, "s = softmax(z)", "s[0]*(s[1] + s[2] + s[3])"),
    ("x .* (A*x)", ["x:3", "A:3x3"], "x", "u = A*x", "A[0,0]*x[0] + u[0]"),
    ("tanh(W*x + b)", ["W:3x3", "x:3", "b:3"], "x", "t = tanh(W*x + b)", "W[0,0]*(1 - t[0]^2)"),
])
def test_parts_of_the_input_are_named_in_the_entries(text, decls, wrt, name, entry) -> None:  # type: ignore[no-untyped-def]
    r = run("jacobian", text, *(w for d in decls for w in ("-v", d)), *(["--wrt", wrt] if wrt else []), "-f", "plain")
    first, *where = r.lines()
    assert where == [f"where {name}"]
    assert f"[[{entry}," in first
    result, ws = compute(jacobian, text, wrt, decls)
    result.subterms = subterms_of(text, ws)
    named = name_common(result)
    assert expand_where(named.result.expr, named.where).equals(result.expr)
    lets = [name.replace(" = ", "=", 1)]
    back = Workspace.from_options(var=decls, let=lets).evaluate(first.split("  #")[0])
    assert (sp.Matrix(back) - sp.Matrix(result.expr)).applyfunc(sp.simplify) == sp.zeros(*result.expr.shape)


@pytest.mark.parametrize(("fn", "text", "wrt", "decls"), LARGE, ids=[t for _, t, _, _ in LARGE])
def test_naming_shortens_and_expands_back_to_the_result(fn, text, wrt, decls) -> None:  # type: ignore[no-untyped-def]
    result, _ = compute(fn, text, wrt, decls)
    named = name_common(result)
    if not named.where:
        return
    assert expand_where(named.result.expr, named.where) == result.expr
    assert len(plain.render(result)) < len(plain.render(result, cse=False))


def test_cse_in_every_format_and_off_with_no_cse() -> None:
    args = ["grad", "1/2*norm(W*x + b - zh)^2", "--wrt", "W", "-v", "W:2x3", "-v", "x:3", "-v", "b:2", "-v", "zh:2"]
    data = run(*args, "-f", "json").json()
    assert data["where"] == [{"name": "u", "expr": "W*x + b - zh", "latex": "W x + b - zh"}]
    assert data["result_where"].startswith("[[u[0]*x[0]")
    assert "u[0]" not in data["result"]  # "result" stays whole: it parses back on its own
    tex = run(*args, "-f", "latex").stdout
    assert r"\text{where } u = W x + b - zh" in tex
    whole = run(*args, "-f", "json", "--no-cse").json()
    assert "where" not in whole and "u[0]" not in whole["result"]
    assert run(*args, "-f", "plain", "--no-cse").stdout.count("\n") == 1


def test_small_results_are_left_alone() -> None:
    result = diff("x^2*sin(x)", "x")
    assert name_common(result).where == []
    assert plain.render(result) == "x^2*cos(x) + 2*x*sin(x)"


def test_names_avoid_the_users_own() -> None:
    result = gradient("exp(u1*u + a*b*c*d)*sin(u1*u + a*b*c*d)")
    named = name_common(result)
    assert [n for n, _ in named.where] == ["v1", "v2"]  # u and u1 are taken


# --- 4. errors and check reports ---------------------------------------------------------------
LONG = "sin(x) + cos(x) + tan(x) + sinh(x) + cosh(x) + tanh(x) + exp(x) + log(x) + sqrt(x) + asin(x) + @@ x"


@pytest.mark.parametrize("width", [40, 60, 80, 100])
@pytest.mark.parametrize("text", [LONG, "x^", "sin(x) + @ + " + "y" * 200, "(" * 3 + "x" + ")" * 5])
def test_the_caret_stays_under_its_column_within_the_width(text: str, width: int) -> None:
    with pytest.raises(ParseError) as info:
        diff(text, "x")
    err = info.value
    lines = err.render("jacli: ", width).splitlines()
    assert lines[0].startswith("jacli: ")
    caret = lines[-1]
    assert caret.strip() == "^" and len(caret) <= width
    echo = lines[-2]
    col = caret.index("^")
    assert len(echo) <= width or echo is lines[0]  # the echo is cut (the message itself may be long)
    expected = err.text[err.column] if err.column < len(err.text) else None
    if expected is None:
        assert col == len(echo)
    else:
        assert echo[col] == expected


def test_a_failed_check_says_result_point_error_and_entry_in_every_format() -> None:
    base = ["diff", "relu(x)", "x", "--at", "x=0", "--check"]
    r = run(*base, "-f", "plain")
    assert r.status == 3
    assert r.stdout == ("0  # check: DISAGREES with central finite differences at x = 0.0: largest error 0.5 "
                        "at d/dx (jacli 0, finite differences 0.5)\n")
    assert "see the check above" not in r.stderr
    assert r.stderr.splitlines()[-1] == ("jacli: --check: the result disagrees with central finite differences at "
                                         "x = 0.0: largest error 0.5 at d/dx (jacli 0, finite differences 0.5)")
    assert r.stderr.startswith("jacli: note: the derivative does not exist at this point") and r.stderr.count("\n") == 2
    data = run(*base, "-f", "json").json()
    assert data["check"]["worst"] == {"entry": "d/dx", "result": 0.0, "finite_differences": 0.5}
    assert data["exact"] == "0"
    tex = run(*base, "-f", "latex").stdout
    assert tex.splitlines()[1].startswith("% check: DISAGREES") and "d/dx" in tex
    result = diff("relu(x)", "x", at=["x=0"])
    verify(result, Workspace())
    out = pretty.render(result, color=False, width=60)
    assert all(len(line) <= 60 for line in out.splitlines())
    assert "at x = 0.0: largest error 0.5 at d/dx" in " ".join(out.split())


def test_a_failed_check_names_the_entry_of_a_vector_result() -> None:
    data = run("grad", "relu(x'*y)", "-v", "x:2", "-v", "y:2", "--wrt", "x", "--check", "--at", "x=[0,0]",
               "--at", "y=[1,1]", "-f", "json").json()
    assert data["check"]["worst"]["entry"] == "d/dx[0]"


# --- 6. batch output lines up with its input ----------------------------------------------------
def test_batch_json_records_carry_their_line() -> None:
    r = run("diff", "-", "x", "-f", "json", input="x^2\n\n# note\nsin(\nx^3\n")
    records = [json.loads(line) for line in r.lines()]
    assert [rec["line"] for rec in records] == [1, 4, 5]
    assert records[0]["result"] == "2*x" and records[2]["result"] == "3*x^2"
    assert list(records[0])[0] == "line"
    assert "line" not in run("diff", "x^2", "x", "-f", "json").json()  # one expression: no batch line


def test_batch_plain_and_latex_keep_one_line_per_input_line() -> None:
    text = "x^2\nsin(\n\nx^3\n"
    r = run("diff", "-", "x", "-f", "plain", input=text)
    assert r.lines() == ["2*x", "# error: expression ends too early", "", "3*x^2"]
    r = run("diff", "-", "x", "-f", "latex", input=text)
    assert len(r.lines()) == 4 and r.lines()[1] == "% error: expression ends too early"
    # a result that names subexpressions stays on its line in batch mode
    r = run("grad", "-", "--wrt", "W", "-v", "W:2x3", "-v", "x:3", "-v", "b:2", "-f", "plain",
            input="1/2*norm(W*x+b)^2\nnorm(x)^2\n")
    assert len(r.lines()) == 2 and "where" not in r.stdout


def test_json_render_puts_line_first() -> None:
    result = diff("x^2", "x")
    assert json.loads(json_printer.render(result, line=7))["line"] == 7
    assert latex.render(result) == r"\frac{d}{d x} \left(x^{2}\right) = 2 x"


def test_the_users_own_let_names_are_used_and_not_taken() -> None:
    r = run("grad", "1/2*norm(u)^2", "--let", "u=W*x+b-zh", "-v", "W:2x3", "-v", "x:3", "-v", "b:2", "-v", "zh:2",
            "--wrt", "W", "-f", "plain")
    assert r.lines() == ["[[u[0]*x[0], u[0]*x[1], u[0]*x[2]], [u[1]*x[0], u[1]*x[1], u[1]*x[2]]]  # denominator layout",
                         "where u = W*x + b - zh"]
    # a name of the input is never reused for something else
    r = run("grad", "exp(u*a + b*c*d*e)*sin(u*a + b*c*d*e)", "-f", "plain")
    assert all(not line.startswith("where u") for line in r.lines()[1:]) and r.lines()[1].startswith("where v")
