"""The jacli command line: click commands over the jacli core, and the entry point main().

Only the command-line modules (this one, jacli.cli_options and jacli.runner) import click.
sympy, numpy and rich are imported inside the commands that need them, so ``jacli --help`` and
``jacli --version`` stay fast.
"""

from __future__ import annotations

import errno
import gc
import sys
import warnings
from typing import Any

import click

from . import __version__, streams
from .cli_options import (  # noqa: F401 - FORMATS and DEFAULT_* are part of this module's surface
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT,
    EXIT_STATUS_HELP,
    FORMATS,
    AliasGroup,
    MathCommand,
    common_options,
)
from .errors import ExitStatus
from .language import help_text
from .runner import (  # noqa: F401 - the session and the tests use these through jacli.cli
    BATCH_COLLECT,
    Run,
    choose_format,
    emit,
    error_line,
    exit_with,
    picture_result,
    plot_result,
    render,
)


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
@common_options(simplify=False)
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
    import jacli

    run = Run(lambda text, ws: jacli.limit(text, var, point, direction=direction, ws=ws, at=opts.get("at"),
                                           steps=opts.get("steps", False), check=bool(opts.get("check"))), opts)
    exit_with(run.run(expr))


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
    import jacli

    if variables and wrt:
        raise click.UsageError("give the variables either after EXPR or with --wrt, not both")
    if wrt:  # a mixed partial may name a variable twice (--wrt x,x), so no check for repeats here
        variables = tuple(n.strip() for w in wrt for n in w.split(","))
        if not all(variables):
            raise click.UsageError("--wrt needs variable names, comma-separated")
    if plot_file is not None and not plot_file.strip():
        raise click.BadParameter("needs a file name ending in .png or .svg", param_hint="'--plot-file'")
    run = Run(lambda text, ws: jacli.diff(text, *variables, order=order, ws=ws, at=opts.get("at"),
                                          simplify=not opts.get("no_simplify"), steps=opts.get("steps", False),
                                          check=bool(opts.get("check"))), opts)
    if plot or plot_file:
        run.after = lambda result, ws: plot_result(result, ws, plot, plot_file, run.fmt)
    exit_with(run.run(expr))


def _vector_command(name: str, short: str, doc: str) -> None:
    def command(expr: str, variables: tuple[str, ...], wrt_options: tuple[str, ...], plot: bool = False,
                plot_file: str | None = None, **opts: Any) -> None:
        import jacli

        if variables and wrt_options:
            raise click.UsageError("give the variables either after EXPR or with --wrt, not both")
        wrt = ",".join(wrt_options or variables) or None

        compute = getattr(jacli, {"grad": "gradient"}.get(name, name))
        run = Run(lambda text, ws: compute(text, wrt, ws=ws, layout=opts.get("layout"), at=opts.get("at"),
                                           simplify=not opts.get("no_simplify"), steps=opts.get("steps", False),
                                           check=bool(opts.get("check"))), opts)
        if plot or plot_file:
            run.after = lambda result, ws: picture_result(result, ws, plot, plot_file, run.fmt)
        exit_with(run.run(expr))

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

    exit_with(Session().loop())
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
