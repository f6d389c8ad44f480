"""Messages the domain says, kept as an English message id plus parameters.

The domain does no I/O and knows no language: it names a message (marked with ``N_`` so
Babel extracts it into the catalogues) and its parameters; the presentation layer
(``i18n.text``) looks the id up in the officer's language and fills the parameters in.
A Message *is* its English text (a ``str``), so everything that stores, compares or logs
strings keeps working; only the presentation asks it for another language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction; translated later, where the language is known."""
    return msgid


Lookup = Callable[[str], str]
SEPARATOR = N_("; ")  # between the items of a list parameter; the translation has its own ("；")


class Message(str):
    """An English message id with named ``{placeholders}`` and their values; its ``str``
    value is the English text. Values may be Messages (translated too), refusals (their
    message) or lists of them (joined with "; "); anything else is shown with ``str``."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Message:
        values = {**(params or {}), **kwargs}
        self = super().__new__(cls, _render(str(msgid), values, None))
        self.msgid = str(msgid)
        self.params = values
        return self

    def render(self, lookup: Lookup | None = None) -> str:
        """The message in the language of ``lookup`` (a gettext function; English without one)."""
        return _render(self.msgid, self.params, lookup)

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, {self.params!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, (self.msgid, self.params))


def _value(value: Any, lookup: Lookup | None) -> Any:
    if isinstance(value, Message):
        return value.render(lookup)
    inner = getattr(value, "message", None)
    if isinstance(value, Exception) and isinstance(inner, Message):
        return inner.render(lookup)
    if isinstance(value, (list, tuple)):
        return (lookup(SEPARATOR) if lookup is not None else SEPARATOR).join(str(_value(v, lookup)) for v in value)
    return value


def _render(msgid: str, params: Mapping[str, Any], lookup: Lookup | None) -> str:
    template = lookup(msgid) if lookup is not None else msgid
    if not params:
        return template
    values = {k: _value(v, lookup) for k, v in params.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):  # a broken translation never hides the message
        return msgid.format(**values)


class Recorded(str):
    """English text written earlier into the record (a request's summary), passed as a parameter:
    the presentation reads it back through the catalogue (``i18n.text``), the English stays as is."""


def message(text: str, /, **params: Any) -> Message:
    """``text`` as a Message (a plain string is its own id; a Message gains ``params``)."""
    if isinstance(text, Message):
        return Message(text.msgid, text.params | params) if params else text
    return Message(text, params)
