"""Who a clause pays: recipient kinds named by the text, eligibility conditions, the G.1 policy
window, and every money clause having a rule.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.clauses import catalogue
from domain.errors import Refused
from domain.rules import RULES
from ledger import Ledger
from ledger.handlers.rules import AwardByRule
from tests.builders import (
    CONSTRUCTION,
    RECOGNITION,
    D,
    calc,
    covers,
    party,
    register,
)
from tests.conftest import OFFICER


@covers("P5.6a", "P5.6b")
def test_every_money_clause_has_a_rule_an_award_or_the_loan_split() -> None:
    from domain.rules import RULES
    from domain.rules.engine import AWARD, SPLIT

    money = {c.id for c in catalogue().values() if c.money}
    assert money == set(RULES)
    assert {c for c, r in RULES.items() if r.kind != AWARD} == {c for c, r in RULES.items() if r.kind == SPLIT} \
        == {"P5.6a", "P5.6b"}
    from domain.compensation import CATEGORIES  # the loan categories are the loss-split rules

    assert set(CATEGORIES) == {c for c, r in RULES.items() if r.kind == SPLIT}


def test_every_rule_names_its_recipient_kinds() -> None:
    assert all(r.kinds for r in RULES.values())


@covers("P5.7", "P2.1a", "P6.3b", "P5.5b", "P6.5b", "P6.4a", "P4.1a", "P4.1c", "P3.2b", "P2.1c")
@pytest.mark.parametrize(("clause", "kind", "basis", "amount"), [
    ("P5.7", "person", {"premium": "10000", "policy": "BD-1"}, None),
    ("P2.1a", "person", {"rent_paid": "1", "area": "1", "space": "office", "assessment": "passed"}, None),
    ("P2.1a", "bank", {"rent_paid": "1", "area": "1", "space": "office", "assessment": "passed"}, None),
    ("P6.3b", "bank", {"vouchers": "1000", "voucher": "Q-1"}, None),
    ("P5.5b", "university", {}, None),
    ("P6.5b", "person", {"level": "provincial_specialised"}, None),
    ("P6.4a", "person", {"level": "municipal", "incubator": "FH-1"}, None),
    ("P4.1a", "university", {"person": "R-1", "title": "academician", "leading_enterprise": "yes"}, None),
    ("P4.1c", "person", {"person": "R-1", "degree": "master", "social_insurance": "yes", "contract_years": "3"},
     None),
    ("P3.2b", "bank", {}, "1000"),
    ("P2.1c", "person", {}, "1000"),
])
def test_kinds_the_text_does_not_allow_are_refused(clause: str, kind: str, basis: dict[str, str],
                                                   amount: str | None) -> None:
    with pytest.raises(Refused, match=rf"^{clause}: recipient X1 is an? {kind}; the clause pays .*\(") as refused:
        calc(clause, party(kind, "X1"), amount=amount, reason="重点项目", **basis)
    assert "\n" not in str(refused.value)


@covers("P6.7")
def test_awards_still_check_the_policy_window(ledger: Ledger) -> None:
    register(ledger, "E1")
    with pytest.raises(Refused, match="outside the policy window"):
        ledger.execute(AwardByRule(actor=OFFICER, decided=date(2024, 6, 1), ref="R1", recipient="E1",
                                   clause="P6.7", basis={"patent": "ZL-1", "prize": "china"}))


@covers("P2.1a", "P2.5", "P5.5c", "P5.5a", "P4.1a")
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


@covers("P2.3a", "P5.2", "P5.3")
@pytest.mark.parametrize(("clause", "allowed", "basis", "amount"), [
    ("P2.3a", "service_org", {}, "100000"),
    ("P5.2", "fund_manager", {"contribution": "1000"}, None),
    ("P5.3", "fund_manager", {"investment": "20000000", "held_since": "2024-01-01", "rate": "1%", "fund": "F1"},
     None),
])
def test_recipient_kinds_named_by_the_text(clause: str, allowed: str, basis: dict[str, str],
                                           amount: str | None) -> None:
    with pytest.raises(Refused, match=rf"^{clause}: recipient E1 is an enterprise; the clause pays {allowed}"):
        calc(clause, party("enterprise"), amount=amount, **basis)
    assert calc(clause, party(allowed, "X1"), amount=amount, **basis).amount > 0


@covers("P4.2a")
def test_kind_article() -> None:
    with pytest.raises(Refused, match=r"recipient U1 is a university; the clause pays person"):
        calc("P4.2a", party("university", "U1"), fee="100")
    with pytest.raises(Refused, match=r"recipient I1 is an institute; the clause pays person"):
        calc("P4.2a", party("institute", "I1"), fee="100")


# eligibility facts the text names: required, refused when missing or failing, shown in the trace

@covers("P3.1b", "P6.4a")
@pytest.mark.parametrize("clause", ["P3.1b", "P6.4a"])
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


@covers("P3.2b")
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


@covers("P6.2")
def test_p6_2_national_and_provincial_allocation_are_recorded_separately() -> None:
    p = party()
    e = calc("P6.2", p, project="ZX-9", national_allocation="6000000", provincial_allocation="2000000",
             performance="normal")
    assert e.amount == D("400000.00")
    assert "national 6,000,000.00 + provincial 2,000,000.00 = 8,000,000.00" in e.line
    with pytest.raises(Refused, match=r"^P6.2: basis provincial_allocation is required"):
        calc("P6.2", p, project="ZX-9", national_allocation="6000000", performance="normal")
