"""gradient, jacobian and hessian in matrix form, each verified numerically before it is returned.

``jacli.calculus`` routes here when a variable of the expression has a symbolic size
(``-v W:m,n``). Results hold matrix-form nodes (jacli.matrix.nodes), which
the renderers show through jacli.matrix.printing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from .. import atvalue
from .. import syntax as sx
from ..atvalue import AtValue
from ..declarations import Workspace
from ..errors import EvaluationError, JacliError, UnsupportedError, UsageError
from ..request import Request
from ..result import Block, Check, Result
from ..shapes import SCALAR, Shape, a_shape
from ..values import at_values, point_value
from . import algebra as A
from . import nodes as N
from . import numeric as M
from . import rules
from .differential import differential, placeholder
from .kron import Blocks
from .lower import lower, node_shape, variable
from .printing import plain

SEED = 20190709
TRIES = 6


class Derivative:
    """One verified matrix-form derivative and what is needed to check it again."""

    def __init__(self, kind: str, text: str, ws: Workspace, tree: sx.Node, f: N.Node, var: str | list[str],
                 result: N.Node, order: int = 1, previous: N.Node | None = None) -> None:
        self.kind, self.text, self.ws, self.tree, self.f, self.result = kind, text, ws, tree, f, result
        self.vars = [var] if isinstance(var, str) else list(var)
        self.var = ",".join(self.vars)
        self.order, self.previous = order, previous  # diff -n: the derivative of order - 1, as a node

    def names(self) -> list[str]:
        used = [n for n in self.ws.variables_of(self.tree) if not any(n == m for m, _ in self.ws.lets)]
        return used + [v for v in self.vars if v not in used]  # --wrt X of an expression without X

    def instance(self, rng: np.random.Generator) -> tuple[dict[str, int], dict[str, np.ndarray]]:
        shapes = {n: self.ws.shapes.get(n, SCALAR) for n in self.names()}
        sizes = M.random_sizes(M.size_names(shapes), rng)
        concrete = {n: tuple(sizes[d] if isinstance(d, str) else d for d in s) for n, s in shapes.items()}
        return sizes, M.random_values(concrete, M.inverted_names(self.f), rng,  # type: ignore[arg-type]
                                      self.ws.symmetric)

    def check_at(self, sizes: dict[str, int], values: dict[str, np.ndarray]) -> Check:
        cws = M.concrete_workspace(self.ws, sizes)
        names = self.names()
        claimed = M.value(self.result, M.Env(sizes, values))
        if self.kind == "hessian":
            from ..functions import compile_numpy
            from ..partials import jacobian_rows
            from ..values import flat

            f = cws.lower(self.tree, self.text)
            symbols = [s for n in names for s in flat(cws.variable(n))]
            grad = jacobian_rows([f], [s for v in self.vars for s in flat(cws.variable(v))])[0]
            if any(e.has(sp.zoo, sp.nan) for e in grad):
                raise EvaluationError("the expression is undefined at these sizes")
            g = compile_numpy(symbols, grad)

            def call(vals: dict[str, np.ndarray]) -> np.ndarray:
                args = [v for n in names for v in np.asarray(vals[n], dtype=float).reshape(-1)]
                return np.asarray(g(*args), dtype=float).reshape(-1)
        elif self.previous is not None:  # diff -n 2 and more: finite differences of order - 1
            prev = self.previous

            def call(vals: dict[str, np.ndarray]) -> np.ndarray:
                return M.value(prev, M.Env(sizes, vals)).reshape(-1)
        else:
            call, _ = M.entry_function(cws, cws.lower(self.tree, self.text), names)
        parts = [M.finite_differences(call, values, v) for v in self.vars]
        fd = np.hstack([p for p, _ in parts])
        evaluations = sum(e for _, e in parts)
        if self.kind == "grad":
            fd = fd.reshape(claimed.shape)
            if self.vars[0] in self.ws.symmetric:  # the convention: the symmetric part of the gradient
                fd = (fd + fd.T) / 2
        point: dict[str, Any] = {n: _listed(values[n]) for n in names}
        point.update(sizes)
        return M.compare(claimed.reshape(fd.shape), fd, point, evaluations)

    def check_random(self, seed: int = SEED) -> Check:
        rng = np.random.default_rng(seed)
        last: Exception | None = None
        for _ in range(TRIES):
            sizes, values = self.instance(rng)
            try:
                check = self.check_at(sizes, values)
            except (ArithmeticError, ValueError, np.linalg.LinAlgError, EvaluationError) as e:
                last = e  # e.g. logdet(X'*X) is undefined where X has fewer rows than columns
                continue
            if np.isfinite(check.max_abs_error):
                return check
        raise UnsupportedError(f"could not find a point where the matrix form can be verified ({last or 'not finite'})")

    def guard(self) -> None:
        """Refuse to return a matrix form that disagrees with the entry-wise computation."""
        check = self.check_random()
        if not check.ok:
            sizes = ", ".join(f"{k}={v}" for k, v in check.point.items() if isinstance(v, int))
            raise UnsupportedError(
                f"warning: the matrix-form {self.kind} with respect to {self.var} ({plain(self.result)}) "
                f"failed its numerical verification (max error {check.max_abs_error:.3g} at sizes {sizes}); "
                "not printing an unverified result. Use concrete sizes (-v W:2x3) for the entry-wise answer"
            )


def _listed(a: np.ndarray) -> Any:
    a = np.asarray(a, dtype=float)
    if a.size == 1:
        return float(a.reshape(-1)[0])
    if a.shape[1] == 1:
        return [float(v) for v in a.reshape(-1)]
    return a.tolist()


def _nice(x: float) -> sp.Expr:
    frac = Fraction(x).limit_denominator(1000)
    if abs(float(frac) - x) <= 1e-12 * max(1.0, abs(x)):
        return sp.Rational(frac.numerator, frac.denominator)
    return sp.Float(x, 17)


def parse_at(ws: Workspace, at: dict[str, str] | Sequence[str | AtValue] | None) -> tuple[dict[str, Any], dict[str, int],
                                                                                 dict[str, np.ndarray]]:
    """--at values with symbolic sizes: (sympy values, sizes from the lists, numpy arrays)."""
    if not at:
        return {}, {}, {}
    values = at_values(at)
    point: dict[str, Any] = {}
    sizes: dict[str, int] = {}
    arrays: dict[str, np.ndarray] = {}
    for v in values:
        name, text = v.name, v.text
        want: Shape = ws.shapes.get(name, SCALAR)
        big = numeric_list(text) if want != SCALAR else None
        if big is not None:  # a large list of numbers: straight to numpy, floats only
            got: tuple[int, ...] = (big.shape[0], 1) if big.ndim == 1 else tuple(big.shape)
            _match_sizes(name, want, got, sizes)
            point[name] = big.reshape(got)
            arrays[name] = big.reshape(got)
            continue
        scratch = Workspace()
        if want != SCALAR:  # the sizes the value gives; then point_value checks it with the shape it has
            probe = atvalue.parse(v, Workspace().function_names())
            got = tuple(int(k) for k in probe.shape) if isinstance(probe, sp.MatrixBase) else ()
            _match_sizes(name, want, got, sizes)
            scratch.declare(name, got)
            value = point_value(scratch, v, probe)
        else:
            value = point_value(scratch, v)
        point[name] = value
        arr = np.array(sp.Matrix(value).tolist() if isinstance(value, sp.MatrixBase) else [[value]], dtype=float)
        arrays[name] = arr
    for name in ws.symmetric & set(arrays):
        if not np.array_equal(arrays[name], arrays[name].T):
            raise UsageError(f"--at {name}: {name} is declared symmetric (:sym) but the value is not symmetric")
    return point, sizes, arrays


LARGE_AT = 4_000  # --at lists longer than this many characters are read as floats, not exact numbers
_NUMERIC_LIST = re.compile(r"[\s0-9eE+\-.,\[\]]+")


def numeric_list(text: str) -> np.ndarray | None:
    """A long nested list of plain numbers as a float array (JSON's number syntax), else None.

    Exact parsing through jacli's grammar builds one sympy number per entry; for the 250,000
    entries of a 500x500 matrix that alone takes seconds. Only digits, signs, points, exponents,
    commas and brackets are accepted, and json only ever builds lists and numbers from them.
    """
    import json

    if len(text) < LARGE_AT or not _NUMERIC_LIST.fullmatch(text):
        return None
    try:
        data = json.loads(text)
        arr = np.asarray(data, dtype=float)
    except (ValueError, TypeError, RecursionError):  # nested too deeply: the parser's bound reports it
        return None
    if arr.ndim not in (1, 2) or arr.size == 0 or not np.all(np.isfinite(arr)):
        return None
    return arr


def _match_sizes(name: str, want: Shape, got: tuple[int, ...], sizes: dict[str, int]) -> None:
    if len(got) != len(want):
        raise UsageError(f"--at {name}: {name} is {a_shape(want)} but the value is {a_shape(got)}")
    for d, k in zip(want, got, strict=True):
        if isinstance(d, str):
            if sizes.setdefault(d, int(k)) != k:
                raise UsageError(f"--at {name}: size {d} is {sizes[d]} elsewhere but {k} here")
        elif d != k:
            raise UsageError(f"--at {name}: {name} is {a_shape(want)} but the value is {a_shape(got)}")


def _compute(req: Request, rule: Callable[[N.Node, N.Node], N.Node]) -> Result:
    """grad, jacobian or hessian of ``req`` in matrix form, in the canonical layout."""
    kind, ws = req.command, req.ws
    f = lower(ws, req.text, req.tree)
    req.require_scalar(node_shape(f))
    names = req.names
    blocks: list[Block] = []
    derivs: list[Derivative] = []
    matrices = not f.is_scalar and f.cols != 1
    groups: list[list[str]] = [names] if kind == "hessian" and len(names) > 1 else [[n] for n in names]
    derivation: list[Any] = []
    for group in groups:
        variables = [variable(ws, n) for n in group]
        if len(group) > 1:  # block Hessian [[H_xx, H_xb], [H_bx, H_bb]]
            d: N.Node = Blocks(tuple(tuple(rule(f, a) if a == b else rules.cross_hessian(f, a, b)
                                           for b in variables) for a in variables))
        else:
            d = rule(f, variables[0])
        deriv = Derivative(kind, req.text, ws, req.tree, f, group, d)
        deriv.guard()
        derivs.append(deriv)
        block = Block(d, node_shape(d), ",".join(group))
        var = variables[0]
        wide = not var.is_scalar and var.cols != 1
        if len(group) == 1 and kind in ("jacobian", "hessian") and (wide or matrices):
            of = f if kind == "jacobian" else rules.gradient(f, var)
            block.differential = (of, differential(of, var, placeholder(var)))
        matrices = matrices or (kind != "grad" and any(not v.is_scalar and v.cols != 1 for v in variables))
        blocks.append(block)
        if req.steps:
            derivation.extend(_steps(kind, f, group, variables, d, req.flip, len(groups) > 1))
    res = Result(kind, req.text, blocks, wrt=list(names), layout=req.layout, function=f)
    res.verified = VERIFIED
    if matrices:
        res.vec = "rows"
    if req.steps:
        res.steps = derivation
    return _checked(res, derivs)


VERIFIED = "matrix form, verified numerically at random sizes before it was printed or evaluated"


def _steps(kind: str, f: N.Node, group: list[str], variables: list[N.Node], d: N.Node, flip: bool,
           several: bool) -> list[Any]:
    """The derivation of one block (jacli.matrix.derivation), ending with the printed result."""
    from ..steps import Step
    from . import derivation as D

    var = variables[0]
    if len(group) > 1:
        out = D.block_note()
    elif kind == "grad":
        out = D.gradient_steps(f, var, d)
    elif kind == "jacobian":
        out = D.jacobian_steps(f, var, d)
    else:
        out = D.hessian_steps(f, var, rules.gradient(f, var), d)
    if flip:
        out.append(Step("layout", result=A.transpose(d), lhs=("transposed", r"\text{transposed}"), kind="equation",
                        note="the other layout: the transpose of the matrix read off above"))
    if several:
        return [Step(f"by {group[0]}", kind="section", substeps=out)]
    return out


Point = tuple[dict[str, Any], dict[str, int], dict[str, np.ndarray]]


def read_point(req: Request) -> Point:
    """The --at values of ``req``: (sympy values, the sizes the lists give, numpy arrays)."""
    return parse_at(req.ws, req.at)


def _checked(res: Result, derivs: list[Derivative]) -> Result:
    """``res.matrix_check``: --check of every derivative, at random sizes and values; at a point
    once :func:`attach_values` gives one."""
    def check(sizes: dict[str, int] | None = None, arrays: dict[str, np.ndarray] | None = None) -> Check:
        checks = [dv.check_at(sizes or {}, arrays) if arrays else dv.check_random() for dv in derivs]
        worst = max(checks, key=lambda c: (not c.ok, c.max_abs_error))
        worst.evaluations = sum(c.evaluations for c in checks)
        return worst

    res.matrix_check = check
    res.matrix_function = derivs[0].f  # the input as a node, for -f numpy
    return res


def attach_values(res: Result, point: Point) -> Result:
    """The values at --at of a verified matrix-form result (in its final layout), and --check there."""
    values, sizes, arrays = point
    if not arrays:
        return res
    res.matrix_check = functools.partial(res.matrix_check, sizes, arrays)
    res.at = values
    env = M.Env(sizes, arrays)
    for block in res.blocks:
        v = M.value(block.expr, env)
        block.value = _listed(v) if v.size != 1 or block.shape != SCALAR else float(v.item())
        if v.size > 100:  # large: floating point only, as for explicit results
            continue
        if block.shape == SCALAR:
            block.exact = _nice(float(v.item()))
        elif v.shape[1] == 1 and block.shape[1] == 1:
            block.exact = sp.ImmutableMatrix(v.shape[0], 1, [_nice(float(x)) for x in v.reshape(-1)])
        else:
            block.exact = sp.ImmutableMatrix([[_nice(float(x)) for x in row] for row in v])
    return res


def gradient(req: Request) -> Result:
    return _compute(req, rules.gradient)


def jacobian(req: Request) -> Result:
    return _compute(req, rules.jacobian)


def hessian(req: Request) -> Result:
    return _compute(req, rules.hessian)


def entry_values(expr: Any, subs: dict[Any, float]) -> Any:
    """The entries of a (matrix) result at a point, as a flat float array: one float walk of the
    expression graph where every node is elementary (a 200x200 Jacobian has 40,000 entries),
    else compiled once for large matrices and substituted entry by entry for small ones."""
    from ..partials import evaluate_floats, float_values, supported
    from ..values import flat

    entries = flat(expr)
    if supported(entries):
        return np.asarray(float_values(entries, subs), dtype=float)
    if len(entries) >= LARGE_ENTRIES:
        return np.asarray(evaluate_floats(expr, subs), dtype=float).reshape(-1)
    return np.asarray([float(sp.N(e.xreplace(subs))) for e in entries], dtype=float)


LARGE_ENTRIES = 400  # results this large are compiled once rather than substituted entry by entry


def attach_matrix_forms(result: Result, ws: Workspace, tree: sx.Node) -> None:
    """For concrete sizes: give each block its matrix form too (``Block.matrix_form``), where one
    exists and agrees numerically with the entry-wise result already computed. Silent otherwise."""
    from ..values import flat

    kind = result.command
    if kind not in ("grad", "jacobian", "hessian") or len(result.blocks) != len(result.wrt):
        return
    if all(ws.shapes.get(n, SCALAR) == SCALAR for n in result.wrt):
        return
    rule = {"grad": rules.gradient, "jacobian": rules.jacobian, "hessian": rules.hessian}[kind]
    try:
        f = lower(ws, result.input, tree)
        rng = np.random.default_rng(SEED)
        shapes = {n: ws.shapes.get(n, SCALAR) for n in ws.variables_of(tree)}
        values = M.random_values(shapes, M.inverted_names(f), rng)  # type: ignore[arg-type]
        subs: dict[Any, float] = {}
        for n, v in values.items():
            subs.update(zip(flat(ws.variable(n)), v.reshape(-1).tolist(), strict=True))
        env = M.Env({}, values)
        for block, name in zip(result.blocks, result.wrt, strict=True):
            if block.expr is None or (kind != "grad" and ws.shapes.get(name, SCALAR) == SCALAR):
                continue
            form = rule(f, variable(ws, name))
            if form.is_scalar:
                continue  # a scalar: nothing to add to the entries
            mine = M.value(form, env)
            entries = entry_values(block.expr, subs)
            if mine.size == entries.size and np.allclose(mine.reshape(-1), entries, rtol=1e-9, atol=1e-12):
                block.matrix_form = form
                result.matrix_function = f
    except (ArithmeticError, ValueError, TypeError, np.linalg.LinAlgError, JacliError):
        return


def derivative(req: Request) -> Result:
    """``diff`` with symbolic sizes: d^order/dt^order of a (matrix-valued) expression by scalars,
    from the forward differential with dt = 1 (d inv(A + t*B) = -inv(A + t*B)*B*inv(A + t*B))."""
    ws, names, order = req.ws, req.names, req.order
    f = lower(ws, req.text, req.tree)
    result, previous = f, None
    for name in names:
        var = variable(ws, name)
        for _ in range(order):
            previous, result = result, differential(result, var, N.Scalar(sp.S.One))
    deriv = Derivative("diff", req.text, ws, req.tree, f, names[-1], result, order,
                       previous if (order > 1 or len(names) > 1) else None)
    deriv.guard()
    res = Result("diff", req.text, [Block(result, node_shape(result))], wrt=list(names), order=order, function=f)
    if req.steps and len(names) == 1:
        from .derivation import derivative_steps

        res.steps = derivative_steps(f, variable(ws, names[0]), order, result)
    res.verified = VERIFIED
    return _checked(res, [deriv])


def _as_asked(engine: Callable[[Request], Result]) -> Callable[[Request], Result]:
    """The engine with --no-simplify honoured: sums keep their terms as the rules give them."""
    @functools.wraps(engine)
    def run(req: Request) -> Result:
        with A.factoring(req.simplify):
            return engine(req)

    return run


ENGINE = {name: _as_asked(engine) for name, engine in
          {"diff": derivative, "grad": gradient, "jacobian": jacobian, "hessian": hessian}.items()}
