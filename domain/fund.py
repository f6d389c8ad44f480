"""A fund (P5): capital, a manager, and the stakes it holds, including converted grants.

Holdings are kept per lot (one lot per project conversion or direct investment) so that an
exit knows the cost of exactly what leaves; the view per enterprise sums the lots. The P5.8
failure ratio of the fund's early-stage projects is reported and flagged, never blocking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import journal
from domain.errors import InvalidAmount, NotFound, Refused
from domain.ids import fund_id
from domain.messages import N_, Message
from domain.money import ZERO, fmt, round_fen, yuan
from domain.parameters import ParameterBook
from domain.provenance import Provenance


def holding_account(fund: str, enterprise: str, kind: str = "equity") -> str:
    """``equity:<fund>:<enterprise>`` or ``debt:<fund>:<enterprise>``: what the fund holds."""
    return f"{kind}:{fund}:{enterprise}"


def capital_account(fund: str) -> str:
    return f"capital:{fund}"


def gain_account(fund: str) -> str:
    return f"gain:{fund}"


def loss_account(fund: str) -> str:
    return f"loss:{fund}"


def interest_account(fund: str) -> str:
    """Interest income of the fund on debt it holds (booked when paid)."""
    return f"interest:{fund}"


@dataclass
class Lot:
    """Registered capital (or debt principal) the fund holds from one conversion or investment."""

    lot: str
    enterprise: str
    kind: str  # equity | debt
    units: Decimal  # registered capital held now (0 for debt)
    cost: Decimal  # cost of what is held now
    acquired_units: Decimal
    acquired_cost: Decimal
    premium: Decimal = ZERO
    written_off: bool = False
    direct: bool = False  # a cash investment of the fund (not a converted 拨投结合 grant)
    acquired_on: date | None = None
    guidance: Decimal = ZERO  # government guidance money in a direct investment (P5.3 deducts it)
    early_stage: bool = False  # a direct investment in an early-stage project (P5.8 counts it)


@dataclass
class FollowedProject:
    project: str
    enterprise: str
    early_stage: bool
    failed: bool = False


@dataclass(frozen=True)
class FailureReport:
    """P5.8: failed early-stage projects over all early-stage projects of the fund."""

    failed: int
    total: int
    tolerance: Decimal

    @property
    def ratio(self) -> Decimal:
        return Decimal(self.failed) / Decimal(self.total) if self.total else Decimal(0)

    @property
    def flagged(self) -> bool:
        return self.ratio > self.tolerance

    def describe(self) -> str:
        pct = f"{(self.ratio * 100).quantize(Decimal('0.1'))}%"
        limit = f"{(self.tolerance * 100).normalize():f}%"
        state = Message(N_("ABOVE the {limit} tolerance: flagged for review"), limit=limit) if self.flagged else Message(N_("within the {limit} tolerance"), limit=limit)
        return Message(N_("P5.8: {failed} of {total} early-stage projects failed = {pct}, {state}"), failed=self.failed, total=self.total, pct=pct, state=state)


def failure_tolerance(book: ParameterBook, on: date) -> Decimal:
    """P5.8's failure tolerance in force on ``on``, read here and nowhere else (for a date before
    its first version, the first version: a report may look back before the policy)."""
    try:
        value: Decimal = book.at("P5.8", "failure_tolerance", on).value
    except Refused:
        value = book.versions("P5.8")[0].value
    return value


class Fund(Aggregate):
    @staticmethod
    def create_id(code: str) -> UUID:
        return fund_id(code)

    @classmethod
    def register(cls, by: Provenance, code: str, name: str, manager: str, capital: Decimal) -> Fund:
        if not code.strip() or not name.strip():
            raise Refused(N_("a fund needs a code and a name"))
        capital = yuan(capital)
        if capital < 0:
            raise InvalidAmount(N_("fund capital must not be negative"))
        return cls(by=by, code=code, name=name, manager=manager, capital=capital)

    class Registered(Aggregate.Created):
        by: Provenance
        code: str
        name: str
        manager: str
        capital: Decimal

    @event(Registered)
    def __init__(self, by: Provenance, code: str, name: str, manager: str, capital: Decimal) -> None:
        self.code = code
        self.name = name
        self.manager = manager
        self.capital = capital
        self.cash = capital
        self.lots: dict[str, Lot] = {}
        self.projects: dict[str, FollowedProject] = {}
        self.gains = ZERO
        self.losses = ZERO
        self.interest_income = ZERO

    # projects the fund holds the stake of (P2.2) ----------------------------------------
    def follow(self, by: Provenance, project: str, enterprise: str, early_stage: bool) -> None:
        if project in self.projects:
            raise Refused(N_("fund {code} already holds project {project}"), code=self.code, project=project)
        self._project_followed(by, self.code, project, enterprise, early_stage)

    class ProjectFollowed(Aggregate.Event):
        by: Provenance
        fund: str
        project: str
        enterprise: str
        early_stage: bool

    @event(ProjectFollowed)
    def _project_followed(self, by: Provenance, fund: str, project: str, enterprise: str, early_stage: bool) -> None:
        self.projects[project] = FollowedProject(project, enterprise, early_stage)

    def receive_stake(
        self, by: Provenance, project: str, enterprise: str, kind: str, units: Decimal, cost: Decimal,
        premium: Decimal,
    ) -> None:
        """A converted grant becomes a holding (the project's event posts the journal entry)."""
        if project not in self.projects:
            raise NotFound(N_("fund {code} does not hold project {project}"), code=self.code, project=project)
        self._stake_received(by, self.code, project, enterprise, kind, yuan(units), yuan(cost), yuan(premium))

    class StakeReceived(Aggregate.Event):
        by: Provenance
        fund: str
        project: str
        enterprise: str
        kind: str
        units: Decimal
        cost: Decimal
        premium: Decimal

    @event(StakeReceived)
    def _stake_received(
        self, by: Provenance, fund: str, project: str, enterprise: str, kind: str, units: Decimal, cost: Decimal,
        premium: Decimal,
    ) -> None:
        lot = self.lots.get(project)
        if lot is None:
            self.lots[project] = Lot(project, enterprise, kind, units, cost, units, cost, premium)
        else:
            lot.units += units
            lot.cost += cost
            lot.acquired_units += units
            lot.acquired_cost += cost
            lot.premium += premium

    def invest(self, by: Provenance, lot: str, enterprise: str, amount: Decimal, units: Decimal,
               guidance: Decimal = ZERO, early_stage: bool = False) -> None:
        """A direct cash investment of the fund (not a converted grant), with the government
        guidance money in it (P5.3 deducts it) and whether the project is early-stage (P5.8)."""
        guidance = yuan(guidance)
        if guidance < 0 or guidance > yuan(amount):
            raise InvalidAmount(N_("fund {code}: government guidance money {guidance} must be between 0 and the amount "
                                   "invested {amount}"), code=self.code, guidance=fmt(guidance), amount=fmt(yuan(amount)))
        amount, units = yuan(amount), yuan(units)
        if amount <= 0 or units <= 0:
            raise InvalidAmount(N_("an investment needs a positive amount and registered capital"))
        if units > amount:
            raise Refused(N_("registered capital received cannot exceed the amount paid (1 unit = 1 yuan)"))
        if lot in self.lots:
            raise Refused(N_("fund {code} already has a holding {lot}"), code=self.code, lot=lot)
        if amount > self.cash:
            raise Refused(N_("fund {code} has {cash} cash, cannot invest {amount}"), code=self.code, cash=fmt(self.cash), amount=fmt(amount))
        self._invested(by, self.code, lot, enterprise, amount, units)
        if guidance or early_stage:
            self._investment_described(by, self.code, lot, guidance, early_stage)

    class Invested(Aggregate.Event):
        by: Provenance
        fund: str
        lot: str
        enterprise: str
        amount: Decimal
        units: Decimal

    @event(Invested)
    def _invested(self, by: Provenance, fund: str, lot: str, enterprise: str, amount: Decimal, units: Decimal) -> None:
        self.lots[lot] = Lot(lot, enterprise, "equity", units, amount, units, amount, amount - units, direct=True,
                             acquired_on=by.decided)
        self.cash -= amount

    class InvestmentDescribed(Aggregate.Event):
        by: Provenance
        fund: str
        lot: str
        guidance: Decimal
        early_stage: bool

    @event(InvestmentDescribed)
    def _investment_described(self, by: Provenance, fund: str, lot: str, guidance: Decimal,
                              early_stage: bool) -> None:
        self.lots[lot].guidance = guidance
        self.lots[lot].early_stage = early_stage

    def direct_investments(self) -> list[Lot]:
        """The fund's direct investments, oldest first (P5.3 counts them per investment and date)."""
        return sorted((lot for lot in self.lots.values() if lot.direct and lot.acquired_on is not None),
                      key=lambda lot: (lot.acquired_on, lot.lot))

    # exits ----------------------------------------------------------------------------
    def lot(self, lot: str) -> Lot:
        try:
            return self.lots[lot]
        except KeyError:
            raise NotFound(N_("fund {code} holds nothing from {lot}"), code=self.code, lot=lot) from None

    def cost_of(self, lot: str, units: Decimal) -> Decimal:
        """Cost of ``units`` of a lot: pro rata, half-up to the fen; all that is left costs all that is left."""
        held = self.lot(lot)
        if units == held.units:
            return held.cost
        return round_fen(held.cost * units / held.units)

    def dispose(self, by: Provenance, lot: str, units: Decimal, price: Decimal, buyer: str, how: str) -> Decimal:
        """Units leave the fund for ``price`` (a buyback by the team or a sale); returns the gain (− loss)."""
        held = self.lot(lot)
        units, price = yuan(units), yuan(price)
        if held.kind != "equity":
            raise Refused(N_("fund {code}: holding {lot} is debt, not equity"), code=self.code, lot=lot)
        if units <= 0:
            raise InvalidAmount(N_("units disposed of must be positive"))
        if units > held.units:
            raise Refused(
                N_("fund {code} holds {units} of {enterprise}'s registered capital from {lot}; cannot dispose of {units2}"), code=self.code, units=fmt(held.units), enterprise=held.enterprise, lot=lot, units2=fmt(units)
            )
        cost = self.cost_of(lot, units)
        self._disposed(by, self.code, lot, held.enterprise, units, price, cost, buyer, how)
        return price - cost

    class Disposed(Aggregate.Event):
        by: Provenance
        fund: str
        lot: str
        enterprise: str
        units: Decimal
        price: Decimal
        cost: Decimal
        buyer: str
        how: str

    @event(Disposed)
    def _disposed(
        self, by: Provenance, fund: str, lot: str, enterprise: str, units: Decimal, price: Decimal, cost: Decimal,
        buyer: str, how: str,
    ) -> None:
        held = self.lots[lot]
        held.units -= units
        held.cost -= cost
        self.cash += price
        if price >= cost:
            self.gains += price - cost
        else:
            self.losses += cost - price

    def receive_repayment(self, by: Provenance, lot: str, principal: Decimal, interest: Decimal) -> None:
        """The enterprise pays on a debt holding: principal reduces the holding, interest is income."""
        held = self.lot(lot)
        principal, interest = yuan(principal), yuan(interest)
        if held.kind != "debt":
            raise Refused(N_("fund {code}: holding {lot} is equity, not debt"), code=self.code, lot=lot)
        if principal < 0 or interest < 0 or principal + interest <= 0:
            raise InvalidAmount(N_("a repayment must be positive"))
        if principal > held.cost:
            raise Refused(
                N_("fund {code}: {enterprise} owes {cost} on {lot}; cannot repay {principal}"), code=self.code, enterprise=held.enterprise, cost=fmt(held.cost), lot=lot, principal=fmt(principal)
            )
        self._debt_repaid(by, self.code, lot, held.enterprise, principal, interest)

    class DebtRepaid(Aggregate.Event):
        by: Provenance
        fund: str
        lot: str
        enterprise: str
        principal: Decimal
        interest: Decimal

    @event(DebtRepaid)
    def _debt_repaid(
        self, by: Provenance, fund: str, lot: str, enterprise: str, principal: Decimal, interest: Decimal
    ) -> None:
        self.lots[lot].cost -= principal
        self.cash += principal + interest
        self.interest_income += interest

    def write_off(self, by: Provenance, lot: str, reason: str) -> Decimal:
        """A failed project's holding is written off in full (P5.8 tolerates it); returns the loss."""
        held = self.lot(lot)
        if held.written_off:
            raise Refused(N_("fund {code}: holding {lot} is already written off"), code=self.code, lot=lot)
        cost = held.cost
        self._written_off(by, self.code, lot, held.enterprise, held.kind, held.units, cost, reason)
        return cost

    class WrittenOff(Aggregate.Event):
        by: Provenance
        fund: str
        lot: str
        enterprise: str
        kind: str
        units: Decimal
        cost: Decimal
        reason: str

    @event(WrittenOff)
    def _written_off(
        self, by: Provenance, fund: str, lot: str, enterprise: str, kind: str, units: Decimal, cost: Decimal,
        reason: str,
    ) -> None:
        held = self.lots[lot]
        held.units = ZERO
        held.cost = ZERO
        held.written_off = True
        self.losses += cost

    def project_failed(self, by: Provenance, project: str, reason: str) -> None:
        followed = self.projects.get(project)
        if followed is None:
            raise NotFound(N_("fund {code} does not hold project {project}"), code=self.code, project=project)
        if followed.failed:
            raise Refused(N_("project {project} is already recorded as failed"), project=project)
        self._project_failed(by, self.code, project, reason)

    class ProjectFailed(Aggregate.Event):
        by: Provenance
        fund: str
        project: str
        reason: str

    @event(ProjectFailed)
    def _project_failed(self, by: Provenance, fund: str, project: str, reason: str) -> None:
        self.projects[project].failed = True

    # views ----------------------------------------------------------------------------
    def holdings(self) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
        """(enterprise, kind) → (registered capital held, cost) over all lots."""
        result: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
        for lot in self.lots.values():
            units, cost = result.get((lot.enterprise, lot.kind), (ZERO, ZERO))
            result[(lot.enterprise, lot.kind)] = (units + lot.units, cost + lot.cost)
        return result

    @property
    def realised(self) -> Decimal:
        """Net realised gain (negative: net loss) over every exit and write-off."""
        return self.gains - self.losses

    def failure_report(self, tolerance: Decimal) -> FailureReport:
        """P5.8: every early-stage project of the fund counts, a 拨投结合 project or a direct
        investment marked early-stage (failed = written off)."""
        early = [p for p in self.projects.values() if p.early_stage]
        direct = [lot for lot in self.lots.values() if lot.direct and lot.early_stage]
        failed = sum(1 for p in early if p.failed) + sum(1 for lot in direct if lot.written_off)
        return FailureReport(failed, len(early) + len(direct), tolerance)


@journal.postings.register(Fund.Registered)
def _registered_postings(e: Any) -> tuple[journal.Posting, ...]:
    return journal.transfer(journal.funding(e.code), capital_account(e.code), e.capital)


@journal.postings.register(Fund.Invested)
def _invested_postings(e: Any) -> tuple[journal.Posting, ...]:
    return journal.transfer(holding_account(e.fund, e.enterprise), journal.funding(e.fund), e.amount)


@journal.postings.register(Fund.Disposed)
def _disposed_postings(e: Any) -> tuple[journal.Posting, ...]:
    gain = e.price - e.cost
    return journal.entry(
        (journal.funding(e.fund), e.price),
        (holding_account(e.fund, e.enterprise), -e.cost),
        (gain_account(e.fund), -gain) if gain > 0 else (loss_account(e.fund), -gain),
    )


@journal.postings.register(Fund.DebtRepaid)
def _debt_repaid_postings(e: Any) -> tuple[journal.Posting, ...]:
    return journal.entry(
        (journal.funding(e.fund), e.principal + e.interest),
        (holding_account(e.fund, e.enterprise, "debt"), -e.principal),
        (interest_account(e.fund), -e.interest),
    )


@journal.postings.register(Fund.WrittenOff)
def _written_off_postings(e: Any) -> tuple[journal.Posting, ...]:
    return journal.transfer(loss_account(e.fund), holding_account(e.fund, e.enterprise, e.kind), e.cost)
