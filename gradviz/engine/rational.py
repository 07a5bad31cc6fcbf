"""Which fraction ``p/q``, or which logarithm ``ln(p/q)``, a float stands for:
the recognition behind :mod:`gradviz.engine.exact`'s display (see its docstring
for the rule), kept apart from the formatting.

Both searches find the candidate by the continued fraction of the float, in plain
integers: a fraction within the tolerances used here of ``x`` is a convergent of
``x`` (Legendre: ``|x − p/q| < 1/(2q²)`` makes ``p/q`` one), so the last
convergent with ``q`` in bounds is the one ``Fraction.limit_denominator`` would
return, found without making a ``Fraction`` per step.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import SupportsFloat

_MAX_NONINTEGER = 1e6  # non-integer fractions only below this magnitude
_LOG_MAX = 100  # numerator and denominator bound for ln(p/q)
_LOG_RTOL = 1e-12


def as_fraction(
    x: SupportsFloat,
    max_denominator: int = 1000,
    rel_tol: float = 1e-12,
    abs_tol: float = 1e-15,
) -> Fraction | None:
    """Return the fraction ``p/q`` (``q <= max_denominator``) that ``x`` stands for.

    ``Fraction(x).limit_denominator(max_denominator)`` is accepted when it lies within
    ``max(rel_tol * min(|x|, 1), 4 * ulp(x), abs_tol)`` of ``x`` and is an integer or
    ``|x| < 1e6`` (see :mod:`gradviz.engine.exact`); otherwise, and for non-finite ``x``, the
    result is ``None``.  Tiny values (``|x| <= abs_tol``) give ``Fraction(0)``.
    """
    v = float(x)
    if not math.isfinite(v):
        return None
    tol = max(rel_tol * min(abs(v), 1.0), 4 * math.ulp(v), abs_tol)
    if 2 * abs(v) * max_denominator < 1.0:  # nearer 0 than ±1/max_denominator
        return Fraction(0) if abs(v) <= tol else None
    if abs(v) < _MAX_NONINTEGER and 2 * tol * max_denominator**2 < 1.0:
        # |x − p/q| <= tol < 1/(2 q²): such a p/q is a convergent of x's continued
        # fraction (Legendre), the last one with q <= max_denominator, and the
        # closest fraction of all those; limit_denominator would find the same.
        num, den = v.as_integer_ratio()
        p, q = _last_convergent(num, den, max_denominator)
        tol_num, tol_den = tol.as_integer_ratio()  # |num/den − p/q| <= tol, exactly
        close = abs(num * q - p * den) * tol_den <= tol_num * den * q
        return Fraction(p, q) if close else None
    exact = Fraction(v)
    candidate = exact.limit_denominator(max_denominator)
    if candidate.denominator != 1 and abs(v) >= _MAX_NONINTEGER:
        return None
    if abs(exact - candidate) <= tol:
        return candidate
    return None


def _last_convergent(num: int, den: int, max_denominator: int) -> tuple[int, int]:
    """The last convergent ``p/q`` of ``num/den`` (``den > 0``) with ``q <=
    max_denominator``: the continued fraction's loop of ``limit_denominator``,
    in plain integers."""
    if den <= max_denominator:
        return num, den
    p0, q0, p1, q1 = 0, 1, 1, 0
    n, d = num, den
    while d:
        a, r = divmod(n, d)
        q2 = q0 + a * q1
        if q2 > max_denominator:
            break
        p0, q0, p1, q1 = p1, q1, p0 + a * p1, q2
        n, d = d, r
    return p1, q1


def log_ratio(v: float) -> Fraction | None:
    """The fraction ``r = p/q > 1`` (``p, q <= 100``) with ``exp(|v|) == r``, if any
    (within ``_LOG_RTOL``: far inside 1/(2q²), so ``p/q`` is a convergent of
    ``exp(|v|)``, see :func:`as_fraction`)."""
    a = abs(v)
    if a == 0.0 or not math.isfinite(a) or a > math.log(_LOG_MAX) + 1e-9:
        return None
    r = math.exp(a)
    p, q = _last_convergent(*r.as_integer_ratio(), _LOG_MAX)
    if p == q or p > _LOG_MAX or abs(r - p / q) > _LOG_RTOL * r:
        return None
    return Fraction(p, q)
