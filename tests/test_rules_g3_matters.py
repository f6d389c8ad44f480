"""G.3 就高不重复 matters: one-time clauses, level step-ups that pay the difference, subjects
(patent, person, platform) that span recipients and compare ignoring case and spaces, races on both databases.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.enterprise import Enterprise
from domain.errors import Refused
from ledger import Ledger
from ledger.commands import Outcome
from ledger.handlers.rules import AwardByRule
from tests.builders import (
    PHD,
    D,
    award,
    by,
    calc,
    covers,
    party,
    pay_and_claw_back,
    register,
)
from tests.conftest import OFFICER
from tests.racing import race

ONE_TIME = {
    "P3.2a": ("institute", {"amount": "500000"}),
    "P3.3": ("university", {"institute": "INST-1"}),
    "P3.4": ("enterprise", {"platform": "NL-1", "output_value": "200000000"}),
    "P5.3": ("fund_manager", {"investment": "20000000", "held_since": "2024-01-01", "rate": "1%", "fund": "F1"}),
    "P5.5c": ("enterprise", {"fees": "100000", "financing": "succeeded"}),
    "P6.3a": ("enterprise", {"rd_investment": "1000000", "rating": "excellent"}),
    "P6.5a": ("enterprise", {}),
}


def _one_time_party(clause: str) -> Enterprise:
    p = party(ONE_TIME[clause][0], entered=date(2024, 1, 1))
    if clause == "P6.5a":
        p.qualify(by(), "高新技术企业", "national", date(2024, 12, 20), date(2027, 12, 19))
    return p


@covers("P6.7", "P3.1b", "P4.1c", "P3.3")
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


@covers("P4.1c", "P6.7")
@pytest.mark.slow
@pytest.mark.parametrize(("clause", "basis", "amount"), [
    ("P4.1c", {"person": "R-8", **PHD}, D("100000.00")),
    ("P6.7", {"patent": "ZL-RACE", "prize": "china"}, D("100000.00")),
])
def test_two_recipients_at_once_cannot_both_be_paid_on_one_subject(
        ledger: Ledger, ledger_url: str, clause: str, basis: dict[str, str], amount: Decimal) -> None:
    register(ledger, "E1")
    register(ledger, "E2")
    commands = [AwardByRule(actor=OFFICER, decided=date(2025, 3, 1), ref="R1", request_id=f"race-{code}",
                            recipient=code, clause=clause, basis=basis)
                for code in ("E1", "E2")]
    results, saves = race(ledger_url, commands)
    paid = [r for r in results if isinstance(r, Outcome)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert [o.data["amount"] for o in paid] == [amount], results
    assert len(refused) == 1 and f"G.3 就高不重复: matter {clause}:" in str(refused[0])
    assert saves == [1, 1]  # the loser's save conflicted; re-read, it was refused before a second save


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


@covers("P6.3a")
def test_one_time_after_a_partial_clawback_is_still_refused() -> None:
    p = _one_time_party("P6.3a")
    award("P6.3a", p, **ONE_TIME["P6.3a"][1])
    pay_and_claw_back(p, "E1-A1", "1")
    with pytest.raises(Refused, match=r"already received award E1-A1 of 99,999.00"):
        calc("P6.3a", p, date(2025, 6, 1), **ONE_TIME["P6.3a"][1])


@covers("P6.4a", "P6.5b", "P5.5b", "P5.5a", "P3.1c")
def test_level_step_ups_stay_g3_differences() -> None:
    p = party("service_org", "S1")
    award("P6.4a", p, level="municipal", incubator="FH-1")
    assert calc("P6.4a", p, level="national", incubator="FH-1").amount == D("800000.00")
    award("P6.4b", p, level="municipal", makerspace="ZC-1")
    assert calc("P6.4b", p, level="national", makerspace="ZC-1").amount == D("100000.00")
    e = party("enterprise", "E1")
    e.qualify(by(date(2025, 1, 3)), "专精特新中小企业", "provincial", date(2025, 1, 3), None)
    e.qualify(by(date(2025, 1, 3)), "专精特新小巨人企业", "provincial", date(2025, 1, 3), None)
    award("P6.5b", e, level="provincial_specialised")
    assert calc("P6.5b", e, level="provincial_little_giant").amount == D("100000.00")
    award("P5.5b", e)
    assert calc("P5.5a", e, private="yes").amount == D("200000.00")
    award("P3.1c", e, platform="ETC-1", level="municipal")
    assert calc("P3.1c", e, platform="ETC-1", level="provincial").amount == D("100000.00")
