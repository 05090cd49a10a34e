"""--plot (terminal drawing) and --plot-file (PNG/SVG through matplotlib) for jacli diff."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from .conftest import run


def test_terminal_plot_of_the_parabola_and_its_tangent() -> None:
    r = run("diff", "x^2", "x", "--at", "x=1", "--plot", "-f", "plain")
    assert r.status == 0, r.stderr
    lines = r.lines()
    assert lines[0] == "2"
    assert lines[1] == "f(x) = x^2   [*]"
    assert lines[2] == "f'(x) = 2*x   [o]"
    assert lines[3] == "tangent at x = 1: y = 1 + 2*(x - 1)   [.]  point [@]"
    canvas = lines[4:-1]
    assert len(canvas) == 21
    assert lines[-1].split() == ["-2", "4"]  # the interval a - 3 .. a + 3
    body = "\n".join(canvas)
    assert body.count("@") == 1 and "*" in body and "." in body and "o" in body
    # the parabola's lowest point is at x = 0 on the zero row; the point of contact lies on the curve
    zero_row = next(line for line in canvas if line.lstrip().startswith("0|"))
    assert "*" in zero_row


def test_terminal_plot_without_tangent() -> None:
    r = run("diff", "sin(x)", "x", "--plot", "-f", "plain")
    assert r.status == 0
    assert "tangent" not in r.stdout
    assert r.lines()[0] == "cos(x)"
    assert r.lines()[-1].split() == ["-5", "5"]


def test_plot_geometry_matches_the_function() -> None:
    # x^2 on [-2, 4] has its maximum 16 at the right edge: the top row holds the curve near the right end
    r = run("diff", "x^2", "x", "--at", "x=1", "--plot", "-f", "plain")
    canvas = r.lines()[4:-1]
    top_two = canvas[0] + canvas[1]
    assert "*" in top_two
    first_star = min(line.index("*") for line in canvas[:2] if "*" in line)
    assert first_star > 50


def test_plot_needs_one_variable() -> None:
    r = run("diff", "x*y", "x", "--plot")
    assert r.status == 2 and ("one variable" in r.stderr or "alone" in r.stderr)


def test_plot_file_rejects_other_formats(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    r = run("diff", "x^2", "x", "--plot-file", str(tmp_path / "t.jpg"))
    assert r.status == 2 and ".png or .svg" in r.stderr


def test_plot_file_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "t.png"
    r = run("diff", "x^2", "x", "--at", "x=1", "--plot-file", str(out))
    assert r.status == 0, r.stderr
    assert r.stdout.strip() == "2"
    assert f"wrote {out}" in r.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (700, 450)
    assert len(data) > 10_000


def test_plot_file_svg(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "t.svg"
    r = run("diff", "x^2", "x", "--at", "x=1", "--plot-file", str(out))
    assert r.status == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert "<svg" in text and text.rstrip().endswith("</svg>")
    assert "tangent: y = 1 + 2*(x - 1)" in text
    assert "f(x) = x^2" in text


def test_plot_json_keeps_json_clean(tmp_path: Path) -> None:
    r = run("diff", "x^2", "x", "--plot", "-f", "json")
    assert r.status == 0
    assert r.json()["result"] == "2*x"


def test_plot_file_without_matplotlib_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes 'import matplotlib' raise ImportError
    out = tmp_path / "t.png"
    r = run("diff", "x^2", "x", "--plot-file", str(out))
    assert r.status == 1
    assert "pip install 'jacli[plot]'" in r.stderr
    assert not out.exists()
