"""Signing checkpoints with the ledger's key: on request (an officer's act) and after writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.persistence import PersistenceError

from domain.errors import Refused
from domain.messages import N_, Message
from ledger.audit.checkpoint import CheckpointError, StoredCheckpoint, store_of
from ledger.audit.ledger_key import checkpoint_key, due_checkpoint_key
from ledger.ports import LedgerApp


@dataclass(frozen=True)
class WrittenCheckpoint:
    row: StoredCheckpoint
    verifier_key: str
    key_created: bool  # the ledger key was made (and registered in the log) by this checkpoint
    registration: Any = None  # the Outcome of registering the key, if this checkpoint did


def write_checkpoint(ledger: LedgerApp, officer: str, *, decided: date | None = None,
                     deliver: Callable[[str], Any] | None = None) -> WrittenCheckpoint:
    """An authorised officer signs the log as it is now with the ledger's key and stores it.
    The first checkpoint of a ledger creates (or adopts) that key and registers it in the log.
    ``deliver`` receives the note before the checkpoint is committed (its failure stores nothing):
    pass an ``OutFile``'s ``write``, opened before this call so a bad path is refused first."""
    key = checkpoint_key(ledger, officer, decided or ledger.clock().date())
    row = store_of(ledger).write(key.name, key.private, key.name, deliver)
    return WrittenCheckpoint(row, key.verifier_key, key.created, key.registration)


def checkpoint_if_due(ledger: LedgerApp, actor: str | None = None) -> tuple[StoredCheckpoint | None, Message | None]:
    """After a signed write by ``actor``: a new checkpoint once N events were recorded since the
    last one. Returns (the checkpoint made, or None; why a due checkpoint was not made, or None).

    The write's events are saved whatever happens here, so a missed checkpoint never fails the
    command; but it is never silent either: the reason goes back to the officer (stderr), and
    `jcg audit verify` reports the gap. The key is never made up here (docs/audit-proofs.md §2)."""
    if ledger.__dict__.get("_checkpointing"):
        return None, None  # the ledger key's registration, made from here, is itself a write
    since = 0
    try:
        store = store_of(ledger)
        last = store.latest()
        since = (ledger.recorder.max_notification_id() or 0) - (last.last_position if last else 0)
        if since < ledger.checkpoint_every:
            return None, None
        problem = ledger.__dict__.get("_checkpoint_problem")
        if problem is not None:  # tried once in this process: a key that cannot be opened stays so
            raise Refused(problem)
        ledger.__dict__["_checkpointing"] = True
        try:
            key = due_checkpoint_key(ledger, actor)
        except Refused as exc:
            ledger.__dict__["_checkpoint_problem"] = exc.message
            raise
        finally:
            ledger.__dict__["_checkpointing"] = False
        return store.write(key.name, key.private, key.name), None
    except (CheckpointError, Refused) as exc:
        return None, gap_warning(since, ledger.checkpoint_every, exc.message)
    except PersistenceError as exc:
        # a busy or racing database: the next write makes it up
        return None, gap_warning(since, ledger.checkpoint_every,
                                 Message(N_("the database refused it ({error})"), error=type(exc).__name__))


def gap_warning(since: int, every: int, reason: Message) -> Message:
    return Message(N_("no checkpoint was made ({since} events since the last one; one is due every {every}): "
                      "{reason}. The request is recorded; until a checkpoint is made, the newest events are not "
                      "covered by one (jcg audit verify reports the gap)"),
                   since=f"{since:,}", every=f"{every:,}", reason=reason)
