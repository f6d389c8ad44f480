"""Funds (P5): capital, cash, holdings per enterprise (registered capital and cost), exits,
realised gains and losses, and the P5.8 failure ratio of each fund's early-stage projects.

Follows the fund's own events, which the 拨投结合 project commands record beside the project's
(ProjectFollowed on approval, StakeReceived on conversion, Disposed on buyback or sale,
DebtRepaid on debt repayments, ProjectFailed and WrittenOff on failure), plus direct
investments. Events this module does
not know are ignored, so the projection never fails on a new event type.
"""

from __future__ import annotations

from typing import Any

from projections.events import event, name
from projections.layout import BIGINT, BOOLEAN, TEXT, Column, Table, fen, key
from projections.state import State, to_fen

FUNDS = Table(
    "rm_funds",
    key("fund"),
    Column("name", TEXT),
    Column("manager", TEXT),
    Column("capital_fen", BIGINT),
)

HOLDINGS = Table(
    "rm_fund_holdings",
    key("fund"),
    key("enterprise"),
    key("kind"),
    fen("units_fen"),  # registered capital held (1 unit = 1 yuan)
    fen("cost_fen"),  # cost of what is held now
    fen("invested_fen"),  # cash the fund paid in (direct investments)
    fen("converted_fen"),  # grants converted into the holding
    fen("proceeds_fen"),  # cash received on exits
    fen("gain_fen"),  # net realised gain (negative: loss), exits and write-offs
    fen("loss_fen"),  # realised losses alone (exits below cost, write-offs), ≥ 0
    info={"sums": True},
)

# P5.8: the projects whose stake a fund holds, early-stage or not, failed or not
PROJECTS = Table(
    "rm_fund_projects",
    key("fund"),
    key("project"),
    Column("enterprise", TEXT),
    Column("early_stage", BOOLEAN),
    Column("failed_on", TEXT),
)

TABLES = (FUNDS, HOLDINGS, PROJECTS)

Registered = event("Fund.Registered")
ProjectFollowed = event("Fund.ProjectFollowed")
ProjectFailed = event("Fund.ProjectFailed")
StakeReceived = event("Fund.StakeReceived")
Invested = event("Fund.Invested")
Disposed = event("Fund.Disposed")
WrittenOff = event("Fund.WrittenOff")
# repayments on debt holdings (P2.2 conversion into debt); absent from older domain code
DebtRepaid = event("Fund.DebtRepaid")


def apply(state: State, position: int, event: Any) -> None:
    kind = name(event)
    if kind == Registered:
        state.put(FUNDS, (event.code,), name=event.name, manager=event.manager, capital_fen=to_fen(event.capital))
    elif kind == ProjectFollowed:
        state.put(PROJECTS, (event.fund, event.project), enterprise=event.enterprise,
                  early_stage=bool(event.early_stage), failed_on=None)
    elif kind == ProjectFailed:
        state.put(PROJECTS, (event.fund, event.project), failed_on=event.by.decided.isoformat())
    elif kind == StakeReceived:
        state.add(HOLDINGS, (event.fund, event.enterprise, event.kind), units_fen=to_fen(event.units),
                  cost_fen=to_fen(event.cost), converted_fen=to_fen(event.cost))
    elif kind == Invested:
        state.add(HOLDINGS, (event.fund, event.enterprise, "equity"), units_fen=to_fen(event.units),
                  cost_fen=to_fen(event.amount), invested_fen=to_fen(event.amount))
    elif kind == Disposed:
        gain = to_fen(event.price - event.cost)
        state.add(HOLDINGS, (event.fund, event.enterprise, "equity"), units_fen=-to_fen(event.units),
                  cost_fen=-to_fen(event.cost), proceeds_fen=to_fen(event.price),
                  gain_fen=gain, loss_fen=max(-gain, 0))
    elif kind == DebtRepaid:
        # principal reduces the debt held at cost; interest is realised income; both are cash in
        state.add(HOLDINGS, (event.fund, event.enterprise, "debt"), cost_fen=-to_fen(event.principal),
                  proceeds_fen=to_fen(event.principal + event.interest), gain_fen=to_fen(event.interest))
    elif kind == WrittenOff:
        state.add(HOLDINGS, (event.fund, event.enterprise, event.kind), units_fen=-to_fen(event.units),
                  cost_fen=-to_fen(event.cost), gain_fen=-to_fen(event.cost), loss_fen=to_fen(event.cost))
