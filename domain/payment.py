"""A payment reference (付款凭证号, bank receipt, payment order) and the order it names.

One small aggregate per paying source and reference, so a voucher number is used once across
the ledger: two officers (or two retries of one officer) recording the same voucher at once
both try to create it, the second save conflicts, is re-run and finds the first. A repeat
with the same content is answered "already recorded"; different content is refused, naming
the earlier record.

The aggregate is also the payment order of the two-person rule (不相容岗位分离): an officer
records it as pending (待审核), and an approver who did not record it posts it (已拨付) or
voids it. Where a bureau has turned the rule off for an operation (a dated parameter, on
record), the order is posted when it is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import AlreadyRecorded, InvalidAmount, InvalidDate, Refused
from domain.ids import NAMESPACE
from domain.messages import N_, Message
from domain.money import fmt
from domain.parameters import ParameterBook
from domain.provenance import Provenance

PENDING = "pending"  # 待审核
POSTED = "posted"  # 已拨付
VOIDED = "voided"  # 已作废
REVERSED = "reversed"  # 已冲销: a posted movement recorded in error, undone by a reversing event
STATUS_WORDS = {PENDING: N_("待审核 pending"), POSTED: N_("已拨付 posted"), VOIDED: N_("已作废 voided"),
                REVERSED: N_("已冲销 reversed")}

# The operations that move money on a reference, with the word officers use for the reference.
OPERATIONS = {
    "grant.disburse": "voucher (付款凭证号)",
    "project.tranche": "payment order (拨款凭证号)",
    "project.buyback": "bank receipt (回购款收款回单号)",
    "loan.pay": "voucher (付款凭证号)",
    "loan.repay": "bank receipt (还款回单号)",
    "loan.recover": "bank receipt (追偿回收回单号)",
}
# Payments of public money (or into a public fund) that need a second person unless a dated
# parameter turns it off; receipts the bank reports (repayments, recoveries) are recorded directly.
TWO_PERSON = frozenset({"grant.disburse", "project.tranche", "project.buyback", "loan.pay"})
# Parameter clause of the internal-control rules (not a clause of the notice): one
# ``two_person.<operation>`` value per operation that pays public money.
CONTROL = "内控"


def payment_id(source: str, reference: str) -> UUID:
    return uuid5(NAMESPACE, f"payment:{source}:{reference}")


def clean_reference(reference: str, operation: str) -> str:
    """A reference is required for every money movement; surrounding spaces never count."""
    ref = reference.strip()
    if not ref:
        raise Refused(N_("{operation}: a {reference} is required (unique per paying source)"), operation=operation,
                      reference=OPERATIONS.get(operation, "reference"))
    return ref


def needs_second_person(book: ParameterBook, operation: str, on: date) -> bool:
    """Whether a payment of ``operation`` decided on ``on`` must be posted by a second person
    (default yes: a bureau turns it off only by a dated parameter, so on record)."""
    if operation not in TWO_PERSON:
        return False
    name = f"two_person.{operation}"
    if not book.has(CONTROL, name):
        return True
    try:
        return bool(book.at(CONTROL, name, on).value)
    except Refused:
        return True


@dataclass(frozen=True)
class Target:
    """What a payment moves money on: the aggregate's code and the item within it."""

    entity: str  # party, project or loan code
    item: str  # award id, payer, buyer …
    clause: str
    amount: Decimal
    details: tuple[tuple[str, str], ...] = ()  # what posting needs besides (e.g. a buyback's units)


class Payment(Aggregate):
    """The payment recorded under ``reference`` of ``source``."""

    @staticmethod
    def create_id(source: str, reference: str) -> UUID:
        return payment_id(source, reference)

    @classmethod
    def order(cls, by: Provenance, source: str, reference: str, operation: str, target: Target,
              content: str, summary: str, *, pending: bool) -> Payment:
        if target.amount <= 0:
            raise InvalidAmount(N_("{operation}: a payment must be positive, not {amount}"), operation=operation,
                                amount=fmt(target.amount))
        return cls(by=by, source=source, reference=reference, operation=operation, entity=target.entity,
                   item=target.item, clause=target.clause, amount=target.amount, content=content,
                   summary=summary, pending=pending, details=dict(target.details))

    class Ordered(Aggregate.Created):
        by: Provenance
        source: str
        reference: str
        operation: str
        entity: str
        item: str
        clause: str
        amount: Decimal
        content: str
        summary: str
        pending: bool
        details: dict[str, str]

    @event(Ordered)
    def __init__(self, by: Provenance, source: str, reference: str, operation: str, entity: str, item: str,
                 clause: str, amount: Decimal, content: str, summary: str, pending: bool,
                 details: dict[str, str]) -> None:
        self.source = source
        self.reference = reference
        self.operation = operation
        self.entity = entity
        self.item = item
        self.clause = clause
        self.amount = amount
        self.content = content
        self.details = dict(details)
        self.summary = summary
        self.status = PENDING if pending else POSTED
        self.recorder = by.actor
        self.ordered_on = by.decided
        self.request_id = by.request_id
        self.posted_by = "" if pending else by.actor
        self.settled_on: date | None = None if pending else by.decided

    @property
    def year(self) -> int:
        return self.ordered_on.year

    def describe(self, named: bool = True) -> Message:
        what = Message(N_("{operation} {entity} {item} {amount} on {ordered_on} by {recorder}, {status} (request "
                          "{request_id})"), operation=self.operation, entity=self.entity, item=self.item,
                       amount=fmt(self.amount), ordered_on=self.ordered_on, recorder=self.recorder,
                       status=Message(STATUS_WORDS[self.status]), request_id=self.request_id)
        if not named:
            return what
        return Message(N_("{source} {reference}: {what}"), source=self.source, reference=self.reference, what=what)

    def check_repeat(self, content: str) -> None:
        """A second recording of this reference: the same payment is answered as already
        recorded; anything else is refused, naming the earlier record."""
        if content == self.content:
            raise AlreadyRecorded(N_("already recorded: {record}; nothing written"), record=self.describe())
        raise Refused(N_("{reference} of {source} is already used by an earlier record: {record}; a reference is "
                         "used once (nothing written)"), reference=self.reference, source=self.source,
                      record=self.describe(named=False))

    def _check_second_person(self, by: Provenance, verb: str) -> None:
        if self.status != PENDING:
            raise Refused(N_("payment {reference} of {source} is {status}; only a pending order can be {verb}"),
                          reference=self.reference, source=self.source, status=Message(STATUS_WORDS[self.status]),
                          verb=verb)
        if by.actor == self.recorder:
            raise Refused(N_("payment {reference} of {source} was recorded by {recorder}, so {actor} cannot approve "
                             "it too; another approver must (不相容岗位分离)"), reference=self.reference,
                          source=self.source, recorder=self.recorder, actor=by.actor)
        if by.decided < self.ordered_on:
            raise InvalidDate(N_("payment {reference}: {verb} on {decided} is before the order ({ordered_on})"),
                              reference=self.reference, verb=verb, decided=by.decided, ordered_on=self.ordered_on)

    def post(self, by: Provenance) -> None:
        """An approver other than the recorder releases the money (已拨付)."""
        self._check_second_person(by, "posted")
        self._posted(by, self.source, self.reference, self.operation, self.entity, self.item, self.clause,
                     self.amount, self.year)

    class Posted(Aggregate.Event):
        by: Provenance
        source: str
        reference: str
        operation: str
        entity: str
        item: str
        clause: str
        amount: Decimal
        order_year: int

    @event(Posted)
    def _posted(self, by: Provenance, source: str, reference: str, operation: str, entity: str, item: str,
                clause: str, amount: Decimal, order_year: int) -> None:
        self.status = POSTED
        self.posted_by = by.actor
        self.settled_on = by.decided

    def void(self, by: Provenance, reason: str) -> None:
        """An approver other than the recorder cancels a pending order; nothing was paid."""
        if not reason.strip():
            raise Refused(N_("payment {reference}: voiding an order needs a reason"), reference=self.reference)
        self._check_second_person(by, "voided")
        self._voided(by, self.source, self.reference, self.operation, self.entity, self.item, self.clause,
                     self.amount, self.year, reason.strip())

    class Voided(Aggregate.Event):
        by: Provenance
        source: str
        reference: str
        operation: str
        entity: str
        item: str
        clause: str
        amount: Decimal
        order_year: int
        reason: str

    @event(Voided)
    def _voided(self, by: Provenance, source: str, reference: str, operation: str, entity: str, item: str,
                clause: str, amount: Decimal, order_year: int, reason: str) -> None:
        self.status = VOIDED
        self.settled_on = by.decided

    def reverse(self, by: Provenance, reason: str) -> None:
        """A posted movement recorded in error is undone by a new event (红字冲销), never edited: by
        an approver other than its recorder, with a reason and a decision reference (文号). The
        reference stays used: the right movement is recorded under its own reference."""
        if not reason.strip():
            raise Refused(N_("payment {reference}: a reversal needs a reason"), reference=self.reference)
        if not by.ref.strip():
            raise Refused(N_("payment {reference}: a reversal needs a decision reference (文号)"),
                          reference=self.reference)
        if self.status != POSTED:
            raise Refused(N_("payment {reference} of {source} is {status}; only a posted movement is reversed (a "
                             "pending order is voided: payment void)"), reference=self.reference, source=self.source,
                          status=Message(STATUS_WORDS[self.status]))
        if by.actor == self.recorder:
            raise Refused(N_("payment {reference} of {source} was recorded by {recorder}, so {actor} cannot reverse "
                             "it too; another approver must (不相容岗位分离)"), reference=self.reference,
                          source=self.source, recorder=self.recorder, actor=by.actor)
        settled = self.settled_on or self.ordered_on
        if by.decided < settled:
            raise InvalidDate(N_("payment {reference}: reversal on {decided} is before the movement ({settled})"),
                              reference=self.reference, decided=by.decided, settled=settled)
        self._reversed(by, self.source, self.reference, self.operation, self.entity, self.item, self.clause,
                       self.amount, settled.year, reason.strip())

    class Reversed(Aggregate.Event):
        by: Provenance
        source: str
        reference: str
        operation: str
        entity: str
        item: str
        clause: str
        amount: Decimal
        paid_year: int  # the fiscal year of the movement reversed
        reason: str

    @event(Reversed)
    def _reversed(self, by: Provenance, source: str, reference: str, operation: str, entity: str, item: str,
                  clause: str, amount: Decimal, paid_year: int, reason: str) -> None:
        self.status = REVERSED
        self.reversed_on = by.decided
