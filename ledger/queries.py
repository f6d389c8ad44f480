"""Every lookup of an aggregate by the commands' readers, in one place: typed ``get_*``
that raise one domain error, :class:`~domain.errors.NotFound`, with a sentence an officer
reads. Lists and figures come from the read models (projections.readside)."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.captable import ShareRegister, share_register_id
from domain.enterprise import Enterprise
from domain.errors import NotFound
from domain.fund import Fund
from domain.ids import fund_id, loan_id, party_id, project_id
from domain.loan import Loan
from domain.messages import N_
from domain.officer import ROSTER_ID, OfficerRoster
from domain.project import Project
from ledger.application import Ledger

T = TypeVar("T")


def _get(ledger: Ledger, kind: type[T], aggregate_id: UUID, missing: str, **values: Any) -> T:
    try:
        found: object = ledger.repository.get(aggregate_id)
    except AggregateNotFoundError:
        raise NotFound(missing, **values) from None
    if not isinstance(found, kind):  # pragma: no cover - ids are namespaced per kind
        raise NotFound(missing, **values)
    return found


def get_party(ledger: Ledger, code: str) -> Enterprise:
    return _get(ledger, Enterprise, party_id(code), N_("party {code} is not registered"), code=code)


def get_fund(ledger: Ledger, code: str) -> Fund:
    return _get(ledger, Fund, fund_id(code), N_("fund {code} is not registered"), code=code)


def get_project(ledger: Ledger, code: str) -> Project:
    return _get(ledger, Project, project_id(code), N_("project {code} is not registered"), code=code)


def get_loan(ledger: Ledger, code: str) -> Loan:
    return _get(ledger, Loan, loan_id(code), N_("loan {code} is not registered"), code=code)


def get_register(ledger: Ledger, enterprise: str) -> ShareRegister:
    return _get(ledger, ShareRegister, share_register_id(enterprise),
                N_("{enterprise} has no share register (record its holders with jcg captable register)"),
                enterprise=enterprise)


def find_roster(ledger: Ledger) -> OfficerRoster | None:
    """The officer roster, or None before the first officer (an unreadable roster is an error)."""
    try:
        roster: OfficerRoster = ledger.repository.get(ROSTER_ID)
        return roster
    except AggregateNotFoundError:
        return None
