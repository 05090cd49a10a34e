"""The jacli command line: click commands over the jacli core.

Only this module imports click. sympy, numpy and rich are imported inside the commands that need
them, so ``jacli --help`` and ``jacli --version`` stay fast.
"""

from __future__ import annotations

import errno
import gc
import os
import shutil
import sys
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import click

from . import __version__, streams
from .errors import ExitStatus, JacliError, ParseError, Timeout, UsageError
from .language import help_text

FORMATS = ("pretty", "plain", "latex", "json", "numpy")
DEFAULT_TIMEOUT = 60.0
DEFAULT_MEMORY_MB = 2048  # see jacli.guard: sympy + numpy need about 200 MB of address space
BATCH_COLLECT = 200  # lines between garbage collections in batch mode (see main)

EXIT_STATUS_HELP = "; ".join(f"{int(s)} {s.meaning}" for s in ExitStatus) + "."


# --- arguments that begin with a minus sign ---------------------------------------------------
class MathCommand(click.Command):
    """A command whose positional arguments may begin with '-' (``-oo``, ``-x^2``, ``-1``).

    Tokens that are not this command's options are moved behind ``--`` so click reads them as
    values; real options keep working anywhere on the line.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in [*param.opts, *param.secondary_opts]:
                    takes_value[name] = not param.is_flag and not param.count
        opts: list[str] = []
        values: list[str] = []
        i = 0
        while i < len(args):
            a = args[i]
            if a == "--":
                values.extend(args[i + 1 :])
                break
            name = a.split("=", 1)[0] if a.startswith("--") else a
            if a.startswith("--") and len(a) > 2 and name not in takes_value and a[2].isalpha():
                opts.append(a)  # an unknown long option: let click report it
            elif name in takes_value:
                opts.append(a)
                if takes_value[name] and "=" not in a and i + 1 < len(args):
                    opts.append(args[i + 1])
                    i += 1
            elif a.startswith("-n") and a[2:].isdigit() and "-n" in takes_value:
                opts.append(a)
            else:
                values.append(a)
            i += 1
        return super().parse_args(ctx, [*opts, "--", *values])


class AliasGroup(click.Group):
    """A group whose commands have aliases (``derivative`` for ``diff``, ``gradient`` for ``grad``)."""

    aliases = {"derivative": "diff", "gradient": "grad", "lim": "limit", "jac": "jacobian"}

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, self.aliases.get(cmd_name, cmd_name))

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        _, cmd, rest = super().resolve_command(ctx, args)
        return (cmd.name if cmd else None), cmd, rest


# --- shared options ----------------------------------------------------------------------------
def _format_option(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--standalone", is_flag=True,
        help="With LaTeX output (implied): print a whole document (article, amsmath, amssymb) that pdflatex compiles.",
    )(f)
    f = click.option("--latex", "latex", is_flag=True, help="Same as -f latex.")(f)
    f = click.option(
        "-f", "--format", "fmt", type=click.Choice(FORMATS), default=None,
        help="Output format: pretty (default on a terminal), plain (default when piped), latex, json, "
        "numpy (Python source computing the value and a matrix-form derivative).",
    )(f)
    return f


def common_options(*, layout: bool = False, check: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        f = click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks of internal errors.")(f)
        f = click.option(
            "-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
            help="With EXPR -: compute in N worker processes; the output keeps the input's order.",
        )(f)
        f = click.option(
            "--timeout", type=click.FloatRange(min=0), default=DEFAULT_TIMEOUT, show_default=True, metavar="S",
            help="Give up after S seconds (per line with EXPR -); 0 means no limit.",
        )(f)
        f = click.option("--steps", is_flag=True, help="Explain the derivation rule by rule (or how the limit is found).")(f)
        f = click.option(
            "--memory", type=click.FloatRange(min=0), default=DEFAULT_MEMORY_MB, show_default=True, metavar="MB",
            help="Limit the address space to MB megabytes while computing (exit 4 when exceeded); 0 means no limit.",
        )(f)
        f = click.option("--no-simplify", is_flag=True, help="Print derivatives as computed, without the timed simplification.")(f)
        f = click.option(
            "--no-cse", "no_cse", is_flag=True,
            help="Print results whole: do not name repeated subexpressions (where u = ...).",
        )(f)
        if check:
            f = click.option(
                "--check", is_flag=True,
                help="Verify the result by central finite differences at the --at point or a random point; exit 3 on a mismatch.",
            )(f)
        if layout:
            f = click.option(
                "--layout", type=click.Choice(["numerator", "denominator"]), default=None,
                help="numerator: Jacobians m x n, gradients as rows; denominator: the transposes. "
                "Default: Jacobians numerator, gradients the shape of their variable.",
            )(f)
        f = click.option(
            "--full", is_flag=True,
            help="Pretty output: print every entry of large matrices (by default a corner is shown, and a note says so).",
        )(f)
        f = _format_option(f)
        f = click.option(
            "--at", "at", multiple=True, metavar="NAME=VALUE",
            help="Evaluate the result there (repeatable; --at x=1,y=2 sets several). VALUE: a number, an exact "
            "expression such as pi/3, or a list: x=[1,2,3], W=[[1,2],[3,4]]; @FILE reads VALUE from a file (for large matrices).",
        )(f)
        f = click.option(
            "--input", "input_mode", type=click.Choice(["auto", "latex", "text"]), default="auto", show_default=True,
            help="The language of EXPR and --let: latex, text, or auto (LaTeX if it has a backslash, a brace or surrounding $).",
        )(f)
        f = click.option(
            "--let", "let", multiple=True, metavar="NAME=EXPR",
            help="Define an intermediate quantity usable in EXPR and later --let options (repeatable).",
        )(f)
        f = click.option(
            "--func", "func", multiple=True, metavar="NAME",
            help="Declare an abstract differentiable function, e.g. --func f or --func 'f(x,y)' (repeatable).",
        )(f)
        f = click.option(
            "-v", "--var", "decls", multiple=True, metavar="NAME:SHAPE",
            help="Declare a variable's shape (repeatable): x:4 column vector, x:1x4 row vector, W:2x3 or W:2,3 matrix, "
                 "W:m,n symbolic sizes, A:n,n:sym symmetric matrix (the gradient by it is the symmetric part "
                 "(G + G')/2 of the gradient G by all its entries).",
        )(f)
        return f

    return decorate


# --- output --------------------------------------------------------------------------------
def choose_format(fmt: str | None, latex: bool) -> str:
    if latex:
        return "latex"
    if fmt:
        return fmt
    return "pretty" if streams.isatty(sys.stdout) else "plain"


def render(result: Any, fmt: str, full: bool = False, line: int | None = None, cse: bool = True,
           standalone: bool = False) -> str:
    """``line``: the batch input line (JSON records carry it); ``cse``: name repeated subexpressions;
    ``standalone``: a whole LaTeX document."""
    if fmt == "json":
        from .render import json

        return json.render(result, line=line, cse=cse)
    if fmt == "latex":
        from .render import latex

        return latex.render(result, cse=cse, standalone=standalone)
    if fmt == "plain":
        from .render import plain

        return plain.render(result, cse=cse)
    if fmt == "numpy":
        from .render import numpy

        return numpy.render(result)
    from .render import pretty

    color = "NO_COLOR" not in os.environ and streams.isatty(sys.stdout)
    width = shutil.get_terminal_size((100, 24)).columns
    return pretty.render(result, color=color, width=max(40, min(width, 200)), full=full, cse=cse)


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
        from .build import Workspace

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
            if self.opts.get("check"):
                from .calculus import verify

                verify(result, ws)
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
            if self.fmt not in ("pretty", "json"):  # those two show notes themselves
                for note in result.notes:
                    error_line(f"note: {note}")
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


def finish(status: int) -> None:
    sys.exit(status)


# --- commands ------------------------------------------------------------------------------
@click.group(cls=AliasGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog=help_text() + "\n\nAliases: derivative (diff), gradient (grad), lim (limit), jac (jacobian). "
             "Exit status: " + EXIT_STATUS_HELP)
@click.version_option(__version__, "--version", prog_name="jacli", message="%(prog)s %(version)s")
def cli() -> None:
    """Limits, derivatives, gradients, Jacobians and Hessians from the shell.

    jacli parses expressions with its own grammar (never Python's eval), differentiates them
    exactly with sympy, can check every derivative numerically (--check), and prints pretty,
    plain, LaTeX or JSON output.

    \b
    Examples:
      jacli diff "x^2*sin(x)" x
      jacli limit "sin(x)/x" x 0
      jacli grad "1/2*norm(W*x+b-z)^2" --wrt W -v W:2x3 -v x:3 -v b:2 -v z:2
    """


@cli.command(cls=MathCommand, short_help="Limit of an expression or a sequence.")
@click.argument("expr")
@click.argument("var", required=False)
@click.argument("point", required=False)
@click.option("--dir", "direction", type=click.Choice(["both", "+", "-"]), default="both", show_default=True,
              help="Two-sided (both) or one-sided from the right (+) or the left (-).")
@common_options()
def limit(expr: str, var: str | None, point: str | None, direction: str, **opts: Any) -> None:
    """The limit of EXPR as VAR approaches POINT.

    POINT is a number, an exact expression (pi/2), oo or -oo (also inf, infinity, ∞); 0+ and 0-
    approach from one side, as --dir does. Limits are two-sided unless told otherwise; where
    the one-sided limits differ the answer says the limit does not exist and gives both sides.
    With VAR n and no POINT, the limit of the sequence as n -> oo. With one variable, VAR may
    be left out.

    \b
    Examples:
      jacli limit "sin(x)/x" x 0
      jacli limit "1/x" x 0
      jacli limit "(1+1/n)^n" n
      jacli limit "exp(x)" x -oo
      jacli limit "1/x" x 0+
      jacli limit '\\lim_{x \\to 0} \\frac{\\sin x}{x}'     (LaTeX: the formula gives VAR and POINT)
    """
    from .calculus import limit as compute

    run = Run(lambda text, ws: compute(text, var, point, direction, ws=ws, at=opts.get("at"),
                                           steps=opts.get("steps", False)), opts)
    finish(run.run(expr))


@cli.command(cls=MathCommand, short_help="Derivative, partial or mixed partial derivative.")
@click.argument("expr")
@click.argument("variables", nargs=-1)
@click.option("-n", "--order", type=click.IntRange(1, 50), default=1, show_default=True, metavar="ORDER",
              help="Differentiate ORDER times by each variable.")
@click.option("--wrt", "wrt", multiple=True, metavar="NAMES",
              help="The variables to differentiate by, comma-separated, in order (instead of VARIABLE arguments; repeatable).")
@click.option("--plot", is_flag=True, help="Draw f and f' in the terminal (with --at x=a, the tangent line at a).")
@click.option("--plot-file", "plot_file", type=click.Path(dir_okay=False, writable=True), default=None, metavar="FILE",
              help="Write the plot to FILE (.png or .svg; needs the 'plot' extra: pip install 'jacli[plot]').")
@common_options()
def diff(expr: str, variables: tuple[str, ...], wrt: tuple[str, ...], order: int, plot: bool, plot_file: str | None,
         **opts: Any) -> None:
    """The derivative of EXPR by each VARIABLE in turn (a mixed partial for several).

    Vector- and matrix-valued expressions ([sin(x), cos(x)], [[x, x^2], [sin(x), 1]]) are
    differentiated entry by entry. With one variable in EXPR, VARIABLE may be left out.

    \b
    Examples:
      jacli diff "x^2*sin(x)" x
      jacli diff "x^3*y^2" x y
      jacli diff "sin(x)" x -n 2 --at x=pi/3
      jacli diff "f(g(x))" x --func f --func g
    """
    from .calculus import derivative

    if variables and wrt:
        raise click.UsageError("give the variables either after EXPR or with --wrt, not both")
    if wrt:  # a mixed partial may name a variable twice (--wrt x,x), so no check for repeats here
        variables = tuple(n.strip() for w in wrt for n in w.split(","))
        if not all(variables):
            raise click.UsageError("--wrt needs variable names, comma-separated")
    if plot_file is not None and not plot_file.strip():
        raise click.BadParameter("needs a file name ending in .png or .svg", param_hint="'--plot-file'")
    run = Run(lambda text, ws: derivative(text, variables, order, ws=ws, at=opts.get("at"),
                                          simplify=not opts.get("no_simplify"), steps=opts.get("steps", False)), opts)
    if plot or plot_file:
        run.after = lambda result, ws: plot_result(result, ws, plot, plot_file, run.fmt)
    finish(run.run(expr))


def _vector_command(name: str, short: str, doc: str) -> None:
    def command(expr: str, variables: tuple[str, ...], wrt_options: tuple[str, ...], plot: bool = False,
                plot_file: str | None = None, **opts: Any) -> None:
        from . import calculus

        if variables and wrt_options:
            raise click.UsageError("give the variables either after EXPR or with --wrt, not both")
        wrt = ",".join(wrt_options or variables) or None

        compute = getattr(calculus, {"grad": "gradient"}.get(name, name))
        run = Run(lambda text, ws: compute(text, wrt, ws=ws, layout=opts.get("layout"), at=opts.get("at"),
                                           simplify=not opts.get("no_simplify"), steps=opts.get("steps", False)), opts)
        if plot or plot_file:
            run.after = lambda result, ws: picture_result(result, ws, plot, plot_file, run.fmt)
        finish(run.run(expr))

    f: Any = common_options(layout=True)(command)
    if name in ("jacobian", "hessian"):  # pictures of the matrix (jacli.heatmap)
        f = click.option("--plot-file", "plot_file", type=click.Path(dir_okay=False, writable=True), default=None,
                         metavar="FILE", help="Write the picture of --plot to FILE (.png or .svg; needs the 'plot' "
                         "extra: pip install 'jacli[plot]').")(f)
        f = click.option("--plot", is_flag=True, help="Draw the matrix in the terminal: a heat map of its values "
                         "at --at, or its sparsity pattern without a point, each variable's block marked.")(f)
    f = click.option("--wrt", "wrt_options", metavar="NAMES", multiple=True,
                     help="Variables to differentiate by, comma-separated, in order; repeatable, the lists are joined "
                     "(default: declared variables, then the others in order of appearance). "
                     "They may also follow EXPR as arguments.")(f)
    f = click.argument("variables", nargs=-1)(f)
    f = click.argument("expr")(f)
    cli.command(name=name, cls=MathCommand, short_help=short, help=doc)(f)


_vector_command(
    "grad", "Gradient of a scalar expression.",
    """The gradient of the scalar-valued EXPR.

    With scalar variables, the vector of partial derivatives. With a vector or matrix variable
    (-v x:3, -v W:2x3), a gradient of that variable's shape (denominator layout, as PyTorch's
    backward() gives); --layout numerator gives the transpose. Several vector or matrix
    variables give one block each.

    \b
    Examples:
      jacli grad "x^2*y + sin(y)"
      jacli grad "w1*x1 + w2*x2 + b" --wrt w1,w2
      jacli grad "1/2*norm(W*x+b-z)^2" --wrt W -v W:2x3 -v x:3 -v b:2 -v z:2
      jacli grad "1/2*norm(W*x+b-z)^2" --wrt W -v W:m,n -v x:n -v b:m -v z:m
    """,
)
_vector_command(
    "jacobian", "Jacobian of a vector- or matrix-valued expression.",
    """The Jacobian of EXPR: one row per output entry, one column per input (numerator layout).

    Matrix-valued outputs and matrix variables are flattened row by row. --layout denominator
    gives the transpose. Several vector or matrix variables give one block each.

    \b
    Examples:
      jacli jacobian "[2x1+4x2+7x3, 3x1+5x2+4x3]"
      jacli jacobian "W*x+b" --wrt x -v W:2x3 -v x:3 -v b:2
    """,
)
_vector_command(
    "hessian", "Hessian of a scalar expression.",
    """The Hessian of the scalar-valued EXPR: all second partial derivatives over the variables
    (vector and matrix variables flattened row by row, in --wrt order).

    \b
    Examples:
      jacli hessian "x^2*y + y^3"
      jacli hessian "x'*A*x" --wrt x -v x:3 -v A:3x3
    """,
)


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


@cli.command(short_help="An interactive session (also: jacli alone on a terminal).")
def repl() -> None:
    """An interactive session: each line is a jacli command without the word 'jacli'.

    Declarations persist from line to line (var W:m,n, let z = W*x + b, func f, format latex,
    layout numerator, timeout S; show lists them, reset forgets them), _ is the last result,
    Ctrl-C stops a computation but not the session, and answers come from a warm process in
    milliseconds. History is kept in $XDG_STATE_HOME/jacli/history; Tab completes commands,
    options, functions and declared names. 'help' lists the rest.

    \b
    Examples:
      jacli repl
      jacli> var W:m,n x:n b:m z:m
      jacli> grad 1/2*norm(W*x+b-z)^2 --wrt W
      jacli> diff t^2*sin(t) t
      jacli> diff _ t
    """
    from .session import Session

    finish(Session().loop())
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


class Terminated(BaseException):
    """SIGTERM or SIGINT, raised where the program is: finished lines are already flushed, and
    one message goes to stderr. A BaseException, so sympy cannot swallow it, and not a
    KeyboardInterrupt, which click would answer with a stray blank line."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: object) -> None:
    raise Terminated(signum)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning every failure into one line on stderr and an exit status.

    SIGTERM and SIGINT become one line on stderr (finished lines are already flushed). One
    command is a short-lived process: the cyclic garbage collector would spend a tenth of a cold
    start walking sympy's freshly imported objects, and sympy's expressions hold no cycles; so
    it is paused while the command runs (batch runs collect every BATCH_COLLECT lines) and
    restored afterwards for callers that run main() in-process. Faults of the standard streams
    become one line and a status (see jacli.streams), and Python warnings are silenced while
    the command runs, so that stderr carries only jacli's own lines.
    """
    import signal
    import threading

    if not (sys.argv[1:] if argv is None else argv) and sys.stdin.isatty() and sys.stdout.isatty():
        argv = ["repl"]  # jacli alone on a terminal: a session
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            if signal.getsignal(sig) in (signal.SIG_DFL, signal.default_int_handler):  # not if ignored
                previous[sig] = signal.signal(sig, _on_signal)
    was = gc.isenabled()
    gc.disable()
    try:
        with warnings.catch_warnings():  # numpy's and sympy's warnings would be extra lines on stderr
            warnings.simplefilter("ignore")
            _main(argv)
    finally:
        if was:
            gc.enable()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _main(argv: list[str] | None) -> None:
    if sys.stdout is None:  # started with descriptor 1 closed (>&-): nowhere to put any answer
        _stream_fault(streams.StreamFault("stdout", errno.EBADF, streams.CLOSED))
    try:
        try:
            cli.main(args=argv, prog_name="jacli", standalone_mode=False)
        except OSError as e:  # click's own writes (--help, --version) to a full or closed stdout
            raise streams.fault("stdout", e) from None
    except streams.StreamFault as e:
        _stream_fault(e)
    except click.exceptions.NoArgsIsHelpError as e:
        streams.write_err(e.ctx.get_help() if e.ctx else "")
        sys.exit(ExitStatus.USAGE)
    except click.UsageError as e:
        hint = f" (see 'jacli {e.ctx.info_name} --help')" if e.ctx and e.ctx.info_name != "jacli" else " (see 'jacli --help')"
        error_line(e.format_message() + hint)
        sys.exit(ExitStatus.USAGE)
    except click.ClickException as e:
        error_line(e.format_message())
        sys.exit(ExitStatus.USAGE)
    except (click.exceptions.Abort, KeyboardInterrupt):
        _last_words("interrupted")
        sys.exit(130)
    except Terminated as e:
        import signal

        interrupted = e.signum == signal.SIGINT
        _last_words("interrupted" if interrupted else "terminated")
        sys.exit(130 if interrupted else 143)
    except SystemExit as e:
        if _click_saw_closed_pipe():
            _stream_fault(streams.StreamFault("stdout", errno.EPIPE, "closed pipe"))
        _flush_or_exit()
        sys.exit(e.code)
    _flush_or_exit()
    sys.exit(0)


def _flush_or_exit() -> None:
    """Flush stdout before exiting; a fault doing so is reported like any other."""
    try:
        streams.flush_out()
    except streams.StreamFault as e:
        _stream_fault(e)


def _stream_fault(e: streams.StreamFault) -> None:
    """One line for a fault of stdout or stdin (none for a closed pipe), then its exit status."""
    if not e.quiet:
        error_line(e.message())
    streams.silence_stdout()
    sys.exit(e.status)


def _click_saw_closed_pipe() -> bool:
    """click answers an EPIPE while it writes (help to ``| head -1``) with exit 1 and wraps the
    streams to silence the final flush; jacli reports a closed pipe as a quiet exit 0."""
    wrapped = [name for name in ("stdout", "stderr") if type(getattr(sys, name)).__name__ == "_PacifyFlushWrapper"]
    for name in wrapped:
        setattr(sys, name, getattr(sys, name).wrapped)
    return bool(wrapped)


def _last_words(message: str) -> None:
    """One line on stderr as a signal ends the run; quiet if stdout or stderr is gone too."""
    try:
        streams.flush_out()
    except streams.StreamFault:
        streams.silence_stdout()
    error_line(message)
