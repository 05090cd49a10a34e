"""sympy function classes for the deep-learning functions of jacli's language.

``sigmoid``, ``relu`` and ``step`` are sympy ``Function`` subclasses (rather than their expansions
1/(1+exp(-x)), Max(0, x), Heaviside(x)) so that derivatives print readably and parse back:
d/dx relu(x) = step(x), d/dx sigmoid(x) = sigmoid(x)*(1 - sigmoid(x)).

Non-differentiable points follow PyTorch: relu'(0) = step(0) = 0, abs'(0) = sign(0) = 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import sympy as sp


def _special_value(arg: sp.Expr, at_zero: sp.Expr, at_oo: sp.Expr, at_minus_oo: sp.Expr) -> sp.Expr | None:
    """A one-argument function's value at 0, oo and -oo (sympy's ``eval``: None elsewhere)."""
    if arg.is_zero:
        return at_zero
    if arg is sp.oo:
        return at_oo
    if arg is sp.S.NegativeInfinity:
        return at_minus_oo
    return None


class sigmoid(sp.Function):  # noqa: N801 - the user-facing name
    """The logistic function 1/(1 + exp(-x))."""

    nargs = 1

    @classmethod
    def eval(cls, arg: sp.Expr) -> sp.Expr | None:
        return _special_value(arg, sp.Rational(1, 2), sp.S.One, sp.S.Zero)

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, arg: sp.Expr, **kwargs: Any) -> sp.Expr:
        return 1 / (1 + sp.exp(-arg))

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return (1 / (1 + sp.exp(-self.args[0])))._eval_evalf(prec)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return _apply_latex(r"\sigma", printer, self.args[0], exp)


class step(sp.Function):  # noqa: N801
    """The unit step with step(0) = 0: the derivative jacli gives for relu."""

    nargs = 1

    @classmethod
    def eval(cls, arg: sp.Expr) -> sp.Expr | None:
        if arg.is_positive:
            return sp.S.One
        if arg.is_nonpositive:
            return sp.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.S.Zero  # zero wherever it is differentiable (everywhere but 0)

    def _eval_rewrite_as_Heaviside(self, arg: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.Heaviside(arg, 0)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_evalf(self, prec: int) -> sp.Expr:
        value = self.args[0].evalf(prec)
        if value.is_Number:
            return sp.S.One if value > 0 else sp.S.Zero
        return self

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return _apply_latex(r"\operatorname{step}", printer, self.args[0], exp)


class relu(sp.Function):  # noqa: N801
    """max(0, x)."""

    nargs = 1

    @classmethod
    def eval(cls, arg: sp.Expr) -> sp.Expr | None:
        if arg.is_nonnegative:
            return arg
        if arg.is_nonpositive:
            return sp.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return step(self.args[0])

    def _eval_rewrite_as_Heaviside(self, arg: sp.Expr, **kwargs: Any) -> sp.Expr:
        return arg * sp.Heaviside(arg, 0)

    def _eval_rewrite_as_Max(self, arg: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.Max(0, arg)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_evalf(self, prec: int) -> sp.Expr:
        value = self.args[0].evalf(prec)
        if value.is_Number:
            return value if value > 0 else sp.S.Zero
        return self

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return _apply_latex(r"\operatorname{relu}", printer, self.args[0], exp)


class softplus(sp.Function):  # noqa: N801
    """log(1 + exp(x)), the smooth relu; its derivative is the sigmoid."""

    nargs = 1

    @classmethod
    def eval(cls, arg: sp.Expr) -> sp.Expr | None:
        return _special_value(arg, sp.log(2), sp.oo, sp.S.Zero)

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, arg: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.log(1 + sp.exp(arg))

    _eval_rewrite_as_log = _eval_rewrite_as_exp

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return sp.log(1 + sp.exp(self.args[0]))._eval_evalf(prec)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return _apply_latex(r"\operatorname{softplus}", printer, self.args[0], exp)


class gelu(sp.Function):  # noqa: N801
    """The Gaussian error linear unit x*Φ(x) = x/2*(1 + erf(x/sqrt(2))) (the exact form, as
    PyTorch's default GELU)."""

    nargs = 1

    @classmethod
    def eval(cls, arg: sp.Expr) -> sp.Expr | None:
        return _special_value(arg, sp.S.Zero, sp.oo, sp.S.Zero)

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        x = self.args[0]
        return (1 + sp.erf(x / sp.sqrt(2))) / 2 + x * sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)

    def _eval_rewrite_as_erf(self, arg: sp.Expr, **kwargs: Any) -> sp.Expr:
        return arg * (1 + sp.erf(arg / sp.sqrt(2))) / 2

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_evalf(self, prec: int) -> sp.Expr:
        x = self.args[0]
        return (x * (1 + sp.erf(x / sp.sqrt(2))) / 2)._eval_evalf(prec)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return _apply_latex(r"\operatorname{gelu}", printer, self.args[0], exp)


class _Extremum(sp.Function):
    """max(a, b) and min(a, b) with relu's choice at the kink: d/da max(a, b) = step(a - b), which
    is 0 where a = b, as relu'(0) = 0; so max(x, 0) differentiates exactly as relu(x)."""

    nargs = 2
    _pick: Any = None  # the builtin max or min
    _name = ""

    @classmethod
    def eval(cls, a: sp.Expr, b: sp.Expr) -> sp.Expr | None:
        if a == b:
            return a
        d = a - b
        if d.is_positive:
            return a if cls._name == "max" else b
        if d.is_negative:
            return b if cls._name == "max" else a
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        a, b = self.args
        first = (a - b) if self._name == "max" else (b - a)
        return step(first) if argindex == 1 else step(-first)

    def _eval_rewrite_as_Max(self, a: sp.Expr, b: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.Max(a, b) if self._name == "max" else sp.Min(a, b)

    _eval_rewrite_as_Heaviside = _eval_rewrite_as_Max

    def _eval_is_real(self) -> bool | None:
        return fuzzy_and_real(self.args)

    def _eval_evalf(self, prec: int) -> sp.Expr:
        a, b = (x.evalf(prec) for x in self.args)
        if a.is_Number and b.is_Number:
            return self._pick(a, b)
        return self

    def _sympystr(self, printer: Any) -> str:
        return f"{self._name}({printer._print(self.args[0])}, {printer._print(self.args[1])})"

    def _latex(self, printer: Any, exp: Any = None) -> str:
        body = rf"\{self._name}\left({printer._print(self.args[0])}, {printer._print(self.args[1])}\right)"
        return body if exp is None else rf"{body}^{{{exp}}}"

    def _pretty(self, printer: Any) -> Any:
        from sympy.printing.pretty.stringpict import prettyForm

        return printer._helper_print_function(self.func, self.args, func_name=self._name)  \
            if hasattr(printer, "_helper_print_function") else prettyForm(self._sympystr(printer))


class maximum(_Extremum):  # noqa: N801 - written max(a, b)
    _pick = max
    _name = "max"


class minimum(_Extremum):  # noqa: N801 - written min(a, b)
    _pick = min
    _name = "min"


def fuzzy_and_real(args: Sequence[sp.Expr]) -> bool | None:
    reals = [a.is_real for a in args]
    if all(r is True for r in reals):
        return True
    return None


def _apply_latex(name: str, printer: Any, arg: Any, exp: Any) -> str:
    body = name + r"\left(" + printer._print(arg) + r"\right)"
    return body if exp is None else r"\left(" + body + r"\right)^{" + str(exp) + "}"


CUSTOM = {"sigmoid": sigmoid, "relu": relu, "step": step, "softplus": softplus, "gelu": gelu,
          "max": maximum, "min": minimum}


def to_elementary(expr: Any) -> Any:
    """Rewrite jacli's own functions into sympy built-ins (for limit, which does not know them)."""
    def elementary(e: Any) -> Any:
        x = e.args[0]
        if isinstance(e, sigmoid):
            return 1 / (1 + sp.exp(-x))
        if isinstance(e, relu):
            return sp.Max(0, x)
        if isinstance(e, step):
            return sp.Heaviside(x, 0)
        if isinstance(e, softplus):
            return sp.log(1 + sp.exp(x))
        if isinstance(e, gelu):
            return x * (1 + sp.erf(x / sp.sqrt(2))) / 2
        return e.rewrite(sp.Max)

    return expr.replace(lambda e: isinstance(e, (sigmoid, relu, step, softplus, gelu, _Extremum)), elementary)


def _gamma1(n: float) -> float:
    """n! as Gamma(n + 1), inf where it overflows (as numpy's own functions give)."""
    try:
        return math.gamma(n + 1.0)
    except OverflowError:
        return math.inf
    except ValueError:  # a pole: n a negative integer
        return math.nan


def _polygamma(k: float, x: float) -> float:
    """polygamma(k, x) (derivatives of factorial) through mpmath; numpy has none."""
    import mpmath

    try:
        v = mpmath.polygamma(int(k), x)
    except (ValueError, ZeroDivisionError, OverflowError):
        return math.nan
    return float(v.real) if not v.imag else math.nan


def numpy_functions() -> dict[str, Any]:
    """Implementations for ``lambdify``'s module list."""
    import numpy as np

    def _sigmoid(x: Any) -> Any:
        return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))

    def _relu(x: Any) -> Any:
        return np.maximum(np.asarray(x, dtype=float), 0.0)

    def _step(x: Any) -> Any:
        return np.where(np.asarray(x, dtype=float) > 0, 1.0, 0.0)

    erf = np.vectorize(math.erf, otypes=[float])

    def _gelu(x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))

    def _softplus(x: Any) -> Any:
        return np.logaddexp(0.0, np.asarray(x, dtype=float))

    return {"sigmoid": _sigmoid, "relu": _relu, "step": _step, "softplus": _softplus, "gelu": _gelu, "erf": erf,
            "maximum": np.maximum, "minimum": np.minimum,
            "factorial": np.vectorize(_gamma1, otypes=[float]),
            "gamma": np.vectorize(lambda x: _gamma1(x - 1.0), otypes=[float]),
            "polygamma": np.vectorize(_polygamma, otypes=[float])}


def real_values(out: Any) -> Any:
    """The flat float array of what a compiled function returned (a list of entries or an array);
    a complex entry with an imaginary part is nan (not real there), never silently its real part."""
    import numpy as np

    arr = np.asarray(np.broadcast_arrays(*out) if isinstance(out, list) else out)
    if np.iscomplexobj(arr):
        arr = np.where(np.imag(arr) == 0, np.real(arr), np.nan)
    return np.asarray(arr, dtype=float).reshape(-1)


def _too_big_for_numpy(n: Any) -> bool:
    """An exact number whose numerator or denominator does not fit a float's 53-bit mantissa:
    numpy would make it an object array (no log or exp) and Python's float() overflows."""
    return bool(abs(int(n.p)) > 2**53 or int(n.q) > 2**53)


def compile_numpy(symbols: Sequence[Any], exprs: Sequence[Any], extra: dict[str, Any] | None = None,
                  cse: bool = False) -> Any:
    """``sympy.lambdify`` of the list ``exprs`` over numpy, as a function of ``symbols``.

    jacli's entry symbols (``x[0]``, ``W[1,2]``) are no Python names, so they are first replaced by
    symbols named ``_v0``, ``_v1``, ... (no jacli name begins with an underscore), with sympy's
    automatic evaluation off. lambdify's own ``dummify`` rebuilds every expression with evaluation
    on, and for large nested results that evaluation can run for minutes (a power of a sum asks
    whether each tanh(...) in it is real, which asks for a gcd); it also dummifies everything
    whenever one argument is a Dummy, so the stand-ins are plain symbols.
    """
    dummies = [sp.Symbol(f"_v{i}", real=True) for i in range(len(symbols))]
    rename: dict[Any, Any] = dict(zip(symbols, dummies, strict=True))
    for e in exprs:  # exact numbers numpy cannot hold (7e372, 10^30) become floats: inf, 1e30, 0.0
        if isinstance(e, sp.Basic):
            rename.update((n, sp.Float(n, 17)) for n in e.atoms(sp.Rational) if _too_big_for_numpy(n))
    with sp.evaluate(False):
        renamed = [e.xreplace(rename) if isinstance(e, sp.Basic) else e for e in exprs]
    modules = [*([extra] if extra else []), numpy_functions(), "numpy"]
    return sp.lambdify(dummies, renamed, modules=modules, dummify=False, cse=cse)
