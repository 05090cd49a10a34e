"""A pasted LaTeX formula as a whole: its sides, its head (``y =``, ``f(x) =``) and its operator.

``read`` is the entry point of the LaTeX reader: it gives a :class:`Formula`, the syntax tree of
the side to compute, the operator the formula carries (``\\lim_{x \\to a}``, ``\\frac{d}{dx}``,
``\\frac{\\partial^2}{\\partial x \\partial y}``, ``\\nabla_W``, ``\\nabla^2_x``, ``(...)'``) and its other
sides, which state results (``\\lim_{x \\to 3} x^2 = 9``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import syntax as sx
from .errors import ParseError
from .texlex import GREEK_NAMES, Tok, derivative_frac, is_d, matching, tokenize
from .texread import TexParser


@dataclass
class Operator:
    """The operator a formula carries: what command it is, and its VAR/POINT/--wrt."""

    command: str  # limit, diff, grad, hessian
    pos: int
    var: str | None = None  # limit
    point: sx.Node | None = None  # limit
    side: str | None = None  # '+', '-' or None
    wrt: tuple[str, ...] = ()  # diff: with repetition (d^2/dx^2 is (x, x)); grad, hessian
    spelled: str = ""  # how the formula wrote it, for messages


@dataclass
class Formula:
    node: sx.Node
    op: Operator | None = None
    stated: list[tuple[sx.Node, int]] = field(default_factory=list)  # other sides of '='
    notes: list[str] = field(default_factory=list)


_WRAPPERS = {"equation", "equation*", "align", "align*", "aligned", "split", "gather", "gather*", "gathered",
             "displaymath", "math"}
_RELATIONS = {"approx", "simeq", "equiv", "le", "leq", "ge", "geq", "neq", "ne", "sim", "propto"}


def read(text: str, functions: frozenset[str] | set[str], shaped: frozenset[str] | set[str] = frozenset(),
         names: frozenset[str] | set[str] = frozenset()) -> Formula:
    """Read LaTeX math into a Formula (see the module docstring)."""
    tokens = _unwrap(text, tokenize(text))
    sides = _sides(text, tokens)
    notes: list[str] = []
    if len(sides) > 1 and _is_head(sides[0]):
        sides = sides[1:]
    results: list[tuple[sx.Node, Operator | None] | ParseError] = []
    for side in sides:
        try:
            results.append(_side(text, side, functions, shaped, names))
        except ParseError as err:
            if len(sides) == 1 or _may_carry_operator(side):
                raise
            results.append(err)
    with_op = [k for k, r in enumerate(results) if not isinstance(r, ParseError) and r[1] is not None]
    if len(with_op) > 1:
        raise ParseError("the formula carries two operators; paste one of them", text, sides[with_op[1]][0].pos)
    main = with_op[0] if with_op else len(sides) - 1
    chosen = results[main]
    if isinstance(chosen, ParseError):
        raise chosen
    stated: list[tuple[sx.Node, int]] = []
    for k, r in enumerate(results):
        if k == main:
            continue
        if isinstance(r, ParseError):
            notes.append(f"the side at column {sides[k][0].pos + 1} is not read ({r.message})")
        elif r[1] is None:
            stated.append((r[0], sides[k][0].pos))
    return Formula(chosen[0], chosen[1], stated, notes)


def _may_carry_operator(side: list[Tok]) -> bool:
    """A side that fails to read is skipped (with a note) only if it cannot be the one to compute."""
    return any((t.kind == "CMD" and t.text in ("lim", "nabla", "partial")) or (t.kind == "OP" and t.text == "'")
               or (t.kind == "CMD" and t.text in ("frac", "dfrac", "tfrac") and derivative_frac(side, k + 1))
               for k, t in enumerate(side))


def _unwrap(text: str, tokens: list[Tok]) -> list[Tok]:
    """Drop \\begin{equation}/\\end{equation} and the like, \\tag{..}, alignment '&' and a final '.' or ','."""
    out: list[Tok] = []
    skip_group = False
    depth = 0
    for t in tokens:
        if t.kind in ("BEGIN", "ENDENV") and t.text in _WRAPPERS:
            continue
        if t.kind == "CMD" and t.text == "tag":
            skip_group = True
            continue
        if skip_group:
            if t.kind == "OP" and t.text == "{":
                depth += 1
            elif t.kind == "OP" and t.text == "}":
                depth -= 1
                if depth == 0:
                    skip_group = False
            continue
        out.append(t)
    envs = 0
    kept: list[Tok] = []
    for t in out:
        envs += t.kind == "BEGIN"
        envs -= t.kind == "ENDENV"
        if envs == 0 and t.kind == "OP" and t.text == "&":
            continue  # align's column marks
        if envs == 0 and t.kind == "OP" and t.text == "\\\\":
            raise ParseError("the formula has several lines; paste one of them", text, t.pos)
        kept.append(t)
    while len(kept) > 1 and kept[-2].kind == "OP" and kept[-2].text in (".", ",", ";"):
        kept.pop(-2)
    return kept


def _sides(text: str, tokens: list[Tok]) -> list[list[Tok]]:
    """Split at '=' outside brackets; a trailing '\\in \\mathbb{R}^n' (a domain) is dropped."""
    sides: list[list[Tok]] = [[]]
    depth = 0
    for t in tokens[:-1]:
        if t.kind in ("LEFT", "BEGIN") or (t.kind == "OP" and t.text in ("(", "[", "{", "\\{")):
            depth += 1
        elif t.kind in ("RIGHT", "ENDENV") or (t.kind == "OP" and t.text in (")", "]", "}", "\\}")):
            depth -= 1
        if depth == 0 and t.kind == "CMD" and t.text == "in":
            break
        if depth == 0 and t.kind == "CMD" and t.text in _RELATIONS:
            raise ParseError(f"\\{t.text} is a relation; paste one side of it", text, t.pos)
        if depth == 0 and t.kind == "OP" and t.text == "=":
            sides.append([])
            continue
        sides[-1].append(t)
    end = tokens[-1]
    for side in sides:
        if not side:
            raise ParseError("an empty side of '='", text, end.pos)
        side.append(Tok("END", "", end.pos))
    return sides


def _is_head(side: list[Tok]) -> bool:
    """y, f(x), f'(x), z(x), \\hat{y}, y_i, L(w, b): a name being defined (dropped with its '=')."""
    k = 0
    t = side[0]
    if t.kind == "CMD" and t.text in ("hat", "bar", "tilde", "widehat"):
        k = 1
        if side[k].kind == "OP" and side[k].text == "{":
            k = matching(side, k) + 1
        else:
            k += 1
    elif t.kind in ("LETTER", "WORD") or (t.kind == "CMD" and t.text in GREEK_NAMES and t.text != "infty"):
        k = 1
        if t.kind == "CMD" and t.text in ("Delta", "delta") and side[1].kind == "LETTER":
            k = 2
    else:
        return False
    if side[k].kind == "OP" and side[k].text == "_":
        k += 1
        k = matching(side, k) + 1 if side[k].kind == "OP" and side[k].text == "{" else k + 1
    while side[k].kind == "OP" and side[k].text == "'":
        k += 1
    if (side[k].kind == "OP" and side[k].text == "(") or (side[k].kind == "LEFT" and side[k].text == "("):
        k = matching(side, k) + 1
    return side[k].kind == "END"


def _side(text: str, side: list[Tok], functions: frozenset[str] | set[str], shaped: frozenset[str] | set[str],
          names: frozenset[str] | set[str]) -> tuple[sx.Node, Operator | None]:
    p = TexParser(text, side, functions, shaped, names)
    op = _operator(p)
    if p.tok.kind == "END":
        if op is not None:
            raise p.error(f"{op.spelled} needs an expression to apply to")
        raise p.error("empty expression")
    start = p.i
    node = p.expr()
    if p.tok.kind == "OP" and p.tok.text == "'" and op is None:  # (f(x) g(x))': the derivative
        opener = side[start]
        closes = matching(side, start) == p.i - 1 and (opener.kind == "LEFT" or opener.text in "([{")
        primes = 0
        while p.tok.kind == "OP" and p.tok.text == "'":
            p.advance()
            primes += 1
        if closes and p.tok.kind == "END":
            op = Operator("diff", opener.pos, wrt=("",) * primes, spelled="(...)" + "'" * primes)
        else:
            raise ParseError("a prime is read on a function, f'(x), or on the whole formula, (...)'", text,
                             p.tokens[p.i - 1].pos)
    if p.tok.kind != "END":
        t = p.tok
        if t.kind in ("RIGHT", "ENDENV") or (t.kind == "OP" and t.text in (")", "]", "}", "\\}")):
            raise p.error(f"unmatched {_describe(t)}")
        raise p.error(f"unexpected {_describe(t)}")
    applied = op is not None and op.command != "limit" and not op.spelled.startswith("(")
    if op is not None and applied and isinstance(node, sx.Add) and not _one_group(side, start):
        raise ParseError(f"put what {op.spelled} applies to in parentheses: it is a sum", text, side[start].pos)
    return node, op


def _describe(t: Tok) -> str:
    from .texlex import describe

    return describe(t)


def _one_group(side: list[Tok], start: int) -> bool:
    t = side[start]
    if not (t.kind == "LEFT" or (t.kind == "OP" and t.text in ("(", "[", "{"))):
        return False
    return side[matching(side, start) + 1].kind == "END"


def _operator(p: TexParser) -> Operator | None:
    t = p.tok
    if t.kind == "CMD" and t.text == "lim":
        return _limit(p)
    if t.kind == "CMD" and t.text in ("frac", "dfrac", "tfrac") and _frac_is_derivative(p):
        return _derivative(p)
    if t.kind == "CMD" and t.text == "nabla":
        return _nabla(p)
    return None


def _frac_is_derivative(p: TexParser) -> bool:
    from .texlex import derivative_frac

    return derivative_frac(p.tokens, p.i + 1)


def _sub_parser(p: TexParser, toks: list[Tok]) -> TexParser:
    end = toks[-1].pos + 1 if toks else p.tok.pos
    return TexParser(p.text, [*toks, Tok("END", "", end)], p.functions, p.shaped, set(p.long_names))


def _variable(p: TexParser, toks: list[Tok], what: str) -> str:
    """A variable written in an operator (x, x_1, \\theta, \\mathbf{W}, {x_j}, W_{0,1})."""
    if not toks:
        raise p.error(f"{what} needs a variable")
    q = _sub_parser(p, toks)
    node = q.power()
    if q.tok.kind != "END":
        raise ParseError(f"{what}: one variable is expected here", p.text, q.tok.pos)
    if isinstance(node, sx.Name):
        return node.name
    if isinstance(node, sx.Index) and isinstance(node.operand, sx.Name):
        return f"{node.operand.name}[{','.join(i.text for i in node.indices if isinstance(i, sx.Num))}]"
    raise ParseError(f"{what}: a variable is expected", p.text, toks[0].pos)


def _group_tokens(p: TexParser) -> list[Tok]:
    """The tokens of the group or single token at p.i (consumed)."""
    if p.op("{"):
        j = matching(p.tokens, p.i)
        toks = p.tokens[p.i + 1 : j]
        p.i = j + 1
        return toks
    if p.tok.kind == "END":
        return []
    return [p.advance()]


def _limit(p: TexParser) -> Operator:
    t = p.advance()
    if not p.op("_"):
        raise p.error("\\lim needs its subscript: \\lim_{x \\to a}")
    p.advance()
    toks = _group_tokens(p)
    arrow = next((k for k, s in enumerate(toks) if s.kind == "CMD" and s.text in ("to", "rightarrow", "longrightarrow")),
                 None)
    if arrow is None:
        raise ParseError("\\lim_{...} needs an arrow: \\lim_{x \\to a}", p.text, toks[0].pos if toks else t.pos)
    var = _variable(p, toks[:arrow], "\\lim")
    point = toks[arrow + 1 :]
    side = None
    if len(point) >= 2 and point[-2].text == "^" and point[-1].text in "+-" and point[-2].kind == "OP":
        side, point = point[-1].text, point[:-2]
    elif (len(point) >= 4 and point[-4].text == "^" and point[-3].text == "{" and point[-2].text in "+-"
          and point[-1].text == "}"):
        side, point = point[-2].text, point[:-4]
    elif len(point) >= 2 and point[-1].kind == "OP" and point[-1].text in "+-":
        side, point = point[-1].text, point[:-1]
    if not point:
        raise ParseError("\\lim_{x \\to ...} needs a point", p.text, toks[arrow].pos)
    q = _sub_parser(p, point)
    node = q.expr()
    if q.tok.kind != "END":
        raise ParseError(f"unexpected {_describe(q.tok)} in the limit point", p.text, q.tok.pos)
    p.limit_var = var
    return Operator("limit", t.pos, var=var, point=node, side=side, spelled="\\lim")


def _order(p: TexParser, toks: list[Tok], k: int) -> tuple[int, int]:
    """An optional ^k or ^{k} at toks[k]: (order, index after it)."""
    if k < len(toks) and toks[k].kind == "OP" and toks[k].text == "^":
        if k + 1 < len(toks) and toks[k + 1].kind == "NUM":
            return int(toks[k + 1].text), k + 2
        if k + 3 < len(toks) and toks[k + 1].text == "{" and toks[k + 2].kind == "NUM" and toks[k + 3].text == "}":
            return int(toks[k + 2].text), k + 4
        raise ParseError("the order of a derivative is a number: d^2, d^{2}", p.text, toks[k].pos)
    return 1, k


def _derivative(p: TexParser) -> Operator:
    t = p.advance()
    num = _group_tokens(p)
    den = _group_tokens(p)
    partial = num[0].kind == "CMD"
    order, k = _order(p, num, 1)
    if order > 50:
        raise ParseError("the order of a derivative is limited to 50", p.text, num[0].pos)
    wrt: list[str] = []
    k2 = 0
    while k2 < len(den):
        if not is_d(den[k2]):
            raise ParseError("the denominator of a derivative is d x, \\partial x \\partial y, d x^2", p.text,
                             den[k2].pos)
        j = k2 + 1
        while j < len(den) and not is_d(den[j]) and not (den[j].kind == "OP" and den[j].text == "^"):
            j += 1
        var = _variable(p, den[k2 + 1 : j], "the derivative")
        times, j = _order(p, den, j)
        wrt += [var] * times
        k2 = j
    if len(wrt) != order:
        raise ParseError(f"the derivative's order {order} does not match its denominator ({len(wrt)} variables)",
                         p.text, t.pos)
    operand = num[k:]
    spelled = "\\frac{" + ("\\partial" if partial else "d") + "}{...}"
    if operand:  # \frac{d y}{d x}: the operand is in the numerator
        if p.tok.kind != "END":
            raise p.error(f"unexpected {_describe(p.tok)} after {spelled}")
        p.tokens[p.i : p.i] = operand
    return Operator("diff", t.pos, wrt=tuple(wrt), spelled=spelled)


def _nabla(p: TexParser) -> Operator:
    t = p.advance()
    order = 1
    wrt: tuple[str, ...] = ()
    for _ in range(2):
        if p.op("^"):
            caret = p.advance()
            order, _k = _order(p, [caret, *_group_tokens_with_braces(p)], 0)
        elif p.op("_"):
            p.advance()
            toks = _group_tokens(p)
            parts: list[list[Tok]] = [[]]
            for s in toks:
                if s.kind == "OP" and s.text == ",":
                    parts.append([])
                else:
                    parts[-1].append(s)
            wrt = tuple(_variable(p, part, "\\nabla") for part in parts)
    if order not in (1, 2):
        raise ParseError("\\nabla^k: only the gradient and the Hessian (\\nabla^2) are read", p.text, t.pos)
    command = "grad" if order == 1 else "hessian"
    return Operator(command, t.pos, wrt=wrt, spelled="\\nabla" if order == 1 else "\\nabla^2")


def _group_tokens_with_braces(p: TexParser) -> list[Tok]:
    start = p.i
    _group_tokens(p)
    return p.tokens[start : p.i]
