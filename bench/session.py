"""Scenarios of issue 19 for bench/run.py: the warm session, --jobs, and the Dask recipe.

  session  the README's scalar examples typed into `jacli` on a pseudo-terminal: the median time
           from Enter to the next prompt (the answer printed), first time each example is asked
           (sympy's cache cold for it) and asked again, beside the cold one-shot command (< 20 ms)
  jobs     1000 batch lines: `jacli diff - x --jobs 2` against `--jobs 1` (>= 1.7x on 2 free cores)
  dask     the same 1000 lines as JSON jobs through `python -m jacli.dask_jobs` (local processes
           scheduler, 2 workers): jobs per second beside the single-process batch
"""

from __future__ import annotations

import json
import os
import resource
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import ENV, PY, batch_lines, jacli_cmd, line, medians, wall  # noqa: E402


def scalar_examples() -> list[str]:
    """The README's `$ jacli ...` examples whose variables are scalars (no -v), without 'jacli'."""
    found = []
    for text in (ROOT / "README.md").read_text().splitlines():
        if text.startswith("$ jacli ") and " -v " not in text and "|" not in text and "--steps" not in text:
            words = shlex.split(text[2:])
            if words[1] in ("limit", "diff", "grad", "jacobian", "hessian") and "[" not in words[2]:
                found.append(shlex.join(words[1:]))
    return list(dict.fromkeys(found))


def session(quick: bool) -> None:
    import pexpect

    examples = scalar_examples()
    print(f"session: {len(examples)} scalar README examples typed into a jacli session on a pty, vs the cold command")
    child = pexpect.spawn(jacli_cmd()[0], jacli_cmd()[1:], env={**ENV, "TERM": "dumb", "XDG_STATE_HOME": tempfile.mkdtemp()},
                          encoding="utf-8", timeout=120, dimensions=(50, 150))
    child.delaybeforesend = None
    t = time.perf_counter()
    child.expect_exact("jacli> ")
    prompt = time.perf_counter() - t
    time.sleep(2.0)  # a person reads the prompt and types: the warm-up finishes meanwhile
    rounds: list[list[float]] = []
    for _ in range(2 if quick else 4):
        times = []
        for example in examples:
            child.sendline(example)
            t = time.perf_counter()
            child.expect_exact("jacli> ")
            times.append(time.perf_counter() - t)  # an error message is an answer too (one README example)
        rounds.append(times)
    child.sendline("quit")
    child.expect(pexpect.EOF)
    first = statistics.median(rounds[0])
    again = statistics.median([t for r in rounds[1:] for t in r])
    cold = medians({"cold": [*jacli_cmd(), "diff", "x^2*sin(x)", "x"]}, 3 if quick else 9)["cold"]
    print(f"  prompt shown after {prompt * 1000:.0f} ms; slowest first answer {max(rounds[0]) * 1000:.1f} ms")
    line("session, Enter -> answer, median, first time asked", first, cold, "< 0.020 s")
    line("session, Enter -> answer, median, asked again", again, cold, "(sympy's cache)")


def jobs(quick: bool) -> None:
    count = 300 if quick else 1000
    text = batch_lines(count)
    print(f"jobs: {count} lines through jacli diff - x -f plain, --jobs 2 vs --jobs 1 ({os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f})")
    cmd = [*jacli_cmd(), "diff", "-", "x", "-f", "plain"]
    wall_s: dict[str, list[float]] = {"1": [], "2": []}
    cpu_s: dict[str, list[float]] = {"1": [], "2": []}
    for _ in range(1 if quick else 3):
        for jobs in ("1", "2"):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall_s[jobs].append(wall([*cmd, "--jobs", jobs], text)[0])
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu_s[jobs].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    m = {k: statistics.median(v) for k, v in wall_s.items()}
    c = {k: statistics.median(v) for k, v in cpu_s.items()}
    line(f"--jobs 2 ({count} lines), wall time", m["2"], m["1"], ">= 1.7x faster, ratio <= 0.59")
    line(f"--jobs 2 ({count} lines), CPU time of all processes", c["2"], c["1"], "~1.0x: no work added")
    print(f"  speed-up {m['1'] / m['2']:.2f}x; --jobs 1 got {c['1'] / m['1']:.2f} of a core, --jobs 2 got "
          f"{c['2'] / m['2']:.2f} cores (other processes share the machine: load average {os.getloadavg()[0]:.2f})")
    print(f"  the work of --jobs 2 is {c['2'] / c['1']:.2f}x that of --jobs 1: on two free cores the speed-up is at most "
          f"{2 * c['1'] / c['2']:.2f}x")
    autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled")
    if autogroup.exists() and autogroup.read_text().strip() == "1":
        print("  note: Linux autogroup scheduling is on: all processes of this session share one CPU share against the\n"
              "  other sessions, so on a busy machine --jobs 2 cannot get more CPU than --jobs 1; the speed-up shows on free cores")


def dask(quick: bool) -> None:
    try:
        import dask as _  # noqa: F401
    except ImportError:
        print("dask: not installed (pip install 'jacli[dask]'); skipped")
        return
    count = 300 if quick else 1000
    text = batch_lines(count)
    with tempfile.TemporaryDirectory() as tmp:
        jobs_dir = Path(tmp) / "jobs"
        jobs_dir.mkdir()
        lines = text.splitlines()
        half = len(lines) // 2
        for i, part in enumerate((lines[:half], lines[half:])):
            (jobs_dir / f"{i}.jsonl").write_text("".join(json.dumps({"id": k, "expr": e, "wrt": "x"}) + "\n" for k, e in enumerate(part)))
        print(f"dask: {count} JSON jobs through python -m jacli.dask_jobs (local processes scheduler, 2 workers) "
              "vs the single-process batch")
        recipe = [PY, "-m", "jacli.dask_jobs", str(jobs_dir / "*.jsonl"), str(Path(tmp) / "answers")]
        single = [*jacli_cmd(), "diff", "-", "x", "-f", "json"]
        t_dask = statistics.median(wall(recipe)[0] for _ in range(1 if quick else 2))
        t_one = statistics.median(wall(single, stdin=text)[0] for _ in range(1 if quick else 2))
        line(f"dask recipe ({count} jobs): {count / t_dask:.0f} jobs/s", t_dask, t_one, f"(single process: {count / t_one:.0f} lines/s)")


SCENARIOS: dict[str, Any] = {"session": session, "jobs": jobs, "dask": dask}
