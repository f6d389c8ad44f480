"""Budget execution per fiscal year, funding source and responsible unit (责任单位).

Cash basis: commitments count in the year of the award decision, payments and recoveries in
the year they are decided. The unit is the clause's lead 责任单位 (first listed in the
clause index), so each yuan is counted once and unit totals add up to the source totals.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.clauses import catalogue
from domain.enterprise import Enterprise
from domain.loan import Loan
from domain.project import Project
from projections.schema import METADATA, fen
from projections.state import State, to_fen

BUDGETS = sa.Table(
    "rm_budgets",
    METADATA,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("source", sa.String(120), primary_key=True),
    sa.Column("unit", sa.String(120), primary_key=True),
    sa.Column("clause", sa.String(20), primary_key=True),
    fen("committed_fen"),
    fen("paid_fen"),
    fen("recovered_fen"),
    info={"sums": True},
)

TABLES = (BUDGETS,)

# event type -> (budget column, attribute naming the funding source). Grants, 拨投结合
# project tranches (P2.2/P6.1) and loan-loss compensation paid by public payers (P5.6).
SPENDING: dict[type, tuple[str, str]] = {
    Enterprise.AwardGranted: ("committed_fen", "source"),  # type: ignore[attr-defined]
    Enterprise.Disbursed: ("paid_fen", "source"),  # type: ignore[attr-defined]
    Enterprise.ClawedBack: ("recovered_fen", "source"),  # type: ignore[attr-defined]
    Project.Approved: ("committed_fen", "source"),  # type: ignore[attr-defined]
    Project.TranchePaid: ("paid_fen", "source"),  # type: ignore[attr-defined]
    Project.ClawedBack: ("recovered_fen", "source"),  # type: ignore[attr-defined]
    Loan.CompensationPaid: ("paid_fen", "payer"),  # type: ignore[attr-defined]
}

UNASSIGNED = "(未列明)"


def lead_unit(clause_id: str) -> str:
    c = catalogue().get(clause_id)
    return c.units[0] if c and c.units else UNASSIGNED


def apply(state: State, position: int, event: Any) -> None:
    spending = SPENDING.get(type(event))
    if spending is None:
        return
    column, source = spending
    key = (event.by.fiscal_year, getattr(event, source), lead_unit(event.clause), event.clause)
    state.add(BUDGETS, key, **{column: to_fen(event.amount)})
