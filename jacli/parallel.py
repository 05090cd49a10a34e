"""``--jobs N`` for batch mode (EXPR -): N worker processes, output in input order.

The parent reads standard input in chunks of CHUNK lines and keeps at most WINDOW chunks per
worker in flight, so a run of millions of lines needs constant memory. Each worker runs the very
method the sequential batch runs (:meth:`jacli.cli.Run.batch_line`) on the main thread of its own
process -- so per-line ``--timeout`` (a SIGALRM timer) and ``--memory`` (RLIMIT_AS) apply there
exactly as they do in one process -- while its stdout and stderr are tapped into a list of
(stream, text) events; the parent writes those events in input order. The output and the exit
status are therefore the same as with ``--jobs 1``.

Workers are forked after the parent has imported sympy and built the declarations, so they start
warm and share those pages. They ignore SIGINT: Ctrl-C (or SIGTERM) reaches the parent, which
stops the workers and ends as the sequential run does. A worker that dies (a crash in C code)
costs only its line: the lines that were in flight run again one at a time, each in a fresh
worker, and the line that kills its worker gets an error record.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

CHUNK = 8  # lines per task: large enough to hide the pipe, small enough to keep output flowing
WINDOW = 4  # chunks in flight per worker
COLLECT = 200  # lines between a worker's garbage collections (as jacli.cli.BATCH_COLLECT)

Events = list[tuple[int, str]]  # (1 stdout | 2 stderr, text) in the order written
_RUN: Any = None  # the parent's jacli.cli.Run, inherited by the forked workers
_done = 0  # lines this worker has computed


class _Tap(io.TextIOBase):
    """A text stream that records what is written to it, tagged with the stream it replaces."""

    def __init__(self, fd: int, events: Events) -> None:
        super().__init__()
        self.fd = fd
        self.events = events

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # click probes streams with b"" to tell binary from text
            raise TypeError("a text stream")
        if text:
            self.events.append((self.fd, text))
        return len(text)

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent answers Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # and stops workers with SIGTERM


def _work(chunk: list[tuple[int, str | bytes]]) -> list[tuple[Events, int]]:
    """Run batch_line on each (number, line) of the chunk with stdout and stderr tapped."""
    global _done
    results = []
    for number, raw in chunk:
        events: Events = []
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Tap(1, events), _Tap(2, events)
        try:
            status = _RUN.batch_line(number, raw)
        finally:
            sys.stdout, sys.stderr = saved
        results.append((events, status))
        _done += 1
        if _done % COLLECT == 0:
            gc.collect()
    return results


def _chunks(lines: Iterable[str | bytes], size: int) -> Iterator[list[tuple[int, str | bytes]]]:
    chunk: list[tuple[int, str | bytes]] = []
    for number, raw in enumerate(lines, start=1):
        chunk.append((number, raw))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _warm(run: Any) -> None:
    """What every line needs, imported (and the declarations built) once, before the fork."""
    from . import answer  # noqa: F401 - and with it both engines' common modules
    from .render import json, plain  # noqa: F401

    if run.fmt == "pretty":
        from .render import pretty  # noqa: F401
    try:
        run.workspace()
    except Exception:  # noqa: BLE001 - a bad declaration is reported on every line, as with --jobs 1
        run._ws = None


def _write(events: Events) -> None:
    """A worker's output, replayed through the one output discipline (jacli.streams): a full disk
    or a closed pipe ends the run as it would in one process."""
    from . import streams

    for fd, text in events:
        if fd == 1:
            streams.put_out(text)
        else:
            streams.put_err(text)


def _died(number: int) -> tuple[Events, int]:
    """The record of a line whose worker process died (the sequential run would have died too)."""
    from .errors import ExitStatus
    from .render.json import error_record

    message = "internal error: the worker process computing this line died"
    events: Events = []
    if _RUN.fmt == "json":
        events.append((1, error_record(message, number, ExitStatus.FAILED, None) + "\n"))
    events.append((2, f"jacli: line {number}: {message}\n"))
    return events, int(ExitStatus.FAILED)


class _Pool:
    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("fork"), initializer=_init_worker)

    def submit(self, chunk: list[tuple[int, str | bytes]]) -> Future[Any]:
        try:
            return self.executor.submit(_work, chunk)
        except BrokenProcessPool:
            self.renew()
            return self.executor.submit(_work, chunk)

    def renew(self) -> None:
        self.stop()
        self.executor = self._new()

    def stop(self) -> None:
        """Stop the workers now (after an interruption, or once a pool is broken)."""
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        for p in processes:
            if p.is_alive():
                p.terminate()
        self.executor.shutdown(wait=True, cancel_futures=True)


def batch(run: Any, lines: Iterable[str | bytes], jobs: int) -> int:
    """Batch mode with ``jobs`` worker processes; returns the exit status of ``run.batch``."""
    global _RUN
    _warm(run)
    _RUN = run
    pool = _Pool(jobs)
    pending: deque[tuple[list[tuple[int, str | bytes]], Future[Any]]] = deque()
    source = _chunks(lines, CHUNK)
    worst = 0
    exhausted = False

    def emit(results: list[tuple[Events, int]]) -> None:
        nonlocal worst
        for events, status in results:
            _write(events)
            if status and not worst:
                worst = status
        sys.stdout.flush()

    try:
        while True:
            while not exhausted and len(pending) < WINDOW * jobs:
                chunk = next(source, None)
                if chunk is None:
                    exhausted = True
                    break
                pending.append((chunk, pool.submit(chunk)))
            if not pending:
                break
            chunk, future = pending.popleft()
            try:
                emit(future.result())
            except BrokenProcessPool:
                # a worker died on one of the lines in flight, which one is unknown: run each of
                # them alone in a fresh worker, in order; the line that breaks it again is reported
                suspects = [line for c in [chunk, *(c for c, _ in pending)] for line in c]
                pending.clear()
                pool.renew()
                for line in suspects:
                    try:
                        emit(pool.submit([line]).result())
                    except BrokenProcessPool:
                        emit([_died(line[0])])
                        pool.renew()
    finally:
        pool.stop()
        _RUN = None
    return worst
