"""Second acceptance pass of the rules engine (issue 3), one test group per finding.

1 P5.4 pays a financing year once (G.3 matter per year, year checked); 2 free-text subjects
compare ignoring case and spaces; 3 every rule names the recipient kinds its text allows;
4 P5.2's assessment year is checked; 5 an officer's amount over a cap is refused, not cut;
6 external awards are exempt from G.1; 7 P4.1a per person and P6.2 per project span recipients.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import CapExceeded, Refused
from domain.rules import RULES
from ledger import Ledger
from ledger.commands import Outcome
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule, RecordExternalAward
from tests.conftest import OFFICER
from tests.racing import race
from tests.test_rules_clauses import award, calc, party

D = Decimal


# 1 P5.4: one subsidy per financing year -----------------------------------------------------

def test_p5_4_the_same_financing_year_is_not_paid_twice() -> None:
    lo = party("leasing", "L1")
    assert award("P5.4", lo, financing_total="100000000").amount == D("500000.00")
    with pytest.raises(Refused, match=r"^G.3 就高不重复: matter P5.4:2025 of L1 already received 500,000.00"):
        calc("P5.4", lo, financing_total="100000000")
    with pytest.raises(Refused, match=r"matter P5.4:2025"):  # the year written out is the same matter
        calc("P5.4", lo, financing_total="100000000", year="2025")


def test_p5_4_cap_is_per_financing_year() -> None:
    lo = party("leasing", "L1")
    award("P5.4", lo, financing_total="300000000", year="2024")  # 1,500,000 → cap 1,000,000 for 2024
    e = calc("P5.4", lo, financing_total="100000000")  # 2025 has its own cap
    assert e.amount == D("500000.00") and e.matter == "P5.4:2025"
    with pytest.raises(CapExceeded, match=r"is used up for financing year 2024"):
        calc("P5.4", lo, financing_total="400000000", year="2024")


@pytest.mark.parametrize(("year", "why"), [
    ("2026", r"^P5.4: financing year 2026 is after the decision year 2025"),
    ("2023", r"^P5.4: financing year 2023 is before the policy's start year 2024"),
])
def test_p5_4_financing_year_checked_like_rent_years(year: str, why: str) -> None:
    with pytest.raises(Refused, match=why):
        calc("P5.4", party("leasing", "L1"), financing_total="100000000", year=year)


def test_p5_4_financing_year_before_entry_is_refused() -> None:
    with pytest.raises(Refused, match=r"financing year 2024 is before L1 entered the platform \(2025-01-01\)"):
        calc("P5.4", party("leasing", "L1", date(2025, 1, 1)), financing_total="1000", year="2024")


# 2 subjects compare ignoring case and spaces -------------------------------------------------

def test_contract_in_lower_case_is_the_same_contract() -> None:
    u = party("university", "U1")
    award("P2.4", u, contract_value="30000000", contract="H1")  # 600,000 → 500,000 (cap)
    with pytest.raises(Refused, match=r"^P2.4: contract H1 was subsidised in 2025"):
        calc("P2.4", u, date(2026, 3, 1), contract_value="30000000", contract=" h1 ")


@pytest.mark.parametrize(("clause", "kind", "basis", "subject"), [
    ("P6.7", "enterprise", {"prize": "shanxi"}, "patent"),
    ("P3.1b", "university", {"level": "municipal"}, "platform"),
    ("P4.1c", "enterprise", {"degree": "master", "social_insurance": "yes", "contract_years": "3"}, "person"),
    ("P3.3", "university", {}, "institute"),
])
def test_every_subject_key_is_case_insensitive(clause: str, kind: str, basis: dict[str, str],
                                               subject: str) -> None:
    p = party(kind, "X1")
    first = award(clause, p, **basis, **{subject: "zl  2025-a"})
    assert first.matter.endswith("ZL 2025-A") and first.basis[subject] == "ZL 2025-A"
    with pytest.raises(Refused, match=r"already received|one-time"):
        calc(clause, p, **basis, **{subject: "ZL 2025-a"})


def test_p6_2_project_cap_is_case_insensitive() -> None:
    p = party()
    award("P6.2", p, project="zx1", allocation_last_year="12000000", performance="normal")
    with pytest.raises(CapExceeded, match=r"cap 600,000 per project ZX1 is used up"):
        calc("P6.2", p, date(2026, 3, 1), project="ZX1", allocation_last_year="1000000", performance="normal")


# 3 recipient kinds: default-deny, named by the text -------------------------------------------

def test_every_rule_names_its_recipient_kinds() -> None:
    assert all(r.kinds for r in RULES.values())


@pytest.mark.parametrize(("clause", "kind", "basis", "amount"), [
    ("P5.7", "person", {"premium": "10000"}, None),
    ("P2.1a", "person", {"rent_paid": "1", "area": "1", "space": "office", "assessment": "passed"}, None),
    ("P2.1a", "bank", {"rent_paid": "1", "area": "1", "space": "office", "assessment": "passed"}, None),
    ("P6.3b", "bank", {"vouchers": "1000"}, None),
    ("P5.5b", "university", {}, None),
    ("P6.5b", "person", {"level": "provincial_specialised"}, None),
    ("P6.4a", "person", {"level": "municipal"}, None),
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


# 4 P5.2's assessment year ------------------------------------------------------------------

@pytest.mark.parametrize(("year", "why"), [
    ("2027", r"^P5.2: assessment year 2027 is after the decision year 2025"),
    ("2019", r"^P5.2: assessment year 2019 is before the policy's start year 2024"),
])
def test_p5_2_assessment_year_checked(year: str, why: str) -> None:
    with pytest.raises(Refused, match=why):
        calc("P5.2", party("fund_manager", "F1"), contribution="1000", year=year)
    assert calc("P5.2", party("fund_manager", "F1"), contribution="1000", year="2024").matter == "P5.2:2024"


# 5 officer-decided amounts are refused over a cap, never cut ---------------------------------

def test_p3_2b_over_the_remaining_room_is_refused_not_cut() -> None:
    n = party("institute", "N1")
    award("P3.2b", n, amount="200000")
    with pytest.raises(CapExceeded) as refused:
        calc("P3.2b", n, date(2026, 3, 1), amount="100000.01")
    assert str(refused.value) == ("P3.2b: amount decided 100,000.01 exceeds the 100,000.00 remaining of the cap "
                                  "300,000 over the construction period (used 200,000.00)")
    assert calc("P3.2b", n, date(2026, 3, 1), amount="100000").amount == D("100000.00")


def test_p2_3a_over_the_remaining_room_is_refused_not_cut() -> None:
    s = party("service_org", "S1")
    award("P2.3a", s, amount="300000")
    with pytest.raises(CapExceeded, match=r"^P2.3a: amount decided 200,000.01 exceeds the 200,000.00 remaining"):
        calc("P2.3a", s, amount="200000.01")


def test_formula_amounts_are_still_cut_by_caps() -> None:
    u = party("university", "U1")
    award("P2.4", u, contract_value="20000000", contract="HT-1")  # 400,000
    assert calc("P2.4", u, contract_value="10000000", contract="HT-2").amount == D("100000.00")


# 6 external awards are other policies' decisions: no G.1 window -----------------------------

def _register(ledger: Ledger, code: str, kind: str = "enterprise") -> None:
    ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code=code, name=f"{code} 名称",
                                 party_kind=kind, entered=date(2024, 12, 1)))


def test_external_award_decided_before_the_policy_is_recorded_and_counted(ledger: Ledger) -> None:
    _register(ledger, "E1")
    ledger.execute(RecordExternalAward(actor=OFFICER, decided=date(2024, 6, 1), ref="晋科发〔2024〕3号",
                                       recipient="E1", clause="P6.7", matter="p6.7:zl-1", amount=D("100000"),
                                       source="省级晋创谷政策"))
    with pytest.raises(Refused, match=r"G.3 就高不重复: matter P6.7:ZL-1 of E1 already received 100,000.00"):
        ledger.execute(AwardByRule(actor=OFFICER, decided=date(2025, 3, 1), ref="R1", recipient="E1",
                                   clause="P6.7", basis={"patent": "ZL-1", "prize": "china"}))


def test_awards_still_check_the_policy_window(ledger: Ledger) -> None:
    _register(ledger, "E1")
    with pytest.raises(Refused, match="outside the policy window"):
        ledger.execute(AwardByRule(actor=OFFICER, decided=date(2024, 6, 1), ref="R1", recipient="E1",
                                   clause="P6.7", basis={"patent": "ZL-1", "prize": "china"}))


# 7 subjects that span recipients: P4.1a per person, P6.2 per project -----------------------

def _award(ledger: Ledger, code: str, clause: str, **basis: str) -> Decimal:
    return ledger.execute(AwardByRule(actor=OFFICER, decided=date(2025, 3, 1), ref="R1", recipient=code,
                                      clause=clause, basis=basis)).data["amount"]


def test_p4_1a_the_same_person_at_another_enterprise_pays_only_the_difference(ledger: Ledger) -> None:
    _register(ledger, "E1")
    _register(ledger, "E2")
    assert _award(ledger, "E1", "P4.1a", person="R-1", title="national_leader", leading_enterprise="yes") == \
        D("500000.00")
    with pytest.raises(Refused, match=r"matter P4.1a:R-1 of E2 already received 500,000.00 \(E1-A1 P4.1a"):
        _award(ledger, "E2", "P4.1a", person="r-1", title="national_leader", leading_enterprise="yes")
    # the leader became an academician: the other enterprise gets the difference only
    assert _award(ledger, "E2", "P4.1a", person="R-1", title="academician", leading_enterprise="yes") == \
        D("500000.00")


def test_p6_2_project_cap_spans_recipients(ledger: Ledger) -> None:
    _register(ledger, "E1")
    _register(ledger, "I1", "institute")
    assert _award(ledger, "E1", "P6.2", project="ZX-1", allocation_last_year="10000000",
                  performance="normal") == D("500000.00")
    # another unit on the same project: same matter and year → G.3; the project's 600,000 cap holds
    assert _award(ledger, "I1", "P6.2", project="zx-1", allocation_last_year="12000000",
                  performance="normal") == D("100000.00")
    with pytest.raises(Refused):
        _award(ledger, "I1", "P6.2", project="ZX-1", allocation_last_year="20000000", performance="normal")


@pytest.mark.slow
def test_p4_1a_two_enterprises_at_once_cannot_both_be_paid_for_one_person(ledger: Ledger, ledger_url: str) -> None:
    _register(ledger, "E1")
    _register(ledger, "E2")
    commands = [AwardByRule(actor=OFFICER, decided=date(2025, 3, 1), ref="R1", request_id=f"race-{code}",
                            recipient=code, clause="P4.1a",
                            basis={"person": "R-7", "title": "academician", "leading_enterprise": "yes"})
                for code in ("E1", "E2")]
    results, saves = race(ledger_url, commands)
    paid = [r for r in results if isinstance(r, Outcome)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert [o.data["amount"] for o in paid] == [D("1000000.00")], results
    assert len(refused) == 1 and "G.3 就高不重复: matter P4.1a:R-7" in str(refused[0])
    assert saves == [1, 1]  # the loser's save conflicted; re-read, it was refused before a second save
