"""Funds (P5): registration, direct investments, and the read view of holdings and the P5.8 ratio."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from domain.captable import ShareRegister
from domain.errors import Refused
from domain.fund import Fund, failure_tolerance
from domain.ids import fund_id
from domain.messages import N_, Message
from domain.money import fmt
from domain.provenance import Provenance
from ledger.application import Ledger
from ledger.commands import Command, Outcome, handles
from ledger.handlers.projects import _register
from ledger.queries import get_fund, get_register
from ledger.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class RegisterFund(Command):
    kind = "fund.register"
    code: str
    name: str
    manager: str = ""
    capital: Decimal = Decimal("0.00")


@dataclass(frozen=True, kw_only=True)
class InvestDirect(Command):
    """A cash investment by the fund (not a converted grant): new registered capital of an enterprise.

    The fund's own decision, not one under this policy: it is recorded whatever its date (G.1
    does not apply), so an investment made before 2024-11-05 counts for P5.3's holding year."""

    kind = "fund.invest"
    checks_policy_window: ClassVar[bool] = False
    fund: str
    enterprise: str
    amount: Decimal
    units: Decimal
    lot: str = ""
    guidance: Decimal = Decimal("0.00")  # government guidance money in the investment (P5.3 deducts it)
    early_stage: bool = False  # an early-stage project (P5.8 counts it in the failure ratio)


@dataclass(frozen=True, kw_only=True)
class FailInvestment(Command):
    """A direct investment of the fund failed: written off in full, and counted by P5.8 when it
    was early-stage (the ratio is reported and flagged, never blocking)."""

    kind = "fund.fail-investment"
    fund: str
    lot: str
    reason: str


@handles(RegisterFund)
def register_fund(uow: UnitOfWork, cmd: RegisterFund, by: Provenance) -> Outcome:
    fund = Fund.register(by, cmd.code, cmd.name, cmd.manager, cmd.capital)
    uow.add(fund, f"fund {cmd.code}")
    return Outcome(
        cmd.request_id,
        Message(N_("registered fund {code} {name}, manager {value}, capital {capital}"), code=cmd.code, name=cmd.name, value=cmd.manager or Message(N_("(none)")), capital=fmt(fund.capital)),
    )


@handles(InvestDirect)
def invest_direct(uow: UnitOfWork, cmd: InvestDirect, by: Provenance) -> Outcome:
    fund = uow.get(Fund, fund_id(cmd.fund), f"fund {cmd.fund}")
    lot = cmd.lot or f"{cmd.fund}:{cmd.enterprise}:{by.decided.isoformat()}"
    register = _register(uow, cmd.enterprise, by)
    fund.invest(by, lot, cmd.enterprise, cmd.amount, cmd.units, cmd.guidance, cmd.early_stage)
    register.issue(by, fund.code, fund.name, cmd.units, cmd.amount - cmd.units, f"investment {lot}")
    share = register.table(by.decided).share_of(fund.code)
    return Outcome(
        cmd.request_id,
        Message(N_("{fund} invested {amount} in {enterprise} for {units} registered capital (premium {value}); it now holds {quantize}%"), fund=cmd.fund, amount=fmt(cmd.amount), enterprise=cmd.enterprise, units=fmt(cmd.units), value=fmt(cmd.amount - cmd.units), quantize=(share * 100).quantize(Decimal('0.01'))),
        data={"lot": lot},
        trace=[Message(N_("government guidance money {guidance}; early-stage: {early}"), guidance=fmt(cmd.guidance),
                       early=Message(N_("yes") if cmd.early_stage else N_("no")))],
    )


@handles(FailInvestment)
def fail_investment(uow: UnitOfWork, cmd: FailInvestment, by: Provenance) -> Outcome:
    fund = uow.get(Fund, fund_id(cmd.fund), f"fund {cmd.fund}")
    held = fund.lot(cmd.lot)
    if not held.direct:
        raise Refused(N_("fund {fund}: holding {lot} is a converted project stake; fail the project instead"),
                      fund=cmd.fund, lot=cmd.lot)
    if not cmd.reason.strip():
        raise Refused(N_("fund {fund}: a failed investment needs a reason"), fund=cmd.fund)
    loss = fund.write_off(by, cmd.lot, cmd.reason)
    report = fund.failure_report(failure_tolerance(uow.book, by.decided))
    return Outcome(
        cmd.request_id,
        Message(N_("fund {fund}: investment {lot} in {enterprise} failed, written off {loss}"), fund=cmd.fund,
                lot=cmd.lot, enterprise=held.enterprise, loss=fmt(loss)),
        trace=[report.describe()],
        data={"loss": loss, "failure_ratio": report.ratio, "flagged": report.flagged},
    )


def load_fund(ledger: Ledger, code: str) -> Fund:
    """Kept for callers of the old name: ledger.queries.get_fund."""
    return get_fund(ledger, code)


def load_register(ledger: Ledger, enterprise: str) -> ShareRegister:
    """Kept for callers of the old name: ledger.queries.get_register."""
    return get_register(ledger, enterprise)
