"""The one place jacli writes to stdout and stderr and reads batch lines from stdin.

Every fault of the standard streams becomes a :class:`StreamFault`, which the entry point
turns into one ``jacli:`` line on stderr (while stderr still works) and an exit status:

- stdout's reader went away (EPIPE, ``| head -1``): quiet, exit 0, as ``head`` users expect;
- any other fault writing stdout (ENOSPC on ``> /dev/full``, EIO, a descriptor closed with
  ``>&-``): ``jacli: cannot write the output: ...``, exit 1;
- stdin closed (``<&-``) or unreadable (a directory, EIO) in batch mode:
  ``jacli: cannot read standard input: ...``, exit 1.

A fault on stderr itself is swallowed: there is nowhere left to report it, and the exit
status still says what happened. Batch input is read as bytes and decoded line by line as
UTF-8, whatever the locale or PYTHONIOENCODING say, so an undecodable line is that line's
error and the others are computed.

StreamFault is a BaseException so that no ``except Exception`` on the way (jacli's last line
of defence for one expression, sympy's own handlers) can swallow it, and so that click,
which answers an EPIPE OSError with exit status 1, never sees an OSError from jacli's writes.
No click, sympy or rich here: the CLI imports this at start-up.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO

CLOSED = "is closed"


class StreamFault(BaseException):
    """Writing stdout or reading stdin failed; ``status`` is the exit status to report."""

    def __init__(self, stream: str, code: int | None, reason: str) -> None:
        super().__init__(stream, code, reason)
        self.stream = stream  # "stdout" or "stdin"
        self.code = code
        self.reason = reason

    @property
    def quiet(self) -> bool:
        """The reader of stdout went away: not an error for a pipeline (``| head -1``)."""
        return self.stream == "stdout" and self.code == errno.EPIPE

    @property
    def status(self) -> int:
        return 0 if self.quiet else 1

    def message(self) -> str:
        if self.stream == "stdin":
            return "standard input is closed" if self.reason == CLOSED else f"cannot read standard input: {self.reason}"
        if self.reason == CLOSED:
            return "cannot write the output: standard output is closed"
        return f"cannot write the output: {self.reason}"


def fault(stream: str, err: BaseException) -> StreamFault:
    """The StreamFault for an OSError or ValueError raised by ``stream``."""
    if isinstance(err, OSError):
        code = err.errno
        reason = (err.strerror or os.strerror(code)) if code else str(err)
        if code == errno.EBADF:
            reason = CLOSED
        return StreamFault(stream, code, reason or type(err).__name__)
    return StreamFault(stream, errno.EBADF, CLOSED)  # ValueError: I/O operation on closed file


def isatty(stream: TextIO | None) -> bool:
    """``stream.isatty()``, False for a missing or closed stream."""
    if stream is None:
        return False
    try:
        return bool(stream.isatty())
    except (ValueError, OSError):
        return False


def write_out(text: str) -> None:
    """``text`` and a newline on stdout, flushed at once (a batch shows each result as it is done)."""
    put_out(text + "\n")


def put_out(text: str) -> None:
    """``text`` as it is on stdout, flushed (the --jobs parent replays its workers' output so)."""
    stream = sys.stdout
    if stream is None:  # the process was started with descriptor 1 closed
        raise StreamFault("stdout", errno.EBADF, CLOSED)
    try:
        _write(stream, text)
    except (OSError, ValueError) as err:
        raise fault("stdout", err) from None


def flush_out() -> None:
    """Flush stdout (nothing to do when it is missing)."""
    stream = sys.stdout
    if stream is None:
        return
    try:
        stream.flush()
    except (OSError, ValueError) as err:
        raise fault("stdout", err) from None


def write_err(text: str) -> None:
    """``text`` and a newline on stderr; silently nothing if stderr is closed, full or gone."""
    put_err(text + "\n")


def put_err(text: str) -> None:
    """``text`` as it is on stderr; silently nothing if stderr is closed, full or gone."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        _write(stream, text)
    except (OSError, ValueError):
        pass


def _write(stream: TextIO, text: str) -> None:
    try:
        stream.write(text)
    except UnicodeEncodeError:  # a stream that cannot encode (PYTHONIOENCODING=ascii): escapes, not a crash
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
    stream.flush()


def input_lines() -> Iterator[str | bytes]:
    """Batch lines from stdin: each decoded as UTF-8, or the raw bytes of a line that is not UTF-8.

    Reads the binary buffer under sys.stdin, so the text layer's encoding (the locale,
    PYTHONIOENCODING) plays no part; a stream without one (a StringIO) is read as text.
    """
    stream: Any = sys.stdin
    if stream is None:
        raise StreamFault("stdin", errno.EBADF, CLOSED)
    source = getattr(stream, "buffer", None) or stream
    try:
        for raw in source:
            if isinstance(raw, bytes):
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError:
                    yield raw
            else:
                yield raw
    except (OSError, ValueError) as err:
        raise fault("stdin", err) from None


def undecodable(raw: bytes) -> str:
    """The error for a batch line that is not UTF-8: the first bad byte and its column."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        column = len(raw[: err.start].decode("utf-8", "replace")) + 1
        return f"the line is not valid UTF-8 text (byte 0x{raw[err.start]:02x} at column {column})"
    return "the line is not valid UTF-8 text"


def silence_stdout() -> None:
    """After a fault on stdout: point descriptor 1 at /dev/null, so that the interpreter's final
    flush of whatever is still buffered neither fails nor prints 'Exception ignored'."""
    stream = sys.stdout
    if stream is None:  # descriptor 1 was closed at start-up: it may now be some file jacli opened
        return
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        fd = -1
    if fd >= 0:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fd)
            os.close(devnull)
        except OSError:
            pass
    # else an in-memory stream (a test harness), which has no final flush to fail
