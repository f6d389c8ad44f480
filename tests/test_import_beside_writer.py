"""A large import completes beside an officer writing back to back: after a bounded number of
optimistic conflicts the batch takes the database's writer lock (both databases)."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

from ledger import Ledger
from ledger.exchange.batch_import import import_csv
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from tests.conftest import OFFICER, fixed_clock

HEADER = "request_id,action,clause,recipient,basis,amount,decided,ref,reason,source,award,voucher,matter\n"
DAY = date(2025, 3, 1)


def _parties(ledger: Ledger, codes: list[str]) -> None:
    for code in codes:
        ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code=code, name=code,
                                     party_kind="enterprise", entered=date(2024, 12, 1)))


def test_an_import_of_hundreds_of_rows_completes_beside_a_writer(ledger: Ledger) -> None:
    """Finding: a 2,000-row import beside one officer awarding back to back failed "the ledger
    is too busy" after 20 attempts. 200 rows here: each evaluation is far longer than the
    writer's gap between saves, and the writer awards to the same enterprises, so every
    optimistic attempt conflicts."""
    _parties(ledger, [f"E{i}" for i in range(10)])
    rows = "".join(f"imp-{i},award,P6.3b,E{i % 10},vouchers=100;voucher=Q-{i},,2025-03-01,临科发〔2025〕20号,,,,,\n"
                   for i in range(200))
    stop = threading.Event()
    writes: list[float] = []
    errors: list[Exception] = []

    def writer() -> None:
        app = Ledger.open(ledger.database.url, clock=fixed_clock())
        try:
            n = 0
            while not stop.is_set():
                n += 1
                start = time.perf_counter()
                try:
                    app.execute(AwardByRule(actor=OFFICER, decided=DAY, ref="临科发〔2025〕21号", clause="P6.3b",
                                            recipient=f"E{n % 10}", basis={"vouchers": "1", "voucher": f"W-{n}"}, request_id=f"w-{n}"))
                except Exception as exc:
                    errors.append(exc)
                    return
                writes.append(time.perf_counter() - start)
        finally:
            app.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(writes) < 3:  # the writer is writing back to back before the import starts
            time.sleep(0.01)
        importer = Ledger.open(ledger.database.url, clock=fixed_clock())
        try:
            outcome = import_csv(importer, HEADER + rows, OFFICER, "big.csv")
            locked = importer.batch_locked
        finally:
            importer.close()
        written_during = len(writes)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert errors == []
    assert "imported 200 of 200 rows" in str(outcome.message)
    assert locked == 1  # it took the writer lock (the optimistic attempts all lost)
    assert written_during > 3  # the writer kept writing, before and after
    from domain.ids import party_id

    imported = [a for i in range(10) for a in ledger.aggregate(party_id(f"E{i}")).awards.values()
                if a.amount == Decimal("100.00")]
    assert len(imported) == 200  # the writer's awards are 1.00 each, beside them
