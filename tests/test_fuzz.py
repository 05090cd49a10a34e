"""Fuzzing the command line with hypothesis: valid expressions for every command and for
shaped variables, and random text, token soups and option soups.

The contract checked on every case: no traceback and no "internal error"; no run longer than
its --timeout (plus start-up slack); the exit status is one of 0-4; on an error stdout is empty
and stderr is one line (two for a caret under a column); a valid expression is never refused
as bad input (exit 2) and never disagrees with finite differences (exit 3).

The default run has a few hundred cases; the slow run more than 10,000:

    python -m pytest -m slow tests/test_fuzz.py
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings

from .conftest import Outcome, run
from .strategies import invalid_case, scalar_case, shaped_case

TIMEOUT = 5.0
SLACK = 20.0  # start-up, printing and the --check that runs inside the same deadline

QUICK = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large], "database": None}


def check_contract(argv: list[str], valid: bool) -> Outcome:
    start = time.monotonic()
    r = run(*argv, "--timeout", str(TIMEOUT))
    elapsed = time.monotonic() - start
    where = (argv, r)
    assert elapsed < TIMEOUT + SLACK, (elapsed, where)
    assert r.status in (0, 1, 2, 3, 4), where
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, where
    if r.status == 0:
        if argv[1:2] != ["-"]:  # a batch on empty stdin prints nothing
            assert r.stdout.strip(), where
    elif r.status != 3:
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
    check_contract(argv, valid=False)


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
    check_contract(argv, valid=False)
