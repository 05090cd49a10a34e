"""Step-by-step derivations: one rule-based differentiator that builds a rule tree and the answer.

``differentiate(expr, x)`` walks a lowered sympy expression and applies one named rule per node
(constant, constant multiple, power, sum, product, quotient, chain, exp, logarithms, a^x, trig,
inverse trig, hyperbolic, abs, sigmoid/relu/step, abstract functions, f^g by logarithmic
differentiation). Every node records the rule, its general form (the first time the rule occurs),
the concrete bindings, the sub-steps and the partial result. The derivative of each function
application comes from the function's own ``fdiff`` (what ``sympy.diff`` uses), so the tree's
result equals jacli's answer; a node whose function has no rule in the table says so.

``derivative_steps``/``gradient_steps``/``jacobian_steps``/``hessian_steps`` arrange the trees in
sections for the commands; ``limit_steps`` explains a limit (direct substitution, factor and
cancel, standard limits, dominant terms at infinity, L'Hopital) or names the algorithm used.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from . import syntax as sx
from .budget import attempt
from .declarations import Value, Workspace, as_value, names_in, shape_of, split_entry
from .functions import gelu, maximum, minimum, relu, sigmoid, softplus, step


@dataclass
class Step:
    """One node of a derivation (or a section grouping several)."""

    rule: str
    expr: Any = None  # what is differentiated (or whose limit is taken)
    result: Any = None  # the derivative (or the limit)
    var: Any = None  # the variable
    general: tuple[str, str] | None = None  # the general rule: (plain text, LaTeX), given once per tree
    bindings: list[tuple[str, Any]] = field(default_factory=list)  # f = ..., u = ...
    substeps: list[Step] = field(default_factory=list)
    note: str | None = None
    kind: str = "derivative"  # derivative | limit | section | equation
    lhs: tuple[str, str] | None = None  # for equations: the left-hand side (plain, LaTeX), e.g. J_y(z)

    def walk(self) -> Iterator[Step]:
        yield self
        for s in self.substeps:
            yield from s.walk()


# --- the general rules: (plain, LaTeX) ----------------------------------------------------------
GENERAL: dict[str, tuple[str, str]] = {
    "constant": ("c' = 0", r"\frac{d}{dx} c = 0"),
    "identity": ("x' = 1", r"\frac{d}{dx} x = 1"),
    "constant multiple": ("(c*f)' = c*f'", r"(c f)' = c f'"),
    "sum": ("(f + g)' = f' + g'", r"(f + g)' = f' + g'"),
    "difference": ("(f - g)' = f' - g'", r"(f - g)' = f' - g'"),
    "product": ("(f*g)' = f'*g + f*g'", r"(f g)' = f' g + f g'"),
    "product of n factors": ("(f1*f2*...*fn)' = f1'*f2*...*fn + f1*f2'*...*fn + ... + f1*f2*...*fn'",
                             r"(f_1 f_2 \cdots f_n)' = \sum_{i=1}^{n} f_1 \cdots f_i' \cdots f_n"),
    "quotient": ("(f/g)' = (f'*g - f*g')/g^2", r"\left(\frac{f}{g}\right)' = \frac{f' g - f g'}{g^{2}}"),
    "chain": ("(f(u))' = f'(u)*u'", r"\frac{d}{dx} f(u) = f'(u) \frac{du}{dx}"),
    "power": ("(x^n)' = n*x^(n - 1)", r"\frac{d}{dx} x^{n} = n x^{n - 1}"),
    "exponential a^x": ("(a^x)' = a^x*log(a)", r"\frac{d}{dx} a^{x} = a^{x} \ln a"),
    "logarithmic differentiation": (
        "y = f^g, log(y) = g*log(f), so y' = f^g*(g'*log(f) + g*f'/f)",
        r"y = f^{g},\ \ln y = g \ln f,\ y' = f^{g} \left(g' \ln f + \frac{g f'}{f}\right)",
    ),
    "logarithm base b": ("(log(x, b))' = 1/(x*log(b))", r"\frac{d}{dx} \log_{b} x = \frac{1}{x \ln b}"),
    "abstract function": ("(f(x))' = f'(x)", r"\frac{d}{dx} f(x) = f'(x)"),
    "multivariable chain": ("(f(u1, ..., un))' = sum of (df/dui)*ui'",
                            r"\frac{d}{dx} f(u_1, \ldots, u_n) = \sum_i \frac{\partial f}{\partial u_i} \frac{du_i}{dx}"),
}

# function class name -> (rule name, plain general, LaTeX general), stated for the argument x
FUNCTION_RULES: dict[str, tuple[str, str, str]] = {
    "exp": ("exponential", "(e^x)' = e^x", r"\frac{d}{dx} e^{x} = e^{x}"),
    "log": ("natural logarithm", "(log(x))' = 1/x", r"\frac{d}{dx} \ln x = \frac{1}{x}"),
    "sin": ("sine", "(sin(x))' = cos(x)", r"\frac{d}{dx} \sin x = \cos x"),
    "cos": ("cosine", "(cos(x))' = -sin(x)", r"\frac{d}{dx} \cos x = -\sin x"),
    "tan": ("tangent", "(tan(x))' = 1/cos(x)^2 = 1 + tan(x)^2", r"\frac{d}{dx} \tan x = \sec^{2} x = 1 + \tan^{2} x"),
    "cot": ("cotangent", "(cot(x))' = -1/sin(x)^2 = -1 - cot(x)^2", r"\frac{d}{dx} \cot x = -\csc^{2} x"),
    "sec": ("secant", "(sec(x))' = sec(x)*tan(x)", r"\frac{d}{dx} \sec x = \sec x \tan x"),
    "csc": ("cosecant", "(csc(x))' = -csc(x)*cot(x)", r"\frac{d}{dx} \csc x = -\csc x \cot x"),
    "asin": ("inverse sine", "(asin(x))' = 1/sqrt(1 - x^2)", r"\frac{d}{dx} \arcsin x = \frac{1}{\sqrt{1 - x^{2}}}"),
    "acos": ("inverse cosine", "(acos(x))' = -1/sqrt(1 - x^2)", r"\frac{d}{dx} \arccos x = -\frac{1}{\sqrt{1 - x^{2}}}"),
    "atan": ("inverse tangent", "(atan(x))' = 1/(1 + x^2)", r"\frac{d}{dx} \arctan x = \frac{1}{1 + x^{2}}"),
    "acot": ("inverse cotangent", "(acot(x))' = -1/(1 + x^2)", r"\frac{d}{dx} \operatorname{arccot} x = -\frac{1}{1 + x^{2}}"),
    "sinh": ("hyperbolic sine", "(sinh(x))' = cosh(x)", r"\frac{d}{dx} \sinh x = \cosh x"),
    "cosh": ("hyperbolic cosine", "(cosh(x))' = sinh(x)", r"\frac{d}{dx} \cosh x = \sinh x"),
    "tanh": ("hyperbolic tangent", "(tanh(x))' = 1 - tanh(x)^2", r"\frac{d}{dx} \tanh x = 1 - \tanh^{2} x"),
    "coth": ("hyperbolic cotangent", "(coth(x))' = 1 - coth(x)^2", r"\frac{d}{dx} \coth x = 1 - \coth^{2} x"),
    "asinh": ("inverse hyperbolic sine", "(asinh(x))' = 1/sqrt(x^2 + 1)",
              r"\frac{d}{dx} \operatorname{arsinh} x = \frac{1}{\sqrt{x^{2} + 1}}"),
    "acosh": ("inverse hyperbolic cosine", "(acosh(x))' = 1/sqrt(x^2 - 1)",
              r"\frac{d}{dx} \operatorname{arcosh} x = \frac{1}{\sqrt{x^{2} - 1}}"),
    "atanh": ("inverse hyperbolic tangent", "(atanh(x))' = 1/(1 - x^2)", r"\frac{d}{dx} \operatorname{artanh} x = \frac{1}{1 - x^{2}}"),
    "Abs": ("absolute value", "(abs(x))' = sign(x)  (x != 0)", r"\frac{d}{dx} |x| = \operatorname{sign} x \quad (x \neq 0)"),
    "sigmoid": ("sigmoid", "(sigmoid(x))' = sigmoid(x)*(1 - sigmoid(x))", r"\frac{d}{dx} \sigma(x) = \sigma(x) (1 - \sigma(x))"),
    "relu": ("relu", "(relu(x))' = step(x)  (0 at x = 0, as PyTorch)", r"\frac{d}{dx} \operatorname{relu} x = \operatorname{step} x"),
    "step": ("unit step", "(step(x))' = 0  (x != 0)", r"\frac{d}{dx} \operatorname{step} x = 0 \quad (x \neq 0)"),
    "sign": ("sign", "(sign(x))' = 0  (x != 0)", r"\frac{d}{dx} \operatorname{sign} x = 0 \quad (x \neq 0)"),
    "asec": ("inverse secant", "(asec(x))' = 1/(x^2*sqrt(1 - 1/x^2))",
             r"\frac{d}{dx} \operatorname{arcsec} x = \frac{1}{x^{2} \sqrt{1 - \frac{1}{x^{2}}}}"),
    "acsc": ("inverse cosecant", "(acsc(x))' = -1/(x^2*sqrt(1 - 1/x^2))",
             r"\frac{d}{dx} \operatorname{arccsc} x = -\frac{1}{x^{2} \sqrt{1 - \frac{1}{x^{2}}}}"),
    "sech": ("hyperbolic secant", "(sech(x))' = -tanh(x)*sech(x)",
             r"\frac{d}{dx} \operatorname{sech} x = -\tanh x \operatorname{sech} x"),
    "csch": ("hyperbolic cosecant", "(csch(x))' = -coth(x)*csch(x)",
             r"\frac{d}{dx} \operatorname{csch} x = -\coth x \operatorname{csch} x"),
    "acoth": ("inverse hyperbolic cotangent", "(acoth(x))' = 1/(1 - x^2)",
              r"\frac{d}{dx} \operatorname{arcoth} x = \frac{1}{1 - x^{2}}"),
    "asech": ("inverse hyperbolic secant", "(asech(x))' = -1/(x*sqrt(1 - x^2))",
              r"\frac{d}{dx} \operatorname{arsech} x = -\frac{1}{x \sqrt{1 - x^{2}}}"),
    "acsch": ("inverse hyperbolic cosecant", "(acsch(x))' = -1/(x^2*sqrt(1 + 1/x^2))",
              r"\frac{d}{dx} \operatorname{arcsch} x = -\frac{1}{x^{2} \sqrt{1 + \frac{1}{x^{2}}}}"),
    "erf": ("error function", "(erf(x))' = 2*exp(-x^2)/sqrt(pi)", r"\frac{d}{dx} \operatorname{erf} x = \frac{2}{\sqrt{\pi}} e^{-x^{2}}"),
    "softplus": ("softplus", "(softplus(x))' = (log(1 + exp(x)))' = sigmoid(x)",
                 r"\frac{d}{dx} \operatorname{softplus} x = \frac{d}{dx} \ln(1 + e^{x}) = \sigma(x)"),
    "gelu": ("gelu", "(gelu(x))' = (x*Phi(x))' = Phi(x) + x*phi(x) = (1 + erf(x/sqrt(2)))/2 + x*exp(-x^2/2)/sqrt(2*pi)",
             r"\frac{d}{dx} x \Phi(x) = \Phi(x) + x \varphi(x) = "
             r"\frac{1 + \operatorname{erf}(x/\sqrt{2})}{2} + \frac{x e^{-x^{2}/2}}{\sqrt{2\pi}}"),
}

# two-argument functions: (rule name, plain general, LaTeX general)
EXTREMUM_RULES: dict[str, tuple[str, str, str]] = {
    "maximum": ("maximum", "(max(u, v))' = step(u - v)*u' + step(v - u)*v'  (at u = v: 0, as relu'(0))",
                r"\frac{d}{dx} \max(u, v) = \operatorname{step}(u - v)\, u' + \operatorname{step}(v - u)\, v'"),
    "minimum": ("minimum", "(min(u, v))' = step(v - u)*u' + step(u - v)*v'  (at u = v: 0, as relu'(0))",
                r"\frac{d}{dx} \min(u, v) = \operatorname{step}(v - u)\, u' + \operatorname{step}(u - v)\, v'"),
}

_KNOWN_CLASSES = (sigmoid, relu, step, softplus, gelu, maximum, minimum)


class Differentiator:
    """Builds the rule tree of d/dvar for expressions over one variable at a time."""

    def __init__(self, var: sp.Symbol, taken: set[str] | None = None, seen: set[str] | None = None) -> None:
        self.var = var
        self.seen: set[str] = seen if seen is not None else set()
        self.taken = set(taken or ())
        self.counter = 0

    # helpers
    def general(self, rule: str, text: tuple[str, str] | None = None) -> tuple[str, str] | None:
        if rule in self.seen:
            return None
        self.seen.add(rule)
        return text if text is not None else GENERAL.get(rule)

    def fresh(self) -> sp.Symbol:
        for name in ("u", "v", "w", "t", "s", "r"):
            if name not in self.taken:
                self.taken.add(name)
                return sp.Symbol(name, real=True)
        while True:
            self.counter += 1
            name = f"u{self.counter}"
            if name not in self.taken:
                self.taken.add(name)
                return sp.Symbol(name, real=True)

    def const(self, e: Any) -> bool:
        return self.var not in e.free_symbols

    def node(self, rule: str, e: Any, result: Any, **kw: Any) -> Step:
        general = kw.pop("general", self.general(rule))
        return Step(rule, e, result, self.var, general, **kw)

    # the walk
    def __call__(self, e: Any) -> Step:
        x = self.var
        if self.const(e):
            return self.node("constant", e, sp.S.Zero)
        if e == x:
            return self.node("identity", e, sp.S.One)
        if isinstance(e, sp.Add):
            return self.add(e)
        if isinstance(e, sp.Mul):
            return self.mul(e)
        if isinstance(e, sp.Pow):
            return self.pow(e)
        if isinstance(e, (sp.Function, AppliedUndef)) or isinstance(e, _KNOWN_CLASSES):
            return self.function(e)
        if isinstance(e, (sp.Derivative, sp.Subs)):
            return self.abstract_derivative(e)
        return self.unknown(e)

    def abstract_derivative(self, e: Any) -> Step:
        """f'(x) and f'(g(x)) (a Derivative, or a Subs of one) of an abstract function of one argument."""
        d = e.expr if isinstance(e, sp.Subs) else e
        simple = (isinstance(d, sp.Derivative) and isinstance(d.expr, AppliedUndef) and len(d.expr.args) == 1
                  and len(d.variable_count) == 1 and d.variable_count[0][0] == d.expr.args[0])
        rule = "derivative of an abstract function"
        if (not simple and isinstance(e, sp.Derivative) and isinstance(d.expr, AppliedUndef)
                and all(isinstance(a, sp.Symbol) for a in d.expr.args)):
            # a partial derivative of f(x, y, ...) at its own variables: one more partial
            general = self.general("partial of an abstract function",
                                   ("d/dx of a partial of f(x, y) is the next partial, e.g. (f_1(x, y))'_y = f_1_2(x, y)",
                                    r"\frac{\partial}{\partial y} f_{1}(x, y) = f_{1 2}(x, y)"))
            return self.node(rule, e, sp.diff(e, self.var), general=general)
        if not simple:
            return self.unknown(e)
        general = self.general(rule, ("(f^(k)(x))' = f^(k+1)(x)", r"\frac{d}{dx} f^{(k)}(x) = f^{(k+1)}(x)"))
        if isinstance(e, sp.Derivative):
            u = d.expr.args[0]
            if u == self.var:
                return self.node(rule, e, sp.diff(e, self.var), general=general)
        elif len(e.variables) != 1 or e.variables[0] != d.expr.args[0]:
            return self.unknown(e)
        else:
            u = e.point[0]
        t = self.fresh()
        k = int(d.variable_count[0][1])
        outer = sp.Derivative(d.expr.func(t), (t, k))
        outer_step = Step(rule, outer, sp.diff(outer, t), t, general)
        inner = self(u)
        return self.node("chain", e, sp.diff(e, self.var), bindings=[(str(t), u)], substeps=[outer_step, inner])

    def unknown(self, e: Any, why: str | None = None) -> Step:
        result = sp.diff(e, self.var)
        name = type(e).__name__
        return Step("no rule", e, result, self.var, None,
                    note=why or f"jacli has no step-by-step rule for {name}; this derivative was computed directly by sympy")

    def add(self, e: sp.Add) -> Step:
        terms = list(e.as_ordered_terms())
        subs = [self(t) for t in terms]
        negative = [t.could_extract_minus_sign() for t in terms]
        rule = "difference" if len(terms) == 2 and any(negative) else "sum"
        if rule == "difference":
            f, g = (terms[0], -terms[1]) if negative[1] else (terms[1], -terms[0])
            bindings = [("f", f), ("g", g)]
        else:
            bindings = [(f"f{i + 1}", t) for i, t in enumerate(terms)] if len(terms) > 2 else [("f", terms[0]), ("g", terms[1])]
        return self.node(rule, e, sp.Add(*[s.result for s in subs]), bindings=bindings, substeps=subs)

    def mul(self, e: sp.Mul) -> Step:
        const = [a for a in e.args if self.const(a)]
        rest = [a for a in e.args if not self.const(a)]
        c = sp.Mul(*const)
        if const:
            # logarithm in base b: log(u) * 1/log(b)
            if (len(rest) == 1 and isinstance(rest[0], sp.log) and isinstance(c, sp.Pow) and c.exp == -1
                    and isinstance(c.base, sp.log)):
                return self.log_base(e, rest[0].args[0], c.base.args[0])
            inner = sp.Mul(*rest)
            sub = self(inner)
            return self.node("constant multiple", e, c * sub.result, bindings=[("c", c), ("f", inner)], substeps=[sub])
        num = [a for a in rest if not (isinstance(a, sp.Pow) and a.exp.is_number and a.exp.is_negative)]
        den = [a for a in rest if a not in num]
        if den and num:
            f = sp.Mul(*num)
            g = sp.Mul(*[sp.Pow(a.base, -a.exp) for a in den])
            fs, gs = self(f), self(g)
            result = (fs.result * g - f * gs.result) / g**2
            return self.node("quotient", e, result, bindings=[("f", f), ("g", g)], substeps=[fs, gs])
        subs = [self(a) for a in rest]
        terms = []
        for i, s in enumerate(subs):
            terms.append(sp.Mul(*[s.result if k == i else a for k, a in enumerate(rest)]))
        if len(rest) == 2:
            return self.node("product", e, sp.Add(*terms), bindings=[("f", rest[0]), ("g", rest[1])], substeps=subs)
        return self.node("product of n factors", e, sp.Add(*terms),
                         bindings=[(f"f{i + 1}", a) for i, a in enumerate(rest)], substeps=subs)

    def log_base(self, e: Any, u: Any, b: Any) -> Step:
        rule = "logarithm base b"
        if u == self.var:
            return self.node(rule, e, 1 / (u * sp.log(b)), bindings=[("b", b)])
        return self.chain(e, u, lambda t: sp.log(t) / sp.log(b), rule, self.general(rule), [("b", b)])

    def pow(self, e: sp.Pow) -> Step:
        base, ex = e.base, e.exp
        x = self.var
        if self.const(ex):
            rule = "power"
            if base == x:
                return self.node(rule, e, ex * base ** (ex - 1), bindings=[("n", ex)])
            return self.chain(e, base, lambda t: t**ex, rule, self.general(rule), [("n", ex)])
        if self.const(base):
            if base is sp.E:
                return self.function(sp.exp(ex), original=e)
            rule = "exponential a^x"
            if ex == x:
                return self.node(rule, e, base**ex * sp.log(base), bindings=[("a", base)])
            return self.chain(e, ex, lambda t: base**t, rule, self.general(rule), [("a", base)])
        # f(x)^g(x)
        fs, gs = self(base), self(ex)
        result = e * (gs.result * sp.log(base) + ex * fs.result / base)
        return self.node("logarithmic differentiation", e, result, bindings=[("f", base), ("g", ex)], substeps=[fs, gs])

    def function(self, e: Any, original: Any = None) -> Step:
        shown = original if original is not None else e
        name = type(e).__name__
        if isinstance(e, AppliedUndef):
            return self.abstract(e)
        if name in EXTREMUM_RULES:
            rule, plain, latex = EXTREMUM_RULES[name]
            subs = [self(a) for a in e.args]
            result = sp.Add(*[e.fdiff(i + 1) * sub.result for i, sub in enumerate(subs)])
            return self.node(rule, shown, result, general=self.general(rule, (plain, latex)),
                             bindings=[("u", e.args[0]), ("v", e.args[1])], substeps=subs)
        if len(e.args) != 1:
            return self.unknown(shown)
        (u,) = e.args
        if name in FUNCTION_RULES:
            rule, plain, latex = FUNCTION_RULES[name]
            general = self.general(rule, (plain, latex))
        else:
            rule, general = f"derivative of {name}", None
        try:
            outer = e.fdiff(1)
        except Exception:  # noqa: BLE001 - a function without a derivative formula
            return self.unknown(shown)
        if u == self.var:
            note = None if name in FUNCTION_RULES else f"jacli's rule table has no entry for {name}; sympy's formula is used"
            return self.node(rule, shown, outer, general=general, note=note)
        return self.chain(shown, u, lambda t: e.func(t), rule, general, [])

    def chain(self, e: Any, u: Any, outer_of: Any, rule: str, general: tuple[str, str] | None,
              bindings: list[tuple[str, Any]]) -> Step:
        """The chain rule: d/dx outer(u) = outer'(u) * u', with u = ... shown explicitly."""
        t = self.fresh()
        outer_expr = outer_of(t)
        outer_d = sp.diff(outer_expr, t)
        if isinstance(outer_expr, AppliedUndef) or outer_expr.has(sp.Derivative):
            outer_d = outer_expr.diff(t)
        outer_step = Step(rule, outer_expr, outer_d, t, general, bindings=bindings)
        inner = self(u)
        result = outer_d.xreplace({t: u}) * inner.result
        return self.node("chain", e, result, bindings=[(str(t), u)], substeps=[outer_step, inner])

    def abstract(self, e: Any) -> Step:
        f = e.func
        args = e.args
        if len(args) == 1:
            (u,) = args
            if u == self.var:
                return self.node("abstract function", e, sp.diff(e, self.var))
            t = self.fresh()
            outer = f(t)
            outer_step = Step("abstract function", outer, sp.diff(outer, t), t, self.general("abstract function"))
            inner = self(u)
            result = e.fdiff(1) * inner.result
            return self.node("chain", e, result, bindings=[(str(t), u)], substeps=[outer_step, inner])
        subs = [self(a) for a in args]
        result = sp.Add(*[e.fdiff(i + 1) * s.result for i, s in enumerate(subs)])
        return self.node("multivariable chain", e, result,
                         bindings=[(f"u{i + 1}", a) for i, a in enumerate(args)], substeps=subs)


def differentiate(expr: Any, var: sp.Symbol, taken: set[str] | None = None, seen: set[str] | None = None) -> Step:
    """The rule tree of d/d``var`` of a scalar sympy expression; ``.result`` is the derivative.

    ``seen``: rules whose general form was already given (shared by the trees of one answer).
    """
    names = {str(s) for s in expr.free_symbols} | {str(var)} | set(taken or ())
    return Differentiator(var, names, seen)(expr)


# --- equality of the explained result with the answer ---------------------------------------------
def same(a: Any, b: Any, seconds: float = 1.0) -> bool:
    """True when ``a`` and ``b`` are shown equal: structurally, by simplify within a budget, or
    (failing that) at several random points."""
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)) or a.shape != b.shape:
            return False
        return all(same(p, q, seconds) for p, q in zip(a, b, strict=True))
    d = sp.sympify(a) - sp.sympify(b)
    if d == 0:
        return True
    d = d.doit() if d.has(sp.Subs, sp.Derivative) else d
    s = attempt(lambda: sp.simplify(d), seconds)
    if s is not None and s == 0:
        return True
    free = sorted(d.free_symbols, key=str)
    rng = random.Random(7)
    for _ in range(4):
        point = {s: sp.Float(rng.uniform(0.3, 1.7)) for s in free}
        try:
            v = complex(sp.N(d.xreplace(point), 20))
        except (TypeError, ValueError):
            return False
        if abs(v) > 1e-9:
            return False
    return True


def _confirm(root: Step, answer: Any) -> Step:
    if not same(root.result, answer):
        root.note = ((root.note + "; ") if root.note else "") + (
            "the rule-by-rule result could not be shown equal to the simplified answer")
    return root


def _names(expr: Any) -> set[str]:
    syms = expr.free_symbols if isinstance(expr, sp.Basic) else set()
    return {str(s) for s in syms}


# --- sections for the commands ------------------------------------------------------------------
def derivative_steps(value: Value, variables: Sequence[sp.Symbol], order: int, answer: Value,
                     seen: set[str] | None = None) -> list[Step]:
    """diff: one tree per differentiation (several for mixed partials and -n), entry by entry."""
    seen = set() if seen is None else seen
    if isinstance(value, sp.MatrixBase):
        sections = []
        entries = list(value)
        answers = list(answer) if isinstance(answer, sp.MatrixBase) else [answer]
        for k, (e, a) in enumerate(zip(entries, answers, strict=False)):
            index = f"[{k}]" if value.cols == 1 else f"[{k // value.cols},{k % value.cols}]"
            inner = derivative_steps(e, variables, order, a, seen)
            sections.append(Step(f"entry {index}", e, a, None, substeps=inner, kind="section"))
        return sections
    steps: list[Step] = []
    current = value
    taken = _names(value)
    for var in variables:
        for _ in range(order):
            tree = differentiate(current, var, taken, seen)
            steps.append(tree)
            current = tree.result
    if steps:
        _confirm(steps[-1], answer)
        if len(steps) > 1:
            steps[-1].note = ((steps[-1].note + "; ") if steps[-1].note else "") + "the last result is the answer"
    return steps


def _partials(f: Any, symbols: Sequence[sp.Symbol], title: str, taken: set[str],
              seen: set[str]) -> tuple[list[Step], list[Any]]:
    """One section per partial derivative of f (gradients, and the first stage of Hessians)."""
    sections, parts = [], []
    for s in symbols:
        tree = differentiate(f, s, taken, seen)
        parts.append(tree.result)
        sections.append(Step(f"{title} {s}", f, tree.result, s, substeps=[tree], kind="section"))
    return sections, parts


def gradient_steps(f: Any, symbols: Sequence[sp.Symbol], answer: Value) -> list[Step]:
    """grad: one section per partial derivative, then the assembled vector."""
    sections, parts = _partials(f, symbols, "partial derivative by", _names(f), set())
    vector = sp.ImmutableMatrix(len(parts), 1, parts)
    sections.append(_confirm(Step("assemble the gradient", None, as_value(vector), None, kind="equation",
                                  note="the partial derivatives, in order"), answer))
    return sections


def jacobian_steps(outputs: Sequence[Any], symbols: Sequence[sp.Symbol], answer: Any) -> list[Step]:
    """jacobian: one section per entry (row = output, column = input), then the matrix."""
    sections = []
    taken = set().union(*[_names(o) for o in outputs]) if outputs else set()
    rows = []
    seen: set[str] = set()
    for i, out in enumerate(outputs):
        row = []
        for k, s in enumerate(symbols):
            tree = differentiate(out, s, taken, seen)
            row.append(tree.result)
            if tree.rule == "constant":
                continue  # zero entries: stated in the assembled matrix
            sections.append(Step(f"entry ({i + 1}, {k + 1}): d{_label(i, outputs)}/d{s}", out, tree.result, s,
                                 substeps=[tree], kind="section"))
        rows.append(row)
    m = sp.ImmutableMatrix(rows)
    sections.append(_confirm(Step("assemble the Jacobian", None, as_value(m), None, kind="equation",
                                  note="one row per output, one column per input (entries not shown are 0)"), answer))
    return sections


def _label(i: int, outputs: Sequence[Any]) -> str:
    return f"f{i + 1}" if len(outputs) > 1 else "f"


def hessian_steps(f: Any, symbols: Sequence[sp.Symbol], answer: Any) -> list[Step]:
    """hessian: the first partials, then each second partial, then the matrix."""
    taken = _names(f)
    seen: set[str] = set()
    sections, first = _partials(f, symbols, "first partial by", taken, seen)
    rows = []
    for i, g in enumerate(first):
        row = []
        for s in symbols:
            tree = differentiate(g, s, taken, seen)
            row.append(tree.result)
            if tree.rule == "constant":
                continue  # zero entries: stated in the assembled matrix
            sections.append(Step(f"second partial by {symbols[i]}, {s}", g, tree.result, s, substeps=[tree],
                                 kind="section"))
        rows.append(row)
    sections.append(_confirm(Step("assemble the Hessian", None, as_value(sp.ImmutableMatrix(rows)), None,
                                  kind="equation", note="entries without a section are 0"), answer))
    return sections


def composite_steps(ws: Workspace, node: sx.Node, text: str, symbols: Sequence[sp.Symbol], answer: Any,
                    layout: str = "numerator") -> list[Step] | None:
    """The seed's chain rule for maps defined with --let: J = J_y(z) * J_z(x).

    ``None`` when the expression uses no --let quantity.
    """
    lets = dict(ws.lets)
    used = [n for n in dict.fromkeys(names_in(node)) if n in lets]
    if not used:
        return None
    inner_ws = Workspace(shapes=dict(ws.shapes), funcs=dict(ws.funcs))
    for name in used:
        inner_ws.declare(name, shape_of(ws.let_value(name)))
    for name, body in ws.lets:
        if name not in used:
            inner_ws.define(name, body)
    y = inner_ws.lower(node, text)
    z_syms: list[sp.Symbol] = []
    z_vals: list[Any] = []
    for name in used:
        var = inner_ws.variable(name)
        val = ws.let_value(name)
        z_syms += list(var) if isinstance(var, sp.MatrixBase) else [var]
        z_vals += list(val) if isinstance(val, sp.MatrixBase) else [val]
    outputs = list(y) if isinstance(y, sp.MatrixBase) else [y]
    jy = sp.Matrix(len(outputs), len(z_syms), lambda i, k: sp.diff(outputs[i], z_syms[k]))
    jz = sp.Matrix(len(z_vals), len(symbols), lambda i, k: sp.diff(z_vals[i], symbols[k]))
    direct = sp.Matrix(len(outputs), len(symbols), lambda i, k: sp.diff(outputs[i], symbols[k]))
    back = dict(zip(z_syms, z_vals, strict=True))
    shown = jy * jz + direct
    total = shown.xreplace(back)
    in_z = any(shown.has(s) for s in z_syms)
    z = used[0] if len(used) == 1 else "(" + ", ".join(used) + ")"
    zt = used[0] if len(used) == 1 else r"\left(" + ", ".join(used) + r"\right)"
    bases = list(dict.fromkeys((split_entry(str(s)) or (str(s),))[0] for s in symbols))
    xs = ", ".join(bases)
    zargs = ", ".join(used)
    jy_z = as_value(sp.ImmutableMatrix(jy))
    jz_v = as_value(sp.ImmutableMatrix(jz))
    ydesc = Step("Jacobian of the outer map", y, as_value(sp.ImmutableMatrix(jy)), None, kind="equation",
                 lhs=(f"J_y({zargs})", rf"J_{{y}}({zargs})"), bindings=[("y", y)],
                 note=f"the derivatives of y by the entries of {z}")
    zstep = Step("Jacobian of the inner map", sp.ImmutableMatrix(z_vals), jz_v, None, kind="equation",
                 lhs=(f"J_{z}({xs})", rf"J_{{{zt}}}({xs})"), bindings=[(name, ws.let_value(name)) for name in used],
                 note=f"the derivatives of the entries of {z} by the variables")
    general = ("J_(y o z)(x) = J_y(z(x)) * J_z(x)",
               r"J_{y \circ z}(x) = J_{y}\big(z(x)\big)\, J_{z}(x)")
    notes = []
    if not direct.is_zero_matrix:
        notes.append("plus the direct dependence of y on the variables")
    if in_z:
        notes.append(f"substituting {z} = {z}({xs}) gives the answer")
    prod = Step("chain rule: product of Jacobians", sp.MatMul(jy_z, jz_v, evaluate=False) if isinstance(jy_z, sp.MatrixBase)
                and isinstance(jz_v, sp.MatrixBase) and direct.is_zero_matrix else None,
                as_value(sp.ImmutableMatrix(shown)), None, general=general, kind="equation",
                lhs=(f"J_y({zargs})*J_{z}({xs})", rf"J_{{y}}({zargs})\, J_{{{zt}}}({xs})"), note="; ".join(notes) or None)
    if not same(as_value(sp.ImmutableMatrix(total)), answer):
        prod.note = "the product of Jacobians could not be shown equal to the answer"
    elif layout == "denominator":
        prod.note = ((prod.note + "; ") if prod.note else "") + "the answer below is its transpose (denominator layout)"
    return [ydesc, zstep, prod]


__all__ = ["Step", "differentiate", "derivative_steps", "gradient_steps", "jacobian_steps", "hessian_steps",
           "composite_steps", "same"]
