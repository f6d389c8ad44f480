"""`audit verify` throughput over the benchmark ledger, against the physical limit of the same machine.

Builds (or reuses, if already built) a large SIGNED ledger in an SQLite file, written through
`Ledger.execute` like any officer's requests: five officers (one approver) registered with
their own keys, parties, awards by rule (P6.3b), disbursements, partial clawbacks; the ledger
key is made by an officer's first `audit checkpoint` and automatic checkpoints follow every
100 events. Then times `verify_ledger` over it (Merkle tree, every officer signature, every
stored checkpoint, journal balances) and, in the same run, the bare Ed25519 verify rate of
`cryptography` on messages of the request records' size, and prints the ratio (aim ≥ 0.5).

Run: .venv/bin/python bench/verify.py [--events 100000] [--dir DIR] [--fresh]
(with --dir the ledger is kept there and reused next time; otherwise a temporary one is removed)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger import Ledger
from ledger.audit.checkpointing import write_checkpoint
from ledger.handlers.grants import ClawBack, Disburse
from ledger.handlers.officers import enrol
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from ledger.infra.keys import Keyring, KeyStore

PARTIES = 1000
APPROVER = "bench-approver"
OFFICERS = [APPROVER, "bench-officer-1", "bench-officer-2", "bench-officer-3", "bench-officer-4"]
PASSPHRASE = "bench-passphrase"
DONE = "built"  # marker file: the ledger in the directory is complete


# The bench measures verification, not the two-person flow: its bureau turned the second person off for
# disbursements on record (a dated 内控 parameter), so each payment is one request as before.
ONE_PERSON = """
[[value]]
clause = "内控"
name = "two_person.grant.disburse"
value = false
unit = "bool"
valid_from = 2024-11-05
quote = "(bench) disbursements posted by their recorder"
"""


def open_ledger(directory: Path) -> Ledger:
    from domain.parameters import ParameterBook, load_values, parameter_book

    ledger = Ledger.open(f"sqlite:///{directory / 'ledger.sqlite'}",
                         keyring=Keyring(KeyStore(directory / "keys", PASSPHRASE)))
    base = [p for c in parameter_book().clauses() for p in parameter_book().versions(c)
            if not (c == "内控" and p.name == "two_person.grant.disburse")]
    ledger.book = ParameterBook(base + load_values([("bench.toml", ONE_PERSON)]))
    return ledger


def build(directory: Path, events: int) -> tuple[Ledger, float]:
    """Write at least ``events`` events through commands; returns the ledger and the seconds taken."""
    start = time.perf_counter()
    ledger = open_ledger(directory)
    enrol(ledger, APPROVER, "approver", decided=date(2025, 1, 1))
    for name in OFFICERS[1:]:
        enrol(ledger, name, "officer", actor=APPROVER, decided=date(2025, 1, 1))
    write_checkpoint(ledger, APPROVER, decided=date(2025, 1, 1))  # makes and registers the ledger key
    for i in range(PARTIES):
        ledger.execute(RegisterParty(actor=OFFICERS[i % 5], decided=date(2025, 1, 2), code=f"ENT-{i}",
                                     name=f"企业{i}", party_kind="enterprise", entered=date(2025, 1, 1)))
    awards: dict[str, int] = {}
    i = 0
    while (ledger.recorder.max_notification_id() or 0) < events:
        code = f"ENT-{i % PARTIES}"
        actor = OFFICERS[i % 5]
        day = date(2025 + (i // (PARTIES * 100)) % 3, 3, 1) + timedelta(days=(i // PARTIES) % 250)
        n = awards[code] = awards.get(code, 0) + 1
        award = f"{code}-A{n}"
        ledger.execute(AwardByRule(actor=actor, decided=day, recipient=code, clause="P6.3b",
                                   basis={"vouchers": "1234.56", "voucher": f"Q-{i}"}, ref=f"临科发〔{day.year}〕{i % 900 + 1}号"))
        ledger.execute(Disburse(actor=actor, decided=day, recipient=code, award=award, amount=Decimal("1000.00"),
                                voucher=f"付-{i}"))
        if i % 5 == 0:
            ledger.execute(ClawBack(actor=OFFICERS[(i + 1) % 5], decided=day + timedelta(days=30), recipient=code,
                                    award=award, amount=Decimal("234.56"), reason="凭证核查不符"))
        i += 1
        if i % 5000 == 0:
            print(f"  built {ledger.recorder.max_notification_id():,} events", file=sys.stderr)
    write_checkpoint(ledger, APPROVER, decided=date(2026, 1, 1))
    (directory / DONE).write_text(str(ledger.recorder.max_notification_id()))
    return ledger, time.perf_counter() - start


def benchmark_ledger(directory: Path, events: int, fresh: bool) -> tuple[Ledger, str]:
    if fresh or not (directory / DONE).exists():
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        ledger, seconds = build(directory, events)
        return ledger, f"built through commands in {seconds:.1f} s ({ledger.recorder.max_notification_id() / seconds:,.0f} events/s)"
    return open_ledger(directory), f"reused from {directory}"


def bare_verify_rate(messages: list[bytes]) -> float:
    """Ed25519 verifications per second of `cryptography` alone (the physical limit)."""
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    signatures = [key.sign(m) for m in messages]
    start = time.perf_counter()
    for m, s in zip(messages, signatures, strict=True):
        public.verify(s, m)
    return len(messages) / (time.perf_counter() - start)


def main() -> None:
    from ledger.audit.verify import verify_ledger

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--fresh", action="store_true", help="rebuild even if a built ledger is there")
    parser.add_argument("--runs", type=int, default=3, help="verify runs (the median is reported)")
    args = parser.parse_args()
    scratch = None if args.dir else tempfile.TemporaryDirectory(prefix="jcg-bench-verify-")
    directory = args.dir or Path(scratch.name) / "ledger"
    os.environ.setdefault("JCG_CHECKPOINT_EVERY", "100")
    ledger, origin = benchmark_ledger(directory, args.events, args.fresh)
    sizes = [len(bytes(n.state)) for n in ledger.recorder.select_notifications(start=1, limit=2000)
             if n.topic.endswith("RecordedRequest.Accepted")]
    size = int(statistics.median(sizes))  # an officer signs ~ this many bytes per request
    messages = [os.urandom(size) for _ in range(5000)]
    elapsed, bare = [], []
    report = None
    for _ in range(args.runs):  # interleaved, so both see the same machine state
        bare.append(bare_verify_rate(messages))
        start = time.perf_counter()
        report = verify_ledger(ledger)
        elapsed.append(time.perf_counter() - start)
    bare.append(bare_verify_rate(messages))
    ledger.close()
    if scratch is not None:
        scratch.cleanup()  # kept only where --dir names it
    assert report is not None and report.ok, report.problems[:3] if report else None
    seconds, limit = statistics.median(elapsed), max(bare)  # best bare rate, so the ratio is not flattered
    rate = report.events / seconds
    print(f"benchmark ledger: {report.events:,} events, {report.requests:,} signed requests, "
          f"{report.money_events:,} journal entries, {len(report.checkpoints)} checkpoint line(s) ({origin})")
    signatures = report.signatures / seconds
    print(f"audit verify:          {signatures:>10,.0f} signatures/s  ({rate:,.0f} events/s, "
          f"median {seconds:.2f} s of {', '.join(f'{e:.2f}' for e in elapsed)})")
    print(f"bare Ed25519 verify:   {limit:>10,.0f} verifies/s on {size}-byte messages (best of "
          f"{', '.join(f'{b:,.0f}' for b in bare)}; the physical limit, same run)")
    print(f"ratio signatures/s ÷ bare verifies/s: {signatures / limit:.2f}   (the unit is the signature: "
          "each request is one signature over its events)")


if __name__ == "__main__":
    main()
