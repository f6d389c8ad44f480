"""Payments: every payment order under its (source, reference), with what `payment pending`
shows and its status, so the orders waiting for a second person are one SQL query in log
order, not a scan of the log loading every payment."""

from __future__ import annotations

from typing import Any

from projections.events import event, name
from projections.layout import BIGINT, TEXT, Column, Table, key
from projections.state import State, to_fen

PAYMENTS = Table(
    "rm_payments",
    key("source"),
    key("reference"),
    Column("operation", TEXT),
    Column("entity", TEXT),
    Column("item", TEXT),
    Column("clause", TEXT),
    Column("amount_fen", BIGINT),
    Column("recorder", TEXT),
    Column("ordered_on", TEXT),
    Column("request_id", TEXT),
    Column("status", TEXT),  # domain.payment's words: pending, posted, voided, reversed
    Column("ordered_at", BIGINT),  # log position of the order (list order)
)

TABLES = (PAYMENTS,)

Ordered = event("Payment.Ordered")
SETTLED = {event("Payment.Posted"): "posted", event("Payment.Voided"): "voided",
           event("Payment.Reversed"): "reversed"}


def apply(state: State, position: int, event: Any) -> None:
    kind = name(event)
    if kind == Ordered:
        state.put(PAYMENTS, (event.source, event.reference), operation=event.operation, entity=event.entity,
                  item=event.item, clause=event.clause, amount_fen=to_fen(event.amount), recorder=event.by.actor,
                  ordered_on=event.by.decided.isoformat(), request_id=event.by.request_id,
                  status="pending" if event.pending else "posted", ordered_at=position)
    elif kind in SETTLED:
        state.put(PAYMENTS, (event.source, event.reference), status=SETTLED[kind])
