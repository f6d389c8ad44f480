"""Funds (P5): registration, direct investments, and the read view of holdings and the P5.8 ratio."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.captable import ShareRegister
from domain.fund import Fund
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
    """A cash investment by the fund (not a converted grant): new registered capital of an enterprise."""

    kind = "fund.invest"
    fund: str
    enterprise: str
    amount: Decimal
    units: Decimal
    lot: str = ""


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
    fund.invest(by, lot, cmd.enterprise, cmd.amount, cmd.units)
    register.issue(by, fund.code, fund.name, cmd.units, cmd.amount - cmd.units, f"investment {lot}")
    share = register.table(by.decided).share_of(fund.code)
    return Outcome(
        cmd.request_id,
        Message(N_("{fund} invested {amount} in {enterprise} for {units} registered capital (premium {value}); it now holds {quantize}%"), fund=cmd.fund, amount=fmt(cmd.amount), enterprise=cmd.enterprise, units=fmt(cmd.units), value=fmt(cmd.amount - cmd.units), quantize=(share * 100).quantize(Decimal('0.01'))),
        data={"lot": lot},
    )


def load_fund(ledger: Ledger, code: str) -> Fund:
    """Kept for callers of the old name: ledger.queries.get_fund."""
    return get_fund(ledger, code)


def load_register(ledger: Ledger, enterprise: str) -> ShareRegister:
    """Kept for callers of the old name: ledger.queries.get_register."""
    return get_register(ledger, enterprise)
