"""Recording awards through the ledger application on an SQLite file, against the bare
`eventsourcing` library saving an equivalent aggregate event with its own SQLite recorder,
interleaved in rounds in the same run. The unit is the award (one request): the bare
library writes one event per award; the application writes the award and its signed
request record, reads the roster, the recipient and the request first, signs, makes signed
checkpoints (its checkpoint key is created first) and keeps the read models current, as
`jcg grant award` does. Prints awards per second for both and the ratio.

Run: .venv/bin/python bench/append.py [AWARDS]   (temporary files removed)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from ledger import Ledger
from ledger.audit.checkpointing import write_checkpoint
from ledger.handlers.officers import enrol
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from ledger.infra.keys import Keyring, KeyStore
from projections.readside import ReadSide

PARTIES = 100


class BareParty(Aggregate):
    @event("Registered")
    def __init__(self, code: str) -> None:
        self.code = code
        self.awards: dict[str, Decimal] = {}

    @event("AwardGranted")
    def grant(self, award_id: str, clause: str, amount: Decimal, trace: list[str]) -> None:
        self.awards[award_id] = amount


class Bare:
    """The bare library: get the party, trigger one event, save (one transaction per award)."""

    def __init__(self, path: str):
        self.app = Application({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path})
        self.ids = []
        for i in range(PARTIES):
            p = BareParty(code=f"ENT-{i}")
            self.app.save(p)
            self.ids.append(p.id)
        self.done = 0

    def round(self, n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            i = self.done
            p = self.app.repository.get(self.ids[i % PARTIES])
            p.grant(award_id=f"A{i}", clause="P6.3b", amount=Decimal("1234.56"),
                    trace=["P6.3b: vouchers redeemed 1,234.56; cap 200,000/yr for ENT-0, used 0.00, "
                           "remaining 200,000.00 → 1,234.56"])  # the engine's trace, same length
            self.app.save(p)
            self.done += 1
        return time.perf_counter() - start


class App:
    """`jcg grant award` without the process start: a signed request through Ledger.execute,
    the checkpoint key made (so signed checkpoints follow every 100 events, as in use) and
    the read models kept current after each write (the command line's after-write hook)."""

    def __init__(self, path: str):
        keys = Keyring(KeyStore(Path(path).parent / "keys", "bench-passphrase"))
        self.ledger = Ledger.open(f"sqlite:///{path}", keyring=keys, JCG_CHECKPOINT_EVERY="100")
        enrol(self.ledger, "bench", "officer", decided=date(2025, 1, 1))  # every request is signed by it
        write_checkpoint(self.ledger, "bench")  # creates the ledger's checkpoint key
        self.side = ReadSide(self.ledger)
        self.side.keep_current()
        for i in range(PARTIES):
            self.ledger.execute(RegisterParty(actor="bench", decided=date(2025, 1, 2), code=f"ENT-{i}",
                                              name=f"企业{i}", party_kind="enterprise", entered=date(2024, 12, 1)))
        self.done = 0

    def count_reads(self) -> dict[str, int]:
        """Count what the after-write hook asks the databases: statements on the read models'
        engine, and reads of the log (position of the last event, notifications)."""
        import sqlalchemy as sa

        counts = {"read-model statements": 0, "log reads": 0}

        def statement(*_: object) -> None:
            counts["read-model statements"] += 1

        sa.event.listen(self.side.store.engine, "before_cursor_execute", statement)
        recorder = self.ledger.recorder
        for name in ("select_notifications", "max_notification_id"):
            original = getattr(recorder, name)

            def counted(*args: object, _original: Any = original, **kwargs: object) -> Any:
                counts["log reads"] += 1
                return _original(*args, **kwargs)

            setattr(recorder, name, counted)
        return counts

    def round(self, n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            # P6.3b vouchers through the rules engine: 1,234.56 each, under the 200,000/yr cap
            self.ledger.execute(AwardByRule(actor="bench", decided=date(2025, 3, 1),
                                            recipient=f"ENT-{self.done % PARTIES}", clause="P6.3b",
                                            basis={"vouchers": "1234.56", "voucher": f"Q-{self.done}"}, ref="临科发〔2025〕1号"))
            self.done += 1
        return time.perf_counter() - start

    def checkpoints(self) -> int:
        from ledger.audit.checkpoint import store_of

        return len(store_of(self.ledger).all())

    def close(self) -> None:
        self.side.close()
        self.ledger.close()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rounds = 4
    with tempfile.TemporaryDirectory(prefix="jcg-bench-append-") as tmp:
        bare, app = Bare(f"{tmp}/bare.sqlite"), App(f"{tmp}/ledger.sqlite")
        bare_s = app_s = 0.0
        for _ in range(rounds):  # interleaved, so both see the same machine
            bare_s += bare.round(n // rounds)
            app_s += app.round(n // rounds)
        awards = rounds * (n // rounds)
        counts = app.count_reads()  # a last round, counted (not timed)
        counted = 50
        app.round(counted)
        checkpoints = app.checkpoints()
        app.close()
        bare.app.close()
    print(f"awards recorded: {awards:,} over {PARTIES} recipients, SQLite file, one transaction per award, "
          f"{rounds} interleaved rounds of bare and application")
    print(f"bare eventsourcing (one event per award): {awards / bare_s:10,.0f} awards/s")
    print(f"jcg application (signed request, checks, : {awards / app_s:10,.0f} awards/s  "
          f"({checkpoints} signed checkpoints made)")
    print("                 read models kept current)")
    print(f"ratio (awards/s ÷ bare awards/s)         : {bare_s / app_s:10.2f}   (load {os.getloadavg()[0]:.1f})")
    print("per award, after-write hook and checkpoints (counted over a last round of "
          f"{counted}): {counts['read-model statements'] / counted:.1f} read-model statements, "
          f"{counts['log reads'] / counted:.1f} log reads (last position, notifications)")


if __name__ == "__main__":
    main()
