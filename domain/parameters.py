"""Dated, cited policy parameters (G.4), read from the TOML files beside this module.

A value is identified by clause and name; a revision adds a value with a later
``valid_from`` and never rewrites an old one, so a decision uses the value in force on
its decision date and records that value's version.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from domain.clauses import catalogue
from domain.errors import Refused
from domain.files import PACKAGE
from domain.journal import CITY
from domain.messages import N_

UNITS = {"yuan", "rate", "date", "m2", "years", "count", "text", "bool"}


@dataclass(frozen=True)
class Parameter:
    clause: str
    name: str
    value: Any
    unit: str
    valid_from: date
    quote: str  # the notice's words, verbatim (tests/test_policy_text.py)
    reading: str = ""  # the product's reading where the words leave a choice (CLAUSES.md)
    ref: str = ""  # the 文号 of a recorded revision ('' for the notice as published)
    revised_by: str = ""  # the approver who recorded the revision ('' for the first edition)

    @property
    def version(self) -> str:
        """What an award records so a replay after a revision uses the same value."""
        return f"{self.clause}.{self.name}@{self.valid_from.isoformat()}"


class ParameterBook:
    """All parameter values, every version kept."""

    def __init__(self, values: list[Parameter]):
        self._all = list(values)
        self._values: dict[tuple[str, str], list[Parameter]] = defaultdict(list)
        for p in values:
            self._values[(p.clause, p.name)].append(p)
        for (clause, name), versions in self._values.items():
            versions.sort(key=lambda p: p.valid_from)
            dates = [p.valid_from for p in versions]
            if len(set(dates)) != len(dates):
                raise ValueError(f"{clause}.{name}: two values with the same valid_from")

    def at(self, clause: str, name: str, on: date) -> Parameter:
        """The value in force on ``on`` (a decision date)."""
        versions = self._values.get((clause, name))
        if not versions:
            raise Refused(N_("no parameter {clause}.{name} is defined"), clause=clause, name=name)
        in_force = [p for p in versions if p.valid_from <= on]
        if not in_force:
            raise Refused(
                N_("parameter {clause}.{name} is not in force on {isoformat} (first valid from {isoformat2})"), clause=clause, name=name, isoformat=on.isoformat(), isoformat2=versions[0].valid_from.isoformat()
            )
        return in_force[-1]

    def extended(self, values: list[Parameter]) -> ParameterBook:
        """This book with more values (recorded revisions); refuses a repeated valid-from."""
        return ParameterBook([*self._all, *values]) if values else self

    def has(self, clause: str, name: str) -> bool:
        return (clause, name) in self._values

    def clauses(self) -> list[str]:
        return sorted({c for c, _ in self._values})

    def versions_of(self, clause: str, name: str) -> list[Parameter]:
        """Every value of one parameter, oldest first."""
        return list(self._values.get((clause, name), []))

    def versions(self, clause: str) -> list[Parameter]:
        """Every value of a clause, every version, for `jcg policy show`."""
        return [p for (c, _), vs in sorted(self._values.items()) if c == clause for p in vs]


def _coerce(raw: Any, unit: str, where: str) -> Any:
    if isinstance(raw, float):
        raise ValueError(f"{where}: write numbers as strings or integers, never floats")
    if unit in {"yuan", "rate", "m2"}:
        return Decimal(str(raw))
    if unit in {"years", "count"}:
        return int(raw)
    if unit == "date" and not isinstance(raw, date):
        raise ValueError(f"{where}: a date value must be a TOML date")
    if isinstance(raw, list):
        return tuple(Decimal(str(x)) if isinstance(x, (int, str)) else x for x in raw)
    return raw


def load_values(texts: list[tuple[str, str]]) -> list[Parameter]:
    """Parse TOML texts (name, content) into parameter values, checking each is cited."""
    values = []
    for fname, text in texts:
        data = tomllib.loads(text)
        for i, v in enumerate(data.get("value", [])):
            where = f"{fname} value #{i + 1}"
            missing = {"clause", "name", "value", "unit", "valid_from", "quote"} - v.keys()
            if missing:
                raise ValueError(f"{where}: missing {', '.join(sorted(missing))}")
            unknown = set(v) - {"clause", "name", "value", "unit", "valid_from", "quote", "reading"}
            if unknown:
                raise ValueError(f"{where}: unknown field {', '.join(sorted(unknown))}")
            if v["unit"] not in UNITS:
                raise ValueError(f"{where}: unknown unit {v['unit']!r}")
            if not str(v["quote"]).strip():
                raise ValueError(f"{where}: a value must quote the clause it comes from")
            values.append(
                Parameter(
                    clause=v["clause"],
                    name=v["name"],
                    value=_coerce(v["value"], v["unit"], where),
                    unit=v["unit"],
                    valid_from=v["valid_from"],
                    quote=v["quote"],
                    reading=str(v.get("reading", "")),
                )
            )
    return values


@cache
def parameter_book() -> ParameterBook:
    """The book shipped with the package (every ``params/*.toml``)."""
    folder = PACKAGE / "params"
    texts = [
        (f.name, f.read_text(encoding="utf-8"))
        for f in sorted(folder.iterdir(), key=lambda f: f.name)
        if f.name.endswith(".toml")
    ]
    return ParameterBook(load_values(texts))


def payer(book: ParameterBook, clause: str, on: date) -> tuple[str, str]:
    """Who pays an award under ``clause`` decided on ``on``: the paying source the text names
    (市财政 for P5.5: 市财政对……给予) and the 责任单位 whose budget line books it (CLAUSES.md,
    "who pays"). A clause without these parameters is paid by the city through its first unit."""
    def value(name: str) -> str:
        if not book.has(clause, name):
            return ""
        try:
            return str(book.at(clause, name, on).value)
        except Refused:  # before the first edition: the first value
            return str(book.versions_of(clause, name)[0].value)

    c = catalogue().get(clause)
    first_unit = c.units[0] if c and c.units else ""
    return value("payer") or CITY, value("paying_unit") or first_unit
