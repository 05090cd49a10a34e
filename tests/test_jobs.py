"""Beyond one process: results pickle, the Python API works in fork and spawn workers, JSON jobs
(jacli.jobs) answer like -f json, and the Dask recipe (jacli.dask_jobs) runs a JSON-lines job."""

from __future__ import annotations

import json
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import jacli
from jacli.jobs import solve, solve_line

from .conftest import run
from .tables import SLOW_LINE

MATRIX = {"W": "m,n", "x": "n", "b": "m", "z": "m"}
RESULTS = [
    lambda: jacli.diff("x^2*sin(x)", "x"),
    lambda: jacli.diff("f(g(x))", "x", funcs=["f", "g"]),
    lambda: jacli.diff("sin(x)", "x", at={"x": "pi/3"}, check=True, steps=True),
    lambda: jacli.gradient("1/2*norm(W*x+b-z)^2", wrt="W", shapes=MATRIX, check=True),
    lambda: jacli.gradient("sum(sigmoid(W*x))", wrt="W", shapes={"W": "2x2", "x": "2"}, check=True),
    lambda: jacli.jacobian("W*x+b", wrt="x", shapes={"W": "2x3", "x": "3", "b": "2"}),
    lambda: jacli.hessian("x^2*y + y^3"),
    lambda: jacli.limit("1/x", "x", "0"),
    lambda: jacli.limit("(1+1/n)^n", "n"),
]


@pytest.mark.parametrize("make", RESULTS)
def test_results_pickle(make: Any) -> None:
    result = make()
    back = pickle.loads(pickle.dumps(result))
    for fmt in ("plain", "json", "latex"):
        assert jacli.format_result(back, fmt) == jacli.format_result(result, fmt)
    assert back.expr == result.expr


def _api_in_worker(k: int) -> jacli.result.Result:
    return jacli.gradient(f"1/2*norm(W*x+b-z)^2 + {k}*sum(x)", wrt="W,x", shapes=MATRIX)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_the_api_in_worker_processes(method: str) -> None:
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context(method)) as pool:
        remote = list(pool.map(_api_in_worker, range(3)))
        jobs = list(pool.map(solve, [{"expr": f"x^{k}*exp(x)", "wrt": "x"} for k in range(4)]))
    for k, result in enumerate(remote):
        assert jacli.format_result(result, "json") == jacli.format_result(_api_in_worker(k), "json")
    assert jobs == [solve({"expr": f"x^{k}*exp(x)", "wrt": "x"}) for k in range(4)]


def test_a_job_answers_as_the_command_line_does() -> None:
    job = {"id": "a1", "command": "grad", "expr": "1/2*norm(W*x+b-z)^2", "wrt": "W", "shapes": MATRIX}
    cli = run("grad", "1/2*norm(W*x+b-z)^2", "--wrt", "W", "-v", "W:m,n", "-v", "x:n", "-v", "b:m", "-v", "z:m", "-f", "json")
    assert solve(job) == {"id": "a1", **cli.json()}
    limit = run("limit", "sin(x)/x", "x", "0", "-f", "json").json()
    assert solve({"command": "limit", "expr": "sin(x)/x", "var": "x", "point": 0}) == limit
    at = run("diff", "sin(x)", "x", "-n", "2", "--at", "x=pi/3", "--check", "-f", "json").json()
    assert solve({"expr": "sin(x)", "wrt": ["x"], "order": 2, "at": {"x": "pi/3"}, "check": True}) == at


def test_bad_jobs_are_error_records() -> None:
    assert json.loads(solve_line('{"id": 3, "expr": "x^"}')) == {"id": 3, "error": "'^' needs an exponent", "status": 2, "column": 3}
    assert json.loads(solve_line("not json"))["status"] == 2
    unknown = {"error": "unknown command 'integrate': one of diff, grad, jacobian, hessian, limit", "status": 2}
    assert solve({"command": "integrate", "expr": "x"}) == unknown
    assert solve({"id": 9, "wrt": "x"}) == {"id": 9, "error": "bad job: KeyError: 'expr'", "status": 2}
    slow = SLOW_LINE
    assert solve({"expr": slow, "timeout": 0.5}) == {"error": "gave up after 0.5 seconds (timeout)", "status": 4}


def test_dask_recipe_runs_a_json_lines_job(tmp_path: Path) -> None:
    pytest.importorskip("dask.bag")
    from jacli.dask_jobs import run as dask_run

    jobs = tmp_path / "jobs"
    jobs.mkdir()
    files = {
        "a.jsonl": [{"id": k, "expr": f"x^{k}*sin(x)", "wrt": "x"} for k in range(1, 25)],
        "b.jsonl": [{"id": 100 + k, "command": "grad", "expr": f"sum(exp({k}*x))", "wrt": "x", "shapes": {"x": "2"}}
                    for k in range(1, 10)] + [{"id": 200, "expr": "x^"}],
    }
    for name, records in files.items():
        (jobs / name).write_text("".join(json.dumps(r) + "\n" for r in records) + "\n")  # a blank line is skipped
    written = dask_run(str(jobs / "*.jsonl"), str(tmp_path / "answers"), workers=2)
    assert [Path(p).name for p in written] == ["0.jsonl", "1.jsonl"]
    for path, records in zip(written, files.values(), strict=True):
        answers = [json.loads(line) for line in Path(path).read_text().splitlines()]
        assert answers == [solve(r) for r in records]  # in order, one answer per job
    assert answers[-1] == {"id": 200, "error": "'^' needs an exponent", "status": 2, "column": 3}
