"""Run jacli's entry point in a fresh process for every case, cheaply: a fork server.

The long fuzz runs call the CLI more than 10,000 times. In the pytest process itself
(CliRunner) every call raises the recursion limit, RLIMIT_STACK and RLIMIT_AS and arms timers
in one long-lived process, next to hypothesis's own machinery; a fault there shows up in some
later, unrelated case. A subprocess per case (``python -m jacli``) is faithful but pays the
interpreter's start and sympy's import, about half a second, every time.

The server here is a subprocess that imports jacli, click, sympy and numpy once and then, for
every request, forks a child that runs ``jacli.cli.main(argv)`` with its own stdin, stdout and
stderr (files under a private directory) and exits with main's status. Each case therefore runs
in its own process, with the limits, signal handlers and caches of a fresh start; a crash
(a segfault) ends that child only and comes back as a negative status, like subprocess's.

Protocol: one JSON object per line on the server's stdin ({"argv", "input", "env"}), one per
line on its stdout ({"status", "stdout", "stderr"}). The server exits at the end of its stdin,
so it never outlives the test session that started it.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

HARD_LIMIT = 300.0  # seconds: a child still running then is killed (the tests' own bound is far lower)


# --- client (in the pytest process) --------------------------------------------------------------
class Server:
    def __init__(self) -> None:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, cwd=root, text=True, bufsize=1)
        atexit.register(self.close)

    def run(self, argv: list[str], input: str | None, env: dict[str, str | None] | None) -> tuple[int, str, str]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"argv": argv, "input": input, "env": env or {}}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the fork server died (status {self.proc.poll()})")
        reply = json.loads(line)
        return int(reply["status"]), reply["stdout"], reply["stderr"]

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


_server: Server | None = None


def run(argv: list[str], input: str | None = None, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    """(status, stdout, stderr) of ``jacli ARGV`` run in a fresh forked process."""
    global _server
    if _server is None or _server.proc.poll() is not None:
        _server = Server()
    return _server.run(argv, input, env)


# --- server ----------------------------------------------------------------------------------------
def _child(request: dict[str, Any], tmp: str) -> None:
    """In the forked child: the standard streams on files, the environment, then jacli's main."""
    paths = {name: os.path.join(tmp, name) for name in ("in", "out", "err")}
    with open(paths["in"], "w", encoding="utf-8") as fh:
        fh.write(request["input"] or "")
    for fd, (name, flags) in enumerate([("in", os.O_RDONLY), ("out", os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                        ("err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)]):
        f = os.open(paths[name], flags, 0o600)
        os.dup2(f, fd)
        os.close(f)
    # the streams a fresh interpreter makes on these descriptors (UTF-8 locale, not a terminal)
    sys.stdin = io.TextIOWrapper(open(0, "rb", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(open(1, "wb", closefd=False), encoding="utf-8")
    sys.stderr = io.TextIOWrapper(open(2, "wb", closefd=False), encoding="utf-8", errors="backslashreplace",
                                  line_buffering=True)
    for key, value in request["env"].items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    from jacli.cli import main

    status = 0
    try:
        main(list(request["argv"]))
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # noqa: BLE001 - a traceback main let through: status 1, as Python's own
        import traceback

        traceback.print_exc()
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


def _wait(pid: int) -> int:
    deadline = time.monotonic() + HARD_LIMIT
    delay = 0.0005
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return -9
        time.sleep(delay)
        delay = min(delay * 2, 0.01)


def serve() -> None:
    import click  # noqa: F401 - imported once here, inherited by every child
    import numpy  # noqa: F401
    import rich.tree  # noqa: F401
    import sympy  # noqa: F401

    import jacli.calculus  # noqa: F401
    import jacli.cli  # noqa: F401
    import jacli.matrix.api  # noqa: F401
    import jacli.numeric  # noqa: F401
    import jacli.render.json  # noqa: F401
    import jacli.render.latex  # noqa: F401
    import jacli.render.numpy  # noqa: F401
    import jacli.render.plain  # noqa: F401
    import jacli.render.pretty  # noqa: F401
    import jacli.render.steps  # noqa: F401
    import jacli.steps  # noqa: F401
    from jacli.functions import compile_numpy

    x = sympy.Symbol("x")
    compile_numpy([x], [sympy.sin(x)])  # loads sympy's code printers, as the first --check would
    sympy.pretty(sympy.sin(x) / 2)

    protocol_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)  # the server's own descriptors 0 and 1 no longer carry the protocol
    os.dup2(null, 1)
    with tempfile.TemporaryDirectory(prefix="jacli-fork-") as tmp:
        for line in protocol_in:
            request = json.loads(line)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                protocol_in.close()
                protocol_out.close()
                _child(request, tmp)
            status = _wait(pid)
            with open(os.path.join(tmp, "out"), encoding="utf-8", errors="replace") as fh:
                out = fh.read()
            with open(os.path.join(tmp, "err"), encoding="utf-8", errors="replace") as fh:
                err = fh.read()
            protocol_out.write(json.dumps({"status": status, "stdout": out, "stderr": err}) + "\n")
            protocol_out.flush()


if __name__ == "__main__":
    serve()
