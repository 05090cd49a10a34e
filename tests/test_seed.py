"""Every computation of the seed text (../shared/seed/000_7de19efaa4c56e02.txt), reproduced with jacli.

The seed's mistakes are corrected and commented where they occur. Commands run through the real
entry point (plain output) so this module doubles as an acceptance test of the CLI.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from .conftest import run


def out(*args: str) -> str:
    r = run(*args, "-f", "plain")
    assert r.status == 0, r.stderr
    return r.stdout.strip()


def value(*args: str) -> object:
    r = run(*args, "-f", "json")
    assert r.status == 0, r.stderr
    return json.loads(r.stdout)["value"]


# --- 极限 (limits) ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "expr, expected",
    [
        ("1/n", "0"),  # {1, 1/2, 1/3, ...} -> 0
        ("3 - 1/n", "3"),  # {3-1, 3-1/2, ...} -> 3
        # {0.3, 0.33, 0.333, ...}: the n-th term is (1 - 10^-n)/3. The seed says the limit is 10/3;
        # it is 1/3.
        ("(1 - 10^-n)/3", "1/3"),
        ("sum([3*10^-1, 3*10^-2]) + 0*n", "33/100"),  # the partial sums themselves are exact
        ("(3 - 1/n)^2", "9"),  # f(x) = x^2 along x_n = 3 - 1/n
    ],
)
def test_limits_of_sequences(expr: str, expected: str) -> None:
    assert out("limit", expr, "n") == expected


def test_limit_of_a_function() -> None:
    assert out("limit", "x^2", "x", "3") == "9"


def test_epsilon_n_example() -> None:
    # from n = 1000 on, |1/n - 0| < epsilon = 0.001 (strictly after n = 1000)
    assert value("diff", "1/n", "n", "--at", "n=1001") == pytest.approx(-1 / 1001**2)
    r = run("limit", "1/n", "n", "-f", "json")
    assert r.json()["exists"] is True


# --- 导数 (the derivative as a limit, and the tangent approximation) ----------------------------
def test_derivative_is_the_limit_of_difference_quotients() -> None:
    assert out("limit", "((x+h)^2 - x^2)/h", "h", "0") == "2*x"
    assert out("limit", "(sin(x+h) - sin(x))/h", "h", "0") == "cos(x)"
    assert out("diff", "x^2", "x") == "2*x"


def test_increment_is_approximately_derivative_times_step() -> None:
    # f(x+dx) - f(x) ~ f'(x) dx for f = x^2 sin x at x = 1, dx = 1e-4
    slope = value("diff", "x^2*sin(x)", "x", "--at", "x=1")
    f = lambda t: t**2 * np.sin(t)  # noqa: E731
    assert f(1 + 1e-4) - f(1) == pytest.approx(slope * 1e-4, rel=1e-3)


# --- 导数的四则运算 and 链式法则 (the four rules and the chain rule, in general form) ------------
@pytest.mark.parametrize(
    "expr, expected",
    [
        ("f(x) + g(x)", "f'(x) + g'(x)"),
        ("f(x) - g(x)", "f'(x) - g'(x)"),
        ("f(x)*g(x)", "f(x)*g'(x) + f'(x)*g(x)"),
        ("f(g(x))", "f'(g(x))*g'(x)"),
    ],
)
def test_rules_for_abstract_functions(expr: str, expected: str) -> None:
    assert out("diff", expr, "x", "--func", "f", "--func", "g") == expected


def test_quotient_rule() -> None:
    got = out("diff", "f(x)/g(x)", "x", "--func", "f", "--func", "g")
    # (f/g)' = (f'g - fg')/g^2, written as two terms
    assert got == "-f(x)*g'(x)/g(x)^2 + f'(x)/g(x)"


# --- 偏导数与梯度 (partial derivatives and gradients) --------------------------------------------
def test_gradient_of_affine_function_of_scalars() -> None:
    y = "w1*x1 + w2*x2 + w3*x3 + b"
    assert out("grad", y, "--wrt", "w1,w2,w3") == "[x1, x2, x3]  # denominator layout"
    assert out("grad", y, "--wrt", "x1,x2,x3") == "[w1, w2, w3]  # denominator layout"
    assert out("grad", y, "--wrt", "b") == "1"
    assert out("grad", y, "--wrt", "w1,w2,w3", "--layout", "numerator") == "[[x1, x2, x3]]  # numerator layout"


def test_gradient_of_affine_function_of_vectors() -> None:
    decl = ["-v", "w:3", "-v", "x:3"]
    assert out("grad", "w'*x + b", "--wrt", "w", *decl) == "[x[0], x[1], x[2]]  # denominator layout"
    assert out("grad", "w'*x + b", "--wrt", "x", *decl) == "[w[0], w[1], w[2]]  # denominator layout"


def test_gradient_dot_increment() -> None:
    # f(x + dx) - f(x) ~ grad f . dx
    g = value("grad", "x1^2*x2 + sin(x2)", "--at", "x1=1", "--at", "x2=2")
    dx = np.array([1e-5, -2e-5])
    f = lambda a, b: a**2 * b + np.sin(b)  # noqa: E731
    assert f(1 + dx[0], 2 + dx[1]) - f(1, 2) == pytest.approx(np.dot(g, dx), rel=1e-4)


# --- Jacobian (向量值函数的导数) ----------------------------------------------------------------
def test_derivative_of_vector_function_of_one_variable() -> None:
    assert out("diff", "[sin(x), x^2, exp(x)]", "x") == "[cos(x), 2*x, exp(x)]"


def test_identity_jacobian() -> None:
    assert out("jacobian", "x", "-v", "x:3") == "[[1, 0, 0], [0, 1, 0], [0, 0, 1]]  # numerator layout"


DECL = ["-v", "W:2x3", "-v", "x:3", "-v", "b:2"]


def test_jacobian_of_affine_map_wrt_x_is_W() -> None:
    # The seed prints the first column as w11, w21, ... twice (w11 w11 ... w1n): the second column
    # is w12, w22, ...; the Jacobian is W itself.
    assert out("jacobian", "W*x + b", "--wrt", "x", *DECL) == (
        "[[W[0,0], W[0,1], W[0,2]], [W[1,0], W[1,1], W[1,2]]]  # numerator layout"
    )


def test_jacobian_of_affine_map_wrt_b_is_identity() -> None:
    assert out("jacobian", "W*x + b", "--wrt", "b", *DECL) == "[[1, 0], [0, 1]]  # numerator layout"


def test_jacobian_of_affine_map_wrt_W_is_block_structured() -> None:
    # m x (m n): row i holds x^T in the columns of W's row i (W flattened row by row, as the seed does)
    assert out("jacobian", "W*x + b", "--wrt", "W", *DECL) == (
        "[[x[0], x[1], x[2], 0, 0, 0], [0, 0, 0, x[0], x[1], x[2]]]  # numerator layout"
    )


# --- the composite example: y(z(x)), chain rule as a product of Jacobians ------------------------
LET = ["--let", "z=[[2,4,7],[3,5,4]]*x", "-v", "x:3"]


def test_composite_row_convention() -> None:
    assert out("jacobian", "4*z[0] + 3*z[1]", *LET) == "[[17, 31, 40]]  # numerator layout"
    assert out("jacobian", "[[2,4,7],[3,5,4]]*x", "-v", "x:3") == "[[2, 4, 7], [3, 5, 4]]  # numerator layout"


def test_composite_column_convention() -> None:
    assert out("grad", "4*z[0] + 3*z[1]", *LET) == "[17, 31, 40]  # denominator layout"
    assert out("jacobian", "[[2,4,7],[3,5,4]]*x", "-v", "x:3", "--layout", "denominator") == (
        "[[2, 3], [4, 5], [7, 4]]  # denominator layout"
    )


def test_composite_with_scalar_variables() -> None:
    assert out("jacobian", "4*z1 + 3*z2", "--let", "z1=2x1+4x2+7x3", "--let", "z2=3x1+5x2+4x3") == (
        "[[17, 31, 40]]  # numerator layout"
    )
    assert out("diff", "4(2x1+4x2+7x3) + 3(3x1+5x2+4x3)", "x1") == "17"


# --- y = 1/2 (z - zhat)^2 with z = W x + b ----------------------------------------------------
SEED_Y = "1/2*norm(W*x + b - zhat)^2"
SEED_DECL = ["-v", "W:2x3", "-v", "x:3", "-v", "b:2", "-v", "zhat:2"]
POINT = ["--at", "W=[[1,2,0],[0,1,3]]", "--at", "x=[1,-1,2]", "--at", "b=[1,0]", "--at", "zhat=[0,2]"]
# at this point z = W x + b = [0, 5], r = z - zhat = [0, 3]


def test_dy_dz_is_z_minus_zhat_not_z() -> None:
    # The seed writes y'(z) = z^T; for y = 1/2 (z - zhat)^2 it is (z - zhat)^T.
    assert out("jacobian", "1/2*norm(z - zhat)^2", "--wrt", "z", "-v", "z:2", "-v", "zhat:2") == (
        "[[z[0] - zhat[0], z[1] - zhat[1]]]  # numerator layout"
    )


def test_dy_dW_is_r_x_transpose() -> None:
    got = value("grad", SEED_Y, "--wrt", "W", *SEED_DECL, *POINT, "--check")
    r, x = np.array([0, 3]), np.array([1, -1, 2])
    assert np.allclose(got, np.outer(r, x))  # (Wx + b - zhat) x^T, shape 2 x 3 like W
    # The seed's "z x^T = x z^T" is wrong in general: x z^T is 3 x 2, the transpose.
    assert np.outer(r, x).shape != np.outer(x, r).shape
    numerator = value("grad", SEED_Y, "--wrt", "W", *SEED_DECL, *POINT, "--layout", "numerator")
    assert np.allclose(numerator, np.outer(x, r))  # the row convention writes x r^T (3 x 2)


def test_dy_dx_is_W_transpose_r() -> None:
    got = value("grad", SEED_Y, "--wrt", "x", *SEED_DECL, *POINT, "--check")
    W, r = np.array([[1, 2, 0], [0, 1, 3]]), np.array([0, 3])
    assert np.allclose(got, W.T @ r)  # column convention: W^T (z - zhat)
    row = value("grad", SEED_Y, "--wrt", "x", *SEED_DECL, *POINT, "--layout", "numerator")
    assert np.allclose(row, [r @ W])  # row convention: (z - zhat)^T W


def test_blocks_for_several_variables() -> None:
    data = run("grad", SEED_Y, "--wrt", "W,b", *SEED_DECL, *POINT, "-f", "json").json()
    assert data["wrt"] == ["W", "b"]
    assert data["shape"] == [[2, 3], [2]]
    assert np.allclose(data["value"][0], np.outer([0, 3], [1, -1, 2]))
    assert data["value"][1] == [0.0, 3.0]


# --- 矩阵值函数的导数 (derivative of a matrix-valued function) -----------------------------------
def test_matrix_valued_function() -> None:
    assert out("diff", "[[x, x^2], [sin(x), exp(2x)]]", "x") == "[[1, 2*x], [cos(x), 2*exp(2*x)]]"
    assert value("diff", "[[x, x^2], [sin(x), 1]]", "x", "--at", "x=0") == [[1.0, 0.0], [1.0, 0.0]]
