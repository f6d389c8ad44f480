"""P5.6 loans through the ledger, on SQLite and PostgreSQL: lifecycle, splits, recoveries,
refusals, idempotency and journal balance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import CapExceeded, InvalidAmount, InvalidDate, NotFound, Refused
from domain.journal import CITY, PROVINCE, postings
from domain.loan import Loan
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
from ledger.handlers.officers import enrol
from tests.builders import approval, assert_balanced, defaulted_loan, loan, on, parties, run
from tests.conftest import APPROVER, OFFICER, independent_approver
from tests.posting import paid

D = Decimal



def test_tech_transfer_loss_splits_35_35_30_exactly_and_is_paid_by_province_and_city(ledger: Ledger) -> None:
    defaulted_loan(ledger)
    outcome = ledger.execute(ClaimCompensation(code="L1", **on("2026-03-10", request_id="claim-L1")))
    assert outcome.trace[0] == (
        "P5.6a: 省财政 35% × 333,333.33 = 116,666.67; 市财政 35% × 333,333.33 = 116,666.67; "
        "bank 333,333.33 − 233,333.34 = 99,999.99 (the remainder) → 省财政 116,666.67, 市财政 116,666.67, bank 99,999.99"
    )
    claim = loan(ledger).claim
    assert claim is not None
    assert claim.shares == {PROVINCE: D("116666.67"), CITY: D("116666.67"), "bank": D("99999.99")}
    assert claim.versions == ["P5.6a.province_share@2024-11-05", "P5.6a.city_share@2024-11-05",
                              "P5.6a.bank_share@2024-11-05"]

    totals = assert_balanced(ledger)  # claimed: each public payer is asked for its share, nothing owed yet
    assert (totals["claim:L1:省财政"], totals["claimed:BANK-JS:省财政"]) == (D("116666.67"), D("-116666.67"))
    assert (totals["claim:L1:市财政"], totals["claimed:BANK-JS:市财政"]) == (D("116666.67"), D("-116666.67"))
    assert "payable:BANK-JS:省财政" not in totals and totals["loss:L1:BANK-JS"] == D("333333.33")

    run(ledger, ApproveCompensation(code="L1", **approval("2026-03-20", ref="临财金〔2026〕9号")))
    totals = assert_balanced(ledger)  # approved: the claims are cleared into payables and loss shares
    assert totals["payable:BANK-JS:省财政"] == D("-116666.67")
    assert totals["loss:L1:市财政"] == D("116666.67")
    assert all(totals.get(a, D(0)) == 0 for a in ("claim:L1:省财政", "claim:L1:市财政", "claimed:BANK-JS:省财政",
                                                  "claimed:BANK-JS:市财政"))

    run(ledger, PayCompensation(code="L1", payer="省财政", amount=D("100000.00"), **on("2026-04-01")))
    run(ledger, PayCompensation(code="L1", payer="city", **on("2026-04-02")))  # pays all that is owed
    l1 = loan(ledger)
    assert (l1.paid[PROVINCE], l1.owed(PROVINCE)) == (D("100000.00"), D("16666.67"))
    assert (l1.paid[CITY], l1.owed(CITY)) == (D("116666.67"), D("0.00"))
    assert l1.status == "approved"
    run(ledger, PayCompensation(code="L1", payer="province", **on("2026-04-03")))
    assert loan(ledger).status == "compensated"

    totals = assert_balanced(ledger)
    assert totals["funding:省财政"] == D("-116666.67")
    assert totals["funding:市财政"] == D("-116666.67")
    assert totals["loss:L1:BANK-JS"] == D("99999.99")  # the bank bears its 30 %, not 100,000.00
    assert totals.get("loan:L1", D(0)) == 0  # the whole unrepaid principal was written off
    assert totals["payable:BANK-JS:省财政"] == 0


def test_early_stage_loss_is_90_percent_province_and_city(ledger: Ledger) -> None:
    defaulted_loan(ledger, category="P5.6b", principal="300000.00", repaid="100000.00", loss="200000.00")
    ledger.execute(ClaimCompensation(code="L1", **on("2026-03-10")))
    claim = loan(ledger).claim
    assert claim is not None
    assert claim.shares == {PROVINCE: D("90000.00"), CITY: D("90000.00"), "bank": D("20000.00")}
    assert claim.shares[PROVINCE] + claim.shares[CITY] == D("0.90") * claim.loss


def test_a_recovery_after_compensation_returns_to_each_payer_pro_rata(ledger: Ledger) -> None:
    defaulted_loan(ledger)
    run(ledger, ClaimCompensation(code="L1", **on("2026-03-10")))
    run(ledger, ApproveCompensation(code="L1", **approval("2026-03-20", ref="临财金〔2026〕9号")))
    for who in ("省财政", "市财政"):
        run(ledger, PayCompensation(code="L1", payer=who, **on("2026-04-01")))

    outcome = paid(ledger, RecordRecovery(code="L1", amount=D("10000.01"), **on("2026-09-01")))
    assert outcome.data == {PROVINCE: "3500.00", CITY: "3500.00", "bank": "3000.01"}
    assert "pro rata" in outcome.message and "outstanding 323,333.32" in outcome.message
    totals = assert_balanced(ledger)
    assert totals["loss:L1:省财政"] == D("116666.67") - D("3500.00")
    assert totals["funding:省财政"] == D("-116666.67") + D("3500.00")

    with pytest.raises(CapExceeded, match="larger than the loss still outstanding"):
        paid(ledger, RecordRecovery(code="L1", amount=D("323333.33"), **on("2026-10-01")))
    run(ledger, RecordRecovery(code="L1", amount=D("323333.32"), **on("2026-10-01")))
    l1 = loan(ledger)
    assert l1.returned == {PROVINCE: D("116666.67"), CITY: D("116666.67"), "bank": D("99999.99")}
    totals = assert_balanced(ledger)
    assert all(totals.get(f"loss:L1:{who}", D(0)) == 0 for who in (PROVINCE, CITY, "BANK-JS"))


def test_claim_on_a_loan_never_enrolled_is_refused(ledger: Ledger) -> None:
    parties(ledger)
    with pytest.raises(NotFound, match="loan NOPE is not registered"):
        ledger.execute(ClaimCompensation(code="NOPE", **on("2026-03-10")))


def test_loss_larger_than_unrepaid_principal_is_refused(ledger: Ledger) -> None:
    defaulted_loan(ledger)  # unrepaid 333,333.33, declared 333,333.33
    with pytest.raises(CapExceeded, match=r"larger than the unrepaid principal 333,333\.33"):
        ledger.execute(ClaimCompensation(code="L1", loss=D("333333.34"), **on("2026-03-10")))
    # a second loan whose bank declares more than is unrepaid
    run(ledger, EnrolLoan(code="L2", bank="BANK-JS", borrower="ENT-7", category="P5.6a",
                          principal=D("100000.00"), start=date(2025, 1, 10), term_months=12, **on("2025-01-08")))
    run(ledger, DisburseLoan(code="L2", amount=D("100000.00"), **on("2025-01-10")))
    run(ledger, RepayLoan(code="L2", amount=D("40000.00"), **on("2025-06-10")))
    run(ledger, ClassifyNonPerforming(code="L2", **on("2025-10-10")))
    with pytest.raises(CapExceeded, match=r"loss 60,000.01 is larger than the unrepaid principal 60,000.00"):
        ledger.execute(DeclareLoss(code="L2", loss=D("60000.01"), **on("2026-03-01")))


@pytest.mark.parametrize("basis", ["interest", "fees", "利息", "罚息"])
def test_interest_and_fees_are_refused_as_a_loss_basis(ledger: Ledger, basis: str) -> None:
    defaulted_loan(ledger)
    with pytest.raises(Refused, match="principal"):
        ledger.execute(ClaimCompensation(code="L1", basis=basis, **on("2026-03-10")))
    assert loan(ledger).claim is None


def test_a_stage_and_a_loss_basis_typed_in_chinese_are_the_same_request_as_their_codes() -> None:
    """早期 and early (本金 and principal) are stored as the code: one request, whichever was typed."""
    when = on("2025-03-01")
    assert EnrolLoan(code="L9", bank="B", borrower="E", category="P5.6b", principal=D("1"), start=date(2025, 1, 1),
                     term_months=12, stage="早期", **when).stage == "early"
    assert ClaimCompensation(code="L9", basis="本金", **when) == ClaimCompensation(code="L9", basis="principal", **when)
    assert DeclareLoss(code="L9", loss=D("1"), basis=" 利息 ", **when).basis == "interest"


def test_a_second_claim_for_the_same_loss_is_refused_but_a_rerun_is_harmless(ledger: Ledger) -> None:
    defaulted_loan(ledger)
    first = ledger.execute(ClaimCompensation(code="L1", **on("2026-03-10", request_id="c1")))
    again = ledger.execute(ClaimCompensation(code="L1", **on("2026-03-10", request_id="c1")))
    assert again.already_recorded and not first.already_recorded
    with pytest.raises(Refused, match="already claimed"):
        ledger.execute(ClaimCompensation(code="L1", **on("2026-03-11", request_id="c2")))
    events = [e for _, e in ledger.read_log() if isinstance(e, Loan.CompensationClaimed)]
    assert len(events) == 1


def test_payment_beyond_what_was_approved_is_refused(ledger: Ledger) -> None:
    defaulted_loan(ledger)
    run(ledger, ClaimCompensation(code="L1", **on("2026-03-10")))
    with pytest.raises(Refused, match="not approved yet"):
        paid(ledger, PayCompensation(code="L1", payer="省财政", amount=D("1.00"), **on("2026-03-15")))
    with pytest.raises(Refused, match="decision reference"):
        ledger.execute(ApproveCompensation(code="L1", **approval("2026-03-20")))
    run(ledger, ApproveCompensation(code="L1", **approval("2026-03-20", ref="临财金〔2026〕9号")))
    with pytest.raises(CapExceeded, match=r"exceeds what was approved and not yet paid \(116,666.67 of 116,666.67\)"):
        paid(ledger, PayCompensation(code="L1", payer="省财政", amount=D("116666.68"), **on("2026-04-01")))
    run(ledger, PayCompensation(code="L1", payer="省财政", amount=D("116666.67"), **on("2026-04-01")))
    with pytest.raises(Refused, match="paid its whole share"):
        paid(ledger, PayCompensation(code="L1", payer="省财政", **on("2026-04-02")))
    with pytest.raises(Refused, match="payer must be"):
        paid(ledger, PayCompensation(code="L1", payer="开发区", amount=D("1.00"), **on("2026-04-02")))


def test_enrolment_needs_a_registered_bank_and_borrower(ledger: Ledger) -> None:
    parties(ledger)
    common = {"category": "P5.6a", "principal": D("100000.00"), "start": date(2025, 1, 1), "term_months": 12}
    with pytest.raises(NotFound, match="bank BANK-X is not registered"):
        ledger.execute(EnrolLoan(code="L9", bank="BANK-X", borrower="ENT-7", **common, **on("2025-01-01")))
    with pytest.raises(NotFound, match="borrower ENT-X is not registered"):
        ledger.execute(EnrolLoan(code="L9", bank="BANK-JS", borrower="ENT-X", **common, **on("2025-01-01")))
    with pytest.raises(Refused, match="not as a bank"):
        ledger.execute(EnrolLoan(code="L9", bank="ENT-7", borrower="BANK-JS", **common, **on("2025-01-01")))
    with pytest.raises(Refused, match="category"):
        ledger.execute(EnrolLoan(code="L9", bank="BANK-JS", borrower="ENT-7", **{**common, "category": "P5.7"},
                                 **on("2025-01-01")))
    run(ledger, EnrolLoan(code="L9", bank="BANK-JS", borrower="ENT-7", **common, **on("2025-01-01")))
    with pytest.raises(Refused, match="already registered"):
        ledger.execute(EnrolLoan(code="L9", bank="BANK-JS", borrower="ENT-7", **common, **on("2025-01-02")))


def test_lending_steps_stay_within_the_principal(ledger: Ledger) -> None:
    parties(ledger)
    run(ledger, EnrolLoan(code="L3", bank="BANK-JS", borrower="ENT-7", category="P5.6b", stage="startup",
                          principal=D("100000.00"), start=date(2025, 2, 1), term_months=12, **on("2025-01-20")))
    with pytest.raises(Refused, match="before the loan starts"):
        ledger.execute(DisburseLoan(code="L3", amount=D("1.00"), **on("2025-01-31")))
    with pytest.raises(Refused, match="no unrepaid principal"):
        ledger.execute(ClassifyNonPerforming(code="L3", **on("2025-02-01")))
    with pytest.raises(CapExceeded, match="exceeds the undisbursed principal"):
        ledger.execute(DisburseLoan(code="L3", amount=D("100000.01"), **on("2025-02-01")))
    run(ledger, DisburseLoan(code="L3", amount=D("60000.00"), **on("2025-02-01")))
    with pytest.raises(CapExceeded, match=r"exceeds the unrepaid principal 60,000\.00"):
        paid(ledger, RepayLoan(code="L3", amount=D("60000.01"), **on("2025-03-01")))
    with pytest.raises(InvalidAmount):
        paid(ledger, RepayLoan(code="L3", amount=D("-1"), **on("2025-03-01")))
    with pytest.raises(Refused, match="not classified non-performing"):
        ledger.execute(DeclareLoss(code="L3", loss=D("1.00"), **on("2025-03-01")))
    with pytest.raises(Refused, match="no compensation has been claimed"):
        paid(ledger, RecordRecovery(code="L3", amount=D("1.00"), **on("2025-03-01")))
    run(ledger, RepayLoan(code="L3", amount=D("60000.00"), **on("2025-03-01")))
    assert loan(ledger, "L3").status == "repaid"
    assert_balanced(ledger)


def test_recovery_before_approval_and_repayment_after_the_loss_are_refused(ledger: Ledger) -> None:
    defaulted_loan(ledger)
    with pytest.raises(Refused, match="is a recovery"):
        paid(ledger, RepayLoan(code="L1", amount=D("1.00"), **on("2026-03-05")))
    run(ledger, ClaimCompensation(code="L1", **on("2026-03-10")))
    with pytest.raises(Refused, match="not approved yet"):
        paid(ledger, RecordRecovery(code="L1", amount=D("1.00"), **on("2026-03-12")))
    assert_balanced(ledger)


def test_a_recovery_waits_until_both_payers_have_paid_their_whole_share(ledger: Ledger) -> None:
    """Money is returned pro rata to what each payer compensated: before they have paid, a
    payer would get back money it never paid (P5.6)."""
    defaulted_loan(ledger)
    run(ledger, ClaimCompensation(code="L1", **on("2026-03-10")))
    run(ledger, ApproveCompensation(code="L1", **approval("2026-03-20", ref="临财金〔2026〕9号")))
    with pytest.raises(Refused) as refused:
        paid(ledger, RecordRecovery(code="L1", amount=D("10000.01"), **on("2026-03-25")))
    assert str(refused.value) == (
        "loan L1: recoveries are returned after compensation is paid in full; "
        "省财政 still owes BANK-JS 116,666.67 of 116,666.67; 市财政 still owes BANK-JS 116,666.67 of 116,666.67")
    run(ledger, PayCompensation(code="L1", payer="省财政", **on("2026-04-01")))
    run(ledger, PayCompensation(code="L1", payer="市财政", amount=D("100000.00"), **on("2026-04-02")))
    with pytest.raises(Refused, match=r"paid in full; 市财政 still owes BANK-JS 16,666\.67 of 116,666\.67$"):
        paid(ledger, RecordRecovery(code="L1", amount=D("10000.01"), **on("2026-04-03")))
    assert loan(ledger).recovered == 0
    run(ledger, PayCompensation(code="L1", payer="市财政", **on("2026-04-10")))
    with pytest.raises(InvalidDate, match=r"before the compensation was paid \(2026-04-10\)"):
        paid(ledger, RecordRecovery(code="L1", amount=D("10000.01"), **on("2026-04-09")))
    outcome = paid(ledger, RecordRecovery(code="L1", amount=D("10000.01"), **on("2026-04-10")))
    assert outcome.data == {PROVINCE: "3500.00", CITY: "3500.00", "bank": "3000.01"}  # the bank its own 30 %
    totals = assert_balanced(ledger)
    assert totals["loss:L1:BANK-JS"] == D("99999.99") - D("3000.01")
    # lent, repaid, compensated by both payers, and its own 30 % of the recovery (the rest goes to the payers)
    assert totals["funding:BANK-JS"] == D("-500000.00") + D("166666.67") + 2 * D("116666.67") + D("3000.01")
    assert totals["funding:省财政"] == D("-116666.67") + D("3500.00")


def test_every_step_posts_and_enrolment_and_classification_move_no_money(ledger: Ledger) -> None:
    parties(ledger)
    enrolled = ledger.execute(EnrolLoan(code="L1", bank="BANK-JS", borrower="ENT-7", category="P5.6a",
                                        principal=D("500000.00"), start=date(2025, 1, 10), term_months=24,
                                        **on("2025-01-08")))
    assert "moves no money" in enrolled.trace[0]
    run(ledger, DisburseLoan(code="L1", amount=D("500000.00"), **on("2025-01-10")))
    classified = ledger.execute(ClassifyNonPerforming(code="L1", **on("2025-10-10")))
    assert "moves no money" in classified.trace[0]
    run(ledger, DeclareLoss(code="L1", loss=D("500000.00"), **on("2026-03-01")))
    claimed = ledger.execute(ClaimCompensation(code="L1", **on("2026-03-10")))
    assert claimed.trace[-1] == ("journal (claimed, pending approval): Dr claim:L1:省财政 Cr claimed:BANK-JS:省财政 "
                                 "175,000.00; Dr claim:L1:市财政 Cr claimed:BANK-JS:市财政 175,000.00")
    run(ledger, ApproveCompensation(code="L1", **approval("2026-03-20", ref="临财金〔2026〕9号")))
    for who in ("省财政", "市财政"):
        run(ledger, PayCompensation(code="L1", payer=who, **on("2026-04-01")))
    run(ledger, RecordRecovery(code="L1", amount=D("1.00"), **on("2026-05-01")))
    posted: dict[str, int] = {}
    for _, e in ledger.read_log():
        if isinstance(e, Loan.Event):
            legs = postings(e)
            assert sum((p.amount for p in legs), D(0)) == 0
            posted[type(e).__name__] = len(legs)
    assert posted == {"Enrolled": 0, "ClassifiedNonPerforming": 0, "Disbursed": 2, "LossDeclared": 2,
                      "CompensationClaimed": 4, "CompensationApproved": 8, "PaymentOrdered": 0, "CompensationPaid": 4,
                      "Recovered": 6}  # an order (待审核) moves no money: the posting pays
    assert_balanced(ledger)


def test_an_officer_cannot_approve_a_claim_and_nobody_approves_their_own(ledger: Ledger) -> None:
    """Four-eyes on P5.6 approvals: the approver role, and a second person."""
    defaulted_loan(ledger)
    run(ledger, ClaimCompensation(code="L1", **approval("2026-03-10")))  # filed by the approver this time
    with pytest.raises(Refused) as as_officer:
        ledger.execute(ApproveCompensation(code="L1", **on("2026-03-20", ref="临财金〔2026〕9号")))
    assert str(as_officer.value) == f"{OFFICER} is an officer; approving a P5.6 claim needs an approver"
    with pytest.raises(Refused) as own:
        ledger.execute(ApproveCompensation(code="L1", **approval("2026-03-20", ref="临财金〔2026〕9号")))
    assert str(own.value) == (f"loan L1: the claim was filed by {APPROVER}, so {APPROVER} cannot approve it too; "
                              "another approver must (four-eyes)")
    assert loan(ledger).claim.approved_on is None  # type: ignore[union-attr]  # claim is optional; this loan has one
    enrol(ledger, "approver-2", "approver", actor=APPROVER)
    with pytest.raises(Refused, match=f"approver-2 was registered by {APPROVER} on .* who filed this request"):
        ledger.execute(ApproveCompensation(code="L1", **{**on("2026-03-20", ref="临财金〔2026〕9号"),
                                                         "actor": "approver-2"}))  # two people are not one
    independent_approver(ledger, "approver-3")
    out = run(ledger, ApproveCompensation(code="L1", **{**on("2026-03-20", ref="临财金〔2026〕9号"),
                                                        "actor": "approver-3"}))
    assert f"by approver-3, claim filed by {APPROVER}" in out
    assert loan(ledger).claim.approved_by == "approver-3"  # type: ignore[union-attr]  # claim is optional; this loan has one


def test_a_p5_6b_loan_records_the_borrowers_stage_and_is_refused_without_it(ledger: Ledger) -> None:
    """P5.6b covers early-stage and start-up enterprises (早期、初创期): the stage is a required fact."""
    parties(ledger)
    terms = {"bank": "BANK-JS", "borrower": "ENT-7", "principal": D("100000.00"), "start": date(2025, 2, 1),
             "term_months": 12}
    before = sum(1 for _ in ledger.read_log())
    with pytest.raises(Refused, match=r"loan L4: a P5.6b loan needs the borrower's stage, one of early \(早期\), "
                                      r"startup \(初创期\)"):
        ledger.execute(EnrolLoan(code="L4", category="P5.6b", **terms, **on("2025-01-20")))
    with pytest.raises(Refused, match=r"needs the borrower's stage"):
        ledger.execute(EnrolLoan(code="L4", category="P5.6b", stage="mature", **terms, **on("2025-01-20")))
    with pytest.raises(Refused, match=r"a borrower's stage is recorded only for P5.6b loans"):
        ledger.execute(EnrolLoan(code="L4", category="P5.6a", stage="early", **terms, **on("2025-01-20")))
    assert sum(1 for _ in ledger.read_log()) == before
    out = ledger.execute(EnrolLoan(code="L4", category="P5.6b", stage="early", **terms, **on("2025-01-20")))
    assert "borrower's stage: early (早期)" in out.trace
    assert loan(ledger, "L4").stage == "early"
