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
from ledger.handlers.projects import BuyBack, ConvertProject, FinishProject, PayTranche, RecordTrigger, SellStake
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


def bought_back_and_sold(ledger: Ledger) -> list[Any]:
    """PJ-1 converted twice (100万 on 2026-01-05, 200万 on 2027-01-05: lots of 416,666.67 and 833,333.33
    units), both lots in their window on 2028-01-05: 300,000 units bought back, then 300,000 sold."""
    setup(ledger, window=(1, 3), ratio="50%")
    paid(ledger, PayTranche(project="PJ-1", amount=D("3000000.00"), voucher="付-1", **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", amount=D("1000000.00"), **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", amount=D("2000000.00"), **on("2027-01-05")))
    paid(ledger, BuyBack(project="PJ-1", buyer="张三", units=D("300000"), **on("2028-01-05")))
    ledger.execute(SellStake(project="PJ-1", buyer="某投资公司", price=D("900000"), units=D("300000"),
                             **on("2028-02-01")))
    return list(ledger.events.get(project_id("PJ-1")))


def test_a_buyback_and_a_sale_without_drawn_are_upcast_to_draw_pro_rata_when_applied(ledger: Ledger) -> None:
    """A version-1 buyback or sale has no split by lot, and none can be computed from the record alone
    (it depends on what each lot held then): it is upcast to ``drawn=None`` and the project draws the
    units pro rata to what each lot holds when it applies it, the rule the new records follow too."""
    events = bought_back_and_sold(ledger)
    bought = next(e for e in events if isinstance(e, Project.BoughtBack))
    sold = next(e for e in events if isinstance(e, Project.Sold))
    assert bought.drawn == [D("100000.00"), D("200000.00")] and sum(sold.drawn or []) == D("300000")
    old_bought = ledger.mapper.to_domain_event(as_version_1(ledger, bought, drop=("drawn",)))
    old_sold = ledger.mapper.to_domain_event(as_version_1(ledger, sold, drop=("drawn",)))
    assert isinstance(old_bought, Project.BoughtBack) and isinstance(old_sold, Project.Sold)
    assert (old_bought.drawn, old_sold.drawn) == (None, None)
    now = rebuilt(events)
    then = rebuilt([old_bought if e is bought else old_sold if e is sold else e for e in events])
    assert [(lot["out"], lot["bought_back"]) for lot in then.lots] == [
        (lot["out"], lot["bought_back"]) for lot in now.lots]
    assert (then.held, then.bought_back, then.sold) == (now.held, now.bought_back, now.sold)


def test_new_buybacks_and_sales_are_stored_as_version_2_with_their_lots(ledger: Ledger) -> None:
    events = bought_back_and_sold(ledger)
    for cls in (Project.BoughtBack, Project.Sold):
        e = next(e for e in events if isinstance(e, cls))
        state = ledger.mapper.transcoder.decode(ledger.mapper.to_stored_event(e).state)
        assert state["class_version"] == 2 and len(state["drawn"]) == 2
