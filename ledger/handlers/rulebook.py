"""The rule book on record (G.4): `jcg policy revise` as a signed request of an approver.

The book a command is evaluated with is the first edition (the parameters shipped with the
package) plus every revision recorded before it; a decision records the versions it used,
and a revision may only add a value from a date after every recorded decision that used the
parameter, so nothing already decided can change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from domain.aliases import parameter_name
from domain.clauses import clause as find_clause
from domain.errors import Refused
from domain.messages import N_, Message
from domain.parameters import ParameterBook
from domain.provenance import Provenance
from domain.rulebook import RULE_BOOK_ID, Revision, RuleBook, check_revision, with_revisions
from ledger.commands import APPROVERS, Command, Outcome, handles
from ledger.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class ReviseParameter(Command):
    """A revision of one parameter, valid from a date, with its 文号 (``ref``) and quoted words."""

    kind = "policy.revise"
    roles: ClassVar[frozenset[str]] = APPROVERS
    exclusive: ClassVar[bool] = True  # no decision saved between its check of the log and its save (Ledger.execute)
    action: ClassVar[str] = N_("revising the rule book")
    clause: str
    name: str
    value: str
    valid_from: date
    quote: str
    reading: str = ""

    def __post_init__(self) -> None:
        # 补贴比例 and rate are the same request (domain/aliases.py)
        object.__setattr__(self, "name", parameter_name(self.name))


def decisions_using(events: Iterable[Any]) -> Iterator[tuple[str, date, str]]:
    """(decision, decision date, parameter version) of every recorded decision: awards and P5.6
    compensation claims record the versions they used."""
    for event in events:
        versions = getattr(event, "versions", None)
        by = getattr(event, "by", None)
        if not versions or by is None:
            continue
        decision = getattr(event, "award_id", "") or f"loan {getattr(event, 'loan', '')}"
        for version in versions:
            yield decision, by.decided, version


@handles(ReviseParameter)
def revise_parameter(uow: UnitOfWork, cmd: ReviseParameter, by: Provenance) -> Outcome:
    find_clause(cmd.clause)
    if not cmd.ref.strip():
        raise Refused(N_("{clause}.{name}: a revision needs its decision reference (--ref 文号)"), clause=cmd.clause,
                      name=cmd.name)
    unit = check_revision(uow.book, cmd.clause, cmd.name, cmd.value, cmd.valid_from, cmd.quote,
                          decisions_using(uow.log()))
    book = uow.find(RuleBook, RULE_BOOK_ID)
    if book is None:
        book = RuleBook.open(by)
        uow.add(book, "rule book")
    book.revise(by, cmd.clause, cmd.name, cmd.value, unit, cmd.valid_from, cmd.quote, cmd.reading)
    added = book.revisions[-1].parameter()
    return Outcome(
        cmd.request_id,
        Message(N_("rule book revised: {version} = {value} ({ref}), recorded by {actor}"), version=added.version,
                value=cmd.value.strip(), ref=cmd.ref, actor=cmd.actor),
        trace=[f"「{added.quote}」", Message(N_("decisions before the valid-from keep the values they used"))],
        data={"version": added.version},
    )


def revisions(ledger: Any) -> list[Revision]:
    """The revisions recorded so far (none: an empty list)."""
    from eventsourcing.application import AggregateNotFoundError

    try:
        return list(ledger.repository.get(RULE_BOOK_ID).revisions)
    except AggregateNotFoundError:
        return []


def book_as_recorded(base: ParameterBook, events: Iterable[Any]) -> Iterator[tuple[Any, ParameterBook]]:
    """Each event with the rule book as it stood when it was recorded (revisions before it)."""
    book = base
    for event in events:
        yield event, book
        if isinstance(event, RuleBook.Revised):
            book = with_revisions(book, [Revision(event.clause, event.name, event.value, event.unit,
                                                  event.valid_from, event.quote, event.reading, event.by.ref,
                                                  event.by.actor, event.by.decided)])


def _decisions_and_revisions(ledger: Any) -> Iterator[Any]:
    """The events that revise the rule book or record the versions a decision used, in log order
    (selected by topic, so the check reads only these)."""
    from domain.enterprise import Enterprise
    from domain.loan import Loan

    topics = [_topic(RuleBook.Revised), _topic(Enterprise.AwardGranted), _topic(Loan.CompensationClaimed)]
    position = 1
    while True:
        batch = ledger.recorder.select_notifications(start=position, limit=500, topics=topics)
        if not batch:
            return
        for n in batch:
            try:
                event = ledger.mapper.to_domain_event(n)
            except Exception:  # a damaged record: the main pass of `audit verify` names it
                continue
            yield event
        position = batch[-1].id + 1


def _topic(cls: type) -> str:
    from eventsourcing.utils import get_topic

    return get_topic(cls)


def rule_book_problems(ledger: Any) -> list[Message]:
    """`audit verify` and `audit replay`: every decision used the parameter values in force on its
    decision date in the rule book as it stood when it was recorded (first edition + the
    revisions recorded before it)."""
    problems = []
    for event, book in book_as_recorded(ledger.book, _decisions_and_revisions(ledger)):
        for version in getattr(event, "versions", None) or ():
            clause_name = version.rpartition("@")[0]
            clause, _, name = clause_name.rpartition(".")
            try:
                in_force = book.at(clause, name, event.by.decided)
            except Refused:
                problems.append(Message(N_("{what}: parameter {parameter} was not in the rule book on {decided}"),
                                        what=_what(event), parameter=clause_name, decided=event.by.decided))
                continue
            if in_force.version != version:
                problems.append(Message(N_("{what} decided {decided} records {version}, but the rule book as it "
                                           "stood then had {in_force} in force"), what=_what(event),
                                        decided=event.by.decided, version=version, in_force=in_force.version))
    return problems


def _what(event: Any) -> Message:
    award = getattr(event, "award_id", "")
    return (Message(N_("award {award}"), award=award) if award
            else Message(N_("loan {loan}"), loan=getattr(event, "loan", "")))
