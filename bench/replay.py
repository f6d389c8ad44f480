"""Benchmark: full rebuild of every read model against a bare read of the same log.

    .venv/bin/python bench/replay.py [--events 200000] [--postgres] [--rounds 3]

Generates a realistic ledger (written through the application in bulk: parties, awards,
disbursements, clawbacks, funds with investments and exits, 拨投结合 projects, tech loans with
compensation), then in the same run: (1) the log read and decoded into domain events; (2) in
each round, the reference, a bare read of the notification log in batches (nothing decoded, the
best of 3), and right after it the full rebuild (`audit replay`'s: streaming in batches into a
new store, snapshots kept) run alone in a child process (with its helper process on a large log:
CPU and memory of both counted), with its events per second, the ratio to that round's bare read
and its peak resident memory; the median and the lowest of the rounds (this machine's speed moves
by up to 2x within minutes: each ratio compares runs a few seconds apart); (3) the comparison with
the incremental models by streaming digests; (4) --as-of budgets and balances reports (day
indexes: this log is recorded far out of date order). Temporary files and schemas removed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.conversion_terms import ConversionTerms
from domain.enterprise import Enterprise
from domain.fund import Fund
from domain.journal import CITY, PROVINCE
from domain.loan import Loan
from domain.parameters import parameter_book
from domain.project import Project
from domain.provenance import Provenance
from ledger import Ledger
from ledger.infra.config import parse_database
from projections import reports
from projections.readside import ReadSide
from projections.runner import BATCH_SIZE, REBUILD_BATCH, SNAPSHOT_EVERY, compare, head, rebuild
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


def bare_read(ledger: Ledger) -> tuple[float, float]:
    """(seconds, CPU seconds) to read every notification of the log in batches, nothing
    decoded (the reference a rebuild is measured against)."""
    t0, c0 = time.perf_counter(), time.process_time()
    position = 1
    while True:
        batch = ledger.recorder.select_notifications(start=position, limit=BATCH_SIZE)
        if not batch:
            return time.perf_counter() - t0, time.process_time() - c0
        position = batch[-1].id + 1


def _cpu() -> float:
    """CPU seconds of this process and of its children that ended (a rebuild's helper)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _rebuild_child(url: str, target_url: str, out: Any) -> None:
    import resource

    ledger = Ledger.open(url, create=False)
    store = ReadModelStore(parse_database(target_url))
    t0, c0 = time.perf_counter(), _cpu()
    rebuild(ledger, store)
    seconds, cpu = time.perf_counter() - t0, _cpu() - c0
    helper = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # 0: no helper process ran
    out.send((seconds, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, helper))
    store.close()
    ledger.close()


def rebuild_in_child(url: str, target_url: str) -> tuple[float, float, float, float]:
    """(seconds, CPU seconds of the rebuild and its helper process, peak resident MB of the
    rebuild and of its helper) of a full rebuild run alone in a child process."""
    import multiprocessing

    mine, theirs = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(target=_rebuild_child, args=(url, target_url, theirs))
    child.start()
    seconds, cpu, peak, helper = mine.recv()
    child.join()
    return seconds, cpu, peak, helper


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--postgres", action="store_true", help="the ledger and the rebuilt models on PostgreSQL")
    parser.add_argument("--rounds", type=int, default=3,
                        help="bare reads and rebuilds, each rebuild right after its reference (a machine's speed moves)")
    args = parser.parse_args(argv)
    pg = os.environ.get("JCG_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
    schemas = [f"bench_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with tempfile.TemporaryDirectory(prefix="jcg-bench-replay-") as tmp:
        url = f"{pg}?schema={schemas[0]}" if args.postgres else f"sqlite:///{tmp}/bench.sqlite"
        target = f"{pg}?schema={schemas[1]}" if args.postgres else f"sqlite:///{tmp}/rebuilt.sqlite"
        try:
            ledger = Ledger.open(url)
            Ledger.open(target).close()  # the target schema exists
            t0 = time.perf_counter()
            generate(ledger, args.events)
            total = head(ledger)
            print(f"generated {total:,} events in {time.perf_counter() - t0:.1f} s on "
                  f"{'PostgreSQL' if args.postgres else 'SQLite'}")
            t0 = time.perf_counter()
            for _ in ledger.read_log():
                pass
            decoded = time.perf_counter() - t0
            print(f"read and decoded into domain events: {total / decoded:,.0f} events/s")
            rates, ratios = [], []
            for round_ in range(1, args.rounds + 1):
                bare, bare_cpu = min(bare_read(ledger) for _ in range(3))
                print(f"round {round_}: reference, a bare read of the notification log (batches of {BATCH_SIZE:,}, "
                      f"not decoded; the best of 3): {total / bare:,.0f} events/s (CPU {total / bare_cpu:,.0f} "
                      f"events per CPU second)")
                seconds, cpu, peak, helper = rebuild_in_child(url, target)
                rates.append(total / seconds)
                ratios.append(bare / seconds)
                print(f"  full rebuild right after it (streaming, batches of {REBUILD_BATCH:,}, snapshots every "
                      f"{SNAPSHOT_EVERY:,}{', a helper process' if helper else ''}): "
                      f"{total:,} events in {seconds:.1f} s = {total / seconds:,.0f} events/s; "
                      f"ratio to the bare read {bare / seconds:.3f}; peak memory {peak:.0f} MB"
                      f"{f' + helper {helper:.0f} MB' if helper else ''}   (load {os.getloadavg()[0]:.1f})")
                print(f"  in CPU time (the helper's included): {total / cpu:,.0f} events per CPU second; ratio "
                      f"to the bare read's {bare_cpu / cpu:.3f} (the database server's own CPU on PostgreSQL is "
                      f"not counted on either side)")
            print(f"full rebuild, median of {len(rates)} rounds: {statistics.median(rates):,.0f} events/s "
                  f"(lowest {min(rates):,.0f}); ratio to the bare read of its round {statistics.median(ratios):.3f} "
                  f"(lowest {min(ratios):.3f})")

            side = ReadSide(ledger)
            t0 = time.perf_counter()
            side.current()
            print(f"incremental models caught up in {time.perf_counter() - t0:.1f} s")
            rebuilt = ReadModelStore(parse_database(target))
            t0 = time.perf_counter()
            found = compare(side.store, rebuilt)
            print(f"rebuilt == incremental (streaming digests): {not found} in {time.perf_counter() - t0:.1f} s")
            rebuilt.close()
            for day in (date(2025, 12, 31), date(2028, 6, 30)):
                t0 = time.perf_counter()
                rows, _ = side.rows("budgets", as_of=day)
                reports.render(reports.budgets(rows, by="unit"), "table")
                print(f"--as-of {day} budgets report (day index, this log is far out of date order; before: snapshots): "
                      f"{time.perf_counter() - t0:.2f} s")
                t0 = time.perf_counter()
                rows, _ = side.rows("balances", as_of=day)
                reports.render(reports.balances(rows), "table")
                print(f"--as-of {day} balances report (day index, this log is far out of date order): "
                      f"{time.perf_counter() - t0:.2f} s   (load {os.getloadavg()[0]:.1f})")
            side.close()
            ledger.close()
        finally:
            if args.postgres:
                import psycopg

                with psycopg.connect(pg, autocommit=True) as conn:
                    for schema in schemas:
                        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main()
