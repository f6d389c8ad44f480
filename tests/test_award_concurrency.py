"""Two officers award against one cap at the same moment, each through its own Ledger on the
same database (SQLite file or PostgreSQL schema). Both evaluate on the same state; a barrier
holds them until both are about to save, so the race really happens. The loser's save
conflicts, it re-reads and is re-evaluated: the cap holds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import CapExceeded
from domain.ids import party_id
from ledger import Ledger
from ledger.commands import Outcome
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from tests.conftest import OFFICER
from tests.racing import race

D = Decimal
DAY = date(2025, 3, 1)


def register(ledger: Ledger, code: str, kind: str) -> None:
    ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code=code, name=code, party_kind=kind,
                                 entered=date(2024, 12, 1)))


def p24(request: str, value: str) -> AwardByRule:
    return AwardByRule(actor=OFFICER, decided=DAY, ref="临科发〔2025〕12号", request_id=request, recipient="U1",
                       clause="P2.4", basis={"contract_value": value, "contract": f"HT-{request}", "registered_on": "2024-11-01", "counterparty": "E1"})


@pytest.mark.slow
def test_two_officers_award_against_one_annual_cap(ledger: Ledger, ledger_url: str) -> None:
    register(ledger, "U1", "university")
    ledger.execute(p24("prior", "10000000"))  # 200,000 used; 300,000 remain in 2025

    results, saves = race(ledger_url, [p24("officer-a", "10000000"), p24("officer-b", "10000000")])

    outcomes = [r for r in results if isinstance(r, Outcome)]
    assert len(outcomes) == 2, results
    amounts = sorted(o.data["amount"] for o in outcomes)
    assert amounts == [D("100000.00"), D("200000.00")]  # the loser was re-evaluated and got the remainder
    assert sorted(saves) == [1, 2]  # exactly one conflict, one retry
    loser = next(o for o in outcomes if o.data["amount"] == D("100000.00"))
    assert "used 400,000.00, remaining 100,000.00 → 100,000.00" in loser.trace[0]
    fresh = Ledger.open(ledger_url)
    try:
        assert fresh.aggregate(party_id("U1")).awarded_in("P2.4", 2025) == D("500000.00")
    finally:
        fresh.close()


@pytest.mark.slow
def test_two_officers_take_the_last_place_of_a_count_cap(ledger: Ledger, ledger_url: str) -> None:
    for i in range(11):
        register(ledger, f"B{i}", "person")
    for i in range(9):
        ledger.execute(AwardByRule(actor=OFFICER, decided=DAY, ref="R", recipient=f"B{i}", clause="P4.2b"))

    def p42b(code: str) -> AwardByRule:
        return AwardByRule(actor=OFFICER, decided=DAY, ref="R", request_id=f"race-{code}", recipient=code,
                           clause="P4.2b")

    results, _ = race(ledger_url, [p42b("B9"), p42b("B10")])
    won = [r for r in results if isinstance(r, Outcome)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], CapExceeded) and "at most 10" in str(lost[0])
