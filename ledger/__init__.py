"""Application layer: the eventsourcing application, commands, persistence, signing."""

from ledger.application import Ledger
from ledger.audit import ledger_key  # noqa: F401  (registers the ledger key's command handler)
from ledger.handlers import funds, grants, loans, officers, parties, payments, projects, rules  # noqa: F401  (registers handlers)

__all__ = ["Ledger"]
