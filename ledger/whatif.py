"""What-if on the ledger's own history (G.4; OpenFisca's reforms, but on recorded decisions).

Every recorded award is recomputed, in log order, under a proposed rule book (the book as it
stood at each award, plus the proposed revisions), in a world where the earlier awards were
paid what the proposal would have paid: G.3 differences, caps and one-time rules see the
proposed history, not the recorded one. Every P5.6 claim is split again the same way (its
recorded basis: the loss, and the rates if the decision gave them); its figure is the public
compensation (省财政 + 市财政), its recipient the bank. Nothing is written. The result says, per
clause, recipient and year, what was awarded, what would have been, and the difference.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.aliases import parameter_name
from domain.counter import ClauseYearCounter
from domain.enterprise import Award, Enterprise, ExternalAward
from domain.errors import Refused
from domain.ids import counter_id, fund_id, party_id
from domain.loan import PAYERS, Loan
from domain.messages import N_
from domain.money import ZERO
from domain.parameters import Parameter, ParameterBook
from domain.rulebook import parse_value
from domain.rules import RULES, evaluate, split_of_basis
from domain.rules.engine import shared_subject
from domain.shared_subject import SharedSubject, shared_subject_id
from ledger.handlers.rulebook import book_as_recorded


@dataclass(frozen=True)
class Proposal:
    """One proposed value: ``CLAUSE.NAME=VALUE@DATE`` (e.g. ``P2.4.rate=3%@2026-01-01``)."""

    clause: str
    name: str
    value: str
    valid_from: date

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", parameter_name(self.name))  # 补贴比例 is rate (domain/aliases.py)

    @classmethod
    def parse(cls, text: str) -> Proposal:
        target, sep, rest = text.partition("=")
        value, at, day = rest.rpartition("@")
        clause, dot, name = target.strip().rpartition(".")
        if not sep or not at or not dot or not clause or not name or not value.strip():
            raise Refused(N_("--revise {text!r} is not CLAUSE.NAME=VALUE@DATE (e.g. P2.4.rate=3%@2026-01-01)"), text=text)
        try:
            valid_from = date.fromisoformat(day.strip())
        except ValueError:
            raise Refused(N_("--revise {text!r}: {day!r} is not a date YYYY-MM-DD"), text=text, day=day.strip()) from None
        return cls(clause, name, value.strip(), valid_from)

    def parameter(self, book: ParameterBook) -> Parameter:
        versions = book.versions_of(self.clause, self.name)
        if not versions:
            raise Refused(N_("--revise: {clause}.{name} is not a parameter of the rule book"), clause=self.clause,
                          name=self.name)
        unit = versions[0].unit
        return Parameter(self.clause, self.name, parse_value(self.value, unit, f"{self.clause}.{self.name}"), unit,
                         self.valid_from, "(what-if)", "proposed, not recorded")


@dataclass(frozen=True)
class Recomputed:
    """One recorded award and what the proposed rule book would have made of it."""

    award: str
    clause: str
    recipient: str
    year: int
    recorded: Decimal
    proposed: Decimal
    note: str


def proposed_book(book: ParameterBook, proposals: Iterable[Proposal]) -> ParameterBook:
    """``book`` with the proposed values; a proposal on a date that already has a value replaces it."""
    added = [p.parameter(book) for p in proposals]
    replaced = {(p.clause, p.name, p.valid_from) for p in added}
    kept = [p for c in book.clauses() for p in book.versions(c) if (p.clause, p.name, p.valid_from) not in replaced]
    return ParameterBook([*kept, *added])


def recompute(base: ParameterBook, events: Iterable[Any], proposals: list[Proposal]) -> Iterator[Recomputed]:
    """Replay the log in a world of its own: each award is re-evaluated under the rule book as it
    stood then plus ``proposals``, and recorded in that world at the proposed amount."""
    world: dict[UUID, Any] = {}
    refused: set[str] = set()  # awards the proposal would not have granted: their later events are skipped
    unclaimed: set[UUID] = set()  # loans whose claim the proposal would refuse: their later events are skipped
    for event, book in book_as_recorded(base, events):
        if event.originator_id in unclaimed:
            continue
        if isinstance(event, Loan.CompensationClaimed):
            outcome, shares = _resplit(event, proposed_book(book, proposals))
            yield outcome
            if shares is None:
                unclaimed.add(event.originator_id)
                continue
            event = copy.copy(event)
            event.__dict__["shares"] = shares
        elif isinstance(event, Enterprise.AwardGranted):
            outcome = _reevaluate(world, event, proposed_book(book, proposals))
            yield outcome
            event = copy.copy(event)
            event.__dict__["amount"] = outcome.proposed
            if outcome.proposed <= 0:  # not granted in this world: nothing to apply, later events on it skip
                refused.add(event.award_id)
                continue
        elif (getattr(event, "award_id", None) or getattr(event, "award", None)) in refused:
            continue
        world[event.originator_id] = event.mutate(world.get(event.originator_id))


def _reevaluate(world: dict[Any, Any], event: Any, book: ParameterBook) -> Recomputed:
    party: Enterprise = world[party_id(event.party)]
    rule = RULES.get(event.clause)
    recorded = Decimal(event.amount)
    year = event.by.decided.year
    if rule is None:  # recorded without a rule (an officer's amount outside the engine): kept as it was
        return Recomputed(event.award_id, event.clause, event.party, year, recorded, recorded, "no rule: kept")
    others, others_external = _shared(world, shared_subject(rule.clause, event.basis), party.code)
    counter: ClauseYearCounter | None = world.get(counter_id(rule.clause, year)) if rule.counted else None
    facts: dict[str, Any] = {}
    if event.basis.get("fund"):
        facts["fund"] = world.get(fund_id(event.basis["fund"]))
    if event.basis.get("counterparty"):  # P2.4: named in the trace as the award named it
        facts["counterparty"] = world.get(party_id(event.basis["counterparty"]))
    try:
        ent = evaluate(rule.clause, party, event.basis, event.by.decided, book,
                       amount=recorded if rule.decided else None, reason=getattr(event, "reason", ""),
                       ref=event.by.ref, counter_taken=tuple(counter.taken) if counter else (), others=others,
                       others_external=others_external, recorded=facts)
    except Refused as exc:
        return Recomputed(event.award_id, event.clause, event.party, year, recorded, ZERO, f"refused: {exc}")
    note = ent.line if ent.amount != recorded else ""
    return Recomputed(event.award_id, event.clause, event.party, year, recorded, ent.amount, note)


def _resplit(event: Any, book: ParameterBook) -> tuple[Recomputed, dict[str, Decimal] | None]:
    """A recorded claim split again under ``book``; the public compensation before and after."""
    recorded = sum((Decimal(event.shares[p]) for p in PAYERS), ZERO)
    year = event.by.decided.year
    try:
        split = split_of_basis(event.clause, event.basis, event.by.decided, book)
    except Refused as exc:
        return Recomputed(f"loan {event.loan}", event.clause, event.bank, year, recorded, ZERO, f"refused: {exc}"), None
    note = split.trace[0] if split.public != recorded else ""
    return Recomputed(f"loan {event.loan}", event.clause, event.bank, year, recorded, split.public, note), split.shares


def _shared(world: dict[Any, Any], key: str, recipient: str
            ) -> tuple[tuple[Award, ...], tuple[tuple[str, ExternalAward], ...]]:
    subject: SharedSubject | None = world.get(shared_subject_id(key)) if key else None
    if subject is None:
        return (), ()
    awards = tuple(world[party_id(code)].awards[award_id] for code, award_id in subject.awards
                   if code != recipient and award_id in world[party_id(code)].awards)
    external = tuple((code, x) for code in subject.external if code != recipient
                     for x in world[party_id(code)].external_awards)
    return awards, external


def what_if_rows(results: Iterable[Recomputed]) -> list[list[Any]]:
    """Per clause, recipient and year: awards, recorded, what-if, difference (sorted)."""
    totals: dict[tuple[str, str, int], list[Any]] = {}
    for r in results:
        row = totals.setdefault((r.clause, r.recipient, r.year), [0, ZERO, ZERO])
        row[0] += 1
        row[1] += r.recorded
        row[2] += r.proposed
    return [[clause, recipient, year, n, recorded, proposed, proposed - recorded]
            for (clause, recipient, year), (n, recorded, proposed) in sorted(totals.items())]

