"""Fuzzing the command line with hypothesis: valid expressions for every command and for
shaped variables, and random text, token soups and option soups.

The contract checked on every case: no traceback and no "internal error"; no run longer than
its --timeout (plus start-up slack); the exit status is one of 0-4; on an error stdout is empty
and stderr is one line (two for a caret under a column); a result (exit 0, or 3 for a --check
that disagrees) is printed, as JSON records that each hold "result" under -f json, and exit 3
names the disagreement on stderr; a valid expression is never refused as bad input (exit 2) and
never disagrees with finite differences (exit 3).

The default run has a few hundred cases; the slow run more than 10,000:

    python -m pytest -m slow tests/test_fuzz.py

Every case runs in a fresh process forked from a server that imported jacli once
(tests/forkserver.py): jacli raises the recursion limit and lowers RLIMIT_AS and RLIMIT_STACK
while it computes, and thousands of runs inside the pytest process shared those limits, timers
and caches with hypothesis (a printer's TypeError and a parser segfault that no shell run
reproduced).
"""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings

from .conftest import Outcome, run_isolated
from .strategies import huge_literal_case, invalid_case, mixed_declarations_case, scalar_case, shaped_case

TIMEOUT = 5.0
SLACK = 20.0  # start-up, printing and the --check that runs inside the same deadline

QUICK = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large], "database": None}


def _format(argv: list[str]) -> str | None:
    """The last -f/--format value in argv (what click uses), if any."""
    fmt = None
    for option, value in zip(argv, argv[1:], strict=False):
        if option in ("-f", "--format"):
            fmt = value
    return fmt


def check_contract(argv: list[str], valid: bool, structured: bool = True) -> Outcome:
    """STRUCTURED: argv was built with its options in place (not an option soup, where -f may be
    another option's value), so its -f says what stdout holds."""
    start = time.monotonic()
    # right after the command: at the end, an option soup ending in "--at" would take it as its value
    r = run_isolated(argv[0], "--timeout", str(TIMEOUT), *argv[1:])
    elapsed = time.monotonic() - start
    where = (argv, r)
    assert elapsed < TIMEOUT + SLACK, (elapsed, where)
    assert r.status in (0, 1, 2, 3, 4), where
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, where
    if r.status in (0, 3):
        if argv[1:2] != ["-"]:  # a batch on empty stdin prints nothing
            assert r.stdout.strip(), where
        if structured and _format(argv) == "json":  # one record per result (per line in a batch), each with its result
            for line in r.stdout.splitlines():
                assert "result" in json.loads(line), where
        if r.status == 3:  # the disagreement is named on stderr (after "jacli: " or "jacli: line N: ")
            assert r.stderr.startswith("jacli: ") and "--check: the result disagrees with " in r.stderr, where
    if r.status not in (0, 3):
        assert r.stdout == "", where
        lines = r.stderr.splitlines()
        assert r.stderr.startswith("jacli: "), where
        assert len(lines) == 1 or (len(lines) == 2 and lines[1].strip() == "^"), where
    if valid:
        assert r.status not in (2, 3), where
    return r


@settings(max_examples=80, **QUICK)
@given(scalar_case())
def test_valid_scalar_commands(argv: list[str]) -> None:
    check_contract(argv, valid=True)


@settings(max_examples=80, **QUICK)
@given(shaped_case())
def test_valid_shaped_commands(argv: list[str]) -> None:
    check_contract(argv, valid=True)


@settings(max_examples=250, **QUICK)
@given(invalid_case())
def test_random_text_and_option_soups(argv: list[str]) -> None:
    check_contract(argv, valid=False, structured=False)


@settings(max_examples=25, **QUICK)
@given(mixed_declarations_case())
def test_mixed_concrete_and_symbolic_declarations_checked(argv: list[str]) -> None:
    check_contract(argv, valid=True)


@settings(max_examples=40, **QUICK)
@given(huge_literal_case())
def test_huge_literals_inside_functions_checked(argv: list[str]) -> None:
    check_contract(argv, valid=False)  # exit 3 is honest here: 1e300*t has no useful finite differences


@pytest.mark.slow
@settings(max_examples=3000, **QUICK)
@given(scalar_case())
def test_valid_scalar_commands_long(argv: list[str]) -> None:
    check_contract(argv, valid=True)


@pytest.mark.slow
@settings(max_examples=3000, **QUICK)
@given(shaped_case())
def test_valid_shaped_commands_long(argv: list[str]) -> None:
    check_contract(argv, valid=True)


@pytest.mark.slow
@settings(max_examples=6000, **QUICK)
@given(invalid_case())
def test_random_text_and_option_soups_long(argv: list[str]) -> None:
    check_contract(argv, valid=False, structured=False)


@pytest.mark.slow
@settings(max_examples=1000, **QUICK)
@given(mixed_declarations_case())
def test_mixed_concrete_and_symbolic_declarations_checked_long(argv: list[str]) -> None:
    check_contract(argv, valid=True)


@pytest.mark.slow
@settings(max_examples=1000, **QUICK)
@given(huge_literal_case())
def test_huge_literals_inside_functions_checked_long(argv: list[str]) -> None:
    check_contract(argv, valid=False)
