"""Reading what people type (../shared/CLI.md, "Reading what people type"): every example of
issue 14 from the shell, the Unicode forms, the new functions, and a corpus of natural inputs
(tests/data/natural_inputs.tsv) none of which may be answered from a silent misread."""

from __future__ import annotations

import math
import re
import shlex
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import given, settings

import jacli
from jacli.declarations import BUILTIN_FUNCTIONS, Workspace
from jacli.language import spellings
from jacli.reading import glued
from jacli.render.plain import plain_expr

from .conftest import run
from .strategies import unicode_exprs

CORPUS = Path(__file__).parent / "data" / "natural_inputs.tsv"


# --- the examples of the issue ------------------------------------------------------------------
@pytest.mark.parametrize("spelling", ["oo", "inf", "Inf", "infinity", "∞", "+inf"])
def test_every_spelling_of_infinity_is_infinity(spelling: str) -> None:
    r = run("limit", "(1+1/n)^n", "n", spelling, "-f", "json")
    assert r.status == 0 and r.json()["result"] == "e" and r.json()["exists"] is True, r


@pytest.mark.parametrize("spelling", ["-oo", "-inf", "-Inf", "-infinity", "-∞"])
def test_minus_infinity(spelling: str) -> None:
    assert run("limit", "exp(x)", "x", spelling).stdout == "0\n"


def test_pi_next_to_a_name_multiplies() -> None:
    assert run("diff", "sin(2πx)", "x").stdout == "2*pi*cos(2*pi*x)\n"


@pytest.mark.parametrize("text, suggestion", [("sinx", "sin(x)"), ("cost", "cos(t)"), ("log2x", "log2(x)"),
                                              ("tanhx", "tanh(x)"), ("sintheta", "sin(theta)")])
def test_names_glued_to_a_function_are_refused_with_the_call(text: str, suggestion: str) -> None:
    r = run("diff", text, "x")
    assert r.status == 2 and r.stdout == ""
    assert f"write {suggestion}" in r.stderr and f"-v {text}:1" in r.stderr


def test_a_glued_name_is_a_name_when_declared_or_differentiated_by() -> None:
    assert run("diff", "sinx^2", "sinx").stdout == "2*sinx\n"
    assert run("diff", "cost*x", "x", "-v", "cost:1").stdout == "cost\n"


def test_names_that_merely_begin_like_a_function_are_names() -> None:
    assert run("diff", "logits*x + cosine", "x").stdout == "logits\n"


def test_repeated_wrt_options_are_joined_in_order() -> None:
    r = run("grad", "x^2+y^2", "--wrt", "x", "--wrt", "y", "-f", "json")
    assert r.json()["wrt"] == ["x", "y"] and r.json()["result"] == "[2*x, 2*y]"


def test_x_T_transposes_and_T_is_no_variable() -> None:
    r = run("grad", "x^T*x", "-v", "x:2", "-f", "json")
    assert r.json()["wrt"] == ["x"] and r.json()["result"] == "[2*x[0], 2*x[1]]", r
    for spelling in ("x^⊤*x", "xᵀ*x", "xᵀx"):
        assert run("grad", spelling, "-v", "x:2").stdout == run("grad", "x'*x", "-v", "x:2").stdout


def test_T_is_a_power_when_declared_and_a_scalar_base_is_refused() -> None:
    assert run("diff", "(1+r)^T", "r", "-v", "T:1").stdout == "T*(r + 1)^T/(r + 1)\n"
    r = run("diff", "(1+r)^T", "r")
    assert r.status == 2 and "declare T (-v T:1) for a power" in r.stderr


def test_an_undeclared_factor_of_a_matrix_product_is_a_scalar_with_a_note() -> None:
    r = run("grad", "x'*A*x", "-v", "x:n", "--wrt", "x")
    assert r.status == 0 and r.stdout == "2*A*x  # denominator layout\n"
    assert "note: A is not declared, so it is taken as a scalar" in r.stderr and "-v A:n,n" in r.stderr
    quiet = run("grad", "x'*A*x", "-v", "x:n", "-v", "A:n,n", "--wrt", "x")
    assert "note" not in quiet.stderr


def test_a_variable_that_does_not_occur_gets_a_note() -> None:
    r = run("diff", "x^2", "y")
    assert (r.status, r.stdout) == (0, "0\n")
    assert r.stderr == "jacli: note: y does not occur in the expression, so the derivative by it is 0\n"
    r = run("grad", "x^2", "--wrt", "x,y", "-f", "json")
    assert r.json()["result"] == "[2*x, 0]" and r.json()["notes"] == [
        "y does not occur in the expression, so the derivative by it is 0"]


@pytest.mark.parametrize("text, expected", [
    ("θ^2", "2*theta"), ("λ*x", "lambda"), ("σ(x)", "(1 - sigmoid(x))*sigmoid(x)"), ("x₁^2", "2*x1"),
    ("|x|", "sign(x)"), ("√x", "1/(2*sqrt(x))"), ("x²", "2*x"), ("x⁻¹", "-1/x^2"), ("lambda*x", "lambda"),
    ("x·y", "y"), ("x − 1", "1"), ("sin²(x)", "2*sin(x)*cos(x)"),
])
def test_unicode_and_names_read_as_written(text: str, expected: str) -> None:
    var = {"θ^2": "θ", "x₁^2": "x₁"}.get(text, "x")
    r = run("diff", text, var)
    assert (r.status, r.stdout) == (0, expected + "\n"), r


def test_norm_bars_and_abs_bars_on_vectors() -> None:
    assert run("grad", "‖x‖^2", "-v", "x:2").stdout == "[2*x[0], 2*x[1]]  # denominator layout\n"
    assert run("grad", "||x||^2", "-v", "x:2").stdout == "[2*x[0], 2*x[1]]  # denominator layout\n"
    r = run("grad", "|x|", "-v", "x:2")
    assert r.status == 2 and "write norm(...) or ‖...‖" in r.stderr


@pytest.mark.parametrize("text", ["√x^2", "√2x", "а*x", "Α*x", "sin^-1(x)"])
def test_readings_that_are_not_safe_are_refused(text: str) -> None:
    r = run("diff", text, "x")
    assert r.status == 2 and r.stdout == "" and "column" in r.stderr, r


def test_look_alike_letters_name_what_they_are() -> None:
    r = run("diff", "а*x", "x")  # Cyrillic a
    assert "cyrillic small letter a" in r.stderr and "Latin letter 'a'" in r.stderr


@pytest.mark.parametrize("text, hint", [("Sin(x)", "did you mean sin(...)"), ("sinn(x)", "did you mean sin(...)"),
                                        ("arctan2(y, x)", "no two-argument arctangent"),
                                        ("sigmod(x)", "did you mean sigmoid(...)"), ("foo(x)", "--func foo")])
def test_unknown_functions_get_a_did_you_mean(text: str, hint: str) -> None:
    r = run("diff", text, "x")
    assert r.status == 2 and hint in r.stderr, r


def test_python_keywords_are_names() -> None:
    assert run("grad", "lambda*norm(w)^2", "-v", "w:2", "--wrt", "w").stdout == \
        "[2*lambda*w[0], 2*lambda*w[1]]  # denominator layout\n"


def test_limit_points_carry_their_side() -> None:
    assert run("limit", "1/x", "x", "0+").stdout == "oo\n"
    assert run("limit", "1/x", "x", "0-").stdout == "-oo\n"
    assert run("limit", "1/x", "x", "0^+").stdout == "oo\n"
    r = run("limit", "1/x", "x", "0+", "--dir", "-")
    assert r.status == 2 and "approaches from the right" in r.stderr


def test_diff_takes_wrt() -> None:
    assert run("diff", "x^3*y^2", "--wrt", "x,y").stdout == run("diff", "x^3*y^2", "x", "y").stdout == "6*x^2*y\n"
    assert run("diff", "x*y", "x", "--wrt", "y").status == 2


def test_at_sets_several_values() -> None:
    assert run("grad", "x*y", "--at", "x=1,y=2").stdout == "[2, 1]  # denominator layout\n"
    assert run("grad", "x'*x*y", "-v", "x:2", "--at", "x=[1,2],y=3", "--wrt", "y").stdout == "5\n"
    r = run("grad", "x*y", "--at", "x=1,2")
    assert r.status == 2 and "x=[1,2]" in r.stderr


# --- the new functions ----------------------------------------------------------------------------
FUNCTIONS = {  # text -> (numpy-free reference of the function, its derivative at 0.7 by hand)
    "softplus(x)": lambda x: math.log1p(math.exp(x)),
    "gelu(x)": lambda x: x / 2 * (1 + math.erf(x / math.sqrt(2))),
    "erf(x)": math.erf,
    "log10(x)": math.log10,
    "log2(x)": math.log2,
    "max(x, 0.5)": lambda x: max(x, 0.5),
    "min(x^2, 0.3)": lambda x: min(x * x, 0.3),
    "arcsin(x)": math.asin, "arccos(x)": math.acos, "arctan(x)": math.atan,
    "sec(x)": lambda x: 1 / math.cos(x), "csc(x)": lambda x: 1 / math.sin(x), "cot(x)": lambda x: 1 / math.tan(x),
    "arsinh(x)": math.asinh, "arccosh(x + 1)": lambda x: math.acosh(x + 1), "artanh(x)": math.atanh,
    "acoth(x + 1)": lambda x: math.atanh(1 / (x + 1)), "sech(x)": lambda x: 1 / math.cosh(x),
    "csch(x)": lambda x: 1 / math.sinh(x), "asech(x)": lambda x: math.acosh(1 / x),
    "acsch(x)": lambda x: math.asinh(1 / x),
}


@pytest.mark.parametrize("text", sorted(FUNCTIONS))
def test_new_functions_differentiate_like_finite_differences(text: str) -> None:
    f = FUNCTIONS[text]
    x0, h = 0.7, 1e-6
    expected = (f(x0 + h) - f(x0 - h)) / (2 * h)
    r = run("diff", text, "x", "--at", "x=0.7", "-f", "json", "--check")
    assert r.status == 0, r
    assert r.json()["check"]["ok"] is True
    assert r.json()["value"] == pytest.approx(expected, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("text", ["softplus(x)", "gelu(x)", "erf(x)", "max(x, 1)", "arctan(x)", "sech(x)"])
def test_new_functions_have_steps_and_latex(text: str) -> None:
    steps = run("diff", text, "x", "--steps", "-f", "json").json()["steps"]
    assert "no step-by-step rule" not in str(steps) and "rule table has no entry" not in str(steps)
    latex = run("diff", text, "x", "--latex").stdout
    assert "operatorname{" + text.split("(")[0] + "}" in latex or "\\max" in latex or "\\arctan" in latex \
        or "\\operatorname{sech}" in latex


def test_max_has_relus_choice_at_the_kink() -> None:
    assert run("diff", "max(x, 0)", "x").stdout == run("diff", "relu(x)", "x").stdout == "step(x)\n"
    assert run("diff", "max(x, 0)", "x", "--at", "x=0").stdout.endswith("0\n")


def test_numpy_output_knows_the_new_functions_and_keyword_names(tmp_path: Path) -> None:
    import runpy

    import numpy as np

    r = run("grad", "lambda*norm(w)^2 + sum(softplus(w)) + sum(gelu(w))", "-v", "w:n", "--wrt", "w", "-f", "numpy")
    assert r.status == 0, r
    path = tmp_path / "g.py"
    path.write_text(r.stdout)
    f = runpy.run_path(str(path))["grad_w"]
    w = np.array([0.3, -1.2])
    value, grad = f(0.5, w)
    phi = np.array([0.5 * (1 + math.erf(t / math.sqrt(2))) for t in w])
    expected = w + 1 / (1 + np.exp(-w)) + phi + w * np.exp(-w**2 / 2) / math.sqrt(2 * math.pi)
    assert np.allclose(grad, expected)


def test_help_and_catalogue_list_every_function() -> None:
    assert BUILTIN_FUNCTIONS <= spellings()
    text = run("--help").stdout
    for word in ("softplus", "gelu", "erf", "log10", "arctan", "mean", "max(a, b)", "infinity", "lambda"):
        assert word in text, word


# --- JSON and the Python API ----------------------------------------------------------------------
def test_every_result_object_has_the_same_keys() -> None:
    keys = {"command", "input", "wrt", "layout", "shape", "result", "latex", "notes"}
    for argv in (["limit", "sin(x)/x", "x", "0"], ["diff", "x^2", "x"], ["grad", "x*y"],
                 ["jacobian", "[x, y]"], ["hessian", "x*y"]):
        record = run(*argv, "-f", "json").json()
        assert keys <= set(record), (argv, record)
    assert run("diff", "x^2", "x", "-f", "json").json()["layout"] is None


def test_the_python_api_takes_numbers() -> None:
    assert jacli.limit("sin(x)/x", "x", 0).expr == 1
    assert jacli.diff("x^2*y", "x", at={"x": 1.5, "y": 2}).blocks[0].value == 6.0
    assert jacli.gradient("x'*x", shapes={"x": "2"}, at={"x": [1, 2]}).blocks[0].value == [2.0, 4.0]
    assert jacli.limit("1/x", "x", "0+").expr == sp.oo


# --- the corpus of natural inputs -----------------------------------------------------------------
def corpus() -> list[tuple[str, list[str]]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            status, args = line.split("\t", 1)
            rows.append((status, shlex.split(args)))
    return rows


ROWS = corpus()


def test_the_corpus_is_large_enough() -> None:
    assert len(ROWS) >= 200


def _declarations(argv: list[str]) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv[:-1]) if a in ("-v", "--var")]


@pytest.mark.parametrize("status, argv", ROWS, ids=[" ".join(a) for _, a in ROWS])
def test_no_natural_input_is_answered_from_a_misread(status: str, argv: list[str]) -> None:
    r = run(*argv, "-f", "json", "--timeout", "30")
    if status == "*":
        assert r.status in (0, 2), r
    else:
        assert r.status == int(status), r
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r
    if r.status != 0:
        assert r.stdout == "" and r.stderr.startswith("jacli: ") and len(r.stderr.splitlines()) <= 2, r
        return
    record = r.json()
    ws = Workspace.from_options(var=_declarations(argv))
    ws.stated = set(record["wrt"])
    used = set(ws.variables_of(ws.parse(record["input"])))
    notes = " ".join(record["notes"])
    for name in record["wrt"]:  # a stated variable that does not occur is said to be so
        base = re.sub(r"\[.*", "", name)
        assert base in used or f"{name} does not occur" in notes, (argv, record)
    for name in used - set(record["wrt"]) - set(ws.shapes):  # no name is a function call misread
        assert glued(name, BUILTIN_FUNCTIONS) is None, (argv, name)


# --- round trip -----------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(unicode_exprs)
def test_printed_text_reads_back_to_the_same_expression(text: str) -> None:
    """Unicode input (‖x‖, √, Greek names, superscripts, σ) is read as written; what jacli prints
    in plain text reads back to the same expression."""
    ws = Workspace()
    value = ws.lower(ws.parse(text), text)
    printed = plain_expr(value)
    again = Workspace()
    back = again.lower(again.parse(printed), printed)
    assert back == value or sp.simplify(back - value) == 0, (text, printed)


def test_diff_wrt_is_checked_inside_the_command() -> None:
    """Found by the slow fuzz run: a --wrt naming a variable twice gave a traceback in diff."""
    assert run("diff", "x^3", "--wrt", "x,x").stdout == "6*x\n"  # a mixed partial may repeat a variable
    r = run("diff", "x", "--wrt", "--wrt", "--wrt", "--wrt")
    assert r.status == 2 and "Traceback" not in r.stderr and r.stderr.count("\n") == 1, r
    assert run("diff", "x", "--wrt", "").status == 2


def test_the_variable_of_diff_is_no_undeclared_scalar() -> None:
    r = run("diff", "inv(A + t*B)", "t", "-v", "A:n,n", "-v", "B:n,n")
    assert r.status == 0 and r.stdout == "-inv(A + t*B)*B*inv(A + t*B)\n" and "note" not in r.stderr, r
