"""Pasted formulas and the commands: which input language, and the operator a LaTeX formula carries.

``is_latex`` decides the language (a backslash, a brace or a '$' means LaTeX: the text grammar
rejects all three, so the guess is safe; ``--input latex|text`` forces). The ``*_args`` functions take VAR,
POINT or ``--wrt`` from a formula's operator when the command line leaves them out, and refuse
(exit 2) a command line that disagrees with the formula. ``stated_notes`` compares a formula's other
sides (``= 9``) with the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import syntax as sx
from .errors import UsageError

if TYPE_CHECKING:
    from .declarations import Workspace
    from .result import Result
    from .texops import Formula, Operator

INPUTS = ("auto", "latex", "text")
COMMANDS = {"limit": "jacli limit", "diff": "jacli diff", "grad": "jacli grad", "hessian": "jacli hessian"}


def is_latex(text: str, mode: str = "auto") -> bool:
    if mode == "latex":
        return True
    if mode == "text":
        return False
    return any(ch in text for ch in "\\{}$")


def to_text(node: sx.Node) -> str:
    """A syntax tree in jacli's text language (fully parenthesized where it matters)."""
    if isinstance(node, sx.Num):
        return node.text
    if isinstance(node, sx.Name):
        return node.name
    if isinstance(node, sx.Neg):
        return f"-({to_text(node.operand)})"
    if isinstance(node, sx.Add):
        return "(" + "".join((f" {op} " if k else ("-" if op == "-" else "")) + to_text(a)
                             for k, (a, op) in enumerate(zip(node.args, node.ops, strict=True))) + ")"
    if isinstance(node, sx.Mul):
        return "(" + "".join((f" {op} " if k else "") + to_text(a)
                             for k, (a, op) in enumerate(zip(node.args, node.ops, strict=True))) + ")"
    if isinstance(node, sx.Pow):
        return f"({to_text(node.base)})^({to_text(node.exp)})"
    if isinstance(node, sx.Call):
        name = node.func + "'" * node.primes + "".join(f"_{k + 1}" for k in node.partials)
        return f"{name}({', '.join(to_text(a) for a in node.args)})"
    if isinstance(node, sx.Transpose):
        return f"({to_text(node.operand)})'"
    if isinstance(node, sx.Index):
        return f"{to_text(node.operand)}[{', '.join(to_text(i) for i in node.indices)}]"
    return "[" + ", ".join(to_text(i) for i in node.items) + "]"


def _operator(ws: Workspace, text: str, command: str, accepts: Sequence[str]) -> Operator | None:
    formula = ws.formula(text)
    op = formula.op if formula is not None else None
    if op is None:
        return None
    if op.command not in accepts:
        raise UsageError(f"the formula's {op.spelled} (column {op.pos + 1}) is for '{COMMANDS[op.command]}', "
                         f"not 'jacli {command}'")
    return op


def limit_args(ws: Workspace, text: str, var: str | None, point: str | None,
               direction: str) -> tuple[str | None, str | None, str]:
    op = _operator(ws, text, "limit", ["limit"])
    if op is None:
        return var, point, direction
    assert op.var is not None and op.point is not None
    if var is not None and var != op.var:
        raise UsageError(f"VAR {var} disagrees with the formula's \\lim_{{{op.var} \\to ...}}")
    own = to_text(op.point)
    if point is not None and not _same_point(ws, point, own):
        raise UsageError(f"POINT {point} disagrees with the formula's limit point {own}")
    if op.side is not None:
        if direction not in ("both", op.side):
            raise UsageError(f"--dir {direction} disagrees with the formula's one-sided limit ({op.side})")
        direction = op.side
    return op.var, own, direction


def _same_point(ws: Workspace, given: str, own: str) -> bool:
    from .declarations import Workspace as Bare

    bare = Bare()
    a = bare.lower(sx.parse(given, ws.function_names()), given)
    b = bare.lower(sx.parse(own, ws.function_names()), own)
    return bool(a == b)


def diff_args(ws: Workspace, text: str, variables: Sequence[str], order: int) -> tuple[Sequence[str], int]:
    op = _operator(ws, text, "diff", ["diff"])
    if op is None:
        return variables, order
    if all(not w for w in op.wrt):  # (...)': the variable comes from the command line or the expression
        if order not in (1, len(op.wrt)):
            raise UsageError(f"-n {order} disagrees with the formula's {op.spelled}")
        return variables, len(op.wrt)
    own = list(op.wrt)
    if variables:
        given = [v for v in variables for _ in range(order)]
        if given != own and sorted(given) != sorted(own):
            raise UsageError(f"the variables {' '.join(variables)} (-n {order}) disagree with the formula's "
                             f"derivative by {', '.join(own)}")
    elif order != 1 and order != len(own):
        raise UsageError(f"-n {order} disagrees with the formula's derivative of order {len(own)}")
    if len(set(own)) == 1:
        return own[:1], len(own)
    return own, 1


def wrt_args(ws: Workspace, text: str, command: str, wrt: Any) -> Any:
    """--wrt for grad, jacobian, hessian from \\nabla_W, \\nabla^2_x or \\frac{\\partial}{\\partial x}."""
    accepts = {"grad": ["grad", "diff"], "jacobian": ["diff"], "hessian": ["hessian"]}[command]
    op = _operator(ws, text, command, accepts)
    if op is None or not op.wrt:
        return wrt
    if op.command == "diff" and len(set(op.wrt)) != len(op.wrt):
        raise UsageError(f"the formula's {op.spelled} is a derivative of order {len(op.wrt)}; "
                         f"use 'jacli diff' or 'jacli hessian'")
    own = list(op.wrt)
    if wrt:
        from .values import split_names

        given = split_names(wrt) or []
        if given != own:
            raise UsageError(f"--wrt {','.join(given)} disagrees with the formula's {op.spelled} "
                             f"by {', '.join(own)}")
    return ",".join(own)


def stated_notes(ws: Workspace, text: str, result: Result) -> None:
    """Notes comparing the formula's other sides (\\lim_{x \\to 3} x^2 = 9) with the answer."""
    formula: Formula | None = ws.formula(text)
    if formula is None:
        return
    result.notes.extend(formula.notes)
    if not formula.stated or len(result.blocks) != 1:
        return
    import sympy as sp

    from .budget import attempt

    answer = result.blocks[0].expr if formula.op is not None else result.function
    if answer is None:
        return
    from .declarations import CONSTANTS, names_in

    known = set(names_in(formula.node)) | set(ws.shapes) | {n for n, _ in ws.lets} | set(CONSTANTS)
    for node, pos in formula.stated:
        unknown = sorted(set(names_in(node)) - known)
        if unknown:
            result.notes.append(f"the formula's side at column {pos + 1} is not compared: it names "
                                f"{', '.join(unknown)}, which the formula does not define")
            continue
        try:
            claim = ws.lower(node, text)
        except Exception:  # noqa: BLE001 - a side that does not lower is only noted
            result.notes.append(f"the formula's side at column {pos + 1} is not computable here")
            continue

        def same(claim: Any = claim) -> bool:
            if answer == claim:
                return True
            d = sp.simplify(sp.Matrix(answer) - sp.Matrix(claim)) if isinstance(answer, sp.MatrixBase) or \
                isinstance(claim, sp.MatrixBase) else sp.simplify(answer - claim)
            return bool(d == 0 if not isinstance(d, sp.MatrixBase) else d.is_zero_matrix)

        try:
            agrees = attempt(same, 1.0)
        except (TypeError, ValueError, sp.ShapeError):
            agrees = False
        what = "the answer" if formula.op is not None else "the side computed"
        if agrees:
            result.notes.append(f"the formula's side at column {pos + 1} agrees with {what}")
        elif agrees is False:
            result.notes.append(f"the formula's side at column {pos + 1} DIFFERS from {what}")
