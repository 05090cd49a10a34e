"""--steps for matrix-form results: the differential rule by rule, the trace (or Kronecker) form,
and the derivative read off it, as jacli.steps.Step trees (printed by jacli.render in every format).

The differential is the forward one of jacli.matrix.differential, traced: each node that depends
on the variable gets one step ``d(Y) = ...`` naming its rule, with the steps of its operands
beneath. The last step states the printed result itself, so the derivation ends where the answer is.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..steps import Step
from . import algebra as A
from . import nodes as N
from .differential import Differential, placeholder, trace
from .kron import Blocks, Kron, Vec, vec
from .printing import latex, plain

# rule name -> (plain, LaTeX) general form
RULES: dict[str, tuple[str, str]] = {
    "sum": ("d(A + B) = dA + dB", r"\mathrm{d}(A + B) = \mathrm{d}A + \mathrm{d}B"),
    "product": ("d(A*B) = dA*B + A*dB", r"\mathrm{d}(A B) = \mathrm{d}A\, B + A\, \mathrm{d}B"),
    "transpose": ("d(A') = (dA)'", r"\mathrm{d}(A^{\top}) = (\mathrm{d}A)^{\top}"),
    "inverse": ("d(inv(A)) = -inv(A)*dA*inv(A)", r"\mathrm{d}(A^{-1}) = -A^{-1}\, \mathrm{d}A\, A^{-1}"),
    "Hadamard product": ("d(A .* B) = dA .* B + A .* dB",
                         r"\mathrm{d}(A \odot B) = \mathrm{d}A \odot B + A \odot \mathrm{d}B"),
    "elementwise function": ("d(phi(A)) = phi'(A) .* dA", r"\mathrm{d}\,\varphi(A) = \varphi'(A) \odot \mathrm{d}A"),
    "softmax": ("d(softmax(v)) = softmax(v) .* dv - softmax(v)*softmax(v)'*dv",
                r"\mathrm{d}\,s(v) = s \odot \mathrm{d}v - s\, s^{\top} \mathrm{d}v"),
    "scalar chain": ("d(g(u)) = g'(u)*du", r"\mathrm{d}\,g(u) = g'(u)\, \mathrm{d}u"),
    "determinant": ("d(det(A)) = det(A)*tr(inv(A)*dA)", r"\mathrm{d} \det A = \det A \operatorname{tr}(A^{-1} \mathrm{d}A)"),
    "log-determinant": ("d(logdet(A)) = tr(inv(A)*dA)", r"\mathrm{d} \log\det A = \operatorname{tr}(A^{-1} \mathrm{d}A)"),
    "norm": ("d(norm(A)) = tr(A'*dA)/norm(A)", r"\mathrm{d} \|A\| = \operatorname{tr}(A^{\top} \mathrm{d}A) / \|A\|"),
    "trace": ("d(tr(A)) = tr(dA)", r"\mathrm{d} \operatorname{tr} A = \operatorname{tr} \mathrm{d}A"),
    "sum of entries": ("d(sum(A)) = sum(dA)", r"\mathrm{d} \operatorname{sum} A = \operatorname{sum} \mathrm{d}A"),
    "log-sum-exp": ("d(logsumexp(v)) = softmax(v)'*dv",
                    r"\mathrm{d} \operatorname{logsumexp} v = s(v)^{\top} \mathrm{d}v"),
    "entry": ("d(A[i,j]) = dA[i,j]", r"\mathrm{d} A_{ij} = (\mathrm{d}A)_{ij}"),
    "diag": ("d(diag(A)) = diag(dA)", r"\mathrm{d} \operatorname{diag} A = \operatorname{diag} \mathrm{d}A"),
    "Kronecker product": ("d(kron(A, B)) = kron(dA, B) + kron(A, dB)",
                          r"\mathrm{d}(A \otimes B) = \mathrm{d}A \otimes B + A \otimes \mathrm{d}B"),
    "vec": ("d(vec(A)) = vec(dA)", r"\mathrm{d} \operatorname{vec} A = \operatorname{vec} \mathrm{d}A"),
    "variable": ("d(X) = dX", r"\mathrm{d}X = \mathrm{d}X"),
}


def _rule(node: N.Node) -> str:
    table: list[tuple[type, str]] = [
        (N.Sum, "sum"), (N.Prod, "product"), (N.Transpose, "transpose"), (N.Inverse, "inverse"),
        (N.Hadamard, "Hadamard product"), (N.Elementwise, "elementwise function"), (N.Softmax, "softmax"),
        (N.Scalar, "scalar chain"), (N.Det, "determinant"), (N.LogDet, "log-determinant"), (N.Norm, "norm"),
        (N.SumAll, "sum of entries"), (N.LogSumExp, "log-sum-exp"), (N.Entry, "entry"), (N.Diag, "diag"),
        (N.DiagOf, "diag"), (Kron, "Kronecker product"), (Vec, "vec"), (N.Var, "variable"),
        (N.ScalarVar, "variable"),
    ]
    for cls, name in table:
        if type(node) is cls:
            return name
    return "trace" if type(node) is N.Trace else type(node).__name__


class Tracing(Differential):
    """The forward differential, recording one Step per node that depends on the variable."""

    def __init__(self, var: N.Node, dvar: N.Node, by: str | None = None) -> None:
        super().__init__(var, dvar)
        self.by = by  # "t": derivatives d/dt (dt = 1) rather than differentials
        self.stack: list[list[Step]] = [[]]
        self.seen: set[str] = set()

    def lhs(self, node: N.Node) -> tuple[str, str]:
        if self.by is not None:
            return f"d/d{self.by} ({plain(node)})", rf"\frac{{d}}{{d{self.by}}}\left({latex(node)}\right)"
        return f"d({plain(node)})", rf"\mathrm{{d}}\left({latex(node)}\right)"

    def record(self, node: N.Node, compute: Any) -> N.Node:
        self.stack.append([])
        out: N.Node = compute()
        subs = self.stack.pop()
        if isinstance(node, (N.Var, N.ScalarVar)) and not subs:
            return out  # d(X) = dX: said once in the rules, not at every leaf
        rule = _rule(node)
        general = RULES.get(rule) if rule not in self.seen else None
        self.seen.add(rule)
        self.stack[-1].append(Step(rule, expr=None, result=out, general=general, substeps=subs, kind="equation",
                                   lhs=self.lhs(node)))
        return out

    def __call__(self, node: N.Node) -> N.Node:
        if node in self.cache or not self.has(node) or (isinstance(node, N.Scalar) and node.e.is_Symbol):
            return super().__call__(node)  # a bare atom: its own step says it
        return self.record(node, lambda: Differential.__call__(self, node))

    def atom(self, a: N.Node) -> N.Node:
        if isinstance(a, N.ScalarVar):
            return super().atom(a)
        return self.record(a, lambda: Differential.atom(self, a))


def _section(title: str, steps: list[Step], note: str | None = None) -> Step:
    return Step(title, kind="section", substeps=steps, note=note)


def _eq(title: str, lhs: tuple[str, str], result: N.Node, expr: N.Node | None = None,
        note: str | None = None) -> Step:
    return Step(title, expr=expr, result=result, lhs=lhs, kind="equation", note=note)


def differential_section(f: N.Node, var: N.Node, title: str = "the differential") -> tuple[Step, N.Node, N.Node]:
    dv = placeholder(var)
    tracer = Tracing(var, dv)
    df = tracer(f)
    return _section(title, tracer.stack[0]), df, dv


def _name(var: N.Node) -> str:
    return str(N.node_of(var.e).name if isinstance(var, N.Scalar) else var.name)  # type: ignore[union-attr,attr-defined]


def gradient_steps(f: N.Node, var: N.Node, g: N.Node) -> list[Step]:
    """d f, then d f = tr(Gᵀ dX) (g'*dx for vectors), then ∇f = G: the printed gradient."""
    name = _name(var)
    section, df, dv = differential_section(f, var)
    if var.is_scalar:
        form: N.Node = A.mul(g, dv)
        note = "a scalar variable: df = f'*dt"
    elif var.cols == 1:
        form = A.mul(A.transpose(g), dv)
        note = "a'*dx collects every term: df = g'*dx"
    else:
        form = N.Scalar(trace(A.mul(A.transpose(g), dv)))
        note = "tr(A*B) = tr(B*A), a'*dX*b = tr(b*a'*dX), tr(A') = tr(A): df = tr(G'*dX)"
    trace_form = _eq("trace form", ("df", r"\mathrm{d}f"), form, expr=df, note=note)
    read = _eq("read off the gradient", (f"grad_{name} f", rf"\nabla_{{{name}}} f"), g,
               note="df = tr(G'*dX) for every dX: G is the gradient, in the shape of " + name)
    return [section, trace_form, read]


def jacobian_steps(f: N.Node, var: N.Node, j: N.Node, of: str = "f") -> list[Step]:
    """d f, then vec_r(d f) = J vec_r(dX) (the Kronecker rules), then J: the printed Jacobian."""
    name = _name(var)
    section, df, dv = differential_section(f, var)
    if (f.is_scalar or f.cols == 1) and (var.is_scalar or var.cols == 1):
        form = A.mul(j, dv)
        lhs = (f"d{of}", rf"\mathrm{{d}}{of}")
        note = "A*dx -> A, a .* (B*dx) -> diag(a)*B, s*(s'*dx) -> s*s'"
    else:
        form = A.mul(j, vec(dv)) if not dv.is_scalar else A.mul(j, dv)
        lhs = (f"vec(d{of})", rf"\operatorname{{vec}}_{{r}}(\mathrm{{d}}{of})")
        note = ("rows flattened: vec(A*dX*B) = kron(A, B')*vec(dX), vec(dX') = commutation(m, n)*vec(dX), "
                "vec(M .* dX) = diag(vec(M))*vec(dX)")
    vec_form = _eq("Kronecker form" if "vec" in lhs[0] else "linear form", lhs, form, expr=df, note=note)
    read = _eq("read off the Jacobian", (f"J_{name} {of}", rf"J_{{{name}}} {of}"), j,
               note="numerator layout: one row per entry of the output, one column per entry of " + name)
    return [section, vec_form, read]


def hessian_steps(f: N.Node, var: N.Node, g: N.Node, h: N.Node) -> list[Step]:
    steps = gradient_steps(f, var, g)
    second = jacobian_steps(g, var, h, of="g")
    second[0] = _section("the differential of the gradient g", second[0].substeps)
    return [_section("the gradient", steps), *second]


def derivative_steps(f: N.Node, var: N.Node, order: int, result: N.Node) -> list[Step]:
    """diff by a scalar: the differential rules with dt = 1, once per order."""
    name = _name(var)
    steps: list[Step] = []
    current = f
    for k in range(order):
        tracer = Tracing(var, N.Scalar(sp.S.One), by=name)
        current = tracer(current)
        steps.append(_section(f"derivative {k + 1}" if order > 1 else "the derivative rule by rule",
                              tracer.stack[0]))
    if current != result:  # never: the same rules computed the result
        steps.append(_eq("simplified", (f"d/d{name}", rf"\frac{{d}}{{d{name}}}"), result))
    return steps


def block_note() -> list[Step]:
    return [Step("block Hessian", kind="section", note="each block H_ab is the Jacobian of the gradient by a "
                 "with respect to b; --wrt one variable at a time shows the derivation of a block")]


__all__ = ["Blocks", "block_note", "derivative_steps", "gradient_steps", "hessian_steps", "jacobian_steps"]
