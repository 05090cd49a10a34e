"""Tidying results: the timed simplification every derivative passes through before it is
printed (cheap rewrites first, simplify only where it can finish, the shortest form kept).
"""

from __future__ import annotations

import time

import sympy as sp

from .budget import attempt
from .builtins import Value, as_value
from .guard import check_result, tree_size

SIMPLIFY_SECONDS = 2.0  # total budget for tidying one result
SIMPLIFY_MAX_NODES = 3_000  # larger entries are left as computed: simplify would not finish in time


CHEAP_SECONDS = 0.25  # budget for the cheap rewrites of one entry (factor can explode on big ones)
FULL_SIMPLIFY_OPS = 20  # below this many operations only the cheap rewrites are tried
MAX_SIMPLIFY_OPS = 150  # simplify almost never finishes in budget beyond this many operations
MAX_TIDY_ENTRIES = 100  # larger results are printed as computed (counting operations alone costs seconds)


class Tidy:
    """Simplify within one time budget shared by every entry of a command's result, keeping a
    simplified entry only when it is clearly shorter.

    sympy's simplify can take minutes and sometimes lengthens expressions; the budget and the
    length test keep both failure modes out of the answer.
    """

    def __init__(self, seconds: float = SIMPLIFY_SECONDS, enabled: bool = True) -> None:
        self.stop = time.monotonic() + seconds
        self.enabled = enabled

    def entry(self, e: sp.Expr) -> sp.Expr:
        if not isinstance(e, sp.Basic) or e.is_Atom or not e.free_symbols or time.monotonic() >= self.stop:
            return e
        size = tree_size(e, SIMPLIFY_MAX_NODES)
        if size > SIMPLIFY_MAX_NODES:
            return e  # count_ops alone can take a minute here (it asks sympy's assumptions)
        fraction = _has_denominator(e)
        if size <= 6 or (size < 24 and not fraction):
            return e  # short and fraction-free: simplify (0.1-0.7 s) rarely shortens these
        ops = sp.count_ops(e)
        if ops > MAX_SIMPLIFY_OPS:
            return e

        # cheap rewrites first (a few milliseconds): they settle most quotient-rule results. factor
        # brings a sum of fractions over one denominator and takes out common factors, which is
        # what factor_terms would do, so factor_terms is tried only where there is no fraction
        def rewrites() -> list[sp.Expr]:
            out = [sp.factor(e) if fraction else sp.factor_terms(e)]
            if _trig_products(e):
                out.append(sp.trigsimp(e))
            return out

        cheap = attempt(rewrites, min(self.stop - time.monotonic(), CHEAP_SECONDS)) or []
        kinds = _function_kinds(e)
        # count_ops is slow on big trees (it queries assumptions): drop rewrites that grew first
        cheap = [c for c in cheap if tree_size(c, size) <= size and _function_kinds(c) <= kinds]
        if cheap:
            rank, _, best = min((_rank(c), i, c) for i, c in enumerate(cheap))
            # a sum of fractions gives way to any shorter form (the quotient rule's one fraction,
            # (x^2 - 2*x - 1)/(x - 1)^2); other results only to one a quarter shorter, so that
            # x^2*cos(x) + 2*x*sin(x) is not turned into x*(x*cos(x) + 2*sin(x))
            if rank <= (_nested_fractions(e), ops - 1 if fraction else 0.75 * ops):
                return best
        if ops < FULL_SIMPLIFY_OPS:
            return e  # full simplify costs 20-100 ms a line and seldom wins on results this short
        left = self.stop - time.monotonic()
        if left <= 0:
            return e
        cand = attempt(lambda: sp.simplify(e), left)
        if cand is None or not _function_kinds(cand) <= kinds:
            return e  # e.g. exp(-x)/(1 + exp(-x))^2 -> 1/(4*cosh(x/2)^2): shorter, but not the user's terms
        return cand if sp.count_ops(cand) <= 0.75 * ops else e

    def __call__(self, value: Value) -> Value:
        check_result(value)  # never spend the budget on a result too large to print
        if not self.enabled:
            return value
        if isinstance(value, sp.MatrixBase):
            if len(value) > MAX_TIDY_ENTRIES:
                return value
            return as_value(value.applyfunc(self.entry))
        return self.entry(value)



def _function_kinds(e: sp.Expr) -> set[type]:
    return {type(f) for f in e.atoms(sp.Function)} | ({sp.Piecewise} if e.has(sp.Piecewise) else set())


def _has_denominator(e: sp.Expr) -> bool:
    return any(p.exp.is_negative for p in e.atoms(sp.Pow))


def _rank(e: sp.Expr) -> tuple[int, int]:
    """Candidates compare by nested fractions first, then by operations: 2*(1 - x/(x^2 + 1))*exp(2*x)/(x^2 + 1)
    loses to 2*(x^2 - x + 1)*exp(2*x)/(x^2 + 1)^2 although it counts one operation fewer."""
    return _nested_fractions(e), sp.count_ops(e)


def _nested_fractions(e: sp.Expr) -> int:
    """Sums inside a product or power that hold a fraction: the 1 - x/(x^2 + 1) of a factor."""
    count = 0
    for node in sp.preorder_traversal(e):
        if isinstance(node, (sp.Mul, sp.Pow)):
            count += sum(1 for a in node.args if isinstance(a, sp.Add) and _has_denominator(a))
    return count


_TRIG = (sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc)


def _trig_products(e: sp.Expr) -> bool:
    """Whether trigsimp can help: a product or power of trigonometric functions (sin(x)^2,
    sin(x)*cos(x)), or tan/cot/sec/csc beside sin/cos. trigsimp costs tens of milliseconds and
    cannot shorten a sum whose terms hold one trigonometric factor each."""
    trig = e.atoms(*_TRIG)
    if not trig:
        return False
    kinds = {type(t) for t in trig}
    if kinds & {sp.tan, sp.cot, sp.sec, sp.csc} and kinds & {sp.sin, sp.cos}:
        return True
    for node in sp.preorder_traversal(e):
        if isinstance(node, sp.Pow) and isinstance(node.base, _TRIG):
            return True
        if isinstance(node, sp.Mul) and sum(1 for a in node.args if isinstance(a, _TRIG)
                                            or (isinstance(a, sp.Pow) and isinstance(a.base, _TRIG))) >= 2:
            return True
    return False
