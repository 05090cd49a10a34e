"""The seed's own formulas (../shared/seed/000_7de19efaa4c56e02.txt), pasted verbatim as LaTeX.

Every formula of the seed that defines something computable runs as written: its limits, the
four rules and the chain rule (with --func), the gradient of its f(x), the Jacobians of its
bmatrix maps, dx/dx = I, and the loss ½(z − ẑ)² with z = Wx + b given by --let. The strings below
are copied from the seed, dollars included; where the seed is at hand they are checked to occur in it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_7de19efaa4c56e02.txt"

SEED_LIMIT_OF_SEQUENCE = r"$$\lim \limits_{n \to \infty}{\{1,1/2，1/3，\cdots,1/n,\cdots\}} = 0 $$"
SEED_LIMIT_X_TO_3 = r"$$\lim \limits_{ x \to 3} x^2 = 9$$"
SEED_SUM_RULE = "$$(f(x)+g(x))'=f'(x)+g'(x)$$"
SEED_DIFFERENCE_RULE = "$$(f(x)-g(x))'=f'(x)-g'(x)$$"
SEED_PRODUCT_RULE = "$$(f(x)g(x))'=f'(x)g(x)+f(x)g\u2019(x)$$"
SEED_QUOTIENT_RULE = r"$$(\frac{f(x)}{g(x)})'=\frac{f'(x)g(x)-f(x)g'(x)}{g(x)^2}$$"
SEED_CHAIN = "$h(x) = f(g(x))$"
SEED_F_OF_X = "$f(x) = 4(2 x_1 + 4 x_2 +7x_3)+3(3 x_1 +5 x_2 +  4 x_3)  =17x_1 + 31x_2 + 40x_3$"
SEED_Z_OF_X = r"""$ z(x) = \begin{bmatrix} z_{1}(x)\\
z_{2}(x)  \\
\end{bmatrix}= \begin{bmatrix} 2 x_1 + 4 x_2 +7x_3 \\
3 x_1 +5 x_2 +  4 x_3 \\
\end{bmatrix}$"""
SEED_Y_OF_Z = r"""$y =  \begin{bmatrix} 4 z_1 + 3 z_2  \\
\end{bmatrix}$"""
SEED_DX_DX = r"""$$\frac{d x}{dx}= \begin {bmatrix}
1 & 0 & \cdots &  0 \\
0 & 1 & \cdots &  0 \\
\vdots & \vdots & \ddots \\
0 & 0 & \cdots &  1 \\
\end {bmatrix} = I $$"""
SEED_LOSS = r"$y = \frac{1}{2} {(z-\hat{z})}^2 $"
SEED_DERIVATIVE_DEFINITION = (r"$$f'(x_0)=\lim \limits_{\Delta x \to 0} \frac{\Delta y}{\Delta x}=\lim \limits_{\Delta x "
                              r"\to 0} \frac{f(x_0+\Delta x)-f(x_0)}{\Delta x}$$")

ALL = [SEED_LIMIT_OF_SEQUENCE, SEED_LIMIT_X_TO_3, SEED_SUM_RULE, SEED_DIFFERENCE_RULE, SEED_PRODUCT_RULE,
       SEED_QUOTIENT_RULE, SEED_CHAIN, SEED_F_OF_X, SEED_Z_OF_X, SEED_Y_OF_Z, SEED_DX_DX, SEED_LOSS,
       SEED_DERIVATIVE_DEFINITION]


@pytest.mark.skipif(not SEED.exists(), reason="the seed text is not beside this checkout")
def test_the_seed_formulas_are_verbatim() -> None:
    seed = SEED.read_text(encoding="utf-8")
    for formula in ALL:
        assert formula in seed, formula


def json_of(*args: str) -> dict:
    r = run(*args, "-f", "json")
    assert r.status == 0, (args, r.stderr)
    return r.json()  # type: ignore[no-any-return]


def test_seed_limit_of_the_sequence_1_over_n() -> None:
    out = json_of("limit", SEED_LIMIT_OF_SEQUENCE)
    assert out["result"] == "0" and out["wrt"] == ["n"]
    assert any("agrees with the answer" in n for n in out["notes"])


def test_seed_limit_of_x_squared_at_3() -> None:
    out = json_of("limit", SEED_LIMIT_X_TO_3)
    assert out["result"] == "9" and any("agrees" in n for n in out["notes"])


@pytest.mark.parametrize(
    "formula, expected",
    [
        (SEED_SUM_RULE, "f'(x) + g'(x)"),
        (SEED_DIFFERENCE_RULE, "f'(x) - g'(x)"),
        (SEED_PRODUCT_RULE, "f(x)*g'(x) + f'(x)*g(x)"),
        (SEED_QUOTIENT_RULE, "-f(x)*g'(x)/g(x)^2 + f'(x)/g(x)"),
    ],
)
def test_seed_four_rules_pasted_with_their_right_hand_sides(formula: str, expected: str) -> None:
    out = json_of("diff", formula, "--func", "f", "--func", "g")
    assert out["result"] == expected
    assert out["notes"] and all("agrees with the answer" in n for n in out["notes"]), out["notes"]


def test_seed_chain_rule() -> None:
    assert json_of("diff", SEED_CHAIN, "--func", "f", "--func", "g")["result"] == "f'(g(x))*g'(x)"


def test_seed_gradient_of_f_is_17_31_40() -> None:
    out = json_of("grad", SEED_F_OF_X)
    assert out["result"] == "[17, 31, 40]"
    assert any("agrees" in n for n in out["notes"])  # its last side, 17x_1 + 31x_2 + 40x_3, is the same function


def test_seed_jacobian_of_the_bmatrix_map_z_of_x() -> None:
    out = json_of("jacobian", SEED_Z_OF_X)
    assert out["result"] == "[[2, 4, 7], [3, 5, 4]]" and out["wrt"] == ["x1", "x2", "x3"]
    assert any("z1(...)" in n for n in out["notes"])  # the middle side, z_1(x), is function notation


def test_seed_jacobian_of_y_of_z() -> None:
    assert json_of("jacobian", SEED_Y_OF_Z)["result"] == "[[4, 3]]"


def test_seed_dx_dx_is_the_identity() -> None:
    out = json_of("jacobian", SEED_DX_DX, "-v", "x:3")
    assert out["result"] == "[[1, 0, 0], [0, 1, 0], [0, 0, 1]]" and out["wrt"] == ["x"]
    assert any("names I" in n for n in out["notes"])


def test_seed_loss_through_let_gives_r_x_transpose() -> None:
    """y = ½(z − ẑ)², z = Wx + b: dy/dW = (z − ẑ) xᵀ, checked by finite differences."""
    args = ["--let", "z=W*x+b", "-v", "W:1x3", "-v", "x:3", "--at", "W=[[1,2,3]]", "--at", "x=[1,0,2]",
            "--at", "b=1", "--at", "zhat=2", "--check"]
    out = json_of("grad", SEED_LOSS, "--wrt", "W", *args)
    r = 1 + 0 + 6 + 1 - 2  # z - zhat at the point
    assert out["value"] == [[r * 1, r * 0, r * 2]] and out["check"]["ok"]
    assert json_of("grad", SEED_LOSS, "--wrt", "b", *args)["value"] == r


def test_seed_derivative_definition_is_refused_whole_and_its_side_is_read() -> None:
    r = run("limit", SEED_DERIVATIVE_DEFINITION, "--func", "f")
    assert r.status == 2 and "two operators" in r.stderr
    # its last side is read (sympy cannot take this limit of an abstract function: exit 1, said so)
    side = SEED_DERIVATIVE_DEFINITION.split("=", 2)[2].rstrip("$")
    r = run("limit", side, "--func", "f")
    assert r.status == 1 and "could not compute this limit" in r.stderr
    # with a concrete f it is the derivative
    concrete = side.replace("f(x_0+\\Delta x)", "(x_0+\\Delta x)^3").replace("f(x_0)", "x_0^3")
    assert json_of("limit", concrete)["result"] == "3*x0^2"
