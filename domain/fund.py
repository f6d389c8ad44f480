"""A fund (P5): capital, a manager, and the stakes it holds, including converted grants."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidAmount, Refused
from domain.ids import fund_id
from domain.money import yuan
from domain.provenance import Provenance


class Fund(Aggregate):
    @staticmethod
    def create_id(code: str) -> UUID:
        return fund_id(code)

    @classmethod
    def register(cls, by: Provenance, code: str, name: str, manager: str, capital: Decimal) -> Fund:
        if not code.strip() or not name.strip():
            raise Refused("a fund needs a code and a name")
        capital = yuan(capital)
        if capital < 0:
            raise InvalidAmount("fund capital must not be negative")
        return cls(by=by, code=code, name=name, manager=manager, capital=capital)

    @event("Registered")
    def __init__(self, by: Provenance, code: str, name: str, manager: str, capital: Decimal) -> None:
        self.code = code
        self.name = name
        self.manager = manager
        self.capital = capital
