"""`policy list`: every money clause of the notice as one table (id, title, 责任单位), each
with its amount rule and cap printed under it."""

from __future__ import annotations

from domain.clauses import Clause
from domain.messages import N_, Message
from domain.money import fmt
from i18n import text
from ledger.whatif import Recomputed
from projections.tables import Col, terminal_width, text_table

CLAUSES = (Col("clause"), Col("title"), Col("units", header=N_("responsible units")), Col("rule", below=True))


def clauses_list(clauses: list[Clause]) -> list[str]:
    """What `jcg policy list` prints."""
    rows = [[c.id, c.title, "、".join(c.units),
             text(Message(N_("amount: {rule}; cap: {value}"), rule=Message(c.rule), value=Message(c.cap) if c.cap else "—"))]
            for c in clauses if c.money]
    return text_table(CLAUSES, rows, rule=False, max_width=terminal_width()).splitlines()


def what_if_note(result: Recomputed) -> Message:
    """A `policy what-if` note: one recorded award whose amount the proposed rule book changes."""
    what = Message(N_("{award} {clause} {recipient} {year}: {recorded} → {proposed}"), award=result.award,
                   clause=result.clause, recipient=result.recipient, year=result.year,
                   recorded=fmt(result.recorded), proposed=fmt(result.proposed))
    return Message(N_("{what}; {note}"), what=what, note=result.note) if result.note else what
