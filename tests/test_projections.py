"""Read models: incremental (tracked, exactly once) equals a rebuild; as-of and at-position
folds match figures computed by hand on a small history; unknown events are ignored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Tracking

from ledger import Ledger
from ledger.handlers.rules import AwardByRule
from projections import reports
from projections.runner import catch_up, differences, fold, head, rebuild
from projections.state import Rows, from_fen
from projections.store import ReadModelStore
from tests.builders import record_small_history
from tests.conftest import OFFICER

D = Decimal


@pytest.fixture
def store(ledger: Ledger):
    s = ReadModelStore(ledger.database)
    yield s
    s.close()


def recipient(rows: Rows, party: str, clause: str, year: int) -> tuple[Decimal, ...]:
    r = rows["rm_recipients"][(party, clause, year)]
    return tuple(from_fen(r[c]) for c in ("awarded_fen", "disbursed_fen", "clawed_back_fen"))


def balances(rows: Rows) -> dict[str, Decimal]:
    return {k[0]: from_fen(v["balance_fen"]) for k, v in rows["rm_balances"].items() if v["balance_fen"]}


def test_incremental_equals_rebuild_and_trial_balance_is_zero(ledger: Ledger, store: ReadModelStore) -> None:
    base = record_small_history(ledger)
    assert catch_up(ledger, store) == base + 30
    incremental = store.load()
    assert sum(balances(incremental).values()) == 0
    assert differences(incremental, fold(ledger)[0].rows) == []
    assert rebuild(ledger, store) == base + 30
    assert differences(incremental, store.load()) == []
    assert store.max_tracking_id(ledger.name) == base + 30


def test_current_figures_by_hand(ledger: Ledger, store: ReadModelStore) -> None:
    record_small_history(ledger)
    catch_up(ledger, store)
    rows = store.load()
    assert recipient(rows, "U1", "P2.4", 2025) == (D("100000.00"), D("100000.00"), D("5000.00"))
    assert recipient(rows, "E1", "P2.3a", 2025) == (D("50000.00"), D("50000.00"), D("10000.00"))
    assert balances(rows) == {
        "budget:P2.4:2025": D("100000.00"),
        "budget:P2.3a:2025": D("40000.00"),
        "funding:市财政": D("-135000.00"),
        "revenue:returned:2026": D("-5000.00"),
    }
    caps = rows["rm_cap_usage"]
    assert from_fen(caps[("P2.4", "U1", 2025)]["used_fen"]) == D("95000.00")
    assert from_fen(caps[("P2.3a", "E1", 2025)]["used_fen"]) == D("40000.00")
    budget = reports.budgets(rows, by="source")
    assert budget.rows == [
        [2025, "市财政", D("150000.00"), D("0.00"), D("0.00"), D("110000.00"), D("10000.00"), D("0.00"),
         D("100000.00")],
        [2026, "市财政", D("0.00"), D("0.00"), D("0.00"), D("40000.00"), D("5000.00"), D("0.00"), D("35000.00")],
    ]
    by_unit = reports.budgets(rows, by="unit")
    assert {r[1] for r in by_unit.rows} == {"市科技局"}


def test_as_of_a_decision_date_by_hand(ledger: Ledger) -> None:
    record_small_history(ledger)
    rows = fold(ledger, as_of=date(2025, 12, 31))[0].rows
    assert recipient(rows, "U1", "P2.4", 2025) == (D("100000.00"), D("60000.00"), D("0.00"))
    assert recipient(rows, "E1", "P2.3a", 2025) == (D("50000.00"), D("50000.00"), D("10000.00"))
    assert balances(rows) == {
        "budget:P2.4:2025": D("100000.00"),
        "payable:U1": D("-40000.00"),
        "funding:市财政": D("-100000.00"),
        "budget:P2.3a:2025": D("40000.00"),
    }
    early = fold(ledger, as_of=date(2025, 3, 31))[0].rows
    assert balances(early) == {"budget:P2.4:2025": D("100000.00"), "payable:U1": D("-100000.00")}
    assert fold(ledger, as_of=date(2024, 12, 31))[0].rows["rm_recipients"] == {}


def test_at_position_by_hand(ledger: Ledger) -> None:
    base = record_small_history(ledger)
    rows = fold(ledger, at_position=base + 14)[0].rows
    assert recipient(rows, "U1", "P2.4", 2025) == (D("100000.00"), D("60000.00"), D("0.00"))
    assert recipient(rows, "E1", "P2.3a", 2025) == (D("50000.00"), D("0.00"), D("0.00"))
    assert sorted(k[0] for k in rows["rm_trail"]) == list(range(1, base + 15))
    assert fold(ledger, at_position=0)[0].rows["rm_trail"] == {}


def test_each_event_is_applied_exactly_once(ledger: Ledger, store: ReadModelStore) -> None:
    base = record_small_history(ledger)
    catch_up(ledger, store)
    before = store.load()
    position, disbursement = next((p, e) for p, e in ledger.read_log(base + 9, base + 10))
    assert store.apply_event(disbursement, Tracking(ledger.name, position)) is False
    assert differences(before, store.load()) == []


class Gadget(Aggregate):
    """An aggregate the read models know nothing about (like one another helper adds)."""

    @event("Made")
    def __init__(self, amount: Decimal) -> None:
        self.amount = amount


def test_unknown_events_are_ignored_safely(ledger: Ledger, store: ReadModelStore) -> None:
    base = record_small_history(ledger)
    ledger.save(Gadget(amount=D("12.34")))
    catch_up(ledger, store)
    rows = store.load()
    assert rows["rm_trail"][(base + 31,)]["event"] == "Gadget.Made"
    assert rows["rm_trail"][(base + 31,)]["amount_fen"] == 1234
    assert sum(balances(rows).values()) == 0
    assert differences(rows, fold(ledger)[0].rows) == []


def test_catch_up_resumes_after_new_writes(ledger: Ledger, store: ReadModelStore) -> None:
    base = record_small_history(ledger)
    assert catch_up(ledger, store) == base + 30
    ledger.execute(AwardByRule(actor="officer-1", recipient="E1", clause="P2.3a", amount=D("1.00"),
                               decided=date(2025, 12, 1), ref="临科发〔2025〕20号"))
    assert head(ledger) == base + 32
    assert catch_up(ledger, store) == base + 32
    assert recipient(store.load(), "E1", "P2.3a", 2025)[0] == D("50001.00")


def test_fund_holdings_and_gains(ledger: Ledger, store: ReadModelStore) -> None:
    from datetime import UTC, datetime

    from domain.fund import Fund
    from domain.provenance import Provenance

    by = Provenance(OFFICER, datetime(2026, 1, 1, tzinfo=UTC), date(2025, 5, 1), "fund-1", "临财〔2025〕1号")
    fund = Fund.register(by, "F1", "晋创谷基金", "M1", D("10000000"))
    fund.invest(by, "F1-L1", "E1", D("2000000"), D("1500000"))
    fund.dispose(by, "F1-L1", D("500000"), D("900000"), "团队", "buyback")
    ledger.save(fund)
    catch_up(ledger, store)
    rows = store.load()
    assert differences(rows, fold(ledger)[0].rows) == []
    report = reports.funds(rows)
    # cost of 500,000 of 1,500,000 units = 666,666.67; gain 900,000 − 666,666.67
    assert report.rows[0][1] == "fund" and report.rows[0][5:7] == [D("10000000.00"), D("8900000.00")]
    assert report.rows[1][1] == "holding"
    assert report.rows[1][7:11] == [D("1000000.00"), D("1333333.33"), D("900000.00"), D("233333.33")]


def test_every_event_name_a_read_model_matches_is_a_declared_event_class() -> None:
    """Read models match events by name (no aggregate import on the write path): each name must be
    an event class declared on an aggregate, so a misspelt name cannot silently match nothing."""
    import importlib
    import pkgutil

    import domain
    from projections import models  # noqa: F401  (declares the names of every read model)
    from projections.events import NAMES

    declared: set[str] = set()
    for info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"domain.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Aggregate) and value is not Aggregate:
                declared |= {v.__qualname__ for v in vars(value).values()
                             if isinstance(v, type) and issubclass(v, Aggregate.Event)}
    assert len(NAMES) > 30
    assert sorted(NAMES - declared) == []


def test_a_kept_value_is_made_once_per_key_and_the_memory_stays_bounded() -> None:
    from projections.memo import kept

    made: list[str] = []

    def make(text: str) -> str:
        made.append(text)
        return text.upper()

    upper = kept(make, limit=3)
    assert [upper(k) for k in ("a", "b", "a", "c", "b")] == ["A", "B", "A", "C", "B"]
    assert made == ["a", "b", "c"], "each made once"
    assert upper("d") == "D" and upper("a") == "A", "full: forgotten, and made again when asked"
    assert made == ["a", "b", "c", "d", "a"]
