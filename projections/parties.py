"""Parties: every registered party (code, name, kind, entry date) and the log position of its
registration, so `party list` is one SQL query in registration order, not a scan of the log."""

from __future__ import annotations

from typing import Any

from domain.enterprise import Enterprise
from projections.layout import BIGINT, TEXT, Column, Table, key
from projections.state import State

PARTIES = Table(
    "rm_parties",
    key("code"),
    Column("name", TEXT),
    Column("kind", TEXT),
    Column("entered", TEXT),
    Column("registered_at", BIGINT),  # log position of the registration (list order)
)

TABLES = (PARTIES,)

Registered = Enterprise.Registered


def apply(state: State, position: int, event: Any) -> None:
    if isinstance(event, Registered):
        state.put(PARTIES, (event.code,), name=event.name, kind=event.kind, entered=event.entered.isoformat(),
                  registered_at=position)
