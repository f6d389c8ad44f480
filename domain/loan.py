"""A tech loan enrolled in the credit risk compensation scheme (P5.6), from enrolment to the
last recovery.

One aggregate per loan, so every check that spans its steps (one claim per loss, payments
within what was approved, recoveries within the outstanding loss) is decided on one
consistent state; two officers acting at once conflict and the second is re-run.

Journal accounts (see :mod:`domain.journal`):

- ``loan:<code>``              principal the borrower still owes the bank
- ``loss:<code>:<bearer>``     principal loss borne by the bank, 省财政 or 市财政
- ``claim:<code>:<payer>``     compensation the bank has claimed from 省财政 / 市财政, not yet approved
- ``claimed:<bank>:<payer>``   its counterpart: what 省财政 / 市财政 is asked to pay, pending approval
- ``payable:<bank>:<payer>``   compensation approved and not yet paid by 省财政 / 市财政
- ``funding:<party>``          cash of the bank, 省财政 or 市财政

Every money step posts (P5.6): disbursement and repayment move principal; the declared loss is
written off to the bank; the claim records what each public payer is asked for (claimed); the
approval clears the claim into the payer's payable and loss share (approved); a payment settles
the payable in cash (paid); a recovery goes back to each bearer. Enrolment and classification
as non-performing move no money and post nothing.

Four-eyes (P5.6): the officer who filed a claim never approves it; the approver role itself is
checked by ``ledger.handlers.officers.authorize`` before the command runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import journal
from domain.compensation import BANK, BEARERS, CATEGORIES, RecoveryReturn, check_basis, recovery_return
from domain.errors import CapExceeded, InvalidAmount, InvalidDate, Refused
from domain.ids import loan_id
from domain.messages import N_, Message
from domain.money import ZERO, fmt, yuan
from domain.parameters import ParameterBook
from domain.provenance import Provenance
from domain.rules import Split, split_loss

PAYERS = (journal.PROVINCE, journal.CITY)
STAGES = {"early": "早期", "startup": "初创期"}  # P5.6b: 早期、初创期科技型企业


def stage_code(stage: str) -> str:
    """A borrower's stage typed in Chinese (``早期``) as its code; anything else as typed."""
    value = stage.strip()
    return {label: code for code, label in STAGES.items()}.get(value, value)
PAYER_ALIASES = {"province": journal.PROVINCE, "省财政": journal.PROVINCE, "city": journal.CITY, "市财政": journal.CITY}

__all__ = ["CATEGORIES", "PAYERS", "Claim", "Loan", "claim_account", "claimed_account", "loan_account", "loss_account",
           "payable_account", "payer"]


def loan_account(code: str) -> str:
    return f"loan:{code}"


def loss_account(code: str, bearer: str) -> str:
    return f"loss:{code}:{bearer}"


def payable_account(bank: str, payer_name: str) -> str:
    return f"payable:{bank}:{payer_name}"


def claim_account(code: str, payer_name: str) -> str:
    """The bank's claim on 省财政 / 市财政 for loan ``code``, until approved."""
    return f"claim:{code}:{payer_name}"


def claimed_account(bank: str, payer_name: str) -> str:
    """What 省财政 / 市财政 is asked to pay the bank, pending approval (the claim's counterpart)."""
    return f"claimed:{bank}:{payer_name}"


def payer(name: str) -> str:
    """省财政 / 市财政 (also accepted: province / city)."""
    try:
        return PAYER_ALIASES[name.strip().lower() if name.isascii() else name.strip()]
    except KeyError:
        raise Refused(N_("P5.6: payer must be 省财政 (province) or 市财政 (city), not {name!r}"), name=name) from None


@dataclass
class Claim:
    """The compensation claimed for the declared loss, as the rule split it."""

    clause: str
    loss: Decimal
    shares: dict[str, Decimal]
    claimed_on: date
    trace: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    approved_on: date | None = None
    approved_ref: str = ""
    claimed_by: str = ""
    approved_by: str = ""
    basis: dict[str, str] = field(default_factory=dict)  # the split rule's basis, as recorded


# the first line of a version-1 claim's trace: "P5.6b: 50% × 1,000,000.00 = 500,000.00 (省财政); 40% × …"
_EARLIER_RATES = re.compile(r"^P5\.6[ab]: (?P<province>[\d.]+)% × [\d,.]+ = [\d,.]+ \(省财政\); "
                            r"(?P<city>[\d.]+)% × [\d,.]+ = [\d,.]+ \(市财政\)")


class Loan(Aggregate):
    """An enrolled loan: bank, borrower, P5.6 category, principal and term."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return loan_id(code)

    @classmethod
    def enrol(
        cls,
        by: Provenance,
        code: str,
        bank: str,
        borrower: str,
        category: str,
        principal: Decimal,
        start: date,
        term_months: int,
    ) -> Loan:
        if not code.strip():
            raise Refused(N_("a loan needs a code"))
        if category not in CATEGORIES:
            raise Refused(N_("loan {code}: category must be one of {categories}"), code=code, categories=', '.join(CATEGORIES))
        principal = yuan(principal)
        if principal <= 0:
            raise InvalidAmount(N_("loan {code}: principal must be positive"), code=code)
        if term_months <= 0:
            raise Refused(N_("loan {code}: term must be at least one month"), code=code)
        if bank == borrower:
            raise Refused(N_("loan {code}: the bank and the borrower must be different parties"), code=code)
        return cls(
            by=by, code=code, bank=bank, borrower=borrower, category=category,
            principal=principal, start=start, term_months=term_months,
        )

    class Enrolled(Aggregate.Created):
        by: Provenance
        code: str
        bank: str
        borrower: str
        category: str
        principal: Decimal
        start: date
        term_months: int

    @event(Enrolled)
    def __init__(
        self,
        by: Provenance,
        code: str,
        bank: str,
        borrower: str,
        category: str,
        principal: Decimal,
        start: date,
        term_months: int,
    ) -> None:
        self.code = code
        self.bank = bank
        self.borrower = borrower
        self.category = category
        self.principal = principal
        self.start = start
        self.term_months = term_months
        self.enrolled_on = by.decided
        self.moved_on: date | None = None  # date of the latest disbursement, repayment or loss
        self.disbursed = ZERO
        self.repaid = ZERO
        self.non_performing_on: date | None = None
        self.loss = ZERO
        self.loss_declared_on: date | None = None
        self.claim: Claim | None = None
        self.paid: dict[str, Decimal] = dict.fromkeys(PAYERS, ZERO)
        self.pending: dict[str, Decimal] = dict.fromkeys(PAYERS, ZERO)  # payment orders not yet posted
        self.paid_on: dict[str, date] = {}
        self.recovered = ZERO
        self.returned: dict[str, Decimal] = dict.fromkeys(BEARERS, ZERO)
        self.stage = ""  # P5.6b: the borrower's stage when enrolled (早期 early, 初创期 startup)
        self.recoveries: list[dict[str, Any]] = []  # each recovery's request, amount and return (reversible)

    def record_stage(self, by: Provenance, stage: str) -> None:
        """P5.6b covers R&D credit loans of early-stage or start-up enterprises (早期、初创期科技型企业):
        the borrower's stage is a required fact of such a loan, recorded at enrolment."""
        if self.category != "P5.6b":
            raise Refused(N_("loan {code}: a borrower's stage is recorded only for P5.6b loans"), code=self.code)
        if stage not in STAGES:
            raise Refused(N_("loan {code}: a P5.6b loan needs the borrower's stage, one of {stages} (早期、初创期科技型企业)"),
                          code=self.code, stages=", ".join(f"{k} ({v})" for k, v in STAGES.items()))
        self._stage_recorded(by, self.code, stage)

    class StageRecorded(Aggregate.Event):
        by: Provenance
        code: str
        stage: str

    @event(StageRecorded)
    def _stage_recorded(self, by: Provenance, code: str, stage: str) -> None:
        self.stage = stage

    # views ---------------------------------------------------------------------------
    @property
    def unrepaid(self) -> Decimal:
        """Principal lent and not repaid (before any write-off)."""
        return self.disbursed - self.repaid

    @property
    def status(self) -> str:
        if self.claim is not None:
            if self.claim.approved_on is None:
                return "claimed"
            if any(self.owed(p) for p in PAYERS):
                return "approved"
            return "recovering" if self.recovered else "compensated"
        if self.loss_declared_on is not None:
            return "loss declared"
        if self.non_performing_on is not None:
            return "non-performing"
        if self.disbursed == 0:
            return "enrolled"
        return "repaid" if self.unrepaid == 0 else "performing"

    def approved(self, payer_name: str) -> Decimal:
        if self.claim is None or self.claim.approved_on is None:
            return ZERO
        return self.claim.shares[payer_name]

    def owed(self, payer_name: str) -> Decimal:
        """Approved and not yet paid by 省财政 / 市财政."""
        return self.approved(payer_name) - self.paid[payer_name]

    # lending -------------------------------------------------------------------------
    def disburse(self, by: Provenance, amount: Decimal) -> None:
        amount = _positive(amount, f"loan {self.code}: disbursement")
        if by.decided < self.start:
            raise InvalidDate(N_("loan {code}: disbursement on {decided} is before the loan starts ({start})"), code=self.code, decided=by.decided, start=self.start)
        if self.non_performing_on is not None:
            raise Refused(N_("loan {code} is non-performing since {non_performing_on}: no further disbursement"), code=self.code, non_performing_on=self.non_performing_on)
        self._not_before_last_movement(by, N_("disbursement"))
        if amount > self.principal - self.disbursed:
            raise CapExceeded(
                N_("loan {code}: disbursement {amount} exceeds the undisbursed principal ({value} of {principal})"), code=self.code, amount=fmt(amount), value=fmt(self.principal - self.disbursed), principal=fmt(self.principal)
            )
        self._disbursed(by, self.code, self.bank, amount)

    class Disbursed(Aggregate.Event):
        by: Provenance
        loan: str
        bank: str
        amount: Decimal

    @event(Disbursed)
    def _disbursed(self, by: Provenance, loan: str, bank: str, amount: Decimal) -> None:
        self.disbursed += amount
        self.moved_on = by.decided

    def repay(self, by: Provenance, amount: Decimal) -> None:
        amount = _positive(amount, f"loan {self.code}: repayment")
        if self.loss_declared_on is not None:
            raise Refused(
                N_("loan {code}: recovery was declared exhausted on {loss_declared_on}; money received later is a recovery (loan recover), not a repayment"), code=self.code, loss_declared_on=self.loss_declared_on
            )
        if amount > self.unrepaid:
            raise CapExceeded(
                N_("loan {code}: repayment {amount} exceeds the unrepaid principal {unrepaid}"), code=self.code, amount=fmt(amount), unrepaid=fmt(self.unrepaid)
            )
        self._not_before_last_movement(by, N_("repayment"))
        if self.non_performing_on is not None and by.decided < self.non_performing_on:
            raise InvalidDate(N_("loan {code}: repayment on {decided} is before the classification as non-performing ({non_performing_on}), which counted it unrepaid"), code=self.code, decided=by.decided, non_performing_on=self.non_performing_on)
        self._repaid(by, self.code, self.bank, amount)

    class Repaid(Aggregate.Event):
        by: Provenance
        loan: str
        bank: str
        amount: Decimal

    @event(Repaid)
    def _repaid(self, by: Provenance, loan: str, bank: str, amount: Decimal) -> None:
        self.repaid += amount
        self.moved_on = by.decided

    # default -------------------------------------------------------------------------
    def classify_non_performing(self, by: Provenance, reason: str = "") -> None:
        if self.non_performing_on is not None:
            raise Refused(N_("loan {code} is already non-performing (since {non_performing_on})"), code=self.code, non_performing_on=self.non_performing_on)
        if self.unrepaid <= 0:
            raise Refused(N_("loan {code}: no unrepaid principal, nothing can be non-performing"), code=self.code)
        self._not_before_last_movement(by, N_("classification as non-performing"))
        self._classified_non_performing(by, self.code, reason)

    class ClassifiedNonPerforming(Aggregate.Event):
        by: Provenance
        loan: str
        reason: str

    @event(ClassifiedNonPerforming)
    def _classified_non_performing(self, by: Provenance, loan: str, reason: str) -> None:
        self.non_performing_on = by.decided

    def declare_loss(self, by: Provenance, loss: Decimal, basis: str = "principal") -> None:
        """The bank declares recovery exhausted, with the principal it lost (P5.6: principal only)."""
        check_basis(basis)
        loss = _positive(loss, f"loan {self.code}: principal loss")
        if self.non_performing_on is None:
            raise Refused(N_("loan {code} is not classified non-performing; classify it first (loan default)"), code=self.code)
        if self.loss_declared_on is not None:
            raise Refused(
                N_("loan {code}: a principal loss of {loss} was already declared on {loss_declared_on}"), code=self.code, loss=fmt(self.loss), loss_declared_on=self.loss_declared_on
            )
        if loss > self.unrepaid:
            raise CapExceeded(
                N_("loan {code}: loss {loss} is larger than the unrepaid principal {unrepaid}"), code=self.code, loss=fmt(loss), unrepaid=fmt(self.unrepaid)
            )
        if by.decided < self.non_performing_on:
            raise InvalidDate(N_("loan {code}: loss declared on {decided} is before the classification as non-performing ({non_performing_on})"), code=self.code, decided=by.decided, non_performing_on=self.non_performing_on)
        self._not_before_last_movement(by, N_("loss declaration"))
        self._loss_declared(by, self.code, self.bank, loss)

    class LossDeclared(Aggregate.Event):
        by: Provenance
        loan: str
        bank: str
        loss: Decimal

    @event(LossDeclared)
    def _loss_declared(self, by: Provenance, loan: str, bank: str, loss: Decimal) -> None:
        self.loss = loss
        self.loss_declared_on = by.decided
        self.moved_on = by.decided

    # compensation --------------------------------------------------------------------
    def claim_compensation(
        self,
        by: Provenance,
        book: ParameterBook,
        *,
        loss: Decimal | None = None,
        basis: str = "principal",
        province_rate: Decimal | None = None,
        city_rate: Decimal | None = None,
    ) -> Split:
        """Claim P5.6 compensation for the declared loss; the rule in force on the decision
        date splits it. One claim per loss."""
        check_basis(basis)
        if self.claim is not None:
            raise Refused(
                N_("loan {code}: compensation for the loss of {loss} was already claimed on {claimed_on}; a loss is compensated once"), code=self.code, loss=fmt(self.claim.loss), claimed_on=self.claim.claimed_on
            )
        if loss is not None:
            loss = _positive(loss, f"loan {self.code}: claimed loss")
            if loss > self.unrepaid:
                raise CapExceeded(
                    N_("loan {code}: loss {loss} is larger than the unrepaid principal {unrepaid}"), code=self.code, loss=fmt(loss), unrepaid=fmt(self.unrepaid)
                )
        if self.loss_declared_on is None:
            raise Refused(
                N_("loan {code}: the bank has not declared recovery exhausted with a principal loss (the bank's declaration of the loss comes first)"), code=self.code
            )
        if loss is not None and loss != self.loss:
            raise Refused(N_("loan {code}: the claim must be for the declared loss {loss}, not {loss2}"), code=self.code, loss=fmt(self.loss), loss2=fmt(loss))
        if by.decided < self.loss_declared_on:
            raise InvalidDate(N_("loan {code}: claim on {decided} is before the loss was declared ({loss_declared_on})"), code=self.code, decided=by.decided, loss_declared_on=self.loss_declared_on)
        split = split_loss(self.category, self.loss, by.decided, book, province_rate=province_rate,
                           city_rate=city_rate)
        self._compensation_claimed(by, self.code, self.bank, split.clause, split.loss,
                                   {k: v for k, v in split.shares.items()}, split.trace, split.versions, split.basis)
        return split

    class CompensationClaimed(Aggregate.Event):
        by: Provenance
        loan: str
        bank: str
        clause: str
        loss: Decimal
        shares: dict[str, Decimal]
        trace: list[str]
        versions: list[str]
        basis: dict[str, str]  # the split rule's basis (loss, and the rates if the decision gave them)

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 had no ``basis``: the loss, and (a P5.6b claim that did not use the rule
            book's default rates, so recorded no ``province_share`` version) the rates the decision
            gave, as its recorded trace states them (``50% × … (省财政); 40% × … (市财政)``)."""
            basis = {"loss": f"{Decimal(state['loss']):.2f}"}
            defaults = any(".province_share@" in v for v in state["versions"])
            given = _EARLIER_RATES.match(state["trace"][0]) if state["trace"] and not defaults else None
            if given is not None:
                basis |= {"province_rate": f"{given['province']}%", "city_rate": f"{given['city']}%"}
            state["basis"] = basis

    @event(CompensationClaimed)
    def _compensation_claimed(
        self, by: Provenance, loan: str, bank: str, clause: str, loss: Decimal,
        shares: dict[str, Decimal], trace: list[str], versions: list[str], basis: dict[str, str],
    ) -> None:
        self.claim = Claim(clause, loss, dict(shares), by.decided, list(trace), list(versions), claimed_by=by.actor,
                           basis=dict(basis))

    def approve(self, by: Provenance) -> Claim:
        claim = self._claim()
        if claim.approved_on is not None:
            raise Refused(N_("loan {code}: the claim was already approved on {approved_on} ({approved_ref})"), code=self.code, approved_on=claim.approved_on, approved_ref=claim.approved_ref)
        if not by.ref.strip():
            raise Refused(N_("loan {code}: an approval needs a decision reference (文号)"), code=self.code)
        if by.decided < claim.claimed_on:
            raise InvalidDate(N_("loan {code}: approval on {decided} is before the claim ({claimed_on})"), code=self.code, decided=by.decided, claimed_on=claim.claimed_on)
        if claim.claimed_by and by.actor == claim.claimed_by:
            raise Refused(
                N_("loan {code}: the claim was filed by {claimed_by}, so {actor} cannot approve it too; another approver must (four-eyes)"), code=self.code, claimed_by=claim.claimed_by, actor=by.actor
            )
        self._compensation_approved(by, self.code, self.bank, claim.clause, dict(claim.shares))
        return claim

    class CompensationApproved(Aggregate.Event):
        by: Provenance
        loan: str
        bank: str
        clause: str
        shares: dict[str, Decimal]

    @event(CompensationApproved)
    def _compensation_approved(
        self, by: Provenance, loan: str, bank: str, clause: str, shares: dict[str, Decimal]
    ) -> None:
        assert self.claim is not None
        self.claim.approved_on = by.decided
        self.claim.approved_ref = by.ref
        self.claim.approved_by = by.actor

    def pay(self, by: Provenance, payer_name: str, amount: Decimal | None = None, voucher: str = "",
            ordered: bool = False) -> Decimal:
        """省财政 or 市财政 pays (part of) its approved share to the bank: directly, or by posting its
        pending order (``ordered``)."""
        who = payer(payer_name)
        if ordered:
            amount = yuan(amount or ZERO)
            if amount <= 0 or amount > self.pending[who]:
                raise Refused(N_("loan {code}: no pending order of {amount} by {who} ({pending} pending)"),
                              code=self.code, amount=fmt(amount), who=who, pending=fmt(self.pending[who]))
            claim = self._claim()
        else:
            claim, amount = self._check_pay(by, who, amount)
        self._compensation_paid(by, self.code, self.bank, claim.clause, who, amount, voucher, ordered)
        return amount

    def quote_payment(self, by: Provenance, payer_name: str, amount: Decimal | None) -> Decimal:
        """What a payment (or its order) of ``payer_name`` would pay now; refuses what it may not."""
        return self._check_pay(by, payer(payer_name), amount)[1]

    def _check_pay(self, by: Provenance, who: str, amount: Decimal | None) -> tuple[Claim, Decimal]:
        claim = self._claim()
        if claim.approved_on is None:
            raise Refused(N_("loan {code}: the claim is not approved yet; nothing can be paid"), code=self.code)
        if by.decided < claim.approved_on:
            raise InvalidDate(N_("loan {code}: payment on {decided} is before the approval ({approved_on})"),
                              code=self.code, decided=by.decided, approved_on=claim.approved_on)
        owed = self.owed(who) - self.pending[who]
        amount = owed if amount is None else _positive(amount, f"loan {self.code}: payment")
        if amount <= 0 and self.pending[who]:
            raise Refused(N_("loan {code}: {who} has paid or ordered its whole share ({approved}; {pending} pending "
                             "approval)"), code=self.code, who=who, approved=fmt(self.approved(who)),
                          pending=fmt(self.pending[who]))
        if amount <= 0:
            raise Refused(N_("loan {code}: {who} has paid its whole share ({approved})"), code=self.code, who=who,
                          approved=fmt(self.approved(who)))
        if amount > owed and self.pending[who]:
            raise CapExceeded(
                N_("loan {code}: payment {amount} by {who} exceeds what was approved and not yet paid "
                   "({owed} of {approved}; {pending} pending approval)"),
                code=self.code, amount=fmt(amount), who=who, owed=fmt(owed), approved=fmt(self.approved(who)),
                pending=fmt(self.pending[who]))
        if amount > owed:
            raise CapExceeded(
                N_("loan {code}: payment {amount} by {who} exceeds what was approved and not yet paid "
                   "({owed} of {approved})"),
                code=self.code, amount=fmt(amount), who=who, owed=fmt(owed), approved=fmt(self.approved(who)))
        return claim, amount

    def order_payment(self, by: Provenance, payer_name: str, amount: Decimal, voucher: str) -> None:
        """A compensation payment order (待审核): reserved on the payer's share until posted."""
        who = payer(payer_name)
        claim, amount = self._check_pay(by, who, amount)
        self._payment_ordered(by, self.code, self.bank, claim.clause, who, amount, voucher)

    class PaymentOrdered(Aggregate.Event):
        by: Provenance
        loan: str
        bank: str
        clause: str
        payer: str
        amount: Decimal
        voucher: str

    @event(PaymentOrdered)
    def _payment_ordered(self, by: Provenance, loan: str, bank: str, clause: str, payer: str, amount: Decimal,
                         voucher: str) -> None:
        self.pending[payer] += amount

    def void_payment_order(self, by: Provenance, payer_name: str, amount: Decimal, voucher: str, reason: str) -> None:
        who = payer(payer_name)
        if amount > self.pending[who]:
            raise Refused(N_("loan {code}: no pending order of {amount} by {who} ({pending} pending)"),
                          code=self.code, amount=fmt(amount), who=who, pending=fmt(self.pending[who]))
        self._payment_order_voided(by, self.code, self.bank, self._claim().clause, who, amount, voucher, reason)

    class PaymentOrderVoided(Aggregate.Event):
        by: Provenance
        loan: str
        bank: str
        clause: str
        payer: str
        amount: Decimal
        voucher: str
        reason: str

    @event(PaymentOrderVoided)
    def _payment_order_voided(self, by: Provenance, loan: str, bank: str, clause: str, payer: str, amount: Decimal,
                              voucher: str, reason: str) -> None:
        self.pending[payer] -= amount

    class CompensationPaid(Aggregate.Event):
        by: Provenance
        loan: str
        bank: str
        clause: str
        payer: str
        amount: Decimal
        voucher: str
        ordered: bool = False  # posting a pending order (events stored before orders existed: False)

    @event(CompensationPaid)
    def _compensation_paid(
        self, by: Provenance, loan: str, bank: str, clause: str, payer: str, amount: Decimal, voucher: str,
        ordered: bool = False,
    ) -> None:
        self.paid[payer] += amount
        self.paid_on[payer] = by.decided
        if ordered:
            self.pending[payer] -= amount

    def recover(self, by: Provenance, amount: Decimal) -> RecoveryReturn:
        """Money the bank recovers after compensation, returned to each bearer pro rata to what
        it compensated (P5.6). Only after compensation: until 省财政 and 市财政 have paid their
        whole approved shares, a payer would get back money it never paid."""
        claim = self._claim()
        if claim.approved_on is None:
            raise Refused(N_("loan {code}: recoveries are returned once the claim is approved and paid; the claim is not approved yet"), code=self.code)
        owing = [Message(N_("{payer} still owes {bank} {owed} of {approved}{pending}"), payer=p, bank=self.bank,
                         owed=fmt(self.owed(p)), approved=fmt(self.approved(p)),
                         pending=Message(N_(" ({amount} ordered, pending approval)"), amount=fmt(self.pending[p]))
                         if self.pending[p] else "")
                 for p in PAYERS if self.owed(p)]
        if owing:
            raise Refused(N_("loan {code}: recoveries are returned after compensation is paid in full; {owing}"),
                          code=self.code, owing=owing)
        last_paid = max(self.paid_on.values(), default=None)
        when = max(d for d in (claim.approved_on, last_paid) if d is not None)
        if by.decided < when:
            raise InvalidDate(N_("loan {code}: recovery on {decided} is before the compensation was paid ({when})"), code=self.code, decided=by.decided, when=when)
        back = recovery_return(claim.clause, amount, claim.shares, self.returned)
        self._recovered(by, self.code, self.bank, claim.clause, back.amount, back.parts, back.trace)
        return back

    class Recovered(Aggregate.Event):
        by: Provenance
        loan: str
        bank: str
        clause: str
        amount: Decimal
        parts: dict[str, Decimal]
        trace: list[str]

    @event(Recovered)
    def _recovered(
        self, by: Provenance, loan: str, bank: str, clause: str, amount: Decimal,
        parts: dict[str, Decimal], trace: list[str],
    ) -> None:
        self.recovered += amount
        for k, v in parts.items():
            self.returned[k] += v
        self.recoveries.append({"request": by.request_id, "amount": amount, "parts": dict(parts),
                                "on": by.decided, "reversed": False})

    # corrections: a step recorded in error is undone by a reversing event, never edited ----
    def reverse_payment(self, by: Provenance, payer_name: str, amount: Decimal, voucher: str, paid_year: int,
                        reason: str) -> None:
        """A compensation payment recorded in error: the bank gives the money back, the payer owes its
        share again. Not once a recovery was returned: the return was computed on the payments."""
        who = payer(payer_name)
        claim = self._claim()
        if self.recovered:
            raise Refused(N_("loan {code}: recoveries of {recovered} were already returned pro rata to what each "
                             "bearer compensated; reverse the recoveries first, then the payment"),
                          code=self.code, recovered=fmt(self.recovered))
        if amount > self.paid[who]:
            raise Refused(N_("loan {code}: {who} paid {paid}, less than the {amount} to reverse"), code=self.code,
                          who=who, paid=fmt(self.paid[who]), amount=fmt(amount))
        self._payment_reversed(by, self.code, self.bank, claim.clause, who, amount, voucher, paid_year, reason)

    class PaymentReversed(Aggregate.Event):
        by: Provenance
        loan: str
        bank: str
        clause: str
        payer: str
        amount: Decimal
        voucher: str
        paid_year: int
        reason: str

    @event(PaymentReversed)
    def _payment_reversed(self, by: Provenance, loan: str, bank: str, clause: str, payer: str, amount: Decimal,
                          voucher: str, paid_year: int, reason: str) -> None:
        self.paid[payer] -= amount

    def reverse_repayment(self, by: Provenance, amount: Decimal, receipt: str, paid_year: int, reason: str) -> None:
        """A repayment recorded in error: the principal is unrepaid again. Not once the loss is
        declared: the loss was measured on the principal left after it."""
        if self.loss_declared_on is not None:
            raise Refused(N_("loan {code}: a principal loss of {loss} was declared on {loss_declared_on} on the "
                             "principal left after this repayment; a repayment is reversed only before the loss is "
                             "declared"), code=self.code, loss=fmt(self.loss), loss_declared_on=self.loss_declared_on)
        if amount > self.repaid:
            raise Refused(N_("loan {code}: repaid {repaid}, less than the {amount} to reverse"), code=self.code,
                          repaid=fmt(self.repaid), amount=fmt(amount))
        self._repayment_reversed(by, self.code, self.bank, amount, receipt, paid_year, reason)

    class RepaymentReversed(Aggregate.Event):
        by: Provenance
        loan: str
        bank: str
        amount: Decimal
        receipt: str
        paid_year: int
        reason: str

    @event(RepaymentReversed)
    def _repayment_reversed(self, by: Provenance, loan: str, bank: str, amount: Decimal, receipt: str,
                            paid_year: int, reason: str) -> None:
        self.repaid -= amount

    def reverse_recovery(self, by: Provenance, request: str, receipt: str, reason: str) -> dict[str, Decimal]:
        """The latest recovery, recorded in error: what it returned to each bearer is taken back
        exactly (the parts recorded with it). An earlier one waits: later returns were computed on it."""
        claim = self._claim()
        standing = [r for r in self.recoveries if not r["reversed"]]
        found = next((r for r in standing if r["request"] == request), None)
        if found is None:
            raise Refused(N_("loan {code}: no standing recovery recorded by request {request}"), code=self.code,
                          request=request)
        if found is not standing[-1]:
            later = standing[-1]
            raise Refused(N_("loan {code}: a later recovery of {amount} (on {on}) was returned after this one; "
                             "reverse the later one first"), code=self.code, amount=fmt(later["amount"]),
                          on=later["on"])
        parts = dict(found["parts"])
        self._recovery_reversed(by, self.code, self.bank, claim.clause, found["amount"], parts, receipt,
                                found["on"].year, request, reason)
        return parts

    class RecoveryReversed(Aggregate.Event):
        by: Provenance
        loan: str
        bank: str
        clause: str
        amount: Decimal
        parts: dict[str, Decimal]
        receipt: str
        recovered_year: int
        recovery_request: str
        reason: str

    @event(RecoveryReversed)
    def _recovery_reversed(self, by: Provenance, loan: str, bank: str, clause: str, amount: Decimal,
                           parts: dict[str, Decimal], receipt: str, recovered_year: int, recovery_request: str,
                           reason: str) -> None:
        self.recovered -= amount
        for k, v in parts.items():
            self.returned[k] -= v
        for r in self.recoveries:
            if r["request"] == recovery_request and not r["reversed"]:
                r["reversed"] = True

    def withdraw_claim(self, by: Provenance, reason: str) -> Claim:
        """A claim (approved or not) recorded in error is withdrawn while nothing was paid or ordered
        on it: the claimed and approved shares are released; a new claim may be filed."""
        claim = self._claim()
        if not reason.strip():
            raise Refused(N_("loan {code}: withdrawing a claim needs a reason"), code=self.code)
        if not by.ref.strip():
            raise Refused(N_("loan {code}: withdrawing a claim needs a decision reference (文号)"), code=self.code)
        moved = {p: self.paid[p] + self.pending[p] for p in PAYERS if self.paid[p] or self.pending[p]}
        if moved:
            raise Refused(N_("loan {code}: compensation was paid or ordered on the claim ({moved}); reverse the "
                             "payments or void the orders first"), code=self.code,
                          moved=", ".join(f"{p} {fmt(v)}" for p, v in moved.items()))
        if by.decided < claim.claimed_on:
            raise InvalidDate(N_("loan {code}: withdrawal on {decided} is before the claim ({claimed_on})"),
                              code=self.code, decided=by.decided, claimed_on=claim.claimed_on)
        approved_year = claim.approved_on.year if claim.approved_on is not None else 0
        self._claim_withdrawn(by, self.code, self.bank, claim.clause, dict(claim.shares), approved_year,
                              reason.strip())
        return claim

    class ClaimWithdrawn(Aggregate.Event):
        by: Provenance
        loan: str
        bank: str
        clause: str
        shares: dict[str, Decimal]
        approved_year: int  # 0: withdrawn before approval
        reason: str

    @event(ClaimWithdrawn)
    def _claim_withdrawn(self, by: Provenance, loan: str, bank: str, clause: str, shares: dict[str, Decimal],
                         approved_year: int, reason: str) -> None:
        self.claim = None

    def _not_before_last_movement(self, by: Provenance, step: str) -> None:
        """A step dated before the latest disbursement or repayment would be computed on a
        principal the loan did not have on that day."""
        if self.moved_on is not None and by.decided < self.moved_on:
            raise InvalidDate(N_("loan {code}: {step} on {decided} is before the latest recorded money movement of the loan ({moved_on}); record steps in date order"), code=self.code, step=Message(step), decided=by.decided, moved_on=self.moved_on)

    def _claim(self) -> Claim:
        if self.claim is None:
            raise Refused(N_("loan {code}: no compensation has been claimed"), code=self.code)
        return self.claim


def _positive(amount: Decimal, what: str) -> Decimal:
    amount = yuan(amount)
    if amount <= 0:
        raise InvalidAmount(N_("{what} must be positive, not {amount}"), what=what, amount=fmt(amount))
    return amount


def _bearer(bank: str, name: str) -> str:
    return bank if name == BANK else name


@journal.postings.register(Loan.Disbursed)
def _disbursed_postings(e: Any) -> tuple[journal.Posting, ...]:
    return journal.transfer(loan_account(e.loan), journal.funding(e.bank), e.amount)


@journal.postings.register(Loan.Repaid)
def _repaid_postings(e: Any) -> tuple[journal.Posting, ...]:
    return journal.transfer(journal.funding(e.bank), loan_account(e.loan), e.amount)


@journal.postings.register(Loan.LossDeclared)
def _loss_postings(e: Any) -> tuple[journal.Posting, ...]:
    """The written-off principal: the bank bears all of it until compensation is approved."""
    return journal.transfer(loss_account(e.loan, e.bank), loan_account(e.loan), e.loss)


@journal.postings.register(Loan.CompensationClaimed)
def _claimed_postings(e: Any) -> tuple[journal.Posting, ...]:
    """The bank's claim on each public payer for its share (claimed, not yet owed)."""
    legs: list[tuple[str, Decimal]] = []
    for who in PAYERS:
        legs += [(claim_account(e.loan, who), e.shares[who]), (claimed_account(e.bank, who), -e.shares[who])]
    return journal.entry(*legs)


@journal.postings.register(Loan.CompensationApproved)
def _approved_postings(e: Any) -> tuple[journal.Posting, ...]:
    """The approval clears each claim: the public payer takes on its share of the loss and
    owes it to the bank (claimed → approved)."""
    legs: list[tuple[str, Decimal]] = []
    for who in PAYERS:
        share = e.shares[who]
        legs += [(claimed_account(e.bank, who), share), (claim_account(e.loan, who), -share),
                 (loss_account(e.loan, who), share), (payable_account(e.bank, who), -share)]
    return journal.entry(*legs)


@journal.postings.register(Loan.CompensationPaid)
def _paid_postings(e: Any) -> tuple[journal.Posting, ...]:
    """The payer's cash goes to the bank, settling the payable and relieving the bank's loss."""
    return journal.entry(
        (payable_account(e.bank, e.payer), e.amount),
        (journal.funding(e.payer), -e.amount),
        (journal.funding(e.bank), e.amount),
        (loss_account(e.loan, e.bank), -e.amount),
    )


@journal.postings.register(Loan.Recovered)
def _recovered_postings(e: Any) -> tuple[journal.Posting, ...]:
    """Recovered cash reaches each bearer pro rata and reduces the loss it bears."""
    legs: list[tuple[str, Decimal]] = []
    for name, part in e.parts.items():
        who = _bearer(e.bank, name)
        legs += [(journal.funding(who), part), (loss_account(e.loan, who), -part)]
    return journal.entry(*legs)


@journal.postings.register(Loan.PaymentReversed)
def _payment_reversed_postings(e: Any) -> tuple[journal.Posting, ...]:
    """The payment's entry in red (红字): the bank gives the cash back, the payer owes its share again."""
    return journal.entry(
        (payable_account(e.bank, e.payer), -e.amount),
        (journal.funding(e.payer), e.amount),
        (journal.funding(e.bank), -e.amount),
        (loss_account(e.loan, e.bank), e.amount),
    )


@journal.postings.register(Loan.RepaymentReversed)
def _repayment_reversed_postings(e: Any) -> tuple[journal.Posting, ...]:
    return journal.transfer(loan_account(e.loan), journal.funding(e.bank), e.amount)


@journal.postings.register(Loan.RecoveryReversed)
def _recovery_reversed_postings(e: Any) -> tuple[journal.Posting, ...]:
    legs: list[tuple[str, Decimal]] = []
    for name, part in e.parts.items():
        who = _bearer(e.bank, name)
        legs += [(journal.funding(who), -part), (loss_account(e.loan, who), part)]
    return journal.entry(*legs)


@journal.postings.register(Loan.ClaimWithdrawn)
def _claim_withdrawn_postings(e: Any) -> tuple[journal.Posting, ...]:
    """The claim's entry in red or, when it was approved, the net of the claim and the approval
    (the payer's share of the loss and its payable to the bank)."""
    legs: list[tuple[str, Decimal]] = []
    for who in PAYERS:
        share = e.shares[who]
        if e.approved_year:
            legs += [(loss_account(e.loan, who), -share), (payable_account(e.bank, who), share)]
        else:
            legs += [(claim_account(e.loan, who), -share), (claimed_account(e.bank, who), share)]
    return journal.entry(*legs)
