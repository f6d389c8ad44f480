"""Account balances from the double-entry journal: the trial balance sums to zero.

Beside the running balances, their day index (projections.schema.day_index): balances as
of any date are one SQL sum over the days up to it, whatever the log's order."""

from __future__ import annotations

from typing import Any

from projections.layout import Table, day_index, fen, key
from projections.state import State, decision_day, postings_of, to_fen

BALANCES = Table(
    "rm_balances",
    key("account"),
    fen("balance_fen"),
    info={"sums": True},
)

BALANCE_DAYS = day_index(BALANCES)

TABLES = (BALANCES, BALANCE_DAYS)


def apply(state: State, position: int, event: Any) -> None:
    """Every registered posting of a money event moves its account; others post nothing."""
    legs = postings_of(event)
    if not legs:
        return
    day = decision_day(event)
    for p in legs:
        fen = to_fen(p.amount)
        state.add(BALANCES, (p.account,), balance_fen=fen)
        state.add(BALANCE_DAYS, (p.account, day), balance_fen=fen)


# The trial balance's two totals over a set of balances, summed in SQL (projections.current):
# each total's part of one balance, "{v}" naming the balance column.
TOTALS = {"debit_fen": "CASE WHEN {v} > 0 THEN {v} ELSE 0 END", "credit_fen": "CASE WHEN {v} < 0 THEN -{v} ELSE 0 END"}
