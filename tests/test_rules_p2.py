"""P2 technology transfer (P2.1 rent, P2.3 brokers, P2.4 contracts, P2.5 service platforms): each
rule's amount, caps, refusals and rounding, on an Enterprise in memory or through the ledger.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.enterprise import Enterprise
from domain.errors import CapExceeded, InvalidAmount, Refused
from tests.builders import (
    REGISTERED,
    D,
    award,
    by,
    calc,
    covers,
    party,
    pay_and_claw_back,
)

RENT = {
    "P2.1a": ("enterprise", {"rent_paid": "1000", "area": "10", "space": "office", "assessment": "passed"}),
    "P2.1b": ("service_org", {"rent_paid": "1000", "area": "10"}),
    "P2.5": ("service_org", {"rent_paid": "1000", "rate": "60%", "rating": "excellent"}),
}


@covers("P2.1a")
@pytest.mark.parametrize(("space", "area", "rent", "expected"), [
    ("factory", "1500", "300000", "300000.00"),          # within 2000 m²: all the rent
    ("factory", "2000", "300000", "300000.00"),          # at the cap
    ("factory", "3000", "300000", "200000.00"),          # over: 2000/3000 of the rent
    ("office", "600", "100000.01", "83333.34"),          # 500/600 × 100,000.01 = 83,333.341… half-up
    ("office", "700", "100", "71.43"),                   # 500/700 × 100 = 71.428… → 71.43
])
def test_p2_1a_rent_of_the_capped_area(space: str, area: str, rent: str, expected: str) -> None:
    e = calc("P2.1a", party(), rent_paid=rent, area=area, space=space, assessment="passed")
    assert e.amount == D(expected)
    assert e.matter == "P2.1:rent:2025"
    assert "P2.1a.factory_area_max@2024-11-05" in e.versions or "P2.1a.office_area_max@2024-11-05" in e.versions


@covers("P2.1a")
def test_p2_1a_at_most_three_years() -> None:
    p = party()
    for year in ("2025", "2026", "2027"):
        award("P2.1a", p, date(int(year), 3, 1), rent_paid="1000", area="10", space="office", year=year,
              assessment="passed")
    with pytest.raises(Refused, match=r"P2.1a: E1 already had rent subsidy for 3 years \(2025, 2026, 2027\); at most 3"):
        calc("P2.1a", p, date(2028, 3, 1), rent_paid="1000", area="10", space="office", year="2028",
             assessment="passed")
    # a top-up for a year already subsidised is the same matter (G.3), not a fourth year
    e = calc("P2.1a", p, date(2028, 3, 1), rent_paid="1500", area="10", space="office", year="2027",
             assessment="passed")
    assert e.amount == D("500.00") and "G.3 matter P2.1:rent:2027" in e.line


@covers("P2.1a")
def test_p2_1a_refusals() -> None:
    with pytest.raises(Refused, match=r"basis space=.* must be one of factory, office"):
        calc("P2.1a", party(), rent_paid="1", area="1", space="warehouse", assessment="passed")
    with pytest.raises(Refused, match=r"area must be more than 0"):
        calc("P2.1a", party(), rent_paid="1", area="0", space="office", assessment="passed")
    with pytest.raises(Refused, match=r"basis area is required"):
        calc("P2.1a", party(), rent_paid="1", space="office", assessment="passed")
    with pytest.raises(Refused, match=r"unknown basis key colour"):
        calc("P2.1a", party(), rent_paid="1", area="1", space="office", colour="red", assessment="passed")


@covers("P2.1b")
def test_p2_1b_service_org_100_m2() -> None:
    org = party("service_org", "S1")
    assert calc("P2.1b", org, rent_paid="60000", area="100").amount == D("60000.00")
    assert calc("P2.1b", org, rent_paid="60000", area="150").amount == D("40000.00")
    with pytest.raises(Refused, match=r"P2.1b: recipient E1 is an enterprise; the clause pays service_org"):
        calc("P2.1b", party(), rent_paid="60000", area="100")


@covers("P2.1b")
def test_p2_1b_trace_names_the_rent_years_counted() -> None:
    org = party("service_org", "S1")
    award("P2.1b", org, date(2026, 3, 1), rent_paid="1000", area="10", year="2026")
    e = calc("P2.1b", org, date(2026, 6, 1), rent_paid="1000", area="10", year="2025")  # back-dated year
    assert "rent years counted 2025, 2026: 2 of at most 3" in e.line


@covers("P2.1c")
def test_p2_1c_needs_reference_reason_and_amount() -> None:
    e = calc("P2.1c", party(), amount="1234567.89", reason="重点项目", ref="临政办〔2025〕3号")
    assert e.amount == D("1234567.89") and "reason: 重点项目" in e.line
    with pytest.raises(Refused, match=r"一事一议 needs a decision reference"):
        calc("P2.1c", party(), amount="100", reason="")
    with pytest.raises(Refused, match=r"the amount is decided by the officer, and none was given"):
        calc("P2.1c", party(), reason="重点项目")


@covers("P2.3a")
def test_p2_3a_officer_amount_within_annual_cap() -> None:
    p = party("service_org", "S1")
    assert calc("P2.3a", p, amount="500000").amount == D("500000.00")  # at the cap
    with pytest.raises(CapExceeded, match=r"exceeds the cap of 500,000"):
        calc("P2.3a", p, amount="500000.01")
    award("P2.3a", p, amount="300000")
    with pytest.raises(CapExceeded, match=r"^P2.3a: amount decided 300,000.00 exceeds the 200,000.00 remaining"):
        calc("P2.3a", p, amount="300000")  # an officer's amount is refused, never cut
    e = calc("P2.3a", p, amount="200000")
    assert e.amount == D("200000.00") and "used 300,000.00, remaining 200,000.00" in e.line
    award("P2.3a", p, amount="200000")
    with pytest.raises(CapExceeded, match=r"cap 500,000/yr for S1 in 2025 is used up"):
        calc("P2.3a", p, amount="1")
    assert calc("P2.3a", p, date(2026, 1, 5), amount="500000").amount == D("500000.00")  # a new year


@covers("P2.3a")
def test_p2_3a_over_the_remaining_room_is_refused_not_cut() -> None:
    s = party("service_org", "S1")
    award("P2.3a", s, amount="300000")
    with pytest.raises(CapExceeded, match=r"^P2.3a: amount decided 200,000.01 exceeds the 200,000.00 remaining"):
        calc("P2.3a", s, amount="200000.01")


@covers("P2.3b")
def test_p2_3b_has_no_default_ratio() -> None:
    with pytest.raises(Refused, match=r"P2.3b: the broker ratio .* is not set"):
        calc("P2.3b", party("person", "B1"), deal_value="1000000", deal="D-1")


@covers("P2.4")
def test_p2_4_formula_cap_and_trace_format() -> None:
    u = party("university", "U1")
    award("P2.4", u, contract_value="20000000", contract="HT-1")
    e = calc("P2.4", u, contract_value="7654321.09", contract="HT-2")
    assert e.line == ("P2.4: 2% × 7,654,321.09 = 153,086.42; contract HT-2 registered on 2024-11-01 (认定登记), "
                      "with E1, not registered in the ledger; cap 500,000/yr for U1, used 400,000.00, "
                      "remaining 100,000.00 → 100,000.00")


@covers("P2.4")
@pytest.mark.parametrize(("value", "expected"), [
    ("100.25", "2.01"),      # 2.005 → half-up 2.01
    ("100.24", "2.00"),      # 2.0048 → 2.00
    ("25000000", "500000.00"),  # exactly at the annual cap
    ("25000050", "500000.00"),  # over: capped
])
def test_p2_4_rounding_and_cap(value: str, expected: str) -> None:
    assert calc("P2.4", party("institute", "I1"), contract_value=value, contract="HT-1").amount == D(expected)


@covers("P2.4")
def test_p2_4_refusals() -> None:
    with pytest.raises(Refused, match=r"the clause pays university"):
        calc("P2.4", party(), contract_value="100", contract="HT-1")
    with pytest.raises(InvalidAmount, match=r"differs from the computed entitlement 2,000.00"):
        calc("P2.4", party("university", "U1"), contract_value="100000", contract="HT-1", amount="2500")
    with pytest.raises(Refused, match=r"more than 2 decimals"):
        calc("P2.4", party("university", "U1"), contract_value="100.001", contract="HT-1")
    with pytest.raises(Refused, match=r"P2.4: basis contract is required"):  # the registered contract is the matter
        calc("P2.4", party("university", "U1"), contract_value="100000")
    u = party("university", "U1")
    award("P2.4", u, contract_value="100000", contract="HT-9")
    with pytest.raises(Refused, match=r"G.3 就高不重复: matter P2.4:HT-9 .* already received 2,000.00"):
        calc("P2.4", u, contract_value="100000", contract="HT-9")


@covers("P2.4")
@pytest.mark.parametrize("missing", ["registered_on", "counterparty"])
def test_p2_4_needs_the_registration_date_and_the_counterparty(missing: str) -> None:
    """技术合同经认定登记后 …… 面向平台的企业: both facts are required inputs, refused when missing."""
    facts = {k: v for k, v in REGISTERED.items() if k != missing}
    with pytest.raises(Refused, match=rf"^P2.4: basis {missing} is required"):
        calc("P2.4", party("university", "U1"), facts=False, contract_value="100000", contract="HT-1", **facts)


@covers("P2.4")
def test_p2_4_a_contract_registered_after_the_decision_is_refused() -> None:
    u = party("university", "U1")
    with pytest.raises(Refused, match=r"^P2.4: contract HT-1 is registered on 2025-03-02, after the decision date "
                                      r"2025-03-01 \(技术合同经认定登记后\)$"):
        calc("P2.4", u, contract_value="100000", contract="HT-1", registered_on="2025-03-02")
    on_the_day = calc("P2.4", u, contract_value="100000", contract="HT-1", registered_on="2025-03-01")
    assert on_the_day.amount == D("2000.00")
    with pytest.raises(Refused, match=r"P2.4: basis registered_on='2025-02-30' is not a date"):
        calc("P2.4", u, contract_value="100000", contract="HT-1", registered_on="2025-02-30")
    with pytest.raises(Refused, match=r"P2.4: basis counterparty='E 1': party code 'E 1' may hold only letters"):
        calc("P2.4", u, contract_value="100000", contract="HT-1", counterparty="E 1")


@covers("P2.4")
def test_p2_4_trace_shows_the_registration_and_the_counterparty() -> None:
    u = party("university", "U1")
    e1 = party("enterprise", "E1")
    known = calc("P2.4", u, contract_value="1000000", contract="HT-1", recorded={"counterparty": e1})
    assert known.line == ("P2.4: 2% × 1,000,000.00 = 20,000.00; contract HT-1 registered on 2024-11-01 (认定登记), "
                          "with E1 E1 名称 (企业); cap 500,000/yr for U1, used 0.00, remaining 500,000.00 → 20,000.00")
    assert dict(known.basis) == {"contract_value": "1000000.00", "contract": "HT-1", "registered_on": "2024-11-01",
                                 "counterparty": "E1"}
    unknown = calc("P2.4", u, contract_value="1000000", contract="HT-1", counterparty="E9")
    assert "contract HT-1 registered on 2024-11-01 (认定登记), with E9, not registered in the ledger" in unknown.line


@covers("P2.4")
def test_contract_in_lower_case_is_the_same_contract() -> None:
    u = party("university", "U1")
    award("P2.4", u, contract_value="30000000", contract="H1")  # 600,000 → 500,000 (cap)
    with pytest.raises(Refused, match=r"^P2.4: contract H1 was subsidised in 2025"):
        calc("P2.4", u, date(2026, 3, 1), contract_value="30000000", contract=" h1 ")


@covers("P2.4")
def test_p2_4_a_later_year_cannot_top_up_what_the_annual_cap_cut() -> None:
    u = party("university", "U1")
    award("P2.4", u, contract_value="21654321", contract="HT-001")  # 433,086.42
    e = award("P2.4", u, contract_value="15000000", contract="HT-003")
    assert e.amount == D("66913.58")  # 300,000.00 cut by the 2025 cap
    with pytest.raises(Refused) as refused:
        calc("P2.4", u, date(2026, 3, 1), contract_value="15000000", contract="HT-003")
    assert str(refused.value) == ("P2.4: contract HT-003 was subsidised in 2025 (66,913.58); a later year cannot "
                                  "top it up (the 2025 annual cap is final)")
    # another contract in 2026 has the whole 2026 cap
    assert calc("P2.4", u, date(2026, 3, 1), contract_value="15000000", contract="HT-009").amount == D("300000.00")


@covers("P2.4")
def test_p2_4_a_later_year_on_an_uncapped_contract_is_refused_too() -> None:
    u = party("university", "U1")
    award("P2.4", u, contract_value="1000000", contract="HT-1")  # 20,000.00, not cut
    with pytest.raises(Refused, match=r"^P2.4: contract HT-1 was subsidised in 2025 \(20,000.00\); a later year"):
        calc("P2.4", u, date(2026, 3, 1), contract_value="2000000", contract="HT-1")


@covers("P2.4")
def test_p2_4_a_same_year_top_up_pays_the_difference_within_that_years_cap() -> None:
    u = party("university", "U1")
    award("P2.4", u, contract_value="10000000", contract="HT-1")  # 200,000
    award("P2.4", u, contract_value="10000000", contract="HT-2")  # 200,000
    e = calc("P2.4", u, date(2025, 9, 1), contract_value="15000000", contract="HT-1")
    assert e.amount == D("100000.00")  # 300,000 − 200,000, and exactly the 100,000 left of the 2025 cap
    e = calc("P2.4", u, date(2025, 9, 1), contract_value="20000000", contract="HT-1")
    assert e.amount == D("100000.00") and "remaining 100,000.00" in e.line  # difference 200,000 cut by the cap


@covers("P2.4")
def test_p2_4_a_fully_clawed_back_first_year_does_not_hold_the_matter() -> None:
    u = party("university", "U1")
    a = u.next_award_id()
    award("P2.4", u, contract_value="1000000", contract="HT-1")
    pay_and_claw_back(u, a, "20000")
    assert calc("P2.4", u, date(2026, 3, 1), contract_value="1000000", contract="HT-1").amount == D("20000.00")


@covers("P2.5")
def test_p2_5_rate_floor_and_three_consecutive_years() -> None:
    org = party("service_org", "S1")
    assert calc("P2.5", org, rent_paid="80000", rate="50%", rating="excellent").amount == D("40000.00")  # at the floor
    assert calc("P2.5", org, rent_paid="80000", rate="0.6", rating="excellent").amount == D("48000.00")
    assert calc("P2.5", org, rent_paid="0.03", rate="50%", rating="excellent").amount == D("0.02")  # 0.015 → 0.02
    with pytest.raises(Refused, match=r"rate 49.99% is below the floor of 50%"):
        calc("P2.5", org, rent_paid="80000", rate="49.99%", rating="excellent")
    with pytest.raises(Refused, match=r"above 100% of the rent"):
        calc("P2.5", org, rent_paid="80000", rate="101%", rating="excellent")
    with pytest.raises(Refused, match=r"write a percentage as 60% or as a fraction"):
        calc("P2.5", org, rent_paid="80000", rate="60", rating="excellent")
    award("P2.5", org, rent_paid="80000", rate="50%", year="2025", rating="excellent")
    assert calc("P2.5", org, date(2027, 3, 1), rent_paid="80000", rate="50%", year="2027", rating="excellent").amount == D("40000.00")
    with pytest.raises(Refused, match=r"3 consecutive years from 2025 .*2028 is outside"):
        calc("P2.5", org, date(2028, 3, 1), rent_paid="80000", rate="50%", year="2028", rating="excellent")


@covers(*RENT)
@pytest.mark.parametrize("clause", list(RENT))
def test_rent_year_after_the_decision_is_refused(clause: str) -> None:
    kind, basis = RENT[clause]
    with pytest.raises(Refused, match=rf"^{clause}: rent year 2028 is after the decision year 2025 \(先缴后补"):
        calc(clause, party(kind), **basis, year="2028")


@covers(*RENT)
@pytest.mark.parametrize("clause", list(RENT))
def test_rent_year_before_the_policy_start_is_refused(clause: str) -> None:
    kind, basis = RENT[clause]
    with pytest.raises(Refused, match=rf"^{clause}: rent year 2019 is before the policy's start year 2024 \(G.1"):
        calc(clause, party(kind, entered=date(2018, 1, 1)), **basis, year="2019")


@covers(*RENT)
@pytest.mark.parametrize("clause", list(RENT))
def test_rent_year_before_entry_is_refused_and_the_entry_year_is_allowed(clause: str) -> None:
    kind, basis = RENT[clause]
    p = Enterprise.register(by(date(2025, 7, 1)), "E1", "E1 名称", kind, date(2025, 6, 1))
    later = date(2026, 3, 1)
    with pytest.raises(Refused, match=rf"^{clause}: rent year 2024 is before E1 entered the platform \(2025-06-01\)"):
        calc(clause, p, later, **basis, year="2024")
    assert calc(clause, p, later, **basis, year="2025").amount > 0
    assert calc(clause, p, later, **basis).amount > 0  # default: the decision year
