"""Commands as submitted by an officer, their canonical encoding, and what they produced.

The canonical encoding (sorted keys, no floats, amounts as decimal strings, UTF-8, a
version tag) is what idempotency compares and what an officer signs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from domain.fields import check_value
from domain.officer import WRITING_ROLES

ENCODING_VERSION = "jcg-command/1"
WRITERS: frozenset[str] = WRITING_ROLES  # who records decisions
APPROVERS: frozenset[str] = frozenset({"approver"})  # approvals need an approver (four-eyes)


def _canonical_value(value: Any) -> Any:
    if isinstance(value, float):
        raise TypeError("floats are not allowed in a command")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _canonical_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical_value(v) for v in value]
    return value


@dataclass(frozen=True, kw_only=True)
class Command:
    """Base of every writing command. ``decided`` is the decision date the fact takes
    effect; G.1 applies to it unless the command says otherwise."""

    kind: ClassVar[str] = ""
    checks_policy_window: ClassVar[bool] = True
    # Evaluated and saved holding the writer lock exclusively (a rule-book revision: no decision may be
    # saved between its check of the recorded decisions and its own save; see Ledger.execute).
    exclusive: ClassVar[bool] = False
    # The officer roles that may submit this command (ledger.handlers.officers.authorize), and what it
    # does in words for a refusal ("approving a P5.6 claim needs an approver").
    roles: ClassVar[frozenset[str]] = WRITERS
    action: ClassVar[str] = ""

    actor: str
    decided: date
    request_id: str = ""
    ref: str = ""

    def canonical(self) -> dict[str, Any]:
        body = {
            f.name: _canonical_value(getattr(self, f.name))
            for f in fields(self)
            if f.name != "request_id"
        }
        return {"v": ENCODING_VERSION, "kind": self.kind, "request_id": self.request_id, "body": body}

    def encoded(self) -> bytes:
        return json.dumps(
            self.canonical(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")

    def digest(self) -> str:
        """What a repeated request must match (everything but the request id)."""
        body = json.dumps(self.canonical()["body"] | {"kind": self.kind}, sort_keys=True,
                          ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def content_digest(self) -> str:
        """What makes two recordings the same payment: everything but who sent it and its
        request id (a second officer re-entering the same voucher records nothing new)."""
        body = {k: v for k, v in self.canonical()["body"].items() if k != "actor"}
        text = json.dumps(body | {"kind": self.kind}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def checked(command: Command) -> Command:
    """The command with every field checked by its boundary field type (domain.fields) and
    its texts NFC-normalised: the last guard before anything is signed or stored, whatever the
    entry point (CLI, CSV, JSON or the Python API). Refuses (nothing written) a value that
    storage would refuse later or that would mislead a reader (hidden characters, newlines)."""
    changes = {}
    for f in fields(command):
        value = getattr(command, f.name)
        cleaned = check_value(f.name, value)
        if cleaned != value or type(cleaned) is not type(value):
            changes[f.name] = cleaned
    return replace(command, **changes) if changes else command


@dataclass
class Outcome:
    """What a command did, in words an officer reads, with the derivation trace."""

    request_id: str
    message: str
    trace: list[str] = field(default_factory=list)
    already_recorded: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    position: int | None = None  # the log position of the request record, once saved
    warnings: list[Any] = field(default_factory=list)  # Messages, e.g. a due checkpoint that could not be made


Handler = Callable[[Any, Any, Any], Outcome]
HANDLERS: dict[type[Command], Handler] = {}


def handles(command_type: type[Command]) -> Callable[[Handler], Handler]:
    """Register the function that carries out a command type."""

    def register(fn: Handler) -> Handler:
        if command_type in HANDLERS:
            raise RuntimeError(f"{command_type.__name__} already has a handler")
        HANDLERS[command_type] = fn
        return fn

    return register
