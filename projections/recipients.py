"""Per recipient: awarded, disbursed, clawed back, reassigned and outstanding, by clause and
award year.

Payments and clawbacks count in the year of the award they settle (so "outstanding" of a
year is what that year's awards still owe); the awards register remembers each award's year,
clause and source. A 拨投结合 project (P2.2/P6.1) is an award to its enterprise under the
project's clause, registered under the project code: the grant is awarded on approval, its
tranches are disbursements, a misuse recovery is a clawback, and a P6.1 reassignment of
unspent money moves it from the finished project's recipient to the receiving project's
(``reassigned``: + received, − handed on; a transfer, not new spending).
"""

from __future__ import annotations

from typing import Any

from projections.events import event, name
from projections.layout import INTEGER, TEXT, Column, Table, fen, key
from projections.state import Row, State, to_fen

AWARDS = Table(
    "rm_awards",
    key("award_id"),
    Column("party", TEXT),
    Column("clause", TEXT),
    Column("year", INTEGER),
    Column("source", TEXT),
    Column("subject", TEXT),  # what a cap is specific to (projections.caps.subject_of)
)

RECIPIENTS = Table(
    "rm_recipients",
    key("party"),
    key("clause"),
    key("year", INTEGER),
    fen("awarded_fen"),
    fen("disbursed_fen"),
    fen("clawed_back_fen"),
    fen("reassigned_fen"),
    fen("released_fen"),  # 拨投结合 grant never paid, released when the project failed or finished
    info={"sums": True},
)

TABLES = (AWARDS, RECIPIENTS)

AwardGranted = event("Enterprise.AwardGranted")
Disbursed = event("Enterprise.Disbursed")
ClawedBack = event("Enterprise.ClawedBack")
AwardVoided = event("Enterprise.AwardVoided")
ProjectApproved = event("Project.Approved")
TranchePaid = event("Project.TranchePaid")
TrancheReversed = event("Project.TrancheReversed")
ProjectClawedBack = event("Project.ClawedBack")
ReassignedOut = event("Project.ReassignedOut")
ReassignedIn = event("Project.ReassignedIn")
ProjectFailed = event("Project.Failed")
ProjectFinished = event("Project.Finished")


def released_fen(event: Any) -> int:
    """The unpaid grant a failed or finished project releases from its commitment (events
    recorded before the amount was carried release nothing)."""
    released = getattr(event, "released", None)
    return to_fen(released) if released else 0


# basis keys naming what a cap is specific to: P6.2 caps each project, P4.1b each kind of
# workstation (its cap parameter is named after it: academician_cap, doctoral_cap)
SUBJECT_KEYS = ("project", "station")


def subject_of(event: Any) -> str:
    """The value of the first subject key in an award's basis ("" if none)."""
    basis = getattr(event, "basis", None) or {}
    return next((str(basis[k]) for k in SUBJECT_KEYS if basis.get(k)), "")


def award_year(state: State, award_id: str, fallback: int) -> int:
    row = state.get(AWARDS, (award_id,))
    return int(row["year"]) if row else fallback


def registered(state: State, award_id: str) -> Row:
    """An award's (or project's) register row: party, clause, year, source."""
    row = state.get(AWARDS, (award_id,))
    if row is None:  # pragma: no cover - every project event follows its approval in the log
        raise LookupError(f"award or project {award_id} is not in the awards register")
    return row


def apply(state: State, position: int, event: Any) -> None:
    kind = name(event)
    if kind in (AwardGranted, ProjectApproved):
        year = event.by.fiscal_year
        party = event.party if kind == AwardGranted else event.enterprise
        code = event.award_id if kind == AwardGranted else event.code
        state.put(AWARDS, (code,), party=party, clause=event.clause, year=year, source=event.source,
                  subject=subject_of(event))
        state.add(RECIPIENTS, (party, event.clause, year), awarded_fen=to_fen(event.amount))
    elif kind == Disbursed:
        year = award_year(state, event.award_id, event.by.fiscal_year)
        state.add(RECIPIENTS, (event.party, event.clause, year), disbursed_fen=to_fen(event.amount))
    elif kind == AwardVoided:  # the unpaid part of an award recorded in error: never awarded
        state.add(RECIPIENTS, (event.party, event.clause, event.award_year), awarded_fen=-to_fen(event.amount))
    elif kind == ClawedBack:
        state.add(RECIPIENTS, (event.party, event.clause, event.award_year), clawed_back_fen=to_fen(event.amount))
    elif kind == TranchePaid:
        year = award_year(state, event.code, event.by.fiscal_year)
        state.add(RECIPIENTS, (event.enterprise, event.clause, year), disbursed_fen=to_fen(event.amount))
    elif kind == TrancheReversed:  # a tranche recorded in error: never disbursed
        year = award_year(state, event.code, event.paid_year)
        state.add(RECIPIENTS, (event.enterprise, event.clause, year), disbursed_fen=-to_fen(event.amount))
    elif kind == ProjectClawedBack:
        year = award_year(state, event.code, event.paid_year)
        state.add(RECIPIENTS, (event.enterprise, event.clause, year), clawed_back_fen=to_fen(event.amount))
    elif kind in (ReassignedOut, ReassignedIn):
        project = registered(state, event.code)
        amount = to_fen(event.amount) if kind == ReassignedIn else -to_fen(event.amount)
        state.add(RECIPIENTS, (project["party"], project["clause"], int(project["year"])), reassigned_fen=amount)
    elif kind in (ProjectFailed, ProjectFinished):
        released = released_fen(event)
        if released:
            project = registered(state, event.code)
            state.add(RECIPIENTS, (project["party"], project["clause"], int(project["year"])), released_fen=released)
