"""Errors raised by the jacli core, each carrying the exit status the CLI reports.

The core never calls ``sys.exit``; the CLI maps ``JacliError.status`` to the process exit code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Process exit statuses (see ../shared/CLI.md and the man page's EXIT STATUS)."""

    OK = 0
    FAILED = 1  # the computation failed or is not supported
    USAGE = 2  # bad usage or bad expression
    CHECK_MISMATCH = 3  # --check found a disagreement
    LIMIT = 4  # time or resource limit reached

    @property
    def meaning(self) -> str:
        """What the status means, as the man pages and --help say it (the one place for the texts)."""
        return EXIT_STATUS_MEANINGS[self]


EXIT_STATUS_MEANINGS: dict[ExitStatus, str] = {
    ExitStatus.OK: "success",
    ExitStatus.FAILED: "the computation failed or is not supported",
    ExitStatus.USAGE: "bad usage or bad expression",
    ExitStatus.CHECK_MISMATCH: "--check found a mismatch",
    ExitStatus.LIMIT: "time or resource limit reached",
}


class JacliError(Exception):
    """Base class: a one-line message and an exit status."""

    status: ExitStatus = ExitStatus.FAILED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def render(self, prefix: str = "") -> str:
        """The text to show the user, each line starting with ``prefix`` (parse errors add a
        second line holding only a caret)."""
        return prefix + self.message


class UsageError(JacliError):
    """Bad arguments: unknown variable names, bad declarations, bad option values."""

    status = ExitStatus.USAGE


class ParseError(UsageError):
    """A syntax error in user text, with the 0-based column of the offending character."""

    def __init__(self, message: str, text: str, column: int) -> None:
        super().__init__(message)
        self.text = text
        self.column = max(0, min(column, len(text)))

    def render(self, prefix: str = "", width: int | None = None) -> str:
        """Two lines: the message and the expression, then a caret under the offending column.

        With ``width`` (the terminal's), no line is longer: the echo is cut to a window around
        the column (``...`` where text is left out) so the caret stays under it; when the message
        leaves too little room, the echo and the caret go on lines of their own beneath it.
        """
        line = "".join(ch if ch.isprintable() else "?" for ch in self.text.replace("\t", " ").replace("\n", " ").replace("\r", " "))
        head = f"{prefix}{self.message} (column {self.column + 1}): "
        room = 120 if width is None else width - len(head)
        if width is not None and room < MIN_ECHO:  # the echo goes beneath, indented by two
            echo, caret = _window(line, self.column, width - 3)
            return f"{head.rstrip()}\n  {echo}\n  {' ' * caret}^"
        echo, caret = _window(line, self.column, room)
        return f"{head}{echo}\n{' ' * (len(head) + caret)}^"


MIN_ECHO = 24  # columns of the expression worth showing beside the message


def _window(line: str, column: int, room: int) -> tuple[str, int]:
    """(at most ``room`` characters of ``line`` around ``column``, the column's place in them)."""
    room = max(room, 8)
    if len(line) + 1 <= room:  # + 1: the caret may sit just past the end
        return line, column
    inner = room - 6  # the two "..." markers
    start = max(0, min(column - inner // 2, len(line) - inner))
    if start == 0:
        inner = room - 3
    end = start + inner
    if end >= len(line):
        end = len(line)
        start = max(0, len(line) - (room - 3))
    text = ("..." if start else "") + line[start:end] + ("..." if end < len(line) else "")
    return text, column - start + (3 if start else 0)


class ShapeError(ParseError):
    """Operands whose shapes do not fit the operation; points at the operator."""


class BoundError(UsageError):
    """Input over a documented bound (length, depth, number size)."""


class UnsupportedError(JacliError):
    """A well-formed request jacli cannot compute."""

    status = ExitStatus.FAILED


class EvaluationError(JacliError):
    """A result that cannot be evaluated at the requested point (division by zero, ...)."""

    status = ExitStatus.FAILED


class CheckError(JacliError):
    """--check found that the result disagrees with finite differences."""

    status = ExitStatus.CHECK_MISMATCH


class ResourceError(JacliError):
    """Time or memory limit reached."""

    status = ExitStatus.LIMIT


class Timeout(BaseException):
    """Raised asynchronously by the deadline timer.

    Derives from BaseException on purpose: sympy has many ``except Exception`` blocks that would
    otherwise swallow it and keep computing.
    """
