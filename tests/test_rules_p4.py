"""P4 talent (P4.1 people and workstations, P4.2 fees and the ten-a-year count): per-person
matters across employers, step-ups, conditions.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import CapExceeded, Refused
from ledger import Ledger
from ledger.commands import Outcome
from ledger.handlers.rules import AwardByRule
from tests.builders import (
    MASTER,
    PHD,
    D,
    award,
    awarded,
    calc,
    covers,
    party,
    register,
)
from tests.conftest import OFFICER
from tests.posting import paid
from tests.racing import race


@covers("P4.1a")
def test_p4_1a_per_person_with_step_up() -> None:
    p = party()
    assert calc("P4.1a", p, person="P-1", title="academician", leading_enterprise="yes").amount == D("1000000.00")
    award("P4.1a", p, person="P-1", title="national_leader", leading_enterprise="yes")
    assert calc("P4.1a", p, person="P-1", title="academician", leading_enterprise="yes").amount == D("500000.00")
    with pytest.raises(Refused, match=r"G.3"):
        calc("P4.1a", p, person="P-1", title="national_leader", leading_enterprise="yes")
    assert calc("P4.1a", p, person="P-2", title="national_leader", leading_enterprise="yes").amount == D("500000.00")


@covers("P4.1a")
def test_p4_1a_the_same_person_at_another_enterprise_pays_only_the_difference(ledger: Ledger) -> None:
    register(ledger, "E1")
    register(ledger, "E2")
    assert awarded(ledger, "E1", "P4.1a", person="R-1", title="national_leader", leading_enterprise="yes") == \
        D("500000.00")
    with pytest.raises(Refused, match=r"matter P4.1a:R-1 of E2 already received 500,000.00 \(E1-A1 P4.1a"):
        awarded(ledger, "E2", "P4.1a", person="r-1", title="national_leader", leading_enterprise="yes")
    # the leader became an academician: the other enterprise gets the difference only
    assert awarded(ledger, "E2", "P4.1a", person="R-1", title="academician", leading_enterprise="yes") == \
        D("500000.00")


@covers("P4.1a")
@pytest.mark.slow
def test_p4_1a_two_enterprises_at_once_cannot_both_be_paid_for_one_person(ledger: Ledger, ledger_url: str) -> None:
    register(ledger, "E1")
    register(ledger, "E2")
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


@covers("P4.1b")
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


@covers("P4.1c")
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


@covers("P4.1c")
def test_p4_1c_the_same_person_at_another_enterprise_gets_only_the_difference(ledger: Ledger) -> None:
    register(ledger, "E1")
    register(ledger, "E2")
    assert awarded(ledger, "E1", "P4.1c", person="P-1", **MASTER) == D("50000.00")
    # funded as master at E1, then as doctorate at E2: 100,000 in total, not 150,000
    assert awarded(ledger, "E2", "P4.1c", date(2025, 6, 1), person="p-1", **PHD) == D("50000.00")
    with pytest.raises(Refused, match=r"matter P4.1c:P-1 of E1 already received 100,000.00"):
        awarded(ledger, "E1", "P4.1c", date(2025, 7, 1), person="P-1", **PHD)


@covers("P4.1c")
def test_p4_1c_a_clawed_back_award_at_the_first_enterprise_frees_the_person(ledger: Ledger) -> None:
    from ledger.handlers.grants import ClawBack, Disburse

    register(ledger, "E1")
    register(ledger, "E2")
    assert awarded(ledger, "E1", "P4.1c", person="P-2", **PHD) == D("100000.00")
    paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 3, 2), ref="R-pay", recipient="E1",
                            award="E1-A1", amount=D("100000")))
    ledger.execute(ClawBack(actor=OFFICER, decided=date(2025, 4, 1), ref="R-claw", recipient="E1",
                            award="E1-A1", amount=D("100000"), reason="left within the contract"))
    assert awarded(ledger, "E2", "P4.1c", date(2025, 5, 1), person="P-2", **PHD) == D("100000.00")


@covers("P4.2a")
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


@covers("P4.2b")
def test_p4_2b_count_cap_of_ten_a_year() -> None:
    person = party("person", "B1")
    e = calc("P4.2b", person, taken=tuple(f"X{i}" for i in range(9)))
    assert e.amount == D("100000.00") and e.count_cap is not None and e.count_cap.limit == 10
    assert "this is no. 10" in e.line
    with pytest.raises(CapExceeded, match=r"at most 10 outstanding individuals a year; 2025 has 10"):
        calc("P4.2b", person, taken=tuple(f"X{i}" for i in range(10)))
    with pytest.raises(Refused, match=r"already one of the outstanding individuals of 2025"):
        calc("P4.2b", person, taken=("B1",))
