"""man/ is generated from the click command tree: regenerate it and compare byte for byte."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import click
import pytest

from jacli.cli import cli
from jacli.errors import ExitStatus

ROOT = Path(__file__).resolve().parent.parent
MAN = ROOT / "man"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("genman", ROOT / "scripts" / "genman.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENMAN = _generator()
PAGES = sorted(p.name for p in MAN.glob("*.1"))


def test_man_pages_are_up_to_date(tmp_path: Path) -> None:
    written = {p.name for p in GENMAN.write(tmp_path)}
    assert written == set(PAGES), f"man/ holds other pages than the generator writes; run: {GENMAN.COMMAND}"
    for name in sorted(written):
        assert (tmp_path / name).read_bytes() == (MAN / name).read_bytes(), (
            f"man/{name} is out of date with jacli/cli.py; run: {GENMAN.COMMAND}"
        )


def test_one_page_per_command_with_every_option() -> None:
    root = click.Context(cli, info_name="jacli", **cli.context_settings)
    for name, cmd in cli.commands.items():
        page = (MAN / f"jacli-{name}.1").read_text(encoding="utf-8")
        for param in cmd.get_params(root):
            if isinstance(param, click.Option) and not param.hidden:
                for opt in param.opts:
                    assert f"\\fB\\%{opt.replace('-', chr(92) + '-')}\\fR" in page, (name, opt)
        for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "ENVIRONMENT", "EXAMPLES", "SEE ALSO"):
            assert f"\n.SH {section}\n" in page, (name, section)
        assert "\\fB\\%NO_COLOR\\fR" in page


def test_aliases_and_exit_statuses_are_listed() -> None:
    main = (MAN / "jacli.1").read_text(encoding="utf-8")
    assert "\\fB\\%derivative\\fR" in main and "\\fB\\%gradient\\fR" in main
    assert "\\fBjacli derivative\\fR" in (MAN / "jacli-diff.1").read_text(encoding="utf-8").replace("\\%", "")
    for status in ExitStatus:
        assert f".TP\n\\fB\\%{int(status)}\\fR\n" in main
        assert status.meaning[1:] in main


def test_date_is_fixed_not_today() -> None:
    th = [line for line in (MAN / "jacli.1").read_text().splitlines() if line.startswith(".TH ")][0]
    assert GENMAN.PAGE_DATE in th


def test_roff_escaping() -> None:
    assert GENMAN.esc("-x^2 'a' \\e ~") == r"\-x\(ha2 \(aqa\(aq \ee \(ti"
    assert GENMAN.esc(".TH evil") == r"\&.TH evil"
    assert GENMAN.esc("x\u00b2") == r"x\[u00B2]"
    for name in PAGES:  # no line that roff would read as a request except our own macros
        for line in (MAN / name).read_text(encoding="utf-8").splitlines():
            if line.startswith((".", "'")):
                assert re.match(r"\.(\\\"|TH|SH|TP|PP|EX|EE|nf|fi) ?", line), (name, line)


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
@pytest.mark.parametrize("name", PAGES)
def test_groff_is_clean(name: str) -> None:
    r = subprocess.run(["groff", "-man", "-ww", "-z", str(MAN / name)], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == "", r.stderr


@pytest.mark.skipif(shutil.which("man") is None, reason="man is not installed")
def test_man_renders_examples_as_typed() -> None:
    """`man -l` renders the page, and every example comes out as ASCII one can paste into a shell."""
    env = {**os.environ, "MANWIDTH": "200", "LANG": "C.UTF-8", "MAN_KEEP_FORMATTING": "0"}
    r = subprocess.run(["man", "./man/jacli.1"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.returncode == 0 and "SHELL COMPLETION" in r.stdout, r.stderr
    r = subprocess.run(["man", "-l", str(MAN / "jacli-grad.1")], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    text = re.sub(r".\x08", "", r.stdout)
    assert "JACLI-GRAD(1)" in text and "EXIT STATUS" in text
    blocks, examples = GENMAN.help_blocks(cli.commands["grad"].help)
    assert examples
    for example in examples:
        assert example in text, example


def test_generator_picks_up_options_it_has_not_seen(tmp_path: Path) -> None:
    """Options other kinds of click parameters (paths, on/off pairs, ranges with metavars) get
    the same treatment, so new options need no change to the generator."""

    @click.group()
    def group() -> None:
        """Test."""

    @group.command(short_help="Try it.")
    @click.argument("expr")
    @click.option("--steps", is_flag=True, help="Explain the derivation rule by rule.")
    @click.option("--plot", type=click.Path(), help="Write a plot to PATH.")
    @click.option("--color/--no-color", default=True, help="Colour or not.")
    @click.option("--memory", type=click.IntRange(1), metavar="MB", help="Memory limit in MB.")
    def t(expr: str, **opts: object) -> None:
        """Try EXPR.

        \b
        Examples:
          jacli t "x^2" --steps --plot -
        """

    root = click.Context(group, info_name="jacli")
    page = GENMAN.command_page(group, root, "t", ["jacli-t"])
    assert "\\fB\\%\\-\\-steps\\fR\nExplain the derivation rule by rule." in page
    assert "\\fB\\%\\-\\-plot\\fR \\fIPATH\\fR" in page
    assert "\\fB\\%\\-\\-color\\fR / \\fB\\%\\-\\-no\\-color\\fR" in page
    assert "\\fB\\%\\-\\-memory\\fR \\fIMB\\fR" in page
    assert 'jacli t "x\\(ha2" \\-\\-steps \\-\\-plot \\-\n' in page
    assert "Try \\fIEXPR\\fR." in page
    if shutil.which("groff"):
        (tmp_path / "t.1").write_text(page)
        r = subprocess.run(["groff", "-man", "-ww", "-z", str(tmp_path / "t.1")], capture_output=True, text=True)
        assert r.stderr == ""
