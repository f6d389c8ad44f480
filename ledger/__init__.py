"""Application layer: the eventsourcing application, commands, persistence, signing."""

from ledger import funds, grants, ledger_key, loans, parties, payments, projects, rules  # noqa: F401  (registers the command handlers)
from ledger.application import Ledger

__all__ = ["Ledger"]
