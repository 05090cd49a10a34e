"""Reading what people type: suggestions for names jacli does not know, and names glued to a
function (``sinx``). Pure Python; used by the parser and by the workspace's checks.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

#: spellings from other systems that name a function of jacli's language differently
ALIASES_ELSEWHERE = {
    "arctan2": "jacli has no two-argument arctangent; write atan(y/x) where x > 0",
    "atan2": "jacli has no two-argument arctangent; write atan(y/x) where x > 0",
    "sigma": "σ(z) and sigmoid(z) are the logistic sigmoid",
    "Max": "max(a, b)", "Min": "min(a, b)", "Abs": "abs(x)",
    "ReLU": "relu(x)", "GELU": "gelu(x)", "Softplus": "softplus(x)",
    "lg": "log10(x) (or log2(x))", "arg": "jacli's variables are real",
    "avg": "mean(v)", "average": "mean(v)", "maximum": "max(a, b)", "minimum": "min(a, b)",
    "pow": "a^b", "power": "a^b", "square": "x^2", "cbrt": "x^(1/3)", "root": "sqrt(x) or x^(1/n)",
    "transpose": "A' or A^T", "inverse": "inv(A)", "determinant": "det(A)",
}

_GREEK_NAMES = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi rho sigma tau upsilon "
    "phi chi psi omega"
).split()
_TAIL = re.compile(r"(?:[0-9]*(?:[A-Za-z]|" + "|".join(_GREEK_NAMES) + r")[0-9]*)")


def did_you_mean(name: str, candidates: Iterable[str]) -> list[str]:
    """Close spellings of ``name`` among ``candidates``: the same name in another case first."""
    pool = sorted(set(candidates))
    same_case = [c for c in pool if c.lower() == name.lower() and c != name]
    close = difflib.get_close_matches(name.lower(), [c.lower() for c in pool], n=3, cutoff=0.75)
    found = same_case + [c for low in close for c in pool if c.lower() == low and c not in same_case]
    return found[:3]


def unknown_function(name: str, functions: Iterable[str]) -> str:
    """The message for NAME(...) where NAME is not a function: a suggestion where one fits."""
    message = f"unknown function {name!r}"
    if name in ALIASES_ELSEWHERE:
        return f"{message}: {ALIASES_ELSEWHERE[name]}"
    close = did_you_mean(name, functions)
    if close:
        return f"{message}; did you mean {' or '.join(c + '(...)' for c in close)}?"
    return (f"{message}; write {name}*(...) to multiply, or declare it with --func {name} "
            "('jacli --help' lists the functions)")


def glued(name: str, functions: Iterable[str]) -> tuple[str, str] | None:
    """``sinx`` -> ("sin", "x"): a function name followed by a one-letter (or Greek-letter) name,
    optionally with digits, as people type sin x without the parentheses. The longest function
    that fits is taken (``log2x`` is log2 and x). None for names that do not read that way
    (``logits``, ``cosine``, ``expected``)."""
    best = None
    for f in functions:
        if len(f) >= 2 and len(f) < len(name) and name.startswith(f) and _TAIL.fullmatch(name[len(f):]):
            if best is None or len(f) > len(best):
                best = f
    if best is None:
        return None
    return best, name[len(best):]
