"""The tokenizer of jacli's LaTeX reader (see jacli.texread).

Pure Python, no sympy. Every token remembers the column of the LaTeX source it came from, so
errors point into what the user pasted. Spacing, sizing and styling commands are dropped here;
``\\mathrm{...}``, ``\\operatorname{...}`` and ``\\text{...}`` become one WORD token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import BoundError, ParseError
from .lexer import MAX_DIGITS, MAX_LENGTH, normalize


@dataclass(frozen=True)
class Tok:
    kind: str  # NUM LETTER WORD CMD OP LEFT RIGHT BEGIN ENDENV END
    text: str  # the number, letter, word, command name (no backslash), operator or delimiter
    pos: int
    space: bool = False  # whitespace (or a dropped command) before it


#: dropped: spacing, sizes, styles that do not change what a letter means
SKIP = frozenset({
    "quad", "qquad", "enspace", "thinspace", "medspace", "thickspace", "negthinspace", "displaystyle",
    "textstyle", "scriptstyle", "limits", "nolimits", "bf", "rm", "it", "mathbf", "boldsymbol", "bm",
    "mathsf", "mathtt", "mathcal", "mathbb", "mathscr", "mathfrak", "pmb", "vec", "mathnormal", "bold",
    "nonumber", "notag", "middle", "label",
})
SIZES = frozenset({"big", "Big", "bigg", "Bigg", "bigl", "Bigl", "biggl", "Biggl", "bigr", "Bigr", "biggr",
                   "Biggr", "bigm", "Bigm", "biggm", "Biggm"})
#: commands whose braced argument is one word (a function or a multi-letter name)
WORDS = frozenset({"mathrm", "operatorname", "text", "textrm", "textit", "mathit", "textbf", "textnormal", "mbox"})
_DELIM_CMDS = {"{": "{", "}": "}", "|": "||", "lvert": "|", "rvert": "|", "lVert": "||", "rVert": "||",
               "vert": "|", "Vert": "||", "langle": "<", "rangle": ">", "lbrace": "{", "rbrace": "}"}
_UNICODE = {
    "\u2212": "-", "\u00b7": r"\cdot ", "\u22c5": r"\cdot ", "\u00d7": r"\times ", "\uff0c": ",",
    "\u2032": "'", "\u2019": "'", "\u221e": r"\infty ", "\u2016": r"\| ", "\u2202": r"\partial ",
    "\u2207": r"\nabla ", "\u1d40": "^T", "\u22a4": r"\top ", "\uff08": "(", "\uff09": ")", "\u3000": " ",
}
GREEK = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
         "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"]
for _k, _g in enumerate(GREEK):
    _UNICODE.setdefault(chr(0x3B1 + _k + (1 if _k >= 17 else 0)), f"\\{_g} ")  # skip final sigma U+03C2
    if _g not in ("alpha", "beta", "epsilon", "zeta", "eta", "iota", "kappa", "mu", "nu", "omicron", "rho",
                  "tau", "chi"):
        _UNICODE.setdefault(chr(0x391 + _k + (1 if _k >= 17 else 0)), f"\\{_g.capitalize()} ")
_UNICODE["\u03d5"] = r"\phi "
_UNICODE["\u03b5"] = r"\epsilon "
# --- the vocabulary of the reader (jacli.texread) ---------------------------------------------------
FUNCTION_CMDS = {
    "sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth", "exp", "ln", "log", "det",
    "tr", "max", "min", "arcsin", "arccos", "arctan", "arccot", "arsinh", "arcosh", "artanh", "sgn", "erf",
    "Tr", "trace", "lg",
}
FALLBACK = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arccot": "acot", "arsinh": "asinh",
             "arcosh": "acosh", "artanh": "atanh", "sgn": "sign", "Tr": "tr", "lg": "log10"}
ACCENTS = {"hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar", "tilde": "tilde",
           "widetilde": "tilde", "dot": "dot", "ddot": "ddot", "check": "check", "breve": "breve"}
GREEK_NAMES = {g: g for g in GREEK} | {g.capitalize(): g.capitalize() for g in GREEK} | {
    "varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varrho": "rho", "varsigma": "sigma",
    "varpi": "pi", "pi": "pi", "infty": "oo", "ell": "l", "imath": "i", "jmath": "j",
}
MUL_CMDS = {"cdot": "*", "times": "*", "ast": "*", "div": "/", "odot": ".*", "circ": ".*"}
UNSUPPORTED = {
    "int": "jacli computes limits and derivatives", "iint": "jacli computes limits and derivatives",
    "oint": "jacli computes limits and derivatives", "sum": "write the terms out, or use sum(x) of a vector",
    "prod": "write the factors out", "partial": "a partial derivative is read only as the formula's operator",
    "nabla": "the gradient is read only as the formula's operator",
    "lim": "a limit is read only as the formula's operator",
    "cdots": "it stands for terms left out; write them, or declare shapes with -v x:n",
    "dots": "it stands for terms left out; write them, or declare shapes with -v x:n",
    "ldots": "it stands for terms left out; write them, or declare shapes with -v x:n",
    "vdots": "it stands for entries left out; declare shapes with -v x:n instead",
    "ddots": "it stands for entries left out; declare shapes with -v W:m,n instead",
}
MATRIX_ENVS = {"bmatrix", "pmatrix", "matrix", "Bmatrix", "smallmatrix", "vmatrix", "array"}
STOP_CMDS = {"to", "rightarrow", "longrightarrow", "in", "approx", "simeq", "le", "leq", "ge", "geq", "neq",
             "quad", "tag", "mid", "colon"}

_NUM = re.compile(r"\d+(?:\.\d+)?|\.\d+", re.ASCII)
_CMD = re.compile(r"[A-Za-z]+")
_OPS = "+-*/^_()[]{},'|=&!<>:;"


def _dollars(text: str) -> None:
    """'$' and '$$' are allowed only around the whole formula, as pasted from a document."""
    if "$" not in text:
        return
    body = text.strip()
    lead = len(body) - len(body.lstrip("$"))
    trail = len(body) - len(body.rstrip("$"))
    if lead and lead == trail and lead <= 2 and "$" not in body[lead:-trail]:
        return
    where = text.index("$", text.index(body) + lead) if lead == trail and lead <= 2 else text.index("$")
    raise ParseError("'$' is read only around the whole formula ($...$ or $$...$$)", text, where)


def tokenize(text: str) -> list[Tok]:
    """Split LaTeX math into tokens; an unknown character is a ParseError at its column."""
    if len(text) > MAX_LENGTH:
        raise BoundError(f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    _dollars(text)
    src, cols = normalize(text, _UNICODE)
    out: list[Tok] = []
    i, n = 0, len(src)
    space = False

    def add(kind: str, value: str, at: int) -> None:
        nonlocal space
        out.append(Tok(kind, value, cols[at], space))
        space = False

    def delimiter(j: int) -> tuple[str, int]:
        """The delimiter after \\left, \\right or \\big: (normalized delimiter, index after it)."""
        while j < n and src[j] in " \t\r\n":
            j += 1
        if j < n and src[j] in "()[]|./<>":
            return src[j], j + 1
        if j < n and src[j] == "\\":
            m = _CMD.match(src, j + 1)
            name = m.group() if m else src[j + 1 : j + 2]
            if name in _DELIM_CMDS:
                return _DELIM_CMDS[name], j + 1 + len(name)
        raise ParseError("a delimiter is needed here", text, cols[min(j, n)])

    while i < n:
        ch = src[i]
        if ch in " \t\r\n~$":
            space = True
            i += 1
        elif ch == "%":
            while i < n and src[i] != "\n":
                i += 1
        elif ch.isdigit() and ch.isascii() or (ch == "." and i + 1 < n and src[i + 1].isdigit()):
            m = _NUM.match(src, i)
            assert m is not None
            if len(m.group()) > MAX_DIGITS:
                raise BoundError(f"number literal has {len(m.group())} characters; the limit is {MAX_DIGITS}")
            add("NUM", m.group(), i)
            i = m.end()
        elif ch.isascii() and ch.isalpha():
            add("LETTER", ch, i)
            i += 1
        elif ch == "\\":
            m = _CMD.match(src, i + 1)
            if m is None:
                nxt = src[i + 1 : i + 2]
                if nxt in (",", ";", ":", "!", " ", "[", "]", "(", ")", ">", "\n", "\t"):
                    space = True  # spacing, and the \[ \] \( \) math delimiters around a pasted formula
                elif nxt == "\\":
                    add("OP", "\\\\", i)
                elif nxt in ("{", "}", "|"):
                    add("OP", "\\" + nxt, i)
                else:
                    what = "end of input" if not nxt else repr(nxt)
                    raise ParseError(f"unexpected {what} after '\\'", text, cols[min(i + 1, n)])
                i += 2
                continue
            name = m.group()
            j = m.end()
            if name in SKIP:
                space = True
                i = j
            elif name in ("left", "right") or name in SIZES:
                delim, i = delimiter(j)
                kind = {"left": "LEFT", "right": "RIGHT"}.get(name, "OP")
                if kind == "OP":
                    delim = {"||": "\\|", "{": "\\{", "}": "\\}"}.get(delim, delim)
                add(kind, delim, i - 1 if kind == "OP" else j - len(name) - 1)
            elif name in ("begin", "end"):
                k = j
                while k < n and src[k] in " \t":
                    k += 1
                env = re.match(r"\{\s*([A-Za-z]+\*?)\s*\}", src[k:])
                if env is None:
                    raise ParseError(f"\\{name} needs an environment name in braces", text, cols[min(k, n)])
                add("BEGIN" if name == "begin" else "ENDENV", env.group(1), i)
                i = k + env.end()
            elif name in WORDS:
                k = j + (1 if src[j : j + 1] == "*" else 0)
                while k < n and src[k] in " \t":
                    k += 1
                body = re.match(r"\{([A-Za-z0-9 _\\]*)\}", src[k:])
                word = body.group(1).replace("\\_", "_").replace("\\,", "").replace(" ", "") if body else ""
                if body and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", word):
                    add("WORD" if len(word) > 1 else "LETTER", word, k + 1)
                    i = k + body.end()
                else:
                    space = True  # \mathrm{2x}: styling only
                    i = j
            elif name in _DELIM_CMDS and name not in ("lbrace", "rbrace"):
                add("OP", {"|": "|", "||": "\\|", "<": "<", ">": ">"}[_DELIM_CMDS[name]], i)
                i = j
            else:
                add("CMD", name, i)
                i = j
        elif ch in _OPS:
            add("OP", ch, i)
            i += 1
        elif ch == "." and not src[i + 1 :].strip(" \t\r\n$"):
            i += 1  # the full stop of a formula pasted from a sentence
        else:
            what = repr(ch) if ch.isprintable() else f"character U+{ord(ch):04X}"
            raise ParseError(f"unexpected character {what} in LaTeX", text, cols[i])
    out.append(Tok("END", "", len(text), space))
    return out


def is_d(t: Tok) -> bool:
    """The d of a derivative: d, \\mathrm{d} or \\partial."""
    return (t.kind == "LETTER" and t.text == "d") or (t.kind == "CMD" and t.text == "partial")


def matching(tokens: list[Tok], i: int) -> int:
    """The index of the token closing the bracket, group, \\left or \\begin at ``i`` (or of END)."""
    opens = {"(": ")", "[": "]", "{": "}", "\\{": "\\}"}
    depth = 0
    for j in range(i, len(tokens)):
        t = tokens[j]
        if t.kind in ("LEFT", "BEGIN") or (t.kind == "OP" and t.text in opens):
            depth += 1
        elif t.kind in ("RIGHT", "ENDENV") or (t.kind == "OP" and t.text in opens.values()):
            depth -= 1
            if depth == 0:
                return j
        if t.kind == "END":
            return j
    return len(tokens) - 1


def derivative_frac(tokens: list[Tok], i: int) -> bool:
    """At ``i`` (after \\frac): {d...}{d...} or {\\partial...}{\\partial...}."""
    if not (tokens[i].kind == "OP" and tokens[i].text == "{" and is_d(tokens[i + 1])):
        return False
    j = matching(tokens, i) + 1
    return tokens[j].kind == "OP" and tokens[j].text == "{" and is_d(tokens[j + 1]) and tokens[j + 2].kind not in ("END",) \
        and not (tokens[j + 2].kind == "OP" and tokens[j + 2].text == "}")


def describe(t: Tok) -> str:
    if t.kind == "END":
        return "end of input"
    if t.kind == "CMD":
        return f"\\{t.text}"
    if t.kind in ("LEFT", "RIGHT"):
        return f"\\{t.kind.lower()}{t.text}"
    if t.kind in ("BEGIN", "ENDENV"):
        return f"\\{'begin' if t.kind == 'BEGIN' else 'end'}{{{t.text}}}"
    return f"'{t.text}'"
