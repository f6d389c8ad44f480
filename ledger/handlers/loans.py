"""Loans in the P5.6 credit risk compensation scheme: enrolment to the last recovery.

Handlers load the loan (and, at enrolment, the bank and the borrower: both must be
registered parties), call the domain methods, and word the outcome for the officer.

G.1 is judged on the enrolment: the steps after it (disburse, repay, default, claim, approve,
pay, recover) follow an in-window decision and may be dated after 2028-12-31, as a loan's
term, default and recoveries run on (docs/decisions.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar

from domain.compensation import BANK, CATEGORIES, basis_code
from domain.enterprise import KINDS, Enterprise
from domain.errors import InvalidDate, Refused
from domain.ids import loan_id, party_id
from domain.loan import (
    PAYERS,
    STAGES,
    Loan,
    claim_account,
    claimed_account,
    loss_account,
    payable_account,
    payer,
    stage_code,
)
from domain.messages import N_, Message
from domain.money import fmt, yuan
from domain.payment import Payment, Target
from domain.provenance import Provenance
from domain.validity import check_in_force
from ledger.commands import APPROVERS, Command, Outcome, handles
from ledger.handlers.officers import require_two_people
from ledger.handlers.payments import (
    check_reference,
    is_pending,
    outcome_data,
    pending_words,
    record_payment,
    reverses,
    reversing_journal,
    settles,
)
from ledger.unit_of_work import UnitOfWork

BORROWER_KINDS = {"enterprise"}


@dataclass(frozen=True, kw_only=True)
class EnrolLoan(Command):
    kind = "loan.enrol"
    code: str
    bank: str
    borrower: str
    category: str
    principal: Decimal
    start: date
    term_months: int
    stage: str = ""  # P5.6b: the borrower's stage (early 早期 | startup 初创期), required there

    def __post_init__(self) -> None:
        object.__setattr__(self, "stage", stage_code(self.stage))  # 早期 and early are the same request


@dataclass(frozen=True, kw_only=True)
class LoanStep(Command):
    """A step on an enrolled loan: G.1 was checked on the enrolment, so the step is not
    refused for its own date (a loan enrolled in 2028 is repaid, defaults and recovers later)."""

    checks_policy_window: ClassVar[bool] = False


@dataclass(frozen=True, kw_only=True)
class DisburseLoan(LoanStep):
    kind = "loan.disburse"
    code: str
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class RepayLoan(LoanStep):
    """A repayment under the bank's receipt (回单号, unique per bank)."""

    kind = "loan.repay"
    code: str
    amount: Decimal
    receipt: str = ""


@dataclass(frozen=True, kw_only=True)
class ClassifyNonPerforming(LoanStep):
    kind = "loan.default"
    code: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class DeclareLoss(LoanStep):
    """The bank's declaration that recovery is exhausted, with the principal lost."""

    kind = "loan.declare-loss"
    code: str
    loss: Decimal
    basis: str = "principal"

    def __post_init__(self) -> None:
        object.__setattr__(self, "basis", basis_code(self.basis))  # 本金 and principal are the same request


@dataclass(frozen=True, kw_only=True)
class ClaimCompensation(LoanStep):
    kind = "loan.claim"
    code: str
    loss: Decimal | None = None
    basis: str = "principal"
    province_rate: Decimal | None = None
    city_rate: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "basis", basis_code(self.basis))  # 本金 and principal are the same request


@dataclass(frozen=True, kw_only=True)
class ApproveCompensation(LoanStep):
    """The approval of a P5.6 claim: by an approver, never the officer who filed it (four-eyes)."""

    kind = "loan.approve"
    roles: ClassVar[frozenset[str]] = APPROVERS
    action: ClassVar[str] = N_("approving a P5.6 claim")
    code: str


@dataclass(frozen=True, kw_only=True)
class PayCompensation(LoanStep):
    """省财政 or 市财政 pays its share under a voucher (unique per payer); a pending order until an
    approver posts it, where the two-person rule is on."""

    kind = "loan.pay"
    code: str
    payer: str
    amount: Decimal | None = None
    voucher: str = ""


@dataclass(frozen=True, kw_only=True)
class RecordRecovery(LoanStep):
    """A recovery after compensation under the bank's receipt (回单号, unique per bank)."""

    kind = "loan.recover"
    code: str
    amount: Decimal
    receipt: str = ""


@dataclass(frozen=True, kw_only=True)
class WithdrawClaim(LoanStep):
    """A P5.6 claim recorded in error, withdrawn while nothing was paid or ordered on it: by an
    approver other than the officer who filed it, with a reason and a decision reference (文号)."""

    kind = "loan.withdraw-claim"
    roles: ClassVar[frozenset[str]] = APPROVERS
    action: ClassVar[str] = "withdrawing a P5.6 claim"
    code: str
    reason: str


def _loan(uow: UnitOfWork, code: str, by: Provenance) -> Loan:
    """The loan a step acts on. A step dated outside the G.1 window is accepted only as a
    follow-up of an enrolment decided inside it."""
    loan = uow.get(Loan, loan_id(code), f"loan {code}")
    try:
        check_in_force(by.decided, uow.book)
    except InvalidDate:
        try:
            check_in_force(loan.enrolled_on, uow.book)
        except InvalidDate as outside:
            raise InvalidDate(N_("loan {code} was not enrolled inside the policy window; {outside}"), code=code, outside=outside) from None
    return loan


@handles(EnrolLoan)
def enrol_loan(uow: UnitOfWork, cmd: EnrolLoan, by: Provenance) -> Outcome:
    bank = uow.get(Enterprise, party_id(cmd.bank), f"bank {cmd.bank}")
    if bank.kind != "bank":
        raise Refused(N_("party {bank} is registered as {kinds}, not as a bank (银行)"), bank=cmd.bank, kinds=KINDS[bank.kind])
    borrower = uow.get(Enterprise, party_id(cmd.borrower), f"borrower {cmd.borrower}")
    if borrower.kind not in BORROWER_KINDS:
        raise Refused(N_("party {borrower} is registered as {kinds}; a P5.6 borrower is a tech enterprise (企业)"), borrower=cmd.borrower, kinds=KINDS[borrower.kind])
    loan = Loan.enrol(by, cmd.code, cmd.bank, cmd.borrower, cmd.category, cmd.principal, cmd.start,
                      cmd.term_months)
    uow.add(loan, f"loan {cmd.code}")
    if cmd.category == "P5.6b" or cmd.stage:
        loan.record_stage(by, cmd.stage)
    stage = [f"borrower's stage: {cmd.stage} ({STAGES[cmd.stage]})"] if cmd.stage else []
    return Outcome(
        cmd.request_id,
        Message(N_("enrolled loan {code}: {name} → {name2}, {category} {categories}, principal {principal} from {start} for {term_months} months"), code=cmd.code, name=bank.name, name2=borrower.name, category=cmd.category, categories=CATEGORIES[cmd.category], principal=fmt(loan.principal), start=cmd.start, term_months=cmd.term_months),
        trace=[*stage, Message(N_("enrolment moves no money: nothing is posted until the bank disburses"))],
    )


@handles(DisburseLoan)
def disburse_loan(uow: UnitOfWork, cmd: DisburseLoan, by: Provenance) -> Outcome:
    loan = _loan(uow, cmd.code, by)
    loan.disburse(by, cmd.amount)
    return Outcome(cmd.request_id, Message(N_("loan {code}: {bank} disbursed {amount}; disbursed {disbursed} of {principal}"), code=cmd.code, bank=loan.bank, amount=fmt(cmd.amount), disbursed=fmt(loan.disbursed), principal=fmt(loan.principal)))


@handles(RepayLoan)
def repay_loan(uow: UnitOfWork, cmd: RepayLoan, by: Provenance) -> Outcome:
    loan = _loan(uow, cmd.code, by)
    record_payment(uow, cmd, by, source=loan.bank, reference=cmd.receipt, operation=RepayLoan.kind,
                   target=Target(loan.code, loan.borrower, loan.category, yuan(cmd.amount)),
                   summary=f"repayment of loan {loan.code}")
    loan.repay(by, cmd.amount)
    return Outcome(cmd.request_id, Message(N_("loan {code}: repaid {amount}; unrepaid principal {unrepaid}"), code=cmd.code, amount=fmt(cmd.amount), unrepaid=fmt(loan.unrepaid)))


@handles(ClassifyNonPerforming)
def classify_non_performing(uow: UnitOfWork, cmd: ClassifyNonPerforming, by: Provenance) -> Outcome:
    loan = _loan(uow, cmd.code, by)
    loan.classify_non_performing(by, cmd.reason)
    why = f" ({cmd.reason})" if cmd.reason else ""
    return Outcome(cmd.request_id, Message(N_("loan {code} classified non-performing on {decided}{why}; unrepaid principal {unrepaid}"), code=cmd.code, decided=by.decided, why=why, unrepaid=fmt(loan.unrepaid)),
                   trace=[Message(N_("a classification moves no money: nothing is posted until the bank declares the loss"))])


@handles(DeclareLoss)
def declare_loss(uow: UnitOfWork, cmd: DeclareLoss, by: Provenance) -> Outcome:
    loan = _loan(uow, cmd.code, by)
    loan.declare_loss(by, cmd.loss, cmd.basis)
    return Outcome(
        cmd.request_id,
        Message(N_("loan {code}: {bank} declared recovery exhausted with a principal loss of {loss} (unrepaid principal {unrepaid})"), code=cmd.code, bank=loan.bank, loss=fmt(loan.loss), unrepaid=fmt(loan.unrepaid)),
    )


@handles(ClaimCompensation)
def claim_compensation(uow: UnitOfWork, cmd: ClaimCompensation, by: Provenance) -> Outcome:
    loan = _loan(uow, cmd.code, by)
    split = loan.claim_compensation(by, uow.book, loss=cmd.loss, basis=cmd.basis,
                                    province_rate=cmd.province_rate, city_rate=cmd.city_rate)
    return Outcome(
        cmd.request_id,
        Message(N_("loan {code}: claimed {clause} compensation on a principal loss of {loss}: 省财政 {province}, 市财政 {city}, bank {bank} bears {bank2}"), code=cmd.code, clause=split.clause, loss=fmt(split.loss), province=fmt(split.province), city=fmt(split.city), bank=loan.bank, bank2=fmt(split.bank)),
        trace=[*split.trace, Message(N_("parameters: {versions}"), versions=', '.join(split.versions)),
               Message(N_("journal (claimed, pending approval): {legs}"), legs=[
                   Message(N_("Dr {debit} Cr {credit} {amount}"), debit=claim_account(cmd.code, p),
                           credit=claimed_account(loan.bank, p), amount=fmt(split.shares[p])) for p in PAYERS])],
        data={k: str(v) for k, v in split.shares.items()},
    )


@handles(ApproveCompensation)
def approve_compensation(uow: UnitOfWork, cmd: ApproveCompensation, by: Provenance) -> Outcome:
    loan = _loan(uow, cmd.code, by)
    claim = loan.approve(by)  # refuses the filer themself (four-eyes), with the claim's own words
    require_two_people(uow, claim.claimed_by, cmd.actor, by.recorded_at)  # nor an identity the filer made
    owed = [Message(N_("{payer} owes {bank} {amount}"), payer=p, bank=loan.bank, amount=fmt(claim.shares[p]))
            for p in PAYERS]
    return Outcome(cmd.request_id, Message(N_("loan {code}: {clause} compensation approved ({ref}) by {actor}, claim filed by {claimed_by}: {owed}"), code=cmd.code, clause=claim.clause, ref=cmd.ref, actor=cmd.actor, claimed_by=claim.claimed_by, owed=owed),
                   trace=[*claim.trace, Message(N_("journal (claimed → approved): {legs}"), legs=[
                       Message(N_("Dr {debit} Cr {credit}, Dr {debit2} Cr {credit2} {amount}"),
                               debit=claimed_account(loan.bank, p), credit=claim_account(cmd.code, p),
                               debit2=loss_account(cmd.code, p), credit2=payable_account(loan.bank, p),
                               amount=fmt(claim.shares[p])) for p in PAYERS])])


@handles(PayCompensation)
def pay_compensation(uow: UnitOfWork, cmd: PayCompensation, by: Provenance) -> Outcome:
    loan = _loan(uow, cmd.code, by)
    who = payer(cmd.payer)
    check_reference(uow, cmd, source=who, reference=cmd.voucher, operation=PayCompensation.kind)
    amount = loan.quote_payment(by, who, cmd.amount)
    payment = record_payment(uow, cmd, by, source=who, reference=cmd.voucher, operation=PayCompensation.kind,
                             target=Target(loan.code, who, loan.claim.clause if loan.claim else loan.category, amount),
                             summary=f"P5.6 compensation of loan {loan.code} by {who}")
    if is_pending(payment):
        loan.order_payment(by, who, amount, payment.reference)
        return Outcome(cmd.request_id, Message(N_("loan {code}: {who} → {bank}: {order}"), code=cmd.code, who=who,
                                               bank=loan.bank, order=pending_words(payment)),
                       data=outcome_data(payment))
    loan.pay(by, who, amount, payment.reference)
    return Outcome(cmd.request_id, _paid_words(loan, who, amount), data=outcome_data(payment))


def _paid_words(loan: Loan, who: str, paid: Decimal) -> Message:
    return Message(N_("loan {code}: {who} paid {paid} to {bank}; paid {paid2} of {approved}, still owes {owed}"),
                   code=loan.code, who=who, paid=fmt(paid), bank=loan.bank, paid2=fmt(loan.paid[who]),
                   approved=fmt(loan.approved(who)), owed=fmt(loan.owed(who)))


def _post_compensation(uow: UnitOfWork, payment: Payment, by: Provenance) -> Outcome:
    loan = _loan(uow, payment.entity, by)
    loan.pay(by, payment.item, payment.amount, payment.reference, ordered=True)
    return Outcome(by.request_id, _paid_words(loan, payment.item, payment.amount))


def _void_compensation(uow: UnitOfWork, payment: Payment, by: Provenance, reason: str) -> Message:
    loan = _loan(uow, payment.entity, by)
    loan.void_payment_order(by, payment.item, payment.amount, payment.reference, reason)
    return Message(N_("loan {code}: {who} still owes {owed}"), code=loan.code, who=payment.item,
                   owed=fmt(loan.owed(payment.item)))


settles(PayCompensation.kind, _post_compensation, _void_compensation)


def _paid_year(payment: Payment) -> int:
    return (payment.settled_on or payment.ordered_on).year


def _reverse_compensation(uow: UnitOfWork, payment: Payment, by: Provenance, reason: str) -> Outcome:
    loan = _loan(uow, payment.entity, by)
    loan.reverse_payment(by, payment.item, payment.amount, payment.reference, _paid_year(payment), reason)
    return Outcome(by.request_id, Message(N_("loan {code}: {bank} gives back {amount}; {who} paid {paid} of {approved} "
                                             "and owes {owed} again"), code=loan.code, bank=loan.bank,
                                          amount=fmt(payment.amount), who=payment.item,
                                          paid=fmt(loan.paid[payment.item]), approved=fmt(loan.approved(payment.item)),
                                          owed=fmt(loan.owed(payment.item))),
                   trace=[reversing_journal(loan)], data={"loan": loan.code, "paid": loan.paid[payment.item]})


def _reverse_repayment(uow: UnitOfWork, payment: Payment, by: Provenance, reason: str) -> Outcome:
    loan = _loan(uow, payment.entity, by)
    loan.reverse_repayment(by, payment.amount, payment.reference, _paid_year(payment), reason)
    return Outcome(by.request_id, Message(N_("loan {code}: repayment of {amount} reversed; unrepaid principal "
                                             "{unrepaid}"), code=loan.code, amount=fmt(payment.amount),
                                          unrepaid=fmt(loan.unrepaid)),
                   trace=[reversing_journal(loan)], data={"loan": loan.code, "unrepaid": loan.unrepaid})


def _reverse_recovery(uow: UnitOfWork, payment: Payment, by: Provenance, reason: str) -> Outcome:
    loan = _loan(uow, payment.entity, by)
    parts = loan.reverse_recovery(by, payment.request_id, payment.reference, reason)
    taken = "; ".join(f"{loan.bank if k == BANK else k} {fmt(v)}" for k, v in parts.items())
    return Outcome(by.request_id, Message(N_("loan {code}: recovery of {amount} reversed, taken back from each bearer: "
                                             "{taken}; recovered {recovered} in all"), code=loan.code,
                                          amount=fmt(payment.amount), taken=taken, recovered=fmt(loan.recovered)),
                   trace=[reversing_journal(loan)],
                   data={"loan": loan.code, **{k: str(v) for k, v in parts.items()}})


reverses(PayCompensation.kind, _reverse_compensation)
reverses(RepayLoan.kind, _reverse_repayment)
reverses(RecordRecovery.kind, _reverse_recovery)


@handles(RecordRecovery)
def record_recovery(uow: UnitOfWork, cmd: RecordRecovery, by: Provenance) -> Outcome:
    loan = _loan(uow, cmd.code, by)
    record_payment(uow, cmd, by, source=loan.bank, reference=cmd.receipt, operation=RecordRecovery.kind,
                   target=Target(loan.code, "", loan.claim.clause if loan.claim else loan.category, yuan(cmd.amount)),
                   summary=f"recovery on loan {loan.code}")
    back = loan.recover(by, cmd.amount)
    returned = "; ".join(f"{loan.bank if k == BANK else k} {fmt(v)}" for k, v in back.parts.items())
    assert loan.claim is not None
    return Outcome(
        cmd.request_id,
        Message(N_("loan {code}: recovered {amount} after compensation, returned pro rata: {returned}; loss still outstanding {value}"), code=cmd.code, amount=fmt(back.amount), returned=returned, value=fmt(loan.claim.loss - loan.recovered)),
        trace=list(back.trace),
        data={k: str(v) for k, v in back.parts.items()},
    )


@handles(WithdrawClaim)
def withdraw_claim(uow: UnitOfWork, cmd: WithdrawClaim, by: Provenance) -> Outcome:
    loan = _loan(uow, cmd.code, by)
    filed_by = loan.claim.claimed_by if loan.claim is not None else ""
    if filed_by == cmd.actor:
        raise Refused(N_("loan {code}: the claim was filed by {claimed_by}, so {actor} cannot withdraw it too; another "
                         "approver must (four-eyes)"), code=cmd.code, claimed_by=filed_by, actor=cmd.actor)
    if filed_by:
        require_two_people(uow, filed_by, cmd.actor, by.recorded_at)
    claim = loan.withdraw_claim(by, cmd.reason)
    what = Message(N_("approved ({ref})"), ref=claim.approved_ref) if claim.approved_on else Message(N_("not approved"))
    released = [Message(N_("{payer} {amount}"), payer=p, amount=fmt(claim.shares[p])) for p in PAYERS]
    return Outcome(cmd.request_id,
                   Message(N_("loan {code}: {clause} claim of {claimed_on} ({what}) withdrawn by {actor} ({ref}): "
                              "{reason}; released {released}; a new claim may be filed"), code=cmd.code,
                           clause=claim.clause, claimed_on=claim.claimed_on, what=what, actor=cmd.actor, ref=cmd.ref,
                           reason=cmd.reason.strip(), released=released),
                   trace=[reversing_journal(loan)],
                   data={"loan": cmd.code, **{p: str(claim.shares[p]) for p in PAYERS}})
