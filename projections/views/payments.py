"""`payment pending`: the payment orders waiting for a second person (待审核), as one table."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.messages import N_, Message
from i18n import text
from projections.state import from_fen
from projections.tables import Col, terminal_width, text_table

PENDING = (Col("source"), Col("reference"), Col("operation", words=True), Col("entity"), Col("item"),
           Col("amount", money=True), Col("ordered_on", header=N_("ordered on")), Col("recorder"),
           Col("request_id"))


def pending_lines(rows: list[dict[str, Any]]) -> list[str]:
    """What `jcg payment pending` prints from the payments read model's pending rows (a
    sentence when nothing waits)."""
    if not rows:
        return [text(Message(N_("no pending payment orders")))]
    table = [[r["source"], r["reference"], r["operation"], r["entity"], r["item"], from_fen(r["amount_fen"]),
              date.fromisoformat(r["ordered_on"]), r["recorder"], r["request_id"]] for r in rows]
    return text_table(PENDING, table, rule=False, max_width=terminal_width()).splitlines()
