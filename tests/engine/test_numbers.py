"""Reading numbers as a teacher types them (weights in the inspector, ``--lr``)."""

from __future__ import annotations

import pytest

from gradviz.engine.numbers import NumberError, parse_number


@pytest.mark.parametrize(
    "text,value",
    [
        ("3", 3.0),
        ("-1.5e-2", -0.015),
        ("3/4", 0.75),
        ("-3/2", -1.5),
        ("\u22123/2", -1.5),
        (" 3 / 4 ", 0.75),
        ("+1/8", 0.125),
        ("3/-4", -0.75),
        (".5", 0.5),
        ("1e-3/2", 0.0005),
        ("1/3", 1 / 3),
        ("0", 0.0),
        ("-0", 0.0),
    ],
)
def test_numbers_it_reads(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "'abc' is not a number"),
        ("3/4/5", "'3/4/5' is not a number"),
        ("3/", "'3/' is not a number"),
        ("nan", "'nan' is refused"),
        ("-inf", "'-inf' is refused"),
        ("Infinity", "is refused"),
        ("1/0", "'1/0' divides by zero"),
        ("1e400", "'1e400' is too large for a float64"),
        ("1/3e-400", "too large for a float64"),
    ],
)
def test_numbers_it_refuses_with_one_sentence(text: str, message: str) -> None:
    with pytest.raises(NumberError) as info:
        parse_number(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
