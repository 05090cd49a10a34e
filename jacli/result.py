"""The result type shared by every command; printers (jacli.render) turn it into text.

Values are sympy objects; nothing here imports sympy, so the type can be imported cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .shapes import Shape


@dataclass
class Block:
    """One matrix, vector or scalar of a result. Commands with several ``--wrt`` variables of
    vector or matrix shape give one block per variable."""

    expr: Any  # sympy scalar or ImmutableMatrix (None for a limit that does not exist)
    shape: Shape
    wrt: str | None = None
    exact: Any = None  # the result evaluated exactly at --at
    value: Any = None  # float, complex-free nested lists: the result evaluated at --at
    matrix_form: Any = None  # concrete sizes: the same derivative in matrix form (jacli.matrix), verified
    differential: Any = None  # matrix forms: (d of what, the differential), e.g. (W*x, dW*x)


@dataclass
class LimitInfo:
    var: str
    point: Any  # sympy
    direction: str  # both, +, -
    exists: bool
    left: Any = None
    right: Any = None
    reason: str | None = None  # e.g. "the one-sided limits differ", "oscillates"
    sequence: bool = False
    # for --check: the expression actually passed to sympy, its variable, and (side, value) claims
    checked: Any = field(default=None, repr=False)


@dataclass
class Check:
    ok: bool
    max_abs_error: float
    max_rel_error: float
    point: dict[str, Any]
    evaluations: int = 0
    tolerance: str = ""
    # where the largest error occurs: the entry (e.g. "d/dx", "d(output 2)/dx[1]"), jacli's value
    # there and the finite-difference estimate
    worst_entry: str | None = None
    worst_claimed: float | None = None
    worst_fd: float | None = None


@dataclass
class Result:
    command: str  # limit, diff, grad, jacobian, hessian
    input: str
    blocks: list[Block]
    wrt: list[str] = field(default_factory=list)
    layout: str | None = None  # numerator / denominator where it matters
    at: dict[str, Any] = field(default_factory=dict)  # name -> sympy value given by --at
    limit: LimitInfo | None = None
    check: Check | None = None
    steps: list[Any] | None = None
    notes: list[str] = field(default_factory=list)
    order: int = 1
    function: Any = None  # the lowered input (sympy), for printers that restate it
    verified: str | None = None  # how a matrix-form result was verified before printing
    vec: str | None = None  # "rows" where matrices are flattened (Kronecker forms, Hessians by matrices)
    # (G entries, input symbols, claimed Jacobian rows) for --check; see jacli.numeric
    stages: list[Any] = field(default_factory=list, repr=False)
    # matrix-form results (symbolic sizes): a callable returning the Check of --check
    matrix_check: Any = field(default=None, repr=False)
    matrix_function: Any = field(default=None, repr=False)  # the input as a jacli.matrix node (-f numpy)
    # vector and matrix parts of the input that printers may name (jacli.render.cse.Subterm)
    subterms: list[Any] = field(default_factory=list, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        """Results pickle (for worker processes, Dask, caches): everything but ``matrix_check``, a
        closure over the computation; an unpickled matrix-form result cannot run --check again
        (compute it with check=True before it travels)."""
        state = dict(self.__dict__)
        state["matrix_check"] = None
        return state

    @property
    def expr(self) -> Any:
        return self.blocks[0].expr

    @property
    def shape(self) -> Shape:
        return self.blocks[0].shape
