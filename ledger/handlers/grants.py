"""Disbursements and clawbacks of awards.

Awards themselves are recorded only through the rules engine (ledger.handlers.rules.AwardByRule):
the ledger computes what the policy allows instead of taking an amount on trust;
officer-decided clauses (P2.1c, P2.3a, ...) pass their amount through the same engine,
which checks the clause's floor, cap and required reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from domain.counter import ClauseYearCounter
from domain.enterprise import Award, Enterprise
from domain.ids import counter_id, party_id
from domain.messages import N_, Message
from domain.money import fmt, yuan
from domain.payment import Payment, Target
from domain.provenance import Provenance
from ledger.commands import Command, Outcome, handles
from ledger.handlers.payments import is_pending, outcome_data, pending_words, record_payment, settles
from ledger.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class AwardStep(Command):
    """A payment or clawback of an award: G.1 was judged on the award's decision, so an award
    decided by 2028-12-31 may still be paid or recovered afterwards (never before the award)."""

    checks_policy_window: ClassVar[bool] = False


@dataclass(frozen=True, kw_only=True)
class Disburse(AwardStep):
    """A payment on an award under its voucher (付款凭证号, unique per paying source); a pending
    order until an approver posts it, where the two-person rule is on."""

    kind = "grant.disburse"
    recipient: str
    award: str
    amount: Decimal
    voucher: str = ""


@dataclass(frozen=True, kw_only=True)
class VoidAward(AwardStep):
    """Cancel the unpaid part of an award recorded in error (reason and 文号 required)."""

    kind = "grant.void"
    recipient: str
    award: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ClawBack(AwardStep):
    kind = "grant.claw-back"
    recipient: str
    award: str
    amount: Decimal
    reason: str


@handles(Disburse)
def disburse(uow: UnitOfWork, cmd: Disburse, by: Provenance) -> Outcome:
    party = uow.get(Enterprise, party_id(cmd.recipient), f"party {cmd.recipient}")
    award = party.award(cmd.award)
    payment = record_payment(uow, cmd, by, source=award.source, reference=cmd.voucher, operation=Disburse.kind,
                             target=Target(party.code, award.award_id, award.clause, yuan(cmd.amount)),
                             summary=f"award {award.award_id} to {party.code}")
    if is_pending(payment):
        party.order_payment(by, cmd.award, cmd.amount, payment.reference)
        return Outcome(cmd.request_id, Message(N_("award {award} to {recipient}: {order}; paid so far {disbursed} "
                                                  "of {amount}"), award=cmd.award, recipient=cmd.recipient,
                                               order=pending_words(payment), disbursed=fmt(award.disbursed),
                                               amount=fmt(award.amount)),
                       data={"award": award.award_id, **outcome_data(payment)})
    party.disburse(by, cmd.award, cmd.amount, payment.reference)
    return Outcome(
        cmd.request_id,
        Message(N_("paid {amount} on award {award} to {recipient} (voucher {voucher}); paid so far {disbursed} of "
                   "{amount2}"), amount=fmt(cmd.amount), award=cmd.award, recipient=cmd.recipient,
                voucher=payment.reference, disbursed=fmt(award.disbursed), amount2=fmt(award.amount)),
        data={"award": award.award_id, **outcome_data(payment)},
    )


def _post_disbursement(uow: UnitOfWork, payment: Payment, by: Provenance) -> Outcome:
    party = uow.get(Enterprise, party_id(payment.entity), f"party {payment.entity}")
    party.disburse(by, payment.item, payment.amount, payment.reference, ordered=True)
    award = party.award(payment.item)
    return Outcome(by.request_id, Message(N_("paid {amount} on award {award} to {recipient}; paid so far {disbursed} "
                                             "of {amount2}"), amount=fmt(payment.amount), award=award.award_id,
                                          recipient=party.code, disbursed=fmt(award.disbursed),
                                          amount2=fmt(award.amount)),
                   data={"award": award.award_id})


def _void_disbursement(uow: UnitOfWork, payment: Payment, by: Provenance, reason: str) -> Message:
    party = uow.get(Enterprise, party_id(payment.entity), f"party {payment.entity}")
    party.void_payment_order(by, payment.item, payment.amount, payment.reference, reason)
    award = party.award(payment.item)
    return Message(N_("award {award}: {payable} of {amount} may be ordered again"), award=award.award_id,
                   payable=fmt(award.payable), amount=fmt(award.amount))


settles(Disburse.kind, _post_disbursement, _void_disbursement)


@handles(VoidAward)
def void_award(uow: UnitOfWork, cmd: VoidAward, by: Provenance) -> Outcome:
    party = uow.get(Enterprise, party_id(cmd.recipient), f"party {cmd.recipient}")
    return void_words(uow, party, cmd.award, cmd.reason, cmd, by)


def void_words(uow: UnitOfWork, party: Enterprise, award_id: str, reason: str, cmd: Command,
               by: Provenance) -> Outcome:
    """Void the unpaid part of an award and say what it released (also the first half of an amend)."""
    unpaid = party.void_award(by, award_id, reason)
    award = party.award(award_id)
    trace: list[str] = [Message(N_("{clause}: award {award} of {amount} decided {decided}: void of the unpaid {unpaid} "
                                   "({reason}, {ref}) releases its cap usage in {year} and its {source} budget "
                                   "commitment"), clause=award.clause, award=award_id,
                                amount=fmt(award.amount + award.voided), decided=award.decided, unpaid=fmt(unpaid),
                                reason=reason, ref=cmd.ref, year=award.fiscal_year, source=award.source)]
    trace += _release_place(uow, party, award, by, reason)
    return Outcome(
        cmd.request_id,
        Message(N_("award {award} of {recipient} voided: {unpaid} unpaid cancelled ({ref}); the paid {paid} stands "
                   "(recover it by a claw-back)"), award=award_id, recipient=party.code, unpaid=fmt(unpaid),
                ref=cmd.ref, paid=fmt(award.disbursed)) if award.disbursed else
        Message(N_("award {award} of {recipient} voided: {unpaid} unpaid cancelled ({ref})"), award=award_id,
                recipient=party.code, unpaid=fmt(unpaid), ref=cmd.ref),
        trace=trace,
        data={"award": award_id, "voided": unpaid, "paid": award.disbursed},
    )


@handles(ClawBack)
def claw_back(uow: UnitOfWork, cmd: ClawBack, by: Provenance) -> Outcome:
    party = uow.get(Enterprise, party_id(cmd.recipient), f"party {cmd.recipient}")
    party.claw_back(by, cmd.award, cmd.amount, cmd.reason)
    award = party.award(cmd.award)
    when = Message(N_("same fiscal year: reduces spending")) if by.fiscal_year == award.fiscal_year else (
        Message(N_("later year: returned to the treasury as {year} revenue"), year=by.fiscal_year)
    )
    return Outcome(
        cmd.request_id,
        Message(N_("clawed back {amount} on award {award} from {recipient} ({when})"), amount=fmt(cmd.amount), award=cmd.award, recipient=cmd.recipient, when=when),
        trace=_release_place(uow, party, award, by, cmd.reason),
        data={"award": cmd.award, "party": cmd.recipient, "amount": cmd.amount, "recovered": award.clawed_back},
    )


def _release_place(uow: UnitOfWork, party: Enterprise, award: Award, by: Provenance, reason: str) -> list[str]:
    """A count-capped award (P4.2b: 10 people a year) recovered in full is as if never paid, so its
    place in the award's year is freed in the same command; a partial clawback keeps the place."""
    if award.clawed_back != award.amount:
        return []
    counter = uow.find(ClauseYearCounter, counter_id(award.clause, award.fiscal_year))
    if counter is None or not counter.holds(party.code):
        return []
    if any(a.clause == award.clause and a.fiscal_year == award.fiscal_year and a.amount > a.clawed_back
           for a in party.awards.values()):
        return []  # another award of the clause and year still stands on that place
    if award.disbursed == 0 and award.voided:  # voided before anything was paid
        counter.release(by, party.code, f"award {award.award_id} voided: {reason}")
        return [Message(N_("{clause}: award {award} voided before any payment: {recipient}'s place in {year} is freed "
                           "({taken} taken now)"), clause=award.clause, award=award.award_id, recipient=party.code,
                        year=award.fiscal_year, taken=len(counter.taken))]
    counter.release(by, party.code, f"award {award.award_id} clawed back in full: {reason}")
    return [f"{award.clause}: award {award.award_id} recovered in full ({fmt(award.amount)}): {party.code}'s "
            f"place in {award.fiscal_year} is freed ({len(counter.taken)} taken now)"]
