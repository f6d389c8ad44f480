"""Recording awards through the ledger application on an SQLite file, against the bare
`eventsourcing` library saving equivalent aggregates with its own SQLite recorder, in the
same run. Prints events per second for both and the ratio (the aim is at least 0.5).

The application writes two events per award (the award and the request record that makes
the command idempotent and carries the officer's Ed25519 signature), reads the officer
roster, the recipient and the request record first, and signs; the bare library gets the
aggregate, triggers one event and saves it.

Run: .venv/bin/python bench/append.py [AWARDS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from ledger import Ledger
from ledger.handlers.officers import enrol
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from ledger.infra.keys import Keyring, KeyStore

PARTIES = 100


class BareParty(Aggregate):
    @event("Registered")
    def __init__(self, code: str) -> None:
        self.code = code
        self.awards: dict[str, Decimal] = {}

    @event("AwardGranted")
    def grant(self, award_id: str, clause: str, amount: Decimal, trace: list[str]) -> None:
        self.awards[award_id] = amount


def bare(path: str, n: int) -> float:
    app = Application({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path})
    ids = []
    for i in range(PARTIES):
        p = BareParty(code=f"ENT-{i}")
        app.save(p)
        ids.append(p.id)
    start = time.perf_counter()
    for i in range(n):
        p = app.repository.get(ids[i % PARTIES])
        p.grant(award_id=f"A{i}", clause="P6.3b", amount=Decimal("1234.56"),
                trace=["P6.3b: vouchers redeemed 1,234.56; cap 200,000/yr for ENT-0, used 0.00, "
                       "remaining 200,000.00 → 1,234.56"])  # the engine's trace, same length
        app.save(p)
    elapsed = time.perf_counter() - start
    app.close()
    return n / elapsed


def application(path: str, n: int) -> tuple[float, float]:
    keys = Keyring(KeyStore(Path(path).parent / "keys", "bench-passphrase"))
    ledger = Ledger.open(f"sqlite:///{path}", keyring=keys)
    enrol(ledger, "bench", "officer", decided=date(2025, 1, 1))  # every request is signed by it
    for i in range(PARTIES):
        ledger.execute(RegisterParty(actor="bench", decided=date(2025, 1, 2), code=f"ENT-{i}", name=f"企业{i}",
                                     party_kind="enterprise", entered=date(2024, 12, 1)))
    before = ledger.recorder.max_notification_id() or 0
    start = time.perf_counter()
    for i in range(n):
        # P6.3b vouchers through the rules engine: 1,234.56 each, under the 200,000/yr cap
        ledger.execute(AwardByRule(actor="bench", decided=date(2025, 3, 1), recipient=f"ENT-{i % PARTIES}",
                                   clause="P6.3b", basis={"vouchers": "1234.56"}, ref="临科发〔2025〕1号"))
    elapsed = time.perf_counter() - start
    written = (ledger.recorder.max_notification_id() or 0) - before
    ledger.close()
    return written / elapsed, n / elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    tmp = tempfile.mkdtemp()
    bare_rate = bare(f"{tmp}/bare.sqlite", n)
    app_events, app_awards = application(f"{tmp}/ledger.sqlite", n)
    print(f"awards recorded: {n} over {PARTIES} recipients, SQLite file, one transaction per award")
    print(f"bare eventsourcing (own SQLite recorder): {bare_rate:10,.0f} events/s")
    print(f"jcg application                         : {app_events:10,.0f} events/s ({app_awards:,.0f} awards/s)")
    print(f"ratio (events/s)                        : {app_events / bare_rate:10.2f}")
    print(f"ratio (awards/s vs bare events/s)       : {app_awards / bare_rate:10.2f}")


if __name__ == "__main__":
    main()
