"""A 拨投结合 project (P2.2, P6.1): a research grant whose conversion terms are agreed up front."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Refused
from domain.ids import project_id
from domain.provenance import Provenance


class Project(Aggregate):
    @staticmethod
    def create_id(code: str) -> UUID:
        return project_id(code)

    @classmethod
    def register(cls, by: Provenance, code: str, title: str, enterprise: str, started: date) -> Project:
        if not code.strip() or not title.strip():
            raise Refused("a project needs a code and a title")
        return cls(by=by, code=code, title=title, enterprise=enterprise, started=started)

    @event("Registered")
    def __init__(self, by: Provenance, code: str, title: str, enterprise: str, started: date) -> None:
        self.code = code
        self.title = title
        self.enterprise = enterprise
        self.started = started
