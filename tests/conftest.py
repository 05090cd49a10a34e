"""Shared helpers: run the real entry point (jacli.cli.main) with captured stdout and stderr."""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner

from jacli.cli import main


@dataclass
class Outcome:
    status: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def lines(self) -> list[str]:
        return self.stdout.splitlines()


# A shell starts background jobs with SIGINT ignored, and their children inherit that; jacli keeps an
# ignored SIGINT ignored (as nohup'd programs should). The tests that interrupt a jacli process
# need it delivered wherever the suite runs, so the suite handles it, and its children start
# with the default disposition.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

_ISOLATED = False  # set while a test marked slow runs (see pytest_runtest_setup)


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Outcome:
    """Run ``jacli ARGS`` in-process, as the console script does, and capture everything.

    Inside tests marked slow, each call runs in a fresh forked process instead (tests/forkserver.py):
    thousands of runs must not share the recursion limit, resource limits, timers and caches of
    one long-lived process.
    """
    if _ISOLATED:
        return run_isolated(*args, input=input, env=env)
    runner = CliRunner()
    with runner.isolation(input=input, env=env) as streams:
        out, err = streams[0], streams[1]
        try:
            main(list(args))
            status = 0
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        return Outcome(status, out.getvalue().decode(), err.getvalue().decode())


def run_isolated(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Outcome:
    """Run ``jacli ARGS`` in a fresh process (forked from a server that imported jacli once)."""
    from . import forkserver

    status, out, err = forkserver.run(list(args), input, dict(env) if env else None)
    return Outcome(status, out, err)


def pytest_runtest_setup(item: pytest.Item) -> None:
    global _ISOLATED
    _ISOLATED = "slow" in item.keywords


def pytest_runtest_teardown(item: pytest.Item) -> None:
    global _ISOLATED
    _ISOLATED = False


@pytest.fixture
def jacli() -> Any:
    return run


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked slow run only when asked for: ``python -m pytest -m slow``."""
    if config.getoption("markexpr"):
        return
    skip = pytest.mark.skip(reason="slow: run with 'python -m pytest -m slow'")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def identical(a: Any, b: Any) -> bool:
    """The same sympy object: equal, with the same arguments and hash (not merely an equal value)."""
    return bool(a == b and a.args == b.args and hash(a) == hash(b))
