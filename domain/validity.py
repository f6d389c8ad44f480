"""G.1: the notice is in force from 2024-11-05 to 2028-12-31, judged by decision date."""

from __future__ import annotations

from datetime import date

from domain.errors import InvalidDate
from domain.parameters import ParameterBook


def check_in_force(decided: date, book: ParameterBook) -> None:
    """Refuse a decision dated outside the policy window (back-dated recording is fine)."""
    window = book.versions("G.1")
    start = min(p.value for p in window if p.name == "in_force_from")
    until = max(p.value for p in window if p.name == "in_force_until")
    if not start <= decided <= until:
        raise InvalidDate(
            f"G.1: decision date {decided.isoformat()} is outside the policy window "
            f"{start.isoformat()} to {until.isoformat()}"
        )
