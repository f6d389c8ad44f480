"""The state of one scenario: the real ledger it runs against and what the last step did.

The ledger speaks Chinese to the features (docs/i18n.md): refusals, outcome lines and derivation
traces are read through ``said`` (``i18n.text``), and ``jcg`` runs with JCG_LANG=zh, so a feature
quotes what an officer sees.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from click.testing import Result

from domain.errors import Refused
from domain.journal import trial_balance
from i18n import text
from ledger import Ledger
from ledger.commands import Command, Outcome
from tests.posting import paid


@dataclass
class World:
    """One scenario's ledger (fresh SQLite or PostgreSQL schema) and its last result."""

    ledger: Ledger
    jcg: Callable[..., Result]
    outcome: Outcome | None = None
    refusal: Refused | None = None
    log_before: int = 0
    cli: Result | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    def log_size(self) -> int:
        return sum(1 for _ in self.ledger.read_log())

    def submit(self, command: Command) -> Outcome | None:
        """Run a command as a When step: remember the outcome or the refusal."""
        self.log_before = self.log_size()
        self.outcome, self.refusal = None, None
        try:
            self.outcome = paid(self.ledger, command)  # a payment: recorded, then posted by an approver
        except Refused as exc:
            self.refusal = exc
            return None
        self.outcomes.append(self.outcome)
        return self.outcome

    def setup(self, command: Command) -> Outcome:
        """Run a command as a Given step: it must succeed (a payment is recorded and posted)."""
        return paid(self.ledger, command)

    def run_cli(self, line: str) -> Result:
        args = shlex.split(line)
        if args and args[0] == "jcg":
            args = args[1:]
        self.log_before = self.log_size()
        self.cli = self.jcg(*args)
        return self.cli

    def refusal_text(self) -> str:
        """The last refusal, as the officer reads it."""
        assert self.refusal is not None, f"expected a refusal, got: {self.outcome and self.said(self.outcome.message)}"
        return text(self.refusal)

    @staticmethod
    def said(line: Any) -> str:
        """An outcome line or a trace line, as the officer reads it."""
        return text(line)

    def shown(self, outcome: Outcome) -> str:
        """What the officer is shown of an outcome: its message and its derivation trace, one a line."""
        return "\n".join(text(line) for line in [outcome.message, *outcome.trace])

    def balances(self) -> dict[str, Decimal]:
        return trial_balance(e for _, e in self.ledger.read_log())

    def require_outcome(self) -> Outcome:
        if self.outcome is None:
            raise AssertionError(f"the request was refused: {text(self.refusal)}")
        return self.outcome
