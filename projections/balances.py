"""Account balances from the double-entry journal: the trial balance sums to zero."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from projections.schema import METADATA, fen
from projections.state import State, postings_of, to_fen

BALANCES = sa.Table(
    "rm_balances",
    METADATA,
    sa.Column("account", sa.String(200), primary_key=True),
    fen("balance_fen"),
    info={"sums": True},
)

TABLES = (BALANCES,)


def apply(state: State, position: int, event: Any) -> None:
    """Every registered posting of a money event moves its account; others post nothing."""
    for p in postings_of(event):
        state.add(BALANCES, (p.account,), balance_fen=to_fen(p.amount))
