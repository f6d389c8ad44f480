"""Third acceptance pass of the rules engine (issue 3), one test group per finding.

1 G.3 across recipients: P6.7 is per patent (any holder), P4.1c per person (any employer),
  awards and external awards alike, enforced on the subject aggregate (raced on both DBs);
2 external awards check the clause's recipient kinds; 3 a cap in a trace shows one arrow.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import Refused
from ledger import Ledger
from ledger.commands import Outcome
from ledger.parties import RegisterParty
from ledger.rules import AwardByRule, RecordExternalAward
from tests.conftest import OFFICER
from tests.posting import paid
from tests.racing import race
from tests.test_rules_clauses import calc, party

D = Decimal
PHD = {"degree": "doctorate", "social_insurance": "yes", "contract_years": "3"}
MASTER = {**PHD, "degree": "master"}


def _register(ledger: Ledger, code: str, kind: str = "enterprise") -> None:
    ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code=code, name=f"{code} 名称",
                                 party_kind=kind, entered=date(2024, 12, 1)))


def _award(ledger: Ledger, code: str, clause: str, day: date = date(2025, 3, 1), **basis: str) -> Decimal:
    return ledger.execute(AwardByRule(actor=OFFICER, decided=day, ref="R1", recipient=code,
                                      clause=clause, basis=basis)).data["amount"]


def _external(ledger: Ledger, code: str, clause: str, matter: str, amount: str) -> Outcome:
    return ledger.execute(RecordExternalAward(actor=OFFICER, decided=date(2025, 2, 1), ref="晋科发〔2025〕1号",
                                              recipient=code, clause=clause, matter=matter, amount=D(amount),
                                              source="省级晋创谷政策"))


def _positions(ledger: Ledger) -> int:
    return len(list(ledger.read_log(1, None)))


# 1 P6.7 per patent, P4.1c per person, across recipients --------------------------------------

def test_p6_7_a_second_holder_of_the_patent_gets_nothing_once_the_highest_was_paid(ledger: Ledger) -> None:
    _register(ledger, "E1")
    _register(ledger, "U1", "university")
    assert _award(ledger, "E1", "P6.7", patent="ZL1", prize="shanxi") == D("50000.00")
    assert _award(ledger, "E1", "P6.7", date(2025, 4, 1), patent="ZL1", prize="china") == D("50000.00")
    before = _positions(ledger)
    with pytest.raises(Refused, match=r"^G.3 就高不重复: matter P6.7:ZL1 of U1 already received 100,000.00 "
                                      r"\(E1-A1 P6.7 50,000.00; E1-A2 P6.7 50,000.00\)"):
        _award(ledger, "U1", "P6.7", patent="zl1", prize="china")
    assert _positions(ledger) == before  # nothing written


def test_p6_7_a_second_holder_gets_only_the_difference_up_to_the_higher_prize(ledger: Ledger) -> None:
    _register(ledger, "E1")
    _register(ledger, "U1", "university")
    assert _award(ledger, "E1", "P6.7", patent="ZL2", prize="shanxi") == D("50000.00")
    out = ledger.execute(AwardByRule(actor=OFFICER, decided=date(2025, 4, 1), ref="R2", recipient="U1",
                                     clause="P6.7", basis={"patent": "ZL2", "prize": "china"}))
    assert out.data["amount"] == D("50000.00")
    assert "G.3 matter P6.7:ZL2: already received 50,000.00 (E1-A1 P6.7 50,000.00), pays the difference " \
           "50,000.00" in out.trace[0]
    with pytest.raises(Refused, match=r"already received 100,000.00"):
        _award(ledger, "E1", "P6.7", date(2025, 5, 1), patent="ZL2", prize="china")
    # another patent is another matter
    assert _award(ledger, "U1", "P6.7", patent="ZL3", prize="china") == D("100000.00")


def test_p6_7_an_external_award_to_one_holder_counts_for_the_others(ledger: Ledger) -> None:
    _register(ledger, "E1")
    _register(ledger, "U1", "university")
    _external(ledger, "E1", "P6.7", "p6.7:zl4", "80000")
    out = ledger.execute(AwardByRule(actor=OFFICER, decided=date(2025, 3, 1), ref="R1", recipient="U1",
                                     clause="P6.7", basis={"patent": "ZL4", "prize": "china"}))
    assert out.data["amount"] == D("20000.00")
    assert "E1: 省级晋创谷政策 P6.7 80,000.00" in out.trace[0]


def test_p4_1c_the_same_person_at_another_enterprise_gets_only_the_difference(ledger: Ledger) -> None:
    _register(ledger, "E1")
    _register(ledger, "E2")
    assert _award(ledger, "E1", "P4.1c", person="P-1", **MASTER) == D("50000.00")
    # funded as master at E1, then as doctorate at E2: 100,000 in total, not 150,000
    assert _award(ledger, "E2", "P4.1c", date(2025, 6, 1), person="p-1", **PHD) == D("50000.00")
    with pytest.raises(Refused, match=r"matter P4.1c:P-1 of E1 already received 100,000.00"):
        _award(ledger, "E1", "P4.1c", date(2025, 7, 1), person="P-1", **PHD)


def test_p4_1c_a_clawed_back_award_at_the_first_enterprise_frees_the_person(ledger: Ledger) -> None:
    from ledger.grants import ClawBack, Disburse

    _register(ledger, "E1")
    _register(ledger, "E2")
    assert _award(ledger, "E1", "P4.1c", person="P-2", **PHD) == D("100000.00")
    paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 3, 2), ref="R-pay", recipient="E1",
                            award="E1-A1", amount=D("100000")))
    ledger.execute(ClawBack(actor=OFFICER, decided=date(2025, 4, 1), ref="R-claw", recipient="E1",
                            award="E1-A1", amount=D("100000"), reason="left within the contract"))
    assert _award(ledger, "E2", "P4.1c", date(2025, 5, 1), person="P-2", **PHD) == D("100000.00")


@pytest.mark.slow
@pytest.mark.parametrize(("clause", "basis", "amount"), [
    ("P4.1c", {"person": "R-8", **PHD}, D("100000.00")),
    ("P6.7", {"patent": "ZL-RACE", "prize": "china"}, D("100000.00")),
])
def test_two_recipients_at_once_cannot_both_be_paid_on_one_subject(
        ledger: Ledger, ledger_url: str, clause: str, basis: dict[str, str], amount: Decimal) -> None:
    _register(ledger, "E1")
    _register(ledger, "E2")
    commands = [AwardByRule(actor=OFFICER, decided=date(2025, 3, 1), ref="R1", request_id=f"race-{code}",
                            recipient=code, clause=clause, basis=basis)
                for code in ("E1", "E2")]
    results, saves = race(ledger_url, commands)
    paid = [r for r in results if isinstance(r, Outcome)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert [o.data["amount"] for o in paid] == [amount], results
    assert len(refused) == 1 and f"G.3 就高不重复: matter {clause}:" in str(refused[0])
    assert saves == [1, 1]  # the loser's save conflicted; re-read, it was refused before a second save


# 2 external awards: the clause's recipient kinds -------------------------------------------------

@pytest.mark.parametrize(("kind", "clause", "matter", "pays"), [
    ("enterprise", "P2.4", "P2.4:HT-1", "university"),
    ("bank", "P6.7", "P6.7:ZL-9", "enterprise"),
])
def test_external_award_to_a_kind_the_clause_does_not_pay_is_refused(
        ledger: Ledger, kind: str, clause: str, matter: str, pays: str) -> None:
    _register(ledger, "X1", kind)
    before = _positions(ledger)
    with pytest.raises(Refused, match=rf"^{clause}: recipient X1 is an? {kind}; the clause pays .*{pays}"):
        _external(ledger, "X1", clause, matter, "10000")
    assert _positions(ledger) == before


def test_external_award_to_a_kind_the_clause_pays_is_recorded(ledger: Ledger) -> None:
    _register(ledger, "U1", "university")
    assert "G.3 matter P6.7:ZL-9" in _external(ledger, "U1", "P6.7", "P6.7:ZL-9", "10000").message


# 3 a cap in a trace: one arrow ---------------------------------------------------------------------

@pytest.mark.parametrize(("clause", "kind", "basis", "tail"), [
    ("P5.3", "fund_manager", {"investment": "150000000", "held_since": "2024-02-28", "rate": "2%"},
     "; cap 2,000,000 one-time per fund → 2,000,000.00"),
    ("P5.5c", "enterprise", {"fees": "250000", "financing": "succeeded"}, "; cap 100,000 one-time → 100,000.00"),
    ("P6.3a", "enterprise", {"rd_investment": "9000000", "rating": "excellent"},
     "; cap 500,000 one-time → 500,000.00"),
])
def test_a_cap_per_award_shows_one_arrow(clause: str, kind: str, basis: dict[str, str], tail: str) -> None:
    p = party(kind, "Q1", entered=date(2024, 1, 2)) if clause == "P6.3a" else party(kind, "Q1")
    line = calc(clause, p, **basis).line
    assert line.endswith(tail) and line.count("→") == 1, line
