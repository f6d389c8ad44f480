"""Payment references and the two-person rule, shared by every command that moves money.

A money command names its reference (voucher, payment order, bank receipt); the handler calls
:func:`record_payment` before it changes anything, which claims the reference on its
:class:`~domain.payment.Payment` aggregate (race-free: two claims of one reference conflict on
save) or answers a repeat. Where the operation needs a second person (the ``内控`` parameters,
default yes) the money command only records a pending order; ``payment post`` by an approver
who did not record it carries the order out through the poster its operation registered here,
``payment void`` cancels it through the voider.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from domain.errors import Refused
from domain.messages import N_, Message, message
from domain.money import fmt
from domain.payment import PENDING, Payment, Target, clean_reference, needs_second_person, payment_id
from domain.provenance import Provenance
from ledger.commands import APPROVERS, Command, Outcome, handles
from ledger.handlers.officers import require_two_people
from ledger.unit_of_work import UnitOfWork

Poster = Callable[[UnitOfWork, Payment, Provenance], Outcome]
Voider = Callable[[UnitOfWork, Payment, Provenance, str], str | Message]
Reverser = Callable[[UnitOfWork, Payment, Provenance, str], Outcome]
POSTERS: dict[str, Poster] = {}
VOIDERS: dict[str, Voider] = {}
REVERSERS: dict[str, Reverser] = {}


# The module that registers each operation's poster, voider and reverser, loaded by name when a
# payment step needs it (as cli.py loads a command group): `jcg payment post` in a fresh process has
# imported no money command, and the money commands import this module.
SETTLED_IN = {"grant.disburse": "ledger.handlers.grants", "project.tranche": "ledger.handlers.projects",
              "project.buyback": "ledger.handlers.projects", "loan.pay": "ledger.handlers.loans",
              "loan.repay": "ledger.handlers.loans", "loan.recover": "ledger.handlers.loans"}


def _load(operation: str) -> None:
    if operation in SETTLED_IN:
        importlib.import_module(SETTLED_IN[operation])


def settles(operation: str, poster: Poster, voider: Voider) -> None:
    """Register how a pending order of ``operation`` is posted and voided."""
    POSTERS[operation] = poster
    VOIDERS[operation] = voider


def reverses(operation: str, reverser: Reverser) -> None:
    """Register how a posted movement of ``operation`` recorded in error is reversed."""
    REVERSERS[operation] = reverser


def record_payment(uow: UnitOfWork, cmd: Command, by: Provenance, *, source: str, reference: str,
                   operation: str, target: Target, summary: str) -> Payment:
    """Claim ``reference`` of ``source`` for this payment, as pending when a second person must
    post it. A repeat of the same payment raises AlreadyRecorded; another use of the reference is
    refused, naming the earlier record."""
    reference = check_reference(uow, cmd, source=source, reference=reference, operation=operation)
    content = cmd.content_digest()
    pending = needs_second_person(uow.book, operation, by.decided)
    payment = Payment.order(by, source, reference, operation, target, content, summary, pending=pending)
    uow.add(payment, f"payment {reference} of {source}")
    return payment


def check_reference(uow: UnitOfWork, cmd: Command, *, source: str, reference: str, operation: str) -> str:
    """The cleaned reference, if no earlier record holds it; a repeat of the same payment raises
    AlreadyRecorded (checked before anything else, so a retry is answered whatever the state now)."""
    reference = clean_reference(reference, operation)
    earlier = uow.find(Payment, payment_id(source, reference))
    if earlier is not None:
        earlier.check_repeat(cmd.content_digest())
    return reference


def pending_words(payment: Payment) -> Message:
    return Message(N_("payment order {reference} of {source} recorded, 待审核 pending: {amount} is reserved, paid once "
                      "an approver other than {recorder} posts it (jcg payment post {reference} --source {source})"),
                   reference=payment.reference, source=payment.source, amount=fmt(payment.amount),
                   recorder=payment.recorder)


def outcome_data(payment: Payment) -> dict[str, str]:
    return {"payment": payment.reference, "source": payment.source, "status": payment.status,
            "amount": str(payment.amount), "operation": payment.operation}


@dataclass(frozen=True, kw_only=True)
class PaymentStep(Command):
    """Posting or voiding an order follows a recorded order: G.1 was judged on what it pays."""

    checks_policy_window: ClassVar[bool] = False
    roles: ClassVar[frozenset[str]] = APPROVERS
    source: str
    reference: str


@dataclass(frozen=True, kw_only=True)
class PostPayment(PaymentStep):
    """An approver other than the recorder releases a pending order (已拨付)."""

    kind = "payment.post"
    action: ClassVar[str] = N_("posting a payment order")


@dataclass(frozen=True, kw_only=True)
class VoidPayment(PaymentStep):
    """An approver other than the recorder cancels a pending order; nothing is paid."""

    kind = "payment.void"
    action: ClassVar[str] = N_("voiding a payment order")
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReversePayment(PaymentStep):
    """A posted movement recorded in error (a tranche, a compensation payment, a repayment, a
    recovery), undone by a reversing event: an approver other than its recorder, a reason, 文号."""

    kind = "payment.reverse"
    action: ClassVar[str] = "reversing a payment"
    reason: str


def _order(uow: UnitOfWork, cmd: PaymentStep) -> Payment:
    reference = cmd.reference.strip()
    return uow.get(Payment, payment_id(cmd.source, reference), f"payment {reference} of {cmd.source}")


@handles(PostPayment)
def post_payment(uow: UnitOfWork, cmd: PostPayment, by: Provenance) -> Outcome:
    payment = _order(uow, cmd)
    _load(payment.operation)
    require_two_people(uow, payment.recorder, cmd.actor, by.recorded_at)
    payment.post(by)
    done = POSTERS[payment.operation](uow, payment, by)
    return Outcome(cmd.request_id,
                   Message(N_("payment {reference} of {source} posted (已拨付) by {actor}, recorded by {recorder}: "
                              "{done}"), reference=payment.reference, source=payment.source, actor=cmd.actor,
                           recorder=payment.recorder, done=message(done.message)), trace=done.trace,
                   data={**done.data, **outcome_data(payment)})


@handles(VoidPayment)
def void_payment(uow: UnitOfWork, cmd: VoidPayment, by: Provenance) -> Outcome:
    payment = _order(uow, cmd)
    _load(payment.operation)
    require_two_people(uow, payment.recorder, cmd.actor, by.recorded_at)
    payment.void(by, cmd.reason)
    done = VOIDERS[payment.operation](uow, payment, by, cmd.reason)
    return Outcome(cmd.request_id,
                   Message(N_("payment order {reference} of {source} voided (已作废) by {actor}: {reason}; {done}"),
                           reference=payment.reference, source=payment.source, actor=cmd.actor, reason=cmd.reason,
                           done=message(done)), data=outcome_data(payment))


# what the ledger does instead, where a movement is not reversed by `payment reverse`
NOT_REVERSED = {
    "grant.disburse": N_("a paid disbursement is recovered by a claw-back (jcg grant claw-back AWARD)"),
    "project.buyback": N_("a buyback changes the fund's holding and the cap table; it is not reversed"),
}


@handles(ReversePayment)
def reverse_payment(uow: UnitOfWork, cmd: ReversePayment, by: Provenance) -> Outcome:
    payment = _order(uow, cmd)
    _load(payment.operation)
    reverser = REVERSERS.get(payment.operation)
    if reverser is None:
        raise Refused(N_("{operation} {reference} of {source} is not reversed here: {instead}"),
                      operation=Message(payment.operation), reference=payment.reference, source=payment.source,
                      instead=Message(NOT_REVERSED.get(payment.operation, N_("no reversal for this operation"))))
    require_two_people(uow, payment.recorder, cmd.actor, by.recorded_at)
    payment.reverse(by, cmd.reason)
    done = reverser(uow, payment, by, cmd.reason.strip())
    return Outcome(cmd.request_id,
                   Message(N_("{operation} {reference} of {source} ({amount}, recorded by {recorder} on {ordered_on}) "
                              "reversed (已冲销) by {actor} ({ref}): {reason}; {done}"), operation=Message(payment.operation),
                           reference=payment.reference, source=payment.source, amount=fmt(payment.amount),
                           recorder=payment.recorder, ordered_on=payment.ordered_on, actor=cmd.actor, ref=cmd.ref,
                           reason=cmd.reason.strip(), done=message(done.message)),
                   trace=done.trace, data={**done.data, **outcome_data(payment), "reversed": str(payment.amount)})


def reversing_journal(aggregate: Any) -> Message:
    """The reversing entry just recorded on ``aggregate`` (its latest pending event), as a trace line."""
    from domain import journal

    legs = journal.postings(aggregate.pending_events[-1])
    return Message(N_("journal (reversing): {legs}"), legs=[
        Message(N_("Dr {account} {amount}") if p.amount > 0 else N_("Cr {account} {amount}"), account=p.account,
                amount=fmt(abs(p.amount))) for p in legs])


def is_pending(payment: Payment) -> bool:
    return payment.status == PENDING

