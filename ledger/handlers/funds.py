"""Funds (P5): registration, direct investments, and the read view of holdings and the P5.8 ratio."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from domain.captable import ShareRegister, share_register_id
from domain.errors import NotFound
from domain.fund import Fund
from domain.ids import fund_id
from domain.messages import N_, Message
from domain.money import fmt
from domain.parameters import ParameterBook
from domain.provenance import Provenance
from ledger.commands import Command, Outcome, handles
from ledger.handlers.projects import _register
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
        Message(N_("registered fund {code} {name}, manager {value}, capital {capital}"), code=cmd.code, name=cmd.name, value=cmd.manager or '(none)', capital=fmt(fund.capital)),
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


def load_fund(ledger: Any, code: str) -> Fund:
    try:
        return ledger.aggregate(fund_id(code))
    except AggregateNotFoundError:
        raise NotFound(N_("fund {code} is not registered"), code=code) from None


def load_register(ledger: Any, enterprise: str) -> ShareRegister:
    try:
        return ledger.aggregate(share_register_id(enterprise))
    except AggregateNotFoundError:
        raise NotFound(N_("{enterprise} has no share register (record its holders with jcg captable register)"), enterprise=enterprise) from None


def registered_funds(ledger: Any) -> Iterator[Any]:
    for _, e in ledger.read_log():
        if isinstance(e, Fund.Registered):
            yield e


def fund_as_of(ledger: Any, code: str, on: date) -> Fund:
    """The fund as it stood on ``on``: its events decided on or before that date, in recorded order.

    Cash, gains, holdings and the P5.8 ratio then all speak of the same day as the stake
    percentages read from the share register on that day (a later buyback is not in any of them)."""
    load_fund(ledger, code)  # NotFound if never registered
    state: Any = None
    for e in ledger.events.get(fund_id(code)):
        if e.by.decided > on:
            continue
        if state is None:
            state = e.mutate(None)
        else:
            e.apply(state)  # events decided later were skipped: apply without the version sequence check
    if state is None:
        raise NotFound(N_("fund {code} was not yet registered on {on}"), code=code, on=on)
    return state


def fund_report(ledger: Any, code: str, book: ParameterBook, on: date) -> list[str]:
    """What `jcg fund show` prints: capital, cash, holdings per enterprise, realised result, P5.8,
    everything as of ``on``."""
    fund = fund_as_of(ledger, code, on)
    lines = [
        f"{fund.code}  {fund.name}  manager {fund.manager or '(none)'}  (as of {on})",
        f"  capital {fmt(fund.capital)}; cash {fmt(fund.cash)}; realised gains {fmt(fund.gains)}, "
        f"losses {fmt(fund.losses)}, net {fmt(fund.realised)}; interest received {fmt(fund.interest_income)}",
    ]
    held = {k: v for k, v in sorted(fund.holdings().items()) if v != (0, 0)}
    if not held:
        lines.append("  no holdings")
    for (enterprise, kind), (units, cost) in held.items():
        if kind == "equity":
            share = Decimal(0)
            try:
                share = load_register(ledger, enterprise).table(on).share_of(fund.code)
            except NotFound:
                pass
            lines.append(f"  holds {fmt(units)} registered capital of {enterprise} "
                         f"({(share * 100).quantize(Decimal('0.01'))}%) at cost {fmt(cost)}")
        else:
            lines.append(f"  holds debt of {enterprise}: principal outstanding {fmt(cost)}")
    tolerance = book.at("P5.8", "failure_tolerance", on=on).value
    lines.append("  " + fund.failure_report(tolerance).describe())
    return lines
