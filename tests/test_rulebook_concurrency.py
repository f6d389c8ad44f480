"""A rule-book revision and an award that reads the revised parameter, recorded at the same moment
through two ledgers on one database (SQLite file, PostgreSQL schema). Whatever the timing, the
ledger ends consistent (G.4): either the award used the revised value, or the revision was refused
because a recorded decision used the value it would change; never an award at the old value beside
a revision that changed it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest

from domain.errors import Refused
from domain.ids import party_id
from ledger import Ledger
from ledger.commands import Command, Outcome
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rulebook import ReviseParameter, revisions, rule_book_problems
from ledger.handlers.rules import AwardByRule
from ledger.infra.writer_lock import WriterLock
from tests.conftest import APPROVER, OFFICER, fixed_clock

D = Decimal
AWARD = AwardByRule(actor=OFFICER, decided=date(2026, 6, 1), ref="临科发〔2026〕5号", request_id="award",
                    recipient="U1", clause="P2.4",
                    basis={"contract_value": "1000000", "contract": "HT-1", "registered_on": "2026-05-01",
                           "counterparty": "E1"})
REVISION = ReviseParameter(actor=APPROVER, decided=date(2025, 12, 1), ref="临科发〔2025〕99号", request_id="revise",
                           clause="P2.4", name="rate", value="3%", valid_from=date(2026, 3, 1),
                           quote="按单个合同技术交易额,给予 3% 补贴")


class MeetingLock(WriterLock):
    """The writer lock of a racing ledger: its first save (or, with ``at_exclusive``, its first
    exclusive hold) waits at the barrier until the other ledger is there too, so both have
    evaluated on the same state before either saves."""

    barrier: threading.Barrier
    at_exclusive = False
    met = False

    def _meet(self) -> None:
        if not self.met:
            self.met = True
            self.barrier.wait(timeout=20)

    @contextmanager
    def shared(self) -> Iterator[None]:
        self._meet()
        with super().shared():
            yield

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        if self.at_exclusive:
            self._meet()
        with super().exclusive():
            yield


def race(url: str, commands: list[Command], at_exclusive: bool) -> list[Outcome | Exception]:
    barrier = threading.Barrier(len(commands))
    apps = []
    for _ in commands:
        app = Ledger.open(url, clock=fixed_clock())
        app.writer_lock.__class__ = MeetingLock
        lock = app.writer_lock
        assert isinstance(lock, MeetingLock)
        lock.barrier, lock.at_exclusive = barrier, at_exclusive
        apps.append(app)
    results: list[Outcome | Exception] = [Exception("not run")] * len(commands)

    def run(i: int) -> None:
        try:
            results[i] = apps[i].execute(commands[i])
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(commands))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for app in apps:
        app.close()
    return results


def consistent(url: str, award: Outcome | Exception, revision: Outcome | Exception) -> str:
    """Which of the two consistent outcomes the ledger shows (fails on any other)."""
    assert isinstance(award, Outcome), award
    fresh = Ledger.open(url)
    try:
        granted = fresh.aggregate(party_id("U1")).award(award.data["award"])
        versions = next(e.versions for _, e in fresh.read_log() if getattr(e, "award_id", "") == granted.award_id
                        and hasattr(e, "versions"))
        assert rule_book_problems(fresh) == []  # every decision used the book as it stood (audit verify)
        if isinstance(revision, Outcome):
            assert [r.valid_from for r in revisions(fresh)] == [date(2026, 3, 1)]
            assert granted.amount == D("30000.00") and "P2.4.rate@2026-03-01" in versions
            return "the award used the revised value"
        assert isinstance(revision, Refused), revision
        assert "would change the value used by 1 recorded decision(s) (U1-A1" in str(revision)
        assert revisions(fresh) == []
        assert granted.amount == D("20000.00") and "P2.4.rate@2024-11-05" in versions
        return "the revision was refused"
    finally:
        fresh.close()


def setup(ledger: Ledger) -> None:
    ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code="U1", name="山西师范大学",
                                 party_kind="university", entered=date(2024, 12, 1)))


@pytest.mark.slow
def test_an_award_evaluated_before_a_concurrent_revision_is_re_evaluated_under_it(
        ledger: Ledger, ledger_url: str) -> None:
    """Both evaluate on the same state (the award under the first edition, the revision on a log
    without the award); the revision holds the writer lock from its check to its save, so the
    award's save waits, sees the rule book moved and is re-evaluated at 3 %."""
    setup(ledger)
    award, revision = race(ledger_url, [AWARD, REVISION], at_exclusive=False)
    assert consistent(ledger_url, award, revision) == "the award used the revised value"
    assert isinstance(award, Outcome) and award.data["amount"] == D("30000.00")


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(3))
def test_an_award_and_a_revision_racing_for_the_lock_end_consistent(
        ledger: Ledger, ledger_url: str, attempt: int) -> None:
    """The award has evaluated; the revision has not yet taken the lock: whichever saves first,
    the other sees it (the revision refuses, or the award is re-evaluated)."""
    setup(ledger)
    award, revision = race(ledger_url, [AWARD, REVISION], at_exclusive=True)
    consistent(ledger_url, award, revision)
