"""The fast paths for large results: the Jacobian's entries are sympy's derivatives, large --at
values are floats computed once, pretty output elides large matrices and says so, n^4 work is
refused. (tests/test_partials.py compares the derivative rules with sympy's on random input.)

No timings are asserted here; bench/run.py measures them.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import jacli
from jacli import partials
from jacli.declarations import Workspace

from .conftest import identical, run

FUNCS = ["sin", "cos", "exp", "tanh", "atan"]


def random_expr(rng: random.Random, names: list[str], depth: int = 3) -> str:
    """A random jacli expression: sums and products of powers of entries, constants and functions."""
    if depth == 0 or rng.random() < 0.25:
        return rng.choice([*names, str(rng.randint(1, 5)), f"{rng.randint(1, 4)}/{rng.randint(2, 7)}"])
    kind = rng.choice(["+", "-", "*", "^", "f", "/"])
    a = random_expr(rng, names, depth - 1)
    if kind == "^":
        return f"({a})^{rng.randint(2, 3)}"
    if kind == "f":
        return f"{rng.choice(FUNCS)}({a})"
    b = random_expr(rng, names, depth - 1)
    if kind == "/":
        return f"({a})/(1 + ({b})^2)"
    return f"({a}) {kind} ({b})"


@pytest.mark.parametrize("seed", range(8))
def test_jacobian_entries_are_sympys_derivatives(seed: int) -> None:
    rng = random.Random(seed)
    names = [f"x[{i}]" for i in range(3)] + ["y"]
    text = "[" + ", ".join(random_expr(rng, names) for _ in range(3)) + "]"
    ws = Workspace.from_options(var=["x:3", "y:1"])
    r = jacli.jacobian(text, "x,y", ws=ws, simplify=False)
    outputs, symbols, entries = r.stages[0]
    assert symbols == [*ws.variable("x"), ws.variable("y")]
    for i, out in enumerate(outputs):
        for k, s in enumerate(symbols):
            assert identical(entries[i][k], sp.diff(out, s)), (text, i, k)
    assert all(s.is_real for row in entries for e in row for s in e.free_symbols)


@pytest.mark.parametrize("seed", range(6))
def test_gradient_and_hessian_entries_are_sympys_derivatives(seed: int) -> None:
    rng = random.Random(100 + seed)
    names = [f"W[{i},{j}]" for i in range(2) for j in range(2)] + ["x[0]", "x[1]"]
    text = f"{random_expr(rng, names)} + x'*W*x"
    ws = Workspace.from_options(var=["W:2x2", "x:2"])
    grad = jacli.gradient(text, "W,x", ws=ws, simplify=False)
    f = grad.function
    for block, name in zip(grad.blocks, ("W", "x"), strict=True):
        for got, s in zip(block.expr, ws.variable(name), strict=True):
            assert identical(got, sp.diff(f, s)), (text, s)
    hess = jacli.hessian(text, "x", ws=ws, simplify=False)
    xs = list(ws.variable("x"))
    for i, s in enumerate(xs):
        for k, t in enumerate(xs):
            assert identical(hess.expr[i, k], sp.diff(sp.diff(f, s), t)), (text, s, t)


def test_nodes_with_rules_of_their_own_are_differentiated_by_sympy() -> None:
    x, y = sp.symbols("x y", real=True)
    f = sp.Function("f", real=True)
    outputs = [x * y, sp.Abs(x), f(x, y), sp.Max(x, y**2)]
    rows = partials.jacobian_rows(outputs, [x, y])
    assert rows == [[sp.diff(o, x), sp.diff(o, y)] for o in outputs]
    assert partials.supported([x**2 + sp.sin(x), sp.exp(x) / (1 + x)])  # what float_values evaluates
    assert not partials.supported([sp.Abs(x)])
    assert not partials.supported([f(x)])
    r = jacli.jacobian("[relu(x) + sigmoid(y), x*y]", ws=Workspace())
    assert r.expr[1, :].tolist() == [[y, x]] and "step(x)" in str(r.expr[0, 0])


def test_large_jacobian_matches_finite_differences() -> None:
    n = 25  # 625 entries
    decls = [f"A:{n}x{n}", f"B:{n}x{n}", f"x:{n}"]
    r = jacli.jacobian("A*x + x .* (B*x)", "x", shapes={d.split(":")[0]: d.split(":")[1] for d in decls})
    rng = np.random.default_rng(1)
    A, B, x = rng.normal(size=(n, n)), rng.normal(size=(n, n)), rng.normal(size=n)
    expected = A + np.diag(B @ x) + x[:, None] * B  # d/dx of A x + x * (B x)
    ws = Workspace.from_options(var=decls)
    subs = dict(zip(ws.variable("A"), A.ravel(), strict=True)) | dict(zip(ws.variable("B"), B.ravel(), strict=True))
    subs |= dict(zip(ws.variable("x"), x, strict=True))
    got = np.array(partials.evaluate_floats(r.expr, {k: sp.Float(v) for k, v in subs.items()}))
    assert np.allclose(got, expected, atol=1e-9)


def test_large_result_at_a_point_is_floats_only() -> None:
    n = 12  # a 12x12 Hessian: 144 entries, over the exact-evaluation limit
    point = "[" + ", ".join(str(i + 1) for i in range(n)) + "]"
    r = run("hessian", "sum(exp(x/10))", "--wrt", "x", "-v", f"x:{n}", "--at", f"x={point}", "-f", "json")
    assert r.status == 0, r.stderr
    data = r.json()
    assert "exact" not in data
    assert any("floating point" in note for note in data["notes"])
    h = np.array(data["value"])
    assert np.allclose(h, np.diag(np.exp(np.arange(1, n + 1) / 10) / 100))
    plain = run("hessian", "sum(exp(x/10))", "--wrt", "x", "-v", f"x:{n}", "--at", f"x={point}", "-f", "plain")
    assert np.allclose(np.array(json.loads(plain.stdout.split("  #")[0])), h)


def test_pretty_elides_large_matrices_and_full_prints_them() -> None:
    args = ("jacobian", "x .* x", "--wrt", "x", "-v", "x:20", "-f", "pretty")
    short = run(*args, env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert short.status == 0
    assert "rows 1-12 and columns 1-8 of the 20x20 matrix, the corner that fits; --full prints every entry" in short.stdout
    assert "2⋅x[19]" not in short.stdout and "2⋅x[0]" in short.stdout
    full = run(*args, "--full", env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert "the corner that fits" not in full.stdout and "2⋅x[19]" in full.stdout
    plain = run("jacobian", "x .* x", "--wrt", "x", "-v", "x:20", "-f", "plain")
    assert plain.stdout.count("x[") == 20 and "2*x[19]" in plain.stdout


def test_n4_explicit_gradient_is_refused_with_a_pointer_to_symbolic_sizes() -> None:
    r = run("grad", "1/2*norm(W*x+b-z)^2", "--wrt", "W", "-v", "W:500x500", "-v", "x:500", "-v", "b:500", "-v", "z:500")
    assert r.status == 4
    assert r.stdout == ""
    assert "declare symbolic sizes (e.g. -v W:m,n)" in r.stderr and r.stderr.count("\n") == 1
    ok = run("grad", "1/2*norm(W*x+b-z)^2", "--wrt", "W", "-v", "W:3x3", "-v", "x:3", "-v", "b:3", "-v", "z:3", "--check")
    assert ok.status == 0, ok.stderr


def test_library_calls_leave_the_garbage_collector_as_they_found_it() -> None:
    import gc

    assert gc.isenabled()
    r = jacli.jacobian("[x*y, sin(y)]")
    assert r.expr.tolist() == [[sp.Symbol("y", real=True), sp.Symbol("x", real=True)], [0, sp.cos(sp.Symbol("y", real=True))]]
    assert gc.isenabled()
    with pytest.raises(jacli.UsageError):
        jacli.gradient("[x, y]")
    assert gc.isenabled()
    from jacli.cli import main

    with pytest.raises(SystemExit):
        main(["--version"])
    assert gc.isenabled()


def test_large_concrete_point_goes_through_the_verified_matrix_form(tmp_path: Path) -> None:
    # 40x40: the explicit route would take 1600 x 1720 derivative steps; with a point given, the
    # matrix form (derived for all sizes, verified at small random ones) is evaluated with numpy
    n = 40
    rng = np.random.default_rng(1)
    values = {"W": rng.normal(size=(n, n)), "x": rng.normal(size=n), "b": rng.normal(size=n), "z": rng.normal(size=n)}
    at = []
    for name, value in values.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(value.tolist()))
        at += ["--at", f"{name}=@{path}"]
    decl = ["-v", f"W:{n}x{n}", "-v", f"x:{n}", "-v", f"b:{n}", "-v", f"z:{n}"]
    r = run("grad", "1/2*norm(W*x+b-z)^2", "--wrt", "W", *decl, *at, "-f", "json")
    assert r.status == 0, r.stderr
    data = r.json()
    assert data["shape"] == [n, n] and data["result"] == "(W*x + b - z)*x'"
    expected = np.outer(values["W"] @ values["x"] + values["b"] - values["z"], values["x"])
    assert np.allclose(data["value"], expected)
    assert data["at"]["W"] == f"{n}x{n} array" and "verified" in data


def test_at_file_errors_are_usage_errors(tmp_path: Path) -> None:
    r = run("diff", "x^2", "x", "--at", f"x=@{tmp_path / 'missing.json'}")
    assert r.status == 2 and "cannot read" in r.stderr
    (tmp_path / "v.txt").write_text("pi/3\n")
    assert run("diff", "sin(x)", "x", "--at", f"x=@{tmp_path / 'v.txt'}").stdout == "1/2\n"


def test_float_values_agree_with_sympy_and_refuse_undefined_points() -> None:
    """partials.float_values (the walk that checks matrix forms and evaluates large results at --at)
    gives sympy's floats on every supported operation, and raises where a value is undefined."""
    x, y = sp.symbols("x y", real=True)
    exprs = [x**2 * sp.sin(y) + sp.Rational(3, 7), sp.exp(x) / (1 + y**2), sp.log(x) * sp.atan(y) - sp.pi,
             sp.tanh(x * y) ** 3 + sp.E, sp.sqrt(x) * sp.cot(y), sp.asinh(x) + sp.acos(y / 2), x ** y]
    point = {x: 0.7, y: 0.3}
    got = partials.float_values(exprs, point)
    want = [float(sp.N(e.subs(point))) for e in exprs]
    assert np.allclose(got, want, rtol=1e-12)
    for bad in (1 / (x - sp.Rational(7, 10)), sp.log(-x), (-x) ** sp.Rational(1, 2), sp.exp(x * 10**4)):
        with pytest.raises((ArithmeticError, ValueError)):
            partials.float_values([bad], point)
    with pytest.raises(ValueError, match="no value"):
        partials.float_values([x + y], {x: 1.0})


def test_compiling_for_numpy_does_not_evaluate_the_expressions_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """--check compiles results with lambdify. Its own renaming of x[0], W[1,2] rebuilt every
    expression with evaluation on, and on a 3x3 Hessian of tanh(W*x/(1 + norm(W*x)^2)) terms
    sympy's evaluation of powers of sums ran for minutes; compile_numpy renames without it."""
    from jacli.functions import compile_numpy

    xs = [sp.Symbol(f"x[{i}]", real=True) for i in range(2)]
    e = (xs[0] + xs[1]) ** 3 * sp.tanh(xs[0]) + 1 / (1 + xs[1] ** 2)

    def refuse(self: sp.Add, other: sp.Expr) -> None:
        raise AssertionError("the expression was evaluated again")

    monkeypatch.setattr(sp.Add, "_eval_power", refuse)
    f = compile_numpy(xs, [e, xs[0] * xs[1]])
    got = f(0.5, 0.25)
    assert np.allclose(got, [0.75**3 * np.tanh(0.5) + 1 / (1 + 0.0625), 0.125])


def test_pretty_output_of_a_huge_result_is_one_line_and_says_so() -> None:
    # sympy's 2-D layout of sqrt(1 + x*sqrt(1 + x*...)) 100 levels deep ran past any timeout
    text = "sqrt(1+x*" * 20 + "x" + ")" * 20
    pretty = run("diff", text, "x", "-f", "pretty", "--no-cse", env={"NO_COLOR": "1", "COLUMNS": "100"})
    plain = run("diff", text, "x", "-f", "plain", "--no-cse")
    assert pretty.status == 0 and plain.status == 0
    assert "".join(plain.stdout.split()) in "".join(pretty.stdout.split())  # (pretty wraps it at operators)
    assert "note: shown in one line (-f plain's text): too large for a 2-D layout" in pretty.stdout
    small = run("diff", "sqrt(1+x*sqrt(1+x))", "x", "-f", "pretty", env={"NO_COLOR": "1"})
    assert "too large" not in small.stdout and "╲╱" in small.stdout  # the 2-D square root
