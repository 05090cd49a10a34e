#!/usr/bin/env python3
"""Write jacli's man pages (man/jacli.1 and man/jacli-COMMAND.1) from the click command tree.

    python scripts/genman.py            # regenerate man/
    python scripts/genman.py DIR        # write the pages into DIR instead
    python scripts/genman.py --check    # exit 1 if man/ is out of date

Everything on the pages comes from the program itself: names, synopses, descriptions and
examples from the commands' help texts, options from their click parameters (so an option
added to jacli/cli.py appears here on the next run), exit statuses from jacli.errors.ExitStatus,
the function names of the expression language from jacli.declarations. Only the sections about the
environment and shell completion are written here. The date is fixed (PAGE_DATE) so the output
is reproducible; tests/test_manpages.py regenerates the pages and compares them byte for byte.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jacli import __version__  # noqa: E402
from jacli.cli import cli  # noqa: E402
from jacli.errors import ExitStatus  # noqa: E402

PAGE_DATE = "2026-11-24"  # the date of version 0.1.0; move it when the version changes
GENERATOR = "scripts/genman.py"
COMMAND = "python scripts/genman.py"
MANUAL = "jacli manual"

ENVIRONMENT = [
    ("NO_COLOR", "If set (to any value), the pretty format is drawn without colour. Colour is also off "
     "whenever standard output is not a terminal."),
    ("_JACLI_COMPLETE", "Used by shell completion (see SHELL COMPLETION in jacli(1)): when it is set, "
     "jacli prints a completion script or the completions for the command line being typed, "
     "instead of computing anything."),
]

COMPLETION = [
    ("bash", 'eval "$(_JACLI_COMPLETE=bash_source jacli)"', "~/.bashrc"),
    ("zsh", 'eval "$(_JACLI_COMPLETE=zsh_source jacli)"', "~/.zshrc"),
    ("fish", "_JACLI_COMPLETE=fish_source jacli | source", "~/.config/fish/completions/jacli.fish"),
]

# --- roff ----------------------------------------------------------------------------------------
_ESCAPES = {"\\": r"\e", "-": r"\-", "'": r"\(aq", "`": r"\(ga", "^": r"\(ha", "~": r"\(ti"}


def esc(text: str) -> str:
    """Text made safe for roff: backslashes, hyphens as minus signs (so options and expressions
    copy and paste as ASCII), quotes, carets and tildes as their ASCII glyphs, other non-ASCII as
    \\[uXXXX]."""
    return line_safe(_chars(text))


def _chars(text: str) -> str:
    return "".join(_ESCAPES.get(c, c if ord(c) < 128 else f"\\[u{ord(c):04X}]") for c in text)


def line_safe(line: str) -> str:
    """A text line that roff cannot mistake for a request (one starting with a dot)."""
    return "\\&" + line if line.startswith(".") else line


def bold(text: str) -> str:
    """Bold, and never hyphenated (\\%): option names and commands stay whole."""
    return rf"\fB\%{_chars(text)}\fR"


def italic(text: str) -> str:
    return rf"\fI{_chars(text)}\fR"


def usage(text: str) -> str:
    """A usage fragment with its placeholders (upper-case words) in italics."""
    parts = re.split(r"([A-Z][A-Z_:]*[A-Z])", text)
    return line_safe("".join(rf"\fI{_chars(p)}\fR" if i % 2 else _chars(p) for i, p in enumerate(parts)))


# --- reading the click tree -------------------------------------------------------------------------
def help_blocks(text: str | None) -> tuple[list[tuple[bool, list[str]]], list[str]]:
    """Split a click help text into blocks (verbatim?, lines) and the lines of its Examples block.

    A block that starts with click's no-rewrap marker \\b is verbatim; prose blocks are joined
    into one line. A verbatim block headed ``Examples:`` becomes the EXAMPLES section.
    """
    if not text:
        return [], []
    text = inspect.cleandoc(text).split("\f")[0]
    blocks: list[tuple[bool, list[str]]] = []
    examples: list[str] = []
    for raw in re.split(r"\n\s*\n", text):
        lines = raw.splitlines()
        if lines and lines[0].strip() == "\b":
            body = lines[1:]
            if body and body[0].strip().rstrip(":").lower() == "examples":
                examples.extend(line.strip() for line in body[1:] if line.strip())
            else:
                blocks.append((True, body))
        elif raw.strip():
            blocks.append((False, [" ".join(line.strip() for line in lines)]))
    return blocks, examples


def aliases_of(group: click.Group, name: str) -> list[str]:
    return sorted(alias for alias, target in getattr(group, "aliases", {}).items() if target == name)


def options(cmd: click.Command, ctx: click.Context) -> list[str]:
    """One .TP entry per visible option, in the order of --help."""
    out: list[str] = []
    for param in cmd.get_params(ctx):
        if not isinstance(param, click.Option) or param.hidden:
            continue
        record = param.get_help_record(ctx)
        if record is None:
            continue
        names = ", ".join(bold(o) for o in param.opts)
        if param.secondary_opts:
            names += " / " + ", ".join(bold(o) for o in param.secondary_opts)
        if not param.is_flag and not param.count:
            try:
                metavar = param.make_metavar(ctx)  # type: ignore[call-arg]
            except TypeError:  # click < 8.2
                metavar = param.make_metavar()  # type: ignore[call-arg]
            names += " " + (esc(metavar) if metavar.startswith("[") else italic(metavar))
        out += [".TP", names, esc(re.sub(r"\s+", " ", record[1]))]
    return out


def synopsis(cmd: click.Command, ctx: click.Context, names: list[str]) -> list[str]:
    pieces = " ".join(cmd.collect_usage_pieces(ctx))
    return [f"{bold(name)} {usage(pieces)}" for name in names]


def placeholder_words(cmd: click.Command, ctx: click.Context) -> set[str]:
    """The names of a command's arguments (EXPR, VAR, ...), singular too, set in italics in prose."""
    words = set()
    for param in cmd.get_params(ctx):
        if isinstance(param, click.Argument):
            name = param.human_readable_name.upper()
            words |= {name, name.removesuffix("S")}
    return words


def prose(text: str, placeholders: set[str]) -> str:
    if not placeholders:
        return esc(text)
    parts = re.split(r"\b(" + "|".join(sorted(placeholders, key=len, reverse=True)) + r")\b", text)
    return line_safe("".join(rf"\fI{_chars(p)}\fR" if i % 2 else _chars(p) for i, p in enumerate(parts)))


def description(blocks: list[tuple[bool, list[str]]], placeholders: set[str] | None = None) -> list[str]:
    out: list[str] = []
    for verbatim, lines in blocks:
        out.append(".PP")
        if verbatim:
            out += [".nf", *(esc(line.strip()) for line in lines), ".fi"]
        else:
            out += [prose(line, placeholders or set()) for line in lines]
    return out


# --- sections shared by every page --------------------------------------------------------------
def header(title: str) -> list[str]:
    return [
        f'.\\" Generated by {GENERATOR} from the click command tree in jacli/cli.py: do not edit.',
        f'.\\" After changing a help text or an option, run: {COMMAND}',
        f'.TH {esc(title.upper())} 1 {PAGE_DATE} "jacli {__version__}" "{MANUAL}"',
    ]


def exit_status() -> list[str]:
    out = [".SH EXIT STATUS"]
    for status in ExitStatus:
        out += [".TP", bold(str(int(status))), esc(status.meaning[0].upper() + status.meaning[1:] + ".")]
    out += [".PP", "Results go to standard output, messages to standard error."]
    return out


def environment(main: bool = False) -> list[str]:
    out = [".SH ENVIRONMENT"]
    for name, text in ENVIRONMENT:
        out += [".TP", bold(name), esc(text.replace(" in jacli(1)", "") if main else text)]
    return out


def examples(lines: list[str]) -> list[str]:
    if not lines:
        return []
    return [".SH EXAMPLES", ".PP", ".EX", *(esc(line) for line in lines), ".EE"]


def see_also(names: list[str]) -> list[str]:
    refs = [f"{bold(n)}(1)" for n in names]
    return [".SH SEE ALSO", ",\n".join(refs)]


# --- the pages --------------------------------------------------------------------------------
def command_page(group: click.Group, root: click.Context, name: str, all_pages: list[str]) -> str:
    cmd = group.get_command(root, name)
    assert cmd is not None
    ctx = click.Context(cmd, info_name=name, parent=root, **cmd.context_settings)
    blocks, example_lines = help_blocks(cmd.help)
    placeholders = placeholder_words(cmd, ctx)
    epilog_blocks, epilog_examples = help_blocks(cmd.epilog)
    aliases = aliases_of(group, name)
    summary = (cmd.short_help or cmd.get_short_help_str()).rstrip(".")
    out = header(f"jacli-{name}")
    out += [".SH NAME", f"jacli\\-{esc(name)} \\- {esc(summary)}"]
    out += [".SH SYNOPSIS", ".nf", *synopsis(cmd, ctx, [f"jacli {n}" for n in [name, *aliases]]), ".fi"]
    out += [".SH DESCRIPTION", *description(blocks + epilog_blocks, placeholders)]
    if aliases:
        out += [".PP", f"{bold('jacli ' + ' and jacli '.join(aliases))} {'is' if len(aliases) == 1 else 'are'} "
                f"the same command as {bold('jacli ' + name)}."]
    out += [".SH OPTIONS", *options(cmd, ctx)]
    out += exit_status() + environment() + examples(example_lines + epilog_examples)
    out += see_also(["jacli"] + [p for p in all_pages if p != f"jacli-{name}"])
    return "\n".join(out) + "\n"


def expression_section() -> list[str]:
    from jacli.declarations import CONSTANTS, ELEMENTWISE, MATRIX_FUNCTIONS

    return [
        ".SH EXPRESSIONS",
        esc("Expressions are read by jacli's own grammar, never by Python's eval: numbers, names, "
            "+ - * / and powers (^ or **), implicit multiplication (2x, 3 sin(x)), lists [a, b] for "
            "column vectors and [[a, b], [c, d]] for matrices. With vector and matrix variables"),
        f"({bold('-v')}): " + esc("* and @ for matrix products, A' and A.T for the transpose, indexing z[k] from 0."),
        ".TP",
        "Functions applied entry by entry",
        esc(", ".join(sorted(ELEMENTWISE))),
        ".TP",
        "Other functions",
        esc(", ".join(sorted(MATRIX_FUNCTIONS))),
        ".TP",
        "Constants",
        esc(", ".join(sorted(CONSTANTS))),
    ]


def completion_section() -> list[str]:
    out = [
        ".SH SHELL COMPLETION",
        "jacli completes its commands, options and option values with click\\(aqs completion.",
        "To enable it, add the line for your shell to the file named:",
    ]
    for shell, line, rc in COMPLETION:
        out += [".TP", f"{bold(shell)} ({esc(rc)})", ".EX", esc(line), ".EE"]
    out += [".PP", "For fish, the file may instead hold the script itself, written once with",
            ".EX", esc("_JACLI_COMPLETE=fish_source jacli > ~/.config/fish/completions/jacli.fish"), ".EE"]
    return out


def main_page(group: click.Group, root: click.Context, names: list[str], pages: list[str]) -> str:
    blocks, example_lines = help_blocks(group.help)
    first = blocks.pop(0)[1][0] if blocks and not blocks[0][0] else "jacli"
    out = header("jacli")
    out += [".SH NAME", f"jacli \\- {esc(first.rstrip('.'))}"]
    lines: list[str] = []
    for name in names:
        cmd = group.get_command(root, name)
        assert cmd is not None
        lines += synopsis(cmd, click.Context(cmd, info_name=name, parent=root), [f"jacli {name}"])
    lines.append(f"{bold('jacli')} {bold('--version')} | {bold('--help')}")
    out += [".SH SYNOPSIS", ".nf", *lines, ".fi"]
    out += [".SH DESCRIPTION", *description(blocks)]
    out += [".SH COMMANDS"]
    for name in names:
        cmd = group.get_command(root, name)
        assert cmd is not None
        label = ", ".join(bold(n) for n in [name, *aliases_of(group, name)])
        out += [".TP", label, f"{esc(cmd.get_short_help_str(limit=200))} See {bold('jacli-' + name)}(1)."]
    out += [".SH OPTIONS", *options(group, root)]
    out += [".PP", "Each command has its own options; see its page or run", bold("jacli COMMAND --help") + "."]
    out += expression_section() + completion_section()
    out += exit_status() + environment(main=True) + examples(example_lines) + see_also(pages)
    return "\n".join(out) + "\n"


def pages() -> dict[str, str]:
    """File name -> page text, for jacli(1) and each subcommand."""
    root = click.Context(cli, info_name="jacli", **cli.context_settings)
    # registration order (limit, diff, grad, ...: the order of the seed text), not click's sorted one
    names = [n for n, c in cli.commands.items() if not c.hidden]
    page_names = [f"jacli-{n}" for n in names]
    result = {"jacli.1": main_page(cli, root, names, page_names)}
    for name in names:
        result[f"jacli-{name}.1"] = command_page(cli, root, name, page_names)
    return result


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, text in pages().items():
        path = directory / filename
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    target = ROOT / "man"
    if argv and argv[0] == "--check":
        stale = [f for f, text in pages().items() if not (target / f).is_file() or (target / f).read_bytes() != text.encode()]
        extra = sorted(p.name for p in target.glob("*.1") if p.name not in pages())
        for f in stale + extra:
            print(f"man/{f} is out of date; run: {COMMAND}", file=sys.stderr)
        return 1 if stale or extra else 0
    if argv:
        target = Path(argv[0])
    for path in write(target):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
