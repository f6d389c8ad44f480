"""Decimal, date, datetime and UUID values come back from storage exactly, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.enterprise import Enterprise
from domain.ids import party_id
from domain.provenance import Provenance
from ledger import Ledger
from ledger.handlers.parties import GrantQualification, RegisterParty
from ledger.handlers.rules import AwardByRule
from tests.conftest import OFFICER


def test_values_round_trip_exactly(ledger: Ledger, ledger_url: str) -> None:
    ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code="U1", name="山西师范大学",
                                 party_kind="university", entered=date(2024, 12, 1), request_id="r1"))
    ledger.execute(GrantQualification(actor=OFFICER, decided=date(2025, 1, 3), code="U1", qualification="省级重点实验室",
                                      level="provincial", granted_on=date(2024, 12, 20),
                                      expires_on=date(2027, 12, 19)))
    award = AwardByRule(actor=OFFICER, decided=date(2025, 3, 1), recipient="U1", clause="P2.4",
                        basis={"contract_value": "7654320", "contract": "HT-1", "registered_on": "2024-11-01", "counterparty": "E1"}, ref="临科发〔2025〕1号", request_id="r2")
    outcome = ledger.execute(award)  # 2% × 7,654,320.00 = 153,086.40 (a trailing zero that must survive)

    reopened = Ledger.open(ledger_url)  # a new process would see exactly this
    events = [e for _, e in reopened.read_log()]
    registered = next(e for e in events if isinstance(e, Enterprise.Registered))
    granted = next(e for e in events if isinstance(e, Enterprise.AwardGranted))
    assert registered.originator_id == party_id("U1")
    assert registered.entered == date(2024, 12, 1) and type(registered.entered) is date
    assert registered.by.recorded_at == datetime(2032, 1, 1, 9, 0, tzinfo=UTC)
    assert granted.amount == Decimal("153086.40") and str(granted.amount) == "153086.40"
    assert granted.by.decided == date(2025, 3, 1)
    assert granted.basis == award.basis == {"contract_value": "7654320.00", "contract": "HT-1", "registered_on": "2024-11-01", "counterparty": "E1"}  # stored in its canonical spelling
    assert granted.trace == outcome.trace[:1] and granted.trace[0].startswith("P2.4: 2% × 7,654,320.00 = 153,086.40")
    assert granted.versions == ["P2.4.rate@2024-11-05", "P2.4.annual_cap@2024-11-05"]
    party = reopened.aggregate(party_id("U1"))
    assert party.qualifications[0].expires_on == date(2027, 12, 19)
    assert party.awards["U1-A1"].amount == Decimal("153086.40")
    reopened.close()


class Specimen(Aggregate):
    """Carries one value of every type the ledger stores inside events."""

    @event("Recorded")
    def __init__(self, by: Provenance, amount: Decimal, day: date, moment: datetime, ref: UUID,
                 amounts: list[Decimal]) -> None:
        self.values = (by, amount, day, moment, ref, amounts)


def test_every_stored_type_round_trips_inside_an_event(ledger: Ledger, ledger_url: str) -> None:
    by = Provenance(actor=OFFICER, recorded_at=datetime(2026, 1, 1, 9, 0, 0, 123456, tzinfo=UTC),
                    decided=date(2028, 12, 31), request_id="r-uuid", ref="临科发〔2025〕1号")
    values = (by, Decimal("7654321.09"), date(2024, 11, 5), datetime(2025, 3, 1, 8, 30, 15, 1, tzinfo=UTC),
              uuid4(), [Decimal("0.01"), Decimal("100000000.00"), Decimal("0.10")])
    specimen = Specimen(*values)
    ledger.save(specimen)
    reopened = Ledger.open(ledger_url)
    try:
        stored = reopened.aggregate(specimen.id).values
    finally:
        reopened.close()
    assert stored == values
    assert [type(v) for v in stored] == [type(v) for v in values]
    assert [str(d) for d in stored[5]] == ["0.01", "100000000.00", "0.10"]  # scale kept, not just value
    assert stored[3].microsecond == 1 and stored[3].tzinfo is not None
