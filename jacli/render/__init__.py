"""Printers, one module per format: plain (jacli's ASCII), latex, json, numpy, pretty (rich).

:func:`render` is the one dispatch over formats (and :func:`side_notes` says which notes it
leaves to stderr), for the command line (jacli.runner) and the
Python API (jacli.format_result) alike; each printer module is imported only when its format is
asked for, and only ``pretty`` imports rich.
"""

from __future__ import annotations

from typing import Any

FORMATS = ("pretty", "plain", "latex", "json", "numpy")
CARRY_NOTES = ("pretty", "json")  # formats whose text holds the notes; the others' go to stderr


def side_notes(result: Any, fmt: str) -> list[str]:
    """The notes that ``render(result, fmt)`` leaves out, for stderr: plain, LaTeX and numpy
    output is the answer alone (pipes and .tex files), while pretty and JSON carry the notes."""
    return [] if fmt in CARRY_NOTES else [f"note: {note}" for note in result.notes]


def render(result: Any, fmt: str, *, full: bool = False, line: int | None = None, cse: bool = True,
           standalone: bool = False, color: bool = False, width: int = 100) -> str:
    """The text of ``result`` in format ``fmt``. ``line``: the batch input line (JSON records carry
    it); ``cse``: name repeated subexpressions; ``standalone``: a whole LaTeX document; ``full``,
    ``color`` and ``width``: the pretty printer's."""
    if fmt == "json":
        from . import json

        return json.render(result, line=line, cse=cse)
    if fmt == "latex":
        from . import latex

        return latex.render(result, cse=cse, standalone=standalone)
    if fmt == "plain":
        from . import plain

        return plain.render(result, cse=cse)
    if fmt == "numpy":
        from . import numpy

        return numpy.render(result)
    if fmt == "pretty":
        from . import pretty

        return pretty.render(result, color=color, width=width, full=full, cse=cse)
    from ..errors import UsageError

    raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
