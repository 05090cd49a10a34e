"""The vocabulary of jacli's expression language, as people read it: every function and constant
with a one-line meaning. ``jacli --help``, the man page and the README list it from here; a test
keeps it equal to what the parser and the lowerers accept (jacli.declarations). No sympy here, so the
help stays fast.
"""

from __future__ import annotations

import textwrap

#: (group title, [(how it is written, what it means)])
FUNCTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Elementary (entry by entry on vectors and matrices)", [
        ("exp(x), log(x), ln(x)", "exponential, natural logarithm"),
        ("log(x, b), log10(x), log2(x)", "logarithms to base b, 10, 2"),
        ("sqrt(x), √x, abs(x), |x|, sign(x)", "square root, absolute value, sign"),
        ("sin cos tan cot sec csc", "trigonometric functions"),
        ("asin acos atan acot asec acsc", "their inverses"),
        ("arcsin arccos arctan arccot arcsec arccsc", "the same, spelled as in numpy"),
        ("sinh cosh tanh coth sech csch", "hyperbolic functions"),
        ("asinh acosh atanh acoth asech acsch", "their inverses"),
        ("arsinh arcosh artanh arcoth, arcsinh arccosh arctanh arccoth", "the same, other spellings"),
        ("erf(x)", "the error function"),
    ]),
    ("Deep learning", [
        ("sigmoid(x), σ(x)", "1/(1 + exp(-x))"),
        ("relu(x)", "max(x, 0); relu'(0) = 0, as PyTorch"),
        ("step(x)", "the unit step, 0 for x <= 0: relu's derivative"),
        ("softplus(x)", "log(1 + exp(x)); its derivative is sigmoid(x)"),
        ("gelu(x)", "x*Φ(x) = x/2*(1 + erf(x/sqrt(2))), the exact GELU"),
        ("max(a, b), min(a, b)", "of two arguments, entry by entry; at a tie the derivative is 0, as relu'(0)"),
        ("softmax(v), logsumexp(v)", "of a vector"),
        ("factorial(n)", "n!"),
    ]),
    ("Vectors and matrices (declare shapes with -v)", [
        ("A*B, A@B, A', A.T, A^T, Aᵀ", "matrix product, transpose"),
        ("inv(A), A^-1, det(A), logdet(A)", "inverse, determinant, log-determinant"),
        ("tr(A), trace(A), transpose(A), diag(v or A)", "trace, transpose, diagonal matrix or diagonal"),
        ("norm(v), ‖v‖", "2-norm (Frobenius for matrices)"),
        ("sum(v), mean(v), dot(a, b)", "sum and mean of the entries, inner product"),
        ("hadamard(A, B), A .* B", "entry-by-entry product"),
        ("z[k], W[i,j]", "entries, counted from 0"),
        ("I(n), ones(n), ones(m, n), unit(k, n)", "identity, all-ones, k-th unit vector (as printed in matrix forms)"),
        ("kron(A, B), vec(A), commutation(m, n)", "Kronecker product, A's entries row by row, the commutation matrix"),
    ]),
]

CONSTANTS: list[tuple[str, str]] = [
    ("pi, π", "3.14159..."),
    ("e, E", "2.71828..."),
    ("oo, inf, Inf, infinity, ∞", "infinity (with a sign: -oo)"),
]

NAMES = ("Any other name is a variable, Python keywords included (lambda); Greek letters are "
         "one-letter names (θ is theta, 2πx is 2*pi*x); x₁ is x1, x² is x^2, X⁻¹ is X^-1.")


def help_text() -> str:
    """The language on one screen, for ``jacli --help`` (click keeps lines after \\b as they are)."""
    lines = ["\b", "What you can type:"]
    for title, entries in [*FUNCTIONS, ("Constants", CONSTANTS)]:
        lines.append(f"  {title}:")
        for written, meaning in entries:
            lines += textwrap.wrap(f"{written}: {meaning}", 76, initial_indent="    ", subsequent_indent="        ")
    lines += textwrap.wrap(NAMES, 76, initial_indent="  ", subsequent_indent="  ")
    return "\n".join(lines)


def spellings() -> set[str]:
    """Every function name the catalogue mentions (for the test that keeps it complete)."""
    import re

    words: set[str] = set()
    for _, entries in FUNCTIONS:
        for written, _ in entries:
            words |= set(re.findall(r"\b([A-Za-z][a-z0-9]*)\b(?![.'])", written))
    return words
