"""`payment pending`: the payment orders waiting for a second person (待审核), as one table."""

from __future__ import annotations

from domain.messages import N_, Message
from domain.payment import Payment
from i18n import text
from projections.tables import Col, terminal_width, text_table

PENDING = (Col("source"), Col("reference"), Col("operation", words=True), Col("entity"), Col("item"),
           Col("amount", money=True), Col("ordered_on", header=N_("ordered on")), Col("recorder"),
           Col("request_id"))


def pending_lines(orders: list[Payment]) -> list[str]:
    """What `jcg payment pending` prints (a sentence when nothing waits)."""
    if not orders:
        return [text(Message(N_("no pending payment orders")))]
    rows = [[p.source, p.reference, p.operation, p.entity, p.item, p.amount, p.ordered_on, p.recorder,
             p.request_id] for p in orders]
    return text_table(PENDING, rows, rule=False, max_width=terminal_width()).splitlines()
