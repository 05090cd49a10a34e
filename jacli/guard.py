"""Resource guards: the size of results, the memory a computation may use, the stack it needs.

Bounds on what the user *types* (length, nesting, names, literals, exact powers, factorials,
shapes) live in :mod:`jacli.syntax`, :mod:`jacli.declarations` and :mod:`jacli.shapes` and exit 2.
The guards here bound what jacli *computes* and exit 4 (``ResourceError``, like a timeout):

- ``check_result``: a result may have at most ``MAX_RESULT_NODES`` nodes (counted as printed,
  so shared subexpressions count each time they appear), plus ``NODES_PER_ENTRY`` for each
  entry of a matrix (so large explicit Jacobians, whose size grows with their entries rather
  than exponentially, are allowed), and no number over
  ``MAX_RESULT_DIGITS`` digits. This keeps printing fast, keeps Python's 4300-digit
  int-to-str limit out of reach, and stops derivatives that grow exponentially with ``-n``.
- ``memory_limit``: a soft ``RLIMIT_AS`` while one expression is computed, so a blow-up
  becomes a MemoryError (exit 4) instead of swapping the machine.
- ``deep_stack``: a recursion limit and C stack large enough for sympy to differentiate,
  simplify and print expressions nested as deeply as the parser allows (100 levels).

No sympy import at module level: the CLI imports this before it knows it needs sympy.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import ResourceError

MAX_RESULT_NODES = 200_000  # nodes of one result, as printed (about 1 MB of plain text)
NODES_PER_ENTRY = 20  # more allowed per entry of a matrix: a 200x200 Jacobian of a quadratic map has ~8
MAX_RESULT_DIGITS = 4_000  # digits of any number in a result (Python refuses str() past 4300)
_MAX_BITS = int(MAX_RESULT_DIGITS * 3.321928094887362)  # bits of a 4000-digit number

RECURSION_LIMIT = 20_000  # Python frames while computing (sympy needs ~10 per nesting level)
STACK_BYTES = 96 * 2**20  # C stack for the main thread while computing (Linux leaves >= 128 MB free below it)


def number_too_big(value: Any) -> bool:
    """True for a sympy Rational whose numerator or denominator has more than 4000 digits."""
    if not getattr(value, "is_Rational", False):
        return False
    return bool(abs(int(value.p)).bit_length() > _MAX_BITS or int(value.q).bit_length() > _MAX_BITS)


def tree_size(expr: Any, cap: int) -> int:
    """Nodes of ``expr`` counted as printed, stopping at ``cap + 1`` (cost O(cap))."""
    stack = [expr]
    seen = 0
    while stack and seen <= cap:
        e = stack.pop()
        seen += 1
        stack.extend(getattr(e, "args", ()))
    return seen


def node_limit(value: Any) -> int:
    """The most nodes ``value`` may have: MAX_RESULT_NODES, plus NODES_PER_ENTRY per matrix entry."""
    if _is_matrix(value):
        rows, cols = value.shape
        return MAX_RESULT_NODES + NODES_PER_ENTRY * rows * cols
    return MAX_RESULT_NODES


def check_result(value: Any, what: str = "the result") -> None:
    """Raise ResourceError (exit 4) if ``value`` is too large to print or holds a huge number.

    Walks the expression tree iteratively and stops as soon as a bound is passed, so the cost
    is at most ``MAX_RESULT_NODES`` steps whatever the size of the expression.
    """
    if value is None:
        return
    stack: list[Any] = list(value) if _is_matrix(value) else [value]
    limit = node_limit(value)
    seen = 0
    while stack:
        e = stack.pop()
        seen += 1
        if seen > limit:
            raise ResourceError(
                f"{what} is too large: more than {limit:,} terms and factors "
                "(lower the order or simplify the input)"
            )
        if number_too_big(e):
            raise ResourceError(f"{what} holds a number with more than {MAX_RESULT_DIGITS:,} digits")
        args = getattr(e, "args", ())
        if args:
            stack.extend(args)


def check_output(result: Any) -> None:
    """check_result on everything a printer will show: each block, its value at --at, and the
    one-sided limits."""
    for block in result.blocks:
        check_result(block.expr)
        check_result(block.exact, "the value at the --at point")
    if result.limit is not None:
        check_result(result.limit.left, "the left limit")
        check_result(result.limit.right, "the right limit")


def _is_matrix(value: Any) -> bool:
    return hasattr(value, "shape") and hasattr(value, "applyfunc")


@contextmanager
def memory_limit(megabytes: float | None) -> Iterator[None]:
    """Lower the soft address-space limit to ``megabytes`` inside the block (None/0: no change).

    Only the soft limit changes and it is restored afterwards, so an in-process caller (tests,
    batch mode) gets its own limit back. A hard limit lower than the request wins.
    """
    try:
        import resource
    except ImportError:  # not on POSIX: no limit
        yield
        return
    if not megabytes or megabytes <= 0 or not hasattr(resource, "RLIMIT_AS"):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = int(megabytes * 2**20)
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    if soft != resource.RLIM_INFINITY and soft <= want:
        yield  # already at least as strict
        return
    resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextmanager
def deep_stack() -> Iterator[None]:
    """Allow deep recursion inside the block: a higher recursion limit and, where the C stack
    of the main thread can grow (Linux), a soft RLIMIT_STACK large enough for it.

    sympy recurses about ten Python frames per nesting level in diff, simplify and the
    printers, so the 100 levels the parser allows need more than Python's default 1000.
    The stack limit is raised first so that the deeper recursion cannot overflow the C stack.
    """
    old_limit = sys.getrecursionlimit()
    restore_stack = None
    target = RECURSION_LIMIT
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
        if soft != resource.RLIM_INFINITY and soft < STACK_BYTES:
            new = STACK_BYTES if hard == resource.RLIM_INFINITY else min(STACK_BYTES, hard)
            resource.setrlimit(resource.RLIMIT_STACK, (new, hard))
            restore_stack = (soft, hard)
            if new < STACK_BYTES:  # keep ~25 KB of C stack per allowed frame
                target = max(old_limit, min(RECURSION_LIMIT, new // 25_000))
    except (ImportError, ValueError, OSError):
        target = old_limit  # cannot grow the C stack: keep Python's own safety margin
    if target > old_limit:
        sys.setrecursionlimit(target)
    try:
        yield
    finally:
        sys.setrecursionlimit(old_limit)
        if restore_stack is not None:
            try:
                resource.setrlimit(resource.RLIMIT_STACK, restore_stack)
            except (ValueError, OSError):
                pass
