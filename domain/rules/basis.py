"""Typed inputs of a rule, parsed from the ``k=v`` pairs an officer types.

Each rule declares its basis keys (name, type, meaning); parsing checks every key is known,
every required key is present and every value has its type, and refuses in one line
otherwise, so a rule body only ever sees clean typed values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from domain.aliases import BASIS_WORDS, basis_key, basis_label, basis_word
from domain.errors import InvalidAmount, Refused
from domain.fields import COUNT, DATE_FORMS, PARTY_CODE, YEAR, parse_date
from domain.messages import N_, Message
from domain.money import ascii_digits, parse_yuan

_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")

KINDS = {
    "yuan": "amount in yuan (500000, 500,000.00, 50万)",
    "percent": "a percentage (60% or 0.6)",
    "m2": "an area in square metres",
    "date": "a date YYYY-MM-DD",
    "year": "a calendar year (2025)",
    "count": "a whole number",
    "yesno": "yes or no",
    "choice": "one of the listed words",
    "text": "free text (an id, a number, a name)",
    "party": "a party's code (as registered with `jcg party register`)",
    "subject": "the subject of a G.3 matter (a contract, patent, person …): compared ignoring case and spaces",
}


def subject_text(raw: object) -> str:
    """The one spelling of a free-text G.3 subject: inner spaces collapsed, upper-case, so that
    ``h1``, `` H1 `` and ``H1`` are the same contract (and the same matter key)."""
    return " ".join(str(raw).split()).upper()


@dataclass(frozen=True)
class Key:
    """One basis key of a rule: what it is called, its type and what it means."""

    name: str
    kind: str
    meaning: str
    required: bool = True
    choices: tuple[str, ...] = ()

    def describe(self) -> str:
        kind = "|".join(self.choices) if self.kind == "choice" else self.kind
        optional = "" if self.required else ", optional"
        return f"{self.name} ({kind}{optional}): {self.meaning}"

    def explained(self) -> Message:
        """``describe()`` as a message: the kind and the meaning translated (every key's meaning is
        in the catalogue, i18n/catalogue.py), the name a code."""
        kind: str = "|".join(self.choices) if self.kind == "choice" else Message(self.kind)
        msgid = N_("{name} ({kind}): {meaning}") if self.required else N_("{name} ({kind}, optional): {meaning}")
        return Message(msgid, name=self.name, kind=kind, meaning=Message(self.meaning))

    def parse(self, clause: str, raw: str) -> Any:
        value = raw.strip()
        if not value:
            raise Refused(N_("{clause}: basis {name} is empty"), clause=clause, name=self.name)
        where = Message(N_("{clause}: basis {name}={raw!r}"), clause=clause, name=self.name, raw=raw)
        if self.kind == "yuan":
            try:
                return parse_yuan(value, positive=False)
            except InvalidAmount as exc:
                raise Refused(N_("{where}: {exc}"), where=where, exc=exc) from None
        if self.kind in {"m2", "percent"}:
            value = ascii_digits(value)
            text = value[:-1] if self.kind == "percent" and value.endswith("%") else value
            if not _NUMBER.fullmatch(text):  # Decimal() would read 1_0, ١٠ and 1e3
                raise Refused(N_("{where} is not a number"), where=where)
            number = Decimal(text)
            if not number.is_finite() or number < 0 or "e" in text.lower():
                raise Refused(N_("{where} must be a plain non-negative number"), where=where)
            if self.kind == "percent":
                if value.endswith("%"):
                    return number / 100
                if number > 1:
                    raise Refused(N_("{where}: write a percentage as 60% or as a fraction 0.6"), where=where)
            return number
        if self.kind == "date":
            try:
                return parse_date(value)
            except Refused:
                raise Refused(N_("{where} is not a date (write {date_forms})"), where=where, date_forms=DATE_FORMS) from None
        if self.kind in {"count", "year"}:
            try:
                return (YEAR if self.kind == "year" else COUNT)(value)
            except Refused as exc:
                raise Refused(N_("{where}: {exc}"), where=where, exc=exc) from None
        if self.kind == "yesno":
            value = basis_word(value, ("yes", "no")) or value
            if value.lower() not in {"yes", "no"}:
                raise Refused(N_("{where} must be yes or no"), where=where)
            return value.lower() == "yes"
        if self.kind == "party":
            try:
                return PARTY_CODE(value)
            except Refused as exc:
                raise Refused(N_("{where}: {exc}"), where=where, exc=exc) from None
        if self.kind == "subject":
            return subject_text(value)
        if self.kind == "choice":
            value = basis_word(value, self.choices) or value
            if value not in self.choices:
                raise Refused(N_("{where} must be one of {choices}"), where=where, choices=', '.join(self.choices),
                              choices_labels="、".join(basis_label(c, BASIS_WORDS) for c in self.choices))
            return value
        return value


def recognition_keys(what: str) -> tuple[Key, Key]:
    """The two facts of a 新认定/首次认定 clause: the recognition's date and that it is the first
    at this level (P3.x, P6.4, P6.5b)."""
    return (Key("recognised_on", "date", f"date {what} was recognised (认定/备案日期), on or before the decision"),
            Key("first_recognition", "yesno", f"this is the first recognition of {what} at this level "
                "(新认定/首次认定)"))


@dataclass(frozen=True)
class Basis:
    """The parsed basis of one calculation: typed values by key, plus the raw text."""

    values: Mapping[str, Any]
    raw: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


def split_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """``["contract_value=1000", "contract=HT-1"]`` → a dict; refuses malformed or repeated keys."""
    result: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise Refused(N_("basis {pair!r} is not key=value"), pair=pair)
        if name in result:
            raise Refused(N_("basis key {name} is given twice"), name=name)
        result[name] = value.strip()
    return result


def parse_basis(clause: str, keys: tuple[Key, ...], raw: Mapping[str, str]) -> Basis:
    """Check the raw pairs against the rule's keys and convert each value to its type."""
    known = {k.name: k for k in keys}
    raw = with_key_names(raw, known)
    unknown = sorted(set(raw) - set(known))
    if unknown:
        expected = ", ".join(known) or "none"
        raise Refused(N_("{clause}: unknown basis key {unknown} (expected: {expected})"), clause=clause, unknown=', '.join(unknown), expected=expected)
    values: dict[str, Any] = {}
    for key in keys:
        if key.name not in raw:
            if key.required:
                raise Refused(N_("{clause}: basis {name} is required ({describe})"), clause=clause, name=key.name, describe=key.explained(),
                              name_label=basis_label(key.name))
            continue
        values[key.name] = key.parse(clause, raw[key.name])
    return Basis(values, {k: v for k, v in raw.items()})


def with_key_names(raw: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """``raw`` with each key typed as a Chinese label (``合同技术交易额``) or in another case
    renamed to the rule's key name; unknown keys kept as typed (refused by the caller)."""
    names = tuple(names)
    result: dict[str, str] = {}
    for typed, value in raw.items():
        name = basis_key(typed, names) or typed
        if name in result:
            raise Refused(N_("basis key {key} is given twice"), key=name)
        result[name] = value
    return result


def canonical_text(key: Key, value: Any) -> str:
    """A parsed value written one way only, so ``50万`` and ``500,000.00`` are the same request."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        if key.kind == "percent":  # written back as a percentage so 101% re-parses as 101%, not 1.01
            return f"{(value * 100).normalize():f}%"
        return f"{value:f}" if key.kind != "yuan" else f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
