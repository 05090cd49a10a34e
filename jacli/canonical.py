"""Sums and products built directly in sympy's canonical form, where no terms or factors combine.

``sympy.Add(*terms)`` and ``sympy.Mul(*factors)`` canonicalize their arguments in Python: they
collect like terms and equal bases, then sort with :meth:`sympy.Basic.compare`, one recursive
Python call per comparison. Large explicit Jacobians build tens of thousands of small sums and
products whose arguments never combine (``A[0,1] + B[0,1]*x[0]``), and there that machinery is
most of the cost. :func:`total` and :func:`product` check that nothing combines, sort with
:func:`order_key` (a key that orders exactly as ``Basic.compare`` does, so the sort runs in C), and
build the object sympy would have built, with the same arguments and hash. Anything else (like
terms, equal bases, numeric factors such as sqrt(2), a number times a sum, floats) goes to sympy.
Tests compare both ways on random sums and products.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import sympy as sp
from sympy import Add, Mul
from sympy.core.basic import ordering_of_classes

_UNKNOWN = len(ordering_of_classes) + 1
_RANKS = {name: i for i, name in enumerate(ordering_of_classes)}
_ONE = sp.S.One
_ZERO = sp.S.Zero


#: the caches below keep at most this many expressions alive (a few MB), also in long batch runs
#: and test sessions; a miss costs microseconds
CACHE_SIZE = 2**15


@lru_cache(maxsize=CACHE_SIZE)
def order_key(e: Any) -> Any:
    """A key whose order is ``Basic.compare``'s: the class (by sympy's ``ordering_of_classes``, then
    by name), the length of the hashable content, then its items in turn. None where the content
    holds something the key cannot order like ``compare`` (a frozenset, an unknown type)."""
    name = type(e).__name__
    rank = _RANKS.get(name, _UNKNOWN)
    content = e._hashable_content()
    items: list[Any] = []
    for item in content:
        if isinstance(item, sp.Basic):
            k = order_key(item)
            if k is None:
                return None
            items.append(k)
        elif isinstance(item, (str, int, tuple)) and not isinstance(item, frozenset):
            items.append(item)
        else:
            return None
    return (rank, name if rank == _UNKNOWN else "", len(content), tuple(items))


@lru_cache(maxsize=CACHE_SIZE)
def _symbolic(e: Any) -> bool:
    """Whether a symbol occurs in ``e`` (numbers such as sqrt(2) or pi combine in products)."""
    return e.is_Symbol or any(_symbolic(a) for a in e.args)


def _base(f: Any) -> Any:
    """The base under which sympy would merge ``f`` with another factor, or None when ``f`` may
    merge in ways not seen from its base (numbers, exp, powers with non-integer exponents)."""
    if not f.is_commutative:
        return None
    if f.is_Symbol:
        return f
    if f.is_Pow:
        return _base(f.base) if f.exp.is_Integer and not f.base.is_Pow else None
    if f.is_Add or (f.is_Function and not isinstance(f, sp.exp)):
        return f if _symbolic(f) else None
    return None


def _split(e: Any) -> tuple[Any, tuple[Any, ...]] | None:
    """(rational coefficient, other factors) of a product of simple factors, else None."""
    if e.is_Rational:
        return e, ()
    if e.is_Mul:
        args = e.args
        coeff = _ONE
        if args[0].is_Rational:
            coeff, args = args[0], args[1:]
        if any(a.is_Mul or _base(a) is None for a in args):
            return None
        return coeff, args
    return (_ONE, (e,)) if _base(e) is not None else None


def product(factors: Sequence[Any]) -> Any:
    """``sympy.Mul(*factors)``, built directly where no two factors merge."""
    factors = [f for f in factors if f is not _ONE]  # as sympy drops the identity first
    if len(factors) <= 1:
        return factors[0] if factors else _ONE
    if len(factors) == 2:  # the commonest case, x[0]*W[0,1], without the general bookkeeping
        a, b = factors
        if type(a) is sp.Symbol and type(b) is sp.Symbol and a != b and a.is_commutative and b.is_commutative:
            ka, kb = order_key(a), order_key(b)
            return Mul._from_args((a, b) if ka < kb else (b, a), True)
    coeff = _ONE
    parts: list[Any] = []
    bases: set[Any] = set()
    for f in factors:
        split = _split(f)
        if split is None:
            return Mul(*factors)
        coeff *= split[0]
        for p in split[1]:
            b = _base(p)
            if b in bases:
                return Mul(*factors)
            bases.add(b)
            parts.append(p)
    if coeff is _ZERO or (coeff is not _ONE and len(parts) == 1 and parts[0].is_Add):
        return Mul(*factors)  # 0*x, and 2*(x + y), which sympy distributes
    ordered = _in_order(parts, coeff, _ONE)
    return Mul(*factors) if ordered is None else Mul._from_args(ordered, True)


def total(terms: Sequence[Any]) -> Any:
    """``sympy.Add(*terms)``, built directly where no two terms are alike."""
    terms = [t for t in terms if t is not _ZERO]  # as sympy drops the identity first
    if len(terms) <= 1:
        return terms[0] if terms else _ZERO
    const = _ZERO
    out: list[Any] = []
    seen: set[Any] = set()
    for t in terms:
        for a in (t.args if t.is_Add else (t,)):
            if a.is_Rational:
                const += a
                continue
            split = _split(a)
            if split is None:
                return Add(*terms)
            monomial = split[1]
            if monomial in seen:
                return Add(*terms)
            seen.add(monomial)
            out.append(a)
    ordered = _in_order(out, const, _ZERO)
    return Add(*terms) if ordered is None else Add._from_args(ordered, True)


def _in_order(args: list[Any], number: Any, identity: Any) -> list[Any] | None:
    """The arguments of a canonical sum or product: the number first unless it is the identity,
    then the rest as Basic.compare orders them; None where order_key cannot order one."""
    keys = [order_key(a) for a in args]
    if None in keys:
        return None
    ordered = [a for _, _, a in sorted(zip(keys, range(len(args)), args, strict=True))]
    return ordered if number is identity else [number, *ordered]
