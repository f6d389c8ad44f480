"""Parties: every registered party (code, name, kind, entry date) and the log position of its
registration, so `party list` is one SQL query in registration order, not a scan of the log."""

from __future__ import annotations

from typing import Any

from projections.events import event, name
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

Registered = event("Enterprise.Registered")  # by name: the aggregate is not imported (projections.events)


def apply(state: State, position: int, event: Any) -> None:
    if name(event) == Registered:
        state.put(PARTIES, (event.code,), name=event.name, kind=event.kind, entered=event.entered.isoformat(),
                  registered_at=position)
