"""The smart constructors of matrix-expression nodes: every tree they build is in one canonical form.

``add``, ``mul``, ``scale``, ``transpose``, ``inverse``, ``hadamard`` and ``elementwise`` push
transposes to the leaves, collect like terms, take common factors out and turn 1x1 products into
scalars, so that equal results are equal nodes (and so print equally). Terms of sums and factors
of Hadamard products are stored in the structural order of ``nodes.order_key``.

Within ``factoring(False)`` (``--no-simplify``) sums keep the terms the rules produce: like terms
are still added and zero terms dropped, but no common factor is taken out of them.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

import sympy as sp

from .nodes import (
    Diag,
    Elementwise,
    Entry,
    Hadamard,
    Identity,
    Inverse,
    Node,
    Ones,
    Prod,
    Scalar,
    Sum,
    SumAll,
    T,
    Transpose,
    Unit,
    Var,
    Zero,
    as_expr,
    atom,
    order_key,
    split,
)


def S(e: Any) -> Scalar:
    return Scalar(sp.sympify(e) if not isinstance(e, sp.Basic) else e)


def prod(coeff: sp.Expr, factors: tuple[Node, ...]) -> Node:
    if coeff == 0:
        return Zero(factors[0].rows, factors[-1].cols)
    if coeff == 1 and len(factors) == 1:
        return factors[0]
    return Prod(coeff, factors)


def scale(c: sp.Expr, node: Node) -> Node:
    c = sp.sympify(c)
    if node.is_scalar:
        return Scalar(sp.expand_mul(c * as_expr(node)) if c.is_Number else c * as_expr(node))
    if c == 0 or isinstance(node, Zero):
        return Zero(node.rows, node.cols)
    coeff, fs = split(node)
    return prod(c * coeff, fs)


def _simplify_chain(fs: list[Node]) -> tuple[sp.Expr, list[Node]]:
    """Cancel A^-1 A, drop identities, and take 1x1 sub-products out as scalar atoms."""
    coeff = sp.S.One
    changed = True
    while changed:
        changed = False
        fs = [f for f in fs if not isinstance(f, Identity)] or fs[:1]
        for k in range(len(fs) - 1):
            a, b = fs[k], fs[k + 1]
            if (isinstance(a, Inverse) and a.arg == b) or (isinstance(b, Inverse) and b.arg == a) or (
                isinstance(a, Transpose) and isinstance(a.arg, Inverse) and isinstance(b, Transpose)
                and a.arg.arg == b.arg
            ) or (isinstance(b, Transpose) and isinstance(b.arg, Inverse) and isinstance(a, Transpose)
                  and b.arg.arg == a.arg):
                fs = fs[:k] + [Identity(a.rows)] + fs[k + 2 :]
                changed = True
                break
        if changed:
            continue
        for k in range(len(fs) - 1):  # diag(v)*ones = v, ones'*diag(v) = v'
            a, b = fs[k], fs[k + 1]
            if isinstance(a, Diag) and isinstance(b, Ones) and b.cols == 1:
                fs = fs[:k] + [a.arg] + fs[k + 2 :]
                changed = True
                break
            if isinstance(b, Diag) and isinstance(a, Ones) and a.rows == 1:
                fs = fs[:k] + [transpose(b.arg)] + fs[k + 2 :]
                changed = True
                break
        if changed:
            continue
        n = len(fs)
        for i in range(n):
            if fs[i].rows != 1:
                continue
            j = next((j for j in range(i, n) if fs[j].cols == 1), None)
            if j is None or (i == 0 and j == n - 1) or j == i:
                continue
            coeff *= chain_atom(tuple(fs[i : j + 1]))
            fs = fs[:i] + fs[j + 1 :]
            changed = True
            break
    return coeff, fs


def chain_atom(fs: tuple[Node, ...]) -> sp.Expr:
    """The scalar of a 1x1 chain: v'*ones = sum(v), v'*e_k = v[k], otherwise an atom of the product."""
    if len(fs) == 2:
        a, b = fs
        if isinstance(b, Ones) and a.rows == 1:
            return sp.S.One if isinstance(a, Unit) else atom(SumAll(transpose(a)))
        if isinstance(a, Ones) and b.cols == 1:
            return sp.S.One if isinstance(b, Unit) else atom(SumAll(b))
        if isinstance(b, Unit) and a.rows == 1:
            return as_expr(entry(transpose(a), b.i))
        if isinstance(a, Unit) and b.cols == 1:
            return as_expr(entry(b, a.j))
    return atom(Prod(sp.S.One, fs))


def entry(v: Node, i: int, j: int = 0) -> Node:
    """v[i] (or M[i, j]) as a scalar."""
    if isinstance(v, Unit):
        return Scalar(sp.S.One if (v.i, v.j) == (i, j) else sp.S.Zero)
    if isinstance(v, Ones):
        return Scalar(sp.S.One)
    return Scalar(atom(Entry(v, i, j)))


def mul(*nodes: Node) -> Node:
    """Matrix product (scalars scale). Shapes are checked by the caller."""
    coeff = sp.S.One
    chain: list[Node] = []
    for n in nodes:
        if n.is_scalar:
            coeff *= as_expr(n)
        elif isinstance(n, Zero):
            return _zero_product(nodes)
        else:
            c, fs = split(n)
            coeff *= c
            chain.extend(fs)
    if not chain:
        return Scalar(coeff)
    if coeff == 0:
        return Zero(chain[0].rows, chain[-1].cols)
    c2, chain = _simplify_chain(chain)
    coeff *= c2
    if len(chain) == 1 and isinstance(chain[0], Identity) and chain[0].n == 1:
        return Scalar(coeff)
    if chain[0].rows == 1 and chain[-1].cols == 1:
        return Scalar(coeff * (chain_atom(tuple(chain)) if len(chain) > 1 else as_expr(chain[0])))
    return prod(coeff, tuple(chain))


def _zero_product(nodes: tuple[Node, ...]) -> Node:
    shaped = [n for n in nodes if not n.is_scalar]
    if not shaped:
        return Scalar(sp.S.Zero)
    return Zero(shaped[0].rows, shaped[-1].cols)


def _canonical(node: Node) -> tuple[Any, ...]:
    """Where a term goes in a Sum (or a factor in a Hadamard product): by the structure of its
    chain, its coefficient aside. Only the stored order; the printers choose the order shown."""
    _, fs = split(node)
    return tuple(order_key(f) for f in fs)


_FACTORING: contextvars.ContextVar[bool] = contextvars.ContextVar("jacli_matrix_factoring", default=True)


@contextlib.contextmanager
def factoring(enabled: bool) -> Iterator[None]:
    """Whether ``add`` takes common factors out of the sums built inside (default: yes)."""
    token = _FACTORING.set(enabled)
    try:
        yield
    finally:
        _FACTORING.reset(token)


def add(*nodes: Node) -> Node:
    """Sum of equal-shaped nodes: like terms collected, common left or right factors taken out."""
    if all(n.is_scalar for n in nodes):
        return Scalar(sp.Add(*[as_expr(n) for n in nodes]))
    shape = next(n.shape for n in nodes if not n.is_scalar)
    terms: dict[tuple[Node, ...], sp.Expr] = {}
    order: list[tuple[Node, ...]] = []
    stack = list(nodes)
    while stack:
        n = stack.pop(0)
        if isinstance(n, Zero):
            continue
        if isinstance(n, Sum):
            stack = list(n.terms) + stack
            continue
        if isinstance(n, Prod) and len(n.factors) == 1 and isinstance(n.factors[0], Sum):
            stack = [scale(n.coeff, t) for t in n.factors[0].terms] + stack
            continue
        c, fs = split(n)
        if fs not in terms:
            terms[fs] = sp.S.Zero
            order.append(fs)
        terms[fs] += c
    items = [(terms[fs], fs) for fs in order if sp.simplify(terms[fs]) != 0]
    if not items:
        return Zero(*shape)
    if not _FACTORING.get():  # the terms as computed
        return prod(*items[0]) if len(items) == 1 else Sum(tuple(sorted((prod(c, fs) for c, fs in items), key=_canonical)))
    items = [(sp.factor_terms(c) if not c.is_Number else c, fs) for c, fs in items]
    if len(items) == 1:
        return prod(*items[0])
    common = [f for f in sp.Mul.make_args(items[0][0]) if not f.is_Number
              and all(f in sp.Mul.make_args(c) for c, _ in items[1:])]
    if common:  # c A + c B -> c (A + B)
        k = sp.Mul(*common)
        return scale(k, add(*[prod(sp.cancel(c / k) if c.free_symbols else c / k, fs) for c, fs in items]))
    factored = _factor(items)
    if factored is not None:
        return factored
    built = [prod(c, fs) for c, fs in items]
    built.sort(key=_canonical)
    return Sum(tuple(built))


def _factor(items: list[tuple[sp.Expr, tuple[Node, ...]]]) -> Node | None:
    """A x + B x -> (A + B) x and x A + x B -> x (A + B) when every term shares the factor."""
    if all(len(fs) >= 2 for _, fs in items):
        right = items[0][1][-1]
        if all(fs[-1] == right for _, fs in items):
            inner = add(*[prod(c, fs[:-1]) for c, fs in items])
            return mul(inner, right)
        left = items[0][1][0]
        if all(fs[0] == left for _, fs in items):
            inner = add(*[prod(c, fs[1:]) for c, fs in items])
            return mul(left, inner)
    # a common scalar coefficient: c A + c B -> c (A + B) is left to the printer
    return None


def transpose(node: Node) -> Node:
    if node.is_scalar:
        return node
    own = getattr(node, "transposed", None)  # Kronecker products, commutation and block matrices
    if own is not None:
        return own()  # type: ignore[no-any-return]
    if isinstance(node, Transpose):
        return node.arg
    if isinstance(node, (Identity, Diag)) or (isinstance(node, Var) and node.sym):
        return node
    if isinstance(node, Zero):
        return Zero(node.cols, node.rows)
    if isinstance(node, Ones):
        return Ones(node.cols, node.rows)
    if isinstance(node, Unit):
        return Unit(node.cols, node.rows, node.j, node.i)
    if isinstance(node, Prod):
        return prod(node.coeff, tuple(transpose(f) for f in reversed(node.factors)))
    if isinstance(node, Sum):  # distributed only where that gives the sum back: (A + A')' = A + A'
        spread = add(*[transpose(t) for t in node.terms])
        return spread if spread == node else Transpose(node)
    if isinstance(node, Hadamard):
        return hadamard(*[transpose(f) for f in node.factors])
    if isinstance(node, Elementwise):
        return Elementwise(node.fn, transpose(node.arg))
    if isinstance(node, Inverse) and isinstance(node.arg, Transpose):
        return Inverse(node.arg.arg)
    if isinstance(node, Inverse) and transpose(node.arg) == node.arg:  # inv(X'*X)' = inv(X'*X)
        return node
    return Transpose(node)


def inverse(node: Node) -> Node:
    if node.is_scalar:
        return Scalar(1 / as_expr(node))
    if isinstance(node, Inverse):
        return node.arg
    if isinstance(node, Identity):
        return node
    if isinstance(node, Transpose):
        return transpose(inverse(node.arg))
    if isinstance(node, Prod) and len(node.factors) == 1:
        return scale(1 / node.coeff, inverse(node.factors[0]))
    return Inverse(node)


def hadamard(*nodes: Node) -> Node:
    coeff = sp.S.One
    fs: list[Node] = []
    shape: tuple[Any, Any] | None = None
    for n in nodes:
        if n.is_scalar:
            coeff *= as_expr(n)
            continue
        if isinstance(n, Zero):
            return Zero(n.rows, n.cols)
        c, chain = split(n)
        inner = chain[0] if len(chain) == 1 else prod(sp.S.One, chain)
        coeff *= c
        if isinstance(inner, Hadamard):
            fs.extend(inner.factors)
        elif not isinstance(inner, Ones):
            fs.append(inner)
        else:
            shape = inner.shape
    if not fs:
        return S(coeff) if shape is None else scale(coeff, Ones(*shape))
    units = [f for f in fs if isinstance(f, Unit)]
    if units:  # v .* e_k = v[k] e_k
        u = units[0]
        for f in fs:
            if f is not u:
                coeff *= as_expr(entry(f, u.i, u.j))
        return scale(coeff, u)
    # phi(A) .* psi(A) -> (phi*psi)(A); A .* A -> (t^2)(A)
    merged: list[Node] = []
    for f in fs:
        fn, arg = (f.fn, f.arg) if isinstance(f, Elementwise) else (T, f)
        for k, g in enumerate(merged):
            gfn, garg = (g.fn, g.arg) if isinstance(g, Elementwise) else (T, g)
            if garg == arg:
                merged[k] = elementwise(gfn * fn, arg)
                break
        else:
            merged.append(f)
    out = merged[0] if len(merged) == 1 else Hadamard(tuple(sorted(merged, key=_canonical)))
    return scale(coeff, out)


def elementwise(fn: sp.Expr, node: Node) -> Node:
    """phi(node) entry by entry (phi a sympy expression in T); scalars get phi directly."""
    if node.is_scalar:
        return Scalar(fn.xreplace({T: as_expr(node)}))
    if fn == T:
        return node
    if fn.is_number:
        return scale(fn, Ones(node.rows, node.cols))
    if isinstance(node, Elementwise):
        return elementwise(fn.xreplace({T: node.fn}), node.arg)
    return Elementwise(fn, node)


def broadcast(c: sp.Expr, node: Node) -> Node:
    """c + node with the scalar c added to every entry."""
    if isinstance(node, Elementwise) and not (c.free_symbols - {T}):
        return elementwise(c + node.fn, node.arg)
    return add(scale(c, Ones(node.rows, node.cols)), node)
