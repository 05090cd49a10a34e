"""Property tests for the new kinds of matrix-form results (issue 15): random matrix-valued
expressions of a matrix variable X; the rules' results (not the guarded API) are compared with
finite differences of the entry-wise expression (jacli.declarations at concrete sizes) at random sizes
and values.

- Kronecker Jacobians of matrix-valued f(X) by X (rows flattened),
- Hessians of scalar functions by the matrix X, and block Hessians by X and a vector x,
- derivatives of matrix-valued functions of a scalar t (``diff`` with symbolic sizes).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jacli.declarations import Workspace
from jacli.errors import EvaluationError
from jacli.matrix import numeric as M
from jacli.matrix import rules
from jacli.matrix.api import Derivative
from jacli.matrix.differential import differential
from jacli.matrix.kron import Blocks
from jacli.matrix.lower import lower, variable

DECLS = ["X:n,n", "A:n,n", "B:n,n", "S:n,n", "x:n"]
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LEAVES = st.sampled_from(["X", "A*X", "X*B", "X'", "A", "X*X", "inv(S + X)"])


def _matrix(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", ".*"]), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["tanh", "sin", "sigmoid"]), children).map(lambda t: f"{t[0]}({t[1]})"),
        children.map(lambda c: f"S*tanh({c})"),
        children.map(lambda c: f"({c})'"),
        children.map(lambda c: f"tr({c})*A"),
    )


matrices = st.recursive(LEAVES, _matrix, max_leaves=3)
scalars = st.one_of(
    matrices.map(lambda m: f"sum({m})"),
    matrices.map(lambda m: f"tr({m})"),
    matrices.map(lambda m: f"norm({m})^2"),
    matrices.map(lambda m: f"x'*({m})*x"),
    matrices.map(lambda m: f"logsumexp(({m})*x)"),
)


def check(kind: str, text: str, result: Any, wrt: list[str], seed: int) -> None:
    """The rules' result against central finite differences of the entry-wise (sympy-built, compiled)
    expression at concrete sizes: the comparison of jacli.matrix.api.Derivative.check_at, at a
    random size and point per example."""
    ws = Workspace.from_options(var=DECLS)
    tree = ws.parse(text)
    deriv = Derivative(kind, text, ws, tree, lower(ws, text, tree), wrt, result)
    rng = np.random.default_rng(seed)
    n = 2 if "inv" in text else 2 + seed % 2  # 2 or 3: the entry-wise path stays fast
    names = deriv.names()
    shapes: dict[str, Any] = {k: tuple(n if isinstance(d, str) else d for d in ws.shapes.get(k, ())) for k in names}
    values = M.random_values(shapes, {"S"}, rng)
    if "S" in values:
        values["S"] = values["S"] + 2 * np.eye(n)  # S + tanh(...) stays invertible
    try:
        c = deriv.check_at({"n": n}, values)
    except (EvaluationError, ArithmeticError, np.linalg.LinAlgError):
        assume(False)
        return
    if not np.isfinite(c.max_abs_error):
        assume(False)
    assert c.ok, (kind, text, wrt, c.max_abs_error)


@SETTINGS
@given(matrices, st.integers(0, 2**16))
def test_kronecker_jacobians_match_entrywise(text: str, seed: int) -> None:
    ws = Workspace.from_options(var=DECLS)
    check("jacobian", text, rules.jacobian(lower(ws, text), variable(ws, "X")), ["X"], seed)


@SETTINGS
@given(scalars, st.integers(0, 2**16))
def test_hessians_by_a_matrix_match_entrywise(text: str, seed: int) -> None:
    ws = Workspace.from_options(var=DECLS)
    check("hessian", text, rules.hessian(lower(ws, text), variable(ws, "X")), ["X"], seed)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scalars, st.integers(0, 2**16))
def test_block_hessians_match_entrywise(text: str, seed: int) -> None:
    ws = Workspace.from_options(var=DECLS)
    f = lower(ws, text)
    X, x = variable(ws, "X"), variable(ws, "x")
    grid = Blocks(((rules.hessian(f, X), rules.cross_hessian(f, X, x)),
                   (rules.cross_hessian(f, x, X), rules.hessian(f, x))))
    check("hessian", text, grid, ["X", "x"], seed)


@SETTINGS
@given(matrices, st.integers(0, 2**16))
def test_derivatives_by_a_scalar_match_entrywise(text: str, seed: int) -> None:
    text = text.replace("X", "(X + t*B)")  # a matrix-valued function of t
    ws = Workspace.from_options(var=DECLS)
    d = differential(lower(ws, text), variable(ws, "t"), lower(ws, "1"))
    check("diff", text, d, ["t"], seed)


def test_the_comparison_catches_a_wrong_form() -> None:
    """A Kronecker form with the factors swapped (kron(X', I) for X*X's kron(I, X') + ...) fails."""
    ws = Workspace.from_options(var=DECLS)
    wrong = lower(ws, "kron(X', I(n))")
    with pytest.raises(AssertionError):
        check("jacobian", "X*X", wrong, ["X"], 3)
    check("jacobian", "X*X", lower(ws, "kron(I(n), X') + kron(X, I(n))"), ["X"], 3)
