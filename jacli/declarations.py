"""Declarations and lowering: jacli syntax trees -> sympy objects, with shape checking.

A lowered value is a sympy scalar expression or an ``ImmutableMatrix`` (concrete shapes). A 1x1
result of any operation is a scalar, as in written mathematics (xᵀx is a number). Variables
declared with a concrete shape become matrices of entry symbols named ``x[0]`` or ``W[0,1]``
(0-based, as in numpy), which jacli's parser reads back as indexing.

No user text reaches sympy: numbers are built from validated digit strings, names from
validated identifiers, and every operation is an explicit sympy call chosen here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from . import syntax as sx
from .arrays import SIZED_FUNCTIONS
from .builtins import (  # noqa: F401 - the vocabulary, used through jacli.declarations elsewhere
    BUILTIN_FUNCTIONS,
    CONSTANTS,
    DECLARABLE_BUILTINS,
    ELEMENTWISE,
    MATRIX_FUNCTIONS,
    SPELLINGS,
    Value,
    as_value,
    check_numbers,
    check_power,
    check_size,
    entry_name,
    shape_of,
    split_entry,
    symbol,
)
from .errors import ParseError, ShapeError, UnsupportedError, UsageError
from .lowering import (  # noqa: F401 - the explicit lowerer, used through jacli.declarations elsewhere
    ChainLowering,
    Lowerer,
    applied_derivative,
    number,
    symbolic_product,
)
from .shapes import SCALAR, Shape, a_shape, format_shape, is_concrete, parse_declaration, split_symmetric


@dataclass
class Workspace:
    """Declarations shared by every expression of one command.

    ``shapes``: declared variables (NAME -> shape); ``funcs``: abstract functions (NAME -> arity
    or None for any); ``lets``: ordered (NAME, EXPR text) definitions usable in expressions.
    """

    shapes: dict[str, Shape] = field(default_factory=dict)
    funcs: dict[str, int | None] = field(default_factory=dict)
    lets: list[tuple[str, str]] = field(default_factory=list)
    symmetric: set[str] = field(default_factory=set)  # matrices declared NAME:n,n:sym
    input: str = "auto"  # the input language: auto (LaTeX if there is a backslash or brace), latex, text
    _formulas: dict[str, Any] = field(default_factory=dict, repr=False)
    _let_nodes: dict[str, sx.Node] = field(default_factory=dict, repr=False)
    _let_values: dict[str, Value] = field(default_factory=dict, repr=False)
    _vars: dict[str, Value] = field(default_factory=dict, repr=False)
    _fn: dict[str, Any] = field(default_factory=dict, repr=False)
    #: what the reader should know about how the input was read (shown as notes); see take_notes
    notes: list[str] = field(default_factory=list, repr=False)
    #: the names the current command differentiates by or moves (VAR, --wrt): never glued names
    stated: set[str] = field(default_factory=set, repr=False)
    _parsed: Any = field(default=None, repr=False)

    # construction from command-line style declarations
    @classmethod
    def from_options(
        cls,
        var: list[str] | tuple[str, ...] = (),
        func: list[str] | tuple[str, ...] = (),
        let: list[str] | tuple[str, ...] = (),
        shapes: Mapping[str, str | Shape] | None = None,
        input: str = "auto",
    ) -> Workspace:
        if input not in ("auto", "latex", "text"):
            raise UsageError(f"unknown --input {input!r}: use latex or text")
        ws = cls(input=input)
        for decl in var:
            decl, sym = split_symmetric(decl)
            name, shape = parse_declaration(decl)
            ws.declare(name, shape, symmetric=sym)
        for name, shape_spec in (shapes or {}).items():
            sym = False
            if isinstance(shape_spec, str):
                spec, sym = split_symmetric(f"{name}:{shape_spec}")
                _, shape = parse_declaration(spec)
            else:
                shape = tuple(shape_spec)
            ws.declare(name, shape, symmetric=sym)
        for spec in func:
            ws.declare_function(spec)
        for spec in let:
            name, sep, body = spec.partition("=")
            name = sx.read_name(name)
            if not sep or not body.strip():
                raise UsageError(f"bad --let {spec!r}: expected NAME=EXPR")
            ws.define(name, body.strip())
        return ws

    def declare(self, name: str, shape: Shape, symmetric: bool = False) -> None:
        if not sx.is_identifier(name) or name in CONSTANTS or name in BUILTIN_FUNCTIONS - DECLARABLE_BUILTINS:
            raise UsageError(f"cannot declare {name!r}: it is reserved or not a valid name")
        if name in self.shapes and self.shapes[name] != shape:
            raise UsageError(f"{name!r} is declared twice with different shapes")
        self.shapes[name] = shape
        if symmetric:
            if shape == SCALAR or shape[0] != shape[1] or shape[0] == 1:
                raise UsageError(f"{name}: only square matrices can be declared symmetric (:sym), "
                                 f"not {a_shape(shape)}")
            self.symmetric.add(name)

    def declare_function(self, spec: str) -> None:
        m = re.fullmatch(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\(([^()]*)\))?\s*", spec)
        if not m or not sx.is_identifier(m.group(1)):
            raise UsageError(f"bad --func {spec!r}: expected NAME or NAME(x, y)")
        name = m.group(1)
        if name in BUILTIN_FUNCTIONS or name in CONSTANTS:
            raise UsageError(f"--func {name}: {name!r} is already a built-in function")
        arity = None
        if m.group(2) is not None:
            params = [p.strip() for p in m.group(2).split(",")]
            if not all(sx.is_identifier(p) for p in params):
                raise UsageError(f"bad --func {spec!r}: parameters must be names")
            arity = len(params)
        self.funcs[name] = arity

    def define(self, name: str, body: str) -> None:
        if not sx.is_identifier(name) or name in CONSTANTS or name in BUILTIN_FUNCTIONS - DECLARABLE_BUILTINS:
            raise UsageError(f"bad --let name {name!r}")
        if name in self.shapes or any(n == name for n, _ in self.lets):
            raise UsageError(f"--let {name}: {name!r} is already declared or defined")
        if name in self.funcs:
            raise UsageError(f"--let {name}: {name!r} is declared as a function")
        node = self.parse(body)
        formula = self.formula(body)
        if formula is not None and formula.op is not None:
            raise UsageError(f"--let {name}: a definition cannot carry an operator ({formula.op.spelled})")
        self.lets.append((name, body))
        self._let_nodes[name] = node

    # parsing and lowering
    def function_names(self) -> frozenset[str]:
        return BUILTIN_FUNCTIONS | frozenset(self.funcs)

    def parse(self, text: str) -> sx.Node:
        """Parse ``text``; names glued to a function (``sinx``) are refused unless declared, defined
        or stated (named as a variable to differentiate by: see ``stated``). The last tree is kept,
        so that the engines and the notes read one command's expression once."""
        key = (text, self.input, frozenset(self.stated), self.function_names(), tuple(self.shapes), len(self.lets))
        if self._parsed is not None and self._parsed[0] == key:
            return self._parsed[1]
        formula = self.formula(text)
        node = formula.node if formula is not None else sx.parse(text, self.function_names())
        self.check_glued(node, text, self.stated)
        self._parsed = (key, node)
        return node

    def is_defined(self, name: str) -> bool:
        return name in self.shapes or any(n == name for n, _ in self.lets)

    def check_glued(self, node: sx.Node, text: str, stated: set[str]) -> None:
        from .reading import glued

        for n in name_nodes(node, "T" not in self.shapes):
            if n.name in stated or self.is_defined(n.name) or n.name in CONSTANTS:
                continue
            split = glued(n.name, BUILTIN_FUNCTIONS)
            if split is not None:
                f, arg = split
                raise ParseError(f"{n.name!r} reads as {f}({arg}) or as a name; write {f}({arg}), "
                                 f"or declare the name with -v {n.name}:1", text, n.pos)

    def transposes(self, node: sx.Pow) -> bool:
        """A^T: T is a transposition unless T is declared or defined."""
        return is_T(node.exp) and not self.is_defined("T")

    def scalar_transpose(self, node: sx.Pow, text: str) -> ShapeError:
        base = text[sx.start(node.base):node.pos].strip() or "it"
        return ShapeError(f"^T transposes, but {base} is a scalar: declare its shape (-v NAME:n) for a transpose, "
                          "or declare T (-v T:1) for a power", text, node.pos)

    def bars_of_array(self, node: sx.Call, text: str, shape: str) -> ShapeError:
        return ShapeError(f"|...| of a {shape} is ambiguous: write norm(...) or ‖...‖ for its norm, "
                          "abs(...) for the absolute value of every entry", text, node.pos)

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def take_notes(self) -> list[str]:
        """The notes gathered since the last call (one computation's), in order."""
        notes, self.notes = self.notes, []
        return notes

    def note_scalar_factors(self, node: sx.Mul, values: list[Any], is_scalar: Callable[[Any], bool]) -> None:
        """A name nobody declared, multiplied with vectors or matrices, is taken as a scalar: say so
        (not of a name the command differentiates by or moves, such as t in diff ... t: that one
        is a scalar by the command itself)."""
        if all(is_scalar(v) for v in values):
            return
        for arg, v in zip(node.args, values, strict=True):
            if (isinstance(arg, sx.Name) and is_scalar(v) and not self.is_defined(arg.name) and arg.name not in CONSTANTS
                    and arg.name not in self.stated):
                self.note(f"{arg.name} is not declared, so it is taken as a scalar; declare it "
                          f"(-v {arg.name}:1 for a scalar, -v {arg.name}:n,n for a matrix) to say so")

    def formula(self, text: str) -> Any:
        """The LaTeX reading of ``text`` (a jacli.texread.Formula), or None for the text language."""
        from .formula import is_latex

        if not is_latex(text, self.input):
            return None
        if text not in self._formulas:
            from .texops import read

            shaped = {n for n, shape in self.shapes.items() if shape != SCALAR}
            names = set(self.shapes) | {n for n, _ in self.lets} | set(self.funcs)
            if len(self._formulas) > 64:
                self._formulas.clear()
            self._formulas[text] = read(text, self.function_names(), shaped, names)
        return self._formulas[text]

    def lower(self, node: sx.Node, text: str) -> Value:
        return Lowerer(self, text).lower(node)

    def evaluate(self, text: str) -> Value:
        """Parse and lower one expression."""
        return self.lower(self.parse(text), text)

    def let_value(self, name: str) -> Value:
        if name not in self._let_values:
            body = dict(self.lets)[name]
            later = {n for n, _ in self.lets[[n for n, _ in self.lets].index(name):]}
            for ref in names_in(self._let_nodes[name]):
                if ref in later:
                    what = "itself" if ref == name else f"{ref!r}, defined by a later --let"
                    raise UsageError(f"--let {name}: its definition refers to {what}")
            self._let_values[name] = Lowerer(self, body).lower(self._let_nodes[name])
        return self._let_values[name]

    def variable(self, name: str) -> Value:
        """The sympy value of a variable: a real Symbol, or a matrix of entry symbols."""
        if name not in self._vars:
            shape = self.shapes.get(name, SCALAR)
            if shape == SCALAR:
                self._vars[name] = symbol(name)
            elif not is_concrete(shape):
                raise UnsupportedError(
                    f"{name!r} has the symbolic shape {format_shape(shape)}; explicit computation "
                    "needs concrete sizes such as {name}:3 or {name}:2x3".replace("{name}", name)
                )
            else:
                rows, cols = shape
                assert isinstance(rows, int) and isinstance(cols, int)
                sym = name in self.symmetric  # A[1,0] is A[0,1]
                entries = [symbol(entry_name(name, min(i, j) if sym else i, max(i, j) if sym else j, shape))
                           for i in range(rows) for j in range(cols)]
                self._vars[name] = sp.ImmutableMatrix(rows, cols, entries)
        return self._vars[name]

    def function(self, name: str) -> Any:
        if name not in self._fn:
            self._fn[name] = sp.Function(name, real=True)
        return self._fn[name]

    def variables_of(self, node: sx.Node) -> list[str]:
        """Variables an expression depends on: declared ones first (declaration order), then the
        other free names in order of first appearance; --let bodies are looked into."""
        seen: list[str] = []
        lets = dict(self.lets)

        def visit(n: sx.Node) -> None:
            for name in names_in(n, not self.is_defined("T")):
                if name in lets:
                    visit(self._let_nodes[name])
                elif name not in CONSTANTS and name not in seen:
                    seen.append(name)

        visit(node)
        declared = [n for n in self.shapes if n in seen]
        return declared + [n for n in seen if n not in self.shapes]


def names_in(node: sx.Node, transpose_T: bool = True) -> Iterator[str]:
    """Names used as values in ``node``, in order of appearance (left to right). With
    ``transpose_T`` (T is not declared), the T of ``A^T`` is a transposition, not a name."""
    for n in name_nodes(node, transpose_T):
        yield n.name


def name_nodes(node: sx.Node, transpose_T: bool = True) -> Iterator[sx.Name]:
    """The Name nodes of ``node`` used as values, left to right (see names_in)."""
    stack: list[sx.Node] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, sx.Name):
            yield n
        elif isinstance(n, (sx.Add, sx.Mul)):
            stack.extend(reversed(n.args))
        elif isinstance(n, sx.Neg):
            stack.append(n.operand)
        elif isinstance(n, sx.Pow):
            if transpose_T and is_T(n.exp):
                stack.append(n.base)
            else:
                stack.extend([n.exp, n.base])
        elif isinstance(n, sx.Call) and n.func in SIZED_FUNCTIONS:
            continue  # I(n), unit(k, n): sizes and indices, not variables
        elif isinstance(n, sx.Call):
            stack.extend(reversed(n.args))
        elif isinstance(n, sx.Transpose):
            stack.append(n.operand)
        elif isinstance(n, sx.Index):
            stack.extend(reversed(n.indices))
            stack.append(n.operand)
        elif isinstance(n, sx.List):
            stack.extend(reversed(n.items))


def is_T(node: sx.Node) -> bool:
    return isinstance(node, sx.Name) and node.name == "T"


__all__ = [
    "Workspace", "Value", "shape_of", "entry_name", "split_entry", "symbol",
    "ParseError", "BUILTIN_FUNCTIONS",
]
