"""`audit verify` throughput against the physical limit of the same machine, in one run.

Builds a benchmark ledger in a temporary SQLite file through the application (every request
signed by an officer: parties, awards, disbursements), then times `verify_ledger` over it
(Merkle tree, every signature, journal balances) and, in the same process, the bare
Ed25519 verification rate of `cryptography` on messages of the same size. Prints events per
second of verification, the bare verify rate, and their ratio (the aim is ≥ 0.5 on one core).

Run: .venv/bin/python bench/verify.py [COMMANDS]   (default 6000 commands ≈ 12,000 events)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger import Ledger
from ledger.grants import Disburse
from ledger.keys import Keyring, KeyStore
from ledger.officers import enrol
from ledger.parties import RegisterParty
from ledger.rules import AwardByRule

PARTIES = 200
OFFICER = "bench-officer"


def build(path: str, keys: str, commands: int) -> Ledger:
    os.environ["JCG_CHECKPOINT_EVERY"] = "0"  # time verification, not checkpointing while building
    ledger = Ledger.open(f"sqlite:///{path}", keyring=Keyring(KeyStore(keys, "bench-passphrase")))
    enrol(ledger, OFFICER, "approver", decided=date(2025, 1, 1))
    day = date(2025, 3, 1)
    for i in range(PARTIES):
        ledger.execute(RegisterParty(actor=OFFICER, decided=day, code=f"ENT-{i}", name=f"企业{i}",
                                     party_kind="enterprise", entered=date(2025, 1, 1)))
    awards: list[str] = []
    for i in range(commands - PARTIES):
        code = f"ENT-{i % PARTIES}"
        if i % 2 == 0:
            ledger.execute(AwardByRule(actor=OFFICER, decided=day, recipient=code, clause="P6.3b",
                                       basis={"vouchers": "1234.56"}, ref=f"临科发〔2025〕{i}号"))
            awards.append(code)
        else:
            party = awards[len(awards) - 1]
            n = sum(1 for a in awards if a == party)
            ledger.execute(Disburse(actor=OFFICER, decided=day, recipient=party, award=f"{party}-A{n}",
                                    amount=Decimal("1234.56")))
    return ledger


def bare_verify_rate(samples: int = 5000, size: int = 600) -> float:
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    messages = [os.urandom(size) for _ in range(samples)]
    signatures = [key.sign(m) for m in messages]
    start = time.perf_counter()
    for m, s in zip(messages, signatures, strict=True):
        public.verify(s, m)
    return samples / (time.perf_counter() - start)


def main() -> None:
    from ledger.verify import verify_ledger

    commands = int(sys.argv[1]) if len(sys.argv) > 1 else 6000
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        ledger = build(os.path.join(tmp, "bench.sqlite"), os.path.join(tmp, "keys"), commands)
        built = time.perf_counter() - t0
        bare = bare_verify_rate()
        start = time.perf_counter()
        report = verify_ledger(ledger)
        elapsed = time.perf_counter() - start
        bare = max(bare, bare_verify_rate())  # best of two, so the ratio is not flattered
        ledger.close()
    assert report.ok, report.problems[:3]
    rate = report.events / elapsed
    print(f"benchmark ledger: {report.events:,} events, {report.requests:,} signed requests, "
          f"{report.money_events:,} journal entries (built in {built:.1f} s)")
    print(f"audit verify:          {rate:>10,.0f} events/s  ({report.signatures / elapsed:,.0f} signatures/s, "
          f"{elapsed:.2f} s)")
    print(f"bare Ed25519 verify:   {bare:>10,.0f} verifies/s (the physical limit, same run)")
    print(f"ratio events/s ÷ bare verifies/s: {rate / bare:.2f}   "
          f"(signatures/s ÷ bare: {report.signatures / elapsed / bare:.2f})")


if __name__ == "__main__":
    main()
