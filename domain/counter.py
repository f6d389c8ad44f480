"""A clause-year counter: the aggregate that enforces count caps (P4.2b: at most 10 people a year).

A count cap spans recipients, so no recipient's aggregate can hold it; one small aggregate
per clause and year does, and two officers awarding the last place at once conflict on it:
the loser re-reads and is refused.

A place is freed only when the award that took it is recovered in full (clawed back to the
last fen: as if never paid); a partial clawback keeps the place (see docs/decisions.md).
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import CapExceeded, Refused
from domain.ids import counter_id
from domain.messages import N_
from domain.provenance import Provenance


class ClauseYearCounter(Aggregate):
    """Who has taken a place under ``clause`` in ``year``."""

    @staticmethod
    def create_id(clause: str, year: int) -> UUID:
        return counter_id(clause, year)

    @classmethod
    def open(cls, by: Provenance, clause: str, year: int) -> ClauseYearCounter:
        return cls(by=by, clause=clause, year=year)

    class Opened(Aggregate.Created):
        by: Provenance
        clause: str
        year: int

    @event(Opened)
    def __init__(self, by: Provenance, clause: str, year: int) -> None:
        self.clause = clause
        self.year = year
        self.taken: list[str] = []

    def take(self, by: Provenance, recipient: str, limit: int) -> int:
        """Take the next place for ``recipient``; refuses when all ``limit`` places are taken."""
        if recipient in self.taken:
            raise Refused(N_("{clause}: {recipient} already has a place in {year}"),
                          clause=self.clause, recipient=recipient, year=self.year)
        if len(self.taken) >= limit:
            raise CapExceeded(N_("{clause}: at most {limit} a year; {year} has {taken} already"),
                              clause=self.clause, limit=limit, year=self.year, taken=len(self.taken))
        self._taken(by, recipient, len(self.taken) + 1)
        return len(self.taken)

    class PlaceTaken(Aggregate.Event):
        by: Provenance
        recipient: str
        place: int

    @event(PlaceTaken)
    def _taken(self, by: Provenance, recipient: str, place: int) -> None:
        self.taken.append(recipient)

    def holds(self, recipient: str) -> bool:
        return recipient in self.taken

    def release(self, by: Provenance, recipient: str, reason: str) -> None:
        """Free a place (the award was clawed back in full), so another can be chosen."""
        if recipient not in self.taken:
            raise Refused(N_("{clause}: {recipient} holds no place in {year}"),
                          clause=self.clause, recipient=recipient, year=self.year)
        if not reason.strip():
            raise Refused(N_("{clause}: releasing a place needs a reason"), clause=self.clause)
        self._released(by, recipient, reason)

    class PlaceReleased(Aggregate.Event):
        by: Provenance
        recipient: str
        reason: str

    @event(PlaceReleased)
    def _released(self, by: Provenance, recipient: str, reason: str) -> None:
        self.taken.remove(recipient)
