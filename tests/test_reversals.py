"""A money step recorded in error, reversed by a new event (红字冲销), never edited: a tranche, a P5.6
compensation payment, a repayment, a recovery (`payment reverse`), a claim (`loan withdraw-claim`).
Each releases exactly what it consumed (budgets, the payer's share, the bearers' returns, the
journal), needs an approver other than the recorder, a reason and a 文号, and is refused where the
domain does not allow it. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.errors import Refused
from domain.ids import project_id
from domain.journal import CITY, PROVINCE
from domain.payment import REVERSED, Payment, payment_id
from ledger import Ledger
from ledger.handlers.loans import (
    ApproveCompensation,
    ClaimCompensation,
    DisburseLoan,
    EnrolLoan,
    PayCompensation,
    RecordRecovery,
    RepayLoan,
    WithdrawClaim,
)
from ledger.handlers.payments import ReversePayment
from ledger.handlers.projects import ConvertProject, PayTranche, RecordTrigger
from projections import reports
from projections.runner import fold
from tests.builders import approval, assert_balanced, defaulted_loan, loan, log_length, on, parties, run, setup
from tests.conftest import APPROVER, OFFICER
from tests.posting import paid, second_approver

D = Decimal


def reverse(reference: str, source: str, day: str, actor: str = APPROVER, **kw: Any) -> ReversePayment:
    args = {"reason": "重复录入", "ref": "临财〔2026〕冲1号"} | kw
    return ReversePayment(actor=actor, decided=date.fromisoformat(day), source=source, reference=reference,
                          **args)


def budget(ledger: Ledger, year: int, source: str, clause: str) -> dict[str, Decimal]:
    """The budget line of ``clause`` paid from ``source`` in ``year`` (rm_budgets, in yuan)."""
    rows = fold(ledger, report="budgets")[0].rows["rm_budgets"]
    line = next(r for (y, s, _, c), r in rows.items() if (y, s, c) == (year, source, clause))
    return {name[:-4]: (D(line.get(name) or 0) / 100).quantize(D("0.01"))
            for name in ("committed_fen", "paid_fen", "recovered_fen", "pending_fen")}


def bearer(ledger: Ledger, who: str, code: str = "L1") -> dict[str, Any]:
    report = reports.loans(fold(ledger, report="loans")[0].rows)
    names = [c.name for c in report.columns]
    return next(dict(zip(names, r, strict=True)) for r in report.rows if r[0] == code and r[9] == who)


def trail_events(ledger: Ledger, entity: str) -> list[str]:
    return [r[2] for r in reports.trail(fold(ledger, report="trail")[0].rows, entity).rows]


def compensated(ledger: Ledger) -> None:
    """L1 (P5.6a): loss 333,333.33; 省财政 and 市财政 approved 116,666.67 each and paid in full."""
    defaulted_loan(ledger)
    run(ledger, ClaimCompensation(code="L1", **on("2026-03-10")))
    run(ledger, ApproveCompensation(code="L1", **approval("2026-03-20", ref="临财金〔2026〕9号")))
    paid(ledger, PayCompensation(code="L1", payer="省财政", voucher="省付-1", **on("2026-04-01")))
    paid(ledger, PayCompensation(code="L1", payer="市财政", voucher="市付-1", **on("2026-04-01")))


# compensation payments -----------------------------------------------------------------------


def test_a_compensation_payment_reversed_owes_the_share_again_exactly(ledger: Ledger) -> None:
    compensated(ledger)
    before = assert_balanced(ledger)
    assert (before["funding:省财政"], before["funding:BANK-JS"]) == (D("-116666.67"), D("-99999.99"))
    assert budget(ledger, 2026, PROVINCE, "P5.6a")["paid"] == D("116666.67")
    assert bearer(ledger, PROVINCE)["owed"] == D("0.00")
    events = log_length(ledger)
    with pytest.raises(Refused, match="needs an approver"):
        ledger.execute(reverse("省付-1", PROVINCE, "2026-05-01", actor=OFFICER))
    with pytest.raises(Refused, match="a reversal needs a decision reference"):
        ledger.execute(reverse("省付-1", PROVINCE, "2026-05-01", ref=""))
    assert log_length(ledger) == events

    out = ledger.execute(reverse("省付-1", PROVINCE, "2026-05-01"))
    assert "reversed (已冲销) by approver-1" in out.message and "owes 116,666.67 again" in out.message
    assert "Cr payable:BANK-JS:省财政 116,666.67; Dr funding:省财政 116,666.67; Cr funding:BANK-JS" in out.trace[0]
    l1 = loan(ledger)
    assert (l1.paid[PROVINCE], l1.owed(PROVINCE), l1.paid[CITY]) == (D("0.00"), D("116666.67"), D("116666.67"))
    after = assert_balanced(ledger)
    assert after["funding:省财政"] == 0 and after["funding:BANK-JS"] == D("-216666.66")
    assert after["payable:BANK-JS:省财政"] == D("-116666.67") and after["loss:L1:BANK-JS"] == D("216666.66")
    b = budget(ledger, 2026, PROVINCE, "P5.6a")
    assert (b["committed"], b["paid"]) == (D("116666.67"), D("0.00"))
    assert (bearer(ledger, PROVINCE)["paid"], bearer(ledger, PROVINCE)["owed"]) == (D("0.00"), D("116666.67"))
    assert ledger.aggregate(payment_id(PROVINCE, "省付-1")).status == REVERSED
    # the correction shows beside what it corrects; it is not repeated; the reference stays used
    events = trail_events(ledger, "L1")
    assert events.index("CompensationPaid") < events.index("PaymentReversed"), events
    with pytest.raises(Refused, match="is 已冲销 reversed; only a posted movement is reversed"):
        ledger.execute(reverse("省付-1", PROVINCE, "2026-05-02"))
    with pytest.raises(Refused, match="is already used by an earlier record"):
        ledger.execute(PayCompensation(code="L1", payer="省财政", voucher="省付-1", amount=D("1"), **on("2026-05-03")))
    paid(ledger, PayCompensation(code="L1", payer="省财政", voucher="省付-2", **on("2026-05-03")))
    assert loan(ledger).status == "compensated"
    assert assert_balanced(ledger) == before  # as if the payment in error had never been recorded


def test_an_approver_who_recorded_a_movement_does_not_reverse_it(ledger: Ledger) -> None:
    parties(ledger)
    run(ledger, EnrolLoan(code="L2", bank="BANK-JS", borrower="ENT-7", category="P5.6a", principal=D("500000"),
                          start=date(2025, 1, 10), term_months=24, **on("2025-01-08")))
    run(ledger, DisburseLoan(code="L2", amount=D("500000"), **on("2025-01-10")))
    ledger.execute(RepayLoan(code="L2", amount=D("100000"), receipt="还-1", **approval("2025-04-10")))
    with pytest.raises(Refused, match="approver-1 filed this request and cannot approve it too"):
        ledger.execute(reverse("还-1", "BANK-JS", "2025-04-20"))
    ledger.execute(reverse("还-1", "BANK-JS", "2025-04-20", actor=second_approver(ledger)))
    assert loan(ledger, "L2").unrepaid == D("500000.00")


# recoveries -------------------------------------------------------------------------------------


def test_a_payment_a_recovery_was_returned_on_waits_for_the_recovery_reversed_latest_first(ledger: Ledger) -> None:
    compensated(ledger)
    paid(ledger, RecordRecovery(code="L1", amount=D("10000.01"), receipt="回-1", **on("2026-09-01")))
    paid(ledger, RecordRecovery(code="L1", amount=D("20000.00"), receipt="回-2", **on("2026-10-01")))
    before = assert_balanced(ledger)
    assert before["funding:省财政"] == D("-116666.67") + D("3500.00") + D("7000.00")
    with pytest.raises(Refused, match=r"recoveries of 30,000.01 were already returned pro rata"):
        ledger.execute(reverse("省付-1", PROVINCE, "2026-11-01"))
    with pytest.raises(Refused, match=r"a later recovery of 20,000.00 \(on 2026-10-01\) was returned after this one"):
        ledger.execute(reverse("回-1", "BANK-JS", "2026-11-01"))
    out = ledger.execute(reverse("回-2", "BANK-JS", "2026-11-01"))
    assert "taken back from each bearer: 省财政 7,000.00; 市财政 7,000.00; BANK-JS 6,000.00" in out.message
    l1 = loan(ledger)
    assert l1.recovered == D("10000.01")
    assert l1.returned == {PROVINCE: D("3500.00"), CITY: D("3500.00"), "bank": D("3000.01")}
    after = assert_balanced(ledger)
    assert after["funding:省财政"] == D("-116666.67") + D("3500.00")
    assert after["loss:L1:省财政"] == D("116666.67") - D("3500.00")
    assert budget(ledger, 2026, PROVINCE, "P5.6a")["recovered"] == D("3500.00")
    assert bearer(ledger, PROVINCE)["recovered"] == D("3500.00")
    ledger.execute(reverse("回-1", "BANK-JS", "2026-11-02"))
    ledger.execute(reverse("省付-1", PROVINCE, "2026-11-03"))
    totals = assert_balanced(ledger)
    assert totals["funding:省财政"] == 0 and totals["loss:L1:省财政"] == D("116666.67")
    assert budget(ledger, 2026, PROVINCE, "P5.6a")["recovered"] == D("0.00")
    # a recovery again, once the share is paid again: returned as if the first two were never recorded
    paid(ledger, PayCompensation(code="L1", payer="省财政", voucher="省付-2", **on("2026-11-04")))
    out = paid(ledger, RecordRecovery(code="L1", amount=D("10000.01"), receipt="回-3", **on("2026-11-05")))
    assert out.data == {PROVINCE: "3500.00", CITY: "3500.00", "bank": "3000.01"}


# repayments and claims ---------------------------------------------------------------------------


def test_a_repayment_is_reversed_until_the_loss_is_declared(ledger: Ledger) -> None:
    parties(ledger)
    run(ledger, EnrolLoan(code="L2", bank="BANK-JS", borrower="ENT-7", category="P5.6a", principal=D("500000"),
                          start=date(2025, 1, 10), term_months=24, **on("2025-01-08")))
    run(ledger, DisburseLoan(code="L2", amount=D("500000"), **on("2025-01-10")))
    run(ledger, RepayLoan(code="L2", amount=D("100000"), receipt="还-1", **on("2025-04-10")))
    assert loan(ledger, "L2").unrepaid == D("400000.00")
    out = ledger.execute(reverse("还-1", "BANK-JS", "2025-04-20"))
    assert "repayment of 100,000.00 reversed; unrepaid principal 500,000.00" in out.message
    totals = assert_balanced(ledger)
    assert (totals["loan:L2"], totals["funding:BANK-JS"]) == (D("500000.00"), D("-500000.00"))
    assert trail_events(ledger, "L2")[-1] == "RepaymentReversed"
    defaulted_loan(ledger, new_parties=False)  # L1: repaid 166,666.67, then its loss declared
    with pytest.raises(Refused, match=r"a principal loss of 333,333.33 was declared on 2026-03-01"):
        ledger.execute(reverse(_receipt_of(ledger, "L1"), "BANK-JS", "2026-03-02"))


def _receipt_of(ledger: Ledger, code: str) -> str:
    for _, e in ledger.read_log():
        if isinstance(e, Payment.Ordered) and e.operation == "loan.repay" and e.entity == code:
            return str(e.reference)
    raise AssertionError(code)


def test_a_claim_is_withdrawn_while_nothing_was_paid_and_releases_the_shares(ledger: Ledger) -> None:
    defaulted_loan(ledger)
    run(ledger, ClaimCompensation(code="L1", **on("2026-03-10")))
    run(ledger, ApproveCompensation(code="L1", **approval("2026-03-20", ref="临财金〔2026〕9号")))
    assert budget(ledger, 2026, CITY, "P5.6a")["committed"] == D("116666.67")
    withdraw = WithdrawClaim(code="L1", reason="损失金额录入错误", **approval("2026-03-25", ref="临财金〔2026〕10号"))
    paid(ledger, PayCompensation(code="L1", payer="市财政", voucher="市付-1", amount=D("1000"), **on("2026-03-22")))
    with pytest.raises(Refused, match=r"compensation was paid or ordered on the claim \(市财政 1,000.00\)"):
        ledger.execute(withdraw)
    ledger.execute(reverse("市付-1", CITY, "2026-03-24"))
    out = ledger.execute(withdraw)
    assert "claim of 2026-03-10 (approved (临财金〔2026〕9号)) withdrawn by approver-1" in out.message
    assert "released 省财政 116,666.67; 市财政 116,666.67; a new claim" in out.message
    assert loan(ledger).claim is None and loan(ledger).status == "loss declared"
    totals = assert_balanced(ledger)
    assert all(totals.get(a, D(0)) == 0 for a in ("payable:BANK-JS:省财政", "loss:L1:省财政", "loss:L1:市财政",
                                                  "claim:L1:市财政", "claimed:BANK-JS:市财政", "funding:市财政"))
    assert totals["loss:L1:BANK-JS"] == D("333333.33")
    assert budget(ledger, 2026, CITY, "P5.6a")["committed"] == D("0.00")
    events = trail_events(ledger, "L1")
    assert events.index("CompensationApproved") < events.index("ClaimWithdrawn")
    run(ledger, ClaimCompensation(code="L1", **on("2026-03-26")))  # the right claim, filed again
    assert loan(ledger).claim is not None


def test_the_officer_who_filed_a_claim_does_not_withdraw_it(ledger: Ledger) -> None:
    defaulted_loan(ledger)
    run(ledger, ClaimCompensation(code="L1", **approval("2026-03-10")))  # filed by the approver
    with pytest.raises(Refused, match="filed by approver-1, so approver-1 cannot withdraw it too"):
        ledger.execute(WithdrawClaim(code="L1", reason="错误", **approval("2026-03-12", ref="R")))


# tranches ----------------------------------------------------------------------------------------


def test_a_tranche_reversed_releases_the_budget_and_the_grant_and_not_once_converted(ledger: Ledger) -> None:
    setup(ledger)  # PJ-1: 3,000,000 approved by approver-1 on 2025-01-10
    paid(ledger, PayTranche(project="PJ-1", amount=D("1000000"), voucher="付-T1", **on("2025-02-01")))
    poster = second_approver(ledger)  # approver-1 approved the project: another approver posted the tranche
    assert budget(ledger, 2025, CITY, "P2.2")["paid"] == D("1000000.00")
    with pytest.raises(Refused, match="approver-1"):  # the project's approver does not undo its money alone
        ledger.execute(reverse("付-T1", CITY, "2025-02-10"))
    out = ledger.execute(reverse("付-T1", CITY, "2025-02-10", actor=poster))
    assert "tranche of 1,000,000.00 reversed, back to 市财政; paid so far 0.00 of 3,000,000.00" in out.message
    project = ledger.aggregate(project_id("PJ-1"))
    assert (project.disbursed, project.tranches) == (D("0.00"), [])
    totals = assert_balanced(ledger)
    assert totals.get("funding:市财政", D(0)) == 0 and totals.get("budget:P2.2:2025", D(0)) == 0
    assert budget(ledger, 2025, CITY, "P2.2")["paid"] == D("0.00")
    recipients = reports.recipients(fold(ledger, report="recipients")[0].rows)
    row = next(r for r in recipients.rows if r[0] == "ENT-1" and r[1] == "P2.2")
    assert (row[4], row[5], row[9]) == (D("3000000.00"), D("0.00"), D("3000000.00"))
    events = trail_events(ledger, "PJ-1")
    assert events.index("TranchePaid") < events.index("TrancheReversed")
    # the whole grant may be paid again; once converted, a tranche is not reversed
    paid(ledger, PayTranche(project="PJ-1", amount=D("3000000"), voucher="付-T2", **on("2025-03-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", **on("2026-01-05", ref="临科发〔2026〕1号")))
    events_before = log_length(ledger)
    with pytest.raises(Refused, match=r"3,000,000.00 was already converted into equity on 2026-01-05"):
        ledger.execute(reverse("付-T2", CITY, "2026-01-06", actor=poster))
    assert log_length(ledger) == events_before


def test_a_grant_disbursement_is_not_reversed_but_clawed_back(ledger: Ledger) -> None:
    from ledger.handlers.grants import Disburse
    from ledger.handlers.parties import RegisterParty
    from ledger.handlers.rules import AwardByRule

    ledger.execute(RegisterParty(code="U1", name="大学", party_kind="university", entered=date(2024, 12, 1),
                                 **on("2025-01-02")))
    ledger.execute(AwardByRule(recipient="U1", clause="P2.4", basis={"contract_value": "1000000", "contract": "H",
                                                                "registered_on": "2024-11-01", "counterparty": "E1"},
                               **on("2025-03-01", ref="R")))
    paid(ledger, Disburse(recipient="U1", award="U1-A1", amount=D("1000"), voucher="付-G1", **on("2025-03-02")))
    with pytest.raises(Refused, match=r"grant.disburse 付-G1 of 市财政 is not reversed here: a paid disbursement is "
                                      r"recovered by a claw-back"):
        ledger.execute(reverse("付-G1", CITY, "2025-03-03"))
