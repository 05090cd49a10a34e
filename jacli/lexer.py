"""jacli's tokenizer: the characters of the expression language, the Unicode forms it reads as
written, and the bounds on one expression. Pure Python, no sympy; jacli.syntax parses the tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import BoundError, ParseError

# --- bounds (documented in the README's Security section) -----------------------------------
MAX_LENGTH = 20_000  # characters of one expression
MAX_DEPTH = 100  # nesting of parentheses, brackets, calls and unary operators
MAX_NAME = 64  # characters of one identifier
MAX_DIGITS = 1_000  # digits of one numeric literal

NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
DIGITS = frozenset("0123456789")
_NUMBER_RE = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)

# Unicode spellings accepted as their ASCII equivalents (text pasted from papers and the seed).
_UNICODE = {
    "\u2212": "-",  # minus sign
    "\u00b7": "*",  # middle dot
    "\u22c5": "*",  # dot operator
    "\u2219": "*",  # bullet operator
    "\u00d7": "*",
    "\u00f7": "/",
    "\u2215": "/",  # division slash
}

#: Greek letters read as one-letter names, by their English names (so that `θ` and `theta` are the
#: same variable, and sympy prints them back as θ and \theta). Capitals that look like Latin
#: letters (Α, Β, Ε, ...) and omicron are not here: they are refused as look-alikes.
GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda",
    "μ": "mu", "\u00b5": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "ϱ": "rho", "σ": "sigma",
    "ς": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi",
    "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi",
    "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}
SUBSCRIPT_DIGITS = {chr(0x2080 + k): str(k) for k in range(10)}
SUPERSCRIPT = {"\u2070": "0", "\u00b9": "1", "\u00b2": "2", "\u00b3": "3",
               **{chr(0x2070 + k): str(k) for k in range(4, 10)}, "\u207b": "-", "\u207a": "+"}
TRANSPOSE_MARKS = frozenset("\u1d40\u22a4")  # superscript T, and ⊤ (written alone or after ^)
INFINITY_NAMES = frozenset({"oo", "inf", "Inf", "infinity", "Infinity"})


# --- tokenizer -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    kind: str  # NUM NAME OP END
    text: str
    pos: int
    space_before: bool


_OPS = ("**", ".*", ".T", "||", "+", "-", "*", "/", "^", "@", "'", "(", ")", "[", "]", ",", "|", "\u2016", "\u221a", "!")


def normalize(text: str, table: dict[str, str] | None = None) -> tuple[str, list[int]]:
    """Replace the characters of ``table`` (accepted Unicode operator spellings) by their
    spellings; return the new text and a map from its columns to the original ones."""
    if text.isascii():
        return text, list(range(len(text) + 1))
    table = _UNICODE if table is None else table
    out: list[str] = []
    cols: list[int] = []
    for i, ch in enumerate(text):
        rep = table.get(ch, ch)
        out.append(rep)
        cols.extend([i] * len(rep))
    cols.append(len(text))
    return "".join(out), cols


def _lookalike(ch: str) -> str:
    """A hint for a character that is not part of the language: what it is, and what it looks like."""
    import unicodedata

    name = unicodedata.name(ch, "")
    if not name:
        return ""
    hint = f" ({name.lower()}"
    words = name.split()
    if "LETTER" in words and words[-1].isalpha() and len(words[-1]) == 1 and not ch.isascii():
        latin = words[-1] if "CAPITAL" in words else words[-1].lower()
        hint += f"; it looks like the Latin letter {latin!r}: type that"
    return hint + ")"


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; unknown characters are a ParseError at their column.

    Unicode is read as written: Greek letters are one-letter names (their English names), subscript
    digits continue the name before them (x₁ is x1), superscripts are powers (x², X⁻¹), ᵀ and ⊤
    transpose, ∞ is oo, ‖…‖ a norm, √ a square root.
    """
    if len(text) > MAX_LENGTH:
        raise BoundError(
            f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}"
        )
    src, cols = normalize(text)
    tokens: list[Token] = []
    i, n = 0, len(src)
    space = False
    while i < n:
        ch = src[i]
        if ch in " \t":
            space = True
            i += 1
            continue
        if ch == "#":  # a comment runs to the end (jacli's plain output annotates this way)
            break
        if ch in DIGITS or (ch == "." and i + 1 < n and src[i + 1] in DIGITS):
            m = _NUMBER_RE.match(src, i)
            assert m is not None
            if len(m.group()) > MAX_DIGITS:
                raise BoundError(
                    f"number literal has {len(m.group())} characters; the limit is {MAX_DIGITS}"
                )
            tokens.append(Token("NUM", m.group(), cols[i], space))
            i = m.end()
        elif ch.isascii() and ch.isalpha():
            m = NAME_RE.match(src, i)
            assert m is not None
            tokens.append(Token("NAME", m.group(), cols[i], space))
            i = m.end()
        elif ch in GREEK:
            tokens.append(Token("NAME", GREEK[ch], cols[i], space))
            i += 1
        elif ch == "\u221e":
            tokens.append(Token("NAME", "oo", cols[i], space))
            i += 1
        elif ch in SUBSCRIPT_DIGITS:
            j = i
            while j < n and src[j] in SUBSCRIPT_DIGITS:
                j += 1
            prev = tokens[-1] if tokens else None
            if prev is None or prev.kind != "NAME" or space or prev.text == "oo":
                raise ParseError("a subscript must follow a name directly (x₁ is the name x1)", text, cols[i])
            digits = "".join(SUBSCRIPT_DIGITS[c] for c in src[i:j])
            tokens[-1] = Token("NAME", prev.text + digits, prev.pos, prev.space_before)
            i = j
        elif ch in SUPERSCRIPT:
            j = i
            while j < n and src[j] in SUPERSCRIPT:
                j += 1
            run = "".join(SUPERSCRIPT[c] for c in src[i:j])
            sign, digits = (run[0], run[1:]) if run[0] in "+-" else ("", run)
            if not digits or not digits.isdigit():
                raise ParseError(f"superscript {src[i:j]!r} is not a power: write x², x⁻¹ or x^(...)", text, cols[i])
            tokens.append(Token("OP", "^", cols[i], space))
            if sign:
                tokens.append(Token("OP", sign, cols[i], False))
            tokens.append(Token("NUM", digits, cols[i + (1 if sign else 0)], False))
            i = j
        elif ch in TRANSPOSE_MARKS:
            if tokens and tokens[-1].kind == "OP" and tokens[-1].text == "^":
                tokens.pop()  # A^⊤
            tokens.append(Token("OP", "'", cols[i], space))
            i += 1
        elif ch == "_":
            raise ParseError("names cannot start with '_'", text, cols[i])
        else:
            for op in _OPS:
                if src.startswith(op, i) and not (op == "!" and src.startswith("!=", i)):
                    if op == ".T" and i + 2 < n and (src[i + 2].isalnum() or src[i + 2] == "_"):
                        continue  # ".Tx" is not a transpose
                    tokens.append(Token("OP", "\u2016" if op == "||" else op, cols[i], space))
                    i += len(op)
                    break
            else:
                what = "a newline" if ch in "\r\n" else repr(ch)
                hint = ""
                if ch == ".":
                    hint = "; attribute access is not part of the language"
                elif ch in "\"`":
                    hint = "; strings are not part of the language"
                elif ch in "=<>!":
                    hint = "; comparisons and assignments are not part of the language"
                elif ch == "\\":
                    hint = "; LaTeX is read when the whole expression is LaTeX"
                elif not ch.isascii():
                    hint = _lookalike(ch)
                raise ParseError(f"unexpected character {what}{hint}", text, cols[i])
        space = False
    tokens.append(Token("END", "", len(text), space))
    return tokens


def read_name(text: str) -> str:
    """A variable name given on the command line (VAR, --wrt, -v, --at, --let), read as in an
    expression: ``θ`` is theta, ``x₁`` is x1, ``W[0,1]`` stays an entry. Other text is returned
    stripped, for the caller to validate."""
    text = text.strip()
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ch in GREEK:
            out.append(GREEK[ch])
        elif ch in SUBSCRIPT_DIGITS:
            out.append(SUBSCRIPT_DIGITS[ch])
        else:
            out.append(ch)
    return "".join(out)
