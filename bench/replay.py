"""Benchmark: full rebuild of every read model, and an --as-of report, on a large ledger.

    .venv/bin/python bench/replay.py [--events 200000] [--keep FILE]

Generates a realistic ledger in a temp SQLite file, written through the application in bulk
(domain methods with provenance, saved many aggregates per transaction): parties, awards,
disbursements, clawbacks, funds with investments and exits, 拨投结合 projects (approval,
two tranches, trigger, conversion, then a buyback or a failure written off, as the project
commands record them on the project and its fund), and tech loans (P5.6), some defaulting
through claim, approval, payment by 省财政/市财政 and a recovery. Then
measures (1) the full rebuild (`audit replay`: drop the tables and the tracking, catch up
through the projection runner in batches) in events per second, beside a plain in-memory fold
of the same log as a same-machine reference, (2) an `--as-of` report's latency (fold of the
log + report), (3) incremental projection throughput on a slice, one transaction per event
(a follower) and batched (a catch-up).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from domain.conversion_terms import ConversionTerms
from domain.enterprise import Enterprise
from domain.fund import Fund
from domain.journal import CITY, PROVINCE
from domain.loan import Loan
from domain.parameters import parameter_book
from domain.project import Project
from domain.provenance import Provenance
from ledger import Ledger
from projections import reports
from projections.runner import BATCH_SIZE, catch_up, fold, head, rebuild
from projections.store import ReadModelStore

CLAUSES = ["P2.4", "P2.3a", "P3.3", "P4.2a", "P5.4", "P6.3b", "P6.5a", "P5.7"]
SOURCES = ["市财政", "市财政", "市财政", "省财政", "开发区"]


def provenance(day: date, n: int) -> Provenance:
    return Provenance(actor=f"officer-{n % 7}", recorded_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=n),
                      decided=day, request_id=f"bench-{n}", ref=f"临科发〔{day.year}〕{n % 900 + 1}号")


TERMS = ConversionTerms.build(trigger="date", trigger_on=date(2027, 12, 31), pricing="fixed",
                              pre_money=Decimal(12_000_000), max_stake="25%", exit_formula="interest",
                              exit_rate="4%", window_from_years=1, window_until_years=5)


def project_lifecycle(batch: list[object], fund: Fund, i: int, n: int, approved: date, fails: bool) -> int:
    """The project commands' steps on the project, its fund and the enterprise (the share
    register is left out: it moves no money the read models follow). Returns the events
    recorded: 8 to conversion, then 3 for a failure or 2 for a buyback."""
    code, ent = f"PJ-{i}", f"ENT-{i}"
    party = Enterprise.register(provenance(approved, n), ent, f"企业{i}", "enterprise", approved)
    project = Project.approve(provenance(approved, n), code=code, title=f"项目{i}", clause="P2.2", enterprise=ent,
                              fund=fund.code, amount=Decimal(3_000_000), terms=TERMS)
    fund.follow(provenance(approved, n), code, ent, True)
    project.disburse(provenance(approved + timedelta(days=20), n), Decimal(1_500_000))
    project.disburse(provenance(approved + timedelta(days=200), n), Decimal(1_500_000))
    converted = date(2028, 1, 5)
    project.record_trigger(provenance(converted, n))
    plan = project.convert(provenance(converted, n), "equity", None, Decimal(5_000_000))
    fund.receive_stake(provenance(converted, n), code, ent, "equity", plan.units, plan.amount, plan.premium)
    if fails:
        project.fail(provenance(converted + timedelta(days=90), n), "市场失败")
        fund.project_failed(provenance(converted + timedelta(days=90), n), code, "市场失败")
        fund.write_off(provenance(converted + timedelta(days=90), n), code, "市场失败")
    else:
        by = provenance(converted + timedelta(days=400), n)
        quote = project.buy_back(by, None, "团队")
        fund.dispose(by, code, quote.units, quote.price, "团队", "buyback")
    batch.extend([party, project])
    if not any(a is fund for a in batch):
        batch.append(fund)
    return 11 if fails else 10


def generate(ledger: Ledger, target: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    start = date(2025, 1, 2)
    n = events = 0
    batch: list[object] = []

    def flush() -> None:
        nonlocal batch
        if batch:
            ledger.save(*batch)
            batch = []

    def day(offset: int) -> date:
        return start + timedelta(days=min(offset, 1400))

    book = parameter_book()
    seed_fund = Fund.register(provenance(start, 0), "F-SEED", "天使投资基金", "M", Decimal(900_000_000))
    batch.append(seed_fund)
    events += 1
    i = 0
    while events < target:
        i += 1
        n += 1
        d0 = rng.randrange(0, 900)
        if i % 50 == 0:  # a fund: capital, a few direct investments, some exits
            fund = Fund.register(provenance(day(d0), n), f"F{i}", f"基金{i}", f"M{i}", Decimal(50_000_000))
            for k in range(4):
                fund.invest(provenance(day(d0 + 10 + k), n), f"F{i}-L{k}", f"ENT-{i - k}", Decimal(2_000_000),
                            Decimal(1_500_000))
            fund.dispose(provenance(day(d0 + 400), n), f"F{i}-L0", Decimal(1_500_000), Decimal(2_600_000),
                         "团队", "buyback")
            fund.write_off(provenance(day(d0 + 420), n), f"F{i}-L1", "项目失败")
            batch.append(fund)
            events += 7
        elif i % 30 == 0:  # a 拨投结合 project (P2.2): two tranches, conversion, buyback or failure
            events += project_lifecycle(batch, seed_fund, i, n, day(d0), rng.random() < 0.3)
        elif i % 20 == 0:  # a tech loan: enrolled, disbursed, repaid in part; some default and are compensated
            loan = Loan.enrol(provenance(day(d0), n), f"L{i}", "BANK-1", f"ENT-{i}", "P5.6b",
                              Decimal(3_000_000), day(d0), 12)
            loan.disburse(provenance(day(d0 + 1), n), Decimal(3_000_000))
            loan.repay(provenance(day(d0 + 200), n), Decimal(1_000_000))
            events += 3
            if i % 40 == 0:
                loan.classify_non_performing(provenance(day(d0 + 300), n), "逾期")
                loan.declare_loss(provenance(day(d0 + 330), n), Decimal(1_500_000))
                loan.claim_compensation(provenance(day(d0 + 340), n), book)
                loan.approve(provenance(day(d0 + 350), n + 1))  # four-eyes: another officer approves
                loan.pay(provenance(day(d0 + 360), n), PROVINCE)
                loan.pay(provenance(day(d0 + 361), n), CITY)
                loan.recover(provenance(day(d0 + 400), n), Decimal(300_000))
                events += 7
            batch.append(loan)
        else:  # an enterprise with awards, payments and the odd clawback
            party = Enterprise.register(provenance(day(d0), n), f"ENT-{i}", f"企业{i}", "enterprise", day(d0))
            events += 1
            for a in range(rng.randint(1, 3)):
                clause = rng.choice(CLAUSES)
                amount = Decimal(rng.randrange(10_000_00, 500_000_00)) / 100
                award = party.grant_award(provenance(day(d0 + 5 + a), n), clause, amount,
                                          source=rng.choice(SOURCES))
                paid = (amount / 2).quantize(Decimal("0.01"))
                party.disburse(provenance(day(d0 + 30 + a), n), award, paid)
                party.disburse(provenance(day(d0 + 200 + a), n), award, amount - paid)
                events += 3
                if rng.random() < 0.05:
                    party.claw_back(provenance(day(d0 + 400 + a), n), award, paid, "考核不合格")
                    events += 1
            batch.append(party)
        if len(batch) >= 400:
            flush()
    flush()
    return events


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--incremental", type=int, default=5_000, help="events for the incremental slice")
    parser.add_argument("--keep", default="", help="write the ledger here instead of a temp file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep or f"{tmp}/bench.sqlite")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        ledger = Ledger.open(f"sqlite:///{path}")
        t0 = time.perf_counter()
        generate(ledger, args.events)
        total = head(ledger)
        print(f"generated {total:,} events in {time.perf_counter() - t0:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")

        t0 = time.perf_counter()
        fold(ledger)
        seconds = time.perf_counter() - t0
        print(f"reference: in-memory fold of every model, no writes: {total / seconds:,.0f} events/s")

        store = ReadModelStore(ledger.database)
        t0 = time.perf_counter()
        rebuild(ledger, store, progress=lambda p: print(f"  … {p:,}", file=sys.stderr) if p % 50000 == 0 else None)
        seconds = time.perf_counter() - t0
        print(f"full rebuild (runner, batches of {BATCH_SIZE:,}): {total:,} events in {seconds:.1f} s "
              f"= {total / seconds:,.0f} events/s")

        t0 = time.perf_counter()
        state, _ = fold(ledger, as_of=date(2025, 12, 31), report="budgets")
        report = reports.budgets(state.rows, by="unit")
        reports.render(report, "table")
        print(f"--as-of 2025-12-31 budgets report: {time.perf_counter() - t0:.2f} s "
              f"({len(report.rows)} rows, whole log folded)")

        # incremental: drop the last slice from the tracked position and let the runner apply it
        slice_start = max(total - args.incremental, 0)
        for batch_size, how in ((1, "one transaction per event"), (BATCH_SIZE, "batched catch-up")):
            rebuild(ledger, store, stop=slice_start)
            t0 = time.perf_counter()
            catch_up(ledger, store, batch_size=batch_size)
            seconds = time.perf_counter() - t0
            print(f"incremental projection (ProjectionRunner, {how}): "
                  f"{total - slice_start:,} events in {seconds:.1f} s = {(total - slice_start) / seconds:,.0f} events/s")
        store.close()
        ledger.close()


if __name__ == "__main__":
    main()
