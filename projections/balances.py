"""Account balances from the double-entry journal: the trial balance sums to zero.

Beside the running balances, the same postings summed per account and decision day
(``rm_balance_days``, a day index): balances as of any date are then one SQL sum over the
days up to it, whatever order the log recorded the events in (no fold, no snapshot)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.provenance import Provenance
from projections.schema import METADATA, fen
from projections.state import State, postings_of, to_fen

BALANCES = sa.Table(
    "rm_balances",
    METADATA,
    sa.Column("account", sa.String(200), primary_key=True),
    fen("balance_fen"),
    info={"sums": True},
)

BALANCE_DAYS = sa.Table(
    "rm_balance_days",
    METADATA,
    sa.Column("account", sa.String(200), primary_key=True),
    sa.Column("decided", sa.String(10), primary_key=True),  # "" for an event without a decision date
    fen("balance_fen"),
    info={"sums": True, "day_index_of": BALANCES},
)

TABLES = (BALANCES, BALANCE_DAYS)


def apply(state: State, position: int, event: Any) -> None:
    """Every registered posting of a money event moves its account; others post nothing."""
    legs = postings_of(event)
    if not legs:
        return
    by = getattr(event, "by", None)
    day = by.decided.isoformat() if isinstance(by, Provenance) else ""
    for p in legs:
        fen = to_fen(p.amount)
        state.add(BALANCES, (p.account,), balance_fen=fen)
        state.add(BALANCE_DAYS, (p.account, day), balance_fen=fen)


def totals(balance: Any) -> list[Any]:
    """The trial balance's two totals over a set of balances, in SQL: debits, credits."""
    return [sa.func.coalesce(sa.func.sum(sa.case((balance > 0, balance), else_=0)), 0).label("debit_fen"),
            sa.func.coalesce(sa.func.sum(sa.case((balance < 0, -balance), else_=0)), 0).label("credit_fen")]
