"""The continued-fraction path of ``as_fraction`` and of the logarithm search gives
exactly what ``Fraction.limit_denominator`` gives (the definition they replace),
over fractions, near-fractions, logarithms and plain floats of every size."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from gradviz.engine import rational
from gradviz.engine.exact import as_fraction


def reference_fraction(
    v: float, max_denominator: int = 1000, rel_tol: float = 1e-12, abs_tol: float = 1e-15
) -> Fraction | None:
    """``as_fraction`` as its docstring defines it, with ``limit_denominator``."""
    if not math.isfinite(v):
        return None
    candidate = Fraction(v).limit_denominator(max_denominator)
    if candidate.denominator != 1 and abs(v) >= 1e6:
        return None
    tol = max(rel_tol * min(abs(v), 1.0), 4 * math.ulp(v), abs_tol)
    return candidate if abs(Fraction(v) - candidate) <= tol else None


def reference_log_ratio(v: float) -> Fraction | None:
    a = abs(v)
    if a == 0.0 or not math.isfinite(a) or a > math.log(100) + 1e-9:
        return None
    r = math.exp(a)
    ratio = Fraction(r).limit_denominator(100)
    if ratio == 1 or ratio.numerator > 100 or abs(r - float(ratio)) > 1e-12 * r:
        return None
    return ratio


def samples(seed: int) -> list[float]:
    rng = random.Random(seed)
    xs: list[float] = []
    for _ in range(3000):
        q = rng.randint(1, 1200)
        p = rng.randint(-5000, 5000)
        x = p / q
        xs += [x, x * (1 + rng.choice([1e-13, 1e-12, 3e-12, 1e-9, 1e-6])), math.nextafter(x, 0)]
        xs += [rng.uniform(-1e7, 1e7), rng.gauss(0, 1), math.tanh(rng.gauss(0, 2))]
        xs += [10.0 ** rng.uniform(-16, -8) * rng.choice([-1, 1]), rng.uniform(-1, 1) * 1e-12]
    xs += [0.0, -0.0, 1e-15, 1e-12, 0.1, 1 / 3, 2 / 3, 999999.5, 1e6 - 1 / 7, 0.001, 1 / 999]
    return xs


@pytest.mark.parametrize("max_denominator", [16, 1000])
def test_as_fraction_is_limit_denominator(max_denominator: int) -> None:
    for v in samples(max_denominator):
        assert as_fraction(v, max_denominator) == reference_fraction(v, max_denominator), v


def test_the_logarithm_search_is_limit_denominator() -> None:
    rng = random.Random(7)
    xs = [math.log(p / q) for p in range(1, 101) for q in range(1, 101)]
    xs += [x * (1 + rng.choice([1e-14, 1e-11, 1e-8])) for x in xs[::7]]
    xs += [rng.uniform(-5, 5) for _ in range(5000)] + [math.log(100), -math.log(2), 4.6052]
    for v in xs:
        assert rational.log_ratio(v) == reference_log_ratio(v), v
    assert rational.log_ratio(math.log(2)) == 2 and rational.log_ratio(-math.log(1.5)) == Fraction(
        3, 2
    )
