"""P5.6 steps in date order, and G.1 judged on the enrolment (both databases)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidDate
from domain.journal import CITY, PROVINCE
from ledger import Ledger
from ledger.handlers.loans import (
    ApproveCompensation,
    ClaimCompensation,
    ClassifyNonPerforming,
    DeclareLoss,
    DisburseLoan,
    EnrolLoan,
    PayCompensation,
    RecordRecovery,
    RepayLoan,
)
from tests.builders import approval, assert_balanced, defaulted_loan, loan, on, parties, run
from tests.conftest import APPROVER
from tests.posting import paid, with_reference

D = Decimal


def enrolled(ledger: Ledger, decided: str = "2025-01-08", start: date = date(2025, 1, 10)) -> None:
    parties(ledger)
    run(ledger, EnrolLoan(code="L1", bank="BANK-JS", borrower="ENT-7", category="P5.6a", principal=D("500000.00"),
                          start=start, term_months=24, **on(decided)))


def refused_as(ledger: Ledger, cmd: object, message: str) -> None:
    before = sum(1 for _ in ledger.read_log())
    with pytest.raises(InvalidDate) as refused:
        ledger.execute(with_reference(cmd))  # type: ignore[arg-type]  # cmd is any of the parametrised command types
    assert str(refused.value) == message
    assert "\n" not in str(refused.value)
    assert sum(1 for _ in ledger.read_log()) == before  # nothing written


def test_a_repayment_dated_before_the_disbursement_is_refused(ledger: Ledger) -> None:
    enrolled(ledger)
    run(ledger, DisburseLoan(code="L1", amount=D("500000.00"), **on("2025-03-01")))
    refused_as(ledger, RepayLoan(code="L1", amount=D("1000.00"), **on("2025-02-28")),
               "loan L1: repayment on 2025-02-28 is before the latest recorded money movement of the loan "
               "(2025-03-01); record steps in date order")
    run(ledger, RepayLoan(code="L1", amount=D("1000.00"), **on("2025-03-01")))  # the same day is fine
    refused_as(ledger, DisburseLoan(code="L1", amount=D("1.00"), **on("2025-01-20")),
               "loan L1: disbursement on 2025-01-20 is before the latest recorded money movement of the loan "
               "(2025-03-01); record steps in date order")


def test_classification_and_loss_follow_the_money_and_each_other(ledger: Ledger) -> None:
    enrolled(ledger)
    run(ledger, DisburseLoan(code="L1", amount=D("500000.00"), **on("2025-01-10")))
    run(ledger, RepayLoan(code="L1", amount=D("166666.67"), **on("2025-07-10")))
    refused_as(ledger, ClassifyNonPerforming(code="L1", **on("2025-07-09")),
               "loan L1: classification as non-performing on 2025-07-09 is before the latest recorded money "
               "movement of the loan (2025-07-10); record steps in date order")
    run(ledger, ClassifyNonPerforming(code="L1", **on("2025-10-10")))
    refused_as(ledger, DeclareLoss(code="L1", loss=D("333333.33"), **on("2025-10-09")),
               "loan L1: loss declared on 2025-10-09 is before the classification as non-performing (2025-10-10)")
    # a repayment after the classification, then a loss dated before that repayment
    refused_as(ledger, RepayLoan(code="L1", amount=D("1.00"), **on("2025-10-01")),
               "loan L1: repayment on 2025-10-01 is before the classification as non-performing (2025-10-10), "
               "which counted it unrepaid")
    run(ledger, RepayLoan(code="L1", amount=D("33333.33"), **on("2025-12-01")))
    refused_as(ledger, DeclareLoss(code="L1", loss=D("300000.00"), **on("2025-11-30")),
               "loan L1: loss declaration on 2025-11-30 is before the latest recorded money movement of the loan "
               "(2025-12-01); record steps in date order")
    run(ledger, DeclareLoss(code="L1", loss=D("300000.00"), **on("2025-12-01")))
    with pytest.raises(InvalidDate, match=r"claim on 2025-11-30 is before the loss was declared \(2025-12-01\)"):
        ledger.execute(ClaimCompensation(code="L1", **on("2025-11-30")))
    assert loan(ledger).loss == D("300000.00")
    assert_balanced(ledger)


def test_follow_up_steps_of_an_in_window_enrolment_may_be_dated_after_2028(ledger: Ledger) -> None:
    """G.1 (2024-11-05 to 2028-12-31) is judged on the enrolment; its steps run on with the loan."""
    enrolled(ledger, decided="2028-12-01", start=date(2028, 12, 15))
    with pytest.raises(InvalidDate, match=r"G\.1: decision date 2029-01-02 is outside the policy window"):
        ledger.execute(EnrolLoan(code="L2", bank="BANK-JS", borrower="ENT-7", category="P5.6a",
                                 principal=D("1000.00"), start=date(2029, 1, 2), term_months=12,
                                 **on("2029-01-02")))
    run(ledger, DisburseLoan(code="L1", amount=D("500000.00"), **on("2028-12-15")))
    run(ledger, RepayLoan(code="L1", amount=D("166666.67"), **on("2029-06-15")))
    run(ledger, ClassifyNonPerforming(code="L1", **on("2029-10-10")))
    run(ledger, DeclareLoss(code="L1", loss=D("333333.33"), **on("2030-03-01")))
    run(ledger, ClaimCompensation(code="L1", **on("2030-03-10")))
    run(ledger, ApproveCompensation(code="L1", **approval("2030-03-20", ref="临财金〔2030〕9号")))
    run(ledger, PayCompensation(code="L1", payer="省财政", **on("2030-04-01")))
    run(ledger, PayCompensation(code="L1", payer="市财政", **on("2030-04-01")))
    out = paid(ledger, RecordRecovery(code="L1", amount=D("10000.01"), **on("2031-01-05")))
    assert out.data == {PROVINCE: "3500.00", CITY: "3500.00", "bank": "3000.01"}
    assert loan(ledger).status == "recovering"
    assert_balanced(ledger)


def test_the_cli_accepts_a_payment_and_a_recovery_dated_2029(ledger: Ledger, jcg) -> None:  # type: ignore[no-untyped-def]  # jcg is the CLI fixture
    defaulted_loan(ledger)
    run(ledger, ClaimCompensation(code="L1", **on("2026-03-10")))
    run(ledger, ApproveCompensation(code="L1", **approval("2026-03-20", ref="临财金〔2026〕9号")))
    for who, source in (("province", "省财政"), ("city", "市财政")):
        result = jcg("loan", "pay", "L1", "--payer", who, "--voucher", f"付-{who}", "--decided", "2029-02-01")
        assert result.exit_code == 0, result.output + result.stderr
        result = jcg("--officer", APPROVER, "payment", "post", f"付-{who}", "--source", source, "--decided", "2029-02-01")
        assert result.exit_code == 0, result.output + result.stderr
    result = jcg("loan", "recover", "L1", "--amount", "100.00", "--receipt", "回-1", "--decided", "2029-03-01")
    assert result.exit_code == 0, result.output + result.stderr
    assert "recovered 100.00 after compensation" in result.output
