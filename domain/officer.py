"""The officers who may write to the ledger, their roles and their public keys.

One roster aggregate holds every officer, so the first registration (the bootstrap of an
empty ledger) and every later change are checked against one consistent state, and two
approvers changing it at once cannot both pass. Keys are never deleted: a rotated key is
retired and a revoked key is marked revoked, so the key that was valid at any position of
the log can always be found again and rotation never invalidates history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import AlreadyExists, NotFound, Refused
from domain.ids import NAMESPACE
from domain.provenance import Provenance

ROLES = {
    "officer": "经办人 (records decisions)",
    "approver": "审批人 (records decisions, registers and manages officers)",
    "auditor": "审计人员 (reads and verifies, never writes)",
}
WRITING_ROLES = frozenset({"officer", "approver"})
ROSTER_ID: UUID = uuid5(NAMESPACE, "officer-roster")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


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

    @property
    def active_key(self) -> OfficerKey | None:
        return next((k for k in self.keys if k.status == "active"), None)

    @property
    def writes(self) -> bool:
        return self.role in WRITING_ROLES


class OfficerRoster(Aggregate):
    """Every officer of the ledger; created by the first registration."""

    @staticmethod
    def create_id() -> UUID:
        return ROSTER_ID

    @event("Opened")
    def __init__(self, by: Provenance) -> None:
        self.officers: dict[str, Officer] = {}

    def officer(self, name: str) -> Officer:
        try:
            return self.officers[name]
        except KeyError:
            raise NotFound(f"{name} is not a registered officer") from None

    def add(self, by: Provenance, name: str, role: str, public_key: str, key_id: str) -> None:
        if not _NAME.fullmatch(name):
            raise Refused(f"officer name {name!r}: start with a letter or digit, then letters, digits, '.', '_' or '-' (at most 64)")
        if role not in ROLES:
            raise Refused(f"officer {name}: unknown role {role!r} (one of {', '.join(ROLES)})")
        if name in self.officers:
            raise AlreadyExists(f"officer {name} is already registered")
        self._check_unused(key_id)
        self._officer_added(by, name, role, public_key, key_id)

    @event("OfficerAdded")
    def _officer_added(self, by: Provenance, name: str, role: str, public_key: str, key_id: str) -> None:
        self.officers[name] = Officer(name, role, [OfficerKey(key_id, public_key)])

    def rotate(self, by: Provenance, name: str, public_key: str, key_id: str) -> None:
        officer = self.officer(name)
        self._check_unused(key_id)
        old = officer.active_key
        self._key_rotated(by, name, old.key_id if old else "", public_key, key_id)

    @event("KeyRotated")
    def _key_rotated(self, by: Provenance, name: str, old_key_id: str, public_key: str, key_id: str) -> None:
        officer = self.officers[name]
        for k in officer.keys:
            if k.status == "active":
                k.status = "retired"
        officer.keys.append(OfficerKey(key_id, public_key))

    def revoke(self, by: Provenance, name: str, reason: str) -> str:
        officer = self.officer(name)
        if not reason.strip():
            raise Refused(f"officer {name}: a key revocation needs a reason")
        key = officer.active_key
        if key is None:
            raise Refused(f"officer {name} has no valid key to revoke")
        self._key_revoked(by, name, key.key_id, reason)
        return key.key_id

    @event("KeyRevoked")
    def _key_revoked(self, by: Provenance, name: str, key_id: str, reason: str) -> None:
        for k in self.officers[name].keys:
            if k.key_id == key_id:
                k.status = "revoked"

    def _check_unused(self, key_id: str) -> None:
        for o in self.officers.values():
            if any(k.key_id == key_id for k in o.keys):
                raise Refused(f"key {key_id} is already registered (to {o.name}); every officer key is new")
