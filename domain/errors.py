"""Why a request is refused. Every refusal is one clear line for the officer.

A refusal carries an English message id marked for extraction and its parameters
(``Refused(N_("award {award} is not known"), award=code)``); ``str(exc)`` is the English
line, ``i18n.text(exc)`` the line in the officer's language (docs/i18n.md).
"""

from __future__ import annotations

from typing import Any

from domain.messages import Message, message


class Refused(Exception):
    """A request the ledger will not record; nothing is written."""

    def __init__(self, text: str | Message = "", /, **params: Any):
        self.message: Message = message(text, **params)
        super().__init__(str(self.message))


class InvalidAmount(Refused):
    """An amount that is not an exact, positive number of yuan."""


class InvalidDate(Refused):
    """A date that is malformed or outside the window a rule allows."""


class NotFound(Refused):
    """A party, project, fund, loan or award that was never registered."""


class AlreadyExists(Refused):
    """A registration under a code that is taken."""


class CapExceeded(Refused):
    """An amount beyond what a cap allows."""


class ConflictingRequest(Refused):
    """A request id reused with different content."""


class AlreadyRecorded(Refused):
    """The same payment under the same reference is already in the ledger: nothing to write
    (answered like a repeated request, exit 0)."""
