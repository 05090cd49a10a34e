"""Running one command line: compute each expression (one, or one per line of standard input),
render it in the chosen format, and write it through the one output discipline of jacli.streams,
with every failure one line on stderr and a status. Used by jacli.cli (and, through it, by the
session and the --jobs workers).
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from typing import Any

import click

from . import streams
from .cli_options import DEFAULT_MEMORY_MB
from .errors import ExitStatus, JacliError, ParseError, Timeout, UsageError

BATCH_COLLECT = 200  # lines between garbage collections in batch mode (see jacli.cli.main)


# --- output --------------------------------------------------------------------------------
def choose_format(fmt: str | None, latex: bool) -> str:
    if latex:
        return "latex"
    if fmt:
        return fmt
    return "pretty" if streams.isatty(sys.stdout) else "plain"


def render(result: Any, fmt: str, full: bool = False, line: int | None = None, cse: bool = True,
           standalone: bool = False) -> str:
    """jacli.render.render, with the pretty printer fitted to this terminal (colour unless NO_COLOR)."""
    from .render import render as render_as

    color = "NO_COLOR" not in os.environ and streams.isatty(sys.stdout)
    width = max(40, min(shutil.get_terminal_size((100, 24)).columns, 200))
    return render_as(result, fmt, full=full, line=line, cse=cse, standalone=standalone, color=color, width=width)


def emit(text: str) -> None:
    """One result on stdout, flushed; a fault raises streams.StreamFault (see jacli.streams)."""
    streams.write_out(text)


def error_line(message: str | JacliError, prefix: str = "jacli: ") -> None:
    """One error on stderr: a single line (parse errors add a caret line under the echo, both cut
    to the width of stderr when it is a terminal)."""
    if isinstance(message, ParseError):
        width = shutil.get_terminal_size().columns if streams.isatty(sys.stderr) else None
        text = message.render(prefix, width)
    else:
        text = message.render(prefix) if isinstance(message, JacliError) else prefix + message
    streams.write_err(text)


# --- running a computation ------------------------------------------------------------------
class Run:
    """Everything one invocation needs: the compute function, the options, and output handling."""

    observer: Callable[[Any], None] | None = None  # sees each computed result (the session's `_`)

    def __init__(self, compute: Callable[[str, Any], Any], opts: dict[str, Any]) -> None:
        self.compute = compute
        self.opts = opts
        if opts.get("standalone") and opts.get("fmt") not in (None, "latex"):
            raise click.UsageError(f"--standalone is for LaTeX output, not -f {opts.get('fmt')}")
        self.fmt = choose_format(opts.get("fmt"), opts.get("latex", False) or bool(opts.get("standalone")))
        self.after: Callable[[Any, Any], str | None] | None = None  # extra output after the result (plots)
        self._ws: Any = None
        self.check: Any = None  # the --check of the last line computed
        self.one_line = False  # batch plain output: one line per input line, so no "where" lines

    def workspace(self) -> Any:
        """The declarations, built once per invocation (batch lines share them and their lowered
        --let values; a declaration error is raised again for every line)."""
        from .declarations import Workspace

        if self._ws is None:
            self._ws = Workspace.from_options(var=self.opts.get("decls", ()), func=self.opts.get("func", ()),
                                              let=self.opts.get("let", ()),
                                              input=self.opts.get("input_mode") or "auto")
        return self._ws

    def option_error(self) -> JacliError | None:
        """An error in the options themselves (-v, --func, --let, the --at values' text and files),
        or None. Batch mode asks before its first line: each line would repeat the error."""
        from . import atvalue
        from .syntax import MAX_LENGTH

        try:
            ws = self.workspace()
            for spec in self.opts.get("at") or ():
                value = atvalue.split(spec)
                if len(value.text) <= MAX_LENGTH:  # longer lists of numbers are read by numpy, not parsed
                    atvalue.parse(value, ws.function_names() - set(ws.funcs))
        except JacliError as e:
            return e
        return None

    def one(self, text: str, line: int | None = None) -> tuple[str, int]:
        """Compute and render one expression; returns (output, exit status)."""
        from . import budget, guard

        memory = self.opts.get("memory", DEFAULT_MEMORY_MB)
        with budget.deadline(self.opts.get("timeout")), guard.memory_limit(memory), guard.deep_stack():
            ws = self.workspace()
            result = self.compute(text, ws)
            status = ExitStatus.OK
            if self.opts.get("check"):  # the compute function was asked to check (the API's check=True)
                self.check = result.check
                if result.check is not None and not result.check.ok:
                    status = ExitStatus.CHECK_MISMATCH
            guard.check_output(result)
            cse = not self.opts.get("no_cse") and not (self.one_line and self.fmt == "plain")
            if cse and self.fmt != "numpy" and result.limit is None and not result.at:
                from .render.cse import subterms_of

                result.subterms = subterms_of(result.input, ws)
            out = render(result, self.fmt, full=bool(self.opts.get("full")), line=line,
                         cse=cse, standalone=bool(self.opts.get("standalone")))
            from .render import side_notes

            for note in side_notes(result, self.fmt):
                error_line(note)
            if self.after is not None:
                extra = self.after(result, ws)
                if extra:
                    out = out + "\n" + extra
            if Run.observer is not None:
                Run.observer(result)
            return out, status

    def guarded(self, text: str, line: int | None = None) -> tuple[str | None, int, str | JacliError | None]:
        """(output, status, error message) without raising; ``line``: the batch line number."""
        try:
            out, status = self.one(text, line)
            return out, status, None
        except JacliError as e:
            return None, e.status, e
        except Timeout:
            return None, ExitStatus.LIMIT, f"gave up after {self.opts.get('timeout'):g} seconds (--timeout)"
        except MemoryError:
            return None, ExitStatus.LIMIT, (
                f"out of memory (the limit is {self.opts.get('memory', DEFAULT_MEMORY_MB):g} MB; see --memory)"
            )
        except RecursionError:
            return None, ExitStatus.LIMIT, "the expression is too deeply nested to compute"
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as e:  # noqa: BLE001 - the last line of defence: one line, no traceback
            if self.opts.get("debug"):
                raise
            return None, ExitStatus.FAILED, f"internal error: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"

    def run(self, expr: str) -> int:
        if expr == "-":
            if self.opts.get("standalone"):
                raise click.UsageError("--standalone prints one document: give one EXPR, not - (stdin)")
            bad = self.option_error()
            if bad is not None:  # once, before any line, rather than once per line
                error_line(bad)
                return int(bad.status)
            self.one_line = True
            if self.opts.get("jobs", 1) > 1:
                from .parallel import batch

                return batch(self, streams.input_lines(), self.opts["jobs"])
            return self.batch(streams.input_lines())
        out, status, err = self.guarded(expr)
        if out is not None:
            emit(out)
        if err is not None:
            error_line(err)
        if status == ExitStatus.CHECK_MISMATCH:
            error_line(self.mismatch())
        return int(status)

    def mismatch(self) -> str:
        """The --check failure on stderr, whole in itself: the point, the largest error and its entry."""
        from .render.common import check_failure

        if self.check is None:
            return "--check: the result disagrees with the numerical check"
        return f"--check: the result disagrees with central finite differences {check_failure(self.check)}"

    def batch(self, lines: Iterable[str | bytes]) -> int:
        """One expression per line of ``lines`` (see batch_line)."""
        worst = 0
        for number, raw in enumerate(lines, start=1):
            status = self.batch_line(number, raw)
            if number % BATCH_COLLECT == 0:
                gc.collect()
            if status and not worst:
                worst = status
        return worst

    def batch_line(self, number: int, raw: str | bytes) -> int:
        """One input line of batch mode: its output and error record; the worker processes of
        --jobs (jacli.parallel) run this same method and replay what it writes. Plain and LaTeX
        output keep one output line per input line: a blank or comment line gives an empty line, a
        bad line a comment (``# error: ...``, LaTeX ``% error: ...``); every JSON record carries its
        1-based "line"; a line that is not UTF-8 (bytes) is that line's error."""
        from .render.json import error_record

        aligned = {"plain": "# ", "latex": "% "}.get(self.fmt)
        out: str | None
        status: int
        err: str | JacliError | None
        self.check = None
        if isinstance(raw, bytes):
            out, status, err = None, ExitStatus.USAGE, UsageError(streams.undecodable(raw))
        else:
            text = raw.strip()
            if not text or text.startswith("#"):
                if aligned is not None:
                    emit("")
                return 0
            out, status, err = self.guarded(text, line=number)
        if out is not None:
            emit(out)
        if err is not None:
            message = err.message if isinstance(err, JacliError) else err
            if self.fmt == "json":
                column = err.column + 1 if isinstance(err, ParseError) else None
                emit(error_record(message, number, status, column))
            elif aligned is not None:
                emit(aligned + "error: " + " ".join(message.split()))
            error_line(err, prefix=f"jacli: line {number}: ")
        elif status == ExitStatus.CHECK_MISMATCH:
            error_line(self.mismatch(), prefix=f"jacli: line {number}: ")
        return int(status)


def exit_with(status: int) -> None:
    sys.exit(status)



# --- pictures ------------------------------------------------------------------------------
def plot_result(result: Any, ws: Any, terminal: bool, path: str | None, fmt: str) -> str | None:
    """--plot / --plot-file for diff: the terminal drawing (returned) and the picture file (written)."""
    from . import plot as plotting

    data = plotting.prepare(result, ws)
    if path:
        plotting.write_file(data, path)
        error_line(f"wrote {path}")
    if terminal and fmt != "json":
        return plotting.terminal(data, width=72 if fmt != "pretty" else max(40, min(shutil.get_terminal_size()[0] - 2, 120)))
    return None


def picture_result(result: Any, ws: Any, terminal: bool, path: str | None, fmt: str) -> str | None:
    """--plot / --plot-file for jacobian and hessian: the terminal picture (returned), the file (written)."""
    from . import heatmap

    pictures = heatmap.prepare(result, ws)
    if path:
        heatmap.write_file(pictures, path)
        click.echo(f"jacli: wrote {path}", err=True)
    if terminal and fmt != "json":
        color = fmt == "pretty" and "NO_COLOR" not in os.environ and sys.stdout.isatty()
        width = max(40, min(shutil.get_terminal_size((80, 24)).columns, 200)) if fmt == "pretty" else 80
        return "\n".join(heatmap.terminal(p, width=width, color=color) for p in pictures)
    return None
