"""A 2,000-row import beside an officer awarding back to back, against the same import alone,
in the same run. Prints whether the import completed, its time, the reference time and their
ratio, how many attempts it took (optimistic ones, then one holding the writer lock), and how
long the writer waited for the lock (total and longest single award).

The writer is a separate process awarding P6.3b to the same enterprises the import awards to,
so every optimistic evaluation of the import conflicts (without the writer lock the import
failed "the ledger is too busy" after 20 attempts).

Run: .venv/bin/python bench/import_beside_writer.py [ROWS] [--postgres URL]
"""

from __future__ import annotations

import multiprocessing
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from ledger import Ledger
from ledger.exchange.batch_import import import_csv
from ledger.handlers.officers import enrol
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from ledger.infra.keys import Keyring, KeyStore

ENTERPRISES = 20
HEADER = "request_id,action,clause,recipient,basis,amount,decided,ref,reason,source,award,voucher,matter\n"
PASSPHRASE = "bench-passphrase"


def keyring(keys: Path) -> Keyring:
    return Keyring(KeyStore(keys, PASSPHRASE))


def prepare(url: str, keys: Path) -> None:
    ledger = Ledger.open(url, keyring=keyring(keys))
    try:
        enrol(ledger, "bench", "approver", decided=date(2025, 1, 1))
        for i in range(ENTERPRISES):
            ledger.execute(RegisterParty(actor="bench", decided=date(2025, 1, 2), code=f"ENT-{i}", name=f"企业{i}",
                                         party_kind="enterprise", entered=date(2024, 12, 1)))
    finally:
        ledger.close()


def csv_rows(n: int) -> str:
    return HEADER + "".join(f"imp-{i},award,P6.3b,ENT-{i % ENTERPRISES},vouchers=100;voucher=Q-{i},,2025-03-01,临科发〔2025〕20号,,,,,\n"
                            for i in range(n))


def run_import(url: str, keys: Path, rows: str) -> tuple[float, int]:
    ledger = Ledger.open(url, keyring=keyring(keys))
    try:
        ledger.keyring.key("bench")  # the key is opened (scrypt) before the clock starts
        start = time.perf_counter()
        import_csv(ledger, rows, "bench", "bench.csv")
        return time.perf_counter() - start, ledger.batch_locked
    finally:
        ledger.close()


def writer(url: str, keys: str, ready: Any, stop: Any, out: Any) -> None:
    ledger = Ledger.open(url, keyring=keyring(Path(keys)))
    ledger.keyring.key("bench")
    n, longest, latencies = 0, 0.0, []
    try:
        while not stop.is_set():
            start = time.perf_counter()
            ledger.execute(AwardByRule(actor="bench", decided=date(2025, 3, 1), recipient=f"ENT-{n % ENTERPRISES}",
                                       clause="P6.3b", basis={"vouchers": "1", "voucher": f"W-{n}"}, ref="临科发〔2025〕21号"))
            took = time.perf_counter() - start
            latencies.append(took)
            longest = max(longest, took)
            n += 1
            if n == 5:
                ready.set()
    finally:
        out.put((n, ledger.writer_lock.waited, longest, sorted(latencies)[len(latencies) // 2]))
        ledger.close()


def fresh_url(base: str | None, folder: Path, name: str) -> str:
    if base:
        sep = "&" if "?" in base else "?"
        return f"{base}{sep}schema=bench_{uuid.uuid4().hex[:12]}"
    return f"sqlite:///{folder / name}.sqlite"


def drop(base: str | None, url: str) -> None:
    if base:
        import psycopg

        schema = url.rsplit("schema=", 1)[1]
        with psycopg.connect(base.split("?")[0], autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv and argv[0].isdigit() else 2000
    pg = argv[argv.index("--postgres") + 1] if "--postgres" in argv else None
    rows = csv_rows(n)
    with tempfile.TemporaryDirectory(prefix="jcg-bench-") as tmp:
        folder = Path(tmp)
        alone_url = fresh_url(pg, folder, "alone")
        prepare(alone_url, folder / "keys-alone")
        alone, _ = run_import(alone_url, folder / "keys-alone", rows)
        drop(pg, alone_url)

        url = fresh_url(pg, folder, "beside")
        keys = folder / "keys-beside"
        prepare(url, keys)
        ctx = multiprocessing.get_context("fork")
        ready, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
        proc = ctx.Process(target=writer, args=(url, str(keys), ready, stop, out))
        proc.start()
        ready.wait(60)
        try:
            beside, locked = run_import(url, keys, rows)
            completed = True
        except Exception as exc:
            beside, locked, completed = float("nan"), 0, False
            print(f"import FAILED beside the writer: {exc}")
        stop.set()
        writes, waited, longest, median = out.get(timeout=60)
        proc.join(60)
        drop(pg, url)
    kind = "PostgreSQL" if pg else "SQLite"
    print(f"{kind}: {n:,} rows imported beside a writer: {'completed' if completed else 'NOT completed'} in "
          f"{beside:.2f} s ({'took the writer lock' if locked else 'no lock needed'}); alone {alone:.2f} s; "
          f"ratio {beside / alone:.2f}")
    print(f"writer: {writes:,} awards back to back during the run; waited for the lock {waited:.2f} s in total, "
          f"longest award {longest:.2f} s, median award {median * 1000:.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
