"""jacli's expression language: tokenizer, syntax tree and a precedence-climbing parser.

Pure Python, no sympy: user text becomes a tree of the node classes below, each remembering the
column it came from so that later stages (shape checking, lowering) can point at the culprit.
Nothing here evaluates anything.

Grammar, loosest binding first::

    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/' | '@' | '.*' | <juxtaposition>) unary)*
    unary   := ('-' | '+') unary | power
    power   := postfix (('^' | '**') unary)?          right-associative: 2^3^2 = 2^(3^2)
    postfix := primary ("'" | '.T' | '[' args ']')*
    primary := NUMBER | NAME | NAME "'"* '(' args ')' | '(' expr ')' | '[' args ']'

For a declared function f, ``f'(u)`` is its derivative and ``f_2(u, v)`` (``f_1_2``, ...) its
partial derivative by the second (first, then second, ...) argument, evaluated at (u, v).

'#' starts a comment that runs to the end of the text.

Sums and products are kept flat (one node with many operands) so that long inputs neither
recurse deeply nor build lopsided trees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import BoundError, ParseError
from .reading import unknown_function

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


# --- syntax tree ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Num:
    text: str  # as written: "2", "0.5", "1e-3"
    pos: int


@dataclass(frozen=True)
class Name:
    name: str
    pos: int


@dataclass(frozen=True)
class Neg:
    operand: Node
    pos: int


@dataclass(frozen=True)
class Add:
    """operand[0] (sign operand)*; signs are '+' or '-'. ``ops[i]`` applies to ``args[i]``."""

    args: tuple[Node, ...]
    ops: tuple[str, ...]  # ops[0] is always '+'
    pos: tuple[int, ...]  # column of each operator (pos[0]: start of the first operand)


@dataclass(frozen=True)
class Mul:
    """A left-to-right chain of '*', '/', '@', '.*' (juxtaposition is '*')."""

    args: tuple[Node, ...]
    ops: tuple[str, ...]  # ops[0] is always '*'
    pos: tuple[int, ...]


@dataclass(frozen=True)
class Pow:
    base: Node
    exp: Node
    pos: int  # column of the operator


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Node, ...]
    pos: int
    primes: int = 0  # f'(x) is Call("f", (x,), primes=1)
    partials: tuple[int, ...] = ()  # f_1_2(x, y) is Call("f", (x, y), partials=(0, 1)): d^2 f / d1 d2
    written: str = ""  # how a call was written when not as NAME(...): "|" for |x|, "‖" for ‖x‖, "√" for √x


@dataclass(frozen=True)
class Transpose:
    operand: Node
    pos: int


@dataclass(frozen=True)
class Index:
    operand: Node
    indices: tuple[Node, ...]
    pos: int


@dataclass(frozen=True)
class List:
    items: tuple[Node, ...]
    pos: int


Node = Num | Name | Neg | Add | Mul | Pow | Call | Transpose | Index | List


def start(node: Node) -> int:
    """The column where ``node`` begins (for error carets)."""
    if isinstance(node, (Add, Mul)):
        return start(node.args[0])
    if isinstance(node, (Pow,)):
        return start(node.base)
    if isinstance(node, (Transpose, Index)):
        return start(node.operand)
    return node.pos


# --- tokenizer -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    kind: str  # NUM NAME OP END
    text: str
    pos: int
    space_before: bool


_OPS = ("**", ".*", ".T", "||", "+", "-", "*", "/", "^", "@", "'", "(", ")", "[", "]", ",", "|", "\u2016", "\u221a")


def _normalize(text: str) -> tuple[str, list[int]]:
    """Replace accepted Unicode operator spellings; return the new text and a map to original columns."""
    if text.isascii():
        return text, list(range(len(text) + 1))
    out: list[str] = []
    cols: list[int] = []
    for i, ch in enumerate(text):
        rep = _UNICODE.get(ch, ch)
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
    src, cols = _normalize(text)
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
                if src.startswith(op, i):
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


# --- parser ----------------------------------------------------------------------------------
_MUL_OPS = {"*", "/", "@", ".*"}


class Parser:
    """Precedence-climbing parser over the token list; see the module docstring for the grammar.

    ``functions`` are the names that may be applied with parentheses (built-ins plus declared
    abstract functions). Any other name followed by '(' is an error, never a guess.
    """

    def __init__(self, text: str, functions: frozenset[str] | set[str]) -> None:
        self.text = text
        self.functions = functions
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.bars: list[str] = []  # the open |...| and ‖...‖, innermost last: there a bar closes

    # helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def error(self, message: str, pos: int | None = None) -> ParseError:
        return ParseError(message, self.text, self.tok.pos if pos is None else pos)

    def expect(self, op: str, opener: Token | None = None) -> Token:
        if self.tok.kind == "OP" and self.tok.text == op:
            return self.advance()
        found = "end of input" if self.tok.kind == "END" else repr(self.tok.text)
        msg = f"expected '{op}' but found {found}"
        if opener is not None:
            msg += f" (to close '{opener.text}' at column {opener.pos + 1})"
        raise self.error(msg)

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise BoundError(f"expression is nested more than {MAX_DEPTH} levels deep (column {pos + 1})")

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == "OP" and self.tok.text in ops

    # grammar
    def parse(self) -> Node:
        if self.tok.kind == "END":
            raise self.error("empty expression")
        node = self.expr()
        if self.tok.kind != "END":
            if self.is_op(")", "]"):
                raise self.error(f"unmatched '{self.tok.text}'")
            raise self.error(f"unexpected {self.describe(self.tok)}")
        return node

    @staticmethod
    def describe(t: Token) -> str:
        if t.kind == "END":
            return "end of input"
        if t.kind == "NUM":
            return f"number {t.text}"
        if t.kind == "NAME":
            return f"name {t.text!r}"
        return f"'{t.text}'"

    def expr(self) -> Node:
        first = self.term()
        args, ops, pos = [first], ["+"], [start(first)]
        while self.is_op("+", "-"):
            t = self.advance()
            args.append(self.term())
            ops.append(t.text)
            pos.append(t.pos)
        if len(args) == 1:
            return first
        return Add(tuple(args), tuple(ops), tuple(pos))

    def starts_operand(self) -> bool:
        """Juxtaposition: a name or '(' right after an operand multiplies (2x, 3 sin(x), 2(x+1))."""
        t = self.tok
        if t.kind == "OP" and t.text == "[":
            return t.space_before  # "x[0]" indexes; "2 [1, 2]" scales a list
        if t.kind == "OP" and t.text in ("|", "\u2016"):
            return not self.bars or self.bars[-1] != t.text  # 2|x| multiplies; inside |...| a bar closes
        return t.kind == "NAME" or (t.kind == "OP" and t.text in ("(", "\u221a"))

    def term(self) -> Node:
        first = self.unary()
        args, ops, pos = [first], ["*"], [start(first)]
        while True:
            if self.is_op(*_MUL_OPS):
                t = self.advance()
                ops.append(t.text)
                pos.append(t.pos)
            elif self.starts_operand():
                ops.append("*")
                pos.append(self.tok.pos)
            elif self.tok.kind == "NUM":
                raise self.error(f"missing operator before number {self.tok.text}")
            else:
                break
            args.append(self.unary())
        if len(args) == 1:
            return first
        return Mul(tuple(args), tuple(ops), tuple(pos))

    def unary(self) -> Node:
        if self.is_op("-", "+"):
            t = self.advance()
            self.enter(t.pos)
            operand = self.unary()
            self.depth -= 1
            return Neg(operand, t.pos) if t.text == "-" else operand
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        if self.is_op("^", "**"):
            t = self.advance()
            self.enter(t.pos)
            if self.tok.kind == "END":
                raise self.error(f"'{t.text}' needs an exponent")
            exp = self.unary()  # right-associative, and 2^-1 is 2^(-1)
            self.depth -= 1
            return Pow(base, exp, t.pos)
        return base

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            if self.is_op("'", ".T"):
                t = self.advance()
                node = Transpose(node, t.pos)
            elif self.is_op("[") and not self.tok.space_before:
                t = self.advance()
                self.enter(t.pos)
                if self.is_op("]"):
                    raise self.error("an index is needed between '[' and ']'")
                idx = self.arglist("]", t)
                self.depth -= 1
                node = Index(node, idx, t.pos)
            else:
                return node

    def arglist(self, closer: str, opener: Token) -> tuple[Node, ...]:
        items = [self.expr()]
        while self.is_op(","):
            self.advance()
            items.append(self.expr())
        self.expect(closer, opener)
        return tuple(items)

    def primary(self) -> Node:
        t = self.tok
        if t.kind == "NUM":
            self.advance()
            return Num(t.text, t.pos)
        if t.kind == "NAME":
            return self.name_or_call()
        if t.kind == "OP" and t.text == "(":
            self.advance()
            self.enter(t.pos)
            if self.is_op(")"):
                raise self.error("empty parentheses")
            node = self.expr()
            self.expect(")", t)
            self.depth -= 1
            return node
        if t.kind == "OP" and t.text == "[":
            self.advance()
            self.enter(t.pos)
            if self.is_op("]"):
                raise self.error("empty list")
            items = self.arglist("]", t)
            self.depth -= 1
            return List(items, t.pos)
        if t.kind == "OP" and t.text in ("|", "\u2016"):
            return self.bars_call(t)
        if t.kind == "OP" and t.text == "\u221a":
            return self.root(t)
        if t.kind == "END":
            raise self.error("expression ends too early")
        if t.kind == "OP" and t.text in (")", "]"):
            raise self.error(f"unexpected '{t.text}'")
        raise self.error(f"unexpected {self.describe(t)}; an operand is needed here")

    def function_power(self, name: str, t: Token) -> Node | None:
        """sin²(x) and sin^2(x) are sin(x)^2, as written in textbooks (only with a number exponent
        and the argument in parentheses right after it; sin^-1 is refused as ambiguous)."""
        j = self.i + 1
        if self.tokens[j].kind == "OP" and self.tokens[j].text in "-+":
            raise ParseError(f"{name}^{self.tokens[j].text}... is ambiguous: write a{name}(x) for the inverse "
                             f"or {name}(x)^(-1) for the reciprocal", self.text, t.pos)
        if not (self.tokens[j].kind == "NUM" and self.tokens[j + 1].kind == "OP" and self.tokens[j + 1].text == "("):
            return None
        caret = self.advance()
        exponent = self.advance()
        opener = self.advance()
        self.enter(opener.pos)
        args = self.arglist(")", opener)
        self.depth -= 1
        return Pow(Call(name, args, t.pos), Num(exponent.text, exponent.pos), caret.pos)

    def bars_call(self, opener: Token) -> Node:
        """|x| is abs(x) and ‖x‖ (or ||x||) norm(x), read as written."""
        self.advance()
        self.enter(opener.pos)
        self.bars.append(opener.text)
        if self.is_op(opener.text):
            raise self.error(f"empty {opener.text}{opener.text}")
        inner = self.expr()
        self.bars.pop()
        self.expect(opener.text, opener)
        self.depth -= 1
        name = "abs" if opener.text == "|" else "norm"
        return Call(name, (inner,), opener.pos, written=opener.text)

    def root(self, sign: Token) -> Node:
        """√x, √2, √(x+1): the square root of the operand right after the sign. Where the extent
        of the bar is a guess (√x^2, √2x), the reader is asked to write parentheses."""
        self.advance()
        self.enter(sign.pos)
        if self.tok.kind == "END":
            raise self.error("√ needs an operand: √x or √(...)")
        operand = self.postfix()
        self.depth -= 1
        follows = self.tok
        glued = not follows.space_before and (follows.kind == "NAME" or (follows.kind == "OP" and follows.text == "("))
        if self.is_op("^", "**") or (isinstance(operand, Num) and glued):
            raise self.error("how far does this √ reach? Write √(...) around all that is under the root", sign.pos)
        return Call("sqrt", (operand,), sign.pos, written="\u221a")

    def name_or_call(self) -> Node:
        t = self.advance()
        name = t.text
        check_name(name, self.text, t.pos)
        if name == "sigma" and self.text[t.pos] in "σς" and self.is_op("(") and "sigmoid" in self.functions:
            name = "sigmoid"  # σ(z) is the logistic sigmoid, as in the deep-learning literature
        primes = 0
        if name in self.functions:
            # f'(x), f''(x): derivatives of a declared function
            j = self.i
            while self.tokens[j].kind == "OP" and self.tokens[j].text == "'":
                j += 1
            if j > self.i and self.tokens[j].kind == "OP" and self.tokens[j].text == "(":
                primes = j - self.i
                self.i = j
        if name in self.functions and name not in CONSTANT_NAMES and self.is_op("^") and not self.tok.space_before:
            power = self.function_power(name, t)
            if power is not None:
                return power
        partial = _PARTIAL_RE.fullmatch(name)
        if self.is_op("(") and name not in self.functions and partial and partial.group(1) in self.functions:
            opener = self.advance()
            self.enter(opener.pos)
            args = self.arglist(")", opener)
            self.depth -= 1
            slots = tuple(int(k) - 1 for k in partial.group(2).split("_")[1:])
            return Call(partial.group(1), args, t.pos, partials=slots)
        if self.is_op("("):
            if name not in self.functions:
                if self.tok.space_before or name in CONSTANT_NAMES or self.text[t.pos] in GREEK:
                    # "x (y+1)", "π(x+1)", "θ(x+1)": products (a Greek letter multiplies what stands next to it)
                    return Name(name, t.pos)  # "x (y+1)": juxtaposition, handled by term()
                raise ParseError(unknown_function(name, self.functions), self.text, t.pos)
            opener = self.advance()
            self.enter(opener.pos)
            if self.is_op(")"):
                raise self.error(f"{name}() needs an argument")
            args = self.arglist(")", opener)
            self.depth -= 1
            return Call(name, args, t.pos, primes)
        if name in self.functions and name not in CONSTANT_NAMES and name not in CALL_ONLY_NAMES:
            nxt = self.tok
            arg = nxt.text if nxt.kind in ("NAME", "NUM") else "..."
            raise ParseError(f"function {name!r} needs its argument in parentheses: {name}({arg})", self.text, t.pos)
        return Name(name, t.pos)


CONSTANT_NAMES = frozenset({"pi", "e", "E"}) | INFINITY_NAMES
# functions only when called: I(n) is the identity, I alone may still be a variable (jacli.arrays)
CALL_ONLY_NAMES = frozenset({"I", "ones", "unit", "kron", "vec", "commutation"})
_PARTIAL_RE = re.compile(r"([A-Za-z][A-Za-z0-9_]*?)((?:_[1-9][0-9]?)+)")


def check_name(name: str, text: str, pos: int) -> None:
    """Reject identifiers that are not allowed as symbols (dunders, too long). Python's keywords
    and builtins are ordinary names: nothing is ever evaluated, and `lambda` is a common weight."""
    if len(name) > MAX_NAME:
        raise BoundError(f"name at column {pos + 1} is {len(name)} characters long; the limit is {MAX_NAME}")
    if "__" in name:
        raise ParseError(f"{name!r} is not part of jacli's language (names cannot contain '__')", text, pos)


def parse(text: str, functions: frozenset[str] | set[str]) -> Node:
    """Parse ``text`` into a syntax tree. ``functions``: names callable with parentheses."""
    return Parser(text, functions).parse()


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


def is_identifier(name: str) -> bool:
    """True for a name jacli accepts as a variable (strict: letters, digits, underscore)."""
    return bool(NAME_RE.fullmatch(name)) and "__" not in name and len(name) <= MAX_NAME
