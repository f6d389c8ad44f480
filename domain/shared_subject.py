"""A G.3 subject that spans recipients: the aggregate that lets one person (P4.1a) or one
project (P6.2) be paid for once, whichever enterprise or unit claims it.

A recipient's aggregate cannot hold a limit that spans recipients; one small aggregate per
subject does (like domain/counter.py for count caps). It lists the awards made on the subject
(recipient and award id) and the recipients with an external award on it (another policy's
award, G.3); the amounts, net of clawbacks, are read from the recipients' aggregates, so a
clawback needs no event here. Two officers awarding on the same subject at
once both append to it: the loser gets the optimistic-concurrency conflict and is re-evaluated.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.ids import NAMESPACE
from domain.provenance import Provenance


def shared_subject_id(key: str) -> UUID:
    """``P4.1a:ID-1`` → the id of its subject aggregate."""
    return uuid5(NAMESPACE, f"matter:{key}")


class SharedSubject(Aggregate):
    """The awards made on one subject (``P4.1a:<person>``, ``P4.1c:<person>``, ``P6.2:<project>``,
    ``P6.7:<patent>``), by recipient."""

    @staticmethod
    def create_id(key: str) -> UUID:
        return shared_subject_id(key)

    @classmethod
    def open(cls, by: Provenance, key: str) -> SharedSubject:
        return cls(by=by, key=key)

    class Opened(Aggregate.Created):
        by: Provenance
        key: str

    @event(Opened)
    def __init__(self, by: Provenance, key: str) -> None:
        self.key = key
        self.awards: list[tuple[str, str]] = []  # (recipient code, award id)
        self.external: list[str] = []  # recipients with an external award on the subject

    def recipients(self) -> list[str]:
        """Every recipient with an award on the subject, in the order first awarded."""
        return list(dict.fromkeys([*(code for code, _ in self.awards), *self.external]))

    def record(self, by: Provenance, recipient: str, award_id: str) -> None:
        """An award on the subject was granted to ``recipient``."""
        self._recorded(by, recipient, award_id)

    class AwardRecorded(Aggregate.Event):
        by: Provenance
        recipient: str
        award_id: str

    @event(AwardRecorded)
    def _recorded(self, by: Provenance, recipient: str, award_id: str) -> None:
        self.awards.append((recipient, award_id))

    def record_external(self, by: Provenance, recipient: str) -> None:
        """An external award on the subject was recorded on ``recipient`` (its amount stays there)."""
        self._external_recorded(by, recipient)

    class ExternalRecorded(Aggregate.Event):
        by: Provenance
        recipient: str

    @event(ExternalRecorded)
    def _external_recorded(self, by: Provenance, recipient: str) -> None:
        if recipient not in self.external:
            self.external.append(recipient)
