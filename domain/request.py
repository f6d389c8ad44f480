"""The record of an accepted request: what makes re-running a command change nothing."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import request_id
from domain.provenance import Provenance


class RecordedRequest(Aggregate):
    """Saved in the same transaction as the request's events; a second save of the same
    request id conflicts, so a request is recorded at most once even under races."""

    @staticmethod
    def create_id(request: str) -> UUID:
        return request_id(request)

    class Accepted(Aggregate.Created):
        by: Provenance
        request: str
        kind: str
        command: str
        digest: str
        summary: str
        key_id: str = ""
        signature: str = ""
        event_hashes: str = ""

    @event(Accepted)
    def __init__(
        self,
        by: Provenance,
        request: str,
        kind: str,
        command: str,
        digest: str,
        summary: str,
        key_id: str = "",
        signature: str = "",
        event_hashes: str = "",
    ) -> None:
        # key_id/signature: the acting officer's Ed25519 signature over the command and the
        # hashes of the events it stored (space-separated hex), see ledger/signing.py.
        self.request = request
        self.kind = kind
        self.command = command
        self.digest = digest
        self.summary = summary
        self.key_id = key_id
        self.signature = signature
        self.event_hashes = event_hashes
