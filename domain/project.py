"""A 拨投结合 project (P2.2, P6.1): a research grant whose conversion terms are agreed up front.

Lifecycle: approved (grant, recipient, holder fund, terms) → tranches paid → trigger recorded →
disbursed money converted into equity (registered capital + premium) or debt → exit: buyback
by the team at the stored formula (whole or in parts, inside the window), sale to a third
party, or failure (written off; recovered only on recorded misuse). Completion (验收, a Finished
event with the acceptance reference) ends the tranches; only then may the unspent money of the
finished project be reassigned to another project (P6.1). A debt is repaid by the enterprise to
the fund (interest first, at the agreed rate to the payment date, then principal; early
repayment allowed) or written off on default.

Invariants checked here, each with its own refusal: converted ≤ disbursed; stake ≤ agreed
maximum; no conversion without its trigger; bought back ≤ held; no buyback outside the window;
repaid ≤ owed; no repayment before a conversion into debt; no reassignment before completion.
All conversions of a project share one price per unit (valuation / registered capital before the
round or the project's first conversion), so converting in parts equals converting at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypedDict
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import journal
from domain.conversion_terms import ConversionTerms, pct, pct2
from domain.errors import CapExceeded, InvalidAmount, InvalidDate, Refused
from domain.fund import holding_account
from domain.ids import project_id
from domain.messages import N_, Message
from domain.money import ZERO, fmt, pro_rata, round_fen, yuan
from domain.provenance import Provenance

CLAUSES = ("P2.2", "P6.1")
OPEN = ("approved", "converted")  # states in which money may still move
UNIT = Decimal("0.000001")  # a price per unit of registered capital is shown to 6 places


class Trigger(TypedDict):
    """The conversion trigger as recorded: a date, or a financing round with its investor,
    pre-money valuation and amount (None for a date trigger)."""

    on: date
    kind: str
    round_pre_money: Decimal | None
    investor: str
    round_amount: Decimal | None


class Lot(TypedDict):
    """One conversion: ``units`` of registered capital issued on ``on`` for ``amount``; ``out`` of
    them have left the fund since (bought back or sold), ``bought_back`` of those by the team. Each
    lot keeps its own buyback window and interest period (docs/decisions.md)."""

    on: date
    amount: Decimal
    units: Decimal
    bought_back: Decimal
    out: Decimal


def capitalised_account(clause: str, year: int) -> str:
    """Grant spending of a clause and year that became an investment on conversion."""
    return f"capitalised:{clause}:{year}"


def project_account(code: str) -> str:
    """Fiscal money of a project moved between projects (P6.1 reassignment)."""
    return f"project:{code}"


@dataclass(frozen=True)
class ConversionPlan:
    """What converting ``amount`` would issue, computed before anything is recorded."""

    into: str
    amount: Decimal
    valuation: Decimal
    units: Decimal
    premium: Decimal
    stake: Decimal
    trace: list[str] = field(default_factory=list)
    price_base: Decimal | None = None  # registered capital the price per unit is set on (equity)


@dataclass(frozen=True)
class Repayment:
    """How a payment on the debt splits: interest due first, then principal."""

    amount: Decimal
    interest: Decimal
    principal: Decimal
    interest_due: Decimal
    outstanding_after: Decimal
    trace: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BuybackQuote:
    units: Decimal
    price: Decimal
    share: Decimal
    trace: list[str] = field(default_factory=list)
    drawn: list[Decimal] = field(default_factory=list)  # units taken from each conversion lot


class Project(Aggregate):
    @staticmethod
    def create_id(code: str) -> UUID:
        return project_id(code)

    @classmethod
    def approve(
        cls,
        by: Provenance,
        *,
        code: str,
        title: str,
        clause: str,
        enterprise: str,
        fund: str,
        amount: Decimal,
        terms: ConversionTerms,
        source: str = journal.CITY,
        early_stage: bool = True,
    ) -> Project:
        if not code.strip() or not title.strip():
            raise Refused(N_("a project needs a code and a title"))
        if clause not in CLAUSES:
            raise Refused(N_("a 拨投结合 project is approved under {clauses}, not {clause}"), clauses=' or '.join(CLAUSES), clause=clause)
        if not by.ref.strip():
            raise Refused(N_("project {code}: approval needs a decision reference (文号)"), code=code)
        amount = yuan(amount)
        if amount <= 0:
            raise InvalidAmount(N_("project {code}: the grant must be positive"), code=code)
        if terms.trigger.kind == "date" and terms.trigger.on is not None and terms.trigger.on < by.decided:
            raise InvalidDate(N_("project {code}: the trigger date {on} is before the approval"), code=code, on=terms.trigger.on)
        return cls(
            by=by, code=code, title=title, clause=clause, enterprise=enterprise, fund=fund,
            amount=amount, terms=terms.as_dict(), source=source, early_stage=early_stage,
        )

    class Approved(Aggregate.Created):
        by: Provenance
        code: str
        title: str
        clause: str
        enterprise: str
        fund: str
        amount: Decimal
        terms: dict[str, Any]
        source: str
        early_stage: bool

    @event(Approved)
    def __init__(
        self, by: Provenance, code: str, title: str, clause: str, enterprise: str, fund: str,
        amount: Decimal, terms: dict[str, Any], source: str, early_stage: bool,
    ) -> None:
        self.code = code
        self.title = title
        self.clause = clause
        self.enterprise = enterprise
        self.fund = fund
        self.amount = amount
        self.terms_data = dict(terms)
        self.source = source
        self.early_stage = early_stage
        self.approved_on = by.decided
        self.approved_by = by.actor  # the tranche's second person is checked against them (two people)
        self.status = "approved"
        self.tranches: list[tuple[date, Decimal, str]] = []
        self.disbursed = ZERO
        self.pending = ZERO  # tranche orders recorded and not yet posted (待审核)
        self.reassigned_in = ZERO
        self.reassigned_out = ZERO
        self.clawed_back = ZERO
        self.released = ZERO  # grant never paid, released from the commitment on failure or completion
        self.spent = ZERO  # what the team spent on the research, recorded at completion (P6.1)
        self.trigger: Trigger | None = None
        self.into = ""
        self.converted = ZERO
        self.converted_on: date | None = None
        # one lot per conversion: {on, amount, units, bought_back, out}; each lot's buyback window,
        # interest and debt maturity run from its own conversion date (docs/decisions.md)
        self.lots: list[Lot] = []
        # the registered capital the conversion price per unit is set on (valuation / this), fixed by
        # the project's first conversion into equity so that every later part shares its price
        self.price_base: Decimal | None = None
        self.finished_on: date | None = None
        self.acceptance_ref = ""
        self.units = ZERO  # registered capital issued to the fund
        self.premium = ZERO
        self.bought_back = ZERO  # units
        self.sold = ZERO  # units
        self.written_off = ZERO  # units
        self.proceeds = ZERO
        self.last_paid_year = by.decided.year
        # debt (conversion into debt): principal repaid or written off, interest paid, and the
        # interest accrued but unpaid up to ``debt_accrued_to`` (simple interest, cash basis)
        self.debt_repaid = ZERO
        self.debt_written_off = ZERO
        self.interest_paid = ZERO
        self.interest_carried = ZERO
        self.debt_accrued_to: date | None = None

    @property
    def terms(self) -> ConversionTerms:
        return ConversionTerms.from_dict(self.terms_data)

    @property
    def held(self) -> Decimal:
        """Units of registered capital the fund still holds from this project."""
        return self.units - self.bought_back - self.sold - self.written_off

    @property
    def unconverted(self) -> Decimal:
        """Fiscal money received and neither converted, reassigned nor recovered."""
        return self.disbursed + self.reassigned_in - self.converted - self.reassigned_out - self.clawed_back

    @property
    def outstanding(self) -> Decimal:
        """Grant approved and still committed: neither paid nor released (failure or completion)."""
        return self.amount - self.disbursed - self.released

    @property
    def convertible(self) -> Decimal:
        """The project's own tranches not yet converted, reassigned or recovered: money reassigned in
        (P6.1) is for research, never part of the conversion base."""
        return max(ZERO, min(self.disbursed - self.converted - self.clawed_back, self.unconverted - self.spent))

    @property
    def debt_outstanding(self) -> Decimal:
        """Principal the enterprise still owes the fund (0 unless converted into debt)."""
        if self.into != "debt":
            return ZERO
        return self.converted - self.debt_repaid - self.debt_written_off

    def _open(self, what: str) -> None:
        if self.status not in OPEN:
            raise Refused(N_("project {code} is {status}: cannot {what}"), code=self.code, status=Message(self.status), what=what)

    # tranches -------------------------------------------------------------------------
    def order_tranche(self, by: Provenance, amount: Decimal, voucher: str) -> None:
        """A tranche's payment order (待审核): reserved on the grant until a second person posts it."""
        amount = self._check_tranche(by, amount)
        self._tranche_ordered(by, self.code, self.clause, self.enterprise, self.source, amount, voucher)

    class TrancheOrdered(Aggregate.Event):
        by: Provenance
        code: str
        clause: str
        enterprise: str
        source: str
        amount: Decimal
        voucher: str

    @event(TrancheOrdered)
    def _tranche_ordered(
        self, by: Provenance, code: str, clause: str, enterprise: str, source: str, amount: Decimal, voucher: str
    ) -> None:
        self.pending += amount

    def void_tranche_order(self, by: Provenance, amount: Decimal, voucher: str, reason: str) -> None:
        if amount > self.pending:
            raise Refused(N_("project {code}: no pending tranche of {amount} ({pending} pending)"), code=self.code,
                          amount=fmt(amount), pending=fmt(self.pending))
        self._tranche_order_voided(by, self.code, self.clause, self.source, amount, voucher, reason)

    class TrancheOrderVoided(Aggregate.Event):
        by: Provenance
        code: str
        clause: str
        source: str
        amount: Decimal
        voucher: str
        reason: str

    @event(TrancheOrderVoided)
    def _tranche_order_voided(
        self, by: Provenance, code: str, clause: str, source: str, amount: Decimal, voucher: str, reason: str
    ) -> None:
        self.pending -= amount

    def disburse(self, by: Provenance, amount: Decimal, voucher: str = "", ordered: bool = False) -> None:
        """Pay a tranche: directly, or by posting its pending order (``ordered``)."""
        if ordered:
            amount = yuan(amount)
            if amount > self.pending:
                raise Refused(N_("project {code}: no pending tranche of {amount} ({pending} pending)"), code=self.code,
                              amount=fmt(amount), pending=fmt(self.pending))
            self._open("pay a tranche")
        else:
            amount = self._check_tranche(by, amount)
        self._tranche_paid(by, self.code, self.clause, self.enterprise, self.source, amount, voucher, ordered)

    def _no_pending(self, what: str) -> None:
        if self.pending:
            raise Refused(N_("project {code}: a tranche of {pending} is pending approval; post or void it first "
                             "(then {what})"), code=self.code, pending=fmt(self.pending), what=what)

    def _check_tranche(self, by: Provenance, amount: Decimal) -> Decimal:
        self._open("pay a tranche")
        if self.finished_on is not None:
            raise Refused(N_("project {code} was finished on {finished_on} ({acceptance_ref}): no further tranche is paid"), code=self.code, finished_on=self.finished_on, acceptance_ref=self.acceptance_ref)
        amount = yuan(amount)
        if amount <= 0:
            raise InvalidAmount(N_("tranche {amount} must be positive"), amount=fmt(amount))
        if by.decided < self.approved_on:
            raise InvalidDate(N_("project {code}: payment {decided} is before the approval ({approved_on})"),
                              code=self.code, decided=by.decided, approved_on=self.approved_on)
        remaining = self.amount - self.disbursed - self.pending
        if amount > remaining and self.pending:
            raise CapExceeded(
                N_("project {code}: tranche {amount} exceeds what remains of the grant ({remaining} of {amount2}, "
                   "{pending} pending approval)"),
                code=self.code, amount=fmt(amount), remaining=fmt(remaining), amount2=fmt(self.amount),
                pending=fmt(self.pending))
        if amount > remaining:
            raise CapExceeded(
                N_("project {code}: tranche {amount} exceeds what remains of the grant ({remaining} of {amount2})"),
                code=self.code, amount=fmt(amount), remaining=fmt(remaining), amount2=fmt(self.amount)
            )
        return amount

    class TranchePaid(Aggregate.Event):
        by: Provenance
        code: str
        clause: str
        enterprise: str
        source: str
        amount: Decimal
        voucher: str
        ordered: bool = False  # posting a pending order (events stored before orders existed: False)

    @event(TranchePaid)
    def _tranche_paid(
        self, by: Provenance, code: str, clause: str, enterprise: str, source: str, amount: Decimal, voucher: str,
        ordered: bool = False,
    ) -> None:
        self.tranches.append((by.decided, amount, voucher))
        self.disbursed += amount
        self.last_paid_year = by.decided.year
        if ordered:
            self.pending -= amount

    def reverse_tranche(self, by: Provenance, amount: Decimal, voucher: str, paid_year: int, reason: str) -> None:
        """A tranche recorded in error, undone by a new event (红字冲销): the grant may be paid again.
        Only while the project's money is as the tranche left it: not once converted (the stake was
        issued on it), recovered, reassigned, failed or finished (the release was computed on it)."""
        if self.status not in OPEN or self.finished_on is not None:
            raise Refused(N_("project {code} is {status}: a tranche is reversed only while the project is open "
                             "(its failure or completion was computed on what was paid)"), code=self.code,
                          status=Message(N_("finished")) if self.finished_on is not None else Message(self.status))
        if self.converted:
            raise Refused(N_("project {code}: {converted} was already converted into {into} on {on}, on the tranches "
                             "paid; a converted tranche is not reversed"), code=self.code,
                          converted=fmt(self.converted), into=Message(self.into), on=self.converted_on)
        if self.clawed_back or self.reassigned_out:
            raise Refused(N_("project {code}: money was already recovered or reassigned from the tranches paid; a "
                             "tranche is not reversed"), code=self.code)
        if not any(v == voucher and a == amount for _, a, v in self.tranches):
            raise Refused(N_("project {code}: no tranche of {amount} paid under {voucher}"), code=self.code,
                          amount=fmt(amount), voucher=voucher)
        self._tranche_reversed(by, self.code, self.clause, self.enterprise, self.source, amount, voucher, paid_year,
                               reason)

    class TrancheReversed(Aggregate.Event):
        by: Provenance
        code: str
        clause: str
        enterprise: str
        source: str
        amount: Decimal
        voucher: str
        paid_year: int
        reason: str

    @event(TrancheReversed)
    def _tranche_reversed(self, by: Provenance, code: str, clause: str, enterprise: str, source: str,
                          amount: Decimal, voucher: str, paid_year: int, reason: str) -> None:
        i = next(i for i, (_, a, v) in enumerate(self.tranches) if v == voucher and a == amount)
        del self.tranches[i]
        self.disbursed -= amount

    # trigger --------------------------------------------------------------------------
    def record_trigger(
        self, by: Provenance, round_pre_money: Decimal | None = None, investor: str = "",
        round_amount: Decimal | None = None,
    ) -> None:
        self._open("record a trigger")
        if self.trigger is not None:
            raise Refused(N_("project {code}: the trigger was already recorded on {on}"), code=self.code, on=self.trigger['on'])
        t = self.terms.trigger
        if t.kind == "date":
            assert t.on is not None
            if by.decided < t.on:
                raise InvalidDate(N_("project {code}: the conversion date {on} has not come ({decided})"), code=self.code, on=t.on, decided=by.decided)
            if round_pre_money is not None:
                raise Refused(N_("project {code}: the trigger is a date; no financing round is needed"), code=self.code)
        else:
            if round_pre_money is None or not investor.strip():
                raise Refused(N_("project {code}: the trigger is a financing round: it needs the round's investor and pre-money valuation"), code=self.code)
            round_pre_money = yuan(round_pre_money)
            if round_pre_money <= 0:
                raise InvalidAmount(N_("the round's pre-money valuation must be positive"))
        self._triggered(by, self.code, t.kind, round_pre_money,
                        investor, yuan(round_amount) if round_amount is not None else None)

    class Triggered(Aggregate.Event):
        by: Provenance
        code: str
        kind: str
        round_pre_money: Decimal | None
        investor: str
        round_amount: Decimal | None

    @event(Triggered)
    def _triggered(
        self, by: Provenance, code: str, kind: str, round_pre_money: Decimal | None, investor: str,
        round_amount: Decimal | None,
    ) -> None:
        self.trigger = Trigger(on=by.decided, kind=kind, round_pre_money=round_pre_money, investor=investor,
                               round_amount=round_amount)

    # conversion -----------------------------------------------------------------------
    def plan_conversion(
        self, on: date, into: str, amount: Decimal | None, capital_before: Decimal,
        price_base: Decimal | None = None,
    ) -> ConversionPlan:
        """The conversion of ``amount`` (default: all unconverted money) given the enterprise's
        registered capital before it; refuses what the invariants forbid.

        The price per unit is the valuation divided by ``price_base``: the registered capital the
        agreed price refers to (before the financing round for a round price, before the project's
        first conversion for a fixed pre-money valuation; default ``capital_before``). It is fixed by
        the first conversion, so converting in parts issues exactly what converting at once would."""
        self._open(Message(N_("convert")))
        if self.trigger is None:
            raise Refused(N_("project {code}: no conversion without its trigger ({describe}): record the trigger first"), code=self.code, describe=self.terms.trigger.describe())
        if on < self.trigger["on"]:
            raise InvalidDate(N_("project {code}: conversion {on} is before the trigger ({on2})"), code=self.code, on=on, on2=self.trigger['on'])
        if self.into and into != self.into:
            raise Refused(N_("project {code} was converted into {into}; it cannot now convert into {into2}"), code=self.code, into=self.into, into2=into)
        convertible = self.convertible
        amount = convertible if amount is None else yuan(amount)
        if amount <= 0:
            raise InvalidAmount(N_("project {code}: nothing to convert (disbursed {disbursed}, converted {converted})"), code=self.code, disbursed=fmt(self.disbursed), converted=fmt(self.converted))
        if amount > convertible:
            reassigned = (Message(N_("; {reassigned_in} reassigned in under P6.1 is not convertible"),
                                  reassigned_in=fmt(self.reassigned_in)) if self.reassigned_in else "")
            raise CapExceeded(
                N_("project {code}: cannot convert {amount}: converted must not exceed disbursed (disbursed {disbursed}, "
                   "already converted {converted}, left {convertible}{reassigned})"), code=self.code,
                amount=fmt(amount), disbursed=fmt(self.disbursed), converted=fmt(self.converted),
                convertible=fmt(convertible), reassigned=reassigned)
        terms = self.terms
        tag = self.clause
        if into == "debt":
            if terms.debt_rate is None:
                raise Refused(N_("project {code}: the approved terms have no debt terms"), code=self.code)
            return ConversionPlan(Message(N_("debt")), amount, ZERO, ZERO, ZERO, Decimal(0), [
                Message(N_("{tag}: {amount} converted into debt of {enterprise} to {fund} at {debt_rate} simple interest a year for {debt_years} years"), tag=tag, amount=fmt(amount), enterprise=self.enterprise, fund=self.fund, debt_rate=pct(terms.debt_rate), debt_years=terms.debt_years),
            ])
        if into != "equity":
            raise Refused(N_("conversion is into equity or debt, not {into!r}"), into=into)
        if capital_before <= 0:
            raise Refused(N_("{enterprise} has no registered capital on record: its holders and their registered capital come first"), enterprise=self.enterprise)
        valuation, how = terms.pricing.valuation(self.trigger.get("round_pre_money"))
        trace: list[str] = [Message(N_("{tag}: pre-money valuation: {how}"), tag=tag, how=how)]
        if self.price_base is not None:
            base = self.price_base
            basis = Message(N_("set by the project's first conversion ({converted_on})"), converted_on=self.converted_on)
        else:
            base = capital_before if price_base is None else price_base
            basis = (Message(N_("before the financing round")) if terms.pricing.mechanism != "fixed"
                     else Message(N_("before the project's first conversion")))
            if base <= 0:
                raise Refused(N_("{enterprise} had no registered capital on record {basis}: the price per unit cannot be set"), enterprise=self.enterprise, basis=basis)
        trace.append(
            Message(N_("{tag}: price per unit = {valuation} / {base} registered capital {basis} = {normalize:f}"), tag=tag, valuation=fmt(valuation), base=fmt(base), basis=basis, normalize=(valuation / base).quantize(UNIT).normalize())
        )
        if self.converted:
            # every part at the one price: units for all converted so far, less those already issued
            total = self.converted + amount
            cumulative = round_fen(base * total / valuation)
            units = cumulative - self.units
            trace.append(
                Message(N_("{tag}: registered capital for {total} converted in all = {base} × {total} / {valuation} = {cumulative}; issued now = {cumulative} − {units} already issued = {units2} (1 unit = 1 yuan)"), tag=tag, total=fmt(total), base=fmt(base), valuation=fmt(valuation), cumulative=fmt(cumulative), units=fmt(self.units), units2=fmt(units))
            )
        else:
            units = round_fen(base * amount / valuation)
            trace.append(
                Message(N_("{tag}: registered capital issued = {base} × {amount} / {valuation} = {units} (1 unit = 1 yuan)"), tag=tag, base=fmt(base), amount=fmt(amount), valuation=fmt(valuation), units=fmt(units))
            )
        if units <= 0:
            raise InvalidAmount(N_("project {code}: converting {amount} would issue no registered capital at {normalize:f} a unit: convert a larger amount"), code=self.code, amount=fmt(amount), normalize=(valuation / base).quantize(UNIT).normalize())
        premium = amount - units
        total_after = capital_before + units
        stake = (self.held + units) / total_after
        trace += [
            Message(N_("{tag}: premium (资本公积) = {amount} − {units} = {premium}"), tag=tag, amount=fmt(amount), units=fmt(units), premium=fmt(premium)),
            Message(N_("{tag}: stake of {fund} from this project = {value} / {total_after} = {quantize} (maximum {max_stake})"), tag=tag, fund=self.fund, value=fmt(self.held + units), total_after=fmt(total_after), quantize=pct(stake.quantize(Decimal('0.0001'))), max_stake=pct(terms.max_stake)),
        ]
        if stake > terms.max_stake:
            raise CapExceeded(
                N_("project {code}: the stake would be {quantize}, above the agreed maximum {max_stake}"), code=self.code, quantize=pct(stake.quantize(Decimal('0.0001'))), max_stake=pct(terms.max_stake)
            )
        return ConversionPlan(Message(N_("equity")), amount, valuation, units, premium, stake, trace, base)

    def convert(
        self, by: Provenance, into: str, amount: Decimal | None, capital_before: Decimal,
        price_base: Decimal | None = None,
    ) -> ConversionPlan:
        """Convert on the decision date; ``capital_before`` is the enterprise's registered capital then
        and ``price_base`` the capital the agreed price refers to (see :meth:`plan_conversion`)."""
        plan = self.plan_conversion(by.decided, into, amount, capital_before, price_base)
        if plan.into == "debt" and self.debt_outstanding > 0:
            # more principal from today: settle the interest on the old principal up to today first
            assert self.debt_accrued_to is not None
            accrued, _ = self.terms.debt_interest(self.debt_outstanding, self.debt_accrued_to, by.decided)
            self._interest_accrued(by, self.code, self.debt_outstanding, accrued, self.debt_accrued_to)
        self._converted(by, self.code, self.clause, self.enterprise, self.fund, plan.into, plan.amount,
                        plan.valuation, plan.units, plan.premium, list(plan.trace), plan.price_base)
        return plan

    class Converted(Aggregate.Event):
        by: Provenance
        code: str
        clause: str
        enterprise: str
        fund: str
        into: str
        amount: Decimal
        valuation: Decimal
        units: Decimal
        premium: Decimal
        trace: list[str]
        price_base: Decimal | None  # the registered capital the price per unit is set on (equity)

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 had no ``price_base``: the base its units were computed on."""
            if "price_base" not in state:
                state["price_base"] = (round_fen(state["units"] * state["valuation"] / state["amount"])
                                       if state["into"] == "equity" else None)

    @event(Converted)
    def _converted(
        self, by: Provenance, code: str, clause: str, enterprise: str, fund: str, into: str, amount: Decimal,
        valuation: Decimal, units: Decimal, premium: Decimal, trace: list[str], price_base: Decimal | None,
    ) -> None:
        if into == "equity" and self.price_base is None:
            self.price_base = price_base
        self.into = into
        self.converted += amount
        self.units += units
        self.premium += premium
        if self.converted_on is None:
            self.converted_on = by.decided
        self.lots.append(Lot(on=by.decided, amount=amount, units=units, bought_back=ZERO, out=ZERO))
        if into == "debt" and self.debt_accrued_to is None:
            self.debt_accrued_to = by.decided
        self.status = "converted"

    class InterestAccrued(Aggregate.Event):
        by: Provenance
        code: str
        principal: Decimal
        amount: Decimal
        since: date

    @event(InterestAccrued)
    def _interest_accrued(
        self, by: Provenance, code: str, principal: Decimal, amount: Decimal, since: date
    ) -> None:
        self.interest_carried += amount
        self.debt_accrued_to = by.decided

    # debt -----------------------------------------------------------------------------
    def _check_debt(self, what: str) -> None:
        if not self.into:
            raise Refused(N_("project {code}: no {what} before conversion: the grant has not been converted into debt"), code=self.code, what=what)
        if self.into != "debt":
            raise Refused(N_("project {code} was converted into {into}, not debt: there is no debt to {what}"), code=self.code, into=self.into, what=what)
        if self.status == "repaid":
            raise Refused(N_("project {code}: the debt is repaid in full"), code=self.code)
        self._open(what)
        if self.debt_outstanding <= 0:
            raise Refused(N_("project {code}: no debt outstanding"), code=self.code)

    def interest_due(self, on: date) -> tuple[Decimal, list[str]]:
        """Interest owed on ``on``: unpaid interest carried plus the agreed rate since it was last settled."""
        assert self.debt_accrued_to is not None
        if on < self.debt_accrued_to:
            raise InvalidDate(N_("project {code}: {on} is before the debt's last settlement ({debt_accrued_to})"), code=self.code, on=on, debt_accrued_to=self.debt_accrued_to)
        new, how = self.terms.debt_interest(self.debt_outstanding, self.debt_accrued_to, on)
        due = self.interest_carried + new
        trace: list[str] = [Message(N_("{clause}: interest = {how}"), clause=self.clause, how=how)]
        if self.interest_carried:
            trace.append(Message(N_("{clause}: unpaid interest carried {interest_carried} + {new} = {due} due"), clause=self.clause, interest_carried=fmt(self.interest_carried), new=fmt(new), due=fmt(due)))
        return due, trace

    def plan_repayment(self, on: date, amount: Decimal | None) -> Repayment:
        """Split a payment of ``amount`` (default: everything owed) made ``on`` into interest and principal."""
        self._check_debt(Message(N_("repay")))
        due, trace = self.interest_due(on)
        outstanding = self.debt_outstanding
        owed = due + outstanding
        amount = owed if amount is None else yuan(amount)
        if amount <= 0:
            raise InvalidAmount(N_("project {code}: a repayment must be positive"), code=self.code)
        if amount > owed:
            raise CapExceeded(
                N_("project {code}: repayment {amount} exceeds what is owed on {on}: principal {outstanding} + interest {due} = {owed} (repaid must not exceed outstanding)"), code=self.code, amount=fmt(amount), on=on, outstanding=fmt(outstanding), due=fmt(due), owed=fmt(owed)
            )
        interest = min(amount, due)
        principal = amount - interest
        after = outstanding - principal
        trace.append(
            Message(N_("{clause}: payment {amount} = interest {interest} + principal {principal} (interest first); principal outstanding {outstanding} − {principal} = {after}"), clause=self.clause, amount=fmt(amount), interest=fmt(interest), principal=fmt(principal), outstanding=fmt(outstanding), after=fmt(after))
        )
        overdue = self.overdue_debt(on)
        last = max(day for day, _ in self.maturities())
        if after == 0 and on < last:
            trace.append(Message(N_("{clause}: early repayment in full before maturity {last}: interest runs only to the payment date (the agreed terms set no other charge)"), clause=self.clause, last=last))
        elif overdue:
            trace.append(Message(N_("{clause}: overdue since maturity {overdue}: {overdue2} principal due and unpaid; interest runs at the agreed rate until paid"), clause=self.clause, overdue=overdue[0][0], overdue2=fmt(overdue[0][1])))
        return Repayment(amount, interest, principal, due, after, trace)

    def maturities(self) -> list[tuple[date, Decimal]]:
        """Each conversion into debt falls due the agreed term after its own conversion date."""
        return [(self.terms.maturity(lot["on"]), lot["amount"]) for lot in self.lots]

    def overdue_debt(self, on: date) -> list[tuple[date, Decimal]]:
        """Parts of the principal past their maturity on ``on`` and still owed: principal repaid or
        written off settles the oldest conversion first (it falls due first)."""
        settled = self.debt_repaid + self.debt_written_off
        overdue = []
        for day, amount in self.maturities():
            open_part = max(ZERO, amount - settled)
            settled = max(ZERO, settled - amount)
            if open_part > 0 and day < on:
                overdue.append((day, open_part))
        return overdue

    def repay(self, by: Provenance, amount: Decimal | None) -> Repayment:
        """The enterprise pays the fund on the decision date (default: the whole debt and its interest)."""
        plan = self.plan_repayment(by.decided, amount)
        self._debt_repaid(by, self.code, self.enterprise, self.fund, plan.amount, plan.interest, plan.principal,
                          plan.interest_due, list(plan.trace))
        return plan

    class DebtRepaid(Aggregate.Event):
        by: Provenance
        code: str
        enterprise: str
        fund: str
        amount: Decimal
        interest: Decimal
        principal: Decimal
        interest_due: Decimal
        trace: list[str]

    @event(DebtRepaid)
    def _debt_repaid(
        self, by: Provenance, code: str, enterprise: str, fund: str, amount: Decimal, interest: Decimal,
        principal: Decimal, interest_due: Decimal, trace: list[str],
    ) -> None:
        self.interest_paid += interest
        self.interest_carried = interest_due - interest
        self.debt_repaid += principal
        self.debt_accrued_to = by.decided
        self.proceeds += amount
        if self.debt_outstanding == 0:
            self.status = "repaid"

    def write_off_debt(self, by: Provenance, reason: str) -> tuple[Decimal, Decimal]:
        """Default: the principal still owed is written off; unpaid interest is forgone (never booked).

        Returns (principal written off, interest forgone)."""
        self._check_debt("write off")
        if not reason.strip():
            raise Refused(N_("project {code}: writing off the debt needs a reason"), code=self.code)
        interest, _ = self.interest_due(by.decided)
        principal = self.debt_outstanding
        self._debt_written_off(by, self.code, self.enterprise, self.fund, principal, interest, reason)
        return principal, interest

    class DebtWrittenOff(Aggregate.Event):
        by: Provenance
        code: str
        enterprise: str
        fund: str
        principal: Decimal
        interest: Decimal
        reason: str

    @event(DebtWrittenOff)
    def _debt_written_off(
        self, by: Provenance, code: str, enterprise: str, fund: str, principal: Decimal, interest: Decimal,
        reason: str,
    ) -> None:
        self.debt_written_off += principal
        self.interest_carried = ZERO
        self.debt_accrued_to = by.decided
        self.status = "defaulted"

    # exits ----------------------------------------------------------------------------
    def _check_held(self, units: Decimal | None, what: str) -> Decimal:
        if self.into != "equity":
            raise Refused(N_("project {code} holds no equity ({value})"), code=self.code, value='not converted' if not self.into else 'debt')
        units = self.held if units is None else yuan(units)
        if units <= 0:
            raise InvalidAmount(N_("project {code}: {what} must be positive"), code=self.code, what=what)
        if units > self.held:
            raise CapExceeded(
                N_("project {code}: cannot {what} {units} of registered capital; the fund holds {held} from this project"), code=self.code, what=what, units=fmt(units), held=fmt(self.held)
            )
        return units

    # what a lot still holds (units converted, less what left it)
    def lot_held(self, lot: Lot) -> Decimal:
        held: Decimal = lot["units"] - lot["out"]
        return held

    def _draw(self, units: Decimal, lots: list[int]) -> list[Decimal]:
        """Units taken from each lot (indexes ``lots``), pro rata to what each still holds, in fen; the
        parts add up exactly to ``units`` and no lot gives more than it holds."""
        held = [self.lot_held(self.lots[i]) for i in lots]
        parts = pro_rata(units, held)
        for k, part in enumerate(parts):  # a fen of rounding past a lot's holding moves to the next lot
            excess = part - held[k]
            if excess > 0:
                parts[k] = held[k]
                for j in range(len(parts)):
                    room = held[j] - parts[j]
                    if j != k and room > 0:
                        moved = min(room, excess)
                        parts[j] += moved
                        excess -= moved
        drawn = [ZERO] * len(self.lots)
        for i, part in zip(lots, parts, strict=True):
            drawn[i] = part
        return drawn

    def quote_buyback(self, on: date, units: Decimal | None) -> BuybackQuote:
        """The price of buying back ``units`` (default: all held in lots inside their window) on ``on``.

        Each conversion is a lot with its own window and, for an interest formula, its own interest
        period from its conversion date; the units are drawn from the lots in their window pro rata to
        what each still holds (docs/decisions.md)."""
        if self.status not in OPEN:
            raise Refused(N_("project {code} is {status}: cannot buy back"), code=self.code, status=Message(self.status))
        terms = self.terms
        if self.into != "equity":
            self._check_held(units, Message(N_("buy back")))  # refuses: no equity
        windows = [terms.window(lot["on"]) for lot in self.lots]
        open_lots = [i for i, lot in enumerate(self.lots)
                     if self.lot_held(lot) > 0 and windows[i][0] <= on <= windows[i][1]]
        several = len(self.lots) > 1

        def where(i: int) -> Message:
            lot = (Message(N_(" (conversion of {on}, {lot_held} held)"), on=self.lots[i]['on'],
                           lot_held=fmt(self.lot_held(self.lots[i]))) if several else "")
            return Message(N_("{start} to {end}{lot}"), start=windows[i][0], end=windows[i][1], lot=lot)

        if not open_lots:
            raise InvalidDate(
                N_("project {code}: buyback on {on} is outside the agreed window {windows}"), code=self.code, on=on,
                windows=[where(i) for i in range(len(self.lots)) if self.lot_held(self.lots[i]) > 0])
        in_window = sum((self.lot_held(self.lots[i]) for i in open_lots), ZERO)
        units = self._check_held(in_window if units is None else units, Message(N_("buy back")))
        if units > in_window:
            closed = [i for i in range(len(self.lots)) if i not in open_lots and self.lot_held(self.lots[i]) > 0]
            raise InvalidDate(N_("project {code}: cannot buy back {units} on {on}: only {in_window} of the {held} held "
                                 "are in their agreed window; outside it: {windows}"), code=self.code,
                              units=fmt(units), on=on, in_window=fmt(in_window), held=fmt(self.held),
                              windows=[where(i) for i in closed])
        allowed = round_fen(self.units * terms.ratio)
        if self.bought_back + units > allowed:
            raise CapExceeded(
                N_("project {code}: the team may buy back at most {ratio} of the stake ({allowed}); already bought back {bought_back}, asked {units}"), code=self.code, ratio=pct(terms.ratio), allowed=fmt(allowed), bought_back=fmt(self.bought_back), units=fmt(units)
            )
        drawn = self._draw(units, open_lots)
        share = units / self.units
        trace: list[str] = [Message(N_("{clause}: share bought back now = {units} / {units2} registered capital issued = {pct2}"), clause=self.clause, units=fmt(units), units2=fmt(self.units), pct2=pct2(share))]
        if several:
            trace.append(
                Message(N_("{clause}: units drawn from the conversions in their window pro rata to what each still holds: "), clause=self.clause) + " + ".join(f"{fmt(drawn[i])} of the {fmt(self.lot_held(self.lots[i]))} held from "
                                        f"{self.lots[i]['on']}" for i in open_lots) + f" = {fmt(units)}"
            )
        if terms.exit.kind != "interest" or not several:
            # one price for the whole stake (fixed or principal: the date does not matter; one conversion:
            # its date is the only one)
            before = self.bought_back / self.units
            upto = (self.bought_back + units) / self.units
            assert self.converted_on is not None
            price, how = terms.exit.price_of(self.converted, upto, self.converted_on, on, before)
            trace.append(Message(N_("{clause}: buyback price = {how}"), clause=self.clause, how=how))
        else:
            parts = []
            for i in open_lots:
                lot = self.lots[i]
                if drawn[i] <= 0:
                    continue
                part, how = terms.exit.price_of(
                    lot["amount"], (lot["bought_back"] + drawn[i]) / lot["units"], lot["on"], on,
                    lot["bought_back"] / lot["units"])
                parts.append(part)
                trace.append(Message(N_("{clause}: conversion of {on} ({drawn} of its {units} units, principal {amount}): {how}"), clause=self.clause, on=lot['on'], drawn=fmt(drawn[i]), units=fmt(lot['units']), amount=fmt(lot['amount']), how=how))
            price = sum(parts, ZERO)
            trace.append(Message(N_("{clause}: buyback price = {items} = {price}"), clause=self.clause, items=' + '.join(fmt(p) for p in parts), price=fmt(price)))
        return BuybackQuote(units, price, share, trace, drawn)

    def buy_back(self, by: Provenance, units: Decimal | None, buyer: str) -> BuybackQuote:
        """The team buys back ``units`` (default: all held in their window) at the stored formula."""
        if not buyer.strip():
            raise Refused(N_("project {code}: a buyback needs the buyer (a member of the team)"), code=self.code)
        quote = self.quote_buyback(by.decided, units)
        self._bought_back(by, self.code, self.enterprise, self.fund, buyer, quote.units, quote.price, quote.trace,
                          quote.drawn)
        return quote

    class BoughtBack(Aggregate.Event):
        by: Provenance
        code: str
        enterprise: str
        fund: str
        buyer: str
        units: Decimal
        price: Decimal
        trace: list[str]
        drawn: list[Decimal] | None  # units taken from each conversion lot; None: a version-1 record

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 (recorded before conversions were lots) had no ``drawn``. The split cannot be
            computed from the record alone (it is pro rata to what each lot held at that moment, which
            only the project folded so far knows): ``None`` records that, and the project draws the
            units pro rata when it applies the event (``_take``)."""
            state.setdefault("drawn", None)

    @event(BoughtBack)
    def _bought_back(
        self, by: Provenance, code: str, enterprise: str, fund: str, buyer: str, units: Decimal, price: Decimal,
        trace: list[str], drawn: list[Decimal] | None,
    ) -> None:
        self._take(units, drawn, bought_back=True)
        self.bought_back += units
        self.proceeds += price
        if self.held == 0:
            self.status = "exited"

    def _take(self, units: Decimal, drawn: list[Decimal] | None, bought_back: bool) -> None:
        """Units leave the lots as recorded (``drawn``); a version-1 record (None) draws them pro rata to
        what each lot holds now, the rule the lots were introduced with (docs/decisions.md)."""
        if drawn is None or len(drawn) != len(self.lots):
            holding = [i for i, lot in enumerate(self.lots) if self.lot_held(lot) > 0]
            drawn = self._draw(units, holding) if holding else [ZERO] * len(self.lots)
        for lot, part in zip(self.lots, drawn, strict=True):
            part = Decimal(str(part))
            lot["out"] += part
            if bought_back:
                lot["bought_back"] += part

    def sell(self, by: Provenance, units: Decimal | None, price: Decimal, buyer: str) -> Decimal:
        """A sale to a third party at a negotiated price; units leave the lots pro rata to their holdings."""
        self._open("sell")
        units = self._check_held(units, "sell")
        price = yuan(price)
        if price < 0:
            raise InvalidAmount(N_("a sale price must not be negative"))
        if not buyer.strip():
            raise Refused(N_("project {code}: a sale needs the buyer"), code=self.code)
        drawn = self._draw(units, [i for i, lot in enumerate(self.lots) if self.lot_held(lot) > 0])
        self._sold(by, self.code, self.enterprise, self.fund, buyer, units, price, drawn)
        return units

    class Sold(Aggregate.Event):
        by: Provenance
        code: str
        enterprise: str
        fund: str
        buyer: str
        units: Decimal
        price: Decimal
        drawn: list[Decimal] | None  # units taken from each conversion lot; None: a version-1 record

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 had no ``drawn``: None, drawn pro rata when applied (see ``BoughtBack``)."""
            state.setdefault("drawn", None)

    @event(Sold)
    def _sold(
        self, by: Provenance, code: str, enterprise: str, fund: str, buyer: str, units: Decimal, price: Decimal,
        drawn: list[Decimal] | None,
    ) -> None:
        self._take(units, drawn, bought_back=False)
        self.sold += units
        self.proceeds += price
        if self.held == 0:
            self.status = "exited"

    # failure --------------------------------------------------------------------------
    def fail(self, by: Provenance, reason: str, misuse: str = "", clawback: Decimal | None = None) -> None:
        """Failure: what the fund holds is written off; nothing is recovered unless misuse is recorded."""
        self._open("fail")
        self._no_pending("record a failure")
        if not reason.strip():
            raise Refused(N_("project {code}: a failure needs a reason"), code=self.code)
        if clawback is not None and not misuse.strip():
            raise Refused(N_("project {code}: a failed project is not recovered unless misuse is recorded (what the misuse was)"), code=self.code)
        if clawback is not None:
            clawback = yuan(clawback)
            recoverable = self.disbursed - self.clawed_back - self.reassigned_out
            if clawback <= 0:
                raise InvalidAmount(N_("a clawback must be positive"))
            if clawback > recoverable:
                raise CapExceeded(
                    N_("project {code}: clawback {clawback} exceeds what was paid and not recovered ({recoverable})"), code=self.code, clawback=fmt(clawback), recoverable=fmt(recoverable)
                )
        if self.debt_outstanding > 0:
            interest, _ = self.interest_due(by.decided)
            self._debt_written_off(by, self.code, self.enterprise, self.fund, self.debt_outstanding, interest, reason)
        self._failed(by, self.code, self.enterprise, self.fund, reason, misuse, self.held, self.outstanding,
                     self.clause, self.source)
        if clawback is not None:
            self._clawed_back(by, self.code, self.clause, self.enterprise, self.source, clawback, misuse,
                              self.last_paid_year)

    class Failed(Aggregate.Event):
        by: Provenance
        code: str
        enterprise: str
        fund: str
        reason: str
        misuse: str
        written_off: Decimal
        released: Decimal = ZERO
        clause: str = ""
        source: str = ""

    @event(Failed)
    def _failed(
        self, by: Provenance, code: str, enterprise: str, fund: str, reason: str, misuse: str, written_off: Decimal,
        released: Decimal = ZERO, clause: str = "", source: str = "",
    ) -> None:
        # ``released``: the unpaid grant leaves the commitment (events stored before it existed: 0)
        self.written_off += written_off
        self.released += released
        self.status = "failed"

    class ClawedBack(Aggregate.Event):
        by: Provenance
        code: str
        clause: str
        enterprise: str
        source: str
        amount: Decimal
        misuse: str
        paid_year: int

    @event(ClawedBack)
    def _clawed_back(
        self, by: Provenance, code: str, clause: str, enterprise: str, source: str, amount: Decimal, misuse: str,
        paid_year: int,
    ) -> None:
        self.clawed_back += amount

    # completion (验收) ------------------------------------------------------------------
    def finish(self, by: Provenance, spent: Decimal) -> None:
        """The project's work is accepted (结题验收, reference ``by.ref``) with what the team spent on
        it: no further tranches, the unpaid grant leaves the commitment (``released``), and P6.1 lets
        the team reassign its unspent fiscal money. A stake already held stays held."""
        self._no_pending("finish it")
        if self.status == "failed":
            raise Refused(N_("project {code} failed: a failed project is written off, not finished"), code=self.code)
        if self.finished_on is not None:
            raise Refused(N_("project {code} was already finished on {finished_on} ({acceptance_ref})"), code=self.code, finished_on=self.finished_on, acceptance_ref=self.acceptance_ref)
        if not by.ref.strip():
            raise Refused(N_("project {code}: finishing needs the acceptance reference (验收文号)"), code=self.code)
        if by.decided < self.approved_on:
            raise InvalidDate(N_("project {code}: completion {decided} is before the approval ({approved_on})"), code=self.code, decided=by.decided, approved_on=self.approved_on)
        last_tranche = max((day for day, _, _ in self.tranches), default=None)
        if last_tranche is not None and by.decided < last_tranche:
            raise InvalidDate(N_("project {code}: completion {decided} is before its last tranche ({last_tranche})"), code=self.code, decided=by.decided, last_tranche=last_tranche)
        spent = yuan(spent)
        if spent < 0:
            raise InvalidAmount(N_("project {code}: the amount spent must not be negative"), code=self.code)
        if spent > self.unconverted:
            raise CapExceeded(
                N_("project {code}: spent {spent} exceeds the fiscal money paid and neither converted, reassigned nor recovered ({unconverted})"), code=self.code, spent=fmt(spent), unconverted=fmt(self.unconverted)
            )
        self._finished(by, self.code, by.ref, self.unconverted - spent, self.outstanding, spent,
                       self.clause, self.source)

    class Finished(Aggregate.Event):
        by: Provenance
        code: str
        acceptance_ref: str
        unspent: Decimal
        released: Decimal
        spent: Decimal
        clause: str
        source: str

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 recorded neither a release of the unpaid grant nor the amount spent (both 0),
            nor the clause and paying source (then unknown: empty)."""
            state.setdefault("released", ZERO)
            state.setdefault("spent", ZERO)
            state.setdefault("clause", "")
            state.setdefault("source", "")

    @event(Finished)
    def _finished(
        self, by: Provenance, code: str, acceptance_ref: str, unspent: Decimal, released: Decimal,
        spent: Decimal, clause: str, source: str,
    ) -> None:
        self.finished_on = by.decided
        self.acceptance_ref = acceptance_ref
        self.released += released
        self.spent += spent
        if self.status == "approved":
            self.status = "finished"

    @property
    def unspent(self) -> Decimal:
        """P6.1: paid (incl. reassigned in) − spent − converted − reassigned out − recovered."""
        return self.unconverted - self.spent

    def unspent_trace(self) -> Message:
        paid = self.disbursed + self.reassigned_in
        received = (Message(N_(" (incl. {amount} reassigned in)"), amount=fmt(self.reassigned_in))
                    if self.reassigned_in else "")
        return Message(N_("P6.1: unspent fiscal money = {paid} paid{received} − {spent} spent − {converted} converted − "
                          "{reassigned} reassigned − {recovered} recovered = {unspent}"), paid=fmt(paid),
                       received=received, spent=fmt(self.spent), converted=fmt(self.converted),
                       reassigned=fmt(self.reassigned_out), recovered=fmt(self.clawed_back), unspent=fmt(self.unspent))

    # P6.1 reassignment ----------------------------------------------------------------
    def reassign_to(self, by: Provenance, target: Project, amount: Decimal | None) -> Decimal:
        """Unspent fiscal money of this finished project goes to ``target``, another project of the same
        team (项目组统筹用于其他科研项目): a transfer, not new spending, and never convertible there."""
        if target.code == self.code:
            raise Refused(N_("project {code} cannot reassign money to itself"), code=self.code)
        if self.status == "failed":
            raise Refused(N_("project {code} failed: its money is written off, not reassigned"), code=self.code)
        if self.finished_on is None:
            raise Refused(
                N_("project {code} is not finished: P6.1 reassigns a finished project's unspent money; record its completion first (acceptance date, reference 验收文号 and the amount spent)"), code=self.code
            )
        if target.enterprise != self.enterprise:
            raise Refused(
                N_("P6.1: unspent money stays with the team (项目组统筹用于其他科研项目): project {code} belongs to {enterprise}, not to {enterprise2}"), code=target.code, enterprise=target.enterprise, enterprise2=self.enterprise
            )
        if by.decided < self.finished_on:
            raise InvalidDate(N_("project {code}: reassignment {decided} is before its completion ({finished_on})"), code=self.code, decided=by.decided, finished_on=self.finished_on)
        target._open("receive reassigned money")
        unspent = self.unspent
        amount = unspent if amount is None else yuan(amount)
        if amount <= 0:
            raise InvalidAmount(N_("project {code} has no unspent fiscal money to reassign ({unspent_trace})"), code=self.code, unspent_trace=self.unspent_trace())
        if amount > unspent:
            raise CapExceeded(
                N_("project {code}: cannot reassign {amount}; unspent fiscal money is {unspent} ({unspent_trace})"), code=self.code, amount=fmt(amount), unspent=fmt(unspent), unspent_trace=self.unspent_trace()
            )
        self._reassigned_out(by, self.code, target.code, amount)
        target._reassigned_in(by, target.code, self.code, amount)
        return amount

    class ReassignedOut(Aggregate.Event):
        by: Provenance
        code: str
        target: str
        amount: Decimal

    @event(ReassignedOut)
    def _reassigned_out(self, by: Provenance, code: str, target: str, amount: Decimal) -> None:
        self.reassigned_out += amount
        if self.status == "approved":  # histories recorded before the Finished event existed
            self.status = "finished"

    class ReassignedIn(Aggregate.Event):
        by: Provenance
        code: str
        source: str
        amount: Decimal

    @event(ReassignedIn)
    def _reassigned_in(self, by: Provenance, code: str, source: str, amount: Decimal) -> None:
        self.reassigned_in += amount


@journal.postings.register(Project.TranchePaid)
def _tranche_postings(e: Any) -> tuple[journal.Posting, ...]:
    return journal.transfer(journal.budget(e.clause, e.by.fiscal_year), journal.funding(e.source), e.amount)


@journal.postings.register(Project.TrancheReversed)
def _tranche_reversed_postings(e: Any) -> tuple[journal.Posting, ...]:
    """The tranche's entry in red, on the budget line of the year it was paid."""
    return journal.transfer(journal.funding(e.source), journal.budget(e.clause, e.paid_year), e.amount)


@journal.postings.register(Project.Converted)
def _converted_postings(e: Any) -> tuple[journal.Posting, ...]:
    return journal.transfer(
        holding_account(e.fund, e.enterprise, e.into), capitalised_account(e.clause, e.by.fiscal_year), e.amount
    )


@journal.postings.register(Project.ClawedBack)
def _clawback_postings(e: Any) -> tuple[journal.Posting, ...]:
    same_year = e.by.fiscal_year == e.paid_year
    credit = journal.budget(e.clause, e.paid_year) if same_year else journal.returned(e.by.fiscal_year)
    return journal.transfer(journal.funding(e.source), credit, e.amount)


@journal.postings.register(Project.ReassignedOut)
def _reassigned_postings(e: Any) -> tuple[journal.Posting, ...]:
    return journal.transfer(project_account(e.target), project_account(e.code), e.amount)


@journal.postings.register(Project.Failed)
@journal.postings.register(Project.Finished)
def _released_postings(e: Any) -> tuple[journal.Posting, ...]:
    """The reversal of what approval posted for the unpaid part (``e.released``): nothing.

    Approval posts no journal entry (project money is booked on the cash basis: each tranche
    moves funding → budget when paid), so the reversal of its unpaid part is empty too; the
    released amount leaves the budget commitment, which the read models take from the event."""
    return ()
