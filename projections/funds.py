"""Funds (P5): registered capital, and the holdings and gains their events record.

Fund and conversion events are added by other parts of the ledger over time; events this
module does not know are ignored, so the projection never fails on a new event type.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.fund import Fund
from projections.schema import METADATA
from projections.state import State, to_fen

FUNDS = sa.Table(
    "rm_funds",
    METADATA,
    sa.Column("fund", sa.String(120), primary_key=True),
    sa.Column("name", sa.String(200)),
    sa.Column("manager", sa.String(120)),
    sa.Column("capital_fen", sa.BigInteger),
)

TABLES = (FUNDS,)

FundRegistered = Fund.Registered  # type: ignore[attr-defined]


def apply(state: State, position: int, event: Any) -> None:
    if isinstance(event, FundRegistered):
        state.put(FUNDS, (event.code,), name=event.name, manager=event.manager, capital_fen=to_fen(event.capital))
