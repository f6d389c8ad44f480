"""Cap usage per clause, recipient and year: awards net of clawbacks, the figures the rules'
caps are checked against (Enterprise.awarded_in, awarded_where; the P4.2b places of a year).

Two tables: per clause, recipient and year (per-year and period caps), and per award with
its subject (per-award, per-project and count caps). Which caps apply, and their limits, is
read at report time from the parameters in force (domain/params, G.4): see
:func:`projections.reports.caps`.
"""

from __future__ import annotations

from typing import Any

from projections.events import event, name
from projections.layout import INTEGER, Table, fen, key
from projections.recipients import registered, subject_of
from projections.state import State, to_fen

CAP_USAGE = Table(
    "rm_cap_usage",
    key("clause"),
    key("party"),
    key("year", INTEGER),
    fen("used_fen"),
    fen("awards"),  # a count, not money: how many awards under the clause that year
    info={"sums": True},
)

# one row per award: net amount, with the subject it counts against (P6.2 project, P4.1b station)
CAP_AWARDS = Table(
    "rm_cap_awards",
    key("clause"),
    key("party"),
    key("year", INTEGER),
    key("subject"),
    key("award_id"),
    fen("used_fen"),
    info={"sums": True},
)

TABLES = (CAP_USAGE, CAP_AWARDS)

AwardGranted = event("Enterprise.AwardGranted")
ClawedBack = event("Enterprise.ClawedBack")
AwardVoided = event("Enterprise.AwardVoided")


def apply(state: State, position: int, event: Any) -> None:
    kind = name(event)
    if kind == AwardGranted:
        year = event.by.fiscal_year
        state.add(CAP_USAGE, (event.clause, event.party, year), used_fen=to_fen(event.amount), awards=1)
        state.add(CAP_AWARDS, (event.clause, event.party, year, subject_of(event), event.award_id),
                  used_fen=to_fen(event.amount))
    elif kind == AwardVoided:  # the unpaid part no longer uses the cap; an award voided whole no longer counts
        count = -1 if event.paid == 0 else 0
        state.add(CAP_USAGE, (event.clause, event.party, event.award_year), used_fen=-to_fen(event.amount), awards=count)
        subject = registered(state, event.award_id).get("subject") or ""
        state.add(CAP_AWARDS, (event.clause, event.party, event.award_year, subject, event.award_id),
                  used_fen=-to_fen(event.amount))
    elif kind == ClawedBack:
        state.add(CAP_USAGE, (event.clause, event.party, event.award_year), used_fen=-to_fen(event.amount))
        subject = registered(state, event.award_id).get("subject") or ""
        state.add(CAP_AWARDS, (event.clause, event.party, event.award_year, subject, event.award_id),
                  used_fen=-to_fen(event.amount))
