"""Tech loans in the P5.6 credit risk compensation scheme: per loan the bank, borrower,
category, principal, unrepaid principal and declared loss, and per bearer of the loss
(省财政, 市财政, the bank) its share, what it paid, what it still owes and the recoveries
returned to it.

The status shown is derived from these figures exactly as :attr:`domain.loan.Loan.status`
derives it, so the report agrees with the aggregate at any point in the log.
"""

from __future__ import annotations

from typing import Any

from projections.events import event, name
from projections.layout import BIGINT, INTEGER, TEXT, Column, Table, fen, key
from projections.state import State, to_fen

LOANS = Table(
    "rm_loans",
    key("loan"),
    Column("bank", TEXT),
    Column("borrower", TEXT),
    Column("category", TEXT),
    Column("principal_fen", BIGINT),
    Column("start", TEXT),
    Column("term_months", INTEGER),
    Column("non_performing_on", TEXT),
    Column("loss_declared_on", TEXT),
    Column("claimed_on", TEXT),
    Column("approved_on", TEXT),
    Column("approved_ref", TEXT),
)

LOAN_TOTALS = Table(
    "rm_loan_totals",
    key("loan"),
    fen("disbursed_fen"),
    fen("repaid_fen"),
    fen("loss_fen"),
    fen("recovered_fen"),
    info={"sums": True},
)

# bearer: 省财政, 市财政 or "bank" (the split's name for the lending bank)
BEARERS = Table(
    "rm_loan_bearers",
    key("loan"),
    key("bearer"),
    fen("claimed_fen"),  # share of the loss in the claim
    fen("approved_fen"),  # share approved (a public payer owes it to the bank)
    fen("paid_fen"),
    fen("returned_fen"),  # recoveries returned to it
    info={"sums": True},
)

TABLES = (LOANS, LOAN_TOTALS, BEARERS)

Enrolled = event("Loan.Enrolled")
Disbursed = event("Loan.Disbursed")
Repaid = event("Loan.Repaid")
ClassifiedNonPerforming = event("Loan.ClassifiedNonPerforming")
LossDeclared = event("Loan.LossDeclared")
CompensationClaimed = event("Loan.CompensationClaimed")
CompensationApproved = event("Loan.CompensationApproved")
CompensationPaid = event("Loan.CompensationPaid")
Recovered = event("Loan.Recovered")
# corrections: a step recorded in error, reversed by a new event
PaymentReversed = event("Loan.PaymentReversed")
RepaymentReversed = event("Loan.RepaymentReversed")
RecoveryReversed = event("Loan.RecoveryReversed")
ClaimWithdrawn = event("Loan.ClaimWithdrawn")


def apply(state: State, position: int, event: Any) -> None:
    kind = name(event)
    if kind == Enrolled:
        state.put(LOANS, (event.code,), bank=event.bank, borrower=event.borrower, category=event.category,
                  principal_fen=to_fen(event.principal), start=event.start.isoformat(),
                  term_months=int(event.term_months), non_performing_on=None, loss_declared_on=None,
                  claimed_on=None, approved_on=None, approved_ref=None)
        state.add(LOAN_TOTALS, (event.code,), disbursed_fen=0)
    elif kind == Disbursed:
        state.add(LOAN_TOTALS, (event.loan,), disbursed_fen=to_fen(event.amount))
    elif kind == Repaid:
        state.add(LOAN_TOTALS, (event.loan,), repaid_fen=to_fen(event.amount))
    elif kind == ClassifiedNonPerforming:
        state.put(LOANS, (event.loan,), non_performing_on=event.by.decided.isoformat())
    elif kind == LossDeclared:
        state.put(LOANS, (event.loan,), loss_declared_on=event.by.decided.isoformat())
        state.add(LOAN_TOTALS, (event.loan,), loss_fen=to_fen(event.loss))
    elif kind == CompensationClaimed:
        state.put(LOANS, (event.loan,), claimed_on=event.by.decided.isoformat())
        for bearer, share in event.shares.items():
            state.add(BEARERS, (event.loan, bearer), claimed_fen=to_fen(share))
    elif kind == CompensationApproved:
        state.put(LOANS, (event.loan,), approved_on=event.by.decided.isoformat(), approved_ref=event.by.ref)
        for bearer, share in event.shares.items():
            state.add(BEARERS, (event.loan, bearer), approved_fen=to_fen(share))
    elif kind == CompensationPaid:
        state.add(BEARERS, (event.loan, event.payer), paid_fen=to_fen(event.amount))
    elif kind == Recovered:
        state.add(LOAN_TOTALS, (event.loan,), recovered_fen=to_fen(event.amount))
        for bearer, part in event.parts.items():
            state.add(BEARERS, (event.loan, bearer), returned_fen=to_fen(part))
    # corrections: a step recorded in error, reversed by a new event
    elif kind == PaymentReversed:
        state.add(BEARERS, (event.loan, event.payer), paid_fen=-to_fen(event.amount))
    elif kind == RepaymentReversed:
        state.add(LOAN_TOTALS, (event.loan,), repaid_fen=-to_fen(event.amount))
    elif kind == RecoveryReversed:
        state.add(LOAN_TOTALS, (event.loan,), recovered_fen=-to_fen(event.amount))
        for bearer, part in event.parts.items():
            state.add(BEARERS, (event.loan, bearer), returned_fen=-to_fen(part))
    elif kind == ClaimWithdrawn:
        state.put(LOANS, (event.loan,), claimed_on=None, approved_on=None, approved_ref=None)
        for bearer, share in event.shares.items():
            state.add(BEARERS, (event.loan, bearer), claimed_fen=-to_fen(share),
                      approved_fen=-to_fen(share) if event.approved_year else 0)
