"""Signing checkpoints with the ledger's key: on request (an officer's act) and after writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.persistence import PersistenceError

from domain.errors import Refused
from ledger.audit.checkpoint import CheckpointError, StoredCheckpoint, store_of
from ledger.audit.ledger_key import checkpoint_key, ready_checkpoint_key


@dataclass(frozen=True)
class WrittenCheckpoint:
    row: StoredCheckpoint
    verifier_key: str
    key_created: bool  # the ledger key was made (and registered in the log) by this checkpoint
    registration: Any = None  # the Outcome of registering the key, if this checkpoint did


def write_checkpoint(ledger: Any, officer: str, *, decided: date | None = None,
                     deliver: Callable[[str], Any] | None = None) -> WrittenCheckpoint:
    """An authorised officer signs the log as it is now with the ledger's key and stores it.
    The first checkpoint of a ledger creates (or adopts) that key and registers it in the log.
    ``deliver`` receives the note before the checkpoint is committed (its failure stores nothing):
    pass an ``OutFile``'s ``write``, opened before this call so a bad path is refused first."""
    key = checkpoint_key(ledger, officer, decided or ledger.clock().date())
    row = store_of(ledger).write(key.name, key.private, key.name, deliver)
    return WrittenCheckpoint(row, key.verifier_key, key.created, key.registration)


def checkpoint_if_due(ledger: Any) -> StoredCheckpoint | None:
    """After a signed write: a new checkpoint once N events were recorded since the last one,
    signed with the ledger's registered key if it is here (never a new key: that is explicit)."""
    try:
        store = store_of(ledger)
        last = store.latest()
        since = ledger.recorder.max_notification_id() - (last.last_position if last else 0)
        if since < ledger.checkpoint_every:
            return None
        key = ready_checkpoint_key(ledger)
        if key is None:
            return None
        return store.write(key.name, key.private, key.name)
    except (CheckpointError, Refused, PersistenceError):
        # the request's events are saved: a checkpoint missed here (no key, a busy or racing
        # database) is made up by the next one, never a failure of the command
        return None
