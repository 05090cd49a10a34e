"""An interactive session: ``jacli repl`` (or ``jacli`` alone on a terminal).

Each line is a jacli command without the word ``jacli``. It is run by the very click commands of
:mod:`jacli.cli`, in this process, with the session's declarations injected as their own options
(``--var``, ``--func``, ``--let``, ``--format``, ``--layout``, ``--timeout``), so every option and
every error message of the one-shot commands works here unchanged. Between lines the process stays
warm: sympy is imported (in a background thread) while the first line is typed, and answers then
take milliseconds.

Session lines besides the commands: ``var``/``-v``, ``let``, ``func``, ``format``, ``layout``,
``timeout`` (declarations and settings that persist), ``show``, ``reset``, ``help``, ``quit``.
``_`` stands for the last result, as in Python's own session.

Signals: while a line computes, Ctrl-C (SIGINT) raises :class:`Interrupted` there, which stops the
computation (sympy's ``except Exception`` blocks cannot swallow a BaseException) and returns to the
prompt; at the prompt Ctrl-C clears the line. The resource guards of :mod:`jacli.guard` and the
deadlines of :mod:`jacli.budget` are scoped to one line by the commands themselves, so a long-lived
process keeps its own limits between lines.
"""

from __future__ import annotations

import gc
import os
import re
import shlex
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import click

from . import cli as jcli
from .errors import JacliError

PROMPT = "jacli> "
HISTORY_LENGTH = 2_000
KEYWORDS = ("var", "let", "func", "format", "layout", "timeout", "show", "reset", "help", "quit", "exit")
# session settings and the names of the click parameters that carry them
SETTING_PARAMS = ("decls", "func", "let", "fmt", "latex", "layout", "timeout")
_LAST = re.compile(r"(?<![A-Za-z0-9_])_(?![A-Za-z0-9_])")

HELP = """\
Each line is a jacli command without the word 'jacli':
  diff x^2*sin(x) x          grad "1/2*norm(W*x+b-z)^2" --wrt W        limit sin(x)/x x 0
Words are split as the shell splits them: quote an expression that holds spaces or a ' (x'*A*x).
Declarations and settings persist until 'reset':
  var W:m,n x:n   (or -v W:m,n)   let z = W*x + b   func f   func g(x,y)
  format plain|pretty|latex|json|numpy   layout numerator|denominator   timeout S (0: none)
  show   what is declared        reset   forget it all          _  the last result (diff _ x)
  help COMMAND   the command's options     quit (or Ctrl-D)       Ctrl-C stops a computation
Options on a command line apply to that line only. Commands:"""


class Interrupted(BaseException):
    """Ctrl-C during a computation: a BaseException, so no ``except Exception`` can swallow it."""


@dataclass
class State:
    """What persists between lines. Plain data: copied before a change, restored if it fails."""

    vars: dict[str, str] = field(default_factory=dict)  # name -> NAME:SHAPE as typed
    funcs: dict[str, str] = field(default_factory=dict)  # name -> spec (f or f(x,y))
    lets: dict[str, str] = field(default_factory=dict)  # name -> body, in definition order
    fmt: str | None = None
    layout: str | None = None
    timeout: float | None = None
    last: Any = None  # the last result (a jacli Result with one block), printed as plain text when used

    def last_text(self) -> str | None:
        """`_`: the last result in jacli's plain syntax (parseable back), rendered on first use."""
        if self.last is not None and not isinstance(self.last, str):
            self.last = last_text(self.last)
        return self.last

    def copy(self) -> State:
        return State(dict(self.vars), dict(self.funcs), dict(self.lets), self.fmt, self.layout, self.timeout, self.last)


def history_path() -> Path:
    """$XDG_STATE_HOME/jacli/history (default ~/.local/state/jacli/history)."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "jacli" / "history"


def warm_up() -> None:
    """Import and exercise what a first answer needs (run in a thread while the prompt waits)."""
    import jacli

    from .render import plain, pretty

    result = jacli.diff("x^2*sin(x)", "x")
    plain.render(result)
    pretty.render(result, color=False, width=80)
    gc.collect()
    gc.freeze()  # the imported modules never become garbage: later collections skip them


class Session:
    """One interactive session. ``loop()`` reads lines until quit or end of input."""

    def __init__(self, stdin: TextIO | None = None, interactive: bool | None = None) -> None:
        self.stdin = stdin if stdin is not None else sys.stdin
        self.interactive = self.stdin.isatty() if interactive is None else interactive
        self.state = State()
        self.readline: Any = None
        self._warm = threading.Thread(target=self._warm_up, name="jacli-warm-up", daemon=True)
        self._warm_error: BaseException | None = None
        self._computing = False

    # --- the loop ---------------------------------------------------------------------------
    def loop(self) -> int:
        self._warm.start()
        if self.interactive:
            self._setup_readline()
            click.echo(f"jacli {jcli.__version__} session: 'help' for help, 'quit' or Ctrl-D to leave.", err=True)
        previous = signal.getsignal(signal.SIGINT)
        was_enabled = gc.isenabled()
        gc.enable()
        try:
            while True:
                signal.signal(signal.SIGINT, signal.default_int_handler)
                try:
                    line = self._read()
                except KeyboardInterrupt:
                    if not self.interactive:  # a piped script: Ctrl-C ends it, as in batch mode
                        jcli._last_words("interrupted")
                        return 130
                    click.echo("", err=True)  # Ctrl-C at the prompt: a fresh line
                    continue
                if line is None:
                    if self.interactive:
                        click.echo("", err=True)
                    break
                try:
                    if not self.handle(line):
                        break
                except KeyboardInterrupt:  # Ctrl-C outside a computation (waiting for the warm-up)
                    jcli._last_words("interrupted")
        finally:
            signal.signal(signal.SIGINT, previous)
            if not was_enabled:
                gc.disable()
        return 0

    def _read(self) -> str | None:
        if self.interactive:
            try:
                return input(PROMPT)
            except EOFError:
                return None
        line = self.stdin.readline()
        return None if line == "" else line.rstrip("\n")

    def _warm_up(self) -> None:
        try:
            warm_up()
        except BaseException as e:  # noqa: BLE001 - reported by the first line that needs sympy
            self._warm_error = e

    def ready(self) -> None:
        """Wait for the warm-up (the first line typed faster than sympy imports)."""
        if self._warm.is_alive():
            self._warm.join()

    # --- one line ------------------------------------------------------------------------------
    def handle(self, line: str) -> bool:
        """Run one line; False to end the session."""
        text = line.strip()
        if not text or text.startswith("#"):
            return True
        if self.readline is not None:
            self._save_history()
        word, _, rest = text.partition(" ")
        rest = rest.strip()
        if word in ("quit", "exit"):
            return False
        if word == "help":
            self.help(rest)
        elif word == "show":
            self.show()
        elif word == "reset":
            self.state = State()
            click.echo("(everything forgotten)", err=True)
        elif word in ("var", "let", "func", "format", "layout", "timeout"):
            self.settings(self._keyword_args(word, rest))
        else:
            try:
                words = shlex.split(text)
            except ValueError as e:
                jcli.error_line(f"{e} (quote an expression that holds ' as the shell does: \"x'*A*x\")")
                return True
            if words and words[0].startswith("-"):
                self.settings(words)
            elif words:
                self.command(words)
        return True

    def _keyword_args(self, word: str, rest: str) -> list[str]:
        """`var W:m,n x:n` -> ['--var', 'W:m,n', '--var', 'x:n'] (and so on): click parses them."""
        if word == "var":
            return [a for spec in rest.replace(";", " ").split() for a in ("--var", spec)]
        if word == "func":
            specs = re.findall(r"[^\s,()]+(?:\s*\([^()]*\))?", rest)
            return [a for spec in specs for a in ("--func", spec)]
        if word == "let":
            return ["--let", rest]
        if word == "format":
            return ["--format", rest]
        return [f"--{word}", rest]

    # --- declarations and settings ------------------------------------------------------------------
    def settings(self, words: list[str]) -> None:
        """A line of options only (`-v W:m,n`, `var ...`, `format latex`, ...): they persist."""
        command = settings_command()
        try:
            ctx = command.make_context("jacli", list(words))
        except click.UsageError as e:
            jcli.error_line(e.format_message() + " (see 'help')")
            return
        given = {name for name in SETTING_PARAMS
                 if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE}
        new = self.state.copy()
        p = ctx.params
        for spec in p.get("decls", ()) if "decls" in given else ():
            new.vars[spec.split(":", 1)[0].strip()] = spec.strip()
        for spec in p.get("func", ()) if "func" in given else ():
            new.funcs[spec.split("(", 1)[0].strip()] = spec.strip()
        for spec in p.get("let", ()) if "let" in given else ():
            name, sep, body = spec.partition("=")
            if not sep or not body.strip():
                jcli.error_line(f"bad let {spec!r}: expected NAME = EXPR")
                return
            new.lets[name.strip()] = self.substitute_last(body.strip())
        if "fmt" in given:
            new.fmt = p["fmt"]
        if "latex" in given and p.get("latex"):
            new.fmt = "latex"
        if "layout" in given:
            new.layout = p["layout"]
        if "timeout" in given:
            new.timeout = p["timeout"]
        try:
            self.validate(new)
        except JacliError as e:
            jcli.error_line(e)
            return
        self.state = new

    def validate(self, state: State) -> None:
        """Build the declarations once, so a bad one is refused when typed, not on every later line."""
        self.ready()
        from .declarations import Workspace

        Workspace.from_options(var=list(state.vars.values()), func=list(state.funcs.values()),
                               let=[f"{k}={v}" for k, v in state.lets.items()])

    def show(self) -> None:
        s = self.state
        lines = [f"var {spec}" for spec in s.vars.values()]
        lines += [f"func {spec}" for spec in s.funcs.values()]
        lines += [f"let {name} = {body}" for name, body in s.lets.items()]
        lines += [f"format {s.fmt}"] if s.fmt else []
        lines += [f"layout {s.layout}"] if s.layout else []
        lines += [f"timeout {s.timeout:g}"] if s.timeout is not None else []
        lines += [f"_ = {s.last_text()}"] if s.last is not None else []
        click.echo("\n".join(lines) if lines else "(nothing declared)")

    def help(self, topic: str) -> None:
        if topic:
            self.command([topic, "--help"])
            return
        rows = [(name, jcli.cli.commands[name].get_short_help_str(70)) for name in jcli.cli.list_commands(click.Context(jcli.cli))]
        click.echo(HELP)
        for name, short in rows:
            if name != "repl":
                click.echo(f"  {name:<10} {short}")

    # --- commands -------------------------------------------------------------------------------------
    def command(self, words: list[str]) -> None:
        """Run one jacli command in this process with the session's declarations injected."""
        name = jcli.AliasGroup.aliases.get(words[0], words[0])
        cmd = jcli.cli.commands.get(name)
        if cmd is None or name == "repl":
            jcli.error_line(f"unknown command {words[0]!r} (try 'help')")
            return
        rest = words[1:]
        if "-" in rest:
            jcli.error_line("batch mode (EXPR -) reads standard input: run it outside the session")
            return
        if self.state.last is not None:
            rest = [w if w.startswith("-") else self.substitute_last(w) for w in rest]
        elif any(_LAST.search(w) for w in rest if not w.startswith("-")):
            jcli.error_line("'_' is the last result, and there is none yet")
            return
        args = [name, *self.injected(cmd, rest), *rest]
        self.ready()
        self.run_guarded(args)

    def substitute_last(self, text: str) -> str:
        if self.state.last is None or not _LAST.search(text):
            return text
        last = f"({self.state.last_text()})"
        return _LAST.sub(lambda _m: last, text)

    def injected(self, cmd: click.Command, rest: list[str]) -> list[str]:
        """The persisted settings as options of ``cmd`` (only those it has); a name the line
        declares itself wins over the session's declaration of it."""
        params = {p.name: p for p in cmd.params if isinstance(p, click.Option)}
        own = _declared_on_line(rest)
        s = self.state
        out: list[str] = []

        def add(param: str, value: str) -> None:
            if param in params:
                out.extend([max(params[param].opts, key=len), value])

        for name, spec in s.vars.items():
            if name not in own:
                add("decls", spec)
        for name, spec in s.funcs.items():
            if name not in own:
                add("func", spec)
        for name, body in s.lets.items():
            if name not in own:
                add("let", f"{name}={body}")
        if s.fmt:
            add("fmt", s.fmt)
        if s.layout:
            add("layout", s.layout)
        if s.timeout is not None:
            add("timeout", f"{s.timeout:g}")
        return out

    def run_guarded(self, args: list[str]) -> int:
        """jacli.cli's own entry (its one-line error messages) on ``args``; Ctrl-C stops only this line."""
        from . import budget

        results: list[Any] = []
        jcli.Run.observer = results.append
        signal.signal(signal.SIGINT, _interrupt)
        status = 0
        try:
            jcli._main(args)
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Interrupted:
            _clear_deadlines(budget)
            jcli._last_words("interrupted")
            status = 130
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            jcli.Run.observer = None
        if status == 143:  # SIGTERM ("jacli: terminated" is said): it ends the session too
            raise SystemExit(status)
        if results and status in (0, 3):
            result = results[-1]
            if len(result.blocks) == 1 and (result.limit is None or result.limit.exists):
                self.state.last = result  # its text is made when `_` is used, not for every answer
        return status

    # --- readline -----------------------------------------------------------------------------------
    def _setup_readline(self) -> None:
        try:
            import readline
        except ImportError:  # no readline: plain input() still works
            return
        self.readline = readline
        path = history_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists():
                readline.read_history_file(path)
        except OSError:
            pass
        readline.set_history_length(HISTORY_LENGTH)
        from .session_complete import Completer

        readline.set_completer(Completer(self).complete)
        readline.set_completer_delims(" \t\n\"'()[]*+/^,=;<>")
        readline.parse_and_bind("tab: complete")
        self._history_written = readline.get_current_history_length()

    def _save_history(self) -> None:
        """Append the lines typed since the last save (each line at once: a crash loses nothing)."""
        rl = self.readline
        now = rl.get_current_history_length()
        new = now - self._history_written
        if new <= 0:
            return
        path = history_path()
        try:
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.touch()
            rl.append_history_file(new, path)
            self._history_written = now
            if now >= HISTORY_LENGTH:  # keep the file bounded
                rl.write_history_file(path)
        except OSError:
            pass


def _interrupt(signum: int, frame: Any) -> None:
    from . import budget

    if frame is not None and frame.f_code.co_filename == budget.__file__:
        # never inside a deadline's own bookkeeping: ask again in a moment
        threading.Timer(0.02, os.kill, (os.getpid(), signal.SIGINT)).start()
        return
    raise Interrupted()


def _clear_deadlines(budget: Any) -> None:
    """After an interruption, no deadline of the stopped line may fire later."""
    if budget._deadlines:
        budget._deadlines.clear()
        signal.setitimer(signal.ITIMER_REAL, 0)


def _declared_on_line(words: list[str]) -> set[str]:
    """Names the line itself declares with -v/--var, --func or --let."""
    names: set[str] = set()
    for i, w in enumerate(words):
        value = None
        for opt in ("-v", "--var", "--func", "--let"):
            if w == opt and i + 1 < len(words):
                value = words[i + 1]
            elif w.startswith(opt + "=") or (opt == "-v" and w.startswith("-v") and len(w) > 2 and not w.startswith("--")):
                value = w[len(opt) + (1 if w.startswith(opt + "=") else 0):]
        if value:
            names.add(re.split(r"[:=(]", value, maxsplit=1)[0].strip())
    return names


def last_text(result: Any) -> str | None:
    """The result as jacli plain text, for `_`: the value at --at where there is one."""
    from .render.plain import plain_expr

    if len(result.blocks) != 1 or (result.limit is not None and not result.limit.exists):
        return None
    block = result.blocks[0]
    value = block.exact if result.at and block.exact is not None else block.expr
    if value is None:
        return None
    return plain_expr(value)


_SETTINGS: click.Command | None = None


def settings_command() -> click.Command:
    """A click command made of the calculus commands' own declaration options (so their types,
    choices and checks apply to session declarations too)."""
    global _SETTINGS
    if _SETTINGS is None:
        params: dict[str, click.Parameter] = {}
        for cmd in jcli.cli.commands.values():
            for p in cmd.params:
                if p.name in SETTING_PARAMS and p.name not in params:
                    params[p.name] = p
        _SETTINGS = click.Command("jacli", params=list(params.values()), add_help_option=False)
    return _SETTINGS
