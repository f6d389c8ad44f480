"""G.1: the notice is in force from 2024-11-05 to 2028-12-31, judged by decision date."""

from __future__ import annotations

from datetime import date

from domain.errors import InvalidDate
from domain.messages import N_
from domain.parameters import ParameterBook


def check_in_force(decided: date, book: ParameterBook) -> None:
    """Refuse a decision dated outside the policy window (back-dated recording is fine)."""
    window = book.versions("G.1")
    start = min(p.value for p in window if p.name == "in_force_from")
    until = max(p.value for p in window if p.name == "in_force_until")
    if not start <= decided <= until:
        raise InvalidDate(
            N_("G.1: decision date {isoformat} is outside the policy window {isoformat2} to {isoformat3}"), isoformat=decided.isoformat(), isoformat2=start.isoformat(), isoformat3=until.isoformat()
        )
