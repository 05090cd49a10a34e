"""The expression language: precedence, implicit multiplication, errors with columns, safety."""

from __future__ import annotations

import pytest
import sympy as sp

from jacli import syntax as sx
from jacli.declarations import Workspace
from jacli.errors import BoundError, ParseError, ShapeError

from .tables import rows

x, y, x1, x2 = (sp.Symbol(n, real=True) for n in ("x", "y", "x1", "x2"))


def val(text: str, **decl: str) -> object:
    return Workspace.from_options(var=[f"{k}:{v}" for k, v in decl.items()]).evaluate(text)


# tests/data/scalar_language.tsv: jacli text and its value in sympy syntax
SCALAR_LANGUAGE = [(text, sp.sympify(value, locals={"x": x, "y": y, "x1": x1, "x2": x2}))
                   for text, value in rows("scalar_language.tsv", 2)]


@pytest.mark.parametrize("text, expected", SCALAR_LANGUAGE)
def test_scalar_language(text: str, expected: object) -> None:
    got = val(text)
    assert got == expected or sp.simplify(got - expected) == 0


# tests/data/parse_errors.tsv: text, the caret's column and a phrase of the message
PARSE_ERRORS = [(text, message, int(column)) for text, column, message in rows("parse_errors.tsv", 3)]


@pytest.mark.parametrize("text, message, column", PARSE_ERRORS)
def test_parse_errors_point_at_the_column(text: str, message: str, column: int) -> None:
    with pytest.raises(ParseError) as info:
        val(text)
    assert message in info.value.message
    assert info.value.column == column
    lines = info.value.render("jacli: ").splitlines()
    assert len(lines) == 2
    assert lines[1].index("^") == lines[0].rindex(text) + column if text else True


def test_depth_and_length_bounds() -> None:
    with pytest.raises(BoundError):
        val("(" * 200 + "x" + ")" * 200)
    with pytest.raises(BoundError):
        val("x+" * 20_000 + "x")
    with pytest.raises(BoundError):
        val("2^2^2^2^2^2")
    with pytest.raises(BoundError):
        val("factorial(10^9)")
    assert val("(" * 50 + "x" + ")" * 50) == x


def test_long_flat_sums_do_not_recurse() -> None:
    text = "+".join(f"x{i}" for i in range(3000))
    assert len(val(text).args) == 3000


def test_shaped_language() -> None:
    W = val("W", W="2x3")
    assert W.shape == (2, 3) and str(W[0, 1]) == "W[0,1]"
    assert val("x'*x", x="3") == sum(sp.Symbol(f"x[{i}]", real=True) ** 2 for i in range(3))
    assert val("x.T", x="3").shape == (1, 3)
    assert val("A^T", A="2x3").shape == (3, 2)
    assert val("W[1,2]", W="2x3") == sp.Symbol("W[1,2]", real=True)
    assert val("x[-1]", x="3") == sp.Symbol("x[2]", real=True)
    assert val("[[1, 2], [3, 4]]").shape == (2, 2)
    assert val("[1, 2, 3]").shape == (3, 1)
    assert val("1 + [1, 2]") == sp.ImmutableMatrix([2, 3])
    assert val("hadamard([1, 2], [3, 4])") == sp.ImmutableMatrix([3, 8])
    assert val("[1, 2] .* [3, 4]") == sp.ImmutableMatrix([3, 8])
    assert val("inv([[2, 0], [0, 4]])") == sp.ImmutableMatrix([[sp.Rational(1, 2), 0], [0, sp.Rational(1, 4)]])
    assert val("[[1, 2], [3, 4]]^-1") == sp.ImmutableMatrix([[-2, 1], [sp.Rational(3, 2), sp.Rational(-1, 2)]])
    assert val("det([[1, 2], [3, 4]])") == -2
    assert val("tr([[1, 2], [3, 4]])") == 5
    assert val("sum([1, 2, 3])") == 6
    assert val("dot([1, 2], [3, 4])") == 11
    assert val("norm([3, 4])") == 5
    assert val("diag([1, 2])") == sp.ImmutableMatrix([[1, 0], [0, 2]])
    assert val("diag([[1, 2], [3, 4]])") == sp.ImmutableMatrix([1, 4])
    assert sp.simplify(val("sum(softmax([x, y]))") - 1) == 0
    assert val("logsumexp([0, 0])") == sp.log(2)
    assert val("exp([0, 0])") == sp.ImmutableMatrix([1, 1])


@pytest.mark.parametrize(
    "text, decl, message",
    [
        ("x + W", {"x": "3", "W": "2x3"}, "cannot add a 3-vector and a 2x3"),
        ("W*W", {"W": "2x3"}, "inner sizes 3 and 2 differ"),
        ("x/x", {"x": "3"}, "cannot divide"),
        ("W[5,0]", {"W": "2x3"}, "out of range"),
        ("det(W)", {"W": "2x3"}, "square matrix"),
        ("[[1, 2], [3]]", {}, "rows of equal length"),
        ("inv([[1, 2], [2, 4]])", {}, "singular"),
        ("x^2", {"x": "3"}, "cannot be raised to a power"),
        ("W^2", {"W": "2x3"}, "only square matrices"),
        ("W^x", {"W": "2x2"}, "integer power"),
    ],
)
def test_shape_errors_name_both_shapes(text: str, decl: dict[str, str], message: str) -> None:
    with pytest.raises(ShapeError) as info:
        val(text, **decl)
    assert message in info.value.message


def test_shape_error_points_at_the_operator() -> None:
    with pytest.raises(ShapeError) as info:
        val("x + W", x="3", W="2x3")
    assert info.value.column == 2


def test_tokenizer_never_sees_python() -> None:
    for text in ["x.__class__", "os.system('ls')", "x; import os", "`ls`", "$(ls)", "x\x00"]:
        with pytest.raises(ParseError):
            sx.parse(text, frozenset())


@pytest.mark.parametrize(
    "expr, var",
    [
        ("f(g(x))", "x"),
        ("f(x^2, y)", "x"),
        ("f(x, y)", "x"),
        ("f(x, x)", "x"),
        ("f(x*y)^2", "y"),
        ("f(sin(x), g(x))", "x"),
        ("f_1(x^2, y)", "x"),
        ("g'(x)*f(x)", "x"),
    ],
)
def test_abstract_derivatives_print_and_parse_back(expr: str, var: str) -> None:
    import jacli
    from jacli.render.plain import plain_expr

    ws = Workspace.from_options(func=["f", "g"])
    result = jacli.diff(expr, var, ws=ws).expr
    text = plain_expr(result)
    assert "Subs" not in text and "Derivative" not in text and "xi" not in text
    again = Workspace.from_options(func=["f", "g"]).evaluate(text)
    assert again == result or sp.simplify(again - result) == 0, text
