"""Limits, derivatives, gradients, Jacobians and Hessians over jacli's lowered sympy values.

Conventions (see README, Layouts):
- Variables of vector or matrix shape are flattened row by row (w11, w12, ..., w1n, w21, ...),
  as the seed does.
- ``jacobian``: numerator layout by default, m x n for f: R^n -> R^m; ``denominator`` transposes.
- ``grad``: by default the gradient has the shape of the variable (denominator layout, like
  PyTorch's backward()); ``numerator`` gives the transpose (a row for a column vector).
- ``hessian``: the matrix of second partials over all variables, flattened in ``--wrt`` order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from . import functions, partials
from . import syntax as sx
from .budget import attempt
from .declarations import Value, Workspace, as_value, check_power, check_size, shape_of, split_entry
from .errors import EvaluationError, UsageError
from .guard import check_result, tree_size
from .request import Request, check_variable
from .result import Block, Result
from .shapes import SCALAR, a_shape, format_shape, is_concrete
from .tidy import SIMPLIFY_MAX_NODES, Tidy, _nested_fractions, _trig_products  # noqa: F401 - tests use the last two here
from .values import flat

MAX_EXACT_ENTRIES = 100  # larger results are evaluated at --at in floating point only


# --- variables ---------------------------------------------------------------------------------
def resolve(ws: Workspace, name: str) -> Value:
    """The sympy value of variable ``name`` (a symbol, an entry symbol, or a matrix of them)."""
    name = sx.read_name(name)
    entry = split_entry(name)
    if entry is not None:
        base, i, j = entry
        if base not in ws.shapes:
            raise UsageError(f"{name!r}: {base!r} is not a declared vector or matrix")
        m = ws.variable(base)
        if not isinstance(m, sp.MatrixBase):  # declared with a 1 or 1x1 shape: a scalar
            raise UsageError(f"{name!r}: {base!r} is declared as a scalar; it has no entries")
        try:
            return m[i] if j is None else m[i, j]
        except IndexError:
            raise UsageError(f"{name!r} is out of range for {base}, {a_shape(ws.shapes[base])}") from None
    check_variable(ws, name)
    return ws.variable(name)


def diff_entries(value: Value, var: sp.Symbol) -> Value:
    """d value / d var, entry by entry; each entry is sympy.diff's (jacli.partials.Partials)."""
    by = partials.Partials([var])
    if isinstance(value, sp.MatrixBase):
        return as_value(value.applyfunc(lambda e: by.d(e, var)))
    return by.d(value, var)


# --- point evaluation --------------------------------------------------------------------------
def substitution(ws: Workspace, point: dict[str, Value]) -> dict[sp.Symbol, sp.Expr]:
    subs: dict[sp.Symbol, sp.Expr] = {}
    for name, value in point.items():
        var = ws.variable(name)
        if isinstance(var, sp.MatrixBase):
            assert isinstance(value, sp.MatrixBase)
            subs.update(zip(var, value, strict=False))
        else:
            subs[var] = value
    return subs


def evaluate(value: Value, subs: dict[sp.Symbol, sp.Expr]) -> tuple[Value, Any]:
    """Exact and floating-point values of ``value`` at the point; EvaluationError if undefined."""
    check_result(value)
    for p in value.atoms(sp.Pow):  # x^(10^100) at x=2: refuse before sympy computes 2^(10^100)
        if p.exp.is_Number and abs(p.exp) > 1000 and p.base.free_symbols:
            check_power(p.base.xreplace(subs), p.exp)
    try:
        exact = value.xreplace(subs)
        if isinstance(exact, sp.MatrixBase):
            exact = as_value(exact.applyfunc(lambda e: _exact_entry(e)))
        else:
            exact = _exact_entry(exact)
    except ArithmeticError:  # sympy's automatic evaluation overflows mpmath: tanh(exp(7e372))
        raise EvaluationError("the result's value at this point is too large to compute") from None
    except ValueError:  # sympy's factorint refuses its own factors (sqrt of 1/4 + 10^600 - ...)
        raise EvaluationError("sympy could not compute the exact value at this point") from None
    left = (exact.free_symbols if isinstance(exact, sp.Basic) else set())
    if left:
        names = ", ".join(sorted(str(s) for s in left))
        raise UsageError(f"--at gives no value for {names}")

    def num(e: sp.Expr) -> float:
        try:
            v = sp.N(e, 17)
        except ArithmeticError:  # mpmath overflows: sin(sin(i*7e372)) has no floating-point value
            raise EvaluationError("the result's value at this point is too large to compute") from None
        except ValueError:  # mpmath at a pole: factorial(-7e372*t) at t=pi/3 ("gamma function pole")
            raise EvaluationError("the result is undefined at this point (a pole of the function)") from None
        if v.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not v.is_real:
            if v.has(sp.oo, -sp.oo) and not v.has(sp.zoo, sp.nan):
                raise EvaluationError(f"the result is infinite at this point ({v})")
            if v.is_real is False and not v.has(sp.zoo, sp.nan):
                raise EvaluationError(f"the result is not real at this point ({v})")
            raise EvaluationError("the result is undefined at this point (division by zero or a singularity)")
        if not v.is_Number:  # DiracDelta(0): the second derivative of abs or relu at 0
            raise EvaluationError(f"the result has no numerical value at this point ({e})")
        return float(v)

    if isinstance(exact, sp.MatrixBase):
        values = [[num(exact[i, j]) for j in range(exact.cols)] for i in range(exact.rows)]
        numeric: Any = [row[0] for row in values] if exact.cols == 1 else values
    else:
        numeric = num(exact)
    return exact, numeric


def corner_note(value: Value, subs: dict[sp.Symbol, sp.Expr], numeric: Any) -> str | None:
    """A note where the point sits on a corner of abs, relu, max or min and the value printed is
    only PyTorch's choice there (sign(0) = 0, step(0) = 0): each sign(u) or step(u) with u = 0 is
    set to its values on either side, and where one of them changes the value the derivative does
    not exist at this point. x*abs(x) at 0, whose derivative exists, gets no note."""
    if not isinstance(value, sp.Basic):
        return None
    corners = [a for a in value.atoms(sp.sign, functions.step) if a.args[0].xreplace(subs).is_zero]
    if not corners:
        return None
    printed = np.asarray(numeric, dtype=float)
    jumps = []
    for a in corners:
        for side in ((sp.S.One, sp.S.NegativeOne) if isinstance(a, sp.sign) else (sp.S.One,)):
            try:
                _, other = evaluate(value.xreplace({a: side}), subs)
            except (EvaluationError, UsageError):
                continue
            if not np.allclose(np.asarray(other, dtype=float), printed, rtol=1e-12, atol=1e-12):
                jumps.append(a)
                break
    if not jumps:
        return None
    where = " and ".join(dict.fromkeys(f"{str(a.args[0]).replace('**', '^')} = 0" for a in jumps))
    taken = " and ".join(sorted({f"{a.func.__name__}(0) = 0" for a in jumps}))
    return (f"the derivative does not exist at this point (a corner of abs, relu, max or min, where {where}); "
            f"the value given takes {taken}, as PyTorch does")


def _exact_entry(e: sp.Expr) -> sp.Expr:
    if isinstance(e, sp.Basic) and e.has(sp.Derivative, sp.Subs):
        e = e.doit()
    if e.has(sp.nan, sp.zoo):
        raise EvaluationError("the result is undefined at this point (division by zero or a singularity)")
    if e.is_Number or tree_size(e, SIMPLIFY_MAX_NODES) > SIMPLIFY_MAX_NODES:
        return e
    try:
        cand = attempt(lambda: sp.nsimplify(sp.simplify(e), rational=False) if sp.count_ops(e) < 40 else e, 0.5)
    except (ArithmeticError, ValueError):  # mpmath overflows on exp(7e372); sympy's factorint cache
        cand = None  # refuses its own factors of 2*10^600 - ... (asinh(1e-300*t) at 1/2): keep the form
    if cand is not None and sp.count_ops(cand) <= sp.count_ops(e):
        return cand
    return e


def attach_values(result: Result, ws: Workspace, point: dict[str, Value]) -> Result:
    """Attach the values at --at to every block."""
    if not point:
        return result
    subs = substitution(ws, point)
    result.at = point
    floats = False
    for block in result.blocks:
        if (isinstance(block.expr, sp.MatrixBase) and len(block.expr) > MAX_EXACT_ENTRIES
                and not block.expr.has(AppliedUndef, sp.Derivative, sp.Subs)):  # abstract functions have no floats
            block.exact, block.value = None, partials.evaluate_floats(block.expr, subs)
            floats = True
        elif block.expr is not None:
            block.exact, block.value = evaluate(block.expr, subs)
            note = corner_note(block.expr, subs, block.value)
            if note and note not in result.notes:
                result.notes.append(note)
    if floats:
        result.notes.append(f"evaluated in floating point (exact values only for results of at most {MAX_EXACT_ENTRIES} entries)")
    return result


# --- derivative (diff) -------------------------------------------------------------------------
def derivative(req: Request) -> Result:
    """d^order/dv^order of the expression for each v of ``req.names`` in turn (mixed partials).

    Vector- and matrix-valued expressions are differentiated entry by entry.
    """
    ws = req.ws
    value = ws.lower(req.tree, req.text)
    stages: list[Any] = []
    result = value
    symbols: list[Any] = []
    for name in req.names:
        var = resolve(ws, name)
        symbols.append(var)
        for _ in range(req.order):
            nxt = diff_entries(result, var)
            check_result(nxt)  # stop as soon as repeated differentiation blows up (-n 20)
            stages.append([flat(result), [var], nxt])
            result = nxt
    result = Tidy(enabled=req.simplify)(result)
    stages[-1][2] = result
    stages = [(g, inputs, [[e] for e in flat(j)]) for g, inputs, j in stages]
    res = Result("diff", req.text, [Block(result, shape_of(result))], wrt=list(req.names), order=req.order,
                 function=value, stages=stages)
    if req.steps:
        from .steps import derivative_steps

        res.steps = derivative_steps(value, symbols, req.order, result)
    return res


# --- gradient, Jacobian, Hessian: in the canonical layouts (jacli.values.CANONICAL_LAYOUT) ---------
def _variables(req: Request) -> list[tuple[str, Value]]:
    return [(n, resolve(req.ws, n)) for n in req.names]  # a name that does not occur: a note, and 0


def entries(ws: Workspace, names: Sequence[str]) -> int:
    """How many scalar variables ``names`` stand for (a symbolic size counts as one)."""
    total = 0
    for name in names:
        shape = ws.shapes.get(name, SCALAR)
        if shape == SCALAR or not is_concrete(shape):
            total += 1
        else:
            rows, cols = shape
            assert isinstance(rows, int) and isinstance(cols, int)
            total += rows * cols
    return total


def _check_work(req: Request, what: str) -> None:
    """Refuse, before lowering, explicit derivatives whose cost grows like n^4 (see partials.check_work)."""
    ws = req.ws
    matrices = [n for n in req.names if ws.shapes.get(n, SCALAR) != SCALAR]
    example = None
    if matrices:
        m = matrices[0]
        example = f"{m}:m,n" if 1 not in ws.shapes[m] else f"{m}:n"
    partials.check_work(entries(ws, req.names), entries(ws, req.variables), what, example)


def _matrix_forms(res: Result, req: Request) -> Result:
    """Concrete sizes: add the verified matrix form of each block where one exists (jacli.matrix)."""
    from .matrix.api import attach_matrix_forms

    attach_matrix_forms(res, req.ws, req.tree)
    return res


@partials.pausing_gc
def gradient(req: Request) -> Result:
    """The gradient of a scalar expression, in denominator layout.

    All-scalar variables give one column of partials; a vector or matrix variable gives a block
    of that variable's shape.
    """
    ws = req.ws
    _check_work(req, "gradient")
    f = ws.lower(req.tree, req.text)
    req.require_scalar(shape_of(f))
    variables = _variables(req)
    tidy = Tidy(enabled=req.simplify)
    blocks: list[Block] = []
    raw: dict[str, Value] = {}  # symmetric matrices: the partials by their entries, for --check
    if all(not isinstance(v, sp.MatrixBase) for _, v in variables):
        parts = partials.jacobian_rows([f], [v for _, v in variables])[0]
        g: Value = tidy(as_value(sp.ImmutableMatrix(len(parts), 1, parts)))
        blocks.append(Block(g, shape_of(g), ",".join(n for n, _ in variables)))
    else:
        for name, v in variables:
            if isinstance(v, sp.MatrixBase):
                g = as_value(sp.ImmutableMatrix(*v.shape, partials.jacobian_rows([f], list(v))[0]))
                if name in ws.symmetric:  # ∂f/∂A[i,j] counts A[i,j] and A[j,i]: the symmetric part halves it
                    raw[name] = full = g
                    g = as_value(sp.ImmutableMatrix(*v.shape, [full[i, j] if i == j else full[i, j] / 2
                                                               for i in range(v.rows) for j in range(v.cols)]))
            else:
                g = partials.jacobian_rows([f], [v])[0][0]
            g = tidy(g)
            blocks.append(Block(g, shape_of(g), name))
    res = Result("grad", req.text, blocks, wrt=[n for n, _ in variables], layout=req.layout, function=f)
    symbols = [s for _, v in variables for s in flat(v)]
    firsts = [e for b in blocks for e in flat(raw.get(b.wrt or "", b.expr))]
    res.stages = [([f], symbols, [firsts])]
    if req.steps:
        from .steps import gradient_steps

        res.steps = gradient_steps(f, symbols, as_value(sp.ImmutableMatrix(len(firsts), 1, firsts)))
    return _matrix_forms(res, req)


@partials.pausing_gc
def jacobian(req: Request) -> Result:
    """The Jacobian in numerator layout: rows are the outputs (entries row by row), columns the
    inputs. One block per vector or matrix variable."""
    ws = req.ws
    f = ws.lower(req.tree, req.text)
    outputs = flat(f)
    variables = _variables(req)
    tidy = Tidy(enabled=req.simplify)
    check_size(len(outputs) * sum(len(flat(v)) for _, v in variables), "the Jacobian")
    groups = ([[s for _, v in variables for s in flat(v)]] if len(variables) == 1 or
              all(not isinstance(v, sp.MatrixBase) for _, v in variables) else [flat(v) for _, v in variables])
    labels = [",".join(n for n, _ in variables)] if len(groups) == 1 else [n for n, _ in variables]
    blocks = []
    for symbols, label in zip(groups, labels, strict=True):
        j = tidy(as_value(sp.ImmutableMatrix(partials.jacobian_rows(outputs, symbols))))
        blocks.append(Block(j, shape_of(j), label))
    res = Result("jacobian", req.text, blocks, wrt=[n for n, _ in variables], layout=req.layout, function=f)
    symbols = [s for _, v in variables for s in flat(v)]
    claimed = sp.Matrix.hstack(*[matrix(b.expr).reshape(len(outputs), len(flat(b.expr)) // len(outputs))
                                 for b in blocks])
    res.stages = [(outputs, symbols, claimed.tolist())]
    if req.steps:
        from .steps import composite_steps, jacobian_steps

        whole = as_value(sp.ImmutableMatrix(claimed))
        res.steps = (composite_steps(ws, req.tree, req.text, symbols, whole, req.layout or "numerator")
                     or jacobian_steps(outputs, symbols, whole))
    if shape_of(f) not in (SCALAR,) and 1 not in shape_of(f):
        res.notes.append(f"the {format_shape(shape_of(f))} output is flattened row by row")
    return _matrix_forms(res, req)


@partials.pausing_gc
def hessian(req: Request) -> Result:
    """The Hessian of a scalar expression over all the variables, flattened in order."""
    ws = req.ws
    _check_work(req, "Hessian")
    f = ws.lower(req.tree, req.text)
    req.require_scalar(shape_of(f))
    variables = _variables(req)
    symbols = [s for _, v in variables for s in flat(v)]
    check_size(len(symbols) ** 2, "the Hessian")
    grad, rows = partials.hessian_rows(f, symbols)
    out = Tidy(enabled=req.simplify)(as_value(sp.ImmutableMatrix(rows)))
    res = Result("hessian", req.text, [Block(out, shape_of(out), ",".join(n for n, _ in variables))],
                 wrt=[n for n, _ in variables], layout=req.layout, function=f)
    hm = matrix(out)
    res.stages = [([f], symbols, [grad]), (grad, symbols, hm.tolist())]
    if req.steps:
        from .steps import hessian_steps

        res.steps = hessian_steps(f, symbols, as_value(sp.ImmutableMatrix(hm)))
    return _matrix_forms(res, req)


def matrix(value: Value) -> sp.Matrix:
    """Any value as a (mutable) sympy Matrix; scalars are 1x1."""
    return sp.Matrix(value) if isinstance(value, sp.MatrixBase) else sp.Matrix([[value]])


__all__ = ["derivative", "gradient", "jacobian", "hessian", "resolve", "attach_values"]
