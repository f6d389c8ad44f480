"""The rule book on record (G.4): revisions of the policy parameters as signed ledger events.

The parameters shipped with the package are the notice as published, the first edition. A
revision (市科技局 interprets and revises the policy) adds a value with a later valid-from
date, its 文号 and the words it quotes; it never changes a value that a recorded decision
used, so every decision keeps the value it was made with, and a replay reads, at each event,
the rule book as it stood then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import Refused
from domain.ids import NAMESPACE
from domain.messages import N_, Message
from domain.money import parse_yuan
from domain.parameters import Parameter, ParameterBook
from domain.provenance import Provenance

RULE_BOOK_ID: UUID = uuid5(NAMESPACE, "rule-book")

# Parameters the notice leaves open, with no first-edition value: they can only be set by a
# revision (P2.3b: 交易额的一定比例 must be set before the first broker award).
OPEN_PARAMETERS = {("P2.3b", "ratio"): "rate"}


@dataclass(frozen=True)
class Revision:
    """One recorded revision of a parameter."""

    clause: str
    name: str
    value: str  # as typed, checked against the parameter's unit
    unit: str
    valid_from: date
    quote: str
    reading: str
    ref: str
    revised_by: str
    decided: date

    def parameter(self) -> Parameter:
        return Parameter(self.clause, self.name, parse_value(self.value, self.unit, f"{self.clause}.{self.name}"),
                         self.unit, self.valid_from, self.quote, self.reading, self.ref, self.revised_by)


def parse_value(text: str, unit: str, what: str) -> Any:
    """A revised value in the parameter's unit: yuan as amounts (50万), rates as 2% or 0.02."""
    raw = text.strip()
    if not raw:
        raise Refused(N_("{what}: the revised value is empty"), what=what)
    try:
        if unit == "yuan":
            return parse_yuan(raw, positive=False)
        if unit == "rate":
            value = Decimal(raw[:-1]) / 100 if raw.endswith("%") else Decimal(raw)
            if not value.is_finite() or not 0 <= value <= 1:
                raise Refused(N_("{what}: a rate is between 0% and 100%, not {raw}"), what=what, raw=raw)
            return value
        if unit == "m2":
            value = Decimal(raw)
            if not value.is_finite() or value < 0:
                raise Refused(N_("{what}: an area is a non-negative number, not {raw}"), what=what, raw=raw)
            return value
        if unit in {"years", "count"}:
            if not raw.isdigit():
                raise Refused(N_("{what}: {unit} is a whole number, not {raw}"), what=what, unit=Message(unit), raw=raw)
            return int(raw)
        if unit == "date":
            return date.fromisoformat(raw)
    except (InvalidOperation, ValueError):
        raise Refused(N_("{what}: {raw!r} is not a value in {unit}"), what=what, raw=raw, unit=Message(unit)) from None
    return raw


def check_revision(book: ParameterBook, clause: str, name: str, value: str, valid_from: date, quote: str,
                   used: Iterable[tuple[str, date, str]]) -> str:
    """The unit of the parameter being revised, or a refusal: the parameter must exist (or be one
    the notice leaves open), the value must have its unit, the revision must quote its source and
    may only add a value from a later date than every existing one, and never one that changes
    what a recorded decision used (``used``: (award or decision id, decision date, version))."""
    what = f"{clause}.{name}"
    versions = book.versions_of(clause, name)
    if versions:
        unit = versions[0].unit
    elif (clause, name) in OPEN_PARAMETERS:
        unit = OPEN_PARAMETERS[(clause, name)]
    else:
        raise Refused(N_("{what} is not a parameter of the rule book (see `jcg policy show {clause}`)"), what=what,
                      clause=clause)
    parse_value(value, unit, what)
    if not quote.strip():
        raise Refused(N_("{what}: a revision quotes the words of its decision"), what=what)
    if versions and valid_from <= versions[-1].valid_from:
        raise Refused(N_("{what}: a revision can only add a value from a later date; it has a value valid from "
                         "{valid_from} ({version})"), what=what, valid_from=versions[-1].valid_from,
                      version=versions[-1].version)
    affected = sorted((day, decision, version) for decision, day, version in used
                      if version.startswith(f"{what}@") and day >= valid_from)
    if affected:
        day, _, version = affected[-1]
        listed = [Message(N_("{decision} decided {day}"), decision=d, day=day2) for day2, d, _ in affected[:5]]
        raise Refused(N_("{what}: a revision valid from {valid_from} would change the value used by {count} "
                         "recorded decision(s) ({listed}; {version}); give a valid-from after {day}"), what=what,
                      valid_from=valid_from, count=len(affected), listed=listed, version=version, day=day)
    return unit


class RuleBook(Aggregate):
    """Every recorded revision of the rule book, in the order recorded."""

    @staticmethod
    def create_id() -> UUID:
        return RULE_BOOK_ID

    @classmethod
    def open(cls, by: Provenance) -> RuleBook:
        return cls(by=by)

    class Opened(Aggregate.Created):
        by: Provenance

    @event(Opened)
    def __init__(self, by: Provenance) -> None:
        self.revisions: list[Revision] = []

    def revise(self, by: Provenance, clause: str, name: str, value: str, unit: str, valid_from: date, quote: str,
               reading: str) -> None:
        self._revised(by, clause, name, value.strip(), unit, valid_from, quote.strip(), reading.strip())

    class Revised(Aggregate.Event):
        by: Provenance
        clause: str
        name: str
        value: str
        unit: str
        valid_from: date
        quote: str
        reading: str

    @event(Revised)
    def _revised(self, by: Provenance, clause: str, name: str, value: str, unit: str, valid_from: date, quote: str,
                 reading: str) -> None:
        self.revisions.append(Revision(clause, name, value, unit, valid_from, quote, reading, by.ref, by.actor,
                                       by.decided))


def with_revisions(base: ParameterBook, revisions: Iterable[Revision]) -> ParameterBook:
    """The first edition plus the recorded revisions: the rule book as it stands."""
    return base.extended([r.parameter() for r in revisions])
