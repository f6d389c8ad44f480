"""P4.2b count cap (at most 10 outstanding individuals a year): a full clawback frees the place in
the same command, a partial one keeps it (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.counter import ClauseYearCounter
from domain.errors import CapExceeded
from domain.ids import counter_id
from ledger import Ledger
from ledger.handlers.grants import ClawBack, Disburse
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from tests.conftest import OFFICER
from tests.posting import paid

D = Decimal
DAY = date(2025, 3, 1)
pytestmark = [getattr(pytest.mark, "P4.2b")]


def award(ledger: Ledger, person: str, decided: date = DAY) -> str:
    out = ledger.execute(AwardByRule(actor=OFFICER, decided=decided, ref="临科发〔2025〕12号", recipient=person,
                                     clause="P4.2b"))
    award_id: str = out.data["award"]
    return award_id


def pay(ledger: Ledger, person: str, amount: str, day: str = "2025-04-01") -> None:
    paid(ledger, Disburse(actor=OFFICER, decided=date.fromisoformat(day), recipient=person, award=f"{person}-A1",
                            amount=D(amount)))


def claw(ledger: Ledger, person: str, amount: str, day: str = "2025-06-01", request_id: str = ""):  # type: ignore[no-untyped-def]  # returns the Outcome of the clawback
    return ledger.execute(ClawBack(actor=OFFICER, decided=date.fromisoformat(day), recipient=person,
                                   award=f"{person}-A1", amount=D(amount), reason="材料造假", request_id=request_id))


def ten_awarded(ledger: Ledger) -> None:
    for i in range(12):
        ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code=f"B{i}", name=f"个人{i}",
                                     party_kind="person", entered=date(2024, 12, 1)))
    for i in range(10):
        award(ledger, f"B{i}")


def taken(ledger: Ledger, year: int = 2025) -> list[str]:
    counter: ClauseYearCounter = ledger.aggregate(counter_id("P4.2b", year))
    return list(counter.taken)


def test_partial_clawback_keeps_the_place(ledger: Ledger) -> None:
    ten_awarded(ledger)
    pay(ledger, "B0", "100000")
    claw(ledger, "B0", "99999.99")
    with pytest.raises(CapExceeded, match="at most 10 outstanding individuals a year; 2025 has 10"):
        award(ledger, "B10")
    # all that was paid recovered, but the award is not fully paid: it still stands, so does the place
    pay(ledger, "B1", "50000")
    claw(ledger, "B1", "50000")
    with pytest.raises(CapExceeded, match="2025 has 10"):
        award(ledger, "B10")
    assert len(taken(ledger)) == 10


def test_full_clawback_frees_the_place_atomically(ledger: Ledger) -> None:
    ten_awarded(ledger)
    pay(ledger, "B0", "100000")
    claw(ledger, "B0", "40000")
    with pytest.raises(CapExceeded):
        award(ledger, "B10")
    before = [type(e).__name__ for _, e in ledger.read_log()]
    out = claw(ledger, "B0", "60000", request_id="claw-B0")
    after = [type(e).__name__ for _, e in ledger.read_log()]
    assert after[len(before):].count("ClawedBack") == 1 and after[len(before):].count("PlaceReleased") == 1
    assert "P4.2b: award B0-A1 recovered in full (100,000.00): B0's place in 2025 is freed (9 taken now)" in out.trace
    assert "B0" not in taken(ledger)
    again = claw(ledger, "B0", "60000", request_id="claw-B0")
    assert again.already_recorded and len(list(ledger.read_log())) == len(after)

    assert award(ledger, "B10") == "B10-A1"  # the 11th person takes the freed place
    assert len(taken(ledger)) == 10
    with pytest.raises(CapExceeded, match="2025 has 10"):
        award(ledger, "B11")


def test_full_clawback_in_a_later_year_frees_the_place_of_the_award_year(ledger: Ledger) -> None:
    ten_awarded(ledger)
    award(ledger, "B10", decided=date(2026, 1, 5))
    pay(ledger, "B0", "100000")
    out = claw(ledger, "B0", "100000", day="2026-02-01")
    assert any("place in 2025 is freed" in t for t in out.trace)
    assert len(taken(ledger, 2025)) == 9 and taken(ledger, 2026) == ["B10"]
