"""Tab completion in the interactive session: commands, their options and option values (from the
click commands themselves), function names and the names the session has declared."""

from __future__ import annotations

import shlex
from typing import Any

import click

from . import cli as jcli

SESSION_WORDS = ("var", "let", "func", "format", "layout", "timeout", "show", "reset", "help", "quit")


class Completer:
    """readline's completer protocol: ``complete(text, state)`` returns the state-th candidate."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self._matches: list[str] = []

    def complete(self, text: str, state: int) -> str | None:
        if state == 0:
            import readline

            line = readline.get_line_buffer()
            self._matches = candidates(line[: readline.get_begidx()], text, self.session)
        return self._matches[state] if state < len(self._matches) else None


def candidates(before: str, text: str, session: Any) -> list[str]:
    """Completions of ``text``, the word being typed, after the line's ``before`` part."""
    try:
        words = shlex.split(before)
    except ValueError:  # inside an open quote: an expression
        words = before.split()
    if not words:
        pool = [*jcli.cli.commands, *jcli.AliasGroup.aliases, *SESSION_WORDS]
        return _starting(text, sorted(set(pool) - {"repl"}))
    first = words[0]
    if first == "help":
        return _starting(text, sorted(set(jcli.cli.commands) - {"repl"}))
    if first == "format":
        return _starting(text, list(jcli.FORMATS))
    if first == "layout":
        return _starting(text, ["numerator", "denominator"])
    cmd = jcli.cli.commands.get(jcli.AliasGroup.aliases.get(first, first))
    if cmd is None and first.startswith("-"):
        from .session import settings_command

        cmd = settings_command()
    if cmd is not None:
        options = {o: p for p in cmd.params if isinstance(p, click.Option) for o in [*p.opts, *p.secondary_opts]}
        previous = options.get(words[-1]) if before.endswith((" ", "\t")) else None
        if previous is not None and isinstance(previous.type, click.Choice):
            return _starting(text, [str(c) for c in previous.type.choices])
        if text.startswith("-"):
            return _starting(text, sorted(options))
    return _starting(text, names(session))


def names(session: Any) -> list[str]:
    """Function names of the language, constants, and everything the session declared."""
    from .declarations import BUILTIN_FUNCTIONS, CONSTANTS

    s = session.state
    return sorted({*BUILTIN_FUNCTIONS, *CONSTANTS, *s.vars, *s.funcs, *s.lets})


def _starting(text: str, pool: list[str]) -> list[str]:
    return [w for w in pool if w.startswith(text)]
