"""jacli's LaTeX math reader: LaTeX text -> the syntax tree of jacli.syntax, plus the formula's
own operator (``\\lim_{x \\to a}``, ``\\frac{d}{dx}``, ``\\nabla_W``, ...) where it carries one.

A grammar of its own over jacli.texlex tokens (no eval, no sympify, no sympy parse_latex), bounded
like the text parser (length, nesting depth, digits). Positions are columns of the LaTeX source.

TeX's conventions: letters side by side multiply (``Wx``), a subscript makes a name (``x_1`` is
x1, ``w_{11}`` is w11; on a declared vector or matrix it is a 0-based index, as jacli prints
entries), ``\\hat{z}`` is zhat, a script is one character or a group (``x^10`` is refused: write
``x^{10}``), ``'`` is a prime (a derivative), never a transpose (``^T``, ``^\\top``).
"""

from __future__ import annotations

from . import syntax as sx
from .errors import BoundError, ParseError
from .texenv import environment, sequence
from .texlex import ACCENTS, FALLBACK, FUNCTION_CMDS, GREEK_NAMES, MUL_CMDS, STOP_CMDS, UNSUPPORTED, Tok, derivative_frac, describe


class TexParser:
    """Recursive descent over LaTeX tokens (see the module docstring)."""

    def __init__(self, text: str, tokens: list[Tok], functions: frozenset[str] | set[str],
                 shaped: frozenset[str] | set[str] = frozenset(), names: frozenset[str] | set[str] = frozenset()):
        self.text = text
        self.tokens = tokens
        self.functions = functions
        self.shaped = shaped
        self.long_names = sorted((n for n in names if len(n) > 1 and n.isalpha()), key=len, reverse=True)
        self.i = 0
        self.depth = 0
        self.abs_open = 0
        self.norm_open = 0
        self.limit_var: str | None = None

    # --- helpers -------------------------------------------------------------------------------
    @property
    def tok(self) -> Tok:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Tok:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> Tok:
        t = self.tokens[self.i]
        if t.kind != "END":
            self.i += 1
        return t

    def error(self, message: str, pos: int | None = None) -> ParseError:
        return ParseError(message, self.text, self.tok.pos if pos is None else pos)

    def op(self, *texts: str) -> bool:
        return self.tok.kind == "OP" and self.tok.text in texts

    def cmd(self, *names: str) -> bool:
        return self.tok.kind == "CMD" and self.tok.text in names

    def expect_op(self, text: str, opener: Tok | None = None) -> Tok:
        if self.op(text):
            return self.advance()
        msg = f"expected '{text}' but found {describe(self.tok)}"
        if opener is not None:
            msg += f" (to close the one at column {opener.pos + 1})"
        raise self.error(msg)

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > sx.MAX_DEPTH:
            raise BoundError(f"expression is nested more than {sx.MAX_DEPTH} levels deep (column {pos + 1})")

    def leave(self) -> None:
        self.depth -= 1

    # --- expressions ---------------------------------------------------------------------------
    def expr(self) -> sx.Node:
        first = self.term()
        args, ops, pos = [first], ["+"], [sx.start(first)]
        while self.op("+", "-"):
            t = self.advance()
            args.append(self.term())
            ops.append(t.text)
            pos.append(t.pos)
        return first if len(args) == 1 else sx.Add(tuple(args), tuple(ops), tuple(pos))

    def starts_operand(self) -> bool:
        t = self.tok
        if t.kind in ("LETTER", "WORD", "LEFT", "BEGIN"):
            return True
        if t.kind == "CMD":
            return t.text not in MUL_CMDS and t.text not in STOP_CMDS and t.text not in ("right",)
        if t.kind == "OP":
            if t.text == "|":
                return self.abs_open == 0
            if t.text == "\\|":
                return self.norm_open == 0
            return t.text in ("(", "[", "{", "\\{")
        return False

    def term(self, stop_at_function: bool = False) -> sx.Node:
        first = self.unary()
        args, ops, pos = [first], ["*"], [sx.start(first)]
        while True:
            t = self.tok
            if stop_at_function and not (t.kind == "OP" and t.text in "([{") and self.is_function_start():
                break
            if t.kind == "OP" and t.text in ("*", "/"):
                if stop_at_function:
                    break
                self.advance()
                ops.append(t.text)
            elif t.kind == "CMD" and t.text in MUL_CMDS:
                if stop_at_function:
                    break
                self.advance()
                ops.append(MUL_CMDS[t.text])
            elif self.starts_operand():
                if ops[-1] == "/":  # 1/2x: (1/2)x or 1/(2x)? neither is guessed, as in the text reader
                    raise self.error("a product right after '/' is ambiguous: write \\frac{a}{b} c for the product, "
                                     "or \\frac{a}{b c} to divide by it")
                ops.append("*")
            elif t.kind == "NUM":
                raise self.error(f"missing operator before number {t.text}")
            else:
                break
            pos.append(t.pos)
            args.append(self.power() if stop_at_function else self.unary())
        return first if len(args) == 1 else sx.Mul(tuple(args), tuple(ops), tuple(pos))

    def unary(self) -> sx.Node:
        if self.op("-", "+"):
            t = self.advance()
            self.enter(t.pos)
            operand = self.unary()
            self.leave()
            return sx.Neg(operand, t.pos) if t.text == "-" else operand
        return self.power()

    def power(self) -> sx.Node:
        node = self.atom()
        while True:
            if self.op("^"):
                t = self.advance()
                node = self.superscript(node, t)
                if self.op("^"):
                    raise self.error("double superscript: use braces, x^{a^{b}}")
            elif self.op("'"):
                j = self.i
                while self.tokens[j].kind == "OP" and self.tokens[j].text == "'":
                    j += 1
                if self.depth == 0 and self.tokens[j].kind == "END":
                    return node  # (...)' on the whole formula: the caller reads it as a derivative
                raise self.error("a prime on an expression is read only on the whole formula, (...)'; "
                                 "write ^T or ^\\top for a transpose")
            elif self.op("!"):
                t = self.advance()
                node = sx.Call("factorial", (node,), t.pos)
            else:
                return node

    def superscript(self, base: sx.Node, t: Tok) -> sx.Node:
        """After '^': a transpose, an inverse transpose, or an exponent (one character or a group)."""
        kind = self.script_kind()
        if not kind and self.op("{") and self.peek().kind == "CMD" and self.peek().text == "circ":
            k = self.peek(2)  # A^{\circ 2}: the Hadamard power, as jacli prints it
            if k.kind == "NUM" and k.text.isdigit() and 1 <= int(k.text) <= 16 and self.peek(3).text == "}":
                self.i += 4
                n = int(k.text)
                return base if n == 1 else sx.Mul((base,) * n, ("*",) + (".*",) * (n - 1), (t.pos,) * n)
            raise self.error("a Hadamard power is ^{\\circ k} with k a whole number from 1 to 16")
        if kind == "T":
            return sx.Transpose(base, t.pos)
        if kind == "-T":
            return sx.Transpose(sx.Pow(base, sx.Neg(sx.Num("1", t.pos), t.pos), t.pos), t.pos)
        self.enter(t.pos)
        exp = self.script(t)
        self.leave()
        return sx.Pow(base, exp, t.pos)

    def script_kind(self) -> str:
        """'T' for ^T/^\\top/^{\\top}, '-T' for ^{-\\top}, '' otherwise (nothing consumed then)."""
        t, k = self.tok, 0
        braced = t.kind == "OP" and t.text == "{"
        if braced:
            k = 1
        neg = self.peek(k).kind == "OP" and self.peek(k).text == "-" and braced
        k += 1 if neg else 0
        inner = self.peek(k)
        is_t = (inner.kind == "CMD" and inner.text in ("top", "intercal")) or (
            inner.kind in ("LETTER", "WORD") and inner.text == "T" and "T" not in self.shaped)
        if not is_t or (braced and not (self.peek(k + 1).kind == "OP" and self.peek(k + 1).text == "}")):
            return ""
        self.i += k + (2 if braced else 1)
        return "-T" if neg else "T"

    def script(self, t: Tok) -> sx.Node:
        """One character or a braced group (TeX's rule for ^ and _)."""
        s = self.tok
        if s.kind == "OP" and s.text == "{":
            return self.group()
        if s.kind == "NUM":
            self.advance()
            if len(s.text) > 1:
                raise ParseError(f"in LaTeX '^{s.text}' is ^{s.text[0]} followed by {s.text[1:]}; "
                                 f"write ^{{{s.text}}}", self.text, s.pos)
            return sx.Num(s.text, s.pos)
        if s.kind in ("LETTER", "WORD"):
            self.advance()
            return sx.Name(self.checked(s.text, s.pos), s.pos)
        if s.kind == "CMD" and (s.text in GREEK_NAMES or s.text in ACCENTS or s.text in ("frac", "sqrt")):
            return self.atom()
        if s.kind == "OP" and s.text in "+-":
            raise self.error(f"in LaTeX a script is one character: write ^{{{s.text}...}} in braces")
        raise self.error(f"'{t.text}' needs a script: one character or a group in braces")

    def group(self) -> sx.Node:
        """'{' expr '}'."""
        opener = self.expect_op("{")
        self.enter(opener.pos)
        if self.op("}"):
            raise self.error("empty group {}")
        node = self.expr()
        self.expect_op("}", opener)
        self.leave()
        return node

    def argument(self) -> sx.Node:
        """The argument of \\frac, \\sqrt, \\hat: a group, or one token as TeX takes it."""
        t = self.tok
        if t.kind == "OP" and t.text == "{":
            return self.group()
        if t.kind == "NUM":
            self.advance()
            if len(t.text) > 1:  # \frac12 is 1/2: TeX takes one digit
                rest = sx.Num(t.text[1:], t.pos + 1)
                self.tokens.insert(self.i, Tok("NUM", rest.text, rest.pos))
            return sx.Num(t.text[0], t.pos)
        if t.kind in ("LETTER", "CMD", "WORD"):
            return self.atom(scripts=False)
        raise self.error(f"an argument is needed here, found {describe(t)}")

    # --- atoms ---------------------------------------------------------------------------------
    def checked(self, name: str, pos: int) -> str:
        sx.check_name(name, self.text, pos)
        return name

    def is_function_start(self) -> bool:
        t = self.tok
        if t.kind == "CMD":
            return t.text in FUNCTION_CMDS or t.text in ("sqrt", "frac", "dfrac", "tfrac")
        return t.kind == "WORD" and t.text in self.functions

    def function_name(self, t: Tok) -> str:
        name = t.text
        if name in self.functions:
            return name
        if name in FALLBACK and FALLBACK[name] in self.functions:
            return FALLBACK[name]
        raise ParseError(f"\\{name} is not a function jacli knows", self.text, t.pos)

    def atom(self, scripts: bool = True) -> sx.Node:
        t = self.tok
        if t.kind == "NUM":
            self.advance()
            return sx.Num(t.text, t.pos)
        if t.kind == "LETTER" or (t.kind == "WORD" and t.text not in self.functions):
            return self.name_atom(scripts)
        if t.kind == "WORD":
            self.advance()
            return self.apply(t.text, t, scripts)
        if t.kind == "OP":
            return self.bracket(t)
        if t.kind == "LEFT":
            return self.left_right(t)
        if t.kind == "BEGIN":
            return environment(self, t)
        if t.kind == "CMD":
            return self.command(t, scripts)
        if t.kind == "END":
            raise self.error("the formula ends too early")
        raise self.error(f"unexpected {describe(t)}; an operand is needed here")

    def name_atom(self, scripts: bool = True) -> sx.Node:
        t = self.advance()
        name = t.text
        if t.kind == "LETTER":
            word = self.function_word(t)
            if word:
                return self.call(word, t.pos)
            name = self.long_name(t)
            if name == t.text:
                self.refuse_run(t)
            if self.tok.kind == "NUM" and not self.tok.space and self.tok.text.isdigit():
                name += self.advance().text  # x1 as written: the name x1, as in the text language
        return self.after_name(name, t.pos, scripts)

    def refuse_run(self, t: Tok) -> None:
        """Three or more letters in a row (xyz, touch) are refused: a product or a name? Write which."""
        run, j = t.text, self.i
        while self.tokens[j].kind == "LETTER" and not self.tokens[j].space:
            run += self.tokens[j].text
            j += 1
        if len(run) > 12:
            raise ParseError(f"'{run[:12]}...': {len(run)} letters in a row; write a product with spaces or "
                             f"\\cdot, and a name as \\mathit{{...}}", self.text, t.pos)
        if len(run) >= 3:
            raise ParseError(f"'{run}': write {' '.join(run)} (with spaces) for a product, or "
                             f"\\mathit{{{run}}} for one name", self.text, t.pos)

    def function_word(self, t: Tok) -> str:
        """sin(x) typed without the backslash: a run of letters spelling a function, right before '('."""
        run, j = t.text, self.i
        while self.tokens[j].kind == "LETTER" and not self.tokens[j].space and len(run) < 16:
            run += self.tokens[j].text
            j += 1
        nxt = self.tokens[j]
        if len(run) > 1 and run in self.functions and nxt.kind == "OP" and nxt.text == "(" and not nxt.space:
            self.i = j
            return run
        return ""

    def long_name(self, t: Tok) -> str:
        """A declared multi-letter name spelled out letter by letter (zh, lr) is that name."""
        if not self.long_names:
            return t.text
        run, j = t.text, self.i
        while self.tokens[j].kind == "LETTER" and not self.tokens[j].space and len(run) < sx.MAX_NAME:
            run += self.tokens[j].text
            j += 1
        for name in self.long_names:
            if run.startswith(name):
                self.i += len(name) - 1
                return name
        return t.text

    def after_name(self, name: str, pos: int, scripts: bool = True) -> sx.Node:
        """Subscripts, primes and a call after a name: x_1, w_{11}, x_{0} (declared x), f'(x)."""
        if scripts and self.op("_"):
            u = self.advance()
            sub = self.subscript_parts(u)
            if all(s.isdigit() for s in sub) and (name in self.shaped or (name in self.functions and len(sub) <= 2)):
                if name in self.shaped:
                    return sx.Index(sx.Name(self.checked(name, pos), pos),
                                    tuple(sx.Num(s, u.pos) for s in sub), u.pos)
                else:
                    return self.call(name, pos, partials=tuple(int(s) - 1 for s in sub))
            elif len(sub) == 1:
                name = name + sub[0]
            else:
                raise ParseError("a subscript with commas indexes a declared vector or matrix (-v)", self.text, u.pos)
        primes = 0
        while True:
            if self.op("'"):
                self.i += 1
                primes += 1
            elif self.op("^") and self.peek().kind == "CMD" and self.peek().text == "prime":
                self.i += 2
                primes += 1
            elif self.op("^") and self.peek().text == "{" and self.peek(2).text == "prime" and self.peek(2).kind == "CMD":
                j = self.i + 2
                while self.tokens[j].kind == "CMD" and self.tokens[j].text == "prime":
                    j += 1
                if not (self.tokens[j].kind == "OP" and self.tokens[j].text == "}"):
                    break
                primes += j - self.i - 2
                self.i = j + 1
            else:
                break
        if name in self.functions or primes:
            if name not in self.functions:
                raise ParseError(f"{name}' is the derivative of a function (declare it with --func {name}); "
                                 f"a transpose is {name}^T or {name}^\\top", self.text, self.tokens[self.i - 1].pos)
            if (name in sx.CONSTANT_NAMES or name in sx.CALL_ONLY_NAMES) and not self.opens_call():
                return sx.Name(name, pos)  # I alone is a name, I(n) the identity (as in the text language)
            power: sx.Node | None = None
            if self.op("^") and not primes:  # g^{3}{\left(x \right)}: sympy's power of a call
                caret = self.advance()
                power = self.script(caret)
            node = self.call(name, pos, primes=primes)
            return sx.Pow(node, power, pos) if power is not None else node
        if self.op("(") and not self.tok.space and self.simple_call_args():
            raise self.error(f"{name}(...) reads as a function: declare it with --func {name}, "
                             f"or write {name} \\cdot (...) for a product")
        return sx.Name(self.checked(name, pos), pos)

    def subscript_parts(self, u: Tok) -> list[str]:
        """The text of a subscript: one name part, or comma-separated integers."""
        t = self.tok
        if t.kind in ("NUM", "LETTER", "WORD"):
            self.advance()
            return [t.text if t.kind != "NUM" else t.text[0]] + self.split_digits(t)
        if t.kind == "CMD" and t.text in GREEK_NAMES:
            self.advance()
            return [GREEK_NAMES[t.text]]
        opener = self.expect_op("{")
        parts, cur = [], ""
        while not self.op("}"):
            s = self.advance()
            if s.kind in ("NUM", "LETTER", "WORD"):
                cur += s.text
            elif s.kind == "CMD" and s.text in GREEK_NAMES:
                cur += GREEK_NAMES[s.text]
            elif s.kind == "OP" and s.text == ",":
                parts.append(cur)
                cur = ""
            else:
                raise ParseError(f"a subscript is a name or indices, not {describe(s)}", self.text, s.pos)
        self.expect_op("}", opener)
        parts.append(cur)
        if not all(parts) or (len(parts) > 1 and not all(p.isdigit() for p in parts)):
            raise ParseError("a subscript is a name or indices", self.text, u.pos)
        return parts

    def split_digits(self, t: Tok) -> list[str]:
        if t.kind == "NUM" and len(t.text) > 1:
            raise ParseError(f"in LaTeX '_{t.text}' is _{t.text[0]} followed by {t.text[1:]}; write _{{{t.text}}}",
                             self.text, t.pos)
        return []

    def simple_call_args(self) -> bool:
        """'(' name (',' name)* ')' next: function notation such as f(x), z_1(x)."""
        j = self.i + 1
        while True:
            if self.tokens[j].kind not in ("LETTER",):
                return False
            j += 1
            while self.tokens[j].kind == "OP" and self.tokens[j].text == "_":
                j += 2
            if self.tokens[j].kind == "OP" and self.tokens[j].text == ",":
                j += 1
                continue
            return self.tokens[j].kind == "OP" and self.tokens[j].text == ")"

    def opens_call(self) -> bool:
        t = self.tok
        return (t.kind == "OP" and t.text == "(") or (t.kind == "LEFT" and t.text == "(") or (
            t.kind == "OP" and t.text == "{" and self.peek().kind == "LEFT" and self.peek().text == "(")

    def call(self, name: str, pos: int, primes: int = 0, partials: tuple[int, ...] = ()) -> sx.Node:
        """name(args), name\\left(args\\right) or name{\\left(args\\right)} (sympy's spelling)."""
        if not self.opens_call():
            raise self.error(f"{name} needs its argument in parentheses")
        t = self.advance()
        braced = t.kind == "OP" and t.text == "{"
        if braced:
            t = self.advance()
        self.enter(t.pos)
        args = [self.expr()]
        while self.op(","):
            self.advance()
            args.append(self.expr())
        self.close(t)
        if braced:
            self.expect_op("}")
        self.leave()
        return sx.Call(name, tuple(args), pos, primes, partials)

    def close(self, opener: Tok) -> None:
        if opener.kind == "LEFT":
            if self.tok.kind != "RIGHT":
                raise self.error(f"expected \\right to close \\left at column {opener.pos + 1}, found {describe(self.tok)}")
            self.advance()
        else:
            self.expect_op(")", opener)

    def apply(self, name: str, t: Tok, scripts: bool = True) -> sx.Node:
        """A function: \\sin x, \\sin(x), \\sin^2 x, \\log\\det X, \\sin{\\left(x \\right)}."""
        power: sx.Node | None = None
        if self.op("_") and name == "log":  # \log_2 x, \log_{10} x
            u = self.advance()
            base = "".join(self.subscript_parts(u))
            if f"log{base}" not in self.functions:
                bases = sorted(f for f in self.functions if f.startswith("log") and f[3:].isdigit())
                raise ParseError(f"\\log_{{{base}}} is not supported: jacli has " + ", ".join(["log (natural)", *bases]),
                                 self.text, u.pos)
            name = f"log{base}"
        if self.op("^"):
            p = self.advance()
            if self.op("{") and self.peek().kind == "OP" and self.peek().text == "-" or self.op("-"):
                raise ParseError(f"\\{name}^{{-1}} is ambiguous: write \\arc{name} x or (\\{name} x)^{{-1}}",
                                 self.text, p.pos)
            power = self.script(p)
        if self.opens_call():
            node = self.call(name, t.pos)
        else:
            if self.tok.kind in ("END", "RIGHT") or (self.tok.kind == "OP" and self.tok.text in ")]},=&+"):
                raise self.error(f"{name} needs an argument")
            self.enter(t.pos)
            arg = self.unary() if self.op("-") else self.term(stop_at_function=not self.is_function_start())
            self.leave()
            node = sx.Call(name, (arg,), t.pos)
        return sx.Pow(node, power, t.pos) if power is not None else node

    def bracket(self, t: Tok) -> sx.Node:
        closers = {"(": ")", "[": "]", "{": "}", "|": "|", "\\|": "\\|", "\\{": "\\}"}
        if t.text not in closers:
            raise self.error(f"unexpected {describe(t)}; an operand is needed here")
        self.advance()
        self.enter(t.pos)
        if t.text == "|":
            self.abs_open += 1
        elif t.text == "\\|":
            self.norm_open += 1
        if t.text == "\\{":
            node = sequence(self, t)
        else:
            if self.op(closers[t.text]):
                raise self.error("nothing between the brackets")
            node = self.expr()
            if self.op(","):
                raise self.error("a list in brackets is not an expression: write a vector as a bmatrix")
            self.expect_op(closers[t.text], t)
        if t.text == "|":
            self.abs_open -= 1
            node = sx.Call("abs", (node,), t.pos)
        elif t.text == "\\|":
            self.norm_open -= 1
            node = sx.Call("norm", (node,), t.pos)
        self.leave()
        return node

    def left_right(self, t: Tok) -> sx.Node:
        self.advance()
        self.enter(t.pos)
        if t.text == "|":
            self.abs_open += 1
        node = self.expr()
        if self.op(","):
            raise self.error("a list in brackets is not an expression: write a vector as a bmatrix")
        if self.tok.kind != "RIGHT":
            raise self.error(f"expected \\right to close \\left at column {t.pos + 1}, found {describe(self.tok)}")
        r = self.advance()
        pairs = {"(": ")", "[": "]", "{": "}", "|": "|", "||": "||"}
        if pairs.get(t.text) != r.text:
            raise ParseError(f"\\left{t.text} is closed by \\right{r.text}", self.text, r.pos)
        if t.text == "|":
            self.abs_open -= 1
            node = sx.Call("abs", (node,), t.pos)
        elif t.text == "||":
            node = sx.Call("norm", (node,), t.pos)
        self.leave()
        return node

    def command(self, t: Tok, scripts: bool) -> sx.Node:
        name = t.text
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            self.advance()
            self.enter(t.pos)
            if derivative_frac(self.tokens, self.i):
                raise self.error("a derivative is read only as the formula's operator, at its start", t.pos)
            num = self.argument()
            den = self.argument()
            self.leave()
            return sx.Mul((num, den), ("*", "/"), (sx.start(num), t.pos))
        if name == "sqrt":
            self.advance()
            self.enter(t.pos)
            index: sx.Node | None = None
            if self.op("["):
                o = self.advance()
                index = self.expr()
                self.expect_op("]", o)
            body = self.argument()
            self.leave()
            if index is None:
                return sx.Call("sqrt", (body,), t.pos)
            return sx.Pow(body, sx.Mul((sx.Num("1", t.pos), index), ("*", "/"), (t.pos, t.pos)), t.pos)
        if name in FUNCTION_CMDS:
            self.advance()
            return self.apply(self.function_name(t), t, scripts)
        if name == "sigma" and self.peek().kind in ("OP", "LEFT") and self.peek().text == "(" and "sigmoid" in self.functions:
            self.advance()
            return self.call("sigmoid", t.pos)
        if name in ("Delta", "delta") and self.peek().kind == "LETTER":  # \Delta x: one name, the increment
            self.advance()
            letter = self.advance()
            return self.after_name(name + letter.text, t.pos, scripts)
        if name in GREEK_NAMES:
            self.advance()
            return self.after_name(GREEK_NAMES[name], t.pos, scripts) if name != "infty" else sx.Name("oo", t.pos)
        if name in ACCENTS:
            self.advance()
            inner = self.argument()
            if not isinstance(inner, sx.Name):
                raise ParseError(f"\\{name} is read on a name (\\{name}{{z}} is z{ACCENTS[name]})", self.text, t.pos)
            return self.after_name(inner.name + ACCENTS[name], inner.pos, scripts)
        if name in UNSUPPORTED:
            raise self.error(f"\\{name} is not supported: {UNSUPPORTED[name]}")
        raise self.error(f"\\{name} is not supported in jacli's LaTeX")
