"""Per recipient: awarded, disbursed, clawed back and outstanding, by clause and award year.

Payments and clawbacks count in the year of the award they settle (so "outstanding" of a
year is what that year's awards still owe); the awards register remembers each award's year.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.enterprise import Enterprise
from projections.schema import METADATA, fen
from projections.state import State, to_fen

AWARDS = sa.Table(
    "rm_awards",
    METADATA,
    sa.Column("award_id", sa.String(120), primary_key=True),
    sa.Column("party", sa.String(120)),
    sa.Column("clause", sa.String(20)),
    sa.Column("year", sa.Integer),
    sa.Column("source", sa.String(120)),
)

RECIPIENTS = sa.Table(
    "rm_recipients",
    METADATA,
    sa.Column("party", sa.String(120), primary_key=True),
    sa.Column("clause", sa.String(20), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    fen("awarded_fen"),
    fen("disbursed_fen"),
    fen("clawed_back_fen"),
    info={"sums": True},
)

TABLES = (AWARDS, RECIPIENTS)

AwardGranted = Enterprise.AwardGranted  # type: ignore[attr-defined]
Disbursed = Enterprise.Disbursed  # type: ignore[attr-defined]
ClawedBack = Enterprise.ClawedBack  # type: ignore[attr-defined]


def award_year(state: State, award_id: str, fallback: int) -> int:
    row = state.get(AWARDS, (award_id,))
    return int(row["year"]) if row else fallback


def apply(state: State, position: int, event: Any) -> None:
    if isinstance(event, AwardGranted):
        year = event.by.fiscal_year
        state.put(AWARDS, (event.award_id,), party=event.party, clause=event.clause, year=year, source=event.source)
        state.add(RECIPIENTS, (event.party, event.clause, year), awarded_fen=to_fen(event.amount))
    elif isinstance(event, Disbursed):
        year = award_year(state, event.award_id, event.by.fiscal_year)
        state.add(RECIPIENTS, (event.party, event.clause, year), disbursed_fen=to_fen(event.amount))
    elif isinstance(event, ClawedBack):
        state.add(RECIPIENTS, (event.party, event.clause, event.award_year), clawed_back_fen=to_fen(event.amount))
