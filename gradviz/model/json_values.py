"""Numbers between JSON and numpy, for the file format.

Reading: :class:`NonFinite` hooks into :func:`json.loads` so that ``NaN``,
``Infinity`` and overflowing numbers like ``1e400`` are kept with the text they
were written as; :func:`number_array` turns a decoded value into a finite float64
array of at most two dimensions (a scalar, a vector, a matrix) or raises a
one-line error naming what is wrong and where. Writing: :func:`finite_array`
refuses what JSON cannot hold, :func:`plain_lists` writes integers without ``.0``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from gradviz.model.validation import ModelError

__all__ = [
    "NonFinite",
    "finite_array",
    "first_nonfinite",
    "json_type",
    "number_array",
    "plain_lists",
]

#: Builds the error for a message (the file format's, which names the file).
Fail = Callable[[str], ModelError]


class NonFinite(float):
    """A JSON number gradviz refuses (``NaN``, ``Infinity``, ``1e400``), kept with
    the text it was written as so that the error can quote it and name its node."""

    text: str

    @classmethod
    def constant(cls, name: str) -> float:
        """``parse_constant`` hook: ``NaN``, ``Infinity``, ``-Infinity``."""
        out = cls(float(name))
        out.text = name
        return out

    @classmethod
    def number(cls, text: str) -> float:
        """``parse_float`` hook: a plain float unless it overflows float64."""
        value = float(text)
        if math.isfinite(value):
            return value
        out = cls(value)
        out.text = text
        return out


def first_nonfinite(value: Any, path: str = "") -> tuple[str, str] | None:
    """(where, as written) of the first refused number inside a decoded JSON value."""
    if isinstance(value, NonFinite):
        return path, value.text
    if isinstance(value, float) and not math.isfinite(value):
        return path, repr(value)
    items: Any = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, v in items:
        sub = f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]"
        found = first_nonfinite(v, sub)
        if found is not None:
            return found
    return None


def number_array(value: Any, what: str, fail: Fail) -> np.ndarray:
    """A finite float64 array of at most two dimensions, or a one-line error."""
    if value is None:
        raise fail(f"{what} is missing")
    depth = _plain_depth(value)
    if depth is None:
        depth = _nesting(value)
    if depth < 0:
        raise fail(f"{what} must hold only numbers")
    if depth > 2:
        raise fail(f"{what} is nested {depth} deep; gradviz takes scalars, vectors and matrices")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except OverflowError:
        raise fail(f"{what} holds a number too large for float64") from None
    except ValueError:
        raise fail(f"{what} is ragged (rows of different lengths)") from None
    if arr.size == 0:
        raise fail(f"{what} is empty")
    if not np.all(np.isfinite(arr)):
        bad = first_nonfinite(value)
        at, text = bad if bad is not None else ("", "a number too large for float64")
        at_text = f" at {at}" if at else ""
        why = (
            "is too large for float64"
            if text.lstrip("+-")[:1].isdigit()
            else "is not a finite number"
        )
        raise fail(f"{what} holds {text}{at_text}, which {why}")
    return arr


def _plain_depth(value: Any) -> int | None:
    """1 or 2 for a plain vector or matrix of ints and floats (the usual case, checked
    by type sets: a million entries in well under a second), else None."""
    if type(value) is not list or not value:
        return None
    if all(type(v) is list and v for v in value):
        kinds = {type(x) for row in value for x in row}
        return 2 if kinds <= {int, float} else None
    kinds = {type(v) for v in value}
    return 1 if kinds <= {int, float} else None


def _nesting(value: Any, depth: int = 0) -> int:
    """How deep lists nest around the numbers; -1 when anything is not a number."""
    if isinstance(value, bool):
        return -1
    if isinstance(value, (int, float)):
        return depth
    if isinstance(value, list) and depth < 3:
        if not value:
            return depth + 1
        inner = [_nesting(v, depth + 1) for v in value]
        return -1 if min(inner) < 0 else max(inner)
    return depth + 1 if isinstance(value, list) else -1


def finite_array(a: np.ndarray, nid: str, key: str) -> np.ndarray:
    """``a`` as float64 when every entry is finite, else a one-line :class:`ModelError`
    naming node ``nid``, its ``key`` and the first bad entry."""
    arr = np.asarray(a, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        at = " at " + "".join(f"[{i}]" for i in bad) if bad else ""
        raise ModelError(
            f"node '{nid}': '{key}' holds {float(arr[bad])}{at}; "
            "a network file holds finite numbers only"
        )
    return arr


def plain_lists(a: np.ndarray) -> Any:
    """Nested lists, integers written without ``.0`` so files stay readable."""
    as_list = np.asarray(a, dtype=np.float64).tolist()

    def tidy(v: Any) -> Any:
        if isinstance(v, list):
            return [tidy(x) for x in v]
        return int(v) if float(v).is_integer() and abs(v) < 2**53 else v

    return tidy(as_list)


def json_type(v: Any) -> str:
    """What a decoded JSON value is, as an error message says it: ``a list``, ``null`` …"""
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(v), type(v).__name__)
