"""Funds (P5): capital, holdings per enterprise (registered capital and cost), exits and gains.

Holdings come from converted grants (StakeReceived, P2.2) and direct investments; disposals
realise a gain or loss against cost, write-offs a loss of the cost. Events this module does
not know are ignored, so the projection never fails on a new event type.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.fund import Fund
from projections.schema import METADATA, fen
from projections.state import State, to_fen

FUNDS = sa.Table(
    "rm_funds",
    METADATA,
    sa.Column("fund", sa.String(120), primary_key=True),
    sa.Column("name", sa.String(200)),
    sa.Column("manager", sa.String(120)),
    sa.Column("capital_fen", sa.BigInteger),
)

HOLDINGS = sa.Table(
    "rm_fund_holdings",
    METADATA,
    sa.Column("fund", sa.String(120), primary_key=True),
    sa.Column("enterprise", sa.String(120), primary_key=True),
    sa.Column("kind", sa.String(20), primary_key=True),
    fen("units_fen"),  # registered capital held (1 unit = 1 yuan)
    fen("cost_fen"),  # cost of what is held now
    fen("invested_fen"),  # cash the fund paid in (direct investments)
    fen("converted_fen"),  # grants converted into the holding
    fen("proceeds_fen"),  # cash received on exits
    fen("gain_fen"),  # realised gain (negative: loss), exits and write-offs
    info={"sums": True},
)

TABLES = (FUNDS, HOLDINGS)

Registered = Fund.Registered  # type: ignore[attr-defined]
StakeReceived = Fund.StakeReceived  # type: ignore[attr-defined]
Invested = Fund.Invested  # type: ignore[attr-defined]
Disposed = Fund.Disposed  # type: ignore[attr-defined]
WrittenOff = Fund.WrittenOff  # type: ignore[attr-defined]


def apply(state: State, position: int, event: Any) -> None:
    if isinstance(event, Registered):
        state.put(FUNDS, (event.code,), name=event.name, manager=event.manager, capital_fen=to_fen(event.capital))
    elif isinstance(event, StakeReceived):
        state.add(HOLDINGS, (event.fund, event.enterprise, event.kind), units_fen=to_fen(event.units),
                  cost_fen=to_fen(event.cost), converted_fen=to_fen(event.cost))
    elif isinstance(event, Invested):
        state.add(HOLDINGS, (event.fund, event.enterprise, "equity"), units_fen=to_fen(event.units),
                  cost_fen=to_fen(event.amount), invested_fen=to_fen(event.amount))
    elif isinstance(event, Disposed):
        state.add(HOLDINGS, (event.fund, event.enterprise, "equity"), units_fen=-to_fen(event.units),
                  cost_fen=-to_fen(event.cost), proceeds_fen=to_fen(event.price),
                  gain_fen=to_fen(event.price - event.cost))
    elif isinstance(event, WrittenOff):
        state.add(HOLDINGS, (event.fund, event.enterprise, event.kind), units_fen=-to_fen(event.units),
                  cost_fen=-to_fen(event.cost), gain_fen=-to_fen(event.cost))
