"""Project events recorded in an older shape are upcast when read (``class_version`` and
``upcast_v1_v2``, called by the eventsourcing mapper), so a history recorded before a field
existed rebuilds the same project."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.ids import project_id
from domain.money import round_fen
from domain.project import Project
from ledger import Ledger
from ledger.handlers.projects import ConvertProject, FinishProject, PayTranche, RecordTrigger
from tests.builders import as_version_1, on, setup
from tests.posting import paid

D = Decimal


def rebuilt(events: list[Any]) -> Project:
    project: Project | None = None
    for e in events:
        project = e.mutate(project)
    assert project is not None
    return project


def test_a_conversion_without_its_price_base_is_upcast_to_the_base_its_units_were_computed_on(ledger: Ledger) -> None:
    setup(ledger)
    paid(ledger, PayTranche(project="PJ-1", amount=D("3000000.00"), voucher="付-1", **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", amount=D("1500000.00"), **on("2026-01-05")))
    events = list(ledger.events.get(project_id("PJ-1")))
    converted = next(e for e in events if isinstance(e, Project.Converted))
    old = ledger.mapper.to_domain_event(as_version_1(ledger, converted, drop=("price_base",)))
    assert isinstance(old, Project.Converted)
    assert old.price_base == round_fen(old.units * old.valuation / old.amount) == D("5000000.00")
    assert old.price_base == converted.price_base
    now = rebuilt(events)
    then = rebuilt([old if e is converted else e for e in events])
    assert (then.price_base, then.units, then.held) == (now.price_base, now.units, now.held)


def test_a_completion_without_release_spent_clause_or_source_is_upcast_to_none_recorded(ledger: Ledger) -> None:
    setup(ledger)
    paid(ledger, PayTranche(project="PJ-1", amount=D("1000000.00"), voucher="付-1", **on("2025-02-01")))
    ledger.execute(FinishProject(project="PJ-1", spent=D("400000.00"), **on("2025-11-20", ref="临科验〔2025〕3号")))
    events = list(ledger.events.get(project_id("PJ-1")))
    finished = next(e for e in events if isinstance(e, Project.Finished))
    assert (finished.released, finished.spent) == (D("2000000.00"), D("400000.00"))
    old = ledger.mapper.to_domain_event(
        as_version_1(ledger, finished, drop=("released", "spent", "clause", "source")))
    assert isinstance(old, Project.Finished)
    assert (old.released, old.spent, old.clause, old.source) == (D(0), D(0), "", "")
    then = rebuilt([old if e is finished else e for e in events])
    assert then.finished_on == finished.by.decided and (then.released, then.spent) == (D(0), D(0))
    assert then.unspent == D("1000000.00")  # what a version-1 completion meant: nothing recorded as spent


def test_new_events_are_stored_as_version_2(ledger: Ledger) -> None:
    setup(ledger)
    paid(ledger, PayTranche(project="PJ-1", amount=D("3000000.00"), voucher="付-1", **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", **on("2026-01-05")))
    converted = next(e for e in ledger.events.get(project_id("PJ-1")) if isinstance(e, Project.Converted))
    state = ledger.mapper.transcoder.decode(ledger.mapper.to_stored_event(converted).state)
    assert state["class_version"] == 2 and state["price_base"] == D("5000000.00")
