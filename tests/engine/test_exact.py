"""Tests for gradviz.engine.exact (exact-number display)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradviz.engine.exact import (
    MINUS,
    as_fraction,
    as_log,
    format_array,
    format_matrix,
    format_scalar,
    format_vector,
    latex_array,
    latex_matrix,
    latex_scalar,
    latex_vector,
)

# J_S from the teaching sheet.
J_S = [[0.25, -0.25], [-0.25, 0.25]]


# ----------------------------------------------------------------------------- scalars


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.75, "3/4"),
        (-1.5, "-3/2"),
        (0.5, "1/2"),
        (0.25 * (1 + 1e-14), "1/4"),
        (3, "3"),
        (3.0, "3"),
        (-7, "-7"),
        (0.0, "0"),
        (-0.0, "0"),
        (1e-17, "0"),
        (-1e-17, "0"),
        (0.1 + 0.2 - 0.3, "0"),
        (1 / 3, "1/3"),
        (-2 / 3, "-2/3"),
        (0.1 + 0.2, "3/10"),
        (1 / 1000, "1/1000"),
        (999 / 1000, "999/1000"),
        (math.log(2), "ln 2"),
        (-math.log(2), "-ln 2"),
        (math.log(3), "ln 3"),
        (math.log(3) - math.log(2), "ln(3/2)"),
        (math.log(2) - math.log(3), "-ln(3/2)"),
        (math.log(100), "ln 100"),
        (math.pi, "3.142"),
        (-math.pi, "-3.142"),
        (1 / 1009, "0.0009911"),
        (math.sqrt(2), "1.414"),
        (math.pi * 1e4, "31420"),
        (12345.678, "6172839/500"),  # genuinely that fraction, to within half an ulp
        (1000.5, "2001/2"),
        (999999.5, "1999999/2"),
        (1e6 + 0.5, "1e+06"),  # non-integers >= 1e6 are never fractions
        (2.0**52 + 1, "4503599627370497"),
        (1.5e-7, "1.5e-07"),
        (-1.5e-7, "-1.5e-07"),
        (math.sqrt(2) * 1e9, "1.414e+09"),
        (2.0**60, "1.153e+18"),
    ],
)
def test_format_scalar_exact(x: float, expected: str) -> None:
    assert format_scalar(x) == expected


def test_format_scalar_digits() -> None:
    assert format_scalar(math.pi, digits=4) == "3.142"
    assert format_scalar(math.pi, digits=2) == "3.1"
    assert format_scalar(math.pi, digits=8) == "3.1415927"
    with pytest.raises(ValueError):
        format_scalar(math.pi, digits=0)


def test_max_denominator() -> None:
    assert format_scalar(1 / 1009) != "1/1009"
    assert format_scalar(1 / 1009, max_denominator=2000) == "1/1009"
    assert format_scalar(1 / 7, max_denominator=5) == "0.1429"


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.75, "0.75"),
        (-1.5, "-1.5"),
        (1 / 3, "0.3333"),
        (0.1 + 0.2, "0.3"),
        (2.0, "2"),
        (-3, "-3"),
        (-0.0, "0"),
        (1e6, "1000000"),
        (math.log(2), "0.6931"),
        (1e-17, "1e-17"),
        (1.5e-7, "1.5e-07"),
        (0.0001, "0.0001"),
        (0.00012345678, "0.0001235"),
        (999999.4, "1e+06"),
    ],
)
def test_format_scalar_decimal_mode(x: float, expected: str) -> None:
    assert format_scalar(x, exact=False) == expected


def test_non_finite() -> None:
    assert format_scalar(math.inf) == "inf"
    assert format_scalar(-math.inf) == "-inf"
    assert format_scalar(math.nan) == "NaN"
    assert format_scalar(math.nan, exact=False) == "NaN"
    assert format_scalar(-math.inf, unicode_minus=True) == MINUS + "inf"
    assert as_fraction(math.inf) is None
    assert as_fraction(math.nan) is None
    assert as_log(math.inf) is None
    assert as_log(math.nan) is None


def test_unicode_minus() -> None:
    assert MINUS == "\u2212"
    assert format_scalar(-1.5, unicode_minus=True) == "\u22123/2"
    assert format_scalar(-math.log(2), unicode_minus=True) == "\u2212ln 2"
    assert format_scalar(-1.5e-7, unicode_minus=True) == "\u22121.5e\u221207"
    assert format_scalar(-math.pi, exact=False, unicode_minus=True) == "\u22123.142"
    assert format_scalar(0.75, unicode_minus=True) == "3/4"
    assert "-" not in format_vector([-1, 2, -0.5], unicode_minus=True)
    assert format_vector([-1, -0.5], unicode_minus=True) == "(\u22121, \u22121/2)"
    assert format_matrix(J_S, unicode_minus=True).count(MINUS) == 2


def test_numpy_and_python_inputs() -> None:
    assert format_scalar(np.float64(0.75)) == "3/4"
    assert format_scalar(np.float32(0.75)) == "3/4"
    assert format_scalar(np.int64(-4)) == "-4"
    assert format_scalar(Fraction(2, 3)) == "2/3"
    assert format_array(np.array(0.5)) == "1/2"
    assert format_array(2) == "2"
    assert format_vector(np.array([2, 1, -3], dtype=np.int32)) == "(2, 1, -3)"
    assert format_vector((0.5, 0.25)) == "(1/2, 1/4)"


# ----------------------------------------------------------------------------- as_fraction / as_log


def test_as_fraction() -> None:
    assert as_fraction(0.75) == Fraction(3, 4)
    assert as_fraction(3) == Fraction(3)
    assert as_fraction(3).denominator == 1  # type: ignore[union-attr]
    assert as_fraction(-0.0) == 0
    assert as_fraction(1e-17) == 0
    assert as_fraction(1e-320) == 0
    assert as_fraction(1e-10) is None
    assert as_fraction(math.pi) is None
    assert as_fraction(1 / 1009) is None
    assert as_fraction(0.25 * (1 + 1e-14)) == Fraction(1, 4)
    assert as_fraction(0.25 * (1 + 1e-10)) is None
    assert as_fraction(0.25 * (1 + 1e-10), rel_tol=1e-9) == Fraction(1, 4)
    assert as_fraction(1000 / 3 + 3e-13) == Fraction(1000, 3)  # accumulated rounding
    assert as_fraction(2.0**60) == Fraction(2**60)


def test_large_random_reals_are_not_fractions() -> None:
    # A purely relative 1e-12 window would match almost any float this large.
    assert as_fraction(math.sqrt(2) * 1e9) is None
    assert as_fraction(math.pi * 1e5) is None
    assert as_fraction(math.e * 1e3) is None


def test_as_log() -> None:
    assert as_log(0.6931471805599453) == "ln 2"
    assert as_log(-math.log(3)) == "-ln 3"
    assert as_log(-math.log(3), unicode_minus=True) == "\u2212ln 3"
    assert as_log(math.log(1.5)) == "ln(3/2)"
    assert as_log(math.log(7 / 3)) == "ln(7/3)"
    # Not logs: fractions, zero, tiny values, numbers whose exp is not a small fraction.
    assert as_log(0.5) is None
    assert as_log(0.0) is None
    assert as_log(1e-13) is None
    assert as_log(math.pi) is None
    assert as_log(math.log(101)) is None
    assert as_log(math.log(2) + 1e-9) is None
    assert format_scalar(1e-13) == "1e-13"


def test_latex_log() -> None:
    assert latex_scalar(math.log(2)) == r"\ln 2"
    assert latex_scalar(-math.log(2)) == r"-\ln 2"
    assert latex_scalar(math.log(1.5)) == r"\ln\frac{3}{2}"
    assert latex_scalar(-math.log(1.5)) == r"-\ln\frac{3}{2}"


# ----------------------------------------------------------------------------- LaTeX scalars


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.75, r"\frac{3}{4}"),
        (-1.5, r"-\frac{3}{2}"),
        (2, "2"),
        (-2.0, "-2"),
        (-0.0, "0"),
        (1e-17, "0"),
        (0.1234, "0.1234"),
        (-math.pi, "-3.142"),
        (1.5e-7, r"1.5 \times 10^{-7}"),
        (-1.5e-7, r"-1.5 \times 10^{-7}"),
        (math.sqrt(2) * 1e9, r"1.414 \times 10^{9}"),
        (1e-10, r"10^{-10}"),
        (math.inf, r"\infty"),
        (-math.inf, r"-\infty"),
        (math.nan, r"\mathrm{NaN}"),
    ],
)
def test_latex_scalar(x: float, expected: str) -> None:
    assert latex_scalar(x) == expected


def test_latex_scalar_decimal_mode() -> None:
    assert latex_scalar(0.75, exact=False) == "0.75"
    assert latex_scalar(1 / 3, exact=False, digits=2) == "0.33"
    assert latex_scalar(math.log(2), exact=False) == "0.6931"


# ----------------------------------------------------------------------------- vectors and matrices


def test_format_vector() -> None:
    assert format_vector([2, 1, -3]) == "(2, 1, -3)"
    assert format_vector(np.array([2.0, 1.0, -3.0])) == "(2, 1, -3)"
    assert format_vector([0.5, -0.25, math.log(2)]) == "(1/2, -1/4, ln 2)"
    assert format_vector([1 / 3], exact=False) == "(0.3333)"
    assert format_vector([]) == "()"
    with pytest.raises(ValueError):
        format_vector([[1, 2]])


def test_format_matrix() -> None:
    assert format_matrix(J_S) == "[  1/4  -1/4 ]\n[ -1/4   1/4 ]"
    assert format_matrix([[0.75, -0.75]]) == "[ 3/4  -3/4 ]"
    m = [[1, 10, -0.5], [100, 2, 1 / 3]]
    assert format_matrix(m) == "[   1  10  -1/2 ]\n[ 100   2   1/3 ]"
    assert format_matrix(m, exact=False) == "[   1  10    -0.5 ]\n[ 100   2  0.3333 ]"
    with pytest.raises(ValueError):
        format_matrix([1, 2])


def test_format_matrix_columns_are_right_aligned() -> None:
    lines = format_matrix([[1.0, -1000.0], [-1 / 7, 2.0]]).splitlines()
    assert len({len(line) for line in lines}) == 1
    assert all(line.startswith("[ ") and line.endswith(" ]") for line in lines)


def test_format_array_dispatch() -> None:
    assert format_array(0.75) == "3/4"
    assert format_array([2, 1, -3]) == "(2, 1, -3)"
    assert format_array(J_S) == format_matrix(J_S)
    cube = np.array([J_S, [[1, 0], [0, 1]]])
    text = format_array(cube)
    assert text.startswith("[\n") and text.endswith("\n]")
    assert "  [  1/4  -1/4 ]" in text
    assert "  [ 1  0 ]\n  [ 0  1 ]" in text
    assert "\n\n" in text  # blocks are separated by a blank line


def test_latex_vector() -> None:
    expected_col = r"\begin{pmatrix} 2 \\ 1 \\ -3 \end{pmatrix}"
    assert latex_vector([2, 1, -3]) == expected_col
    assert latex_vector([2, 1, -3], column=True) == expected_col
    assert latex_vector([2, 1, -3], column=False) == r"\begin{pmatrix} 2 & 1 & -3 \end{pmatrix}"
    assert latex_vector([0.5, -0.5]) == r"\begin{pmatrix} \frac{1}{2} \\ -\frac{1}{2} \end{pmatrix}"
    with pytest.raises(ValueError):
        latex_vector(J_S)


def test_latex_matrix_sheet_jacobian() -> None:
    expected = (
        r"\begin{pmatrix} \frac{1}{4} & -\frac{1}{4} \\ -\frac{1}{4} & \frac{1}{4} \end{pmatrix}"
    )
    assert latex_matrix(J_S) == expected
    assert latex_matrix(np.array(J_S)) == expected
    assert latex_array(J_S) == expected
    with pytest.raises(ValueError):
        latex_matrix([1, 2])


def test_latex_array_dispatch() -> None:
    assert latex_array(0.75) == r"\frac{3}{4}"
    assert latex_array([2, 1, -3]) == r"\begin{pmatrix} 2 \\ 1 \\ -3 \end{pmatrix}"
    cube = latex_array(np.ones((2, 1, 1)))
    one = r"\begin{pmatrix} 1 \end{pmatrix}"
    assert cube == r"\left[ " + one + r",\ " + one + r" \right]"


# ----------------------------------------------------------------------------- properties

# |p/q| < 1e6 for every non-integer p/q (the documented range of exact fractions).
numerators = st.integers(min_value=-(10**6), max_value=10**6)
denominators = st.integers(min_value=1, max_value=1000)


@given(numerators, denominators)
def test_fraction_roundtrip_format(p: int, q: int) -> None:
    assert format_scalar(p / q) == str(Fraction(p, q))


@given(numerators, denominators)
def test_fraction_roundtrip_as_fraction(p: int, q: int) -> None:
    assert as_fraction(float(Fraction(p, q))) == Fraction(p, q)


@given(st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1))
def test_integers_print_exactly(n: int) -> None:
    assert format_scalar(float(n)) == str(n)
    assert format_scalar(float(n), exact=False) == str(n)


@given(numerators, denominators)
def test_fraction_roundtrip_latex(p: int, q: int) -> None:
    r = Fraction(p, q)
    text = latex_scalar(p / q)
    if r.denominator == 1:
        assert text == str(r.numerator)
    else:
        sign = "-" if r < 0 else ""
        assert text == sign + rf"\frac{{{abs(r.numerator)}}}{{{r.denominator}}}"


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_never_negative_zero_and_always_a_string(x: float) -> None:
    for exact in (True, False):
        s = format_scalar(x, exact=exact)
        assert isinstance(s, str) and s
        assert s != "-0"
        assert not s.startswith("-0e")
