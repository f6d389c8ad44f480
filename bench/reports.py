"""Benchmark: `report balances`, current and --as-of, as the ledger grows (SQLite, PostgreSQL).

    .venv/bin/python bench/reports.py [--sizes 10000,50000,200000] [--no-postgres]

For each size a ledger is written in date order (parties with awards, payments and the odd
clawback; tech loans, some defaulting and compensated; funds investing and exiting), through
the application's save in batches of a day, with the read side kept current after every
batch as the after-write hook keeps it after every command. Then, in the same run:

- reference: a bare ``SELECT * FROM rm_balances`` (the floor of any current report);
- `report balances` current: catch-up (nothing left: the writes kept it current), the SQL
  read, the report and its text table;
- `report balances --as-of` a date in the middle of the history and one at 95 % of it (SQL
  sums over the balances' day index up to the date), beside the full fold of the log the
  auditor used before (same run);
- how many events the first report after the writes had to catch up (0: the writes kept the
  models current, as the command line's after-write hook does);
- peak Python memory of each (tracemalloc) and the growth from the smallest size.

- the whole command as an auditor runs it, `jcg report balances` (current, and --as-of the
  95 % date), each in a fresh process: wall and CPU time (the child's own rusage) and the
  command's peak RSS (its VmHWM, told at exit: getrusage's maxrss would count the bench
  process it was forked from). This is the figure users count (start-up and imports included).

In-process times are the middle of three runs in this process, taken after ``gc.collect();
gc.freeze()``: the generation leaves a heap of some million objects in the bench process that
a command never has (and cli.run freezes what the command imported too), so without it every
collection during a report walks the generator's objects. Command times are the middle of
three fresh processes. The load average is printed beside every figure.

    .venv/bin/python bench/reports.py --ledger sqlite:////tmp/r200k.sqlite

times only the command rows (and the bare SELECT) on an existing ledger whose models are current.
Temporary databases and PostgreSQL schemas are removed.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from domain.enterprise import Enterprise
from domain.fund import Fund
from domain.journal import CITY, PROVINCE
from domain.loan import Loan
from domain.parameters import parameter_book
from domain.provenance import Provenance
from ledger import Ledger
from projections import reports
from projections.balances import BALANCES
from projections.readside import ReadSide
from projections.runner import fewer_collections, fold, head
from projections.trail import TRAIL

PG = os.environ.get("JCG_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
CLAUSES = ["P2.4", "P2.3a", "P3.3", "P4.2a", "P5.4", "P6.3b", "P6.5a", "P5.7"]
SOURCES = ["市财政", "市财政", "市财政", "省财政", "开发区"]
START = date(2025, 1, 2)


def by(day: date, n: int) -> Provenance:
    return Provenance(actor=f"officer-{n % 7}", recorded_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
                      decided=day, request_id=f"bench-{n}", ref=f"临科发〔{day.year}〕{n % 900 + 1}号")


def generate(ledger: Ledger, target: int, side: ReadSide, seed: int = 7) -> int:
    """Write about ``target`` events in date order (each day's new facts and the follow-ups
    falling due that day), saving one day at a time and keeping the read side current."""
    rng = random.Random(seed)
    book = parameter_book()
    due: dict[date, list[Callable[[], Any]]] = {}
    events = 0
    n = 0
    day = START
    per_day = max(target // 1000, 5)  # about three years of days

    def later(days: int, action: Callable[[], Any]) -> None:
        due.setdefault(day + timedelta(days=days), []).append(action)

    while events < target:
        touched: dict[int, Any] = {}
        for action in due.pop(day, []):
            events += action(touched)
        for _ in range(per_day):
            n += 1
            i = n
            if i % 60 == 0:
                fund = Fund.register(by(day, i), f"F{i}", f"基金{i}", f"M{i}", Decimal(50_000_000))
                fund.invest(by(day, i), f"F{i}-L0", f"ENT-{i - 1}", Decimal(2_000_000), Decimal(1_500_000))
                touched[id(fund)] = fund
                events += 2
                later(400, lambda t, f=fund, k=i, d=day: _exit(t, f, k, d + timedelta(days=400)))
            elif i % 20 == 0:
                loan = Loan.enrol(by(day, i), f"L{i}", "BANK-1", f"ENT-{i}", "P5.6b", Decimal(3_000_000), day, 12)
                loan.disburse(by(day, i), Decimal(3_000_000))
                touched[id(loan)] = loan
                events += 2
                later(200, lambda t, ln=loan, k=i, d=day: _repay(t, ln, k, d + timedelta(days=200)))
                if i % 40 == 0:
                    later(330, lambda t, ln=loan, k=i, d=day: _default(t, ln, k, d + timedelta(days=330), book))
            else:
                party = Enterprise.register(by(day, i), f"ENT-{i}", f"企业{i}", "enterprise", day)
                events += 1
                for a in range(rng.randint(1, 3)):
                    amount = Decimal(rng.randrange(10_000_00, 500_000_00)) / 100
                    award = party.grant_award(by(day, i), rng.choice(CLAUSES), amount, source=rng.choice(SOURCES))
                    events += 1
                    paid = (amount / 2).quantize(Decimal("0.01"))
                    later(30 + a, lambda t, p=party, w=award, m=paid, k=i: _pay(t, p, w, m, k, 30))
                    later(200 + a, lambda t, p=party, w=award, m=amount - paid, k=i: _pay(t, p, w, m, k, 200))
                    if rng.random() < 0.05:
                        later(400 + a, lambda t, p=party, w=award, m=paid, k=i: _claw(t, p, w, m, k))
                touched[id(party)] = party
        ledger.save(*touched.values())
        side.current()
        day += timedelta(days=1)
    return events


def _pay(touched: dict[int, Any], party: Any, award: Any, amount: Decimal, n: int, after: int) -> int:
    party.disburse(by(party.awards[award].decided + timedelta(days=after), n), award, amount)
    touched[id(party)] = party
    return 1


def _claw(touched: dict[int, Any], party: Any, award: Any, amount: Decimal, n: int) -> int:
    party.claw_back(by(party.awards[award].decided + timedelta(days=400), n), award, amount, "考核不合格")
    touched[id(party)] = party
    return 1


def _exit(touched: dict[int, Any], fund: Any, n: int, day: date) -> int:
    fund.dispose(by(day, n), f"F{n}-L0", Decimal(1_500_000), Decimal(2_600_000), "团队", "buyback")
    touched[id(fund)] = fund
    return 1


def _repay(touched: dict[int, Any], loan: Any, n: int, day: date) -> int:
    loan.repay(by(day, n), Decimal(1_000_000))
    touched[id(loan)] = loan
    return 1


def _default(touched: dict[int, Any], loan: Any, n: int, day: date, book: Any) -> int:
    loan.classify_non_performing(by(day, n), "逾期")
    loan.declare_loss(by(day + timedelta(days=1), n), Decimal(1_500_000))
    loan.claim_compensation(by(day + timedelta(days=2), n), book)
    loan.approve(by(day + timedelta(days=3), n + 1))
    loan.pay(by(day + timedelta(days=4), n), PROVINCE)
    loan.pay(by(day + timedelta(days=5), n), CITY)
    touched[id(loan)] = loan
    return 6


def timed(fn: Callable[[], Any], runs: int = 3) -> tuple[float, float, float]:
    """(median seconds, median CPU seconds of this process, peak MB of Python allocations of
    one run). On a shared machine the CPU time is the figure less disturbed by the others."""
    seconds, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return statistics.median(seconds), statistics.median(cpu), peak


HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# the command as the console script runs it, telling at exit its own peak RSS (VmHWM: this
# program's, not the bench process's that it was forked from, which getrusage's maxrss counts)
COMMAND = ("import atexit, sys\n"
           "def peak():\n"
           "    with open('/proc/self/status') as status:\n"
           "        for line in status:\n"
           "            if line.startswith('VmHWM'):\n"
           "                sys.stderr.write(f'peak-rss-kb {line.split()[1]}\\n')\n"
           "atexit.register(peak)\n"
           "import cli\n"
           "cli.run()\n")


def command(url: str, *args: str, runs: int = 3) -> tuple[float, float, float]:
    """`jcg --db url report balances *args` in a fresh process, as an auditor runs it: (median
    wall seconds, median CPU seconds of the child (user + system, from its own rusage), peak RSS
    MB of the largest run (the child's VmHWM; 0 where /proc has none))."""
    seconds, cpu, peak = [], [], 0.0
    argv = [sys.executable, "-c", COMMAND, "--db", url, "report", "balances", *args]
    # an installed jcg runs from compiled bytecode (pip writes it): a warm-up run writes the caches,
    # even where the environment sets PYTHONDONTWRITEBYTECODE (as bench/startup.py does)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(argv, cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    for _ in range(runs):
        with tempfile.TemporaryFile() as err:
            t0 = time.perf_counter()
            child = subprocess.Popen(argv, cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(child.pid, 0)
            seconds.append(time.perf_counter() - t0)
            child.returncode = os.waitstatus_to_exitcode(status)
            err.seek(0)
            said = err.read().decode()
        if child.returncode:
            raise RuntimeError(f"{' '.join(argv[3:])} failed: {said[-500:]}")
        cpu.append(usage.ru_utime + usage.ru_stime)
        for line in said.splitlines():
            if line.startswith("peak-rss-kb "):
                peak = max(peak, int(line.split()[1]) / 1024)
    return statistics.median(seconds), statistics.median(cpu), peak


def dates(url: str) -> tuple[str, date, date]:
    """(the history's span, its middle and 95 % dates) from the trail."""

    ledger = Ledger.open(url, create=False)
    side = ReadSide(ledger)
    try:
        with side.store.engine.connect() as conn:
            first_day, last_day = conn.execute(sa.select(sa.func.min(TRAIL.c.decided), sa.func.max(TRAIL.c.decided))
                                               .where(TRAIL.c.decided != "")).one()
    finally:
        side.close()
        ledger.close()
    span = (date.fromisoformat(last_day) - date.fromisoformat(first_day)).days
    start = date.fromisoformat(first_day)
    return f"{first_day} … {last_day}", start + timedelta(days=span // 2), start + timedelta(days=span * 95 // 100)


def commands(url: str, late: date) -> dict[str, tuple[float, float, float]]:
    return {"command: report balances (current)": command(url),
            "command: report balances --as-of 95 %": command(url, "--as-of", late.isoformat())}


def show(out: dict[str, tuple[float, float, float]]) -> None:
    for name, (seconds, cpu, peak) in out.items():
        memory = "peak RSS" if name.startswith("command") else "peak"
        print(f"  {name:<40} {seconds:8.3f} s  (CPU {cpu:6.3f} s)  {memory} {peak:7.1f} MB   "
              f"(load {os.getloadavg()[0]:.1f})")


def measure(url: str, size: int) -> dict[str, tuple[float, float, float]]:
    ledger = Ledger.open(url)
    side = ReadSide(ledger)
    try:
        t0 = time.perf_counter()
        generate(ledger, size, side)
        total = head(ledger)
        print(f"  {total:,} events written in {time.perf_counter() - t0:.0f} s (read side kept current)")
        gc.collect()
        gc.freeze()  # the generator's heap is not a command's (see the docstring)
        store = side.store
        behind = total - (store.max_tracking_id(ledger.name) or 0)
        print(f"  first report after the writes: catch-up of {behind:,} events (the writes kept the models current)")
        history, mid, late = dates(url)

        def bare() -> None:
            with store.engine.connect() as conn:
                conn.execute(sa.select(BALANCES)).fetchall()

        def current() -> None:  # as `jcg report balances` runs it (commandline/report.py)
            with fewer_collections():
                rows, _ = side.rows("balances")
                reports.render(reports.balances(rows), "table")

        def as_of(day: date) -> Callable[[], None]:
            def run() -> None:
                with fewer_collections():
                    rows, _ = side.rows("balances", as_of=day)
                    reports.render(reports.balances(rows), "table")
            return run

        def full_fold() -> None:
            state, _ = fold(ledger, as_of=mid, report="balances")
            reports.render(reports.balances(state.rows), "table")

        out = {"bare SELECT rm_balances": timed(bare), "report balances (current)": timed(current),
               "report balances --as-of middle": timed(as_of(mid)),
               "report balances --as-of 95 %": timed(as_of(late)),
               "full fold --as-of middle (old path)": timed(full_fold, runs=1), **commands(url, late)}
        print(f"  (middle = {mid}, 95 % = {late} of the history {history})")
        show(out)
        print(f"  ratio current ÷ bare SELECT: {out['report balances (current)'][0] / out['bare SELECT rm_balances'][0]:.1f}; "
              f"as-of middle ÷ full fold: {out['report balances --as-of middle'][0] / out['full fold --as-of middle (old path)'][0]:.3f}")
        return out
    finally:
        gc.unfreeze()
        side.close()
        ledger.close()


def existing(url: str) -> None:
    """The command rows (and the bare SELECT) on a ledger already written."""

    _, _, late = dates(url)
    ledger = Ledger.open(url, create=False)
    side = ReadSide(ledger)
    try:
        def bare() -> None:
            with side.store.engine.connect() as conn:
                conn.execute(sa.select(BALANCES)).fetchall()

        print(f"{url}: {head(ledger):,} events, 95 % = {late}")
        show({"bare SELECT rm_balances": timed(bare), **commands(url, late)})
    finally:
        side.close()
        ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,50000,200000", help="event counts, comma separated")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--pg-sizes", default="", help="sizes also run on PostgreSQL (default: all)")
    parser.add_argument("--ledger", action="append", default=[],
                        help="time the commands on this existing ledger (URL) instead; repeatable")
    args = parser.parse_args()
    if args.ledger:
        for url in args.ledger:
            existing(url)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[str, dict[int, dict[str, tuple[float, float, float]]]] = {}
    with tempfile.TemporaryDirectory(prefix="jcg-bench-reports-") as tmp:
        for size in sizes:
            print(f"SQLite, {size:,} events")
            results.setdefault("SQLite", {})[size] = measure(f"sqlite:///{tmp}/r{size}.sqlite", size)
            pg_sizes = [int(x) for x in args.pg_sizes.split(",")] if args.pg_sizes else sizes
            if args.no_postgres or size not in pg_sizes:
                continue
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            print(f"PostgreSQL, {size:,} events")
            try:
                results.setdefault("PostgreSQL", {})[size] = measure(f"{PG}?schema={schema}", size)
            finally:
                import psycopg

                with psycopg.connect(PG, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    for db, by_size in results.items():
        first, last = min(by_size), max(by_size)
        if first == last:
            continue
        print(f"growth {db} {first:,} → {last:,} events ({last / first:.0f}× the log):")
        for name in by_size[first]:
            print(f"  {name:<40} ×{by_size[last][name][0] / by_size[first][name][0]:6.2f} time, "
                  f"×{by_size[last][name][1] / max(by_size[first][name][1], 0.001):6.2f} CPU, "
                  f"×{by_size[last][name][2] / max(by_size[first][name][2], 0.01):6.2f} memory")


if __name__ == "__main__":
    main()
