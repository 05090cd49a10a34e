"""--plot / --plot-file on jacobian and hessian: heat maps of the values at --at, sparsity patterns
without a point, variable blocks marked (jacli.heatmap; issue 18 item 3)."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from jacli import heatmap, hessian, jacobian
from jacli.declarations import Workspace

from .conftest import run

HESSIAN = ["hessian", "x'*A*x + y^2*x[0] + y*z", "-v", "x:3", "-v", "A:3x3", "--wrt", "x,y,z", "--at", "x=[1,2,3]",
           "--at", "y=1", "--at", "z=2", "--at", "A=[[1,2,3],[4,5,6],[7,8,-9]]"]


def grid(text: str) -> list[str]:
    """The rows of the picture: label, then the cells (separators │ dropped)."""
    return [line for line in text.splitlines() if re.match(r"^(\[\d+\]|[a-z]\[?\d*\]?)\s{2,}", line)]


def test_jacobian_sparsity_pattern_in_plain_characters() -> None:
    r = run("jacobian", "[x*y, y*z, z^2, x]", "--plot", "-f", "plain")
    assert r.status == 0, r.stderr
    out = r.stdout
    assert "sparsity pattern" in out
    rows = grid(out)
    cells = [row[9:].replace("│", "").split() for row in rows]
    # the Jacobian [[y, x, 0], [0, z, y], [0, 0, 2z], [1, 0, 0]]
    assert cells == [["@", "@", "·"], ["·", "@", "@"], ["·", "·", "@"], ["@", "·", "·"]]
    header = out.splitlines()[out.splitlines().index(rows[0]) - 1]
    assert header.split() == ["x", "y", "z"]  # each variable named above its column
    assert "legend: @  not identically 0" in out
    assert "\x1b[" not in out  # no colour codes in plain output


def test_hessian_heat_map_of_values_with_blocks_marked() -> None:
    r = run(*HESSIAN, "--plot", "-f", "plain")
    assert r.status == 0, r.stderr
    out = r.stdout
    # H = [[2, 6, 10, 2, 0], [6, 10, 14, 0, 0], [10, 14, -18, 0, 0], [2, 0, 0, 2, 1], [0, 0, 0, 1, 0]]
    assert out.splitlines()[0].startswith("[[2, 6, 10, 2, 0]")
    rows = grid(out)
    assert [row.split()[0] for row in rows] == ["x[0]", "x[1]", "x[2]", "y", "z"]
    cells = [row[9:].replace("│", "").split() for row in rows]
    top = 18.0
    expected = [[2, 6, 10, 2, 0], [6, 10, 14, 0, 0], [10, 14, -18, 0, 0], [2, 0, 0, 2, 1], [0, 0, 0, 1, 0]]
    for got, want in zip(cells, expected, strict=True):
        assert got == [heatmap._cell(float(v), top, False)[0].strip() for v in want]
    assert cells[2][2] == "#" and cells[1][2] == "@" and cells[0][2] == "O"  # -18; 14 > 3/4 of 18; 10 > 1/2
    assert out.count("│") == 2 * 5  # x | y | z: two separators on every row
    assert "─" in out  # and between the blocks of rows
    assert "values at x = [1, 2, 3]" in out
    assert "# < -13.5" in out and "@ > 13.5" in out


def test_colour_blocks_and_legend() -> None:
    result = hessian("x^2*y - y^3", at=["x=1", "y=2"])
    (pic,) = heatmap.prepare(result, Workspace())
    text = heatmap.terminal(pic, width=80, color=True)
    assert "██" in text and "\x1b[38;2;" in text  # true-colour blocks
    assert text.count("\x1b[38;2;0;0;255m") + text.count("\x1b[38;2;255;0;0m") >= 1  # the largest entry at full colour


def test_terminal_picture_fits_the_width_and_says_what_is_left_out() -> None:
    result = jacobian("sin(x)", "x", ws=(ws := Workspace.from_options(var=["x:60"])))
    (pic,) = heatmap.prepare(result, ws)
    text = heatmap.terminal(pic, width=80)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "columns 1-35 of 60 shown" in text and "rows 1-40 of 60 shown" in text
    first = grid(text)[0][9:].split()
    assert first[0] == "@" and set(first[1:]) == {"·"}  # the diagonal of a diagonal matrix


def test_plot_needs_a_matrix_result() -> None:
    r = run("jacobian", "W*x", "-v", "W:m,n", "-v", "x:n", "--wrt", "x", "--plot")
    assert r.status == 2 and "concrete sizes" in r.stderr


def test_plot_file_png_of_a_jacobian(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "j.png"
    r = run("jacobian", "W*x+b", "-v", "W:2x3", "-v", "x:3", "-v", "b:2", "--wrt", "W,x", "--plot-file", str(out),
            "-f", "plain")
    assert r.status == 0, r.stderr
    assert f"wrote {out}" in r.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 2 * height  # one panel per variable block, side by side


def test_plot_file_svg_of_a_hessian(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "h.svg"
    r = run(*HESSIAN, "--plot-file", str(out), "-f", "json")
    assert r.status == 0, r.stderr
    assert r.stdout.count("\n") == 1  # JSON stays one object
    svg = out.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert {"x", "y", "z"} <= set(texts)  # the blocks are named
    assert any(t.startswith("Hessian of") for t in texts)
