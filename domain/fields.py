"""Field types of everything a person types: the one check every entry point applies.

The CLI option types, the CSV import rows, JSON input and the ledger's last guard before
a request is signed (:func:`clean_fields`) all parse with these, so a value is refused the
same way wherever it comes from, before any event is written.

Why each rule:

- **Lengths match the storage.** The read-model columns are ``varchar(n)`` and PostgreSQL
  refuses a longer value (SQLite does not), so an accepted over-long value would break every
  report for good. Each limit here is below the narrowest column the value (or a string
  built from it, like ``payable:<party>`` or ``request:<id>``) lands in; the figures are in
  docs/decisions.md ("Boundary field types").
- **Unicode hygiene.** Text is NFC-normalised (``é`` typed two ways is one party); control
  characters (a NUL breaks PostgreSQL, a newline forges a line of a trace or a key file
  name), invisible format characters (zero-width spaces make ``U1\\u200b`` print like
  ``U1``; bidi overrides reorder what an auditor reads), surrogates, private-use and
  unassigned code points, and leading or trailing spaces are refused, never silently fixed.
- **Numbers in ASCII or full-width digits only.** ``\\d``, ``int()`` and ``Decimal()`` read
  Arabic-Indic and Devanagari digits and ``1_000``; an amount or rate no officer could
  check by eye is refused.
- **Dates** as ``YYYY-MM-DD``, ``2025年3月1日`` or ``2025/3/1``, nothing else
  (``date.fromisoformat`` also takes ``20250101`` and ``2025-W10-1``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.errors import InvalidDate, Refused
from domain.messages import N_, Message
from domain.money import ascii_digits, parse_rate, parse_yuan


class InvalidField(Refused):
    """A typed value that breaks a field's rules (length, characters, shape)."""


# Unicode general categories no field accepts, and how a refusal names them.
REFUSED_CATEGORIES = {
    "Cc": N_("a control character"),
    "Cf": N_("an invisible format character (zero-width or bidi control)"),
    "Cs": N_("a surrogate"),
    "Co": N_("a private-use character"),
    "Cn": N_("an unassigned code point"),
    "Zl": N_("a line separator"),
    "Zp": N_("a paragraph separator"),
}
# Half-width forms of ASCII typed full-width: refused in identifiers (ＵＩ and U1 would be two parties).
_FULL_WIDTH_ASCII = range(0xFF01, 0xFF5F)
SHOWN = 40  # how much of a refused value an error line repeats
TOO_LONG = N_("{what} {value} is too long: at most {limit} characters")
NOT_WHOLE = N_("{what} {value} is not a whole number")


def shown(value: str) -> str:
    """A refused value as an error line repeats it: escaped (repr), and cut if long."""
    return repr(value) if len(value) <= SHOWN else f"{value[:SHOWN]!r}… ({len(value)})"


def _m(what: str | Message) -> Message:
    return what if isinstance(what, Message) else Message(what)


def clean_text(value: Any, what: str | Message, limit: int, *, required: bool = True) -> str:
    """NFC text of at most ``limit`` characters, one line, no hidden characters, no outer spaces."""
    if not isinstance(value, str):
        raise InvalidField(N_("{what} must be text, not {type}"), what=_m(what), type=type(value).__name__)
    if len(value) > 4 * limit:  # refuse before normalising a huge string
        raise InvalidField(TOO_LONG, what=_m(what), value=shown(value), limit=limit)
    text = unicodedata.normalize("NFC", value)
    for ch in text:
        category = unicodedata.category(ch)
        if category in REFUSED_CATEGORIES:
            raise InvalidField(N_("{what} {value} contains {character} (U+{code})"), what=_m(what),
                               value=shown(value), character=Message(REFUSED_CATEGORIES[category]),
                               code=f"{ord(ch):04X}")
    if not text.strip():  # blank is missing: the command's own refusal names what it needs
        text = ""
    elif text != text.strip():
        raise InvalidField(N_("{what} {value} starts or ends with a space"), what=_m(what), value=shown(value))
    if not text and required:
        raise InvalidField(N_("{what} is empty"), what=_m(what))
    if len(text) > limit:
        raise InvalidField(TOO_LONG, what=_m(what), value=shown(value), limit=limit)
    return text


@dataclass(frozen=True)
class Text:
    """One line of free text: names, reasons, references (文号), vouchers."""

    what: str | Message
    limit: int

    def __call__(self, value: Any, *, required: bool = True) -> str:
        return clean_text(value, self.what, self.limit, required=required)


@dataclass(frozen=True)
class Identifier(Text):
    """A code people type and the ledger keys on: letters of any script, ASCII digits and a
    few separators; it starts with a letter or digit and has no space of any kind."""

    punctuation: str = "-_."

    def __call__(self, value: Any, *, required: bool = True) -> str:
        text = clean_text(value, self.what, self.limit, required=required)
        for i, ch in enumerate(text):
            if ord(ch) in _FULL_WIDTH_ASCII:
                raise InvalidField(N_("{what} {value} has a full-width {character!r}: type it half-width"),
                                   what=_m(self.what), value=shown(text), character=ch)
            letter = ch.isalpha() or (i > 0 and unicodedata.category(ch).startswith("M"))
            if not (letter or "0" <= ch <= "9" or (i > 0 and ch in self.punctuation)):
                raise InvalidField(N_("{what} {value} may hold only letters, digits and {allowed} "
                                      "(starting with a letter or digit)"),
                                   what=_m(self.what), value=shown(text), allowed=" ".join(self.punctuation))
        return text


@dataclass(frozen=True)
class Pattern(Text):
    """Text of a fixed ASCII shape (officer names become key file names)."""

    pattern: str = ""
    shape: str = ""

    def __call__(self, value: Any, *, required: bool = True) -> str:
        text = clean_text(value, self.what, self.limit, required=required)
        if text and not re.fullmatch(self.pattern, text):
            raise InvalidField(self.shape, what=_m(self.what), value=shown(text))
        return text


def is_officer_name(name: str) -> bool:
    """A letter of any script (张伟, li.na) or an ASCII digit first, then letters, ASCII digits,
    '.', '_', '-' or '·' (as in 买买提·艾力); at most 64. Not ``xn--…``: that is how a key file
    spells a non-ASCII name, so no ASCII name may take it."""
    if not 1 <= len(name) <= 64 or name[:4].lower() == "xn--" or unicodedata.normalize("NFC", name) != name:
        return False

    def allowed(ch: str, first: bool) -> bool:
        if ch.isascii():
            return ch.isalnum() or (not first and ch in "._-")
        return unicodedata.category(ch).startswith("L") or (not first and ch == "·")

    return allowed(name[0], True) and all(allowed(ch, False) for ch in name[1:])


@dataclass(frozen=True)
class OfficerName(Text):
    """An officer's name: it signs every request and names a key file (see ``is_officer_name``)."""

    def __call__(self, value: Any, *, required: bool = True) -> str:
        text = clean_text(value, self.what, self.limit, required=required)
        if text and not is_officer_name(text):
            raise InvalidField(N_("{what} {value} is not an officer name (a letter or digit, then letters, digits, "
                                  ". _ - ·; at most 64)"), what=_m(self.what), value=shown(text))
        return text


@dataclass(frozen=True)
class Bounded:
    """A whole number within limits, written in ASCII or full-width digits (no sign, no ``_``)."""

    what: str | Message
    low: int
    high: int

    def __call__(self, value: Any) -> int:
        if isinstance(value, bool):
            raise InvalidField(NOT_WHOLE, what=_m(self.what), value=repr(value))
        if isinstance(value, int):
            number = value
        else:
            text = ascii_digits(str(value)) if isinstance(value, str) else ""
            if not re.fullmatch(r"[0-9]{1,19}", text):
                raise InvalidField(NOT_WHOLE, what=_m(self.what), value=shown(str(value)))
            number = int(text)
        if not self.low <= number <= self.high:
            raise InvalidField(N_("{what} {number} is out of range ({low} to {high})"), what=_m(self.what),
                               number=number, low=self.low, high=self.high)
        return number


# identifiers (codes are at most 64 so that `payable:<code>` (200), `<code>-A<n>` award ids
# (120), `funding:<bank>` and every read-model party column (120) hold them)
PARTY_CODE = Identifier(N_("party code"), 64)
PROJECT_CODE = Identifier(N_("project code"), 64)
FUND_CODE = Identifier(N_("fund code"), 64)
LOAN_CODE = Identifier(N_("loan code"), 64)
HOLDER_CODE = Identifier(N_("holder code"), 64)
AWARD_ID = Identifier(N_("award id"), 80)
CLAUSE = Identifier(N_("clause"), 20)  # rm_* clause columns are varchar(20)
# `request:<id>` is a varchar(160) trail entity; generated ids are UUIDs or `import-row:<hex>`
REQUEST_ID = Identifier(N_("request id"), 128, punctuation="-_.:/#@+")
BASIS_KEY = Identifier(N_("basis key"), 40)
OFFICER_NAME = OfficerName(N_("officer name"), 64)

# one-line texts
REF = Text(N_("decision reference (文号)"), 100)  # rm_trail.ref, rm_loans.approved_ref: varchar(200)
VOUCHER = Text(N_("voucher"), 64)
NAME = Text(N_("name"), 120)  # party, fund, holder and buyer names; project titles (rm_funds.name 200)
REASON = Text(N_("reason"), 500)  # only in traces (text)
QUALIFICATION = Text(N_("qualification"), 60)
LEVEL = Text(N_("level"), 30)
SOURCE = Text(N_("funding source"), 60)  # rm_budgets.source varchar(120)
MATTER = Text(N_("matter"), 100)
BASIS_VALUE = Text(N_("basis value"), 100)  # a subject lands in rm_caps.subject varchar(160)
TEXT = Text(N_("text"), 200)  # any other text field of a request

# bounded numbers (why these limits: docs/decisions.md)
TERM_MONTHS = Bounded(N_("loan term (months)"), 1, 360)
YEARS = Bounded(N_("number of years"), 0, 50)
COUNT = Bounded(N_("count"), 0, 10**9)
YEAR = Bounded(N_("year"), 1900, 2200)
POSITION = Bounded(N_("log position"), 0, 2**63 - 1)  # a BIGINT


def amount(value: Any, *, positive: bool = True) -> Decimal:
    """An amount of yuan: ``500000``, ``500,000.00``, ``50万``, ``50万元`` (domain.money)."""
    return parse_yuan(value, positive=positive)


def rate(value: Any, what: str = "rate") -> Decimal:
    """A rate or percentage: ``4%`` or ``0.04``, 0 to 100 % (domain.money)."""
    return parse_rate(value, what)


_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_CHINESE = re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日")
_SLASHED = re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})")
DATE_FORMS = "YYYY-MM-DD, 2025年3月1日 or 2025/3/1"
NOT_A_DATE = N_("{what} {value} is not a date (write YYYY-MM-DD, 2025年3月1日 or 2025/3/1)")


DATE = N_("date")


def parse_date(value: Any, what: str | Message = DATE) -> date:
    """A date as ``2025-03-01``, ``2025年3月1日`` or ``2025/3/1`` (full-width digits too)."""
    if isinstance(value, date):
        return value
    raw = str(value)
    if len(raw) > 20:
        raise InvalidDate(NOT_A_DATE, what=_m(what), value=shown(raw))
    text = ascii_digits(raw)
    for form in (_ISO, _CHINESE, _SLASHED):
        found = form.fullmatch(text)
        if found:
            year, month, day = (int(g) for g in found.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise InvalidDate(N_("{what} {value} is not a date: no such day in the calendar"), what=_m(what),
                                  value=shown(raw)) from None
    raise InvalidDate(NOT_A_DATE, what=_m(what), value=shown(raw))


# The field type of each text field of a request, by the command field's name; a field not
# named here is checked as TEXT. Used by check_value, the guard every request passes (whether
# a field may be empty is the command's business, not the guard's).
CODE = Identifier(N_("code"), 64)
BY_NAME: dict[str, Text] = {
    "actor": OFFICER_NAME, "name": NAME, "request_id": REQUEST_ID, "ref": REF,
    "code": CODE, "recipient": PARTY_CODE, "enterprise": PARTY_CODE, "bank": PARTY_CODE,
    "borrower": PARTY_CODE, "party": PARTY_CODE, "fund": FUND_CODE, "project": PROJECT_CODE,
    "target": PROJECT_CODE, "buyer": HOLDER_CODE, "award": AWARD_ID, "clause": CLAUSE,
    "voucher": VOUCHER, "reason": REASON, "misuse": REASON, "note": REASON, "title": NAME,
    "buyer_name": NAME, "manager": NAME, "qualification": QUALIFICATION, "level": LEVEL,
    "source": SOURCE, "matter": MATTER, "payer": SOURCE, "investor": NAME,
}
BOUNDED_BY_NAME: dict[str, Bounded] = {
    "term_months": TERM_MONTHS, "window_from_years": YEARS, "window_until_years": YEARS, "debt_years": YEARS,
}
NESTED_LIMIT = 100  # a basis value or a holder's code or name (a subject lands in varchar(160))


def check_value(name: str, value: Any) -> Any:
    """One field of a request checked (and NFC-normalised) by its name, nested texts too."""
    if isinstance(value, str):
        return BY_NAME.get(name, TEXT)(value, required=False)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        bounded = BOUNDED_BY_NAME.get(name)
        return bounded(value) if bounded else value
    if isinstance(value, dict):
        return {(BASIS_KEY(k) if isinstance(k, str) else k): _nested(name, v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return type(value)(_nested(name, v) for v in value)
    return value


def _nested(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value, Message(N_("{name} value"), name=name), NESTED_LIMIT, required=False)
    return check_value(name, value)
