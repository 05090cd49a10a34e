"""jacli's expression language: tokenizer, syntax tree and a precedence-climbing parser.

Pure Python, no sympy: user text becomes a tree of the node classes below, each remembering the
column it came from so that later stages (shape checking, lowering) can point at the culprit.
Nothing here evaluates anything.

Grammar, loosest binding first::

    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/' | '@' | '.*' | <juxtaposition>) unary)*
    unary   := ('-' | '+') unary | power
    power   := postfix (('^' | '**') unary)?          right-associative: 2^3^2 = 2^(3^2)
    postfix := primary ("'" | '.T' | '!' | '[' args ']')*     n! is factorial(n)
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
from .lexer import (  # noqa: F401 - the tokenizer's names, used through jacli.syntax elsewhere
    DIGITS,
    GREEK,
    INFINITY_NAMES,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_LENGTH,
    MAX_NAME,
    NAME_RE,
    SUBSCRIPT_DIGITS,
    SUPERSCRIPT,
    TRANSPOSE_MARKS,
    Token,
    read_name,
    tokenize,
)
from .reading import unknown_function


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


# --- parser ----------------------------------------------------------------------------------
_MUL_OPS = {"*", "/", "@", ".*"}


def _number_power(node: Pow) -> bool:
    """2^3, e^-2, 10^-3: a number or e raised to a (signed) number, where a product glued after it
    (``e^2x``) reads as part of the exponent to many readers."""
    base = node.base
    exp = node.exp.operand if isinstance(node.exp, Neg) else node.exp
    return isinstance(exp, Num) and (isinstance(base, Num) or (isinstance(base, Name) and base.name in ("e", "E")))


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
                if t.text == "/" and self.tok.kind == "NUM":
                    self.check_power_fraction(args[-1], t)
                ops.append(t.text)
                pos.append(t.pos)
            elif self.starts_operand():
                glued = not self.tok.space_before
                ops.append("*")
                pos.append(self.tok.pos)
                args.append(self.unary())
                self.check_juxtaposition(args, ops, pos, glued)
                continue
            elif self.tok.kind == "NUM":
                raise self.error(f"missing operator before number {self.tok.text}")
            else:
                break
            args.append(self.unary())
        if len(args) == 1:
            return first
        return Mul(tuple(args), tuple(ops), tuple(pos))

    def check_juxtaposition(self, args: list[Node], ops: list[str], pos: list[int], glued: bool) -> None:
        """Refuse the two implicit products that readers split both ways: right after a division
        (``1/2x``: (1/2)*x or 1/(2*x)?) and, glued, after a number power of a number or e
        (``e^2x``: e^(2x) or e^2*x?). ``x^2y`` stays x^2*y, as in polynomials; ``e^2 x`` is e^2*x."""
        left = args[-2]
        end = self.tok.pos
        after = self.text[pos[-1]:end].rstrip()
        if ops[-2] == "/":
            over = self.text[start(args[-3]):pos[-2]].strip()
            under = self.text[pos[-2] + 1:pos[-1]].strip()
            written = self.text[start(args[-3]):end].rstrip()
            raise ParseError(f"{written} is ambiguous: write ({over}/{under})*{after} for the product, "
                             f"or {over}/({under}*{after}) to divide by it", self.text, pos[-1])
        if glued and isinstance(left, Pow) and self.text[left.pos] in "^*" and _number_power(left):
            base = self.text[start(left):left.pos].strip()
            exponent = self.text[left.pos + 1:pos[-1]].lstrip("*").strip()
            raise ParseError(f"{base}^{exponent}{after} is ambiguous: write {base}^({exponent}*{after}) if it is all "
                             f"the exponent, or {base}^{exponent}*{after} for the product", self.text, pos[-1])

    def check_power_fraction(self, left: Node, slash: Token) -> None:
        """x^1/2 and x^-1/2 are refused: a power 1 is pointless unless the exponent meant is 1/2."""
        if isinstance(left, Pow) and self.text[left.pos] in "^*":
            exp = left.exp.operand if isinstance(left.exp, Neg) else left.exp
            before = self.tokens[self.i - 2]  # the exponent itself, not a ')' closing it: (x^1)/2 is clear
            if isinstance(exp, Num) and exp.text == "1" and before.kind == "NUM" and before.pos == exp.pos:
                base = self.text[start(left):left.pos].strip()
                power = self.text[left.pos + 1:slash.pos].lstrip("*").strip()
                raise ParseError(f"{base}^{power}/{self.tok.text} is ambiguous: write {base}^({power}/{self.tok.text}) for the "
                                 f"power, or ({base}^{power})/{self.tok.text} to divide", self.text, slash.pos)

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
            elif self.is_op("!"):
                t = self.advance()
                node = Call("factorial", (node,), t.pos, written="!")
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
            if partial.group(1) == "log" and len(slots) == 1 and len(args) == 1:  # log_2(x): the base, as written
                return Call("log", (args[0], Num(partial.group(2)[1:], t.pos + 4)), t.pos)
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


def is_identifier(name: str) -> bool:
    """True for a name jacli accepts as a variable (strict: letters, digits, underscore)."""
    return bool(NAME_RE.fullmatch(name)) and "__" not in name and len(name) <= MAX_NAME
