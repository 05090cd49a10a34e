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

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sympy as sp
from sympy.core.function import AppliedUndef

from . import fast, formula
from . import syntax as sx
from .budget import attempt
from .build import Value, Workspace, as_value, check_power, check_size, shape_of, split_entry
from .errors import EvaluationError, UnsupportedError, UsageError
from .guard import check_result, tree_size
from .result import Block, Result
from .shapes import SCALAR, format_shape, is_concrete
from .tidy import SIMPLIFY_MAX_NODES, Tidy, _nested_fractions, _trig_products  # noqa: F401 - tests use the last two here
from .values import flat, flipped, parse_point, split_names
from .values import layout_of as _layout

MAX_EXACT_ENTRIES = 100  # larger results are evaluated at --at in floating point only


# --- reading the input -------------------------------------------------------------------------
F = TypeVar("F", bound=Callable[..., Result])


def stated_names(names: Any) -> list[str]:
    """VAR / --wrt names as given (a comma-separated text, a list of them, or None), read as in
    an expression (θ is theta, x₁ is x1)."""
    if names is None:
        return []
    if isinstance(names, str):
        names = [names]
    return [sx.read_name(n) for part in names for n in str(part).split(",") if n.strip()]


def reads_input(stated: Callable[..., Any]) -> Callable[[F], F]:
    """Wrap a command: the names it is told to differentiate by (``stated(*args, **kwargs)``) are
    never read as glued function calls, and the result carries the notes on how the input was read,
    including that a stated name does not occur (its derivative is 0)."""

    def decorate(compute: F) -> F:
        @functools.wraps(compute)
        def wrapper(text: str, *args: Any, ws: Workspace | None = None, **kwargs: Any) -> Result:
            ws = ws or Workspace()
            names = stated_names(stated(*args, **kwargs))
            ws.take_notes()
            ws.stated = {n for n in names if sx.is_identifier(n)}
            try:
                res = compute(text, *args, ws=ws, **kwargs)
                node = ws.parse(text)
            finally:
                ws.stated = set()
            used = set(ws.variables_of(node))
            notes = ws.take_notes()
            for name in names:
                entry = split_entry(name)
                base = entry[0] if entry else name
                if base not in used and sx.is_identifier(base):
                    what = "the limit is the expression itself" if res.command == "limit" else "the derivative by it is 0"
                    notes.append(f"{name} does not occur in the expression, so {what}")
            res.notes = [n for n in dict.fromkeys(notes + res.notes)]
            return res

        return wrapper  # type: ignore[return-value]

    return decorate


# --- variables ---------------------------------------------------------------------------------
def resolve(ws: Workspace, name: str, node: sx.Node, *, strict: bool) -> Value:
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
            raise UsageError(f"{name!r} is out of range for {base}, a {format_shape(ws.shapes[base])}") from None
    if not sx.is_identifier(name) or name in ("pi", "e", "E", "oo"):
        raise UsageError(f"{name!r} is not a variable name")
    if any(n == name for n, _ in ws.lets):
        raise UsageError(f"{name!r} is defined by --let; differentiate with respect to the variables it uses")
    if name in ws.funcs:
        raise UsageError(f"{name!r} is declared as a function, not a variable")
    if strict and name not in ws.shapes and name not in ws.variables_of(node):
        known = ", ".join(ws.variables_of(node)) or "none"
        raise UsageError(
            f"unknown variable {name!r} in --wrt (the expression's variables: {known}); "
            f"declare it with -v {name}:1 to differentiate by a variable the expression does not use"
        )
    return ws.variable(name)


def diff_entries(value: Value, var: sp.Symbol) -> Value:
    """d value / d var, entry by entry; each entry is sympy.diff's (jacli.fast.Partials)."""
    partials = fast.Partials([var])
    if isinstance(value, sp.MatrixBase):
        return as_value(value.applyfunc(lambda e: partials.d(e, var)))
    return partials.d(value, var)


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


def _exact_entry(e: sp.Expr) -> sp.Expr:
    if isinstance(e, sp.Basic) and e.has(sp.Derivative, sp.Subs):
        e = e.doit()
    if e.has(sp.nan, sp.zoo):
        raise EvaluationError("the result is undefined at this point (division by zero or a singularity)")
    if e.is_Number or tree_size(e, SIMPLIFY_MAX_NODES) > SIMPLIFY_MAX_NODES:
        return e
    try:
        cand = attempt(lambda: sp.nsimplify(sp.simplify(e), rational=False) if sp.count_ops(e) < 40 else e, 0.5)
    except ArithmeticError:  # mpmath overflows on values such as exp(7e372): keep the form as it is
        cand = None
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
            block.exact, block.value = None, fast.evaluate_floats(block.expr, subs)
            floats = True
        elif block.expr is not None:
            block.exact, block.value = evaluate(block.expr, subs)
    if floats:
        result.notes.append(f"evaluated in floating point (exact values only for results of at most {MAX_EXACT_ENTRIES} entries)")
    return result


# --- derivative (diff) -------------------------------------------------------------------------
@reads_input(lambda variables=(), *a, **k: list(variables))
def derivative(
    text: str,
    variables: Sequence[str] = (),
    order: int = 1,
    ws: Workspace | None = None,
    at: dict[str, str] | Sequence[str] | None = None,
    simplify: bool = True,
    steps: bool = False,
) -> Result:
    """d^order/dv^order of ``text`` for each v of ``variables`` in turn (mixed partials).

    Vector- and matrix-valued expressions are differentiated entry by entry.
    """
    ws = ws or Workspace()
    variables, order = formula.diff_args(ws, text, variables, order)
    if order < 1:
        raise UsageError("the order (-n) must be at least 1")
    if order > 50:
        raise UsageError("the order (-n) is limited to 50")
    node = ws.parse(text)
    if _symbolic(ws, node):  # symbolic sizes: the derivative of a matrix-valued function, in matrix form
        from .matrix import api

        return api.derivative(text, variables, order, ws, at, steps=steps)
    value = ws.lower(node, text)
    names = [sx.read_name(v) for v in variables]
    if not names:
        found = ws.variables_of(node)
        if len(found) != 1:
            if not found:
                raise UsageError("the expression has no variable; name one: jacli diff EXPR VAR")
            raise UsageError(f"several variables ({', '.join(found)}); name the one(s) to differentiate by")
        names = found
    point = parse_point(ws, at)
    stages: list[Any] = []
    result = value
    symbols: list[Any] = []
    for name in names:
        var = resolve(ws, name, node, strict=False)
        if isinstance(var, sp.MatrixBase):
            raise UsageError(
                f"{name!r} is a {format_shape(ws.shapes[name])}; use 'jacli grad' or 'jacli jacobian' "
                f"for derivatives with respect to vectors and matrices, or an entry such as {name}[0]"
            )
        symbols.append(var)
        for _ in range(order):
            nxt = diff_entries(result, var)
            check_result(nxt)  # stop as soon as repeated differentiation blows up (-n 20)
            stages.append([flat(result), [var], nxt])
            result = nxt
    result = Tidy(enabled=simplify)(result)
    stages[-1][2] = result
    stages = [(g, inputs, [[e] for e in flat(j)]) for g, inputs, j in stages]
    res = Result("diff", text, [Block(result, shape_of(result))], wrt=names, order=order, function=value,
                 stages=stages)
    if steps:
        from .steps import derivative_steps

        res.steps = derivative_steps(value, symbols, order, result)
    formula.stated_notes(ws, text, res)
    return attach_values(res, ws, point)


# --- gradient, Jacobian, Hessian -----------------------------------------------------------------
def _wrt(ws: Workspace, node: sx.Node, wrt: str | Sequence[str] | None,
         symmetric: bool = False) -> list[tuple[str, Value]]:
    names = split_names(wrt)
    if names is None:
        names = ws.variables_of(node)
        if not names:
            raise UsageError("the expression has no variable to differentiate by")
    if not symmetric and ws.symmetric & set(names):
        from .matrix.rules import SYMMETRIC_ONLY_GRADIENT

        raise UnsupportedError(SYMMETRIC_ONLY_GRADIENT)
    return [(n, resolve(ws, n, node, strict=False)) for n in names]  # a name that does not occur: a note, and 0


def _symbolic(ws: Workspace, node: sx.Node) -> bool:
    from .shapes import is_concrete

    return any(not is_concrete(ws.shapes.get(n, SCALAR)) for n in ws.variables_of(node))


def _matrix_forms(res: Result, ws: Workspace, node: sx.Node) -> None:
    """Concrete sizes: add the verified matrix form of each block where one exists (jacli.matrix)."""
    from .matrix.api import attach_matrix_forms

    attach_matrix_forms(res, ws, node)


MATRIX_AT_WORK = 100_000  # explicit derivative steps above which --at goes through the matrix form


def _use_matrix_form(ws: Workspace, node: sx.Node, wrt: str | Sequence[str] | None, at: Any) -> bool:
    """Symbolic sizes always; concrete sizes when a point is given and the explicit entry-by-entry
    work (variables x symbols) would be large: the matrix form evaluates with numpy instead."""
    if _symbolic(ws, node):
        return True
    if not at:
        return False
    names = ws.variables_of(node)
    wrt_names = split_names(wrt) or names
    return _entries(ws, wrt_names) * _entries(ws, names) > MATRIX_AT_WORK


def _via_matrix_form(compute: Any, ws: Workspace, node: sx.Node, text: str, wrt: Any, layout: str | None,
                     at: Any, steps: bool = False) -> Result:
    """Run a jacli.matrix command. Concrete sizes are first renamed to size names (500 -> n500,
    equal sizes sharing a name), so the matrix form is derived for every size and verified at
    small random ones; the --at lists then give the actual sizes, and the shapes shown are the
    concrete ones again."""
    if _symbolic(ws, node):
        return compute(text, wrt, ws=ws, layout=layout, at=at, steps=steps)
    taken = set(ws.shapes) | set(ws.variables_of(node))

    def dim(d: Any) -> Any:
        if not isinstance(d, int) or d == 1:
            return d
        name = f"n{d}"
        while name in taken:
            name += "_"
        return name

    renamed = Workspace(
        shapes={n: tuple(dim(d) for d in shape) for n, shape in ws.shapes.items()},
        funcs=dict(ws.funcs),
        input=ws.input,
    )
    for name, body in ws.lets:
        renamed.define(name, body)
    res = compute(text, wrt, ws=renamed, layout=layout, at=at, steps=steps)
    back = {dim(d): d for shape in ws.shapes.values() for d in shape if isinstance(d, int)}
    for block in res.blocks:
        block.shape = tuple(back.get(d, d) for d in block.shape)
    return res


def _entries(ws: Workspace, names: Sequence[str]) -> int:
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


def _check_work(ws: Workspace, node: sx.Node, wrt: str | Sequence[str] | None, what: str) -> None:
    """Refuse, before lowering, explicit derivatives whose cost grows like n^4 (see fast.check_work)."""
    names = ws.variables_of(node)
    wrt_names = split_names(wrt) or names
    if any(not is_concrete(ws.shapes.get(n, SCALAR)) for n in names):
        return
    matrices = [n for n in wrt_names if ws.shapes.get(n, SCALAR) != SCALAR]
    example = None
    if matrices:
        m = matrices[0]
        example = f"{m}:m,n" if 1 not in ws.shapes[m] else f"{m}:n"
    fast.check_work(_entries(ws, wrt_names), _entries(ws, names), what, example)


@reads_input(lambda wrt=None, *a, **k: wrt)
@fast.pausing_gc
def gradient(
    text: str,
    wrt: str | Sequence[str] | None = None,
    ws: Workspace | None = None,
    layout: str | None = None,
    at: dict[str, str] | Sequence[str] | None = None,
    simplify: bool = True,
    steps: bool = False,
) -> Result:
    """The gradient of a scalar expression.

    All-scalar variables give one vector of partials; a vector or matrix variable gives a block
    of that variable's shape (denominator layout) or its transpose (numerator layout).
    """
    ws = ws or Workspace()
    wrt = formula.wrt_args(ws, text, "grad", wrt)
    node = ws.parse(text)
    if _use_matrix_form(ws, node, wrt, at):  # symbolic sizes, or a large point: jacli.matrix's verified form
        from .matrix import api

        return _via_matrix_form(api.gradient, ws, node, text, wrt, layout, at, steps)
    _check_work(ws, node, wrt, "gradient")
    f = ws.lower(node, text)
    if shape_of(f) != SCALAR:
        raise UsageError(
            f"grad needs a scalar-valued expression; this one is a {format_shape(shape_of(f))} "
            "(use 'jacli jacobian' for vector- and matrix-valued expressions)"
        )
    variables = _wrt(ws, node, wrt, symmetric=True)
    layout = _layout(layout, "grad")
    flip = flipped("grad", layout)  # a row, or the transpose of the matrix: the gradient in numerator layout
    point = parse_point(ws, at)
    tidy = Tidy(enabled=simplify)
    blocks: list[Block] = []
    raw: dict[str, Value] = {}  # symmetric matrices: the partials by their entries, for --check
    if all(not isinstance(v, sp.MatrixBase) for _, v in variables):
        parts = fast.jacobian_rows([f], [v for _, v in variables])[0]
        g: Value = as_value(sp.ImmutableMatrix(len(parts), 1, parts))
        if flip and isinstance(g, sp.MatrixBase):
            g = as_value(g.T)
        g = tidy(g)
        blocks.append(Block(g, shape_of(g), ",".join(n for n, _ in variables)))
    else:
        for name, v in variables:
            if isinstance(v, sp.MatrixBase):
                g = as_value(sp.ImmutableMatrix(*v.shape, fast.jacobian_rows([f], list(v))[0]))
                if name in ws.symmetric:  # ∂f/∂A[i,j] counts A[i,j] and A[j,i]: the symmetric part halves it
                    raw[name] = full = g
                    g = as_value(sp.ImmutableMatrix(*v.shape, [full[i, j] if i == j else full[i, j] / 2
                                                               for i in range(v.rows) for j in range(v.cols)]))
                if flip and isinstance(g, sp.MatrixBase):
                    g = as_value(g.T)
            else:
                g = fast.jacobian_rows([f], [v])[0][0]
            g = tidy(g)
            blocks.append(Block(g, shape_of(g), name))
    res = Result("grad", text, blocks, wrt=[n for n, _ in variables], layout=layout, function=f)
    symbols = [s for _, v in variables for s in flat(v)]
    exprs = [raw.get(b.wrt or "", b.expr) if not flip else b.expr for b in blocks]
    numerator_form = [e if not flip else transpose(raw.get(b.wrt or "", e))
                      for e, b in zip(exprs, blocks, strict=True)]
    res.stages = [([f], symbols, [[e for b in numerator_form for e in flat(b)]])]
    if steps:
        from .steps import gradient_steps

        partials = res.stages[0][2][0]
        res.steps = gradient_steps(f, symbols, as_value(sp.ImmutableMatrix(len(partials), 1, partials)))
    _matrix_forms(res, ws, node)
    formula.stated_notes(ws, text, res)
    return attach_values(res, ws, point)


@reads_input(lambda wrt=None, *a, **k: wrt)
@fast.pausing_gc
def jacobian(
    text: str,
    wrt: str | Sequence[str] | None = None,
    ws: Workspace | None = None,
    layout: str | None = None,
    at: dict[str, str] | Sequence[str] | None = None,
    simplify: bool = True,
    steps: bool = False,
) -> Result:
    """The Jacobian: rows are the outputs (entries row by row), columns the inputs (numerator
    layout); ``denominator`` transposes. One block per vector or matrix variable."""
    ws = ws or Workspace()
    wrt = formula.wrt_args(ws, text, "jacobian", wrt)
    node = ws.parse(text)
    if _use_matrix_form(ws, node, wrt, at):  # symbolic sizes, or a large point: jacli.matrix's verified form
        from .matrix import api

        return _via_matrix_form(api.jacobian, ws, node, text, wrt, layout, at, steps)
    f = ws.lower(node, text)
    outputs = flat(f)
    variables = _wrt(ws, node, wrt)
    layout = _layout(layout, "jacobian")
    flip = flipped("jacobian", layout)
    point = parse_point(ws, at)
    tidy = Tidy(enabled=simplify)
    check_size(len(outputs) * sum(len(flat(v)) for _, v in variables), "the Jacobian")

    def block(symbols: list[sp.Expr]) -> Value:
        j = sp.ImmutableMatrix(fast.jacobian_rows(outputs, symbols))
        if flip:
            j = j.T
        return tidy(as_value(j))

    blocks: list[Block] = []
    if all(not isinstance(v, sp.MatrixBase) for _, v in variables) or len(variables) == 1:
        symbols = [s for _, v in variables for s in flat(v)]
        j = block(symbols)
        blocks.append(Block(j, shape_of(j), ",".join(n for n, _ in variables)))
    else:
        for name, v in variables:
            j = block(flat(v))
            blocks.append(Block(j, shape_of(j), name))
    res = Result("jacobian", text, blocks, wrt=[n for n, _ in variables], layout=layout, function=f)
    symbols = [s for _, v in variables for s in flat(v)]
    parts = []
    for b in blocks:
        m = matrix(b.expr)
        if flip:
            m = m.T
        parts.append(m.reshape(len(outputs), len(m) // len(outputs)))
    claimed = sp.Matrix.hstack(*parts)
    res.stages = [(outputs, symbols, claimed.tolist())]
    if steps:
        from .steps import composite_steps, jacobian_steps

        res.steps = composite_steps(ws, node, text, symbols, as_value(sp.ImmutableMatrix(claimed)), layout) or jacobian_steps(
            outputs, symbols, as_value(sp.ImmutableMatrix(claimed)))
    if shape_of(f) not in (SCALAR,) and 1 not in shape_of(f):
        res.notes.append(f"the {format_shape(shape_of(f))} output is flattened row by row")
    _matrix_forms(res, ws, node)
    formula.stated_notes(ws, text, res)
    return attach_values(res, ws, point)


@reads_input(lambda wrt=None, *a, **k: wrt)
@fast.pausing_gc
def hessian(
    text: str,
    wrt: str | Sequence[str] | None = None,
    ws: Workspace | None = None,
    layout: str | None = None,
    at: dict[str, str] | Sequence[str] | None = None,
    simplify: bool = True,
    steps: bool = False,
) -> Result:
    """The Hessian of a scalar expression over all ``wrt`` variables, flattened in order."""
    ws = ws or Workspace()
    wrt = formula.wrt_args(ws, text, "hessian", wrt)
    node = ws.parse(text)
    if _use_matrix_form(ws, node, wrt, at):  # symbolic sizes, or a large point: jacli.matrix's verified form
        from .matrix import api

        return _via_matrix_form(api.hessian, ws, node, text, wrt, layout, at, steps)
    _check_work(ws, node, wrt, "Hessian")
    f = ws.lower(node, text)
    if shape_of(f) != SCALAR:
        raise UsageError(
            f"hessian needs a scalar-valued expression; this one is a {format_shape(shape_of(f))}"
        )
    variables = _wrt(ws, node, wrt)
    layout = _layout(layout, "hessian")
    flip = flipped("hessian", layout)
    point = parse_point(ws, at)
    symbols = [s for _, v in variables for s in flat(v)]
    check_size(len(symbols) ** 2, "the Hessian")
    grad, rows = fast.hessian_rows(f, symbols)
    h = sp.ImmutableMatrix(rows)
    if flip:
        h = h.T
    out = Tidy(enabled=simplify)(as_value(h))
    res = Result("hessian", text, [Block(out, shape_of(out), ",".join(n for n, _ in variables))],
                 wrt=[n for n, _ in variables], layout=layout, function=f)
    hm = matrix(out)
    if flip:
        hm = hm.T
    res.stages = [([f], symbols, [grad]), (grad, symbols, hm.tolist())]
    if steps:
        from .steps import hessian_steps

        res.steps = hessian_steps(f, symbols, as_value(sp.ImmutableMatrix(hm)))
    _matrix_forms(res, ws, node)
    formula.stated_notes(ws, text, res)
    return attach_values(res, ws, point)


def transpose(value: Value) -> Value:
    return as_value(value.T) if isinstance(value, sp.MatrixBase) else value


def matrix(value: Value) -> sp.Matrix:
    """Any value as a (mutable) sympy Matrix; scalars are 1x1."""
    return sp.Matrix(value) if isinstance(value, sp.MatrixBase) else sp.Matrix([[value]])


def verify(result: Result, ws: Workspace) -> Result:
    """Attach a finite-difference check of every derivative stage (at --at, or a random point)."""
    from .numeric import check_limit, check_stages

    if result.matrix_check is not None:
        result.check = result.matrix_check()
        return result
    if result.limit is not None:
        g, x, a, claims = result.limit.checked
        subs = substitution(ws, result.at) if result.at else {}
        claims = [(side, v.xreplace(subs)) for side, v in claims]
        result.check = check_limit(g.xreplace(subs), x, a.xreplace(subs), claims)
        if not claims:
            result.notes.append("--check: a limit that does not exist by oscillation is not checked numerically")
        return result
    if not result.stages:
        raise UnsupportedError(f"--check is not available for {result.command}")
    point = None
    if result.at:
        point = {s: float(sp.N(v)) for s, v in substitution(ws, result.at).items()}
    result.check = check_stages(result.stages, point)
    result.check.point = group_point(ws, result.check.point)
    return result


def group_point(ws: Workspace, flat_point: dict[str, float]) -> dict[str, Any]:
    """{'W[0,1]': v, ...} -> {'W': [[...]]}: the check point as --at would spell it."""
    grouped: dict[str, Any] = {}
    for name, v in flat_point.items():
        entry = split_entry(name)
        if entry is None or entry[0] not in ws.shapes:
            grouped[name] = v
            continue
        base, i, j = entry
        rows, cols = ws.shapes[base]
        assert isinstance(rows, int) and isinstance(cols, int)
        if base not in grouped:
            grouped[base] = [0.0] * (rows * cols) if 1 in (rows, cols) else [[0.0] * cols for _ in range(rows)]
        if j is None:
            grouped[base][i] = v
        else:
            grouped[base][i][j] = v
            if base in ws.symmetric:  # A[1,0] is the symbol A[0,1]
                grouped[base][j][i] = v
    return grouped


__all__ = ["derivative", "gradient", "jacobian", "hessian", "verify"]
