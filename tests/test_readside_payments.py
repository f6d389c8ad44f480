"""The payments read model behind `payment pending`: the orders waiting for a second person are
what the log says after every order, posting, voiding and reversal (no catch-up needed), after a
rebuild and after `audit replay`; on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from click.testing import Result

from domain.payment import Payment
from ledger import Ledger
from ledger.handlers.loans import ApproveCompensation, ClaimCompensation, PayCompensation
from ledger.handlers.payments import ReversePayment, VoidPayment
from projections.payments import PAYMENTS
from projections.readside import ReadSide
from projections.runner import fold, rebuild
from projections.state import from_fen
from projections.store import ReadModelStore
from tests.builders import approval, defaulted_loan, on, run
from tests.conftest import APPROVER
from tests.posting import post

Line = tuple[str, str, str, str, str, Decimal, str, str, str]


def from_log(ledger: Ledger) -> list[Line]:
    """The pending orders as the log says: each order's status after every later event, in
    the order the orders were recorded."""
    orders: dict[tuple[str, str], Line] = {}
    status: dict[tuple[str, str], str] = {}
    for _, e in ledger.read_log():
        if isinstance(e, Payment.Ordered):
            key = (e.source, e.reference)
            orders[key] = (e.source, e.reference, e.operation, e.entity, e.item, e.amount,
                           e.by.decided.isoformat(), e.by.actor, e.by.request_id)
            status[key] = "pending" if e.pending else "posted"
        elif isinstance(e, (Payment.Posted, Payment.Voided, Payment.Reversed)):
            status[(e.source, e.reference)] = type(e).__name__.lower()
    return [line for key, line in orders.items() if status[key] == "pending"]


def listed(store: ReadModelStore) -> list[Line]:
    """The model's pending rows as `payment pending` reads them, without catching up first."""
    return [(r["source"], r["reference"], r["operation"], r["entity"], r["item"], from_fen(r["amount_fen"]),
             r["ordered_on"], r["recorder"], r["request_id"])
            for r in store.select(PAYMENTS, PAYMENTS.c.status == "pending", order_by=[PAYMENTS.c.ordered_at])]


def history(ledger: Ledger, check: Callable[[], Any]) -> None:
    """L1 compensated in steps: orders left pending, posted, voided, reversed and ordered again;
    ``check`` after every payment step."""
    defaulted_loan(ledger)
    run(ledger, ClaimCompensation(code="L1", **on("2026-03-10")))
    run(ledger, ApproveCompensation(code="L1", **approval("2026-03-20", ref="临财金〔2026〕9号")))
    check()
    province = ledger.execute(PayCompensation(code="L1", payer="省财政", voucher="省付-1", **on("2026-04-01")))
    check()
    city = ledger.execute(PayCompensation(code="L1", payer="市财政", voucher="市付-1", **on("2026-04-01")))
    check()
    assert [r[1] for r in from_log(ledger)] == ["省付-1", "市付-1"]
    ledger.execute(post(province, date(2026, 4, 2)))
    check()
    ledger.execute(VoidPayment(actor=APPROVER, decided=date(2026, 4, 2), source=city.data["source"],
                               reference=city.data["payment"], reason="金额有误"))
    check()
    assert from_log(ledger) == []
    ledger.execute(PayCompensation(code="L1", payer="市财政", voucher="市付-2", **on("2026-04-03")))
    check()
    ledger.execute(ReversePayment(actor=APPROVER, decided=date(2026, 5, 1), source="省财政", reference="省付-1",
                                  reason="重复录入", ref="临财〔2026〕冲1号"))
    check()
    ledger.execute(PayCompensation(code="L1", payer="省财政", voucher="省付-2", **on("2026-05-03")))
    check()
    assert [r[1] for r in from_log(ledger)] == ["市付-2", "省付-2"], "log order"


def test_pending_orders_are_what_the_log_says_after_every_payment_step(ledger: Ledger, read_side: ReadSide) -> None:
    read_side.current()
    steps = []

    def check() -> None:
        steps.append(1)
        assert listed(read_side.store) == from_log(ledger), "the write moved the model"

    history(ledger, check)
    assert len(steps) == 8
    statuses = {(r["source"], r["reference"]): r["status"] for r in read_side.store.select(PAYMENTS)}
    assert {k: v for k, v in statuses.items() if k[1][:2] in ("省付", "市付")} == {
        ("省财政", "省付-1"): "reversed", ("市财政", "市付-1"): "voided", ("市财政", "市付-2"): "pending",
        ("省财政", "省付-2"): "pending"}


def test_pending_orders_after_a_rebuild_equal_the_log_and_the_fold(ledger: Ledger, read_side: ReadSide) -> None:
    history(ledger, lambda: None)
    before = listed(read_side.store)
    rebuild(ledger, read_side.store, batch_size=3)
    assert listed(read_side.store) == before == from_log(ledger) != []
    state, _ = fold(ledger, report="payments")
    folded = state.rows["rm_payments"]
    assert sorted(k for k, r in folded.items() if r["status"] == "pending") == sorted(r[:2] for r in before)


def test_payment_pending_on_the_command_line_after_audit_replay(jcg: Callable[..., Result], ledger: Ledger) -> None:
    history(ledger, lambda: None)
    replay = jcg("audit", "replay")
    assert replay.exit_code == 0, replay.output
    out = jcg("payment", "pending")
    assert out.exit_code == 0, out.output
    rows = out.stdout.splitlines()[1:]
    assert [r.split()[:2] for r in rows] == [[s, r] for s, r, *_ in from_log(ledger)]
    assert "116,666.67" in rows[0] and "2026-04-03" in rows[0]
