"""LaTeX that fits the page (issue 18 item 5): wide results are broken over lines, the left-hand
side names the variables, --standalone prints a document that compiles.

The compiling tests need pdflatex (Debian: texlive-latex-base) and are skipped without it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from jacli.render.latex import document
from jacli.render.texfit import LINE, tex_width

from .conftest import run
from .test_readme import EXAMPLES, split

PDFLATEX = shutil.which("pdflatex")
needs_tex = pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed (apt-get install texlive-latex-base)")
COMMANDS = ("diff", "grad", "jacobian", "hessian", "limit", "derivative", "gradient", "jac", "lim")
DROP_WITH_VALUE = {"-f", "--format", "--plot-file"}
DROP = {"--latex", "--plot", "--steps", "--full", "--check", "--standalone"}


def latex_args(command: str) -> list[str] | None:
    args, stdin = split(command)
    if stdin is not None or not args or args[0] not in COMMANDS:
        return None
    out: list[str] = []
    skip = False
    for word in args:
        if skip:
            skip = False
        elif word in DROP_WITH_VALUE:
            skip = True
        elif word not in DROP:
            out.append(word)
    return [*out, "-f", "latex"]


def widest(n: int) -> list[list[str]]:
    """The ``n`` README and docs examples with the longest output as shown, as LaTeX commands."""
    found: dict[tuple[str, ...], int] = {}
    for ex in EXAMPLES:
        args = latex_args(ex.command)
        if args is not None and ex.status == 0:
            found[tuple(args)] = max(found.get(tuple(args), 0), len(ex.expected))
    ranked = sorted(found, key=lambda a: -found[a])
    return [list(a) for a in ranked[:n]]


def compile_tex(source: str, where: Path) -> str:
    """pdflatex's log for ``source``."""
    (where / "t.tex").write_text(source, encoding="utf-8")
    subprocess.run([str(PDFLATEX), "-interaction=nonstopmode", "-halt-on-error", "t.tex"], cwd=where,
                   capture_output=True, timeout=120, check=False)
    return (where / "t.log").read_text(encoding="utf-8", errors="replace")


@needs_tex
def test_the_20_widest_readme_results_compile_without_overfull_lines(tmp_path: Path) -> None:
    commands = widest(20)
    assert len(commands) == 20
    bodies = []
    for args in commands:
        r = run(*args)
        assert r.status == 0, (args, r.stderr)
        bodies.append(r.stdout.rstrip("\n"))
    source = document("\\]\n\n\\[\n".join(bodies))
    log = compile_tex(source, tmp_path)
    assert "Output written on t.pdf" in log, log[-2000:]
    assert "!" not in "".join(line[:1] for line in log.splitlines()), log[-2000:]  # no TeX errors
    overfull = re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)
    assert overfull == [], (overfull, commands)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "t.pdf"), "-"], capture_output=True, text=True,
                              check=False).stdout
        assert "where" in text  # the named subexpressions made it to the page


@needs_tex
def test_standalone_documents_compile(tmp_path: Path) -> None:
    for args in (["jacobian", "softmax(z)", "-v", "z:4"], ["diff", "relu(x)", "x", "--at", "x=0", "--check"],
                 ["hessian", "x'*A*x", "--wrt", "x", "-v", "x:3", "-v", "A:3x3", "--steps"]):
        r = run(*args, "--standalone")
        assert r.stdout.startswith("\\documentclass{article}\n\\usepackage{amsmath}"), r.stdout[:100]
        log = compile_tex(r.stdout, tmp_path)
        assert "Output written on t.pdf" in log, (args, log[-2000:])
        assert "Overfull \\hbox" not in log, args


def test_wide_results_are_broken_over_lines_that_fit() -> None:
    r = run("jacobian", "softmax(z)", "-v", "z:4", "-f", "latex")
    out = r.stdout.strip()
    assert out.startswith(r"\begin{aligned}") and out.endswith(r"\end{aligned}")
    rows = out.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}").split(" \\\\\n")
    assert len(rows) > 3
    assert all(tex_width(row.lstrip("&")) <= LINE for row in rows), [tex_width(r) for r in rows]
    assert rows[-1] == r"&\text{where } s = \operatorname{softmax}\left(z\right)"
    assert r"\text{columns 1--2: }" in out and r"\text{columns 3--4: }" in out  # the matrix in blocks of columns
    whole = run("jacobian", "softmax(z)", "-v", "z:4", "-f", "latex", "--no-cse").stdout
    assert r"\text{column 1: }" in whole and r"\text{column 4: }" in whole  # wider entries: one column a block


def test_the_left_hand_side_names_the_variables_not_the_entries() -> None:
    r = run("grad", "1/2*norm(W*x+b-z)^2", "--wrt", "W", "-v", "W:2x2", "-v", "x:2", "-v", "b:2", "-v", "z:2",
            "--at", "W=[[1,2],[3,4]]", "--at", "x=[1,-1]", "--at", "b=[0,1]", "--at", "z=[1,1]", "-f", "latex")
    assert r"\nabla_{W} \left(\frac{\left\|W x + b - z\right\|^{2}}{2}\right)" in r.stdout
    assert "W_{0,0}" not in r.stdout


def test_small_results_stay_on_one_line() -> None:
    assert run("diff", "x^2*sin(x)", "x", "-f", "latex").stdout.strip() == (
        r"\frac{d}{d x} \left(x^{2} \sin{\left(x \right)}\right) = x^{2} \cos{\left(x \right)} + 2 x \sin{\left(x \right)}")


def test_standalone_is_latex_only_and_for_one_expression() -> None:
    assert run("diff", "x^2", "x", "--standalone", "-f", "json").status == 2
    r = run("diff", "-", "x", "--standalone", input="x^2\n")
    assert r.status == 2 and "one EXPR" in r.stderr


def test_width_estimate_orders_by_size() -> None:
    assert tex_width("x") < tex_width("x + y") < tex_width(r"\frac{x + y + z}{2} + w")
    assert tex_width(r"\begin{bmatrix}a & b\\c & d\end{bmatrix}") < tex_width(r"\begin{bmatrix}a & b & c\end{bmatrix}")
