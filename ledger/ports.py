"""What the modules the application itself imports (audit, officer enrolment) use of it, as a
Protocol: they are typed against it without importing ``ledger.application``, which imports them
(that would be an import cycle). ``ledger.application.Ledger`` satisfies it."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from ledger.commands import Command, Outcome
from ledger.infra.clock import Clock
from ledger.infra.keys import Keyring


class LedgerApp(Protocol):
    clock: Clock
    checkpoint_every: int

    @property
    def env(self) -> dict[str, str]: ...

    @property
    def keyring(self) -> Keyring: ...

    @property
    def repository(self) -> Any: ...

    @property
    def recorder(self) -> Any: ...

    def execute(self, command: Command) -> Outcome: ...

    def aggregate(self, aggregate_id: UUID) -> Any: ...
