"""Messages the domain says, kept as an English message id plus parameters.

The domain does no I/O and knows no language: it names a message (marked with ``N_`` so
Babel extracts it into the catalogues) and its parameters; the presentation layer
(``i18n.text``) looks the id up in the officer's language and fills the parameters in.
``str(message)`` is the English text, so logs and English output need no catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction; translated later, where the language is known."""
    return msgid


class Message:
    """An English message id with named ``{placeholders}`` and their values.

    Values may themselves be Messages (translated too); anything else is shown with ``str``.
    """

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, params: Mapping[str, Any] | None = None, /, **kwargs: Any):
        self.msgid = str(msgid)
        self.params: dict[str, Any] = {**(params or {}), **kwargs}

    def render(self, lookup: Any = None) -> str:
        """The message in the language of ``lookup`` (a gettext function; English without one)."""
        template = lookup(self.msgid) if lookup is not None else self.msgid
        if not self.params:
            return template
        values = {k: v.render(lookup) if isinstance(v, Message) else v for k, v in self.params.items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):  # a broken translation never hides the message
            return self.msgid.format(**values)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Message):
            return (self.msgid, self.params) == (other.msgid, other.params)
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))


def message(text: str | Message, /, **params: Any) -> Message:
    """``text`` as a Message (a plain string is its own id)."""
    if isinstance(text, Message):
        return Message(text.msgid, text.params | params) if params else text
    return Message(text, params)
