"""The public key that signs the ledger's checkpoints, recorded once in the log itself.

A checkpoint is only as good as the key an auditor checks it with. Recording the ledger's
verifier key in the log (by an officer's signed request, covered by the Merkle tree) lets
`audit verify` notice a checkpoint signed by any other key, and the key is never replaced
silently: a second registration is refused.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import AlreadyExists
from domain.ids import NAMESPACE
from domain.messages import N_
from domain.provenance import Provenance

LEDGER_KEY_ID: UUID = uuid5(NAMESPACE, "ledger-checkpoint-key")


class LedgerKey(Aggregate):
    """The ledger's checkpoint key: its signed-note verifier key ``name+hexid+base64``."""

    @staticmethod
    def create_id() -> UUID:
        return LEDGER_KEY_ID

    class Registered(Aggregate.Created):
        by: Provenance
        verifier_key: str

    @event(Registered)
    def __init__(self, by: Provenance, verifier_key: str) -> None:
        self.verifier_key = verifier_key

    def refuse_another(self, verifier_key: str) -> None:
        """A second key is never registered over the first (that would disown every checkpoint)."""
        if verifier_key != self.verifier_key:
            raise AlreadyExists(N_("the ledger key is already registered ({verifier_key}); it is never replaced"), verifier_key=self.verifier_key)
        raise AlreadyExists(N_("this ledger key is already registered"))
