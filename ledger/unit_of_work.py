"""The aggregates one command reads and changes, saved together or not at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate

from domain.errors import AlreadyExists, NotFound
from domain.messages import N_, Message
from domain.parameters import ParameterBook, parameter_book

A = TypeVar("A", bound=Aggregate)


class WrittenMeanwhile(Exception):
    """Another command created an aggregate this one had looked up and not found: the command
    is evaluated again against what is recorded now (as when its save conflicts), so it gets
    the answer it would have got a moment later (a repeat, or the refusal naming the record)."""


class UnitOfWork:
    def __init__(self, repository: Repository[UUID], book: ParameterBook | None = None,
                 log: Callable[[], Iterator[Any]] | None = None, book_version: int = 0):
        self._repository = repository
        self.book = book or parameter_book()  # the dated parameters the rules read (G.4)
        self.book_version = book_version  # the recorded rule book's version ``book`` was built from
        self._log = log
        self._loaded: dict[UUID, Aggregate] = {}
        self._missing: set[UUID] = set()  # looked up and not found (WrittenMeanwhile)

    def log(self) -> Iterator[Any]:
        """Every recorded event in log order (a revision of the rule book checks the decisions
        that used a parameter); empty without a ledger behind the unit of work."""
        return self._log() if self._log is not None else iter(())

    def get(self, cls: type[A], aggregate_id: UUID, what: str) -> A:  # what: ``party ENT-9`` (see _named)
        """The aggregate, or a refusal naming what is missing (e.g. ``party ENT-9``)."""
        if aggregate_id not in self._loaded:
            try:
                self._loaded[aggregate_id] = self._repository.get(aggregate_id)
            except AggregateNotFoundError:
                self._missing.add(aggregate_id)
                raise NotFound(N_("{what} is not registered"), what=_named(what)) from None
        aggregate = self._loaded[aggregate_id]
        if not isinstance(aggregate, cls):
            raise NotFound(N_("{what} is not a {name}"), what=_named(what), name=cls.__name__)
        return aggregate

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        try:
            return self.get(cls, aggregate_id, "")
        except NotFound:
            return None

    def add(self, aggregate: Aggregate, what: str) -> None:
        """A newly created aggregate; refuses a code that is already taken."""
        if aggregate.id in self._loaded:
            raise AlreadyExists(N_("{what} is already registered"), what=_named(what))
        if aggregate.id in self._repository:
            if aggregate.id in self._missing:
                raise WrittenMeanwhile(what)
            raise AlreadyExists(N_("{what} is already registered"), what=_named(what))
        self._loaded[aggregate.id] = aggregate

    def changed(self) -> list[Any]:
        return [a for a in self._loaded.values() if a.pending_events]


# what a refusal names, by the word the handlers start it with (``party ENT-9``)
_NAMED = {"party": N_("party {code}"), "fund": N_("fund {code}"), "loan": N_("loan {code}"),
          "project": N_("project {code}"), "bank": N_("bank {code}"), "borrower": N_("borrower {code}"),
          "payment": N_("payment {code}")}


def _named(what: str) -> str:
    """``party ENT-9`` as a message (its word translated), anything else as it is."""
    word, _, code = what.partition(" ")
    return Message(_NAMED[word], code=code) if word in _NAMED and code else what
