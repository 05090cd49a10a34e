"""The click building blocks of jacli's command line: commands whose values may begin with a minus
sign, command aliases, and the options every calculus command shares. Used by jacli.cli.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from .errors import ExitStatus
from .render import FORMATS  # the formats the printers know, offered by -f

DEFAULT_TIMEOUT = 60.0
DEFAULT_MEMORY_MB = 2048  # see jacli.guard: sympy + numpy need about 200 MB of address space

EXIT_STATUS_HELP = "; ".join(f"{int(s)} {s.meaning}" for s in ExitStatus) + "."


# --- arguments that begin with a minus sign ---------------------------------------------------
# short options whose value may be glued to them, where that value could not begin an expression
# (-n3, -vx:3, -fjson); "-n^2" and "-f(x)" stay expressions
_ATTACHED: dict[str, Callable[[str], bool]] = {
    "-n": str.isdigit, "-j": str.isdigit, "-v": lambda rest: ":" in rest, "-f": lambda rest: rest in FORMATS,
}

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
                if takes_value[name] and "=" not in a:
                    if i + 1 == len(args):
                        if ctx.resilient_parsing:  # shell completion of the option's value
                            break
                        raise click.BadOptionUsage(name, f"Option '{name}' requires an argument.", ctx=ctx)
                    opts.append(args[i + 1])
                    i += 1
            elif a[:2] in _ATTACHED and a[:2] in takes_value and _ATTACHED[a[:2]](a[2:]):
                opts.append(a)  # -n3, -j2, -vx:3, -fjson: the value glued to a short option
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


def common_options(*, layout: bool = False, check: bool = True,
                   simplify: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
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
        if simplify:  # derivatives only: a limit is a value, with nothing to leave unsimplified
            f = click.option("--no-simplify", is_flag=True, help="Print derivatives as computed: without the timed "
                             "simplification, and matrix forms without common factors taken out (A'*x + A*x, "
                             "not (A + A')*x).")(f)
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
