"""Expected outputs kept as data: the tab-separated files under tests/data/.

Each file starts with '#' lines that say what its columns are; blank lines and lines starting
with '#' are skipped. Cells are taken as written (no quoting, no escapes); a missing trailing
cell is the empty string. Columns that hold jacli arguments are shell-quoted (shlex.split).
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"


def rows(name: str, width: int) -> list[list[str]]:
    """The rows of tests/data/NAME, each exactly WIDTH cells."""
    out = []
    for number, raw in enumerate((DATA / name).read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if len(cells) > width:
            raise ValueError(f"{name}:{number}: {len(cells)} cells, expected at most {width}")
        out.append(cells + [""] * (width - len(cells)))
    return out


# A line that keeps sympy busy for seconds (7.5 s to differentiate in a warm batch on the 2-core
# machine of 2026-12; 300 factors would be refused at once as too large): for tests of --timeout
# and of signals that arrive while a line is being computed.
SLOW_LINE = "*".join(f"exp(sin({i}*x))" for i in range(1, 200))
