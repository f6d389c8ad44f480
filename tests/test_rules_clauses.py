"""Every money clause of P2–P6: normal amount, at and over each cap, each refusal, rounding half-up.

Pure domain tests: the rules are evaluated against an Enterprise aggregate in memory (prior
awards recorded on it the way the handler records them), with the shipped parameter book.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.enterprise import Enterprise
from domain.errors import CapExceeded, InvalidAmount, Refused
from domain.fund import Fund
from domain.parameters import parameter_book
from domain.provenance import Provenance
from domain.rules import Entitlement, evaluate
from tests.conftest import OFFICER

D = Decimal
DAY = date(2025, 3, 1)


def by(decided: date = DAY, ref: str = "临科发〔2025〕1号") -> Provenance:
    return Provenance(OFFICER, datetime(2026, 1, 1, tzinfo=UTC), decided, "req", ref)


def party(kind: str = "enterprise", code: str = "E1", entered: date = date(2024, 12, 1)) -> Enterprise:
    return Enterprise.register(by(date(2025, 1, 2)), code, f"{code} 名称", kind, entered)


RECOGNITION = {"recognised_on": "2024-11-05", "first_recognition": "yes"}
CONSTRUCTION = {"evaluation": "passed", "rd_spending": "1000000", "period_from": "2025-01-01",
                "period_to": "2027-12-31", "spent_year": "2025"}
# The eligibility facts a clause requires (each one's refusal is tested on its own below); the
# tests of amounts and caps give them as recorded, unless they name a fact themselves.
FACTS = {**dict.fromkeys(("P3.1a", "P3.1b", "P3.1c", "P3.2a", "P3.3", "P6.4a", "P6.4b", "P6.5b"), RECOGNITION),
         "P3.2b": CONSTRUCTION}


def fund_with(code: str, manager: str, *investments: tuple[str, str, str]) -> Fund:
    """A fund in memory with direct investments (amount, date, government guidance money), as recorded."""
    fund = Fund.register(by(date(2024, 1, 1)), code, f"{code} 天使基金", manager, D("1000000000"))
    for i, (amount, day, guidance) in enumerate(investments, start=1):
        fund.invest(by(date.fromisoformat(day)), f"{code}-L{i}", f"T{i}", D(amount), D(amount), D(guidance))
    return fund


def calc(clause: str, p: Enterprise, decided: date = DAY, *, amount: str | None = None, reason: str = "",
         ref: str = "R1", taken: tuple[str, ...] = (), facts: bool = True, recorded: dict[str, object] | None = None,
         **basis: str) -> Entitlement:
    if facts:
        basis = {**FACTS.get(clause, {}), **basis}
    if clause == "P5.3" and recorded is None and "investment" in basis:  # one recorded investment, no guidance money
        recorded = {"fund": fund_with(basis.get("fund", "F1"), p.code,
                                      (basis.pop("investment"), basis.pop("held_since"), "0"))}
    return evaluate(clause, p, basis, decided, parameter_book(), amount=None if amount is None else D(amount),
                    reason=reason, ref=ref, counter_taken=taken, recorded=recorded)


def award(clause: str, p: Enterprise, decided: date = DAY, **kw: str) -> Entitlement:
    """Evaluate and record, as the handler does."""
    e = calc(clause, p, decided, **kw)
    p.grant_award(by(decided), clause, e.amount, matter=e.matter, basis=dict(e.basis), trace=e.trace,
                  versions=list(e.versions))
    return e


# P2 -------------------------------------------------------------------------------------

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


def test_p2_1a_refusals() -> None:
    with pytest.raises(Refused, match=r"basis space=.* must be one of factory, office"):
        calc("P2.1a", party(), rent_paid="1", area="1", space="warehouse", assessment="passed")
    with pytest.raises(Refused, match=r"area must be more than 0"):
        calc("P2.1a", party(), rent_paid="1", area="0", space="office", assessment="passed")
    with pytest.raises(Refused, match=r"basis area is required"):
        calc("P2.1a", party(), rent_paid="1", space="office", assessment="passed")
    with pytest.raises(Refused, match=r"unknown basis key colour"):
        calc("P2.1a", party(), rent_paid="1", area="1", space="office", colour="red", assessment="passed")


def test_p2_1b_service_org_100_m2() -> None:
    org = party("service_org", "S1")
    assert calc("P2.1b", org, rent_paid="60000", area="100").amount == D("60000.00")
    assert calc("P2.1b", org, rent_paid="60000", area="150").amount == D("40000.00")
    with pytest.raises(Refused, match=r"P2.1b: recipient E1 is an enterprise; the clause pays service_org"):
        calc("P2.1b", party(), rent_paid="60000", area="100")


def test_p2_1c_needs_reference_reason_and_amount() -> None:
    e = calc("P2.1c", party(), amount="1234567.89", reason="重点项目", ref="临政办〔2025〕3号")
    assert e.amount == D("1234567.89") and "reason: 重点项目" in e.line
    with pytest.raises(Refused, match=r"一事一议 needs a decision reference"):
        calc("P2.1c", party(), amount="100", reason="")
    with pytest.raises(Refused, match=r"give --amount"):
        calc("P2.1c", party(), reason="重点项目")


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


def test_p2_3b_has_no_default_ratio() -> None:
    with pytest.raises(Refused, match=r"P2.3b: the broker ratio .* is not set"):
        calc("P2.3b", party("person", "B1"), deal_value="1000000", deal="D-1")


def test_p2_4_formula_cap_and_trace_format() -> None:
    u = party("university", "U1")
    award("P2.4", u, contract_value="20000000", contract="HT-1")
    e = calc("P2.4", u, contract_value="7654321.09", contract="HT-2")
    assert e.line == ("P2.4: 2% × 7,654,321.09 = 153,086.42; cap 500,000/yr for U1, used 400,000.00, "
                      "remaining 100,000.00 → 100,000.00")


@pytest.mark.parametrize(("value", "expected"), [
    ("100.25", "2.01"),      # 2.005 → half-up 2.01
    ("100.24", "2.00"),      # 2.0048 → 2.00
    ("25000000", "500000.00"),  # exactly at the annual cap
    ("25000050", "500000.00"),  # over: capped
])
def test_p2_4_rounding_and_cap(value: str, expected: str) -> None:
    assert calc("P2.4", party("institute", "I1"), contract_value=value, contract="HT-1").amount == D(expected)


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


# P3 -------------------------------------------------------------------------------------

def test_p3_1_platform_fixed_amounts_and_upgrade_pays_the_difference() -> None:
    p = party()
    assert calc("P3.1a", p, platform="LAB-1").amount == D("3000000.00")
    assert calc("P3.1c", p, platform="ETC-1", level="national").amount == D("500000.00")
    assert calc("P3.1c", p, platform="ETC-1", level="municipal").amount == D("100000.00")
    award("P3.1b", p, platform="LAB-1", level="municipal")
    with pytest.raises(Refused, match=r"G.3 .* matter P3.1:LAB-1 .* already received 100,000.00"):
        calc("P3.1b", p, platform="LAB-1", level="municipal")  # one-time per platform and level
    e = award("P3.1b", p, platform="LAB-1", level="provincial")
    assert e.amount == D("400000.00") and "pays the difference 400,000.00" in e.line
    e = calc("P3.1a", p, platform="LAB-1")  # upgrade to national
    assert e.amount == D("2500000.00")
    with pytest.raises(Refused, match=r"level=.* must be one of provincial, municipal"):
        calc("P3.1b", p, platform="LAB-2", level="national")


def test_p3_2a_floor_one_time() -> None:
    p = party("institute", "N1")
    assert calc("P3.2a", p, amount="500000").amount == D("500000.00")  # at the floor
    assert calc("P3.2a", p, amount="800000").amount == D("800000.00")
    with pytest.raises(InvalidAmount, match=r"below the floor of 500,000"):
        calc("P3.2a", p, amount="499999.99")
    award("P3.2a", p, amount="600000")
    with pytest.raises(Refused, match=r"P3.2a: one-time \(一次性\): N1 already received award N1-A1 of 600,000.00"):
        calc("P3.2a", p, amount="900000")  # a higher second amount is not a G.3 difference


def test_p3_2b_cumulative_over_the_construction_period() -> None:
    p = party("institute", "N1")
    award("P3.2b", p, amount="100000")
    award("P3.2b", p, date(2026, 3, 1), amount="150000")
    with pytest.raises(CapExceeded, match=r"^P3.2b: amount decided 100,000.00 exceeds the 50,000.00 remaining"):
        calc("P3.2b", p, date(2027, 3, 1), amount="100000")
    e = calc("P3.2b", p, date(2027, 3, 1), amount="50000")
    assert e.amount == D("50000.00") and "used 250,000.00, remaining 50,000.00" in e.line
    award("P3.2b", p, date(2027, 3, 1), amount="50000")
    with pytest.raises(CapExceeded, match=r"cap 300,000 over the construction period is used up"):
        calc("P3.2b", p, date(2028, 3, 1), amount="1")
    with pytest.raises(CapExceeded, match=r"exceeds the cap of 300,000"):
        calc("P3.2b", party("institute", "N2"), amount="300000.01")


def test_p3_3_and_p3_4() -> None:
    p = party("university", "U1")
    assert calc("P3.3", p, institute="INST-1").amount == D("100000.00")
    assert calc("P3.4", p, platform="NL-1", output_value="100000000.01").amount == D("3000000.00")
    with pytest.raises(Refused, match=r"does not exceed 100,000,000"):
        calc("P3.4", p, platform="NL-1", output_value="100000000")  # 超过: at the threshold is not enough
    award("P3.3", p, institute="INST-1")
    with pytest.raises(Refused, match=r"P3.3: one-time \(一次性\) for institute INST-1: U1 already received"):
        calc("P3.3", p, institute="INST-1")
    assert calc("P3.3", p, institute="INST-2").amount == D("100000.00")  # another institute
    award("P3.4", p, platform="NL-1", output_value="100000000.01")
    with pytest.raises(Refused, match=r"P3.4: one-time \(一次性\) for platform NL-1"):
        calc("P3.4", p, date(2026, 3, 1), platform="NL-1", output_value="200000000")


# P4 -------------------------------------------------------------------------------------

def test_p4_1a_per_person_with_step_up() -> None:
    p = party()
    assert calc("P4.1a", p, person="P-1", title="academician", leading_enterprise="yes").amount == D("1000000.00")
    award("P4.1a", p, person="P-1", title="national_leader", leading_enterprise="yes")
    assert calc("P4.1a", p, person="P-1", title="academician", leading_enterprise="yes").amount == D("500000.00")
    with pytest.raises(Refused, match=r"G.3"):
        calc("P4.1a", p, person="P-1", title="national_leader", leading_enterprise="yes")
    assert calc("P4.1a", p, person="P-2", title="national_leader", leading_enterprise="yes").amount == D("500000.00")


def test_p4_1b_station_caps() -> None:
    p = party()
    assert calc("P4.1b", p, amount="900000", station="academician", workstation="YS-1").amount == D("900000.00")
    with pytest.raises(CapExceeded, match=r"exceeds the cap of 900,000"):
        calc("P4.1b", p, amount="900000.01", station="academician", workstation="YS-1")
    with pytest.raises(CapExceeded, match=r"exceeds the cap of 200,000"):
        calc("P4.1b", p, amount="200001", station="doctoral", workstation="BS-1")
    award("P4.1b", p, amount="150000", station="doctoral", workstation="BS-1")
    with pytest.raises(CapExceeded, match=r"P4.1b: amount decided 50,000.01 exceeds the 50,000.00 remaining of "
                                          r"the cap 200,000 for the doctoral workstation"):
        calc("P4.1b", p, amount="50000.01", station="doctoral", workstation="BS-1")  # the station's cap
    assert calc("P4.1b", p, amount="50000", station="doctoral", workstation="BS-1").amount == D("50000.00")
    # a second doctoral workstation of the same enterprise is a subject of its own (CLAUSES.md)
    e = calc("P4.1b", p, amount="200000", station="doctoral", workstation="BS-2")
    assert e.amount == D("200000.00") and e.matter == "P4.1b:BS-2"
    assert calc("P4.1b", p, amount="900000", station="academician", workstation="YS-1").amount == D("900000.00")


def test_p4_1c_conditions_checked_and_recorded() -> None:
    p = party()
    e = calc("P4.1c", p, person="P-9", degree="doctorate", social_insurance="yes", contract_years="3")
    assert e.amount == D("100000.00") and "social insurance paid, contract 3 ≥ 3 years" in e.line
    assert calc("P4.1c", p, person="P-8", degree="master", social_insurance="yes", contract_years="5").amount == D("50000.00")
    with pytest.raises(Refused, match=r"social insurance is not paid"):
        calc("P4.1c", p, person="P-9", degree="doctorate", social_insurance="no", contract_years="3")
    with pytest.raises(Refused, match=r"labour contract of 2 years is shorter than 3"):
        calc("P4.1c", p, person="P-9", degree="doctorate", social_insurance="yes", contract_years="2")
    with pytest.raises(Refused, match=r"must be yes or no"):
        calc("P4.1c", p, person="P-9", degree="doctorate", social_insurance="maybe", contract_years="3")


def test_p4_2a_half_the_fee_at_most_5000_per_person_per_year() -> None:
    person = party("person", "B1")
    ok = {"self_paid": "yes", "shanxi_certificate": "yes"}
    assert calc("P4.2a", person, fee="8000", certificate="C-1", **ok).amount == D("4000.00")
    assert calc("P4.2a", person, fee="0.05", certificate="C-1", **ok).amount == D("0.03")  # 0.025 → 0.03
    assert calc("P4.2a", person, fee="12000", certificate="C-1", **ok).amount == D("5000.00")
    award("P4.2a", person, fee="8000", certificate="C-1", **ok)
    e = calc("P4.2a", person, fee="8000", certificate="C-2", **ok)
    assert e.amount == D("1000.00") and "used 4,000.00, remaining 1,000.00" in e.line
    with pytest.raises(Refused, match=r"the clause pays person"):
        calc("P4.2a", party(), fee="8000", certificate="C-3", **ok)
    with pytest.raises(Refused, match=r"P4.2a: the training was not self-paid"):
        calc("P4.2a", person, fee="8000", certificate="C-3", self_paid="no", shanxi_certificate="yes")
    with pytest.raises(Refused, match=r"P4.2a: the certificate was not issued by 国家技术转移人才培养基地\(山西省\)"):
        calc("P4.2a", person, fee="8000", certificate="C-3", self_paid="yes", shanxi_certificate="no")
    with pytest.raises(Refused, match=r"P4.2a: basis certificate is required"):
        calc("P4.2a", person, fee="8000", **ok)


def test_p4_2b_count_cap_of_ten_a_year() -> None:
    person = party("person", "B1")
    e = calc("P4.2b", person, taken=tuple(f"X{i}" for i in range(9)))
    assert e.amount == D("100000.00") and e.count_cap is not None and e.count_cap.limit == 10
    assert "this is no. 10" in e.line
    with pytest.raises(CapExceeded, match=r"at most 10 outstanding individuals a year; 2025 has 10"):
        calc("P4.2b", person, taken=tuple(f"X{i}" for i in range(10)))
    with pytest.raises(Refused, match=r"already one of the outstanding individuals of 2025"):
        calc("P4.2b", person, taken=("B1",))


# P5 -------------------------------------------------------------------------------------

def test_p5_2_equal_to_contribution() -> None:
    fm = party("fund_manager", "F1")
    assert calc("P5.2", fm, contribution="1234567.89").amount == D("1234567.89")
    award("P5.2", fm, contribution="1000", year="2025")
    with pytest.raises(Refused, match=r"G.3"):
        calc("P5.2", fm, contribution="1000", year="2025")


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


def test_p5_4_leasing_half_percent_annual_cap() -> None:
    lo = party("leasing", "L1")
    assert calc("P5.4", lo, financing_total="100000000").amount == D("500000.00")
    assert calc("P5.4", lo, financing_total="300000000").amount == D("1000000.00")
    assert calc("P5.4", lo, financing_total="101").amount == D("0.51")  # 0.505 → 0.51
    award("P5.4", lo, financing_total="150000000")  # 750,000 for 2025
    e = calc("P5.4", lo, financing_total="200000000")  # a corrected 2025 total: G.3 difference
    assert e.amount == D("250000.00") and "G.3 matter P5.4:2025: already received 750,000.00" in e.line


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


def test_p5_6_is_not_an_award_rule() -> None:
    with pytest.raises(Refused, match=r"P5.6a .* is a loan-loss split, not an award"):
        calc("P5.6a", party(), loss="100")


def test_p5_7_premium_half_annual_cap() -> None:
    p = party()
    assert calc("P5.7", p, premium="300000", policy="BD-1").amount == D("150000.00")
    award("P5.7", p, premium="300000", policy="BD-1")
    e = calc("P5.7", p, premium="300000", policy="BD-2")
    assert e.amount == D("50000.00") and "cap 200,000/yr for E1, used 150,000.00, remaining 50,000.00" in e.line


# P6 -------------------------------------------------------------------------------------

def test_p6_2_five_percent_capped_per_project() -> None:
    p = party()
    assert calc("P6.2", p, project="ZX-1", national_allocation="10000000", provincial_allocation="0", performance="normal").amount == D("500000.00")
    award("P6.2", p, project="ZX-1", national_allocation="10000000", provincial_allocation="0", performance="normal")
    e = calc("P6.2", p, date(2026, 3, 1), project="ZX-1", national_allocation="10000000", provincial_allocation="0", performance="normal")
    assert e.amount == D("100000.00") and "cap 600,000 per project ZX-1, used 500,000.00" in e.line
    with pytest.raises(Refused, match=r"not performing normally"):
        calc("P6.2", p, project="ZX-2", national_allocation="100", provincial_allocation="0", performance="poor")


def test_p6_3a_entry_one_year_rating_and_cap() -> None:
    p = party(entered=date(2024, 3, 1))
    assert calc("P6.3a", p, rd_investment="3000000", rating="excellent").amount == D("300000.00")
    assert calc("P6.3a", p, rd_investment="9000000", rating="excellent").amount == D("500000.00")
    with pytest.raises(Refused, match=r"not excellent"):
        calc("P6.3a", p, rd_investment="3000000", rating="good")
    late = party(code="E2", entered=date(2024, 3, 2))
    with pytest.raises(Refused, match=r"eligible from 2025-03-02"):
        calc("P6.3a", late, rd_investment="3000000", rating="excellent")


def test_p6_3b_vouchers_annual_cap() -> None:
    p = party()
    award("P6.3b", p, vouchers="150000", voucher="Q-1")
    assert calc("P6.3b", p, vouchers="80000", voucher="Q-2").amount == D("50000.00")
    assert calc("P6.3b", p, date(2026, 1, 2), vouchers="200000", voucher="Q-3").amount == D("200000.00")


def test_p6_4_incubators_and_makerspaces() -> None:
    p = party("service_org", "S1")
    assert calc("P6.4a", p, level="national", incubator="FH-1").amount == D("1000000.00")
    award("P6.4a", p, level="municipal", incubator="FH-1")
    assert calc("P6.4a", p, level="provincial", incubator="FH-1").amount == D("300000.00")  # upgrade: difference
    assert calc("P6.4a", p, level="municipal", incubator="FH-2").amount == D("200000.00")  # a second incubator
    assert calc("P6.4b", p, level="national", makerspace="ZC-1").amount == D("300000.00")
    award("P6.4b", p, level="municipal", makerspace="ZC-1")
    assert calc("P6.4b", p, level="national", makerspace="ZC-1").amount == D("100000.00")  # upgrade: difference
    with pytest.raises(Refused, match=r"G.3 .* matter P6.4b:ZC-1"):
        calc("P6.4b", p, level="provincial", makerspace="ZC-1")  # same amount: nothing more


def test_p6_5a_reads_last_years_high_tech_qualification() -> None:
    p = party()
    with pytest.raises(Refused, match=r"no 高新技术企业 qualification granted in 2024"):
        calc("P6.5a", p)
    p.qualify(by(), "高新技术企业", "national", date(2024, 12, 20), date(2027, 12, 19))
    e = calc("P6.5a", p)
    assert e.amount == D("100000.00") and "高新技术企业 granted 2024-12-20" in e.line
    with pytest.raises(Refused, match=r"granted in 2025"):
        calc("P6.5a", p, date(2026, 3, 1))  # only the year after recognition


def test_p6_5b_levels_step_up_and_p6_7_patents() -> None:
    p = party()
    award("P6.5b", p, level="provincial_specialised")
    assert calc("P6.5b", p, level="national_little_giant").amount == D("200000.00")
    award("P6.7", p, patent="ZL1", prize="shanxi")
    assert calc("P6.7", p, patent="ZL1", prize="china").amount == D("50000.00")
    with pytest.raises(Refused, match=r"G.3 .* matter P6.7:ZL1"):
        calc("P6.7", p, patent="ZL1", prize="shanxi")
    assert calc("P6.7", p, patent="ZL2", prize="china").amount == D("100000.00")


def test_external_award_counts_for_g3() -> None:
    p = party()
    p.record_external_award(by(ref="晋科发〔2025〕8号"), "P6.7", "P6.7:ZL1", D("80000"), "省级晋创谷政策")
    e = calc("P6.7", p, patent="ZL1", prize="china")
    assert e.amount == D("20000.00") and "省级晋创谷政策 P6.7 80,000.00" in e.line
    with pytest.raises(Refused, match=r"not less than this entitlement 50,000.00"):
        calc("P6.7", p, patent="ZL1", prize="shanxi")


def test_every_money_clause_has_a_rule_or_is_the_loan_split() -> None:
    from domain.clauses import catalogue
    from domain.rules import RULES

    money = {c.id for c in catalogue().values() if c.money}
    assert money - set(RULES) == {"P5.6a", "P5.6b"}


# eligibility facts the text names: required, refused when missing or failing, shown in the trace

@pytest.mark.parametrize("clause", ["P3.1b", "P6.4a", "P6.5b"])
def test_first_recognition_is_a_required_fact(clause: str) -> None:
    p = party("service_org" if clause == "P6.4a" else "enterprise", "S1")
    basis = {"P3.1b": {"platform": "LAB-1", "level": "municipal"}, "P6.4a": {"level": "municipal", "incubator": "FH-1"},
             "P6.5b": {"level": "provincial_specialised"}}[clause]
    e = calc(clause, p, **basis)
    assert "first recognition of" in e.line and "on 2024-11-05" in e.line
    for missing in ("recognised_on", "first_recognition"):
        facts = {k: v for k, v in RECOGNITION.items() if k != missing}
        with pytest.raises(Refused, match=rf"^{clause}: basis {missing} is required"):
            calc(clause, p, facts=False, **basis, **facts)
    with pytest.raises(Refused, match=r"is not a first recognition at this level \(新认定/首次认定 is required\)"):
        calc(clause, p, facts=False, **basis, recognised_on="2024-11-05", first_recognition="no")
    with pytest.raises(Refused, match=r"recognised on 2025-03-02, after the decision date 2025-03-01"):
        calc(clause, p, facts=False, **basis, recognised_on="2025-03-02", first_recognition="yes")


def test_p3_2b_needs_the_evaluation_and_rd_spending_within_the_construction_period() -> None:
    n = party("institute", "N1")
    e = calc("P3.2b", n, amount="100000")
    assert "performance evaluation passed; R&D spending 1,000,000.00 in 2025, within the construction period" in e.line
    for missing in CONSTRUCTION:
        with pytest.raises(Refused, match=rf"^P3.2b: basis {missing} is required"):
            calc("P3.2b", n, amount="100000", facts=False, **{k: v for k, v in CONSTRUCTION.items() if k != missing})
    with pytest.raises(Refused, match=r"the performance evaluation is not passed"):
        calc("P3.2b", n, amount="100000", evaluation="failed")
    with pytest.raises(Refused, match=r"R&D spending of 2028 is outside the construction period 2025-01-01 to 2027-12-31"):
        calc("P3.2b", n, amount="100000", spent_year="2028")
    with pytest.raises(Refused, match=r"no actual R&D spending"):
        calc("P3.2b", n, amount="100000", rd_spending="0")


def test_p6_2_national_and_provincial_allocation_are_recorded_separately() -> None:
    p = party()
    e = calc("P6.2", p, project="ZX-9", national_allocation="6000000", provincial_allocation="2000000",
             performance="normal")
    assert e.amount == D("400000.00")
    assert "national 6,000,000.00 + provincial 2,000,000.00 = 8,000,000.00" in e.line
    with pytest.raises(Refused, match=r"^P6.2: basis provincial_allocation is required"):
        calc("P6.2", p, project="ZX-9", national_allocation="6000000", performance="normal")
