"""JSON jobs for engines that spread work over processes and machines (Dask, multiprocessing, ...).

One job is a JSON object naming a command and its arguments, as on the command line::

    {"id": 7, "command": "grad", "expr": "1/2*norm(W*x+b-z)^2", "wrt": "W",
     "shapes": {"W": "m,n", "x": "n", "b": "m", "z": "m"}}

Keys: ``command`` (diff, grad, jacobian, hessian, limit; default diff), ``expr``; for diff
``wrt`` (a name or a list) and ``order``; for grad/jacobian/hessian ``wrt`` and ``layout``; for
limit ``var``, ``point`` and ``dir``; for all ``shapes``, ``funcs``, ``lets``, ``at``, ``check``
and ``timeout`` (seconds; enforced where the job runs on a process's main thread, as in Dask's
local ``processes`` scheduler, not in the worker threads of dask.distributed). Any ``id`` is
copied to the answer.

The answer is the record ``jacli ... -f json`` prints, or ``{"error": ..., "status": ...}`` with
jacli's exit status (2 bad job or expression, 1 failed, 3 --check mismatch is a record with a
failed ``check``, 4 time limit). :func:`solve_line` maps one JSON line to one JSON line, so a
whole run over JSON-lines files is one line of Dask (see docs/session.md)::

    dask.bag.read_text("jobs/*.jsonl").map(solve_line).to_textfiles("answers/*.jsonl")

Everything here is a plain module-level function of picklable data, with no state kept between
jobs, so it works the same under fork, spawn, forkserver and cloudpickle.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import ExitStatus, JacliError, ParseError, Timeout, UsageError

COMMANDS = ("diff", "grad", "jacobian", "hessian", "limit")


def solve(job: Mapping[str, Any]) -> dict[str, Any]:
    """Compute one job; the answer is a JSON-ready dict (never raises for a bad job)."""
    from . import budget

    try:
        if not isinstance(job, Mapping):
            raise UsageError("a job is a JSON object")
        with budget.deadline(_number(job.get("timeout"))):
            record = _compute(job)
    except JacliError as e:
        record = {"error": e.message, "status": int(e.status)}
        if isinstance(e, ParseError):
            record["column"] = e.column + 1
    except Timeout:
        record = {"error": f"gave up after {job.get('timeout'):g} seconds (timeout)", "status": int(ExitStatus.LIMIT)}
    except RecursionError:
        record = {"error": "the expression is too deeply nested to compute", "status": int(ExitStatus.LIMIT)}
    except (KeyError, TypeError, ValueError) as e:
        record = {"error": f"bad job: {type(e).__name__}: {e}", "status": int(ExitStatus.USAGE)}
    except Exception as e:  # noqa: BLE001 - one record per job, whatever happens
        record = {"error": f"internal error: {type(e).__name__}: {e}", "status": int(ExitStatus.FAILED)}
    if isinstance(job, Mapping) and "id" in job:
        record = {"id": job["id"], **record}
    return record


def solve_line(line: str) -> str:
    """One JSON job line -> one JSON answer line (a line that is not JSON gives an error record)."""
    try:
        job = json.loads(line)
    except ValueError as e:
        return json.dumps({"error": f"not a JSON object: {e}", "status": int(ExitStatus.USAGE)})
    return json.dumps(solve(job))


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _compute(job: Mapping[str, Any]) -> dict[str, Any]:
    import jacli

    from .render.json import to_dict

    command = job.get("command", "diff")
    if command not in COMMANDS:
        raise UsageError(f"unknown command {command!r}: one of {', '.join(COMMANDS)}")
    expr = job["expr"]
    if not isinstance(expr, str):
        raise UsageError("'expr' must be a string")
    ws = jacli.workspace(shapes=job.get("shapes"), funcs=_names(job.get("funcs")), lets=job.get("lets"))
    at = {str(k): str(v) for k, v in (job.get("at") or {}).items()} or None
    check = bool(job.get("check", False))
    if command == "diff":
        result = jacli.diff(expr, *_names(job.get("wrt")), order=int(job.get("order", 1)), ws=ws, at=at, check=check)
    elif command == "limit":
        point = job.get("point")
        result = jacli.limit(expr, job.get("var"), None if point is None else str(point), direction=job.get("dir", "both"),
                             ws=ws, at=at)
    else:
        wrt = _names(job.get("wrt")) or None
        result = getattr(jacli, {"grad": "gradient"}.get(command, command))(expr, wrt, layout=job.get("layout"), ws=ws,
                                                                            at=at, check=check)
    return to_dict(result)
