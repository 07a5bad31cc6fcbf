"""Reading numbers the way a teacher types them: ``3``, ``-1.5e-2``, ``3/4``,
``-3/2``, with a Unicode minus or spaces allowed. NaN and infinities are refused."""

from __future__ import annotations

import math
from fractions import Fraction


class NumberError(ValueError):
    """The text is not a finite number; ``str()`` says why in one sentence."""


def parse_number(text: str) -> float:
    """The finite float that ``text`` denotes, or :class:`NumberError`."""
    t = text.strip().replace("\u2212", "-").replace(" ", "")
    if not t:
        raise NumberError("empty: type a number such as 3, -1.5e-2 or 3/4")
    if t.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise NumberError(f"'{text.strip()}' is refused: only finite numbers can be weights")
    try:
        if t.count("/") > 1:
            raise ValueError("more than one '/'")
        if "/" in t:
            num, _, den = t.partition("/")
            q = Fraction(num) / Fraction(den)
            value = float(q)
        else:
            value = float(t)
    except ZeroDivisionError:
        raise NumberError(f"'{text.strip()}' divides by zero") from None
    except OverflowError:
        raise NumberError(f"'{text.strip()}' is too large for a float64") from None
    except ValueError:
        raise NumberError(f"'{text.strip()}' is not a number (try 3, -1.5e-2 or 3/4)") from None
    if not math.isfinite(value):
        raise NumberError(f"'{text.strip()}' is too large for a float64")
    return value
