"""The ledger's checkpoint key: created once, explicitly, registered in the log, never replaced.

Rules (docs/audit-proofs.md §2):
- the key pair is created with the ledger (`jcg init`), or else on the first checkpoint an
  authorised officer writes (`jcg audit checkpoint`); its verifier key is written to
  ``$JCG_KEY_DIR/_ledger.vkey`` and registered in the log by an officer's signed request
  (`LedgerKey.Registered`): the first automatic checkpoint's or the explicit one's;
- an existing ``_ledger.vkey`` is never overwritten, and a missing ``_ledger.key`` is never
  made up: if the verifier key is there but the private key is not, checkpoints are refused;
- only a registered officer or approver whose private key is at hand writes a checkpoint
  (an auditor never writes); automatic checkpoints after a signed write use the key file that
  is present (registering it first if needed), they never create one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.application import AggregateNotFoundError

from domain.errors import Refused
from domain.ledger_key import LEDGER_KEY_ID, LedgerKey
from domain.messages import N_, Message
from domain.officer import ROSTER_ID, OfficerRoster
from domain.provenance import Provenance
from ledger.audit.checkpoint import CheckpointError, log_origin, parse_verifier_key, verifier_key
from ledger.audit.signing import public_key_text, raw_public
from ledger.commands import Command, Outcome, handles
from ledger.infra.files import NOTE_LIMIT, read_text_bounded
from ledger.infra.keys import LEDGER_KEY
from ledger.ports import LedgerApp
from ledger.unit_of_work import UnitOfWork

VKEY_FILE = f"{LEDGER_KEY}.vkey"


@dataclass(frozen=True, kw_only=True)
class RegisterLedgerKey(Command):
    """Record the ledger's checkpoint verifier key in the log (once)."""

    kind = "ledger-key.register"
    checks_policy_window: ClassVar[bool] = False
    verifier_key: str


@handles(RegisterLedgerKey)
def register_ledger_key(uow: UnitOfWork, cmd: RegisterLedgerKey, by: Provenance) -> Outcome:
    try:
        parse_verifier_key(cmd.verifier_key)
    except CheckpointError as exc:
        raise Refused(str(exc)) from None
    existing = uow.find(LedgerKey, LEDGER_KEY_ID)
    if existing is not None:
        existing.refuse_another(cmd.verifier_key)
    uow.add(LedgerKey(by=by, verifier_key=cmd.verifier_key), "ledger key")
    return Outcome(cmd.request_id, Message(N_("ledger checkpoint key registered in the log: {verifier_key}"), verifier_key=cmd.verifier_key),
                   data={"verifier_key": cmd.verifier_key})


# reading --------------------------------------------------------------------------------


def registered_verifier_key(ledger: LedgerApp) -> str | None:
    """The verifier key recorded in the log, or None before the first checkpoint."""
    try:
        return str(ledger.repository.get(LEDGER_KEY_ID).verifier_key)
    except AggregateNotFoundError:
        return None


def vkey_path(ledger: LedgerApp) -> Path:
    return Path(ledger.keyring.store.directory) / VKEY_FILE


def kept_verifier_key(ledger: LedgerApp) -> str | None:
    """``$JCG_KEY_DIR/_ledger.vkey``, if there."""
    path = vkey_path(ledger)
    return read_text_bounded(path, NOTE_LIMIT).strip() if path.exists() else None


def read_verifier_key(value: str) -> str:
    """A verifier key given as its text or as the path of a file holding it (``--vkey``)."""
    text = value.strip()
    try:
        parse_verifier_key(text)
        return text
    except CheckpointError:
        pass
    path = Path(value).expanduser()
    if path.is_file():
        return read_text_bounded(path, NOTE_LIMIT).strip()
    raise CheckpointError(N_("{value!r} is neither a signed-note verifier key nor a file holding one"), value=value)


# who may write a checkpoint -------------------------------------------------------------


def authorize_checkpoint(ledger: LedgerApp, officer: str) -> None:
    """A checkpoint is a write: only a registered officer or approver, holding their registered
    private key, signs one (the roster is read through the repository, as `authorize` reads it)."""
    try:
        roster: OfficerRoster | None = ledger.repository.get(ROSTER_ID)
    except AggregateNotFoundError:
        roster = None
    if roster is None or not roster.officers:
        raise Refused(N_("the ledger has no officers yet: a registered officer or approver writes checkpoints"))
    registered = roster.officers.get(officer)
    if registered is None:
        raise Refused(N_("{officer} is not a registered officer: only an officer or approver writes a checkpoint"), officer=officer)
    if not registered.writes:
        raise Refused(N_("{officer} is an {role}: auditors read and verify but never write (a checkpoint is a write)"), officer=officer, role=registered.role)
    key = registered.active_key
    if key is None:
        raise Refused(N_("officer {officer} has no valid key (revoked): an approver must rotate it first"), officer=officer)
    if public_key_text(ledger.keyring.key(officer)) != key.public_key:
        raise Refused(N_("the private key of {officer} in {directory} is not the officer's registered key {key_id}"), officer=officer, directory=ledger.keyring.store.directory, key_id=key.key_id)


# the signing key ------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckpointKey:
    name: str  # the signed-note key name (the log origin)
    private: Ed25519PrivateKey
    verifier_key: str
    created: bool = False  # made and registered by this call
    registration: Outcome | None = None


def due_checkpoint_key(ledger: LedgerApp, actor: str | None) -> CheckpointKey:
    """The key an automatic checkpoint is signed with, or Refused saying why there is none.

    The key made by ``jcg init`` (or by the test provisioning) is registered in the log by the
    officer whose signed write made the first checkpoint due: the key is then in use from the
    ledger's first events, with no manual step. A registered key is never replaced."""
    registered = registered_verifier_key(ledger)
    store = ledger.keyring.store
    key_file = store.path(LEDGER_KEY)
    if registered is None:
        if not store.exists(LEDGER_KEY):
            raise Refused(N_("the ledger has no checkpoint key ({path} is missing): `jcg init` makes it, "
                             "or an officer runs `jcg audit checkpoint`"), path=str(key_file))
        if actor is None:
            raise Refused(N_("the ledger key is not registered in the log yet: an officer runs "
                             "`jcg audit checkpoint`"))
        return checkpoint_key(ledger, actor, ledger.clock().date())
    if not store.exists(LEDGER_KEY):
        raise Refused(N_("the ledger key registered in the log ({key}) is not in {path}: restore that file"),
                      key=_kid(registered), path=str(key_file))
    return _registered_key(ledger, registered)


def create_ledger_key(ledger: LedgerApp) -> tuple[str, bool]:
    """Make the ledger's checkpoint key when the ledger is made (``jcg init``): (verifier key,
    created). An existing key file is taken as it is (never replaced); a verifier key that is
    kept or registered without its private key is refused (restore the file, never a new key)."""
    store = ledger.keyring.store
    registered = registered_verifier_key(ledger)
    kept = kept_verifier_key(ledger)
    if store.exists(LEDGER_KEY):
        private = ledger.keyring.key(LEDGER_KEY)
        vkey = verifier_key(log_origin(ledger.env), raw_public(private.public_key()))
        if registered is not None and registered != vkey:
            raise Refused(N_("{path} is not the ledger key registered in the log ({key})"),
                          path=str(store.path(LEDGER_KEY)), key=_kid(registered))
        _keep_verifier_key(ledger, vkey, kept)
        return vkey, False
    if registered is not None:
        raise Refused(N_("the ledger key registered in the log ({key}) is not in {path}: restore that file "
                         "(the ledger key is never replaced)"), key=_kid(registered), path=str(store.path(LEDGER_KEY)))
    if kept is not None:
        raise Refused(N_("{vkey} exists but the ledger's private key {path} does not: restore the key file "
                         "(the ledger key is never replaced silently)"),
                      vkey=str(vkey_path(ledger)), path=str(store.path(LEDGER_KEY)))
    private = ledger.keyring.create(LEDGER_KEY)
    vkey = verifier_key(log_origin(ledger.env), raw_public(private.public_key()))
    _keep_verifier_key(ledger, vkey, kept)
    return vkey, True


def checkpoint_key(ledger: LedgerApp, officer: str, decided: date) -> CheckpointKey:
    """The key an authorised officer's checkpoint is signed with; on the ledger's first
    checkpoint it is created (or an existing unregistered key file is taken) and registered."""
    authorize_checkpoint(ledger, officer)
    store = ledger.keyring.store
    kept = kept_verifier_key(ledger)
    registered = registered_verifier_key(ledger)
    key_file = store.path(LEDGER_KEY)
    if registered is not None:
        if not store.exists(LEDGER_KEY):
            raise Refused(N_("the ledger key registered in the log ({kid}) is not in {key_file}: restore that file (a checkpoint is never signed with another key)"), kid=_kid(registered), key_file=key_file)
        key = _registered_key(ledger, registered)
        _keep_verifier_key(ledger, registered, kept)
        return key
    if store.exists(LEDGER_KEY):  # made before keys were registered in the log: adopt it
        private = ledger.keyring.key(LEDGER_KEY)
        vkey = verifier_key(log_origin(ledger.env), raw_public(private.public_key()))
        created = False
    else:
        if kept is not None:
            raise Refused(N_("{vkey_path} exists but the ledger's private key {key_file} does not: restore the key file (the ledger key is never replaced silently)"), vkey_path=vkey_path(ledger), key_file=key_file)
        private = ledger.keyring.create(LEDGER_KEY)
        vkey = verifier_key(log_origin(ledger.env), raw_public(private.public_key()))
        created = True
    vkey_file = vkey_path(ledger)
    vkey_made = kept is None and not os.path.lexists(vkey_file)
    try:
        _keep_verifier_key(ledger, vkey, kept)
        outcome = ledger.execute(RegisterLedgerKey(actor=officer, decided=decided, verifier_key=vkey))
    except BaseException:  # nothing registered: the files this call made go too (exit 1 = nothing written)
        if created:
            key_file.unlink(missing_ok=True)
            ledger.keyring.forget(LEDGER_KEY)
        if vkey_made:
            vkey_file.unlink(missing_ok=True)
        raise
    name, _ = parse_verifier_key(vkey)
    return CheckpointKey(name, private, vkey, created, outcome)


def _registered_key(ledger: LedgerApp, registered: str) -> CheckpointKey:
    name, public = parse_verifier_key(registered)
    private = ledger.keyring.key(LEDGER_KEY)
    if raw_public(private.public_key()) != public:
        raise Refused(N_("{path} is not the ledger key registered in the log ({kid}): a checkpoint is never signed with another key"), path=ledger.keyring.store.path(LEDGER_KEY), kid=_kid(registered))
    return CheckpointKey(name, private, registered)


def _keep_verifier_key(ledger: LedgerApp, vkey: str, kept: str | None) -> None:
    """Write ``_ledger.vkey`` if it is missing; an existing one is never overwritten."""
    path = vkey_path(ledger)
    if kept is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            kept = read_text_bounded(path, NOTE_LIMIT).strip()
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(vkey + "\n")
            return
    if kept != vkey:
        raise Refused(N_("{path} holds another key ({kid}) than the ledger key ({kid2}); it is never overwritten: check which key directory belongs to this ledger"), path=path, kid=_kid(kept), kid2=_kid(vkey))


def _kid(vkey: str) -> str:
    parts = vkey.split("+", 2)
    return f"key ID {parts[1]}" if len(parts) == 3 else "unreadable key"
