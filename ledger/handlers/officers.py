"""Registering officers and their keys, and who may sign what.

Rules (docs/audit-proofs.md):
- The first officer of a ledger registers themself (bootstrap): the request is signed by
  the key it registers. After that, only an approver adds officers; an officer may rotate
  or revoke their own key, an approver anyone's.
- Auditors read and verify but never write; a revoked key signs nothing new.
- Each command names the roles that may submit it (``Command.roles``: officer and approver by
  default; approvals such as ``loan approve`` need an approver).
- A ledger with no officer yet accepts only the first officer's self-registration: every
  other request is refused, so nothing is ever recorded unsigned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.application import AggregateNotFoundError

from domain.errors import Refused
from domain.officer import ROLES, ROSTER_ID, OfficerRoster
from domain.provenance import Provenance
from ledger.audit.signing import officer_key_id, public_key_text
from ledger.commands import Command, Outcome, handles
from ledger.infra.keys import LEDGER_KEY
from ledger.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class AddOfficer(Command):
    kind = "officer.add"
    checks_policy_window: ClassVar[bool] = False
    name: str
    role: str
    public_key: str


@dataclass(frozen=True, kw_only=True)
class RotateOfficerKey(Command):
    kind = "officer.rotate"
    checks_policy_window: ClassVar[bool] = False
    name: str
    public_key: str


@dataclass(frozen=True, kw_only=True)
class RevokeOfficerKey(Command):
    kind = "officer.revoke"
    checks_policy_window: ClassVar[bool] = False
    name: str
    reason: str


@dataclass(frozen=True)
class Signer:
    """The officer who signs a request and the registered key the signature must verify with."""

    officer: str
    key_id: str
    public_key: str


def authorize(roster: OfficerRoster | None, command: Command) -> Signer:
    """Who signs this request, or a refusal naming why the actor may not."""
    actor = command.actor
    if roster is None or not roster.officers:
        if isinstance(command, AddOfficer):
            if command.name != actor:
                raise Refused(
                    f"the ledger has no officers yet: the first officer registers themself "
                    f"(run it as {command.name}, not {actor})"
                )
            if command.role not in ROLES or command.role == "auditor":
                raise Refused("the first officer must be an officer or an approver (an auditor never writes)")
            return Signer(actor, _key_id(command.public_key), command.public_key)
        raise Refused(
            "the ledger has no officers yet: the first officer registers themself "
            "(jcg officer add NAME --role approver, run as NAME)"
        )
    officer = roster.officers.get(actor)
    if officer is None:
        raise Refused(f"{actor} is not a registered officer: an approver registers officers (jcg officer add)")
    if not officer.writes:
        raise Refused(f"{actor} is an {officer.role}: auditors read and verify but never write")
    if isinstance(command, AddOfficer) and officer.role != "approver":
        raise Refused(f"only an approver registers officers; {actor} is an {officer.role}")
    if isinstance(command, (RotateOfficerKey, RevokeOfficerKey)) and command.name != actor \
            and officer.role != "approver":
        raise Refused(f"only an approver manages another officer's key; {actor} is an {officer.role}")
    if officer.role not in command.roles:
        needs = " or ".join(f"an {r}" for r in sorted(command.roles))
        raise Refused(f"{actor} is an {officer.role}; {command.action or f'a {command.kind} request'} needs {needs}")
    key = officer.active_key
    if key is None:
        raise Refused(f"officer {actor} has no valid key (revoked): an approver must rotate it first")
    return Signer(actor, key.key_id, key.public_key)


def _key_id(public_key: str) -> str:
    try:
        return officer_key_id(public_key)
    except ValueError as exc:
        raise Refused(f"not an Ed25519 public key: {exc}") from None


@handles(AddOfficer)
def add_officer(uow: UnitOfWork, cmd: AddOfficer, by: Provenance) -> Outcome:
    roster = uow.find(OfficerRoster, ROSTER_ID)
    if roster is None:
        roster = OfficerRoster(by=by)
        uow.add(roster, "officer roster")
    key_id = _key_id(cmd.public_key)
    roster.add(by, cmd.name, cmd.role, cmd.public_key, key_id)
    return Outcome(cmd.request_id, f"officer {cmd.name} registered as {cmd.role} with key {key_id}",
                   data={"key_id": key_id})


@handles(RotateOfficerKey)
def rotate_officer_key(uow: UnitOfWork, cmd: RotateOfficerKey, by: Provenance) -> Outcome:
    roster = uow.get(OfficerRoster, ROSTER_ID, "officer roster")
    old = roster.officer(cmd.name).active_key
    key_id = _key_id(cmd.public_key)
    roster.rotate(by, cmd.name, cmd.public_key, key_id)
    was = f" (was {old.key_id}, now retired)" if old else ""
    return Outcome(cmd.request_id, f"officer {cmd.name} signs with key {key_id}{was}", data={"key_id": key_id})


@handles(RevokeOfficerKey)
def revoke_officer_key(uow: UnitOfWork, cmd: RevokeOfficerKey, by: Provenance) -> Outcome:
    roster = uow.get(OfficerRoster, ROSTER_ID, "officer roster")
    key_id = roster.revoke(by, cmd.name, cmd.reason)
    return Outcome(cmd.request_id, f"officer {cmd.name}: key {key_id} revoked ({cmd.reason}); it signs nothing new")


def enrol(ledger: Any, name: str, role: str, *, actor: str = "", decided: date | None = None,
          request_id: str = "", ref: str = "") -> Outcome:
    """Register ``name`` with a new Ed25519 key; the key file is written only once the
    registration is recorded, so a refused request leaves no file behind. An existing key file
    is used only when it holds ``name``'s registered key (a repeat): a planted or left-over file
    is never adopted. Without an actor, the officer registers themself (the bootstrap)."""
    if name.lower() == LEDGER_KEY:  # before the key file is looked at: that file is the ledger's own key
        raise Refused(f"officer name {name!r} is reserved for the ledger's own checkpoint key; choose another name")
    keyring = ledger.keyring
    store = keyring.store
    if store.exists(name):
        key = keyring.key(name)
        if public_key_text(key) != _registered_key(ledger, name):
            raise Refused(f"a key file for {name} already exists at {store.path(name)} but does not hold {name}'s "
                          "registered key: move it away (a left-over or planted file is never adopted)")
        return ledger.execute(_add(ledger, name, role, key, actor, decided, request_id, ref))
    key = Ed25519PrivateKey.generate()
    keyring.use(name, key)  # in memory: the bootstrap request is signed by the key it registers
    try:
        outcome = ledger.execute(_add(ledger, name, role, key, actor, decided, request_id, ref))
    except BaseException:
        keyring.forget(name)
        raise
    if outcome.already_recorded:  # the same content, so the same key: recorded with a key no file holds
        keyring.forget(name)
        return outcome
    store.save(name, key)
    return outcome


def _add(ledger: Any, name: str, role: str, key: Ed25519PrivateKey, actor: str, decided: date | None,
         request_id: str, ref: str) -> AddOfficer:
    return AddOfficer(actor=actor or name, decided=decided or ledger.clock().date(), request_id=request_id,
                      ref=ref, name=name, role=role, public_key=public_key_text(key))


def _registered_key(ledger: Any, name: str) -> str | None:
    """The public key ``name`` signs with now, if registered."""
    try:
        roster = ledger.aggregate(ROSTER_ID)
    except AggregateNotFoundError:  # no officer yet
        return None
    officer = roster.officers.get(name)
    key = officer.active_key if officer is not None else None
    return key.public_key if key is not None else None
