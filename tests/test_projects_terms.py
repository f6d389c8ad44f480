"""Conversion terms as data: the buyback formula evaluated on the exercise date, with its trace."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.conversion_terms import ConversionTerms, ExitFormula, elapsed_years
from domain.errors import Refused

D = Decimal


def test_elapsed_years_counts_anniversaries() -> None:
    assert elapsed_years(date(2026, 1, 5), date(2028, 1, 5)) == 2  # across 29 Feb 2028: still exactly 2
    assert elapsed_years(date(2026, 3, 1), date(2028, 3, 1)) == 2
    assert elapsed_years(date(2027, 1, 1), date(2027, 7, 2)) == D(182) / D(365)
    assert elapsed_years(date(2024, 2, 29), date(2025, 2, 28)) == 1


def test_exit_formulas() -> None:
    interest = ExitFormula("interest", rate=D("0.04"))
    price, trace = interest.price_of(D("3000000.00"), D(1), date(2026, 1, 5), date(2028, 1, 5))
    assert price == D("3240000.00") and "× (1 + 4% × 2 years" in trace
    half, _ = interest.price_of(D("3000000.00"), D("0.5"), date(2026, 1, 5), date(2027, 1, 5))
    assert half == D("1560000.00")
    assert ExitFormula("principal").price_of(D("3000000.00"), D("0.25"), date(2026, 1, 1), date(2027, 1, 1))[0] == \
        D("750000.00")
    assert ExitFormula("fixed", price=D("4000000")).price_of(D(0), D("0.5"), date(2026, 1, 1), date(2027, 1, 1))[0] \
        == D("2000000.00")


def test_terms_round_trip_and_refusals() -> None:
    terms = ConversionTerms.build(trigger="financing", pricing="discount", discount="20%", max_stake="0.3",
                                  exit_formula="interest", exit_rate="4%", ratio="50%", debt_rate="5%",
                                  debt_years=3)
    assert ConversionTerms.from_dict(terms.as_dict()) == terms
    assert terms.pricing.valuation(D("10000000.00"))[0] == D("8000000.00")
    with pytest.raises(Refused, match="use a fixed pre-money valuation"):
        ConversionTerms.build(trigger="date", trigger_on=date(2026, 1, 1), pricing="round", max_stake="20%",
                              exit_formula="principal")
    with pytest.raises(Refused, match="maximum stake"):
        ConversionTerms.build(trigger="financing", pricing="round", max_stake="120%", exit_formula="principal")
    with pytest.raises(Refused, match="floats"):
        ConversionTerms.build(trigger="financing", pricing="round", max_stake=0.2, exit_formula="principal")  # type: ignore[arg-type]  # a float on purpose: it is refused
