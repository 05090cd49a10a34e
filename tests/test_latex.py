"""LaTeX output compiles (where a TeX installation is available) and is structurally sound."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import run

CASES = [
    ["diff", "x^2*sin(x)", "x"],
    ["diff", "[[x, x^2], [sin(x), 1]]", "x"],
    ["limit", "sin(x)/x", "x", "0"],
    ["limit", "1/x", "x", "0"],
    ["limit", "(1+1/n)^n", "n"],
    ["grad", "1/2*norm(W*x+b-z)^2", "--wrt", "W", "-v", "W:2x2", "-v", "x:2", "-v", "b:2", "-v", "z:2"],
    ["grad", "x'*A*x", "--wrt", "x,A", "-v", "x:2", "-v", "A:2x2"],
    ["jacobian", "[2x1+4x2+7x3, 3x1+5x2+4x3]"],
    ["hessian", "x^2*y + sigmoid(y) + relu(x)"],
    ["diff", "f(g(x))", "x", "--func", "f", "--func", "g"],
    ["diff", "sin(x)", "x", "--at", "x=1"],
    # a matrix form with a power in its scalar factor, (2 x^2) b (found by the slow fuzz run)
    ["grad", "x'*((b') * (b))*x", "--wrt", "x,b", "-v", "x:1", "-v", "b:2"],
]


def latex_outputs() -> list[str]:
    outs = []
    for args in CASES:
        r = run(*args, "--latex")
        assert r.status == 0, (args, r.stderr)
        outs.append(r.stdout.strip())
    return outs


def test_latex_is_balanced() -> None:
    for text in latex_outputs():
        assert text.count("{") == text.count("}"), text
        assert text.count(r"\left") == text.count(r"\right"), text
        assert text.count(r"\begin{") == text.count(r"\end{"), text


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_latex_compiles(tmp_path: Path) -> None:
    body = "\n".join(f"\\[ {t} \\]" for t in latex_outputs())
    doc = "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n" + body + "\n\\end{document}\n"
    (tmp_path / "out.tex").write_text(doc, encoding="utf-8")
    p = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "out.tex"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout[-2000:]
