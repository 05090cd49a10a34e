"""Time budgets that really stop runaway sympy calls.

A deadline arms ``signal.setitimer``; its handler raises :class:`jacli.errors.Timeout`, which
derives from BaseException so sympy's many ``except Exception`` blocks cannot swallow it.
Deadlines nest: an inner ``attempt`` (used for optional work such as simplification) gives up
quietly when its own budget runs out, but lets the outer deadline's Timeout through.
Timers only work on the main thread; elsewhere the work simply runs unbounded.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import Timeout

T = TypeVar("T")

_deadlines: list[float] = []  # absolute monotonic times, outermost first


def _usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _handler(signum: int, frame: Any) -> None:
    if frame is not None and frame.f_code.co_filename == __file__:
        return  # never inside this module's own bookkeeping; the next tick (50 ms) comes anyway
    if _deadlines and time.monotonic() >= min(_deadlines) - 1e-3:
        raise Timeout()


def _arm() -> None:
    if not _deadlines:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    remaining = min(_deadlines) - time.monotonic()
    # keep firing every 50 ms after the deadline: a Timeout raised inside a garbage-collection
    # callback or __del__ is swallowed by Python, and the next tick must still stop the work
    signal.setitimer(signal.ITIMER_REAL, max(remaining, 1e-4), 0.05)


class deadline:  # noqa: N801 - used like a function: ``with deadline(5): ...``
    """Raise Timeout inside the block once ``seconds`` have passed (None or <= 0: no limit).

    A class rather than a generator context manager: a tick landing between a generator's
    ``yield`` and the with-statement taking hold would skip the clean-up and leave the timer
    running. The handler never raises while this module's own frames run.
    """

    def __init__(self, seconds: float | None) -> None:
        self.active = bool(seconds) and seconds is not None and seconds > 0 and _usable()
        self.seconds = seconds or 0.0
        self.previous: Any = None
        self.mine = 0.0

    def __enter__(self) -> None:
        if not self.active:
            return
        self.previous = signal.signal(signal.SIGALRM, _handler)
        self.mine = time.monotonic() + self.seconds
        _deadlines.append(self.mine)
        _arm()

    def __exit__(self, *exc: object) -> None:
        if self.active:
            _leave(self.mine, self.previous)


def _leave(mine: float, previous: Any) -> None:
    """Disarm and restore with SIGALRM blocked: a tick during the clean-up would otherwise leave
    this deadline registered and the timer running, and every later tick would raise Timeout."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
        while signal.sigtimedwait({signal.SIGALRM}, 0) is not None:  # drain a tick that is pending
            pass
        _deadlines.remove(mine)
        signal.signal(signal.SIGALRM, previous)
        _arm()
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})


def remaining() -> float | None:
    """Seconds left before the nearest deadline, or None when there is none."""
    if not _deadlines:
        return None
    return min(_deadlines) - time.monotonic()


def attempt(func: Callable[[], T], seconds: float) -> T | None:
    """Run ``func`` for at most ``seconds``; None if this budget ran out first.

    If an enclosing deadline has passed meanwhile, its Timeout propagates.
    """
    if seconds <= 0:
        return None
    if not _usable():
        return func()
    mine = time.monotonic() + seconds
    outer = list(_deadlines)
    with deadline(seconds):
        try:
            return func()
        except Timeout:
            now = time.monotonic()
            if outer and now >= min(outer):
                raise
            if now < mine - 1e-3:
                raise  # not ours
            return None
