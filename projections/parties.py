"""Parties: every registered party (code, name, kind, entry date) and the log position of its
registration, so `party list` is one SQL query in registration order, not a scan of the log."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.enterprise import Enterprise
from projections.schema import METADATA, Label
from projections.state import State

PARTIES = sa.Table(
    "rm_parties",
    METADATA,
    sa.Column("code", Label, primary_key=True),
    sa.Column("name", Label),
    sa.Column("kind", Label),
    sa.Column("entered", Label),
    sa.Column("registered_at", sa.BigInteger),  # log position of the registration (list order)
)

TABLES = (PARTIES,)

Registered = Enterprise.Registered


def apply(state: State, position: int, event: Any) -> None:
    if isinstance(event, Registered):
        state.put(PARTIES, (event.code,), name=event.name, kind=event.kind, entered=event.entered.isoformat(),
                  registered_at=position)
