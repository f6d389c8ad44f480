"""Application layer: the eventsourcing application, commands, persistence, signing.

Command handlers register themselves when their module is imported, and every command class is
defined beside its handler: constructing a command has imported its handler. So importing
``ledger`` loads no aggregate class and no handler it does not need (a fast start).
"""

from ledger.application import Ledger

__all__ = ["Ledger"]
