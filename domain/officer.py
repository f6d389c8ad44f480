"""The officers who may write to the ledger, their roles and their public keys.

One roster aggregate holds every officer, so the first registration (the bootstrap of an
empty ledger) and every later change are checked against one consistent state, and two
approvers changing it at once cannot both pass. Keys are never deleted: a rotated key is
retired and a revoked key is marked revoked, so the key that was valid at any position of
the log can always be found again and rotation never invalidates history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import AlreadyExists, NotFound, Refused
from domain.fields import is_officer_name
from domain.ids import NAMESPACE
from domain.messages import N_
from domain.provenance import Provenance

ROLES = {
    "officer": "经办人 (records decisions)",
    "approver": "审批人 (records decisions, registers and manages officers)",
    "auditor": "审计人员 (reads and verifies, never writes)",
}
ROLE_NAMES = {"officer": N_("officer"), "approver": N_("approver"), "auditor": N_("auditor")}  # a role in a sentence
WRITING_ROLES = frozenset({"officer", "approver"})
ROSTER_ID: UUID = uuid5(NAMESPACE, "officer-roster")
# An identity another officer registered, promoted to approver or handed a key never approves
# that officer's requests within this period (on the ledger clock): docs/officers.md.
TWO_PEOPLE_PERIOD = timedelta(days=365)

# the pending changes a second approver confirms, in words (add, promote, rotate are their codes)
CHANGE_WORDS = {"add": N_("registration"), "promote": N_("promotion"), "rotate": N_("new key")}


@dataclass
class OfficerKey:
    key_id: str
    public_key: str  # base64 of the 32-byte Ed25519 public key
    status: str = "active"  # active | retired | revoked


@dataclass
class Officer:
    name: str
    role: str
    keys: list[OfficerKey] = field(default_factory=list)
    # (officer, recorded at) of each registration, promotion to approver or key handed in by
    # another officer: who could have made this identity (the two-people rule)
    made_by: list[tuple[str, datetime]] = field(default_factory=list)

    @property
    def active_key(self) -> OfficerKey | None:
        return next((k for k in self.keys if k.status == "active"), None)

    @property
    def writes(self) -> bool:
        return self.role in WRITING_ROLES


@dataclass
class PendingChange:
    """An approver registration, promotion or key by another officer, waiting for a second approver."""

    name: str
    change: str  # add | promote | rotate
    role: str
    public_key: str
    key_id: str
    proposer: str
    proposed_at: datetime


class OfficerRoster(Aggregate):
    """Every officer of the ledger; created by the first registration."""

    @staticmethod
    def create_id() -> UUID:
        return ROSTER_ID

    class Opened(Aggregate.Created):
        by: Provenance

    @event(Opened)
    def __init__(self, by: Provenance) -> None:
        self.officers: dict[str, Officer] = {}
        self.pending: dict[str, PendingChange] = {}

    def officer(self, name: str) -> Officer:
        try:
            return self.officers[name]
        except KeyError:
            raise NotFound(N_("{name} is not a registered officer"), name=name) from None

    def approvers(self) -> list[Officer]:
        """Approvers who can sign now (a valid key): the ones who can countersign."""
        return [o for o in self.officers.values() if o.role == "approver" and o.active_key is not None]

    def needs_countersignature(self) -> bool:
        """From the second approver on, an approver is made by two (bootstrap: the first two)."""
        return len(self.approvers()) >= 2

    # registering -----------------------------------------------------------------------
    def add(self, by: Provenance, name: str, role: str, public_key: str, key_id: str) -> bool:
        """Register ``name``; True if done, False if it waits for a second approver."""
        if not is_officer_name(name):
            raise Refused(N_("officer name {name!r}: start with a letter or digit, then letters, digits, '.', '_', '-' or '·' (at most 64)"), name=name)
        if role not in ROLES:
            raise Refused(N_("officer {name}: unknown role {role!r} (one of {roles})"), name=name, role=role, roles=', '.join(ROLES))
        if name in self.officers:
            raise AlreadyExists(N_("officer {name} is already registered"), name=name)
        self._not_pending(name)
        self._check_unused(key_id)
        if role == "approver" and self.needs_countersignature():
            self._change_proposed(by, name, "add", role, public_key, key_id)
            return False
        self._officer_added(by, name, role, public_key, key_id)
        return True

    class OfficerAdded(Aggregate.Event):
        by: Provenance
        name: str
        role: str
        public_key: str
        key_id: str

    @event(OfficerAdded)
    def _officer_added(self, by: Provenance, name: str, role: str, public_key: str, key_id: str) -> None:
        officer = Officer(name, role, [OfficerKey(key_id, public_key)])
        if by.actor != name:  # the bootstrap officer registers themself: nobody else made them
            officer.made_by.append((by.actor, by.recorded_at))
        self.officers[name] = officer

    def change_role(self, by: Provenance, name: str, role: str) -> bool:
        """Promote or demote ``name``; True if done, False if the promotion waits for a second approver."""
        officer = self.officer(name)
        if role not in ROLES:
            raise Refused(N_("officer {name}: unknown role {role!r} (one of {roles})"), name=name, role=role, roles=', '.join(ROLES))
        if role == officer.role:
            raise Refused(N_("officer {name} is already an {role}"), name=name, role=role)
        self._not_pending(name)
        if officer.role == "approver":
            self._not_last_approver(officer, N_("officer {name} is the last approver with a valid key: register "
                                                "and confirm another approver before {name} stops being one"))
        if role == "approver" and self.needs_countersignature():
            self._change_proposed(by, name, "promote", role, "", "")
            return False
        self._role_changed(by, name, role)
        return True

    class RoleChanged(Aggregate.Event):
        by: Provenance
        name: str
        role: str

    @event(RoleChanged)
    def _role_changed(self, by: Provenance, name: str, role: str) -> None:
        officer = self.officers[name]
        if role == "approver":
            officer.made_by.append((by.actor, by.recorded_at))
        officer.role = role

    def rotate(self, by: Provenance, name: str, public_key: str, key_id: str) -> bool:
        """A new key for ``name``; True if done, False if it waits for a second approver (another
        approver's key replaced by someone else is an approver made anew)."""
        officer = self.officer(name)
        self._check_unused(key_id)
        self._not_pending(name)
        if by.actor != name and officer.role == "approver" and self.needs_countersignature():
            self._change_proposed(by, name, "rotate", officer.role, public_key, key_id)
            return False
        old = officer.active_key
        self._key_rotated(by, name, old.key_id if old else "", public_key, key_id)
        return True

    class KeyRotated(Aggregate.Event):
        by: Provenance
        name: str
        old_key_id: str
        public_key: str
        key_id: str

    @event(KeyRotated)
    def _key_rotated(self, by: Provenance, name: str, old_key_id: str, public_key: str, key_id: str) -> None:
        officer = self.officers[name]
        for k in officer.keys:
            if k.status == "active":
                k.status = "retired"
        officer.keys.append(OfficerKey(key_id, public_key))
        if by.actor != name:  # a key another officer handed in: they may hold it
            officer.made_by.append((by.actor, by.recorded_at))

    def revoke(self, by: Provenance, name: str, reason: str) -> str:
        officer = self.officer(name)
        if not reason.strip():
            raise Refused(N_("officer {name}: a key revocation needs a reason"), name=name)
        if by.actor == name:
            raise Refused(N_("officer {name} cannot revoke their own key: another approver revokes it "
                             "(a lost key signs nothing without its passphrase; report it)"), name=name)
        key = officer.active_key
        if key is None:
            raise Refused(N_("officer {name} has no valid key to revoke"), name=name)
        if officer.role == "approver":
            self._not_last_approver(officer, N_("officer {name} is the last approver with a valid key: revoking "
                                                "it would lock the ledger for good; register and confirm another "
                                                "approver first"))
        self._key_revoked(by, name, key.key_id, reason)
        return key.key_id

    class KeyRevoked(Aggregate.Event):
        by: Provenance
        name: str
        key_id: str
        reason: str

    @event(KeyRevoked)
    def _key_revoked(self, by: Provenance, name: str, key_id: str, reason: str) -> None:
        for k in self.officers[name].keys:
            if k.key_id == key_id:
                k.status = "revoked"

    # countersigning ----------------------------------------------------------------------
    class ChangeProposed(Aggregate.Event):
        by: Provenance
        name: str
        change: str
        role: str
        public_key: str
        key_id: str

    @event(ChangeProposed)
    def _change_proposed(self, by: Provenance, name: str, change: str, role: str, public_key: str,
                         key_id: str) -> None:
        self.pending[name] = PendingChange(name, change, role, public_key, key_id, by.actor, by.recorded_at)

    def confirm(self, by: Provenance, name: str) -> PendingChange:
        """A second approver countersigns a pending approver registration, promotion or key."""
        change = self.pending.get(name)
        if change is None:
            raise NotFound(N_("nothing about {name} waits for a countersignature"), name=name)
        if by.actor in (change.proposer, name):
            raise Refused(N_("{actor} cannot countersign: the change for {name} was proposed by {proposer}; "
                             "a second approver (neither the proposer nor {name}) confirms it"),
                          actor=by.actor, name=name, proposer=change.proposer)
        if change.key_id:
            self._check_unused(change.key_id, pending_for=name)
        self._change_confirmed(by, name)
        return change

    class ChangeConfirmed(Aggregate.Event):
        by: Provenance
        name: str

    @event(ChangeConfirmed)
    def _change_confirmed(self, by: Provenance, name: str) -> None:
        change = self.pending.pop(name)
        made = (change.proposer, change.proposed_at)
        if change.change == "add":
            self.officers[name] = Officer(name, change.role, [OfficerKey(change.key_id, change.public_key)],
                                          [made])
            return
        officer = self.officers[name]
        if change.change == "promote":
            officer.role = change.role
        else:  # rotate
            for k in officer.keys:
                if k.status == "active":
                    k.status = "retired"
            officer.keys.append(OfficerKey(change.key_id, change.public_key))
        officer.made_by.append(made)

    def withdraw(self, by: Provenance, name: str) -> PendingChange:
        """Drop a pending change (its proposer or any approver): nothing takes effect."""
        change = self.pending.get(name)
        if change is None:
            raise NotFound(N_("nothing about {name} waits for a countersignature"), name=name)
        self._change_withdrawn(by, name)
        return change

    class ChangeWithdrawn(Aggregate.Event):
        by: Provenance
        name: str

    @event(ChangeWithdrawn)
    def _change_withdrawn(self, by: Provenance, name: str) -> None:
        self.pending.pop(name, None)

    # two people ----------------------------------------------------------------------------
    def two_people(self, filer: str, approver: str, at: datetime) -> None:
        """Refuse unless ``approver`` is a second person to ``filer``: not the same officer, and
        not an identity ``filer`` registered, promoted to approver or handed a key within
        TWO_PEOPLE_PERIOD before ``at`` (the ledger clock; docs/officers.md)."""
        if filer == approver:
            raise Refused(N_("{approver} filed this request and cannot approve it too: another approver must "
                             "(two people)"), approver=approver)
        officer = self.officers.get(approver)
        if officer is None:
            return
        since = at - TWO_PEOPLE_PERIOD
        for who, when in officer.made_by:
            if who == filer and when >= since:
                raise Refused(N_("{approver} was registered by {filer} on {day}, who filed this request: within "
                                 "{days} days an identity the filer made never approves the filer's request "
                                 "(two people); another approver must"),
                              approver=approver, filer=filer, day=when.date().isoformat(),
                              days=TWO_PEOPLE_PERIOD.days)

    # checks --------------------------------------------------------------------------------
    def _not_pending(self, name: str) -> None:
        if name in self.pending:
            change = self.pending[name]
            raise AlreadyExists(N_("a change for {name} proposed by {proposer} waits for a second approver: "
                                   "confirm or withdraw it first"), name=name, proposer=change.proposer)

    def _not_last_approver(self, officer: Officer, text: str) -> None:
        if officer.active_key is not None and len(self.approvers()) <= 1:
            raise Refused(text, name=officer.name)

    def _check_unused(self, key_id: str, pending_for: str = "") -> None:
        for o in self.officers.values():
            if any(k.key_id == key_id for k in o.keys):
                raise Refused(N_("key {key_id} is already registered (to {name}); every officer key is new"), key_id=key_id, name=o.name)
        for change in self.pending.values():
            if change.key_id == key_id and change.name != pending_for:
                raise Refused(N_("key {key_id} is already registered (to {name}); every officer key is new"), key_id=key_id,
                              name=change.name)
