"""Random shaped expressions (vectors, matrices, deep-learning functions) at random concrete sizes:
gradients, Jacobians and Hessians agree with finite differences (--check)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import jacli
from jacli.errors import EvaluationError, ResourceError

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JACOBIAN_SETTINGS = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HESSIAN_SETTINGS = settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# m-vectors built from W (m x n), x (n), b (m)
VEC_LEAVES = st.sampled_from(["W*x + b", "b", "W*x", "2*b - W*x", "b .* (W*x)"])


def _vec(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(st.sampled_from(["tanh", "sigmoid", "sin", "exp", "relu"]), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(children, st.sampled_from(["+", "-", ".*"]), children).map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
        children.map(lambda c: f"softmax({c})"),
        children.map(lambda c: f"({c}) / (1 + norm({c})^2)"),
        children.map(lambda c: f"diag({c}) * ({c})"),
    )


vectors = st.recursive(VEC_LEAVES, _vec, max_leaves=4)
scalars = st.one_of(
    vectors.map(lambda v: f"sum({v})"),
    vectors.map(lambda v: f"1/2*norm({v})^2"),
    vectors.map(lambda v: f"logsumexp({v})"),
    vectors.map(lambda v: f"dot({v}, b)"),
    vectors.map(lambda v: f"({v})' * ({v})"),
    vectors.map(lambda v: f"log(1 + ({v})'*({v}))"),
)
sizes = st.tuples(st.integers(1, 3), st.integers(1, 3))


def shapes(m: int, n: int) -> dict[str, str]:
    return {"W": f"{m}x{n}", "x": str(n), "b": str(m)}


def check_gradient(expr: str, size: tuple[int, int]) -> None:
    try:
        r = jacli.gradient(expr, wrt="W,x,b", shapes=shapes(*size), check=True)
    except (EvaluationError, ResourceError):  # undefined at the point, or a result too large to print
        assume(False)
        return
    assert r.check is not None and r.check.ok, (expr, size, r.check)


def check_jacobian(expr: str, size: tuple[int, int], layout: str) -> None:
    try:
        r = jacli.jacobian(expr, wrt="x", shapes=shapes(*size), layout=layout, check=True)
    except (EvaluationError, ResourceError):  # undefined at the point, or a result too large to print
        assume(False)
        return
    assert r.check is not None and r.check.ok, (expr, size, r.check)


def check_hessian(expr: str, size: tuple[int, int]) -> None:
    try:
        r = jacli.hessian(expr, wrt="x", shapes=shapes(*size), check=True)
    except (EvaluationError, ResourceError):  # undefined at the point, or a result too large to print
        assume(False)
        return
    assert r.check is not None and r.check.ok, (expr, size, r.check)


# The default run tries a few cases of each (10 gradients, 6 Jacobians, 2 Hessians: about 10 s in all;
# at 10 Jacobians and 5 Hessians these took 10 s and 18 s on a busy machine); the slow run (-m slow) 30 of each.
@SETTINGS
@given(scalars, sizes)
def test_gradients_check(expr: str, size: tuple[int, int]) -> None:
    check_gradient(expr, size)


@JACOBIAN_SETTINGS
@given(vectors, sizes, st.sampled_from(["numerator", "denominator"]))
def test_jacobians_check(expr: str, size: tuple[int, int], layout: str) -> None:
    check_jacobian(expr, size, layout)


@HESSIAN_SETTINGS
@given(scalars, sizes)
def test_hessians_check(expr: str, size: tuple[int, int]) -> None:
    check_hessian(expr, size)


@pytest.mark.slow
@SLOW
@given(scalars, sizes)
def test_gradients_check_long(expr: str, size: tuple[int, int]) -> None:
    check_gradient(expr, size)


@pytest.mark.slow
@SLOW
@given(vectors, sizes, st.sampled_from(["numerator", "denominator"]))
def test_jacobians_check_long(expr: str, size: tuple[int, int], layout: str) -> None:
    check_jacobian(expr, size, layout)


@pytest.mark.slow
@SLOW
@given(scalars, sizes)
def test_hessians_check_long(expr: str, size: tuple[int, int]) -> None:
    check_hessian(expr, size)
