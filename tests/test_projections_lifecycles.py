"""Read models follow every aggregate: 拨投结合 projects and their funds (conversion, buyback,
failure and write-off, P6.1 reassignment, misuse recovery), P5.6 loans (compensation paid and
recoveries returned), checked against hand-computed figures, the journal, and a rebuild, on
SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from click.testing import Result
from eventsourcing.persistence import Tracking

from domain.ids import loan_id
from domain.journal import CITY, PROVINCE
from domain.loan import Loan
from ledger import Ledger
from projections import reports
from projections.budgets import BUDGETS
from projections.runner import catch_up, differences, fold, rebuild
from projections.state import Rows, from_fen
from projections.store import ReadModelStore
from tests.builders import record_lifecycles
from tests.conftest import OFFICER, fixed_clock

D = Decimal


def on(day: str, **kw: object) -> dict[str, object]:
    return {"actor": OFFICER, "decided": date.fromisoformat(day)} | kw


@pytest.fixture
def history(ledger: Ledger) -> Ledger:
    record_lifecycles(ledger)
    return ledger


@pytest.fixture
def store(ledger: Ledger) -> Iterator[ReadModelStore]:
    s = ReadModelStore(ledger.database)
    yield s
    s.close()


def current(ledger: Ledger, store: ReadModelStore) -> Rows:
    catch_up(ledger, store)
    return store.load()


def by_label(report: reports.Report, *label: object) -> list[object]:
    width = len(label)
    return next(r for r in report.rows if tuple(r[:width]) == label)


def journal(rows: Rows) -> dict[str, Decimal]:
    return {k[0]: from_fen(v["balance_fen"]) for k, v in rows["rm_balances"].items() if v["balance_fen"]}


def test_rebuild_equals_incremental_with_every_lifecycle(history: Ledger, store: ReadModelStore) -> None:
    incremental = current(history, store)
    assert sum(journal(incremental).values()) == 0
    assert differences(incremental, fold(history)[0].rows) == []
    rebuild(history, store)
    assert differences(incremental, store.load()) == []
    for table in ("rm_fund_projects", "rm_loans", "rm_loan_totals", "rm_loan_bearers"):
        assert incremental[table], f"{table} is empty"


def test_a_projection_stopped_mid_way_resumes_to_the_rebuilt_state(history: Ledger, store: ReadModelStore) -> None:
    """Half the log applied event by event (as a killed follower leaves it), then resumed."""
    last = max(p for p, _ in history.read_log())
    for position, event in history.read_log(1, last // 2):
        assert store.apply_event(event, Tracking(history.name, position))
    assert store.max_tracking_id(history.name) == last // 2
    catch_up(history, store)
    assert store.max_tracking_id(history.name) == last
    assert differences(store.load(), fold(history)[0].rows) == []


def test_funds_follow_conversion_buyback_failure_and_p58(history: Ledger, store: ReadModelStore) -> None:
    report = reports.funds(current(history, store), on=date(2028, 1, 5))
    # capital 50,000,000; converted grants cost no cash; the buyback brought 3,240,000
    # data: one row per record, fixed columns, P5.8 counts on the fund's row
    assert by_label(report, "F-SEED", "fund", "临汾市天使投资基金")[5:] == [
        D("50000000.00"), D("53240000.00"), None, D("0.00"), D("3240000.00"), D("-760000.00"), 2, 1, D("0.8"),
        False]
    assert by_label(report, "F-SEED", "holding", None, "ENT-1", "equity")[7:11] == [
        D("0.00"), D("0.00"), D("3240000.00"), D("240000.00")]
    assert by_label(report, "F-SEED", "holding", None, "ENT-2", "equity")[7:11] == [
        D("0.00"), D("0.00"), D("0.00"), D("-1000000.00")]
    assert by_label(report, "F-2", "fund")[11:] == [1, 1, D("0.8"), True]
    # the table: holdings indented under their fund, the P5.8 ratio in words
    assert report.display is not None
    assert by_label(report.display, "F-SEED", "  P5.8: 1 of 2 early-stage projects failed = 50.0%, "
                                              "within the 80% tolerance")
    assert by_label(report.display, "F-2", "  P5.8: 1 of 1 early-stage projects failed = 100.0%, "
                                           "ABOVE the 80% tolerance: flagged for review")
    assert "F-SEED: realised gains 240,000.00, losses 1,000,000.00, net -760,000.00" in report.notes
    assert any(n.startswith("F-2: P5.8") and "flagged" in n for n in report.notes)


def test_funds_as_of_dates_by_hand(history: Ledger) -> None:
    before = reports.funds(fold(history, as_of=date(2025, 12, 31), report="funds")[0].rows)
    assert [r for r in before.rows if r[0] == "F-SEED" and r[1] == "holding"] == []
    held = reports.funds(fold(history, as_of=date(2026, 12, 31), report="funds")[0].rows)
    # PJ-1: 5,000,000 × 3,000,000 / 12,000,000 = 1,250,000 units; PJ-2: 1,000,000 × 1,000,000 / 4,000,000
    assert by_label(held, "F-SEED", "holding", None, "ENT-1", "equity")[7:11] == [
        D("1250000.00"), D("3000000.00"), D("0.00"), D("0.00")]
    assert by_label(held, "F-SEED", "holding", None, "ENT-2", "equity")[7:11] == [
        D("250000.00"), D("1000000.00"), D("0.00"), D("0.00")]
    assert by_label(held, "F-SEED", "fund")[11:13] == [2, 0]
    assert held.display is not None
    assert by_label(held.display, "F-SEED", "  P5.8: 0 of 2 early-stage projects failed = 0.0%, "
                                            "within the 80% tolerance")


def test_budgets_per_source_agree_with_the_journal(history: Ledger, store: ReadModelStore) -> None:
    rows = current(history, store)
    budget = reports.budgets(rows, by="source")
    assert "reassigned" in [c.name for c in budget.columns]
    balance = journal(rows)
    for source in (CITY, PROVINCE):
        net = sum((r[-1] for r in budget.rows if r[1] == source), D("0.00"))
        assert net == -balance[f"funding:{source}"], source
    # unit totals add up to source totals, and reassignments move money without spending it
    by_unit = reports.budgets(rows, by="unit")
    for col in ("committed", "released", "pending", "paid", "recovered", "reassigned", "net_spent"):
        assert sum(budget.column(col), D(0)) == sum(by_unit.column(col), D(0)), col
    assert sum(budget.column("reassigned"), D(0)) == 0
    by_clause = {(r[0], r[1]): r for r in reports.budgets(rows, by="clause").rows}
    # columns: committed, released, pending, paid, recovered, reassigned, net_spent (nothing pending: all posted)
    # P2.2 2025 (by hand): committed 3,000,000 + 1,000,000 + 300,000 + 500,000; paid the same
    assert by_clause[(2025, "P2.2")][3:] == [D("4800000.00"), D("0.00"), D("0.00"), D("4800000.00"), D("0.00"), D("0.00"), D("4800000.00")]
    # 2026: PJ-3 misuse recovery 100,000; PJ-5 approved 300,000 under P6.1; 200,000 moved P2.2 → P6.1
    assert by_clause[(2026, "P2.2")][3:] == [D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("100000.00"), D("-200000.00"), D("-100000.00")]
    assert by_clause[(2026, "P6.1")][3:] == [D("300000.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("200000.00"), D("0.00")]
    # 2027: PJ-6 approved 400,000, paid 150,000, failed: 250,000 released (a cancelled commitment)
    assert by_clause[(2027, "P2.2")][3:] == [D("400000.00"), D("250000.00"), D("0.00"), D("150000.00"), D("0.00"), D("0.00"), D("150000.00")]
    # 2028: PJ-5 finished with none of its own 300,000 paid: released in the year decided
    assert by_clause[(2028, "P6.1")][3:] == [D("0.00"), D("300000.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00")]
    # P5.6a: 35 % × 333,333.33 = 116,666.67 committed per payer; recovery 100,000 returned pro rata
    assert by_clause[(2026, "P5.6a")][3:] == [D("233333.34"), D("0.00"), D("0.00"), D("233333.34"), D("70000.00"), D("0.00"), D("163333.34")]


def test_recipients_show_project_grants_and_reassignment(history: Ledger, store: ReadModelStore) -> None:
    report = reports.recipients(current(history, store))
    names = [c.name for c in report.columns]
    assert names[4:] == ["awarded", "disbursed", "clawed_back", "reassigned", "released", "outstanding"]
    assert by_label(report, "ENT-1", "P2.2")[3:] == [2025, D("3500000.00"), D("3500000.00"), D("0.00"),
                                                     D("-200000.00"), D("0.00"), D("0.00")]
    assert by_label(report, "ENT-2", "P2.2")[3:] == [2025, D("1300000.00"), D("1300000.00"), D("100000.00"),
                                                     D("0.00"), D("0.00"), D("0.00")]
    # a failed project's unpaid grant is released, not outstanding
    assert by_label(report, "ENT-2", "P2.2", "科技成果转化和产业化引导专项(拨投结合)", 2027)[4:] == [
        D("400000.00"), D("150000.00"), D("0.00"), D("0.00"), D("250000.00"), D("0.00")]
    # a finished project's too: PJ-5 was paid nothing of its own (only 200,000 reassigned in)
    assert by_label(report, "ENT-1", "P6.1")[3:] == [2026, D("300000.00"), D("0.00"), D("0.00"),
                                                     D("200000.00"), D("300000.00"), D("0.00")]
    assert by_label(report, "U1", "P2.4")[3:] == [2025, D("100000.00"), D("100000.00"), D("0.00"), D("0.00"),
                                                  D("0.00"), D("0.00")]
    # before PJ-5 finished its grant was still outstanding
    before = reports.recipients(fold(history, as_of=date(2027, 12, 31), report="recipients")[0].rows)
    assert by_label(before, "ENT-1", "P6.1")[8:] == [D("0.00"), D("300000.00")]


def test_loans_by_hand_and_as_the_aggregate_says(history: Ledger, store: ReadModelStore) -> None:
    report = reports.loans(current(history, store))
    assert report.rows[0] == ["L1", "BANK-1", "ENT-1", "P5.6a", "科技成果转化类贷款本金损失补偿", "recovering", D("500000.00"), D("333333.33"),
                              D("333333.33"), "", "", "", "", D("100000.00")]
    bearers = {r[9]: r[10:] for r in report.rows[1:]}
    assert bearers == {
        PROVINCE: [D("116666.67"), D("116666.67"), D("0.00"), D("35000.00")],
        CITY: [D("116666.67"), D("116666.67"), D("0.00"), D("35000.00")],
        "BANK-1": [D("99999.99"), "", "", D("30000.00")],
    }
    assert report.display is not None and report.display.rows[3][9] == "BANK-1 (bank)", "the table says who"
    loan: Loan = history.aggregate(loan_id("L1"))
    assert report.rows[0][5] == loan.status
    assert [bearers[PROVINCE][3], bearers[CITY][3], bearers["BANK-1"][3]] == list(loan.returned.values())
    early = reports.loans(fold(history, as_of=date(2026, 3, 15), report="loans")[0].rows)
    assert early.rows[0][5] == "claimed" and early.rows[1][11:] == [D("0.00"), D("0.00"), D("0.00")]


def test_a_model_gaining_a_column_is_rebuilt(history: Ledger, store: ReadModelStore) -> None:
    incremental = current(history, store)
    with store.engine.begin() as conn:  # an older release's rm_budgets, without the reassigned column
        BUDGETS.sql.drop(conn)
        sa.Table("rm_budgets", sa.MetaData(), *(sa.Column(c.name, c.type) for c in BUDGETS.sql.columns
                                                 if c.name != "reassigned_fen")).create(conn)
    store.set_meta("shape", "an older release's shape")  # what that release recorded beside its tables
    reopened = ReadModelStore(history.database)
    try:
        assert reopened.max_tracking_id(history.name) is None
        assert differences(incremental, current(history, reopened)) == []
    finally:
        reopened.close()


def test_report_loans_and_funds_on_the_command_line(jcg: Callable[..., Result], provisioned_url: str) -> None:
    ledger = Ledger.open(provisioned_url, clock=fixed_clock())
    record_lifecycles(ledger)
    ledger.close()
    table = jcg("report", "loans")
    assert table.exit_code == 0, table.output
    assert "116,666.67" in table.stdout and "P5.6a" in table.stdout
    rows = json.loads(jcg("report", "loans", "--format", "json").stdout)["rows"]
    assert rows[0]["unrepaid"] == "333333.33" and rows[2]["owed"] == "0.00"
    part_paid = json.loads(jcg("report", "loans", "--as-of", "2026-04-30", "--format", "json").stdout)["rows"]
    assert part_paid[0]["status"] == "approved" and part_paid[2]["owed"] == "66666.67"
    csv_out = jcg("report", "loans", "--as-of", "2026-03-31", "--format", "csv").stdout.splitlines()
    assert csv_out[1].startswith("L1,BANK-1,ENT-1,P5.6a,科技成果转化类贷款本金损失补偿,approved,500000.00")
    assert jcg("report", "loans", "--at-position", "1").stdout.count("L1") == 0
    funds = jcg("report", "funds", "--as-of", "2027-06-30")
    assert funds.exit_code == 0 and "P5.8: 1 of 2 early-stage projects failed" in funds.stdout
    # csv: records only, fixed columns, exact decimals; no indentation, prose or total rows
    data = list(csv.reader(io.StringIO(jcg("report", "funds", "--as-of", "2027-06-30", "--format", "csv").stdout.lstrip("\ufeff"))))
    header, records = data[0], data[1:]
    assert all(len(r) == len(header) for r in records)
    assert {r[1] for r in records} == {"fund", "holding"}
    assert not any(cell != cell.strip() or "P5.8" in cell or "tolerance" in cell for r in records for cell in r)
    seed = dict(zip(header, next(r for r in records if r[:2] == ["F-SEED", "fund"]), strict=True))
    assert (seed["early_stage_projects"], seed["failed_projects"], seed["failure_flagged"]) == ("2", "1", "False")
    replay = jcg("audit", "replay")
    assert replay.exit_code == 0, replay.output
    assert "equals the incremental read models" in replay.stdout
