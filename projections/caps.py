"""Cap usage per clause, recipient and year: awards net of clawbacks, the figure the
per-recipient-per-year caps are checked against (Enterprise.awarded_in). Remaining is
reported against the cap parameter in force that year (domain/params, G.4)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.enterprise import Enterprise
from projections.schema import METADATA, fen
from projections.state import State, to_fen

CAP_USAGE = sa.Table(
    "rm_cap_usage",
    METADATA,
    sa.Column("clause", sa.String(20), primary_key=True),
    sa.Column("party", sa.String(120), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    fen("used_fen"),
    fen("awards"),  # a count, not money: how many awards under the clause that year
    info={"sums": True},
)

TABLES = (CAP_USAGE,)

AwardGranted = Enterprise.AwardGranted  # type: ignore[attr-defined]
ClawedBack = Enterprise.ClawedBack  # type: ignore[attr-defined]


def apply(state: State, position: int, event: Any) -> None:
    if isinstance(event, AwardGranted):
        state.add(CAP_USAGE, (event.clause, event.party, event.by.fiscal_year), used_fen=to_fen(event.amount), awards=1)
    elif isinstance(event, ClawedBack):
        state.add(CAP_USAGE, (event.clause, event.party, event.award_year), used_fen=-to_fen(event.amount))
