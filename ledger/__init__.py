"""Application layer: the eventsourcing application, commands, persistence, signing.

Command handlers register themselves when their module is imported, and every command class is
defined beside its handler: constructing a command has imported its handler. So importing
``ledger`` loads no aggregate class and no handler it does not need (a fast start); nor, until
``ledger.Ledger`` is asked for, the application itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.application import Ledger

__all__ = ["Ledger"]


def __getattr__(name: str) -> Any:
    """``ledger.Ledger`` is loaded when first asked for, so ``ledger.infra.keys`` (opening an
    officer's key on a thread while a command's imports go on) loads without the application."""
    if name == "Ledger":
        from ledger.application import Ledger

        return Ledger
    raise AttributeError(f"module 'ledger' has no attribute {name!r}")
