"""The ledger application: one event log for every aggregate, commands run atomically.

It only coordinates: it loads aggregates, lets the command's handler call domain
methods, and saves every resulting event together with the request record in one
transaction. A version conflict (another officer wrote first) re-runs the command on
fresh state, so caps checked inside aggregates cannot be raced past.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder

from domain.errors import ConflictingRequest, Refused
from domain.ids import request_id as request_aggregate_id
from domain.parameters import ParameterBook, parameter_book
from domain.provenance import Provenance
from domain.request import RecordedRequest
from domain.validity import check_in_force
from ledger.clock import Clock, system_clock
from ledger.commands import HANDLERS, Command, Outcome
from ledger.config import Database, ensure_schema, parse_database
from ledger.transcodings import DateAsISO, ProvenanceAsDict
from ledger.unit_of_work import UnitOfWork

MAX_ATTEMPTS = 20


class Ledger(Application[UUID]):
    name = "jcg"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Clock = system_clock,
        book: ParameterBook | None = None,
    ) -> None:
        super().__init__(env)
        self.clock = clock
        self.book = book or parameter_book()

    @classmethod
    def open(cls, url: str, *, clock: Clock = system_clock, **env: str) -> Ledger:
        """Open (creating tables if needed) the ledger stored at a database URL."""
        db = parse_database(url)
        ensure_schema(db)
        ledger = cls({**db.env, **env}, clock=clock)
        ledger.database = db
        return ledger

    database: Database

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        transcoder.register(ProvenanceAsDict())

    # commands -------------------------------------------------------------------------
    def execute(self, command: Command) -> Outcome:
        """Run a command once: refused (nothing written), recorded, or already recorded."""
        if not command.request_id:
            command = _with_request_id(command, str(uuid.uuid4()))
        if not command.actor.strip():
            raise Refused("no officer given: every request names who records it")
        handler = HANDLERS.get(type(command))
        if handler is None:
            raise Refused(f"no handler for {type(command).__name__}")
        if command.checks_policy_window:
            check_in_force(command.decided, self.book)
        digest = command.digest()
        for _ in range(MAX_ATTEMPTS):
            prior = self.recorded_request(command.request_id)
            if prior is not None:
                if prior.digest != digest:
                    raise ConflictingRequest(
                        f"request id {command.request_id} was already used for a different "
                        f"request ({prior.kind}: {prior.summary}); nothing written"
                    )
                return Outcome(
                    command.request_id,
                    f"already recorded (request {command.request_id}): {prior.summary}; nothing written",
                    already_recorded=True,
                )
            uow = UnitOfWork(self.repository, self.book)
            by = Provenance(
                actor=command.actor,
                recorded_at=self.clock(),
                decided=command.decided,
                request_id=command.request_id,
                ref=command.ref,
            )
            outcome = handler(uow, command, by)
            record = RecordedRequest(
                by=by,
                request=command.request_id,
                kind=command.kind,
                command=command.encoded().decode("utf-8"),
                digest=digest,
                summary=outcome.message,
            )
            try:
                self.save(*uow.changed(), record)
            except IntegrityError:
                continue  # someone else wrote first: re-read and re-evaluate
            return outcome
        raise Refused("the ledger is too busy: the request kept conflicting; try again")

    def recorded_request(self, request: str) -> RecordedRequest | None:
        try:
            return self.repository.get(request_aggregate_id(request))
        except AggregateNotFoundError:
            return None

    # reading --------------------------------------------------------------------------
    def aggregate(self, aggregate_id: UUID) -> Any:
        return self.repository.get(aggregate_id)

    def read_log(self, start: int = 1, stop: int | None = None) -> Iterator[tuple[int, Any]]:
        """Every recorded event in log order, with its position, for projections and audit."""
        position = start
        while True:
            notifications = self.recorder.select_notifications(
                start=position, limit=500, stop=stop
            )
            if not notifications:
                return
            for n in notifications:
                yield n.id, self.mapper.to_domain_event(n)
            position = notifications[-1].id + 1


def _with_request_id(command: Command, request: str) -> Command:
    from dataclasses import replace

    return replace(command, request_id=request)
