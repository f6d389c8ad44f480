"""Every registered party (G.2) and the grants awarded to it.

Awards, disbursements and clawbacks live on the recipient, so caps that span awards
(per recipient per year, one-time per level) are checked inside one aggregate and two
officers awarding at once cannot both pass: the second save conflicts and is re-run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import journal
from domain.errors import InvalidAmount, InvalidDate, NotFound, Refused
from domain.ids import party_id
from domain.kinds import KINDS as KINDS  # re-exported: the kinds were declared here
from domain.messages import N_, Message
from domain.money import ZERO, fmt, yuan
from domain.provenance import Provenance


@dataclass
class Award:
    award_id: str
    clause: str
    amount: Decimal
    fiscal_year: int
    decided: date
    source: str
    matter: str
    disbursed: Decimal = ZERO
    clawed_back: Decimal = ZERO
    trace: list[str] = field(default_factory=list)
    basis: dict[str, str] = field(default_factory=dict)
    payments: list[tuple[date, Decimal]] = field(default_factory=list)
    last_clawback: date | None = None
    pending: Decimal = ZERO  # payment orders recorded and not yet posted (待审核)
    voided: Decimal = ZERO  # the unpaid part cancelled by a void: ``amount`` no longer counts it

    @property
    def undisbursed(self) -> Decimal:
        return self.amount - self.disbursed

    @property
    def payable(self) -> Decimal:
        """What a new payment order may still take: not paid and not pending."""
        return self.amount - self.disbursed - self.pending

    @property
    def net_paid(self) -> Decimal:
        return self.disbursed - self.clawed_back

    def paid_by(self, day: date) -> Decimal:
        """What was paid on this award up to and including ``day``."""
        return sum((amount for paid_on, amount in self.payments if paid_on <= day), ZERO)


@dataclass(frozen=True)
class ExternalAward:
    """An award paid under another policy (provincial 晋创谷, other city policies), kept so
    that G.3 就高不重复 sees it; it moves no money of this ledger."""

    clause: str
    matter: str
    amount: Decimal
    source: str
    decided: date
    ref: str


@dataclass
class Qualification:
    name: str
    level: str
    granted_on: date
    expires_on: date | None
    ended_on: date | None = None

    def holds_on(self, day: date) -> bool:
        if day < self.granted_on:
            return False
        if self.ended_on is not None and day >= self.ended_on:
            return False
        return self.expires_on is None or day <= self.expires_on


class Enterprise(Aggregate):
    """A registered party: enterprise, university, institute, bank, fund manager, person …"""

    @staticmethod
    def create_id(code: str) -> UUID:
        return party_id(code)

    @classmethod
    def register(
        cls, by: Provenance, code: str, name: str, kind: str, entered: date
    ) -> Enterprise:
        if not code.strip():
            raise Refused(N_("a party needs a code"))
        if not name.strip():
            raise Refused(N_("party {code}: a name is required"), code=code)
        if kind not in KINDS:
            raise Refused(N_("party {code}: unknown kind {kind!r} (one of {kinds})"), code=code, kind=kind, kinds=', '.join(KINDS))
        if entered > by.decided:
            raise InvalidDate(N_("party {code}: entry date {entered} is after the decision date"), code=code, entered=entered)
        return cls(by=by, code=code, name=name, kind=kind, entered=entered)

    class Registered(Aggregate.Created):
        by: Provenance
        code: str
        name: str
        kind: str
        entered: date

    @event(Registered)
    def __init__(self, by: Provenance, code: str, name: str, kind: str, entered: date) -> None:
        self.code = code
        self.name = name
        self.kind = kind
        self.entered = entered
        self.qualifications: list[Qualification] = []
        self.awards: dict[str, Award] = {}
        self.external_awards: list[ExternalAward] = []

    # qualifications ------------------------------------------------------------------
    def qualify(
        self, by: Provenance, name: str, level: str, granted_on: date, expires_on: date | None
    ) -> None:
        if not name.strip():
            raise Refused(N_("party {code}: a qualification needs a name"), code=self.code)
        if expires_on is not None and expires_on < granted_on:
            raise InvalidDate(N_("qualification {name}: expires before it is granted"), name=name)
        if any(
            q.name == name and q.level == level and q.ended_on is None and q.granted_on == granted_on
            for q in self.qualifications
        ):
            raise Refused(N_("party {code} already holds {name} {level} from {granted_on}"), code=self.code, name=name, level=level, granted_on=granted_on)
        self._qualification_granted(by, name, level, granted_on, expires_on)

    class QualificationGranted(Aggregate.Event):
        by: Provenance
        name: str
        level: str
        granted_on: date
        expires_on: date | None

    @event(QualificationGranted)
    def _qualification_granted(
        self, by: Provenance, name: str, level: str, granted_on: date, expires_on: date | None
    ) -> None:
        self.qualifications.append(Qualification(name, level, granted_on, expires_on))

    def expire_qualification(self, by: Provenance, name: str, level: str, ended_on: date) -> None:
        if not any(q.name == name and q.level == level and q.ended_on is None for q in self.qualifications):
            raise NotFound(N_("party {code} holds no current {name} {level}"), code=self.code, name=name, level=level)
        self._qualification_expired(by, name, level, ended_on)

    class QualificationExpired(Aggregate.Event):
        by: Provenance
        name: str
        level: str
        ended_on: date

    @event(QualificationExpired)
    def _qualification_expired(self, by: Provenance, name: str, level: str, ended_on: date) -> None:
        for q in self.qualifications:
            if q.name == name and q.level == level and q.ended_on is None:
                q.ended_on = ended_on

    def holds(self, name: str, level: str | None, on: date) -> bool:
        return any(
            q.name == name and (level is None or q.level == level) and q.holds_on(on)
            for q in self.qualifications
        )

    # grants --------------------------------------------------------------------------
    def next_award_id(self) -> str:
        return f"{self.code}-A{len(self.awards) + 1}"

    def grant_award(
        self,
        by: Provenance,
        clause: str,
        amount: Decimal,
        *,
        source: str = journal.CITY,
        matter: str = "",
        basis: dict[str, str] | None = None,
        trace: list[str] | None = None,
        versions: list[str] | None = None,
        reason: str = "",
    ) -> str:
        """Record an award decided elsewhere (amount checked by the rules where they apply)."""
        amount = yuan(amount)
        if amount <= 0:
            raise InvalidAmount(N_("award amount {amount} must be positive"), amount=fmt(amount))
        if not by.ref.strip():
            raise Refused(N_("an award needs a decision reference (文号)"))
        award_id = self.next_award_id()
        self._award_granted(
            by=by,
            party=self.code,
            award_id=award_id,
            clause=clause,
            amount=amount,
            source=source,
            matter=matter or f"{self.code}:{clause}:{award_id}",
            basis=dict(basis or {}),
            trace=list(trace or [f"{clause}: amount decided {fmt(amount)}"]),
            versions=list(versions or []),
            reason=reason,
        )
        return award_id

    class AwardGranted(Aggregate.Event):
        by: Provenance
        party: str
        award_id: str
        clause: str
        amount: Decimal
        source: str
        matter: str
        basis: dict[str, str]
        trace: list[str]
        versions: list[str]
        reason: str

    @event(AwardGranted)
    def _award_granted(
        self,
        by: Provenance,
        party: str,
        award_id: str,
        clause: str,
        amount: Decimal,
        source: str,
        matter: str,
        basis: dict[str, str],
        trace: list[str],
        versions: list[str],
        reason: str,
    ) -> None:
        self.awards[award_id] = Award(
            award_id, clause, amount, by.decided.year, by.decided, source, matter, trace=list(trace),
            basis=dict(basis),
        )

    def award(self, award_id: str) -> Award:
        try:
            return self.awards[award_id]
        except KeyError:
            raise NotFound(N_("party {code} has no award {award_id}"), code=self.code, award_id=award_id) from None

    def _check_payment(self, by: Provenance, award_id: str, amount: Decimal, what: str) -> tuple[Award, Decimal]:
        award = self.award(award_id)
        amount = yuan(amount)
        if amount <= 0:
            raise InvalidAmount(N_("{what} {amount} must be positive"), what=Message(what), amount=fmt(amount))
        if by.decided < award.decided:
            raise InvalidDate(N_("award {award_id}: payment date {decided} is before the award ({decided2})"),
                              award_id=award_id, decided=by.decided, decided2=award.decided)
        if amount > award.payable and award.pending:
            raise Refused(
                N_("award {award_id}: {what} {amount} exceeds what remains to pay ({payable} of {amount2}, "
                   "{pending} pending approval)"),
                award_id=award_id, what=Message(what), amount=fmt(amount), payable=fmt(award.payable),
                amount2=fmt(award.amount), pending=fmt(award.pending))
        if amount > award.payable:
            raise Refused(
                N_("award {award_id}: {what} {amount} exceeds what remains to pay ({payable} of {amount2})"),
                award_id=award_id, what=Message(what), amount=fmt(amount), payable=fmt(award.payable),
                amount2=fmt(award.amount),
            )
        return award, amount

    def order_payment(self, by: Provenance, award_id: str, amount: Decimal, voucher: str) -> None:
        """A payment order (待审核): reserved on the award, paid once a second person posts it."""
        award, amount = self._check_payment(by, award_id, amount, N_("payment order"))
        self._payment_ordered(by, self.code, award_id, award.clause, award.source, amount, voucher)

    class PaymentOrdered(Aggregate.Event):
        by: Provenance
        party: str
        award_id: str
        clause: str
        source: str
        amount: Decimal
        voucher: str

    @event(PaymentOrdered)
    def _payment_ordered(
        self, by: Provenance, party: str, award_id: str, clause: str, source: str, amount: Decimal, voucher: str
    ) -> None:
        self.awards[award_id].pending += amount

    def void_payment_order(self, by: Provenance, award_id: str, amount: Decimal, voucher: str, reason: str) -> None:
        """A pending order cancelled by an approver: its reservation on the award is released."""
        award = self.award(award_id)
        if amount > award.pending:
            raise Refused(N_("award {award_id}: no pending order of {amount} ({pending} pending)"), award_id=award_id,
                          amount=fmt(amount), pending=fmt(award.pending))
        self._payment_order_voided(by, self.code, award_id, award.clause, award.source, amount, voucher, reason)

    class PaymentOrderVoided(Aggregate.Event):
        by: Provenance
        party: str
        award_id: str
        clause: str
        source: str
        amount: Decimal
        voucher: str
        reason: str

    @event(PaymentOrderVoided)
    def _payment_order_voided(
        self, by: Provenance, party: str, award_id: str, clause: str, source: str, amount: Decimal, voucher: str,
        reason: str,
    ) -> None:
        self.awards[award_id].pending -= amount

    def disburse(self, by: Provenance, award_id: str, amount: Decimal, voucher: str = "",
                 ordered: bool = False) -> None:
        """Money paid on the award: directly, or by posting a pending order (``ordered``)."""
        if ordered:
            award = self.award(award_id)
            amount = yuan(amount)
            if amount > award.pending:
                raise Refused(N_("award {award_id}: no pending order of {amount} ({pending} pending)"),
                              award_id=award_id, amount=fmt(amount), pending=fmt(award.pending))
            if by.decided < award.decided:
                raise InvalidDate(N_("award {award_id}: payment date {decided} is before the award ({decided2})"),
                                  award_id=award_id, decided=by.decided, decided2=award.decided)
        else:
            award, amount = self._check_payment(by, award_id, amount, N_("disbursement"))
        self._disbursed(by, self.code, award_id, award.clause, award.source, amount, voucher, ordered)

    class Disbursed(Aggregate.Event):
        by: Provenance
        party: str
        award_id: str
        clause: str
        source: str
        amount: Decimal
        voucher: str
        ordered: bool = False  # posting a pending order (events stored before orders existed: False)

    @event(Disbursed)
    def _disbursed(
        self,
        by: Provenance,
        party: str,
        award_id: str,
        clause: str,
        source: str,
        amount: Decimal,
        voucher: str,
        ordered: bool = False,
    ) -> None:
        award = self.awards[award_id]
        award.disbursed += amount
        award.payments.append((by.decided, amount))
        if ordered:
            award.pending -= amount

    def void_award(self, by: Provenance, award_id: str, reason: str) -> Decimal:
        """Cancel the unpaid part of an award recorded in error (a correction, never an edit):
        its cap usage and budget commitment are released; a paid part needs a claw-back."""
        award = self.award(award_id)
        if not reason.strip():
            raise Refused(N_("award {award_id}: a void needs a reason"), award_id=award_id)
        if not by.ref.strip():
            raise Refused(N_("award {award_id}: a void needs a decision reference (文号) that cancels it"),
                          award_id=award_id)
        if by.decided < award.decided:
            raise InvalidDate(N_("award {award_id}: void dated {decided} is before the award ({decided2})"),
                              award_id=award_id, decided=by.decided, decided2=award.decided)
        if award.pending:
            raise Refused(N_("award {award_id}: {pending} is pending in a payment order; post or void the order "
                             "first"), award_id=award_id, pending=fmt(award.pending))
        unpaid = award.amount - award.disbursed
        if unpaid <= 0:
            raise Refused(N_("award {award_id} is paid in full ({paid}); nothing unpaid to void (the paid part is "
                             "recovered by a claw-back)"), award_id=award_id, paid=fmt(award.disbursed))
        self._award_voided(by, self.code, award_id, award.clause, award.source, unpaid, reason.strip(),
                           award.fiscal_year, award.disbursed)
        return unpaid

    class AwardVoided(Aggregate.Event):
        by: Provenance
        party: str
        award_id: str
        clause: str
        source: str
        amount: Decimal
        reason: str
        award_year: int
        paid: Decimal

    @event(AwardVoided)
    def _award_voided(
        self, by: Provenance, party: str, award_id: str, clause: str, source: str, amount: Decimal, reason: str,
        award_year: int, paid: Decimal,
    ) -> None:
        award = self.awards[award_id]
        award.voided += amount
        award.amount -= amount

    def claw_back(self, by: Provenance, award_id: str, amount: Decimal, reason: str) -> None:
        award = self.award(award_id)
        amount = yuan(amount)
        if amount <= 0:
            raise InvalidAmount(N_("clawback {amount} must be positive"), amount=fmt(amount))
        if not reason.strip():
            raise Refused(N_("award {award_id}: a clawback needs a reason"), award_id=award_id)
        if amount > award.net_paid:
            raise Refused(
                N_("award {award_id}: clawback {amount} exceeds what was paid and not yet recovered ({net_paid})"), award_id=award_id, amount=fmt(amount), net_paid=fmt(award.net_paid)
            )
        if award.last_clawback is not None and by.decided < award.last_clawback:
            raise InvalidDate(
                N_("award {award_id}: clawback dated {decided} is before the previous one ({last_clawback})"), award_id=award_id, decided=by.decided, last_clawback=award.last_clawback
            )
        paid_then = award.paid_by(by.decided) - award.clawed_back
        if amount > paid_then:
            raise Refused(
                N_("award {award_id}: clawback {amount} dated {decided} exceeds what had been paid by then and not yet recovered ({paid_then})"), award_id=award_id, amount=fmt(amount), decided=by.decided, paid_then=fmt(paid_then)
            )
        self._clawed_back(
            by, self.code, award_id, award.clause, award.source, amount, reason, award.fiscal_year
        )

    class ClawedBack(Aggregate.Event):
        by: Provenance
        party: str
        award_id: str
        clause: str
        source: str
        amount: Decimal
        reason: str
        award_year: int

    @event(ClawedBack)
    def _clawed_back(
        self,
        by: Provenance,
        party: str,
        award_id: str,
        clause: str,
        source: str,
        amount: Decimal,
        reason: str,
        award_year: int,
    ) -> None:
        award = self.awards[award_id]
        award.clawed_back += amount
        award.last_clawback = by.decided

    # external awards (G.3) -------------------------------------------------------------
    def record_external_award(
        self, by: Provenance, clause: str, matter: str, amount: Decimal, source: str
    ) -> None:
        """Record an award paid under another policy on ``matter`` so G.3 counts it."""
        amount = yuan(amount)
        if amount <= 0:
            raise InvalidAmount(N_("external award {amount} must be positive"), amount=fmt(amount))
        if not matter.strip():
            raise Refused(N_("an external award needs the G.3 matter key it was paid for"))
        if not source.strip():
            raise Refused(N_("an external award needs its source policy (e.g. 省级晋创谷政策)"))
        if not by.ref.strip():
            raise Refused(N_("an external award needs the other policy's decision reference (文号)"))
        self._external_award_recorded(by, self.code, clause, matter.strip(), amount, source.strip())

    class ExternalAwardRecorded(Aggregate.Event):
        by: Provenance
        party: str
        clause: str
        matter: str
        amount: Decimal
        source: str

    @event(ExternalAwardRecorded)
    def _external_award_recorded(
        self, by: Provenance, party: str, clause: str, matter: str, amount: Decimal, source: str
    ) -> None:
        self.external_awards.append(ExternalAward(clause, matter, amount, source, by.decided, by.ref))

    def received_on(self, matter: str) -> Decimal:
        """What the party already received on a G.3 matter: awards net of clawbacks plus
        external awards."""
        own = sum((a.amount - a.clawed_back for a in self.awards.values() if a.matter == matter), ZERO)
        external = sum((x.amount for x in self.external_awards if x.matter == matter), ZERO)
        return own + external

    def received_sources(self, matter: str) -> str:
        """A short list of what was received on ``matter``, for G.3 traces."""
        parts = [f"{a.award_id} {a.clause} {fmt(a.amount - a.clawed_back)}"
                 for a in self.awards.values() if a.matter == matter and a.amount > a.clawed_back]
        parts += [f"{x.source} {x.clause} {fmt(x.amount)}" for x in self.external_awards if x.matter == matter]
        return "; ".join(parts)

    def awarded_where(self, clause: str, **basis: str) -> Decimal:
        """Cumulative award under ``clause`` whose basis has the given values, net of clawbacks
        (for caps over a subject, e.g. P6.2 per project)."""
        return sum(
            (a.amount - a.clawed_back for a in self.awards.values()
             if a.clause == clause and all(a.basis.get(k) == v for k, v in basis.items())),
            ZERO,
        )

    def clauses_years(self, clause: str, basis_key: str) -> set[int]:
        """The distinct years (basis ``basis_key``, else fiscal year) awarded under ``clause``."""
        years = set()
        for a in self.awards.values():
            if a.clause == clause and a.amount > a.clawed_back:
                raw = a.basis.get(basis_key, "")
                years.add(int(raw) if raw.isdigit() else a.fiscal_year)
        return years

    # views ---------------------------------------------------------------------------
    def totals(self) -> dict[str, Decimal]:
        awarded = sum((a.amount for a in self.awards.values()), ZERO)
        disbursed = sum((a.disbursed for a in self.awards.values()), ZERO)
        clawed = sum((a.clawed_back for a in self.awards.values()), ZERO)
        return {
            "awarded": awarded,
            "disbursed": disbursed,
            "clawed_back": clawed,
            "outstanding": awarded - disbursed,
        }

    def awarded_in(self, clause: str, year: int) -> Decimal:
        """Cumulative award under ``clause`` in calendar year ``year``, net of clawbacks."""
        return sum(
            (a.amount - a.clawed_back for a in self.awards.values() if a.clause == clause and a.fiscal_year == year),
            ZERO,
        )


@journal.postings.register(Enterprise.AwardGranted)
def _award_postings(e: Any) -> tuple[journal.Posting, ...]:
    return journal.transfer(journal.budget(e.clause, e.by.fiscal_year), journal.payable(e.party), e.amount)


@journal.postings.register(Enterprise.Disbursed)
def _disbursed_postings(e: Any) -> tuple[journal.Posting, ...]:
    return journal.transfer(journal.payable(e.party), journal.funding(e.source), e.amount)


@journal.postings.register(Enterprise.AwardVoided)
def _voided_postings(e: Any) -> tuple[journal.Posting, ...]:
    """The unpaid part goes back to the budget line of the award's year: as if never committed."""
    return journal.transfer(journal.payable(e.party), journal.budget(e.clause, e.award_year), e.amount)


@journal.postings.register(Enterprise.ClawedBack)
def _clawback_postings(e: Any) -> tuple[journal.Posting, ...]:
    same_year = e.by.fiscal_year == e.award_year
    credit = journal.budget(e.clause, e.award_year) if same_year else journal.returned(e.by.fiscal_year)
    return journal.transfer(journal.funding(e.source), credit, e.amount)
