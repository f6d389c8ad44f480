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
from domain.officer import ROSTER_ID, OfficerRoster
from domain.project import Project

T = TypeVar("T")


def _get(ledger: Any, kind: type[T], aggregate_id: UUID, missing: str) -> T:
    try:
        found = ledger.repository.get(aggregate_id)
    except AggregateNotFoundError:
        raise NotFound(missing) from None
    if not isinstance(found, kind):  # pragma: no cover - ids are namespaced per kind
        raise NotFound(missing)
    return found


def get_party(ledger: Any, code: str) -> Enterprise:
    return _get(ledger, Enterprise, party_id(code), f"party {code} is not registered")


def get_fund(ledger: Any, code: str) -> Fund:
    return _get(ledger, Fund, fund_id(code), f"fund {code} is not registered")


def get_project(ledger: Any, code: str) -> Project:
    return _get(ledger, Project, project_id(code), f"project {code} is not approved")


def get_loan(ledger: Any, code: str) -> Loan:
    return _get(ledger, Loan, loan_id(code), f"loan {code} is not enrolled")


def get_register(ledger: Any, enterprise: str) -> ShareRegister:
    return _get(ledger, ShareRegister, share_register_id(enterprise),
                f"{enterprise} has no share register (record its holders with jcg captable register)")


def find_roster(ledger: Any) -> OfficerRoster | None:
    """The officer roster, or None before the first officer (an unreadable roster is an error)."""
    try:
        return ledger.repository.get(ROSTER_ID)
    except AggregateNotFoundError:
        return None
