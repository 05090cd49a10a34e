"""Step-by-step explanations of limits (``jacli limit --steps``): direct substitution, a standard
limit, factoring and cancelling, the dominant term, l'Hôpital's rule; the first short method
that reproduces the answer is shown. The derivative steps it uses are jacli.steps's.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .functions import relu, step
from .steps import Step, differentiate, same


def _standard() -> list[tuple[str, Any, Any, Any]]:
    t = sp.Symbol("t", real=True)
    return [
        ("sin(t)/t -> 1 as t -> 0", sp.sin(t) / t, sp.S.Zero, sp.S.One),
        ("t/sin(t) -> 1 as t -> 0", t / sp.sin(t), sp.S.Zero, sp.S.One),
        ("tan(t)/t -> 1 as t -> 0", sp.tan(t) / t, sp.S.Zero, sp.S.One),
        ("(1 - cos(t))/t^2 -> 1/2 as t -> 0", (1 - sp.cos(t)) / t**2, sp.S.Zero, sp.Rational(1, 2)),
        ("(1 - cos(t))/t -> 0 as t -> 0", (1 - sp.cos(t)) / t, sp.S.Zero, sp.S.Zero),
        ("(e^t - 1)/t -> 1 as t -> 0", (sp.exp(t) - 1) / t, sp.S.Zero, sp.S.One),
        ("log(1 + t)/t -> 1 as t -> 0", sp.log(1 + t) / t, sp.S.Zero, sp.S.One),
        ("(1 + 1/t)^t -> e as t -> oo", (1 + 1 / t) ** t, sp.oo, sp.E),
        ("(1 + t)^(1/t) -> e as t -> 0", (1 + t) ** (1 / t), sp.S.Zero, sp.E),
    ]


def _limit_of(e: Any, x: Any, a: Any, d: str) -> Any:
    if a not in (sp.oo, sp.S.NegativeInfinity) and _defined_at(e, x, a):
        return e.xreplace({x: a})  # continuous there
    if a in (sp.oo, sp.S.NegativeInfinity):
        return sp.limit(e, x, a)
    if d == "both":
        left, right = sp.limit(e, x, a, dir="-"), sp.limit(e, x, a, dir="+")
        return right if left == right else None
    return sp.limit(e, x, a, dir=d)


def _lim_step(rule: str, e: Any, value: Any, x: Any, general: tuple[str, str] | None = None, **kw: Any) -> Step:
    return Step(rule, e, value, x, general, kind="limit", **kw)


def limit_steps(f: Any, x: Any, a: Any, direction: str, value: Any, depth: int = 0,
                seen: set[str] | None = None) -> Step:
    """Explain lim_{x->a} f = value by the first short method that reproduces ``value``."""
    seen = set() if seen is None else seen
    for method in (_direct, _standard_limit, _factor_cancel, _dominant, _lhopital):
        try:
            s = method(f, x, a, direction, value, depth, seen)
        except (TypeError, ValueError, NotImplementedError, sp.PolynomialError):
            s = None
        if s is not None and (s.result == value or same(s.result, value, 0.5)):
            return s
    return _lim_step("limit algorithm", f, value, x,
                     note="no short explanation applies; sympy's Gruntz algorithm (comparing the growth of "
                          "the expression's parts through series at the limit point) gives this value")


def explain_limit(g: Any, x: Any, a: Any, direction: str, value: Any, info: Any) -> list[Step]:
    """The explanation attached to ``jacli limit --steps``: one tree per scalar limit."""
    if isinstance(g, sp.MatrixBase):
        values = list(value) if isinstance(value, sp.MatrixBase) else [None] * len(g)
        return [Step(f"entry [{k}]", e, v, x, kind="limit", substeps=explain_limit(e, x, a, direction, v, info))
                for k, (e, v) in enumerate(zip(g, values, strict=False))]
    if value is None:
        sides = []
        if info is not None and info.left is not None:
            sides.append(f"from the left {info.left}")
        if info is not None and info.right is not None:
            sides.append(f"from the right {info.right}")
        why = (info.reason if info is not None and info.reason else "it does not exist")
        return [_lim_step("limit algorithm", g, None, x,
                          note=f"sympy's Gruntz algorithm gives the one-sided limits ({'; '.join(sides) or why}): {why}")]
    return [limit_steps(g, x, a, direction, value)]


def _finite(v: Any) -> bool:
    return isinstance(v, sp.Basic) and v.is_finite is True and not v.has(sp.nan, sp.zoo, sp.AccumBounds)


def _direct(f: Any, x: Any, a: Any, d: str, value: Any, depth: int, seen: set[str]) -> Step | None:
    if a in (sp.oo, sp.S.NegativeInfinity) or not _finite(value):
        return None
    if f.has(sp.Abs, sp.sign, sp.Heaviside, sp.floor, sp.ceiling, sp.Piecewise, sp.Max, sp.Min, step, relu):
        return None  # possibly discontinuous: substitution proves nothing
    if not _defined_at(f, x, a):
        return None
    at = f.xreplace({x: a})
    if not _finite(at):
        return None
    at = sp.simplify(at) if sp.count_ops(at) < 40 else at
    general = ("lim f(x) as x -> a = f(a) where f is continuous at a",
               r"\lim_{x \to a} f(x) = f(a) \text{ for } f \text{ continuous at } a")
    return _lim_step("direct substitution", f, at, x, general, bindings=[(str(x), a)],
                     note="the expression is continuous there, so its limit is its value")


def _defined_at(f: Any, x: Any, a: Any) -> bool:
    """Every part of ``f`` has a finite real value at x = a, with no 0^0, no 0^negative, no log of a
    non-positive number and no power with a variable exponent over a non-positive base: the
    conditions under which substituting proves continuity for jacli's elementary functions."""
    for part in sp.preorder_traversal(f):
        if not isinstance(part, sp.Basic) or x not in part.free_symbols:
            continue
        v = part.xreplace({x: a})
        if not _finite(v) or v.is_real is False:
            return False
        if isinstance(part, sp.Pow):
            b, e = part.base.xreplace({x: a}), part.exp.xreplace({x: a})
            if x in part.exp.free_symbols and b.is_positive is not True:
                return False
            if b.is_zero and e.is_positive is not True:
                return False
            if b.is_negative and e.is_integer is not True:
                return False
        if isinstance(part, sp.log) and part.args[0].xreplace({x: a}).is_positive is not True:
            return False
    return True


def _standard_limit(f: Any, x: Any, a: Any, d: str, value: Any, depth: int, seen: set[str]) -> Step | None:
    for text, g, point, result in _standard():
        if point != a:
            continue
        t = next(iter(g.free_symbols))
        cand = g.xreplace({t: x})
        if cand == f or sp.expand(sp.together(cand - f)) == 0:
            return _lim_step("standard limit", f, result, x, (text, _tex_standard(text)))
    return None


def _tex_standard(text: str) -> str:
    lhs, _, rest = text.partition(" -> ")
    value, _, point = rest.partition(" as t -> ")
    g = next(g for t, g, _, _ in _standard() if t == text)
    from sympy import latex

    return rf"\lim_{{t \to {latex(sp.oo) if point == 'oo' else point}}} {latex(g)} = {latex(sp.E) if value == 'e' else value}"


def _fraction(f: Any) -> tuple[Any, Any]:
    """Numerator and denominator as written; combined over a common denominator only when needed
    (``together`` may cancel the very factor the explanation is about)."""
    num, den = sp.fraction(f)
    if not den.free_symbols:
        num, den = sp.fraction(sp.together(f))
    return num, den


def _factor_cancel(f: Any, x: Any, a: Any, d: str, value: Any, depth: int, seen: set[str]) -> Step | None:
    if a in (sp.oo, sp.S.NegativeInfinity) or not f.is_rational_function(x):
        return None
    num, den = _fraction(f)
    if den.free_symbols.isdisjoint({x}) or not (num.xreplace({x: a}) == 0 and den.xreplace({x: a}) == 0):
        return None
    fn, fd = sp.factor(num), sp.factor(den)
    reduced = sp.cancel(num / den)
    common = sp.factor(sp.gcd(num, den))
    rn, rd = sp.fraction(reduced)
    sub = limit_steps(reduced, x, a, d, value, depth + 1, seen)
    general = ("factor numerator and denominator, cancel the common factor (x - a), then take the limit",
               r"\frac{(x - a) p(x)}{(x - a) q(x)} = \frac{p(x)}{q(x)} \quad (x \neq a)")
    return _lim_step("factor and cancel", f, sub.result, x, general,
                     bindings=[("numerator", fn), ("denominator", fd), ("common factor", common),
                               ("after cancelling", reduced)],
                     substeps=[sub], note=f"0/0 at {x} = {a}: both vanish there")


def _dominant(f: Any, x: Any, a: Any, d: str, value: Any, depth: int, seen: set[str]) -> Step | None:
    if a not in (sp.oo, sp.S.NegativeInfinity) or not f.is_rational_function(x):
        return None
    num, den = _fraction(f)
    pn, pd = sp.Poly(sp.expand(num), x), sp.Poly(sp.expand(den), x)
    ln = pn.LC() * x ** pn.degree()
    ld = pd.LC() * x ** pd.degree()
    ratio = sp.simplify(ln / ld)
    res = sp.limit(ratio, x, a)
    general = ("at infinity a polynomial behaves like its leading term: p(x)/q(x) ~ (leading term of p)/(leading term of q)",
               r"\lim_{x \to \infty} \frac{a_n x^{n} + \cdots}{b_m x^{m} + \cdots} = \lim_{x \to \infty} \frac{a_n x^{n}}{b_m x^{m}}")
    return _lim_step("dominant terms", f, res, x, general,
                     bindings=[("leading term of the numerator", ln), ("leading term of the denominator", ld),
                               ("their ratio", ratio)])


def _lhopital(f: Any, x: Any, a: Any, d: str, value: Any, depth: int, seen: set[str]) -> Step | None:
    if depth > 3:
        return None
    num, den = sp.fraction(f)
    if den.free_symbols.isdisjoint({x}) or num.free_symbols.isdisjoint({x}):
        return None
    ln, ld = _limit_of(num, x, a, d), _limit_of(den, x, a, d)
    if ln is None or ld is None:
        return None
    zero = ln == 0 and ld == 0
    inf = ln.is_infinite and ld.is_infinite
    if not (zero or inf):
        return None
    dn, dd = differentiate(num, x, seen=seen), differentiate(den, x, seen=seen)
    quotient = dn.result / dd.result
    q = sp.simplify(quotient) if sp.count_ops(quotient) < 60 else quotient
    sub = limit_steps(q, x, a, d, value, depth + 1, seen)
    general = ("if f/g -> 0/0 or oo/oo, then lim f/g = lim f'/g' (when the latter exists)",
               r"\lim_{x \to a} \frac{f(x)}{g(x)} = \lim_{x \to a} \frac{f'(x)}{g'(x)}")
    form = "0/0" if zero else "oo/oo"
    return _lim_step("L'Hôpital's rule", f, sub.result, x, general,
                     bindings=[("f", num), ("g", den), ("f'", dn.result), ("g'", dd.result), ("f'/g'", q)],
                     substeps=[dn, dd, sub], note=f"the form is {form}")
