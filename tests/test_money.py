"""Yuan parsing, rounding at rule points, and splits that add up exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidAmount
from domain.money import fmt, parse_rate, parse_yuan, pro_rata, round_fen, split


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500000", "500000.00"),
        ("500000.00", "500000.00"),
        ("500,000.00", "500000.00"),
        ("50万", "500000.00"),
        ("50万元", "500000.00"),
        ("1,000,000.01元", "1000000.01"),
        ("0.5万", "5000.00"),
        ("1.5亿元", "150000000.00"),
        ("1亿", "100000000.00"),
        ("12.34", "12.34"),
        (" 7,654,321.09 ", "7654321.09"),
    ],
)
def test_accepts_amounts_as_officers_write_them(text: str, expected: str) -> None:
    value = parse_yuan(text)
    assert value == Decimal(expected)
    assert str(value) == expected  # always exactly two places


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "not a number"),
        ("1e5", "exponent"),
        ("1E5", "exponent"),
        ("12.345", "more than 2 decimals"),
        ("0.0000001万", "more than 2 decimals"),
        ("-5", "must be positive"),
        ("0", "must be positive"),
        ("5,00", "not a number"),
        ("1,0000.00", "not a number"),
        ("NaN", "not a number"),
        ("五十万", "not a number"),
        ("99999999999999999999999999999", "beyond any sum"),
        ("1" + "0" * 30 + "万", "beyond any sum"),
        ("1,000,000,000,000,000", "beyond any sum"),
    ],
)
def test_refuses_bad_amounts_with_a_clear_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidAmount, match=reason):
        parse_yuan(text)


def test_refuses_floats_outright() -> None:
    with pytest.raises(InvalidAmount, match="floats"):
        parse_yuan(0.1)  # type: ignore[arg-type]  # a float on purpose: it is refused


def test_zero_and_negative_allowed_only_when_asked() -> None:
    assert parse_yuan("0", positive=False) == Decimal("0.00")
    with pytest.raises(InvalidAmount, match="negative"):
        parse_yuan("-1", positive=False)


def test_round_half_up_to_the_fen() -> None:
    assert round_fen(Decimal("0.005")) == Decimal("0.01")
    assert round_fen(Decimal("0.0049999")) == Decimal("0.00")
    assert round_fen(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67
    assert round_fen(Decimal("153086.4218")) == Decimal("153086.42")


def test_split_leaves_the_remainder_to_the_last_share() -> None:
    shares = split(Decimal("333333.33"), [Decimal("0.35"), Decimal("0.35"), Decimal("0.30")])
    assert shares == [Decimal("116666.67"), Decimal("116666.67"), Decimal("99999.99")]


def test_split_refuses_ratios_that_do_not_make_a_whole() -> None:
    with pytest.raises(ValueError, match="add up to 1"):
        split(Decimal("100.00"), [Decimal("0.5"), Decimal("0.4")])


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000000"), places=2)
weights = st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(amounts, weights)
def test_splits_always_add_up_exactly(total: Decimal, ws: list[int]) -> None:
    ratios = [Decimal(w) / Decimal(sum(ws)) for w in ws]
    ratios[-1] = Decimal(1) - sum(ratios[:-1], Decimal(0))
    parts = split(total, ratios)
    assert sum(parts, Decimal(0)) == total
    assert all(p == p.quantize(Decimal("0.01")) for p in parts)
    parts = pro_rata(total, [Decimal(w) for w in ws])
    assert sum(parts, Decimal(0)) == total
    for p, w in zip(parts[:-1], ws[:-1], strict=True):
        assert abs(p - total * w / sum(ws)) <= Decimal("0.005")


def test_format_has_thousands_separators() -> None:
    assert fmt(Decimal("7654321.09")) == "7,654,321.09"


@pytest.mark.parametrize(("text", "rate"), [("4%", "0.04"), ("0.04", "0.04"), ("45%", "0.45"), ("100%", "1"), ("0", "0")])
def test_rates_as_written(text: str, rate: str) -> None:
    assert parse_rate(text) == Decimal(rate)


@pytest.mark.parametrize(("text", "reason"), [("abc%", "is not a rate"), ("101%", "between 0 and 1"),
                                              ("-1%", "is not a rate"), ("1.5", "between 0 and 1"),
                                              ("NaN", "is not a rate"), ("1_0%", "is not a rate"),
                                              ("١٠%", "is not a rate"), ("1e-2", "is not a rate")])
def test_bad_rates_are_refused(text: str, reason: str) -> None:
    with pytest.raises(InvalidAmount, match=reason):
        parse_rate(text)
