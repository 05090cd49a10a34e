"""Shell completion through click's protocol: the bash script it prints really completes jacli."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
JACLI = BIN / "jacli"
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}

pytestmark = pytest.mark.skipif(not JACLI.exists(), reason="the jacli console script is not installed next to python")


def complete(words: str, cword: int) -> list[str]:
    """What click's bash protocol returns for COMP_WORDS/COMP_CWORD (one 'type,value' per line)."""
    env = {**ENV, "_JACLI_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    r = subprocess.run([str(JACLI)], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    return [line.split(",", 1)[1] for line in r.stdout.splitlines()]


def test_commands_complete() -> None:
    assert complete("jacli gr", 1) == ["grad"]
    assert complete("jacli ", 1) == ["diff", "grad", "hessian", "jacobian", "limit", "repl"]


def test_options_and_their_values_complete() -> None:
    assert "--layout" in complete("jacli grad --la", 2)
    assert complete("jacli grad x^2 --layout ", 4) == ["numerator", "denominator"]
    assert complete("jacli limit 1/x x 0 --dir ", 6) == ["both", "+", "-"]
    assert complete("jacli diff -f ", 3) == ["pretty", "plain", "latex", "json", "numpy"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_script_fills_compreply() -> None:
    """Source the script `_JACLI_COMPLETE=bash_source jacli` prints, as ~/.bashrc would, and
    call its completion function the way bash does on <TAB>."""
    script = r'''
eval "$(_JACLI_COMPLETE=bash_source jacli)"
complete -p jacli
COMPREPLY=(); COMP_WORDS=(jacli gr); COMP_CWORD=1; _jacli_completion jacli
printf 'reply:%s\n' "${COMPREPLY[@]}"
COMPREPLY=(); COMP_WORDS=(jacli hessian --wr); COMP_CWORD=2; _jacli_completion jacli
printf 'reply:%s\n' "${COMPREPLY[@]}"
'''
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True, text=True, env=ENV, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "complete -o nosort -F _jacli_completion jacli" in r.stdout
    assert [line for line in r.stdout.splitlines() if line.startswith("reply:")] == ["reply:grad", "reply:--wrt"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_scripts_for_each_shell(shell: str) -> None:
    r = subprocess.run([str(JACLI)], capture_output=True, text=True, env={**ENV, "_JACLI_COMPLETE": f"{shell}_source"})
    assert r.returncode == 0 and "_jacli_completion" in r.stdout and f"{shell}_complete" in r.stdout


def test_completion_imports_neither_sympy_nor_numpy() -> None:
    code = (
        "import sys\n"
        "from jacli.cli import main\n"
        "try:\n    main([])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sympy', 'numpy', 'rich') if m in sys.modules), file=sys.stderr)\n"
    )
    env = {**ENV, "_JACLI_COMPLETE": "bash_complete", "COMP_WORDS": "jacli grad --", "COMP_CWORD": "2"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert "--wrt" in r.stdout
    assert r.stderr.strip().splitlines()[-1] == "[]"


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_script_offers_completions() -> None:
    """The zsh script, with compsys's compdef/_describe/compadd replaced by functions that print
    what they are given."""
    script = r'''
compdef() { print -r -- "compdef:$*"; }
eval "$(_JACLI_COMPLETE=zsh_source jacli)"
_describe() { print -rl -- ${(P)3}; }
compadd() { print -rl -- ${(P)${@[-1]}}; }
words=(jacli gr); CURRENT=2; _jacli_completion
words=(jacli grad --layout ""); CURRENT=4; _jacli_completion
'''
    r = subprocess.run(["zsh", "-f", "-c", script], capture_output=True, text=True, env=ENV, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "compdef:_jacli_completion jacli", "grad:Gradient of a scalar expression.", "numerator", "denominator",
    ]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_script_offers_completions() -> None:
    script = '_JACLI_COMPLETE=fish_source jacli | source; complete -C "jacli gr"; complete -C "jacli grad --layout "'
    r = subprocess.run(["fish", "--no-config", "-c", script], capture_output=True, text=True, env=ENV, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["grad\tGradient of a scalar expression.", "denominator", "numerator"]
