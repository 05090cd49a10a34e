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
     "1e999", "9^9^9", "\\", "\x00", "é", "λ", "x[0]", "W", "f", "lambda"]
)
token_soup = st.lists(TOKENS, min_size=1, max_size=12).map("".join)
