"""A tech loan enrolled in the credit risk compensation scheme (P5.6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidAmount, Refused
from domain.ids import loan_id
from domain.money import yuan
from domain.provenance import Provenance

CATEGORIES = {
    "P5.6a": "科技成果转化类贷款",
    "P5.6b": "早期、初创期科技型企业研发类信用贷款",
}


class Loan(Aggregate):
    @staticmethod
    def create_id(code: str) -> UUID:
        return loan_id(code)

    @classmethod
    def enrol(
        cls,
        by: Provenance,
        code: str,
        bank: str,
        borrower: str,
        category: str,
        principal: Decimal,
        start: date,
        term_months: int,
    ) -> Loan:
        if category not in CATEGORIES:
            raise Refused(f"loan {code}: category must be one of {', '.join(CATEGORIES)}")
        principal = yuan(principal)
        if principal <= 0:
            raise InvalidAmount(f"loan {code}: principal must be positive")
        if term_months <= 0:
            raise Refused(f"loan {code}: term must be at least one month")
        return cls(
            by=by, code=code, bank=bank, borrower=borrower, category=category,
            principal=principal, start=start, term_months=term_months,
        )

    @event("Enrolled")
    def __init__(
        self,
        by: Provenance,
        code: str,
        bank: str,
        borrower: str,
        category: str,
        principal: Decimal,
        start: date,
        term_months: int,
    ) -> None:
        self.code = code
        self.bank = bank
        self.borrower = borrower
        self.category = category
        self.principal = principal
        self.start = start
        self.term_months = term_months
