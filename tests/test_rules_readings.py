"""Readings from the acceptance test of the rules engine (issue 3), one test per finding.

1 a matter under a per-year cap stays in the year it was first awarded (P2.4 cap escape);
2 先缴后补 rent years; 3 P2.4 needs its contract; 4 one-time clauses refuse a second award;
5 external awards need a matter G.3 can match; 6 eligibility conditions and recipient kinds;
7 wording; 8 annual caps count awards net of clawbacks, and say so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from click.testing import Result

from domain.enterprise import Enterprise
from domain.errors import CapExceeded, Refused
from ledger import Ledger
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import RecordExternalAward
from tests.conftest import OFFICER
from tests.test_rules_clauses import award, by, calc, party

D = Decimal


def pay_and_claw_back(p: Enterprise, award_id: str, amount: str, day: date = date(2025, 4, 1)) -> None:
    p.disburse(by(day), award_id, D(p.award(award_id).amount))
    p.claw_back(by(day), award_id, D(amount), "多报合同额")


# 1 P2.4: the cap of the year the matter was first awarded is final ------------------------

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


def test_p2_4_a_later_year_on_an_uncapped_contract_is_refused_too() -> None:
    u = party("university", "U1")
    award("P2.4", u, contract_value="1000000", contract="HT-1")  # 20,000.00, not cut
    with pytest.raises(Refused, match=r"^P2.4: contract HT-1 was subsidised in 2025 \(20,000.00\); a later year"):
        calc("P2.4", u, date(2026, 3, 1), contract_value="2000000", contract="HT-1")


def test_p2_4_a_same_year_top_up_pays_the_difference_within_that_years_cap() -> None:
    u = party("university", "U1")
    award("P2.4", u, contract_value="10000000", contract="HT-1")  # 200,000
    award("P2.4", u, contract_value="10000000", contract="HT-2")  # 200,000
    e = calc("P2.4", u, date(2025, 9, 1), contract_value="15000000", contract="HT-1")
    assert e.amount == D("100000.00")  # 300,000 − 200,000, and exactly the 100,000 left of the 2025 cap
    e = calc("P2.4", u, date(2025, 9, 1), contract_value="20000000", contract="HT-1")
    assert e.amount == D("100000.00") and "remaining 100,000.00" in e.line  # difference 200,000 cut by the cap


def test_p2_4_a_fully_clawed_back_first_year_does_not_hold_the_matter() -> None:
    u = party("university", "U1")
    a = u.next_award_id()
    award("P2.4", u, contract_value="1000000", contract="HT-1")
    pay_and_claw_back(u, a, "20000")
    assert calc("P2.4", u, date(2026, 3, 1), contract_value="1000000", contract="HT-1").amount == D("20000.00")


# 2 先缴后补 rent years ----------------------------------------------------------------------

RENT = {
    "P2.1a": ("enterprise", {"rent_paid": "1000", "area": "10", "space": "office", "assessment": "passed"}),
    "P2.1b": ("service_org", {"rent_paid": "1000", "area": "10"}),
    "P2.5": ("service_org", {"rent_paid": "1000", "rate": "60%", "rating": "excellent"}),
}


@pytest.mark.parametrize("clause", list(RENT))
def test_rent_year_after_the_decision_is_refused(clause: str) -> None:
    kind, basis = RENT[clause]
    with pytest.raises(Refused, match=rf"^{clause}: rent year 2028 is after the decision year 2025 \(先缴后补"):
        calc(clause, party(kind), **basis, year="2028")


@pytest.mark.parametrize("clause", list(RENT))
def test_rent_year_before_the_policy_start_is_refused(clause: str) -> None:
    kind, basis = RENT[clause]
    with pytest.raises(Refused, match=rf"^{clause}: rent year 2019 is before the policy's start year 2024 \(G.1"):
        calc(clause, party(kind, entered=date(2018, 1, 1)), **basis, year="2019")


@pytest.mark.parametrize("clause", list(RENT))
def test_rent_year_before_entry_is_refused_and_the_entry_year_is_allowed(clause: str) -> None:
    kind, basis = RENT[clause]
    p = Enterprise.register(by(date(2025, 7, 1)), "E1", "E1 名称", kind, date(2025, 6, 1))
    later = date(2026, 3, 1)
    with pytest.raises(Refused, match=rf"^{clause}: rent year 2024 is before E1 entered the platform \(2025-06-01\)"):
        calc(clause, p, later, **basis, year="2024")
    assert calc(clause, p, later, **basis, year="2025").amount > 0
    assert calc(clause, p, later, **basis).amount > 0  # default: the decision year


def test_p2_1b_trace_names_the_rent_years_counted() -> None:
    org = party("service_org", "S1")
    award("P2.1b", org, date(2026, 3, 1), rent_paid="1000", area="10", year="2026")
    e = calc("P2.1b", org, date(2026, 6, 1), rent_paid="1000", area="10", year="2025")  # back-dated year
    assert "rent years counted 2025, 2026: 2 of at most 3" in e.line


# 4 one-time clauses ----------------------------------------------------------------------

ONE_TIME = {
    "P3.2a": ("institute", {"amount": "500000"}),
    "P3.3": ("university", {"institute": "INST-1"}),
    "P3.4": ("enterprise", {"platform": "NL-1", "output_value": "200000000"}),
    "P4.1b": ("enterprise", {"station": "doctoral", "amount": "100000"}),
    "P5.3": ("fund_manager", {"investment": "20000000", "held_since": "2024-01-01", "rate": "1%"}),
    "P5.5c": ("enterprise", {"fees": "100000", "financing": "succeeded"}),
    "P6.3a": ("enterprise", {"rd_investment": "1000000", "rating": "excellent"}),
    "P6.4b": ("service_org", {"level": "municipal"}),
    "P6.5a": ("enterprise", {}),
}


def _one_time_party(clause: str) -> Enterprise:
    p = party(ONE_TIME[clause][0], entered=date(2024, 1, 1))
    if clause == "P6.5a":
        p.qualify(by(), "高新技术企业", "national", date(2024, 12, 20), date(2027, 12, 19))
    return p


@pytest.mark.parametrize("clause", list(ONE_TIME))
def test_one_time_clause_refuses_a_second_award(clause: str) -> None:
    p = _one_time_party(clause)
    award(clause, p, **ONE_TIME[clause][1])
    with pytest.raises(Refused, match=rf"^{clause}: one-time \(一次性\).*: E1 already received award E1-A1 .*"
                                      "a second award is refused"):
        calc(clause, p, date(2025, 6, 1), **ONE_TIME[clause][1])


@pytest.mark.parametrize("clause", list(ONE_TIME))
def test_one_time_clause_after_a_full_clawback_pays_again(clause: str) -> None:
    p = _one_time_party(clause)
    e = award(clause, p, **ONE_TIME[clause][1])
    pay_and_claw_back(p, "E1-A1", str(e.amount))
    assert calc(clause, p, date(2025, 6, 1), **ONE_TIME[clause][1]).amount == e.amount


def test_one_time_after_a_partial_clawback_is_still_refused() -> None:
    p = _one_time_party("P6.3a")
    award("P6.3a", p, **ONE_TIME["P6.3a"][1])
    pay_and_claw_back(p, "E1-A1", "1")
    with pytest.raises(Refused, match=r"already received award E1-A1 of 99,999.00"):
        calc("P6.3a", p, date(2025, 6, 1), **ONE_TIME["P6.3a"][1])


def test_level_step_ups_stay_g3_differences() -> None:
    p = party("service_org", "S1")
    award("P6.4a", p, level="municipal")
    assert calc("P6.4a", p, level="national").amount == D("800000.00")
    e = party("enterprise", "E1")
    award("P6.5b", e, level="provincial_specialised")
    assert calc("P6.5b", e, level="provincial_little_giant").amount == D("100000.00")
    award("P5.5b", e)
    assert calc("P5.5a", e, private="yes").amount == D("200000.00")
    award("P3.1c", e, platform="ETC-1", level="municipal")
    assert calc("P3.1c", e, platform="ETC-1", level="provincial").amount == D("100000.00")


# 6 eligibility conditions and recipient kinds --------------------------------------------

@pytest.mark.parametrize(("clause", "kind", "basis", "why"), [
    ("P2.1a", "enterprise", {"rent_paid": "1", "area": "1", "space": "office", "assessment": "failed"},
     "the annual assessment is not passed (经年度考核)"),
    ("P2.5", "service_org", {"rent_paid": "1", "rate": "60%", "rating": "good"},
     "the rating is not excellent (评价优秀)"),
    ("P5.5c", "enterprise", {"fees": "1000", "financing": "failed"},
     "the financing did not succeed (挂牌并融资成功)"),
    ("P5.5a", "enterprise", {"private": "no"}, "the enterprise is not a private enterprise (民营企业)"),
    ("P4.1a", "enterprise", {"person": "P-1", "title": "academician", "leading_enterprise": "no"},
     "the enterprise is not a high-tech leading enterprise (高科技领军企业)"),
])
def test_eligibility_condition_refused_when_not_met_and_required(clause: str, kind: str, basis: dict[str, str],
                                                                 why: str) -> None:
    with pytest.raises(Refused) as refused:
        calc(clause, party(kind), **basis)
    assert str(refused.value) == f"{clause}: {why}"
    condition = {"P2.1a": "assessment", "P2.5": "rating", "P5.5c": "financing", "P5.5a": "private",
                 "P4.1a": "leading_enterprise"}[clause]
    rest = {k: v for k, v in basis.items() if k != condition}
    with pytest.raises(Refused, match=rf"^{clause}: basis {condition} is required"):
        calc(clause, party(kind), **rest)


@pytest.mark.parametrize(("clause", "allowed", "basis", "amount"), [
    ("P2.3a", "service_org", {}, "100000"),
    ("P5.2", "fund_manager", {"contribution": "1000"}, None),
    ("P5.3", "fund_manager", {"investment": "20000000", "held_since": "2024-01-01", "rate": "1%"}, None),
])
def test_recipient_kinds_named_by_the_text(clause: str, allowed: str, basis: dict[str, str],
                                           amount: str | None) -> None:
    with pytest.raises(Refused, match=rf"^{clause}: recipient E1 is an enterprise; the clause pays {allowed}"):
        calc(clause, party("enterprise"), amount=amount, **basis)
    assert calc(clause, party(allowed, "X1"), amount=amount, **basis).amount > 0


# 7 wording -------------------------------------------------------------------------------

def test_used_up_messages_say_the_scope_once() -> None:
    p = party()
    award("P6.2", p, project="ZX1", allocation_last_year="12000000", performance="normal")
    with pytest.raises(CapExceeded) as refused:
        calc("P6.2", p, date(2026, 3, 1), project="ZX1", allocation_last_year="1000000", performance="normal")
    assert str(refused.value) == "P6.2: cap 600,000 per project ZX1 is used up (used 600,000.00); nothing to award"
    n = party("institute", "N1")
    award("P3.2b", n, amount="300000")
    with pytest.raises(CapExceeded) as refused:
        calc("P3.2b", n, date(2026, 3, 1), amount="1")
    assert str(refused.value).count("over the construction period") == 1


def test_kind_article() -> None:
    with pytest.raises(Refused, match=r"recipient U1 is a university; the clause pays person"):
        calc("P4.2a", party("university", "U1"), fee="100")
    with pytest.raises(Refused, match=r"recipient I1 is an institute; the clause pays person"):
        calc("P4.2a", party("institute", "I1"), fee="100")


# 8 annual caps are net of clawbacks, and the trace says so --------------------------------

def test_annual_cap_used_is_net_of_clawbacks_and_the_trace_says_so() -> None:
    u = party("university", "U1")
    award("P2.4", u, contract_value="25000000", contract="HT-1")  # 500,000: the whole 2025 cap
    with pytest.raises(CapExceeded, match="used up in 2025"):
        calc("P2.4", u, contract_value="1000000", contract="HT-2")
    pay_and_claw_back(u, "U1-A1", "100000")
    e = calc("P2.4", u, contract_value="10000000", contract="HT-2")
    assert e.amount == D("100000.00")
    assert ("cap 500,000/yr for U1, used 400,000.00 net of clawbacks (500,000.00 awarded − 100,000.00 clawed "
            "back), remaining 100,000.00") in e.line


# 5 external awards: the matter must have the shape G.3 matches (ledger, both databases) ----

def _register(ledger: Ledger, code: str) -> None:
    ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code=code, name=f"{code} 名称",
                                 party_kind="enterprise", entered=date(2024, 12, 1)))


def _external(ledger: Ledger, clause: str, matter: str) -> object:
    return ledger.execute(RecordExternalAward(actor=OFFICER, decided=date(2025, 3, 1), ref="晋科发〔2025〕8号",
                                              recipient="E1", clause=clause, matter=matter, amount=D("50000"),
                                              source="省级晋创谷政策"))


@pytest.mark.parametrize(("clause", "matter", "shape"), [
    ("P6.7", "bogus", "P6.7:<patent>"),
    ("P6.7", "P6.7:", "P6.7:<patent>"),
    ("P6.7", "P3.1:ZL1", "P6.7:<patent>"),
    ("P2.1a", "P2.1:rent:last", "P2.1:rent:<year>"),
    ("P5.5b", "P5.5:ipo", "P5.5:listing"),
])
def test_external_award_with_a_matter_g3_cannot_match_is_refused(ledger: Ledger, clause: str, matter: str,
                                                                  shape: str) -> None:
    _register(ledger, "E1")
    before = sum(1 for _ in ledger.read_log())
    with pytest.raises(Refused, match=rf"^{clause}: matter '{matter}' does not have the shape {shape} that G.3"):
        _external(ledger, clause, matter)
    assert sum(1 for _ in ledger.read_log()) == before


def test_external_award_on_a_good_matter_is_recorded_and_counted(ledger: Ledger) -> None:
    _register(ledger, "E1")
    out = _external(ledger, "P6.7", "P6.7:ZL2023.5")
    assert "G.3 matter P6.7:ZL2023.5" in out.message  # type: ignore[attr-defined]
    _external(ledger, "P2.1a", "P2.1:rent:2025")
    with pytest.raises(Refused, match=r"^P5.7 has no G.3 matter"):
        _external(ledger, "P5.7", "P5.7:2025")


def test_cli_external_bogus_matter_is_one_line(ledger: Ledger, jcg: Callable[..., Result]) -> None:
    _register(ledger, "E1")
    r = jcg("grant", "external", "P6.7", "--recipient", "E1", "--matter", "bogus", "--amount", "5万",
            "--source", "省级晋创谷政策", "--decided", "2025-03-01", "--ref", "晋科发〔2025〕8号")
    assert r.exit_code == 1
    assert r.stderr.strip() == ("error: P6.7: matter 'bogus' does not have the shape P6.7:<patent> that G.3 "
                                "matches")
