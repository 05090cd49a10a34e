"""Issue 15: Jacobians of matrix-valued expressions and by matrices (Kronecker forms, rows flattened),
Hessians by matrices, block Hessians, and the regressions of the false refusals.

Every value at --at is compared with central finite differences of a numpy implementation of the
expression, written here independently of jacli, with matrices flattened row by row.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import jacli
from jacli.declarations import Workspace
from jacli.matrix import algebra as A
from jacli.matrix import nodes as N
from jacli.matrix import numeric as M
from jacli.matrix import printing as P
from jacli.matrix.kron import Kron, dim_value
from jacli.matrix.linear import linear_map
from jacli.matrix.lower import lower

from .conftest import run


def lst(a: np.ndarray) -> str:
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        return "[" + ", ".join(repr(float(v)) for v in a) + "]"
    return "[" + ", ".join(lst(row) for row in a) + "]"


def fd(fun: Callable[..., np.ndarray], values: dict[str, np.ndarray], names: list[str]) -> np.ndarray:
    """d vec_r(fun) / d vec_r(values[names...]) by central differences (numerator layout)."""
    cols = []
    for name in names:
        base = np.asarray(values[name], dtype=float)
        for k in range(base.size):
            h = 1e-6 * max(1.0, abs(base.reshape(-1)[k]))
            up, down = dict(values), dict(values)
            step = np.zeros(base.size)
            step[k] = h
            up[name] = base + step.reshape(base.shape)
            down[name] = base - step.reshape(base.shape)
            cols.append((np.ravel(fun(**up)) - np.ravel(fun(**down))) / (2 * h))
    return np.stack(cols, axis=1)


def value_at(args: list[str], values: dict[str, np.ndarray]) -> np.ndarray:
    at = [a for n, v in values.items() for a in ("--at", f"{n}={lst(v)}")]
    r = run(*args, *at, "-f", "json")
    assert r.status == 0, r.stderr
    return np.atleast_2d(np.asarray(r.json()["value"], dtype=float))


RNG = np.random.default_rng(15)


def rand(*shape: int) -> np.ndarray:
    return RNG.uniform(0.3, 1.7, shape)


# --- the false refusal: every Jacobian of a vector function of a vector has a matrix form ------
def test_two_layer_mlp_jacobian_is_a_plain_matrix_form() -> None:
    args = ["jacobian", "W2*tanh(W1*x)", "--wrt", "x", "-v", "W1:h,n", "-v", "W2:m,h", "-v", "x:n"]
    r = run(*args)
    assert r.status == 0, r.stderr
    assert r.stdout == "W2*diag(1 - tanh(W1*x) .* tanh(W1*x))*W1  # numerator layout\n"
    values = {"W1": rand(4, 3), "W2": rand(2, 4), "x": rand(3)}
    got = value_at(args, values)
    want = fd(lambda W1, W2, x: W2 @ np.tanh(W1 @ x), values, ["x"])
    assert got.shape == (2, 3) and np.allclose(got, want, atol=1e-7)


@pytest.mark.parametrize("text, decls, plain", [
    ("W2*sigmoid(W1*x + b)", ["W1:h,n", "W2:m,h", "x:n", "b:h"], "W2*diag((1 - sigmoid(W1*x + b)) .* sigmoid(W1*x + b))*W1"),
    ("softmax(W*x) .* (A*x)", ["W:n,n", "A:n,n", "x:n"], None),
    ("A*tanh(B*tanh(C*x))", ["A:n,n", "B:n,n", "C:n,n", "x:n"], None),
    ("(x'*x)*A*x", ["A:n,n", "x:n"], None),
])
def test_vector_jacobians_read_off_any_linear_map(text: str, decls: list[str], plain: str | None) -> None:
    """The reader of linear maps (jacli.matrix.linear) is what identifies every vector Jacobian:
    chains, diag from Hadamard products, outer products from scalar factors."""
    shapes = dict(d.split(":") for d in decls)
    r = jacli.jacobian(text, wrt="x", shapes=shapes, check=True)
    assert r.check is not None and r.check.ok
    if plain is not None:
        assert P.plain(r.blocks[0].expr) == plain


# --- Kronecker forms ------------------------------------------------------------------------
KRON_CASES = [
    ("W*x", ["W:m,n", "x:n"], "W", "kron(I(m), x')", "dW*x",
     {"W": (3, 2), "x": (2,)}, lambda W, x: W @ x),
    ("inv(X)", ["X:n,n"], "X", "-kron(inv(X), inv(X)')", "-inv(X)*dX*inv(X)",
     {"X": (3, 3)}, lambda X: np.linalg.inv(X)),
    ("X*X", ["X:n,n"], "X", "kron(I(n), X') + kron(X, I(n))", "X*dX + dX*X",
     {"X": (3, 3)}, lambda X: X @ X),
    ("A*X*B", ["A:p,m", "X:m,n", "B:n,q"], "X", "kron(A, B')", "A*dX*B",
     {"A": (2, 3), "X": (3, 2), "B": (2, 4)}, lambda A, X, B: A @ X @ B),
    ("X'*X", ["X:m,n"], "X", None, None, {"X": (3, 2)}, lambda X: X.T @ X),
    ("tanh(W*x)", ["W:m,n", "x:n"], "W", "diag(1 - tanh(W*x) .* tanh(W*x))*kron(I(m), x')", None,
     {"W": (3, 2), "x": (2,)}, lambda W, x: np.tanh(W @ x)),
    ("softmax(W*x)", ["W:m,n", "x:n"], "W", None, None, {"W": (3, 2), "x": (2,)},
     lambda W, x: np.exp(W @ x) / np.exp(W @ x).sum()),
    ("X .* A + tr(X)*B", ["X:n,n", "A:n,n", "B:n,n"], "X", None, None,
     {"X": (3, 3), "A": (3, 3), "B": (3, 3)}, lambda X, A, B: X * A + np.trace(X) * B),
]


@pytest.mark.parametrize("text, decls, wrt, plain, diff, sizes, fun", KRON_CASES, ids=[c[0] for c in KRON_CASES])
def test_kronecker_jacobians(text: str, decls: list[str], wrt: str, plain: str | None, diff: str | None,
                             sizes: dict[str, tuple[int, ...]], fun: Callable[..., np.ndarray] | None) -> None:
    args = ["jacobian", text, "--wrt", wrt, *[a for d in decls for a in ("-v", d)]]
    r = run(*args, "-f", "json")
    assert r.status == 0, r.stderr
    d = r.json()
    assert d["vec"] == "rows"
    if plain is not None:
        assert d["result"] == plain
    if diff is not None:
        assert d["differential"] == f"d({text}) = {diff}"
    assert r"\otimes" in d["latex"] or "kron" not in d["result"]
    values = {n: (rand(*s) + (3 * np.eye(s[0]) if len(s) == 2 and s[0] == s[1] else 0)) for n, s in sizes.items()}
    got = value_at(args, values)
    assert fun is not None
    want = fd(fun, values, [wrt])
    assert got.shape == want.shape and np.allclose(got, want, atol=1e-6), (got, want)


def test_kronecker_value_equals_the_concrete_jacobian() -> None:
    values = {"A": rand(2, 3), "X": rand(3, 2), "B": rand(2, 2)}
    sym = value_at(["jacobian", "A*X*B", "--wrt", "X", "-v", "A:p,m", "-v", "X:m,n", "-v", "B:n,q"], values)
    concrete = value_at(["jacobian", "A*X*B", "--wrt", "X", "-v", "A:2x3", "-v", "X:3x2", "-v", "B:2x2"], values)
    assert np.allclose(sym, concrete, atol=1e-12)


def test_linear_map_rules_at_random_sizes() -> None:
    """vec_r(A dX B) = (A ⊗ Bᵀ) vec_r(dX), vec_r(dXᵀ) = K vec_r(dX), M ⊙ dX = diag(vec_r M) dX."""
    ws = Workspace.from_options(var=["A:p,m", "dX:m,n", "B:n,q", "M:m,n", "C:n,m"])
    d = N.Var("dX", "m", "n")
    rng = np.random.default_rng(3)
    sizes = {"p": 2, "m": 3, "n": 4, "q": 5}
    vals = {k: rng.normal(size=(dim_value(a, sizes), dim_value(b, sizes))) for k, (a, b) in ws.shapes.items()}
    env = M.Env(sizes, vals)
    for text in ("A*dX*B", "dX'", "M .* dX", "tr(C*dX)", "A*dX*B + 2*A*(M .* dX)*B", "sum(dX)"):
        node = lower(ws, text)
        k = linear_map(node, d)
        lhs = M.value(node, env).reshape(-1)
        assert np.allclose(M.value(k, env) @ vals["dX"].reshape(-1), lhs), text


def test_kron_node_prints_and_evaluates() -> None:
    k = Kron(N.Var("A", "m", "n"), N.Transpose(N.Var("B", "p", "q")))
    assert P.plain(k) == "kron(A, B')" and P.latex(k) == r"A \otimes B^{\top}"
    assert k.shape == ("m*q", "n*p")


# --- Hessians by matrices, block Hessians ---------------------------------------------------
LSQ = ["-v", "W:m,n", "-v", "x:n", "-v", "b:m", "-v", "z:m"]


def lsq(W: np.ndarray, x: np.ndarray, b: np.ndarray, z: np.ndarray) -> float:
    r = W @ x + b - z
    return 0.5 * float(r @ r)


def lsq_grad(name: str) -> Callable[..., np.ndarray]:
    def g(W: np.ndarray, x: np.ndarray, b: np.ndarray, z: np.ndarray) -> np.ndarray:
        r = W @ x + b - z
        return {"W": np.outer(r, x), "x": W.T @ r, "b": r}[name]
    return g


def test_hessian_with_respect_to_a_matrix() -> None:
    args = ["hessian", "1/2*norm(W*x+b-z)^2", "--wrt", "W", *LSQ]
    r = run(*args)
    assert r.status == 0, r.stderr
    assert r.stdout.startswith("kron(I(m), x*x')  # numerator layout; vec by rows")
    values = {"W": rand(3, 2), "x": rand(2), "b": rand(3), "z": rand(3)}
    got = value_at(args, values)
    assert got.shape == (6, 6)
    assert np.allclose(got, fd(lsq_grad("W"), values, ["W"]), atol=1e-6)
    assert np.allclose(got, np.kron(np.eye(3), np.outer(values["x"], values["x"])))


@pytest.mark.parametrize("wrt", ["x,b", "W,b", "b,W,x"])
def test_block_hessians(wrt: str) -> None:
    args = ["hessian", "1/2*norm(W*x+b-z)^2", "--wrt", wrt, *LSQ]
    r = run(*args)
    assert r.status == 0, r.stderr
    if wrt == "x,b":
        assert r.stdout.startswith("[[W'*W, W'], [W, I(m)]]  # numerator layout")
    values = {"W": rand(3, 2), "x": rand(2), "b": rand(3), "z": rand(3)}
    names = wrt.split(",")
    got = value_at(args, values)

    def grad(**v: np.ndarray) -> np.ndarray:
        return np.concatenate([np.ravel(lsq_grad(n)(**v)) for n in names])

    want = fd(grad, values, names)
    assert got.shape == want.shape and np.allclose(got, want, atol=1e-6)


# --- item 7: regressions ----------------------------------------------------------------------
def test_logdet_of_gram_matrix_is_not_an_internal_error() -> None:
    """logdet(X'*X) is undefined at random sizes with fewer rows than columns; the guard used to
    compile log(0) and crash with KeyError: 'ComplexInfinity'."""
    args = ["grad", "logdet(X'*X)", "--wrt", "X", "-v", "X:m,n"]
    r = run(*args)
    assert (r.status, r.stdout) == (0, "2*X*inv(X'*X)  # denominator layout\n"), r.stderr
    values = {"X": rand(4, 2)}
    got = value_at(args, values)
    want = fd(lambda X: np.linalg.slogdet(X.T @ X)[1], values, ["X"]).reshape(4, 2)
    assert np.allclose(got, want, atol=1e-6)


def test_short_expression_is_not_too_deeply_nested() -> None:
    """A 1/(...) inside an elementwise function sent sympy's LaTeX printer into endless recursion,
    reported as exit 4 "too deeply nested"."""
    args = ["grad", "sum(log(u + exp(-hadamard(y, M*w))))", "--wrt", "w", "-v", "M:m,n", "-v", "w:n",
            "-v", "y:m", "-v", "u:m"]
    for fmt in ("plain", "latex", "json", "pretty"):
        r = run(*args, "-f", fmt)
        assert r.status == 0 and "nested" not in r.stderr, (fmt, r.stderr)
    assert r"\frac{1}" in run(*args, "-f", "latex").stdout
    values = {"M": rand(3, 2), "w": rand(2), "y": rand(3), "u": rand(3)}
    got = value_at(args, values).reshape(-1)
    want = fd(lambda M, w, y, u: np.sum(np.log(u + np.exp(-y * (M @ w)))), values, ["w"]).reshape(-1)
    assert np.allclose(got, want, atol=1e-6)


# --- item 9: what jacli prints parses back ----------------------------------------------------
@pytest.mark.parametrize("args", [
    ["jacobian", "W*x", "--wrt", "W", "-v", "W:m,n", "-v", "x:n"],
    ["jacobian", "A*X*B", "--wrt", "X", "-v", "A:p,m", "-v", "X:m,n", "-v", "B:n,q"],
    ["jacobian", "X'*X", "--wrt", "X", "-v", "X:m,n"],
    ["hessian", "1/2*norm(W*x+b-z)^2", "--wrt", "x,b", *LSQ],
    ["grad", "-log(softmax(W*x+b)[0])", "--wrt", "b", "-v", "W:m,n", "-v", "x:n", "-v", "b:m"],
    ["grad", "sum(exp(x))", "-v", "x:n", "--wrt", "x"],
    ["grad", "exp(tr(A))", "-v", "A:n,n"],
])
def test_printed_forms_parse_back(args: list[str]) -> None:
    r = run(*args, "-f", "json")
    assert r.status == 0, r.stderr
    printed = r.json()["result"]
    decls = [args[i + 1] for i, a in enumerate(args) if a == "-v"]
    ws = Workspace.from_options(var=decls)
    node = lower(ws, printed)
    rng = np.random.default_rng(9)
    sizes = {"m": 3, "n": 2, "p": 2, "q": 4}
    shapes = {k: tuple(sizes.get(d, d) if isinstance(d, str) else d for d in s) for k, s in ws.shapes.items()}
    values = M.random_values(shapes, set(), rng)  # type: ignore[arg-type]
    from jacli.matrix.api import Derivative  # the result as a node, evaluated the same way

    kind, text = args[0], args[1]
    res = getattr(jacli, {"grad": "gradient", "jacobian": "jacobian", "hessian": "hessian"}[kind])(
        text, wrt=args[args.index("--wrt") + 1] if "--wrt" in args else None, shapes=dict(d.split(":") for d in decls))
    assert Derivative is not None
    env = M.Env(sizes, values)
    assert np.allclose(M.value(node, env), M.value(res.blocks[0].expr, env)), printed


def test_array_constructors_concrete() -> None:
    def value(text: str) -> str:
        r = run("diff", f"t*{text}", "t")
        assert r.status == 0, r.stderr
        return r.stdout.strip()

    assert value("I(2)") == "[[1, 0], [0, 1]]"
    assert value("kron([[1,2],[3,4]], I(2))") == "[[1, 0, 2, 0], [0, 1, 0, 2], [3, 0, 4, 0], [0, 3, 0, 4]]"
    assert value("vec([[1,2],[3,4]])") == "[1, 2, 3, 4]"
    assert value("unit(1, 3)") == "[0, 1, 0]"
    assert value("ones(2, 3)") == "[[1, 1, 1], [1, 1, 1]]"
    assert value("commutation(2, 3)*vec([[1,2,3],[4,5,6]])") == "[1, 4, 2, 5, 3, 6]"  # = vec(X')
    bad = run("diff", "t*unit(3, 3)", "t")
    assert bad.status == 2 and "out of range" in bad.stderr
    # I alone is still a name: a current I
    assert run("diff", "I*R^2", "R").stdout.strip() == "2*I*R"
    assert run("grad", "x'*I(n)*x", "-v", "x:n").stdout.startswith("2*x  #")


# --- item 3: diff by a scalar with symbolic sizes ---------------------------------------------
def test_diff_of_a_matrix_valued_function_of_a_scalar() -> None:
    args = ["diff", "inv(A + t*B)", "t", "-v", "A:n,n", "-v", "B:n,n"]
    r = run(*args)
    assert (r.status, r.stdout) == (0, "-inv(A + t*B)*B*inv(A + t*B)\n"), r.stderr
    r2 = run(*args, "-n", "2")
    assert r2.stdout == "2*inv(A + t*B)*B*inv(A + t*B)*B*inv(A + t*B)\n"
    values = {"A": rand(3, 3) + 3 * np.eye(3), "B": rand(3, 3), "t": np.array(0.7)}

    def f(A: np.ndarray, B: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.linalg.inv(A + t * B)

    at = [a for n, v in values.items() for a in ("--at", f"{n}={lst(v) if v.ndim else repr(float(v))}")]
    got = np.asarray(run(*args, *at, "-f", "json").json()["value"])
    assert np.allclose(got.reshape(-1), fd(f, values, ["t"]).reshape(-1), atol=1e-6)
    # the second derivative against differences of the first
    got2 = np.asarray(run(*args, "-n", "2", *at, "-f", "json").json()["value"])
    first = lambda A, B, t: -f(A, B, t) @ B @ f(A, B, t)  # noqa: E731
    assert np.allclose(got2.reshape(-1), fd(first, values, ["t"]).reshape(-1), atol=1e-5)
    check = run(*args, "--check", "-f", "json").json()["check"]
    assert check["ok"] and check["max_abs_error"] < 1e-8


def test_diff_by_a_scalar_parameter_of_an_elementwise_function() -> None:
    """exp(t*x): t is a parameter of the elementwise function (the placeholder of elementwise
    functions used to be a symbol named t, the same as the user's t)."""
    r = run("diff", "exp(t*x)", "t", "-v", "x:n")
    assert (r.status, r.stdout) == (0, "exp(t*x) .* x\n"), r.stderr
    r = run("grad", "sum(exp(t*x))", "--wrt", "t", "-v", "x:n", "--check", "-f", "json")
    assert r.status == 0 and r.json()["check"]["ok"]
    bad = run("diff", "inv(A + t*B)", "A", "-v", "A:n,n", "-v", "B:n,n")
    assert bad.status == 2 and "jacobian" in bad.stderr


# --- item 4: symmetric declarations -------------------------------------------------------------
def test_symmetric_declaration_simplifies() -> None:
    assert run("grad", "x'*A*x", "--wrt", "x", "-v", "x:n", "-v", "A:n,n:sym").stdout == "2*A*x  # denominator layout\n"
    assert run("hessian", "x'*A*x", "--wrt", "x", "-v", "x:n", "-v", "A:n,n:sym").stdout.startswith("2*A  #")
    assert run("grad", "logdet(A)", "-v", "A:n,n:sym").stdout.startswith("inv(A)  #")
    concrete = run("grad", "x'*A*x", "--wrt", "x", "-v", "x:2", "-v", "A:2x2:sym")
    assert concrete.stdout == "[2*A[0,0]*x[0] + 2*A[0,1]*x[1], 2*A[0,1]*x[0] + 2*A[1,1]*x[1]]  # denominator layout\n"


@pytest.mark.parametrize("decl", ["A:n,n:sym", "A:2x2:sym"])
def test_symmetric_value_at_must_be_symmetric(decl: str) -> None:
    bad = run("grad", "x'*A*x", "--wrt", "x", "-v", "x:" + ("n" if "n" in decl else "2"), "-v", decl,
              "--at", "x=[1,2]", "--at", "A=[[1,2],[3,4]]")
    assert bad.status == 2 and "not symmetric" in bad.stderr and bad.stdout == ""
    assert run("grad", "x'*A*x", "-v", "x:2", "-v", "A:2x3:sym").status == 2


@pytest.mark.parametrize("text", ["x'*A*x", "tr(A*B)", "logdet(A) + tr(B*A*B')", "sum(exp(A*x))"])
def test_gradient_by_a_symmetric_matrix_is_the_symmetric_part(text: str) -> None:
    """The convention (Srinivasan & Panda 2020): for symmetric A the gradient is sym(G) = (G + G')/2,
    G the gradient by all n^2 entries as if independent; then df = sym(G) : dA for every symmetric dA.
    Checked against numpy: the directional derivative along a random symmetric direction, and against
    the concrete-size (entry-wise) result, which halves the partials by the shared off-diagonal entries."""
    values = {"x": rand(3), "A": rand(3, 3) + 3 * np.eye(3), "B": rand(3, 3)}
    values["A"] = (values["A"] + values["A"].T) / 2

    def f(A: np.ndarray, x: np.ndarray, B: np.ndarray) -> float:
        return float({"x'*A*x": lambda: x @ A @ x, "tr(A*B)": lambda: np.trace(A @ B),
                      "logdet(A) + tr(B*A*B')": lambda: np.linalg.slogdet(A)[1] + np.trace(B @ A @ B.T),
                      "sum(exp(A*x))": lambda: np.sum(np.exp(A @ x))}[text]())

    sym = value_at(["grad", text, "--wrt", "A", "-v", "x:n", "-v", "A:n,n:sym", "-v", "B:n,n"], values)
    assert np.allclose(sym, sym.T)
    direction = RNG.normal(size=(3, 3))
    direction = direction + direction.T
    h = 1e-6
    up = dict(values, A=values["A"] + h * direction)
    down = dict(values, A=values["A"] - h * direction)
    slope = (f(**up) - f(**down)) / (2 * h)
    assert np.isclose(np.sum(sym * direction), slope, atol=1e-6)
    concrete = value_at(["grad", text, "--wrt", "A", "-v", "x:3", "-v", "A:3x3:sym", "-v", "B:3x3"], values)
    assert np.allclose(sym, concrete, atol=1e-9)


def test_only_the_gradient_by_a_symmetric_matrix() -> None:
    for args in (["jacobian", "A*x", "--wrt", "A", "-v", "x:n", "-v", "A:n,n:sym"],
                 ["hessian", "x'*A*x", "--wrt", "A", "-v", "x:2", "-v", "A:2x2:sym"]):
        r = run(*args)
        assert r.status == 1 and "symmetric part" in r.stderr and len(r.stderr.splitlines()) == 1


# --- item 6: --steps for matrix-form results; item 9: LaTeX without doubled parentheses --------
STEPS_CASES = [
    ["grad", "1/2*norm(W*x+b-z)^2", "--wrt", "W", *LSQ],
    ["grad", "x'*A*x", "--wrt", "x", "-v", "x:n", "-v", "A:n,n"],
    ["jacobian", "W*x", "--wrt", "W", "-v", "W:m,n", "-v", "x:n"],
    ["jacobian", "W2*tanh(W1*x)", "--wrt", "x", "-v", "W1:h,n", "-v", "W2:m,h", "-v", "x:n"],
    ["hessian", "1/2*norm(W*x+b-z)^2", "--wrt", "W", *LSQ],
    ["grad", "1/2*norm(W*x+b-z)^2", "--wrt", "W", *LSQ, "--layout", "numerator"],
]


def doubled(latex: str) -> bool:
    """Whether some \\left( ... \\right) wraps exactly another \\left( ... \\right): ((x))."""
    opens: list[int] = []
    pairs: dict[int, int] = {}
    i = 0
    while i < len(latex):
        if latex.startswith(r"\left(", i):
            opens.append(i)
            i += 6
        elif latex.startswith(r"\right)", i):
            pairs[opens.pop()] = i
            i += 7
        else:
            i += 1
    return any(o + 6 in pairs and pairs[o + 6] + 7 == c for o, c in pairs.items())


def _last(steps: list[dict[str, object]]) -> dict[str, object]:
    step = steps[-1]
    while step["substeps"] and step["kind"] == "section":
        step = step["substeps"][-1]  # type: ignore[index]
    return step


@pytest.mark.parametrize("args", STEPS_CASES, ids=[" ".join(a[:2]) for a in STEPS_CASES])
def test_steps_derive_the_printed_result_in_every_format(args: list[str]) -> None:
    d = run(*args, "--steps", "-f", "json").json()
    rules = [s["rule"] for s in d["steps"]]
    assert rules[0] in ("the differential", "the gradient")
    assert any(r in rules for r in ("trace form", "Kronecker form", "linear form", "the differential of the gradient"))
    assert _last(d["steps"])["result"] == d["result"]  # the derivation ends with the printed answer
    plain = run(*args, "--steps")
    assert plain.status == 0 and plain.stdout.startswith("1. the ")
    assert "read off the" in plain.stdout and plain.stdout.splitlines()[-1].startswith(d["result"])
    latex = run(*args, "--steps", "-f", "latex").stdout
    assert latex.startswith(r"\begin{aligned}") and r"\mathrm{d}" in latex and not doubled(latex)
    pretty = run(*args, "--steps", "-f", "pretty").stdout
    assert "read off the" in pretty and "rule:" in pretty


def test_steps_of_a_matrix_valued_diff() -> None:
    d = run("diff", "inv(A + t*B)", "t", "-v", "A:n,n", "-v", "B:n,n", "--steps", "-f", "json").json()
    top = d["steps"][0]["substeps"][0]
    assert top["rule"] == "inverse" and top["result"] == d["result"]
    assert top["general"] == "d(inv(A)) = -inv(A)*dA*inv(A)"
    assert [s["rule"] for s in top["substeps"]] == ["sum"]


@pytest.mark.parametrize("args", [
    ["grad", "x'*A*x", "--wrt", "x", "-v", "A:n,n", "-v", "x:n"],
    ["hessian", "x'*A*x", "--wrt", "x", "-v", "A:n,n", "-v", "x:n"],
    ["grad", "tanh(W*x)'*x", "--wrt", "x", "-v", "W:n,n", "-v", "x:n"],
    ["grad", "(x'*A*x)^2 + 1/(x'*x)", "--wrt", "x", "-v", "A:n,n", "-v", "x:n"],
    ["jacobian", "tanh(W*x)", "--wrt", "x", "-v", "W:n,n", "-v", "x:n"],
])
def test_latex_has_no_doubled_parentheses(args: list[str]) -> None:
    out = run(*args, "-f", "latex").stdout
    assert not doubled(out), out
    assert not doubled(r"\left(x^{\top} A\right)") and doubled(r"\nabla \left(\left(x^{\top} A x\right)\right)")
    assert out.count(r"\left(") == out.count(r"\right)")


# --- item 10: dependencies point one way ---------------------------------------------------------
def test_matrix_package_does_not_import_calculus() -> None:
    import subprocess
    import sys

    code = "import sys, jacli.matrix.api; print('jacli.calculus' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def _imports(path: str) -> set[str]:
    """Modules imported by a jacli source file (relative imports, at any depth), resolved."""
    import ast
    from pathlib import Path

    import jacli as root

    file = Path(root.__file__).parent / path
    pkg = ["jacli", *Path(path).parent.parts]
    out = set()
    for node in ast.walk(ast.parse(file.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = pkg[: len(pkg) - (node.level - 1)]
            if node.module:
                out.add(".".join([*base, node.module]))
            else:
                out.update(".".join([*base, a.name]) for a in node.names)
    return out


def test_no_import_circles_between_calculus_and_matrix() -> None:
    matrix_modules = ["api", "nodes", "rules", "lower", "printing", "numeric", "codegen", "kron", "linear",
                      "differential", "derivation"]
    for name in matrix_modules:
        assert "jacli.calculus" not in _imports(f"matrix/{name}.py"), name
    assert "jacli.matrix.printing" not in _imports("matrix/nodes.py")
    assert "jacli.matrix.rules" not in _imports("matrix/differential.py")


def test_nodes_know_nothing_of_printing_or_algebra() -> None:
    """Issue 20: dependencies point one way, nodes <- algebra <- printing; the stored order of terms
    and the atoms' names come from the structure, the order shown from the printer."""
    assert not {m for m in _imports("matrix/nodes.py") if m.startswith("jacli.")}
    assert {m for m in _imports("matrix/algebra.py") if m.startswith("jacli.")} == {"jacli.matrix.nodes"}
    x, a, b = N.Var("x", "n", 1), N.Var("A", "n", "n"), N.Var("B", "n", "n")
    s1, s2 = A.add(A.mul(b, x), A.mul(a, x), x), A.add(x, A.mul(a, x), A.mul(b, x))
    assert s1 == s2 and P.plain(s1) == "A*x + B*x + x"
    assert [N.order_key(t) for t in s1.terms] == sorted(N.order_key(t) for t in s1.terms)  # type: ignore[attr-defined]
    t = N.atom(N.Trace(a))
    assert "tr(" not in t.name and P.plain(A.S(t * N.atom(N.Norm(x)))) == "norm(x)*tr(A)"


# --- item 5: a class index: the one-hot form, and a clear message for a variable index ----------
def test_class_index_loss_with_a_one_hot_vector() -> None:
    r = run("grad", "-unit(2, n)'*log(softmax(z))", "-v", "z:n", "--wrt", "z", "--check", "-f", "json")
    assert r.status == 0 and r.json()["result"] == "softmax(z) - unit(2, n)" and r.json()["check"]["ok"]
    for decl in ("z:n", "z:3"):
        bad = run("grad", "-log(softmax(z)[k])", "-v", decl, "--wrt", "z")
        assert bad.status == 2 and "one-hot vector y, -y'*log(softmax(z))" in bad.stderr
        assert len(bad.stderr.splitlines()) == 2  # the message and the caret line under the column
