"""The clause index: every clause id the ledger accepts, its title and 责任单位."""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache

from domain.errors import Refused
from domain.files import PACKAGE
from domain.messages import N_


@dataclass(frozen=True)
class Clause:
    id: str
    title: str
    rule: str
    cap: str
    money: bool
    units: tuple[str, ...]


@cache
def catalogue() -> dict[str, Clause]:
    data = tomllib.loads((PACKAGE / "clauses.toml").read_text(encoding="utf-8"))
    return {
        c["id"]: Clause(
            id=c["id"],
            title=c["title"],
            rule=c.get("rule", ""),
            cap=c.get("cap", ""),
            money=bool(c.get("money", False)),
            units=tuple(c.get("units", ())),
        )
        for c in data["clause"]
    }


def clause(clause_id: str) -> Clause:
    """The clause, or a refusal naming the unknown id."""
    found = catalogue().get(clause_id) or catalogue().get(canonical_id(clause_id))
    if found is None:
        raise Refused(N_("unknown clause {clause!r} (see `jcg policy list`)"), clause=clause_id)
    return found


def canonical_id(clause_id: str) -> str:
    """The catalogue's spelling of a clause id typed in any case or width (``p2.4``, ``Ｐ2.1A``);
    the text itself when no clause matches (the caller refuses it)."""
    typed = unicodedata.normalize("NFKC", str(clause_id)).strip().casefold()
    return _folded_ids().get(typed, str(clause_id))


@cache
def _folded_ids() -> dict[str, str]:
    return {cid.casefold(): cid for cid in catalogue()}


def money_clause(clause_id: str) -> Clause:
    c = clause(clause_id)
    if not c.money:
        raise Refused(N_("clause {clause} ({title}) has no money rule; nothing can be awarded under it"),
                      clause=clause_id, title=c.title)
    return c
