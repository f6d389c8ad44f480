"""Budget execution per fiscal year, funding source and responsible unit (责任单位).

Cash basis: commitments count in the year of the decision that commits the money (an award,
a project approval, a P5.6 compensation approval), payments and recoveries in the year they
are decided. Covered: grants, 拨投结合 project tranches and misuse recoveries (P2.2/P6.1),
P5.6 loan-loss compensation approved and paid by 省财政/市财政 and the recoveries returned to
them, and P6.1 reassignments (``reassigned``: + into the receiving project's line, − out of
the finished project's; they move money between lines, they are not new spending). A failed
or finished 拨投结合 project releases its unpaid grant (``released``, in the year decided): a
cancelled commitment, neither paid nor still outstanding.

The unit is the 责任单位 whose budget line the rule book names for the clause (``paying_unit``:
市财政局 for P5.5, whose text says 市财政 pays; else the lead unit), so each yuan is counted
once and unit totals add up to the source totals. Paid − recovered per source equals
the movement of that source's ``funding:`` account in the journal.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from domain.clauses import catalogue
from domain.journal import CITY, PROVINCE
from domain.parameters import ParameterBook, parameter_book
from domain.parameters import payer as paying
from projections.events import name, named
from projections.layout import INTEGER, Table, day_index, fen, key
from projections.recipients import registered, released_fen
from projections.state import State, decision_day, to_fen

BUDGETS = Table(
    "rm_budgets",
    key("year", INTEGER),
    key("source"),
    key("unit"),
    key("clause"),
    fen("committed_fen"),
    fen("paid_fen"),
    fen("recovered_fen"),
    fen("reassigned_fen"),
    fen("released_fen"),  # commitment cancelled: 拨投结合 grant never paid when the project failed or finished
    fen("pending_fen"),  # payment orders recorded, not yet posted (待审核): committed, not paid
    info={"sums": True},
)

BUDGET_DAYS = day_index(BUDGETS)

TABLES = (BUDGETS, BUDGET_DAYS)

# event type -> (budget column, attribute naming the funding source). Grants, 拨投结合
# project tranches (P2.2/P6.1) and loan-loss compensation paid by public payers (P5.6).
SPENDING: dict[str, tuple[str, str]] = {
    "Enterprise.AwardGranted": ("committed_fen", "source"),
    "Enterprise.Disbursed": ("paid_fen", "source"),
    "Enterprise.ClawedBack": ("recovered_fen", "source"),
    "Project.Approved": ("committed_fen", "source"),
    "Project.TranchePaid": ("paid_fen", "source"),
    "Project.ClawedBack": ("recovered_fen", "source"),
    "Loan.CompensationPaid": ("paid_fen", "payer"),
}

# P5.6: per public payer, from the split each event carries
PER_PAYER: dict[str, tuple[str, str]] = {
    "Loan.CompensationApproved": ("committed_fen", "shares"),
    "Loan.Recovered": ("recovered_fen", "parts"),
}
PAYERS = (PROVINCE, CITY)  # the public payers of P5.6 (domain.loan.PAYERS)
named(*SPENDING, *PER_PAYER)

# a void cancels the unpaid part of an award recorded in error: the commitment of the award's year goes down
VOIDED = "Enterprise.AwardVoided"
# a movement recorded in error, reversed: what it added to the year it was recorded is taken off that year
REVERSED: dict[str, tuple[str, str]] = {
    "Project.TrancheReversed": ("paid_fen", "source"),
    "Loan.PaymentReversed": ("paid_fen", "payer"),
}
RECOVERY_REVERSED = "Loan.RecoveryReversed"
CLAIM_WITHDRAWN = "Loan.ClaimWithdrawn"
named(*REVERSED, RECOVERY_REVERSED, CLAIM_WITHDRAWN)
# pending payment orders per paying source, by the year of the order (payments of public money only)
ORDERED = "Payment.Ordered"
ORDERS = named(ORDERED, "Payment.Posted", "Payment.Voided")
SPENDING_ORDERS = frozenset({"grant.disburse", "project.tranche", "loan.pay"})

REASSIGNED_IN = "Project.ReassignedIn"
REASSIGNED = named("Project.ReassignedOut", REASSIGNED_IN)
RELEASING = named("Project.Failed", "Project.Finished")
named(VOIDED)

UNASSIGNED = "(未列明)"


def lead_unit(clause_id: str, on: date | None = None) -> str:
    """The 责任单位 that books the clause's spending (the rule book's paying unit)."""
    return _lead_unit(parameter_book(), clause_id, on or date.max)


@functools.lru_cache(maxsize=8192)
def _lead_unit(book: ParameterBook, clause_id: str, on: date) -> str:
    """Kept per (book, clause, day): the shipped book never changes in a process, and a
    rebuild asks for the same few clauses on the same days thousands of times."""
    if catalogue().get(clause_id) is None:
        return UNASSIGNED
    return paying(book, clause_id, on)[1] or UNASSIGNED


def _add(state: State, event: Any, key: tuple[Any, ...], **fen: int) -> None:
    """Add to a budget line and to its day index (the event's decision day)."""
    state.add(BUDGETS, key, **fen)
    state.add(BUDGET_DAYS, (*key, decision_day(event)), **fen)


def apply(state: State, position: int, event: Any) -> None:
    kind = name(event)
    if kind == VOIDED:
        key = (event.award_year, event.source, lead_unit(event.clause), event.clause)
        _add(state, event, key, committed_fen=-to_fen(event.amount))
        return
    if kind in REVERSED:
        column, source = REVERSED[kind]
        key = (event.paid_year, getattr(event, source), lead_unit(event.clause), event.clause)
        _add(state, event, key, **{column: -to_fen(event.amount)})
        return
    if kind == RECOVERY_REVERSED:
        for payer in PAYERS:
            part = event.parts.get(payer)
            if part:
                _add(state, event, (event.recovered_year, payer, lead_unit(event.clause), event.clause),
                          recovered_fen=-to_fen(part))
        return
    if kind == CLAIM_WITHDRAWN:
        if event.approved_year:  # the approval committed each payer's share in its year
            for payer in PAYERS:
                _add(state, event, (event.approved_year, payer, lead_unit(event.clause), event.clause),
                          committed_fen=-to_fen(event.shares[payer]))
        return
    if kind in ORDERS:
        if event.operation in SPENDING_ORDERS:
            ordered = kind == ORDERED
            if ordered and not event.pending:
                return
            year = event.by.fiscal_year if ordered else event.order_year
            sign = 1 if ordered else -1
            _add(state, event, (year, event.source, lead_unit(event.clause), event.clause),
                      pending_fen=sign * to_fen(event.amount))
        return
    year = event.by.fiscal_year if kind in SPENDING or kind in PER_PAYER or kind in REASSIGNED else 0
    if kind in SPENDING:
        column, source = SPENDING[kind]
        key = (year, getattr(event, source), lead_unit(event.clause, event.by.decided), event.clause)
        _add(state, event, key, **{column: to_fen(event.amount)})
    elif kind in PER_PAYER:
        column, split = PER_PAYER[kind]
        for payer in PAYERS:
            part = getattr(event, split).get(payer)
            if part:
                _add(state, event, (year, payer, lead_unit(event.clause, event.by.decided), event.clause), **{column: to_fen(part)})
    elif kind in REASSIGNED:
        project = registered(state, event.code)
        amount = to_fen(event.amount) if kind == REASSIGNED_IN else -to_fen(event.amount)
        key = (year, project["source"], lead_unit(project["clause"]), project["clause"])
        _add(state, event, key, reassigned_fen=amount)
    elif kind in RELEASING:
        released = released_fen(event)
        if released:
            project = registered(state, event.code)
            key = (event.by.fiscal_year, project["source"], lead_unit(project["clause"]), project["clause"])
            _add(state, event, key, released_fen=released)
