"""Payments: every payment order under its (source, reference), with what `payment pending`
shows and its status, so the orders waiting for a second person are one SQL query in log
order, not a scan of the log loading every payment."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from projections.events import event, name
from projections.schema import METADATA, Label
from projections.state import State, to_fen

PAYMENTS = sa.Table(
    "rm_payments",
    METADATA,
    sa.Column("source", Label, primary_key=True),
    sa.Column("reference", Label, primary_key=True),
    sa.Column("operation", Label),
    sa.Column("entity", Label),
    sa.Column("item", Label),
    sa.Column("clause", Label),
    sa.Column("amount_fen", sa.BigInteger),
    sa.Column("recorder", Label),
    sa.Column("ordered_on", Label),
    sa.Column("request_id", Label),
    sa.Column("status", Label),  # domain.payment's words: pending, posted, voided, reversed
    sa.Column("ordered_at", sa.BigInteger),  # log position of the order (list order)
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
