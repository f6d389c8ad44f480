"""`policy list`: every money clause of the notice as one table (id, title, 责任单位), each
with its amount rule and cap printed under it."""

from __future__ import annotations

from domain.clauses import Clause
from domain.messages import N_, Message
from i18n import text
from projections.tables import Col, terminal_width, text_table

CLAUSES = (Col("clause"), Col("title"), Col("units", header=N_("responsible units")), Col("rule", below=True))


def clauses_list(clauses: list[Clause]) -> list[str]:
    """What `jcg policy list` prints."""
    rows = [[c.id, c.title, "、".join(c.units),
             text(Message(N_("amount: {rule}; cap: {value}"), rule=c.rule, value=c.cap or "—"))]
            for c in clauses if c.money]
    return text_table(CLAUSES, rows, rule=False, max_width=terminal_width()).splitlines()
