"""hypothesis strategies that build random expressions of jacli's language as text."""

from __future__ import annotations

from hypothesis import strategies as st

SCALAR_LEAVES = st.sampled_from(["x", "y", "2", "3", "1/2", "0.5", "pi", "e", "x1", "w_2"])

UNARY = ["sin", "cos", "exp", "tanh", "atan", "sigmoid", "sinh"]
SAFE_UNARY = {  # functions needing a safe argument get one
    "log": "log(1 + ({})^2)",
    "sqrt": "sqrt(1 + ({})^2)",
    "abs": "abs({})",
}


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", " "]), children).map(
        lambda t: f"({t[0]}){t[1]}({t[2]})" if t[1] != " " else f"({t[0]}) ({t[2]})"
    )
    quotient = st.tuples(children, children).map(lambda t: f"({t[0]})/(2 + ({t[1]})^2)")
    power = st.tuples(children, st.sampled_from(["2", "3", "-1", "1/2"])).map(
        lambda t: f"(1 + ({t[0]})^2)^({t[1]})" if t[1] in ("-1", "1/2") else f"({t[0]})^{t[1]}"
    )
    unary = st.tuples(st.sampled_from(UNARY), children).map(lambda t: f"{t[0]}({t[1]})")
    safe = st.tuples(st.sampled_from(sorted(SAFE_UNARY)), children).map(lambda t: SAFE_UNARY[t[0]].format(t[1]))
    neg = children.map(lambda c: f"-({c})")
    return st.one_of(binary, quotient, power, unary, safe, neg)


scalar_exprs = st.recursive(SCALAR_LEAVES, _combine, max_leaves=8)

TOKENS = st.sampled_from(
    ["x", "y", "1", "2.5", "+", "-", "*", "/", "^", "**", "(", ")", "[", "]", ",", "'", ".T", "sin", "log",
     "exp", "pi", "oo", "@", ".*", "norm", "det", "inv", "__", "import", "os", ".", "=", ";", "\"", "#", " ",
     "1e999", "9^9^9", "\\", "\x00", "é", "λ", "x[0]", "W", "f", "lambda",
     # the Unicode forms of the language, and look-alikes that are not part of it
     "θ", "π", "σ", "Σ", "‖", "||", "|", "√", "²", "⁻", "¹", "ᵀ", "⊤", "∞", "₁", "−", "·", "×", "inf", "sinx",
     "\u0430", "\u0391", "\uff58", "\u200b", "\u0301"]
)
token_soup = st.lists(TOKENS, min_size=1, max_size=12).map("".join)


# --- valid cases for every command (tests/test_fuzz.py) -----------------------------------------
FORMATS = st.sampled_from(["plain", "json", "latex", "pretty"])
POINTS = st.sampled_from(["0", "1", "-1", "2", "1/2", "pi/4", "oo", "-oo"])
AT_VALUES = st.sampled_from(["0", "1", "-1", "1/2", "2", "pi/3", "0.25"])

# variables of a shaped case: shape (rows, cols); (1, 1) is a scalar, as jacli has it
Shape = tuple[int, int]


@st.composite
def scalar_case(draw: st.DrawFn) -> list[str]:
    """argv for limit, diff, grad, jacobian or hessian over scalar expressions in x and y."""
    command = draw(st.sampled_from(["limit", "diff", "grad", "jacobian", "hessian"]))
    fmt = ["-f", draw(FORMATS)]
    if command == "limit":
        e = draw(scalar_exprs).replace("y", "x")
        argv = ["limit", e, "x", draw(POINTS), *fmt]
        if draw(st.booleans()):
            argv += ["--dir", draw(st.sampled_from(["both", "+", "-"]))]
        return argv
    if command == "jacobian":
        items = draw(st.lists(scalar_exprs, min_size=1, max_size=3))
        argv = ["jacobian", "[" + ", ".join(items) + "]", "--wrt", "x,y", "-v", "x:1", "-v", "y:1", *fmt]
    elif command == "diff":
        argv = ["diff", draw(scalar_exprs), *draw(st.sampled_from([["x"], ["y"], ["x", "y"]])),
                "-n", str(draw(st.integers(1, 2))), *fmt]
    else:
        argv = [command, draw(scalar_exprs), "--wrt", "x,y", "-v", "x:1", "-v", "y:1", *fmt]
    if command in ("grad", "jacobian", "hessian") and draw(st.booleans()):
        argv += ["--layout", draw(st.sampled_from(["numerator", "denominator"]))]
    if draw(st.booleans()):
        for name in ("x", "y", "x1", "w_2"):  # every name SCALAR_LEAVES uses
            argv += ["--at", f"{name}={draw(AT_VALUES)}"]
    if draw(st.integers(0, 3)) == 0:
        argv.append("--check")
    if command != "limit" and draw(st.booleans()):
        argv.append("--no-simplify")
    return argv


def _shaped_expr(draw: st.DrawFn, shape: Shape, vars_: dict[str, Shape], depth: int) -> str:
    """A random expression of exactly ``shape``, over the declared variables ``vars_``."""
    r, c = shape
    leaves = [name for name, s in vars_.items() if s == shape]
    leaves += [f"{name}'" for name, s in vars_.items() if s == (c, r) and s != shape]
    if shape == (1, 1):
        leaves += ["s", "2", "1/2", "pi"]
    elif c == 1:
        leaves.append("[" + ", ".join(draw(st.sampled_from(["1", "2", "s", "-1"])) for _ in range(r)) + "]")
    if depth <= 0 or not leaves or draw(st.integers(0, 3)) == 0:
        if leaves:
            return draw(st.sampled_from(leaves))
        depth = max(depth, 1)
    kinds = ["add", "scale", "elementwise", "product", "transpose", "hadamard"]
    if shape == (1, 1):
        kinds += ["reduce", "reduce", "quadratic"]
    if c == 1 and r > 1:
        kinds += ["softmax"]
    kind = draw(st.sampled_from(kinds))
    sub = depth - 1
    if kind == "add":
        return f"({_shaped_expr(draw, shape, vars_, sub)} {draw(st.sampled_from(['+', '-']))} {_shaped_expr(draw, shape, vars_, sub)})"
    if kind == "scale":
        return f"{draw(st.sampled_from(['2', '1/3', 's', '-1']))}*({_shaped_expr(draw, shape, vars_, sub)})"
    if kind == "elementwise":
        fn = draw(st.sampled_from(["tanh", "sigmoid", "sin", "cos", "exp", "atan"]))
        return f"{fn}({_shaped_expr(draw, shape, vars_, sub)})"
    if kind == "hadamard":
        a, b = _shaped_expr(draw, shape, vars_, sub), _shaped_expr(draw, shape, vars_, sub)
        return f"hadamard({a}, {b})" if draw(st.booleans()) else f"({a}) .* ({b})"
    if kind == "transpose":
        inner = _shaped_expr(draw, (c, r), vars_, sub)
        return f"({inner})'" if draw(st.booleans()) else f"({inner}).T"
    if kind == "product":
        k = draw(st.sampled_from(sorted({s[0] for s in vars_.values()} | {1})))
        a, b = _shaped_expr(draw, (r, k), vars_, sub), _shaped_expr(draw, (k, c), vars_, sub)
        return f"({a}) {draw(st.sampled_from(['*', '@']))} ({b})"
    if kind == "softmax":
        return f"softmax({_shaped_expr(draw, shape, vars_, sub)})"
    if kind == "quadratic":
        v = draw(st.sampled_from([n for n, s in vars_.items() if s[1] == 1]))
        k = vars_[v][0]
        return f"{v}'*({_shaped_expr(draw, (k, k), vars_, sub)})*{v}"
    # reduce a vector or matrix to a scalar
    v = draw(st.sampled_from([s for s in vars_.values()]))
    inner = _shaped_expr(draw, v, vars_, sub)
    fn = draw(st.sampled_from(["sum", "norm", "logsumexp", "tr", "det", "dot", "index"]))
    if fn == "logsumexp" and v[1] != 1:
        fn = "sum"
    if fn in ("tr", "det") and v[0] != v[1]:
        fn = "sum"
    if fn == "dot":
        if v[1] != 1:
            fn = "sum"
        else:
            return f"dot({inner}, {_shaped_expr(draw, v, vars_, sub)})"
    if fn == "index":
        if v == (1, 1):
            return inner
        return f"({inner})[{draw(st.integers(0, v[0] * v[1] - 1))}]" if v[1] == 1 else f"({inner})[{v[0] - 1},0]"
    if fn == "norm":
        return f"norm({inner})^2"
    return f"{fn}({inner})"


@st.composite
def shaped_case(draw: st.DrawFn) -> list[str]:
    """argv for grad, jacobian, hessian or diff (by an entry) over random concrete shapes."""
    n, m = draw(st.integers(1, 3)), draw(st.integers(2, 3))
    vars_: dict[str, Shape] = {"x": (n, 1), "b": (m, 1), "W": (m, n), "A": (n, n), "s": (1, 1)}
    decls: list[str] = []
    for name, (r, c) in vars_.items():
        decls += ["-v", f"{name}:{r}" if c == 1 else f"{name}:{r}x{c}"]
    command = draw(st.sampled_from(["grad", "jacobian", "hessian", "diff"]))
    fmt = ["-f", draw(FORMATS)]
    depth = draw(st.integers(1, 3))
    wrt_names = [k for k in vars_ if k != "A" or n <= 2]
    wrt = draw(st.lists(st.sampled_from(wrt_names), min_size=1, max_size=2, unique=True))
    if command == "jacobian":
        out = draw(st.sampled_from([(m, 1), (n, 1)]))
        expr = _shaped_expr(draw, out, vars_, depth)
    else:
        expr = _shaped_expr(draw, (1, 1), vars_, depth)
    if command == "diff":
        var = draw(st.sampled_from(["s", "x[0]" if n > 1 else "x", f"W[{m - 1},0]" if n > 1 else f"W[{m - 1}]", "b[1]"]))
        argv = ["diff", expr, var, *decls, *fmt]
    else:
        argv = [command, expr, "--wrt", ",".join(wrt), *decls, *fmt]
    if draw(st.integers(0, 3)) == 0:
        argv.append("--check")
    if draw(st.booleans()):
        argv.append("--no-simplify")
    return argv


# --- invalid input: soups of tokens, options and declarations ------------------------------------
OPTION_SOUP = st.lists(
    st.sampled_from(["-v", "x:3", "W:2x3", "--at", "x=1", "x=[1,2]", "--let", "y=x^2", "--func", "f", "--wrt", "x,y",
                     "-n", "0", "3", "--dir", "+", "-f", "json", "--check", "--timeout", "-1", "--memory", "--layout",
                     "numerator", "x", "-", "--", "-oo", "W", "x[0]", "--latex", "--steps"]),
    max_size=6,
)


@st.composite
def invalid_case(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(["limit", "diff", "grad", "jacobian", "hessian", "derivative", "lim", "nope"]))
    text = draw(st.one_of(token_soup, st.text(max_size=40), st.tuples(scalar_exprs, TOKENS).map("".join)))
    return [command, text, *draw(OPTION_SOUP)]


# --- the Unicode forms of the language (tests/test_reading.py) ----------------------------------
UNICODE_LEAVES = st.sampled_from(["x", "y", "θ", "λ", "π", "2", "1/2", "x₁", "η", "Σ", "lambda", "mu"])


def _unicode_combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Expressions written the way they are pasted from papers: ‖·‖, |·|, √, superscripts, σ(·),
    implicit products of Greek letters, alongside the ASCII forms."""
    binary = st.tuples(children, st.sampled_from(["+", "−", "·", "*", "×"]), children).map(lambda t: f"({t[0]}){t[1]}({t[2]})")
    juxtaposed = st.tuples(st.sampled_from(["2", "3", "π", "θ", "λ"]), st.sampled_from(["x", "y", "θ", "(x+1)"])).map(
        lambda t: t[0] + t[1])
    power = st.tuples(children, st.sampled_from(["²", "³", "^2", "⁻¹"])).map(lambda t: f"(1 + ({t[0]})^2){t[1]}")
    root = children.map(lambda c: f"√(1 + ({c})^2)")
    bars = children.map(lambda c: f"|({c})|")  # bare nested bars (|||x|||) are ambiguous and refused
    sig = children.map(lambda c: f"σ({c})")
    fn = st.tuples(st.sampled_from(["sin", "softplus", "gelu", "erf", "arctan", "tanh"]), children).map(lambda t: f"{t[0]}({t[1]})")
    extremum = st.tuples(st.sampled_from(["max", "min"]), children, children).map(lambda t: f"{t[0]}({t[1]}, {t[2]})")
    return st.one_of(binary, juxtaposed, power, root, bars, sig, fn, extremum)


unicode_exprs = st.recursive(UNICODE_LEAVES, _unicode_combine, max_leaves=6)


# --- mixes of concrete and symbolic declarations, with --check (issue 16) ------------------------
# (command, expression, --wrt) over x:n, A:n,n, X:m,n, y:m, s and the concrete M:4x1, all valid
SYMBOLIC_CASES = [
    ("grad", "x'*x", "x"), ("grad", "sum(x)", "x"), ("grad", "norm(x)^2", "x"), ("grad", "x'*A*x", "x"),
    ("grad", "x'*A*x", "A"), ("grad", "sum(tanh(x))", "x"), ("grad", "y'*X*x", "X"), ("grad", "y'*X*x", "x"),
    ("grad", "logsumexp(x)", "x"), ("grad", "norm(X*x-y)^2/2", "X"), ("grad", "tr(A)", "A"),
    ("grad", "sum(sigmoid(A*x))", "A"), ("grad", "s*sum(x)", "x"), ("grad", "sum(M)*sum(x)", "x"),
    ("jacobian", "x", "x"), ("jacobian", "A*x", "x"), ("jacobian", "tanh(A*x)", "x"), ("jacobian", "X*x+y", "x"),
    ("jacobian", "softmax(x)", "x"), ("jacobian", "x .* x", "x"), ("jacobian", "exp(x)", "x"),
    ("hessian", "x'*A*x", "x"), ("hessian", "logsumexp(x)", "x"), ("hessian", "norm(X*x-y)^2", "x"),
]
USED_DECLARATIONS = ["x:n", "A:n,n", "X:m,n", "y:m", "s:1", "M:4x1"]
# declared and never used: concrete, symbolic with sizes of their own, and with shared sizes
UNUSED_DECLARATIONS = ["B:2x3", "c:5", "Z:p,q", "v:k", "U:m,k", "w:n", "T:1x4", "r:1"]


@st.composite
def mixed_declarations_case(draw: st.DrawFn) -> list[str]:
    """A matrix-calculus case whose declarations mix concrete and symbolic sizes, some of them
    unused (a size name no used variable has: the KeyError 'm' of issue 16), under --check."""
    command, expr, wrt = draw(st.sampled_from(SYMBOLIC_CASES))
    decls = USED_DECLARATIONS + draw(st.lists(st.sampled_from(UNUSED_DECLARATIONS), unique=True, max_size=5))
    decls = draw(st.permutations(decls))
    argv = [command, expr, "--wrt", wrt, *[a for d in decls for a in ("-v", d)], "-f", draw(FORMATS), "--check"]
    if command != "hessian" and draw(st.booleans()):
        argv += ["--layout", draw(st.sampled_from(["numerator", "denominator"]))]
    return argv


# --- huge literals inside functions, under --check (issue 16) ----------------------------------------
HUGE = st.sampled_from(["7e372", "1e300", "10^30", "2^200", "1e-300", "9e15", "-7e372", "1/7e372", "3^400",
                        "1e308", "2e308", "123456789012345678901234567890"])
HUGE_FUNCTIONS = st.sampled_from(["acot", "atan", "sin", "cos", "exp", "log", "tanh", "sigmoid", "sqrt", "asinh",
                                  "abs", "relu", "factorial"])


@st.composite
def huge_literal_case(draw: st.DrawFn) -> list[str]:
    """diff or grad of f(HUGE op t) (and compositions), checked: numbers beyond a float must reach
    numpy as floats (inf, 0.0), never as Python ints (OverflowError) or object arrays."""
    big = draw(HUGE)
    inner = draw(st.sampled_from(["({b})^t", "({b})*t", "t^2 + ({b})", "t*({b})^t", "({b})/(1 + t^2)", "t^({b})"]))
    expr = f"{draw(HUGE_FUNCTIONS)}({inner.format(b=big)})"
    if draw(st.booleans()):
        expr = f"{draw(HUGE_FUNCTIONS)}({expr}) + t"
    command = draw(st.sampled_from(["diff", "grad"]))
    argv = [command, expr, "t"] if command == "diff" else [command, expr, "--wrt", "t"]
    argv += ["-f", draw(FORMATS), "--check"]
    if draw(st.booleans()):
        argv += ["--at", f"t={draw(AT_VALUES)}"]
    return argv
