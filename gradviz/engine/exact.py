"""Exact display of floating-point numbers.

gradviz computes with ordinary numpy ``float64`` values but *shows* them the way a
teacher writes them on the board: ``0.75`` as ``3/4``, ``0.30000000000000004`` as
``3/10`` and ``0.6931471805599453`` as ``ln 2``.

The rule (exact mode, the default)
----------------------------------
A finite float ``x`` is shown as the first of these that applies:

1. **Fraction.**  Let ``p/q = Fraction(x).limit_denominator(max_denominator)``, the
   fraction with ``q <= max_denominator`` (default 1000) closest to ``x``.  It is
   accepted when ``|x - p/q| <= max(rel_tol * min(|x|, 1), 4 * ulp(x), abs_tol)``
   with ``rel_tol = 1e-12`` and ``abs_tol = 1e-15``: relative below 1, absolute
   ``1e-12`` above 1 (a relative window would grow so wide that nearly every large
   float is "a fraction"), never tighter than the float's own spacing.  Non-integer
   fractions also need ``|x| < 1e6``; beyond that floats are too coarse to tell
   ``p/q`` from noise.  Integers are fractions with ``q = 1``.  ``abs_tol`` makes
   noise around zero (``0.1 + 0.2 - 0.3``, ``1e-17``, ``-0.0``) display as ``0``,
   never ``-0``.  ``|x| >= 2**53`` is not shown exactly (every float that large
   is an integer, so "exact" would carry no information).
2. **Logarithm.**  Otherwise, if ``exp(|x|)`` is within relative ``1e-12`` of a
   fraction ``p/q != 1`` with ``p, q <= 100``, ``x`` is shown as ``ln p`` or
   ``ln(p/q)`` with the sign of ``x`` in front (``-ln 2`` rather than ``ln(1/2)``).
3. **Decimal.**  Otherwise ``digits`` significant digits with trailing zeros dropped,
   written positionally when ``1e-4 <= |x| < 1e6`` (after rounding) and in
   scientific notation (``1.5e-07``) outside that range.

Decimal mode (``exact=False``) skips steps 1 and 2, except that integral values
below ``2**53`` print as integers (``2``, not ``2.0``).  Non-finite values print as
``inf``, ``-inf`` and ``NaN``.  With ``unicode_minus=True`` every ``-`` (including the
one in an exponent) becomes U+2212 MINUS SIGN.  The ``latex_*`` functions apply the
same rule and emit LaTeX (``\\frac{3}{4}``, ``\\ln 2``, ``1.5 \\times 10^{-7}``).
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import NamedTuple, SupportsFloat

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gradviz.engine.rational import as_fraction, log_ratio

__all__ = [
    "MINUS",
    "as_fraction",
    "as_log",
    "format_array",
    "format_matrix",
    "format_scalar",
    "format_vector",
    "latex_array",
    "latex_matrix",
    "latex_scalar",
    "latex_vector",
]

MINUS = "\u2212"
"""U+2212 MINUS SIGN, used instead of ``-`` when ``unicode_minus=True``."""

_MAX_EXACT = 2.0**53  # at and beyond this every float is an integer
_FIXED_MIN_EXP, _FIXED_MAX_EXP = -4, 6  # positional for 10**-4 <= |x| < 10**6


class _Log(NamedTuple):
    negative: bool
    ratio: Fraction  # > 1


class _Decimal(NamedTuple):
    negative: bool
    mantissa: str  # digits without sign, e.g. "0.0009911" or "1.5"
    exponent: int | None  # None: positional notation


# "inf", "-inf" or "nan" | exact fraction | logarithm | decimal
_Parts = str | Fraction | _Log | _Decimal


def as_log(x: SupportsFloat, *, unicode_minus: bool = False) -> str | None:
    """Recognise ``x = ±ln(p/q)`` (``p, q <= 100``) and return e.g. ``"ln 2"``, ``"-ln(3/2)"``.

    Only applies when ``x`` is finite, non-zero and not already a fraction (see
    :func:`as_fraction`); otherwise ``None``.
    """
    v = float(x)
    if v == 0.0 or not math.isfinite(v) or as_fraction(v) is not None:
        return None
    ratio = log_ratio(v)
    if ratio is None:
        return None
    return _minus(_plain(_Log(v < 0, ratio)), unicode_minus)


def _decimal(v: float, digits: int) -> _Decimal:
    negative = v < 0
    if v.is_integer() and abs(v) < _MAX_EXACT:
        return _Decimal(negative, str(abs(int(v))), None)
    mantissa, _, exp_text = f"{abs(v):.{digits - 1}e}".partition("e")
    exponent = int(exp_text)
    ds = mantissa.replace(".", "")
    if _FIXED_MIN_EXP <= exponent < _FIXED_MAX_EXP:
        if exponent >= 0:
            whole, frac = ds[: exponent + 1].ljust(exponent + 1, "0"), ds[exponent + 1 :]
        else:
            whole, frac = "0", "0" * (-exponent - 1) + ds
        frac = frac.rstrip("0")
        return _Decimal(negative, f"{whole}.{frac}" if frac else whole, None)
    sci = (ds[0] + "." + ds[1:]).rstrip("0").rstrip(".")
    return _Decimal(negative, sci, exponent)


def _parts(x: SupportsFloat, exact: bool, digits: int, max_denominator: int) -> _Parts:
    if digits < 1:
        raise ValueError(f"digits must be at least 1, got {digits}")
    v = float(x)
    if v.is_integer() and abs(v) < _MAX_EXACT:  # the most common case, no search needed
        return Fraction(int(v)) if exact else _Decimal(v < 0, str(abs(int(v))), None)
    return _classify(v, exact, digits, max_denominator)


@functools.lru_cache(maxsize=65536)
def _classify(v: float, exact: bool, digits: int, max_denominator: int) -> _Parts:
    """The display parts of a non-integer ``v``; cached because the fraction and
    logarithm searches cost tens of microseconds and views redraw the same numbers."""
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if exact and abs(v) < _MAX_EXACT:
        fraction = as_fraction(v, max_denominator)
        if fraction is not None:
            return fraction
        ratio = log_ratio(v)
        if ratio is not None:
            return _Log(v < 0, ratio)
    return _decimal(v, digits)


def _minus(text: str, unicode_minus: bool) -> str:
    return text.replace("-", MINUS) if unicode_minus else text


def _plain(p: _Parts) -> str:
    if isinstance(p, str):
        return "NaN" if p == "nan" else p
    if isinstance(p, Fraction):
        return str(p)
    if isinstance(p, _Log):
        r = p.ratio
        body = f"ln {r.numerator}" if r.denominator == 1 else f"ln({r})"
        return ("-" if p.negative else "") + body
    exp = "" if p.exponent is None else f"e{p.exponent:+03d}"
    return ("-" if p.negative else "") + p.mantissa + exp


def _latex_frac(r: Fraction) -> str:
    return f"\\frac{{{r.numerator}}}{{{r.denominator}}}"


def _latex(p: _Parts) -> str:
    if isinstance(p, str):
        return {"inf": r"\infty", "-inf": r"-\infty"}.get(p, r"\mathrm{NaN}")
    if isinstance(p, Fraction):
        if p.denominator == 1:
            return str(p.numerator)
        return ("-" if p < 0 else "") + _latex_frac(abs(p))
    sign = "-" if p.negative else ""
    if isinstance(p, _Log):
        r = p.ratio
        return sign + (rf"\ln {r.numerator}" if r.denominator == 1 else r"\ln" + _latex_frac(r))
    if p.exponent is None:
        return sign + p.mantissa
    power = f"10^{{{p.exponent}}}"
    return sign + (power if p.mantissa == "1" else rf"{p.mantissa} \times {power}")


class _Opts(NamedTuple):
    exact: bool
    digits: int
    max_denominator: int
    unicode_minus: bool = False


def _as_array(a: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(a, dtype=np.float64)


def _require_ndim(arr: NDArray[np.float64], ndim: int, what: str) -> None:
    if arr.ndim != ndim:
        raise ValueError(f"{what} needs a {ndim}-D array, got shape {arr.shape}")


def _text(x: float, o: _Opts) -> str:
    return _minus(_plain(_parts(x, o.exact, o.digits, o.max_denominator)), o.unicode_minus)


def _tex(x: float, o: _Opts) -> str:
    return _latex(_parts(x, o.exact, o.digits, o.max_denominator))


# --------------------------------------------------------------------------- plain text


def format_scalar(
    x: SupportsFloat,
    *,
    exact: bool = True,
    digits: int = 4,
    unicode_minus: bool = False,
    max_denominator: int = 1000,
) -> str:
    """Format one number: ``"3/4"``, ``"-3/2"``, ``"ln 2"``, ``"3.142"``, ``"1.5e-07"``."""
    return _text(float(x), _Opts(exact, digits, max_denominator, unicode_minus))


def _vector_text(arr: NDArray[np.float64], o: _Opts) -> str:
    _require_ndim(arr, 1, "format_vector")
    return "(" + ", ".join(_text(x, o) for x in arr.tolist()) + ")"


def _matrix_text(arr: NDArray[np.float64], o: _Opts) -> str:
    _require_ndim(arr, 2, "format_matrix")
    cells = [[_text(x, o) for x in row] for row in arr.tolist()]
    if not cells or not cells[0]:
        return "\n".join(["[ ]"] * max(len(cells), 1))
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))]
    lines = ("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells)
    return "\n".join(f"[ {line} ]" for line in lines)


def _array_text(arr: NDArray[np.float64], o: _Opts) -> str:
    if arr.ndim == 0:
        return _text(float(arr), o)
    if arr.ndim == 1:
        return _vector_text(arr, o)
    if arr.ndim == 2:
        return _matrix_text(arr, o)
    if arr.shape[0] == 0:
        return "[ ]"
    blocks = ("\n".join("  " + ln for ln in _array_text(sub, o).splitlines()) for sub in arr)
    return "[\n" + "\n\n".join(blocks) + "\n]"


def format_vector(
    v: ArrayLike,
    *,
    exact: bool = True,
    digits: int = 4,
    unicode_minus: bool = False,
    max_denominator: int = 1000,
) -> str:
    """Format a 1-D array as ``"(2, 1, -3)"``."""
    return _vector_text(_as_array(v), _Opts(exact, digits, max_denominator, unicode_minus))


def format_matrix(
    m: ArrayLike,
    *,
    exact: bool = True,
    digits: int = 4,
    unicode_minus: bool = False,
    max_denominator: int = 1000,
) -> str:
    """Format a 2-D array as lines ``"[ 3/4  -3/4 ]"`` with right-aligned columns."""
    return _matrix_text(_as_array(m), _Opts(exact, digits, max_denominator, unicode_minus))


def format_array(
    a: ArrayLike,
    *,
    exact: bool = True,
    digits: int = 4,
    unicode_minus: bool = False,
    max_denominator: int = 1000,
) -> str:
    """Format by dimension: scalar, vector, matrix; for ndim > 2 indented blocks in brackets."""
    return _array_text(_as_array(a), _Opts(exact, digits, max_denominator, unicode_minus))


# --------------------------------------------------------------------------- LaTeX


def _pmatrix(body: str) -> str:
    if not body:
        return r"\begin{pmatrix} \end{pmatrix}"
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


def _vector_tex(arr: NDArray[np.float64], o: _Opts, column: bool = True) -> str:
    _require_ndim(arr, 1, "latex_vector")
    return _pmatrix((r" \\ " if column else " & ").join(_tex(x, o) for x in arr.tolist()))


def _matrix_tex(arr: NDArray[np.float64], o: _Opts) -> str:
    _require_ndim(arr, 2, "latex_matrix")
    rows = (" & ".join(_tex(x, o) for x in row) for row in arr.tolist())
    return _pmatrix(r" \\ ".join(rows))


def _array_tex(arr: NDArray[np.float64], o: _Opts) -> str:
    if arr.ndim == 0:
        return _tex(float(arr), o)
    if arr.ndim == 1:
        return _vector_tex(arr, o)
    if arr.ndim == 2:
        return _matrix_tex(arr, o)
    return r"\left[ " + r",\ ".join(_array_tex(sub, o) for sub in arr) + r" \right]"


def latex_scalar(
    x: SupportsFloat, *, exact: bool = True, digits: int = 4, max_denominator: int = 1000
) -> str:
    r"""LaTeX for one number: ``\frac{3}{4}``, ``\ln 2``, ``1.5 \times 10^{-7}``, ``\infty``."""
    return _tex(float(x), _Opts(exact, digits, max_denominator))


def latex_vector(
    v: ArrayLike,
    column: bool = True,
    *,
    exact: bool = True,
    digits: int = 4,
    max_denominator: int = 1000,
) -> str:
    r"""A 1-D array as a ``pmatrix``: a column (``\\``-separated) or a row (``&``)."""
    return _vector_tex(_as_array(v), _Opts(exact, digits, max_denominator), column)


def latex_matrix(
    m: ArrayLike, *, exact: bool = True, digits: int = 4, max_denominator: int = 1000
) -> str:
    r"""A 2-D array as ``\begin{pmatrix} a & b \\ c & d \end{pmatrix}``."""
    return _matrix_tex(_as_array(m), _Opts(exact, digits, max_denominator))


def latex_array(
    a: ArrayLike, *, exact: bool = True, digits: int = 4, max_denominator: int = 1000
) -> str:
    r"""LaTeX by dimension: scalar, column vector, matrix; ``\left[ \dots \right]`` beyond."""
    return _array_tex(_as_array(a), _Opts(exact, digits, max_denominator))
