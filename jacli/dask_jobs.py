"""The Dask recipe: JSON-lines job files in, JSON-lines answer files out (needs ``jacli[dask]``).

    python -m jacli.dask_jobs 'jobs/*.jsonl' answers/                       # this machine's cores
    python -m jacli.dask_jobs 'jobs/*.jsonl' answers/ tcp://scheduler:8786  # a dask.distributed cluster

Dask does all the scheduling: each input file is read in blocks, each line goes through
:func:`jacli.jobs.solve_line`, and each partition is written to its own answer file
(``answers/0.jsonl``, ``answers/1.jsonl``, ...) with the answers in the order of the jobs.
Locally it uses Dask's ``processes`` scheduler, where each job runs on a worker process's main
thread, so a job's ``timeout`` is enforced; in dask.distributed worker threads it is not.
"""

from __future__ import annotations

import sys
from typing import Any

BLOCKSIZE = "1MiB"  # about 10,000 jobs per partition


def run(inputs: str | list[str], outputs: str, scheduler: str | None = None, workers: int | None = None) -> list[str]:
    """Solve every job of ``inputs`` (paths or globs, local or any fsspec URL) into ``outputs``
    (a directory or a ``name-*.jsonl`` pattern); returns the answer files written."""
    import dask
    import dask.bag as db

    from .jobs import solve_line

    if not outputs.endswith(".jsonl"):
        outputs = outputs.rstrip("/") + "/*.jsonl"
    bag = db.read_text(inputs, blocksize=BLOCKSIZE).map(str.strip).filter(bool).map(solve_line)
    if scheduler is None:
        with dask.config.set(scheduler="processes", num_workers=workers):
            return list(bag.to_textfiles(outputs, last_endline=True))
    from dask.distributed import Client

    with Client(scheduler):
        return list(bag.to_textfiles(outputs, last_endline=True))


def main(argv: list[str]) -> Any:
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    for path in run(argv[0], argv[1], argv[2] if len(argv) == 3 else None):
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
