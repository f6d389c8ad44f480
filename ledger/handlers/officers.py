"""Registering officers and their keys, and who may sign what.

Rules (docs/officers.md, docs/audit-proofs.md):
- Each officer makes their own key (``keygen``: the private key stays in their own key
  directory) and hands in only the public key; no command writes another officer's key.
- The first officer of a ledger registers themself (bootstrap): the request is signed by
  the key it registers. After that, only an approver adds officers; an officer may rotate
  their own key, an approver anyone's. Nobody revokes their own key, and the last approver
  with a valid key is never revoked nor demoted.
- From the second approver on, registering or promoting an approver (or handing another
  approver a new key) is a pending change that a second approver confirms (countersigns).
- Two people: a request is never approved by its filer, nor by an identity the filer
  registered, promoted or handed a key within the period (``require_two_people``).
- Auditors read and verify but never write; a revoked key signs nothing new.
- Each command names the roles that may submit it (``Command.roles``: officer and approver by
  default; approvals such as ``loan approve`` need an approver).
- A ledger with no officer yet accepts only the first officer's self-registration: every
  other request is refused, so nothing is ever recorded unsigned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.application import AggregateNotFoundError

from domain.errors import Refused
from domain.messages import N_, Message
from domain.officer import CHANGE_WORDS, ROLE_NAMES, ROLES, ROSTER_ID, OfficerRoster
from domain.provenance import Provenance
from ledger.audit.signing import officer_key_id, public_key_text
from ledger.commands import APPROVERS, Command, Outcome, handles
from ledger.infra.keys import LEDGER_KEY, KeyStore
from ledger.ports import LedgerApp
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


@dataclass(frozen=True, kw_only=True)
class ChangeOfficerRole(Command):
    """Promote or demote an officer (to approver: countersigned from the second approver on)."""

    kind = "officer.role"
    roles: ClassVar[frozenset[str]] = APPROVERS
    action: ClassVar[str] = N_("changing an officer's role")
    checks_policy_window: ClassVar[bool] = False
    name: str
    role: str


@dataclass(frozen=True, kw_only=True)
class ConfirmOfficerChange(Command):
    """A second approver countersigns a pending approver registration, promotion or key."""

    kind = "officer.confirm"
    roles: ClassVar[frozenset[str]] = APPROVERS
    action: ClassVar[str] = N_("countersigning an approver")
    checks_policy_window: ClassVar[bool] = False
    name: str


@dataclass(frozen=True, kw_only=True)
class WithdrawOfficerChange(Command):
    """Drop a pending change: nothing of it takes effect."""

    kind = "officer.withdraw"
    roles: ClassVar[frozenset[str]] = APPROVERS
    action: ClassVar[str] = N_("withdrawing a pending officer change")
    checks_policy_window: ClassVar[bool] = False
    name: str


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
                    N_("the ledger has no officers yet: the first officer registers themself (run it as {name}, not {actor})"), name=command.name, actor=actor
                )
            if command.role not in ROLES or command.role == "auditor":
                raise Refused(N_("the first officer must be an officer or an approver (an auditor never writes)"))
            return Signer(actor, _key_id(command.public_key), command.public_key)
        raise Refused(
            N_("the ledger has no officers yet: the first officer registers themself (jcg officer add NAME --role approver, run as NAME)")
        )
    officer = roster.officers.get(actor)
    if officer is None:
        raise Refused(N_("{actor} is not a registered officer: an approver registers officers (jcg officer add)"), actor=actor)
    if not officer.writes:
        raise Refused(N_("{actor} is an {role}: auditors read and verify but never write"), actor=actor, role=Message(officer.role))
    if isinstance(command, AddOfficer) and officer.role != "approver":
        raise Refused(N_("only an approver registers officers; {actor} is an {role}"), actor=actor, role=Message(officer.role))
    if isinstance(command, (RotateOfficerKey, RevokeOfficerKey)) and command.name != actor \
            and officer.role != "approver":
        raise Refused(N_("only an approver manages another officer's key; {actor} is an {role}"), actor=actor, role=Message(officer.role))
    if officer.role not in command.roles:
        first, *more = [Message(ROLE_NAMES.get(r, r)) for r in sorted(command.roles)]
        needs = (Message(N_("an {role} or an {other}"), role=first, other=more[0]) if more
                 else Message(N_("an {role}"), role=first))
        action = Message(command.action) if command.action else Message(N_("a {kind} request"), kind=command.kind)
        raise Refused(N_("{actor} is an {role}; {value} needs {needs}"), actor=actor,
                      role=Message(ROLE_NAMES.get(officer.role, officer.role)), value=action, needs=needs)
    key = officer.active_key
    if key is None:
        raise Refused(N_("officer {actor} has no valid key (revoked): an approver must rotate it first"), actor=actor)
    return Signer(actor, key.key_id, key.public_key)


def _key_id(public_key: str) -> str:
    try:
        return officer_key_id(public_key)
    except ValueError as exc:
        raise Refused(N_("not an Ed25519 public key: {exc}"), exc=exc) from None


@handles(AddOfficer)
def add_officer(uow: UnitOfWork, cmd: AddOfficer, by: Provenance) -> Outcome:
    roster = uow.find(OfficerRoster, ROSTER_ID)
    if roster is None:
        roster = OfficerRoster(by=by)
        uow.add(roster, "officer roster")
    key_id = _key_id(cmd.public_key)
    if roster.add(by, cmd.name, cmd.role, cmd.public_key, key_id):
        return Outcome(cmd.request_id, Message(N_("officer {name} registered as {role} with key {key_id}"), name=cmd.name,
                                               role=Message(cmd.role), key_id=key_id),
                       data={"officer": cmd.name, "role": cmd.role, "key_id": key_id})
    return Outcome(cmd.request_id, Message(_PENDING, name=cmd.name, what=Message(N_("registration as {role}"), role=Message(cmd.role)),
                                               key=key_id), data={"officer": cmd.name, "role": cmd.role, "key_id": key_id, "pending": True})


@handles(RotateOfficerKey)
def rotate_officer_key(uow: UnitOfWork, cmd: RotateOfficerKey, by: Provenance) -> Outcome:
    roster = uow.get(OfficerRoster, ROSTER_ID, "officer roster")
    old = roster.officer(cmd.name).active_key
    key_id = _key_id(cmd.public_key)
    if not roster.rotate(by, cmd.name, cmd.public_key, key_id):
        return Outcome(cmd.request_id, Message(_PENDING, name=cmd.name, what=Message(N_("new key")), key=key_id),
                       data={"key_id": key_id, "pending": True})
    was = Message(N_(" (was {old}, now retired)"), old=old.key_id) if old else ""
    return Outcome(cmd.request_id, Message(N_("officer {name} signs with key {key_id}{was}"), name=cmd.name, key_id=key_id,
                                           was=was), data={"key_id": key_id})


@handles(RevokeOfficerKey)
def revoke_officer_key(uow: UnitOfWork, cmd: RevokeOfficerKey, by: Provenance) -> Outcome:
    roster = uow.get(OfficerRoster, ROSTER_ID, "officer roster")
    key_id = roster.revoke(by, cmd.name, cmd.reason)
    return Outcome(cmd.request_id, Message(N_("officer {name}: key {key_id} revoked ({reason}); it signs nothing new"),
                                           name=cmd.name, key_id=key_id, reason=cmd.reason))


@handles(ChangeOfficerRole)
def change_officer_role(uow: UnitOfWork, cmd: ChangeOfficerRole, by: Provenance) -> Outcome:
    roster = uow.get(OfficerRoster, ROSTER_ID, "officer roster")
    if roster.change_role(by, cmd.name, cmd.role):
        return Outcome(cmd.request_id, Message(N_("officer {name} is now an {role}"), name=cmd.name,
                                                   role=Message(cmd.role)))
    return Outcome(cmd.request_id, Message(_PENDING, name=cmd.name, what=Message(N_("promotion to {role}"), role=Message(cmd.role)),
                                               key="-"), data={"pending": True})


@handles(ConfirmOfficerChange)
def confirm_officer_change(uow: UnitOfWork, cmd: ConfirmOfficerChange, by: Provenance) -> Outcome:
    roster = uow.get(OfficerRoster, ROSTER_ID, "officer roster")
    change = roster.confirm(by, cmd.name)
    return Outcome(cmd.request_id, Message(N_("{name}: {change} proposed by {proposer} confirmed by {actor} "
                                                  "(countersigned); it takes effect now"),
                                               name=cmd.name, change=Message(CHANGE_WORDS.get(change.change, change.change)), proposer=change.proposer,
                                               actor=cmd.actor))


@handles(WithdrawOfficerChange)
def withdraw_officer_change(uow: UnitOfWork, cmd: WithdrawOfficerChange, by: Provenance) -> Outcome:
    roster = uow.get(OfficerRoster, ROSTER_ID, "officer roster")
    change = roster.withdraw(by, cmd.name)
    return Outcome(cmd.request_id, Message(N_("{name}: {change} proposed by {proposer} withdrawn by {actor}; "
                                                  "nothing of it took effect"),
                                               name=cmd.name, change=Message(CHANGE_WORDS.get(change.change, change.change)), proposer=change.proposer,
                                               actor=cmd.actor))


_RESERVED = N_("officer name {name!r} is reserved for the ledger's own checkpoint key; choose another name")
_PENDING = N_("officer {name}: {what} (key {key}) waits for a second approver's countersignature "
              "(jcg officer confirm {name}, by an approver who did not propose it)")


# two people -------------------------------------------------------------------------------


def require_two_people(uow: UnitOfWork, filer: str, approver: str, at: datetime) -> None:
    """The one check of the two-people rule, for every approval of something another officer
    filed (a P5.6 claim, a payment order, a project's tranche): ``approver`` is neither
    ``filer`` nor an identity ``filer`` registered, promoted or handed a key within the period
    (``domain.officer.TWO_PEOPLE_PERIOD``, on the ledger clock ``at``). Call it in the handler,
    with ``by.recorded_at`` as ``at``."""
    roster = uow.find(OfficerRoster, ROSTER_ID)
    if roster is None:
        if filer == approver:
            raise Refused(N_("{approver} filed this request and cannot approve it too: another approver must "
                             "(two people)"), approver=approver)
        return
    roster.two_people(filer, approver, at)


# keys and registration --------------------------------------------------------------------


def keygen(store: KeyStore, name: str) -> str:
    """``name`` makes their own key pair: the private key goes into *their* key directory
    (never over a file), the public key (base64) is returned to hand to an approver."""
    if name.lower() == LEDGER_KEY:
        raise Refused(_RESERVED, name=name)
    return public_key_text(store.create(name))


def read_public_key(value: str) -> str:
    """A public key given as its base64 text or as a file holding it (``--public-key``)."""
    text = value.strip()
    try:
        officer_key_id(text)
        return text
    except ValueError:
        pass
    from pathlib import Path

    path = Path(value).expanduser()
    try:
        if path.is_file() and path.stat().st_size <= 4096:
            text = path.read_text(encoding="utf-8").strip()
            officer_key_id(text)
            return text
    except (OSError, UnicodeDecodeError, ValueError):
        pass
    raise Refused(N_("{value!r} is neither an Ed25519 public key (base64, as `jcg officer keygen` prints it) "
                     "nor a file holding one; a private key is never registered"), value=value[:80])


def register(ledger: LedgerApp, name: str, role: str, public_key: str, *, actor: str = "", decided: date | None = None,
             request_id: str = "", ref: str = "") -> Outcome:
    """Register ``name`` with a public key they made (``keygen``). Without an actor (or as
    ``name``) the officer registers themself: the bootstrap of an empty ledger."""
    if name.lower() == LEDGER_KEY:
        raise Refused(_RESERVED, name=name)
    outcome: Outcome = ledger.execute(AddOfficer(actor=actor or name, decided=decided or ledger.clock().date(),
                                                 request_id=request_id, ref=ref, name=name, role=role,
                                                 public_key=public_key))
    return outcome


def enrol(ledger: LedgerApp, name: str, role: str, *, actor: str = "", decided: date | None = None,
          request_id: str = "", ref: str = "") -> Outcome:
    """Tests, benches and the demo, where every officer's key lives in one directory: ``name``
    makes a key (kept in memory until the registration is recorded, then written to the
    keyring's directory) and is registered with its public key. An existing key file is used
    only when it holds ``name``'s registered key (a repeat). The CLI never does this for
    another officer: there each officer runs ``officer keygen`` themself."""
    if name.lower() == LEDGER_KEY:  # before the key file is looked at: that file is the ledger's own key
        raise Refused(_RESERVED, name=name)
    keyring = ledger.keyring
    store = keyring.store
    if store.exists(name):
        key = keyring.key(name)
        if public_key_text(key) != _registered_key(ledger, name):
            raise Refused(N_("a key file for {name} already exists at {path} but does not hold {name}'s registered key: move it away (a left-over or planted file is never adopted)"), name=name, path=store.path(name))
        return register(ledger, name, role, public_key_text(key), actor=actor, decided=decided,
                        request_id=request_id, ref=ref)
    key = Ed25519PrivateKey.generate()
    keyring.use(name, key)  # in memory: the bootstrap request is signed by the key it registers
    try:
        outcome = register(ledger, name, role, public_key_text(key), actor=actor, decided=decided,
                           request_id=request_id, ref=ref)
    except BaseException:
        keyring.forget(name)
        raise
    if outcome.already_recorded:  # the same content, so the same key: recorded with a key no file holds
        keyring.forget(name)
        return outcome
    store.save(name, key)
    return outcome


def _registered_key(ledger: LedgerApp, name: str) -> str | None:
    """The public key ``name`` signs with now, if registered."""
    try:
        roster = ledger.aggregate(ROSTER_ID)
    except AggregateNotFoundError:  # no officer yet
        return None
    officer = roster.officers.get(name)
    key = officer.active_key if officer is not None else None
    return key.public_key if key is not None else None
