"""P5 finance awards (P5.2–P5.5, P5.7): contribution, angel funds, leasing years, listings,
premiums. P5.6 is the loan-loss split (tests/test_compensation.py, tests/test_loans*.py).
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import CapExceeded, Refused
from tests.builders import (
    D,
    award,
    calc,
    covers,
    fund_with,
    party,
)


@covers("P5.2")
def test_p5_2_equal_to_contribution() -> None:
    fm = party("fund_manager", "F1")
    assert calc("P5.2", fm, contribution="1234567.89").amount == D("1234567.89")
    award("P5.2", fm, contribution="1000", year="2025")
    with pytest.raises(Refused, match=r"G.3"):
        calc("P5.2", fm, contribution="1000", year="2025")


@covers("P5.2")
@pytest.mark.parametrize(("year", "why"), [
    ("2027", r"^P5.2: assessment year 2027 is after the decision year 2025"),
    ("2019", r"^P5.2: assessment year 2019 is before the policy's start year 2024"),
])
def test_p5_2_assessment_year_checked(year: str, why: str) -> None:
    with pytest.raises(Refused, match=why):
        calc("P5.2", party("fund_manager", "F1"), contribution="1000", year=year)
    assert calc("P5.2", party("fund_manager", "F1"), contribution="1000", year="2024").matter == "P5.2:2024"


@covers("P5.3")
def test_p5_3_angel_fund_conditions_rate_and_cap() -> None:
    fm = party("fund_manager", "F1")
    ok = {"investment": "20000000", "held_since": "2024-02-28", "rate": "2%", "fund": "F1"}
    assert calc("P5.3", fm, **ok).amount == D("400000.00")
    assert calc("P5.3", fm, **{**ok, "investment": "150000000"}).amount == D("2000000.00")  # capped
    assert calc("P5.3", fm, **{**ok, "investment": "100000000"}).amount == D("2000000.00")  # at the cap
    assert calc("P5.3", fm, **{**ok, "held_since": "2024-03-01"}).amount == D("400000.00")  # exactly 1 year
    with pytest.raises(Refused, match=r"held < 1 yr on 2025-03-01, not counted.*|investment held ≥ 1 yr"):
        calc("P5.3", fm, **{**ok, "held_since": "2024-03-02"})
    with pytest.raises(Refused, match=r"below 10,000,000"):
        calc("P5.3", fm, **{**ok, "investment": "9999999.99"})
    with pytest.raises(Refused, match=r"rate 2.5% exceeds 2%"):
        calc("P5.3", fm, **{**ok, "rate": "2.5%"})
    award("P5.3", fm, **ok)
    with pytest.raises(Refused, match=r"P5.3: one-time \(一次性\) for fund F1: .*a second award is refused"):
        calc("P5.3", fm, **{**ok, "investment": "50000000"})  # more invested later: still one award per fund
    with pytest.raises(Refused, match=r"P5.3: one-time"):
        calc("P5.3", fm, **ok)


@covers("P5.3")
def test_p5_3_counts_each_recorded_investment_less_guidance_money_held_a_year() -> None:
    """扣除政府引导基金后, 投资期限满 1 年: per recorded investment of the fund, on the decision date."""
    fm = party("fund_manager", "M1")
    fund = fund_with("F9", "M1", ("8000000", "2024-01-10", "2000000"),  # 6,000,000 counted
                     ("5000000", "2024-02-01", "0"),                     # 5,000,000 counted
                     ("9000000", "2024-12-01", "0"))                     # held < 1 year on 2025-03-01
    e = calc("P5.3", fm, recorded={"fund": fund}, fund="F9", rate="2%")
    assert e.amount == D("220000.00")  # 2% × 11,000,000
    assert "T1 2024-01-10: 8,000,000.00 − guidance 2,000,000.00 = 6,000,000.00, counted" in e.line
    assert "T3 2024-12-01: 9,000,000.00 − guidance 0.00 = 9,000,000.00, held < 1 yr on 2025-03-01, not counted" in e.line
    short = fund_with("F8", "M1", ("10000000", "2024-01-10", "0.01"))  # guidance money takes it below 10,000,000
    with pytest.raises(Refused, match=r"after deducting government guidance money is 9,999,999.99, below 10,000,000"):
        calc("P5.3", fm, recorded={"fund": short}, fund="F8", rate="2%")
    with pytest.raises(Refused, match=r"P5.3: fund F7 is not registered"):
        calc("P5.3", fm, recorded={"fund": None}, fund="F7", rate="2%")
    with pytest.raises(Refused, match=r"P5.3: fund F9 is managed by X9, not by M1"):
        calc("P5.3", fm, recorded={"fund": fund_with("F9", "X9", ("20000000", "2024-01-10", "0"))}, fund="F9",
             rate="2%")
    with pytest.raises(Refused, match=r"P5.3: basis fund is required"):
        calc("P5.3", fm, recorded={"fund": fund}, rate="2%")


@covers("P5.4")
def test_p5_4_leasing_half_percent_annual_cap() -> None:
    lo = party("leasing", "L1")
    assert calc("P5.4", lo, financing_total="100000000").amount == D("500000.00")
    assert calc("P5.4", lo, financing_total="300000000").amount == D("1000000.00")
    assert calc("P5.4", lo, financing_total="101").amount == D("0.51")  # 0.505 → 0.51
    award("P5.4", lo, financing_total="150000000")  # 750,000 for 2025
    e = calc("P5.4", lo, financing_total="200000000")  # a corrected 2025 total: G.3 difference
    assert e.amount == D("250000.00") and "G.3 matter P5.4:2025: already received 750,000.00" in e.line


@covers("P5.4")
def test_p5_4_the_same_financing_year_is_not_paid_twice() -> None:
    lo = party("leasing", "L1")
    assert award("P5.4", lo, financing_total="100000000").amount == D("500000.00")
    with pytest.raises(Refused, match=r"^G.3 就高不重复: matter P5.4:2025 of L1 already received 500,000.00"):
        calc("P5.4", lo, financing_total="100000000")
    with pytest.raises(Refused, match=r"matter P5.4:2025"):  # the year written out is the same matter
        calc("P5.4", lo, financing_total="100000000", year="2025")


@covers("P5.4")
def test_p5_4_cap_is_per_financing_year() -> None:
    lo = party("leasing", "L1")
    award("P5.4", lo, financing_total="300000000", year="2024")  # 1,500,000 → cap 1,000,000 for 2024
    e = calc("P5.4", lo, financing_total="100000000")  # 2025 has its own cap
    assert e.amount == D("500000.00") and e.matter == "P5.4:2025"
    with pytest.raises(CapExceeded, match=r"is used up for financing year 2024"):
        calc("P5.4", lo, financing_total="400000000", year="2024")


@covers("P5.4")
@pytest.mark.parametrize(("year", "why"), [
    ("2026", r"^P5.4: financing year 2026 is after the decision year 2025"),
    ("2023", r"^P5.4: financing year 2023 is before the policy's start year 2024"),
])
def test_p5_4_financing_year_checked_like_rent_years(year: str, why: str) -> None:
    with pytest.raises(Refused, match=why):
        calc("P5.4", party("leasing", "L1"), financing_total="100000000", year=year)


@covers("P5.4")
def test_p5_4_financing_year_before_entry_is_refused() -> None:
    with pytest.raises(Refused, match=r"financing year 2024 is before L1 entered the platform \(2025-01-01\)"):
        calc("P5.4", party("leasing", "L1", date(2025, 1, 1)), financing_total="1000", year="2024")


@covers("P5.5b", "P5.5a", "P5.5d", "P5.5c")
def test_p5_5_listing_steps_up_within_the_family() -> None:
    p = party()
    award("P5.5b", p)  # NEEQ 300,000
    e = calc("P5.5a", p, private="yes")
    assert e.amount == D("200000.00") and "already received 300,000.00" in e.line
    with pytest.raises(Refused, match=r"G.3 .* matter P5.5:listing"):
        calc("P5.5d", p)  # 晋兴板 100,000 after 300,000: nothing
    q = party(code="E2")
    assert calc("P5.5d", q).amount == D("100000.00")
    assert calc("P5.5c", q, fees="150000", financing="succeeded").amount == D("75000.00")
    assert calc("P5.5c", q, fees="250000", financing="succeeded").amount == D("100000.00")
    assert calc("P5.5c", q, fees="0.01", financing="succeeded").amount == D("0.01")  # 0.005 → 0.01


@covers("P5.6a")
def test_p5_6_is_not_an_award_rule() -> None:
    with pytest.raises(Refused, match=r"P5.6a .* is a loan-loss split, not an award"):
        calc("P5.6a", party(), loss="100")


@covers("P5.7")
def test_p5_7_premium_half_annual_cap() -> None:
    p = party()
    assert calc("P5.7", p, premium="300000", policy="BD-1").amount == D("150000.00")
    award("P5.7", p, premium="300000", policy="BD-1")
    e = calc("P5.7", p, premium="300000", policy="BD-2")
    assert e.amount == D("50000.00") and "cap 200,000/yr for E1, used 150,000.00, remaining 50,000.00" in e.line
