"""The ledger application: one event log for every aggregate, commands run atomically.

It only coordinates: it loads aggregates, lets the command's handler call domain
methods, and saves every resulting event together with the request record in one
transaction. A version conflict (another officer wrote first) re-runs the command on
fresh state, so caps checked inside aggregates cannot be raced past.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Mapper

from domain.errors import AlreadyRecorded, ConflictingRequest, Refused
from domain.ids import request_id as request_aggregate_id
from domain.messages import N_, Message, Recorded
from domain.officer import ROSTER_ID, OfficerRoster
from domain.parameters import ParameterBook, parameter_book
from domain.provenance import Provenance
from domain.request import RecordedRequest
from domain.rulebook import RULE_BOOK_ID, RuleBook, with_revisions
from domain.validity import check_in_force, check_not_future
from ledger.audit.checkpoint import checkpoint_interval
from ledger.audit.checkpointing import checkpoint_if_due
from ledger.audit.signing import public_key_text, record_hash, request_message, sign
from ledger.commands import HANDLERS, Command, Outcome, checked
from ledger.handlers.officers import Signer, authorize
from ledger.infra import clock as clocks
from ledger.infra.cipher import cipher_env
from ledger.infra.clock import Clock
from ledger.infra.config import (
    LEDGER_NAME,
    Database,
    check_ledger_exists,
    creation_lock,
    ensure_schema,
    parse_database,
)
from ledger.infra.keys import Keyring, KeyStore
from ledger.infra.transcodings import DateAsISO, LedgerTranscoder, ProvenanceAsDict
from ledger.infra.writer_lock import WriterLock
from ledger.unit_of_work import UnitOfWork, WrittenMeanwhile

MAX_ATTEMPTS = 20
# A batch is evaluated optimistically this many times; then once more holding the writer lock
# (ledger.infra.writer_lock), so a large import finishes beside officers writing back to back.
BATCH_ATTEMPTS = 3
SLOW_BATCH_SECONDS = 1.0  # after a conflicting evaluation this long, lock at once (bench/import_beside_writer.py)


class BatchRefused(Refused):
    """A batch with refused commands: nothing was written; ``problems`` holds (index, reason)."""

    def __init__(self, problems: list[tuple[int, str]], total: int):
        self.problems = problems
        super().__init__(f"{len(problems)} of {total} refused; nothing written")


class Ledger(Application[UUID]):
    name = LEDGER_NAME
    # Cached aggregates are fast-forwarded from the store before use and deep-copied out of
    # the cache, so a stale or half-changed copy is never saved (docs/decisions.md).
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "2000"}

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Clock | None = None,
        book: ParameterBook | None = None,
        keyring: Keyring | None = None,
    ) -> None:
        super().__init__(env)
        # looked up when the ledger opens, so a test can fix the CLI's clock (ledger.infra.clock.system_clock)
        self.clock: Clock = clock if clock is not None else clocks.system_clock
        self.book = book or parameter_book()
        self._rule_book_cache: tuple[tuple[int, int], ParameterBook] | None = None
        self._keyring = keyring
        # Signed-request event hashes cover the plaintext record, so they are the same
        # with or without encryption at rest (the cipher's nonce makes ciphertext random).
        self._plain_mapper: Mapper[Any] = Mapper(transcoder=self.mapper.transcoder, compressor=None, cipher=None)
        self.checkpoint_every = checkpoint_interval(self.env.get("JCG_CHECKPOINT_EVERY"))
        # run after every recorded write (the read side keeps its models current here)
        self.after_write: list[Callable[[Ledger], None]] = []
        # (position, event) of what the last write recorded, in log order: an after-write hook
        # applies these without reading them back from the log
        self.recorded: list[tuple[int, Any]] = []

    @property
    def keyring(self) -> Keyring:
        """The private keys this process signs with (default: $JCG_KEY_DIR, $JCG_PASSPHRASE)."""
        if self._keyring is None:
            self._keyring = Keyring(KeyStore.from_env())
        return self._keyring

    @keyring.setter
    def keyring(self, keyring: Keyring) -> None:
        self._keyring = keyring

    @classmethod
    def open(cls, url: str, *, clock: Clock | None = None, keyring: Keyring | None = None, create: bool = True,
             **env: str) -> Ledger:
        """Open the ledger stored at a database URL. ``create``: make the tables if needed
        (`init`, `demo`, tests); otherwise a database without a ledger is refused
        (:class:`~ledger.infra.config.NoLedger`) and nothing is created. A read-only database
        (``?mode=ro``, or a file this process may not write) is never written to."""
        db = parse_database(url)
        if not create or db.read_only:
            cipher = cipher_env()  # a bad key is named before anything else
            check_ledger_exists(db)
            ledger = cls({**db.env, **cipher, "CREATE_TABLE": "no", **env}, clock=clock, keyring=keyring)
        else:
            with creation_lock(db):
                ensure_schema(db)
                ledger = cls({**db.env, **cipher_env(), **env}, clock=clock, keyring=keyring)
        ledger.database = db
        return ledger

    database: Database
    batch_locked = 0  # how many batches had to take the writer lock (benches, tests)

    @property
    def writer_lock(self) -> WriterLock:
        lock = self.__dict__.get("_writer_lock")
        if lock is None:
            lock = self.__dict__["_writer_lock"] = WriterLock(self.__dict__.get("database"))
        return lock

    def close(self) -> None:
        lock = self.__dict__.pop("_writer_lock", None)
        if lock is not None:
            lock.close()
        super().close()

    def construct_transcoder(self) -> LedgerTranscoder:
        transcoder = LedgerTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        transcoder.register(ProvenanceAsDict())

    # commands -------------------------------------------------------------------------
    def execute(self, command: Command) -> Outcome:
        """Run a command once: refused (nothing written), recorded, or already recorded.

        The request record is looked up only when the command is refused or its save
        conflicts: a repeat either fails in its handler or collides with its own record."""
        command = self._prepared(command)
        if command.exclusive:  # a rule-book revision: see _book_moved
            with self.writer_lock.exclusive():
                return self._execute(command)
        return self._execute(command)

    def _execute(self, command: Command) -> Outcome:
        digest = command.digest()
        for _ in range(MAX_ATTEMPTS):
            uow = self._unit_of_work()
            try:
                outcome, events = self._run(uow, command, digest)
            except WrittenMeanwhile:
                continue  # re-read and re-evaluate, as after a conflicting save
            except AlreadyRecorded as same:
                # the same payment under its reference, sent again without its request id
                return self._repeat(command, digest) or Outcome(command.request_id, same.message,
                                                                already_recorded=True)
            except Refused:
                # a repeat of a recorded request is answered as such, whatever the handler says now
                repeated = self._repeat(command, digest)
                if repeated is not None:
                    return repeated
                raise
            try:
                with self.writer_lock.shared():
                    if self._book_moved(uow, events):
                        continue  # a revision was recorded since: re-evaluate under the book as it stands
                    recordings = self.save(*events)
            except IntegrityError:
                # the request record already exists (a repeat) or someone else wrote first
                repeated = self._repeat(command, digest)
                if repeated is not None:
                    return repeated
                continue  # re-read and re-evaluate
            self.recorded = [(r.notification.id, r.domain_event) for r in recordings]
            outcome.warnings.extend(self._after_write(command.actor))
            outcome.position = max((r.notification.id for r in recordings), default=None)
            return outcome
        raise Refused(N_("the ledger is too busy: the request kept conflicting; try again"))

    def execute_batch(
        self,
        commands: Sequence[Command],
        progress: Callable[[int, int], None] | None = None,
        *,
        dry_run: bool = False,
    ) -> list[Outcome]:
        """Run many commands as one: every one is signed as its own request, and all are
        recorded in one transaction or none is. Commands already recorded are skipped (their
        outcome says so); any refusal refuses the batch with every problem listed. A dry run
        checks everything and writes nothing."""
        prepared: list[Command] = []
        problems: list[tuple[int, str]] = []
        for i, c in enumerate(commands):
            try:
                prepared.append(self._prepared(c))
            except Refused as exc:
                problems.append((i, exc.message))
                prepared.append(c)
        ids = [c.request_id for c in prepared]
        if len(set(ids)) != len(ids):
            raise Refused(N_("a batch names the same request id twice"))
        for _ in range(BATCH_ATTEMPTS):
            start = time.perf_counter()
            done = self._batch_attempt(prepared, problems, progress, dry_run)
            if done is not None:
                return done
            if time.perf_counter() - start > SLOW_BATCH_SECONDS:
                break  # a long evaluation would lose again to officers writing meanwhile
        # it kept conflicting: take the writer lock, so this evaluation is saved as it is
        self.batch_locked += 1
        with self.writer_lock.exclusive():
            done = self._batch_attempt(prepared, problems, progress, dry_run)
        if done is not None:
            return done
        raise Refused(N_("the ledger is too busy: the batch kept conflicting; try again"))

    def _batch_attempt(self, prepared: list[Command], problems: list[tuple[int, Any]],
                       progress: Callable[[int, int], None] | None, dry_run: bool) -> list[Outcome] | None:
        """One evaluation of the whole batch and its save: the outcomes, or None on a conflict."""
        uow = self._unit_of_work()
        outcomes: list[Outcome] = []
        events: list[Any] = []
        records: list[tuple[Outcome, int]] = []  # a recorded outcome and the index of its request record
        refused = list(problems)
        malformed = {i for i, _ in problems}
        for i, command in enumerate(prepared):
            if i in malformed:
                continue
            digest = command.digest()
            try:
                repeated = self._repeat(command, digest)
                if repeated is not None:
                    outcomes.append(repeated)
                else:
                    outcome, produced = self._run(uow, command, digest)
                    outcomes.append(outcome)
                    events += produced
                    records.append((outcome, len(events) - 1))
            except WrittenMeanwhile:
                return None  # another command created what a row looked for: re-evaluate all
            except AlreadyRecorded as same:  # a row repeating a recorded payment: skipped
                outcomes.append(Outcome(command.request_id, same.message, already_recorded=True))
            except Refused as exc:
                refused.append((i, exc.message))
            if progress is not None:
                progress(i + 1, len(prepared))
        if refused:
            raise BatchRefused(sorted(refused), len(prepared))
        if dry_run or not events:
            return outcomes
        try:
            with self.writer_lock.shared():
                if self._book_moved(uow, events):
                    return None  # a revision was recorded since: re-evaluate all under it
                recordings = self.save(*events)
        except IntegrityError:
            return None  # someone else wrote first (or recorded one of these): re-evaluate all
        for outcome, last in records:
            outcome.position = recordings[last].notification.id
        self.recorded = [(r.notification.id, r.domain_event) for r in recordings]
        outcomes[-1].warnings.extend(self._after_write(prepared[-1].actor))
        return outcomes

    def _prepared(self, command: Command) -> Command:
        command = checked(command)
        if not command.request_id:
            command = _with_request_id(command, str(uuid.uuid4()))
        if not command.actor.strip():
            raise Refused(N_("no officer given: every request names who records it"))
        if type(command) not in HANDLERS:
            raise Refused(N_("no handler for {name}"), name=type(command).__name__)
        if command.checks_policy_window:
            check_in_force(command.decided, self.book)
        return command

    def _run(self, uow: UnitOfWork, command: Command, digest: str) -> tuple[Outcome, list[Any]]:
        """Authorise, carry out and sign one command: its events, then its signed request
        record, in the order they are to be stored."""
        signer = authorize(uow.find(OfficerRoster, ROSTER_ID), command)
        key = self._signing_key(signer)
        by = Provenance(
            actor=command.actor,
            recorded_at=self.clock(),
            decided=command.decided,
            request_id=command.request_id,
            ref=command.ref,
        )
        check_not_future(command.decided, by.recorded_at)  # today from the ledger's clock
        outcome = HANDLERS[type(command)](uow, command, by)
        events = [e for a in uow.changed() for e in a.collect_events()]
        hashes = [self.event_hash(e) for e in events]
        encoded = command.encoded()
        record = RecordedRequest(
            by=by,
            request=command.request_id,
            kind=command.kind,
            command=encoded.decode("utf-8"),
            digest=digest,
            summary=outcome.message,
            key_id=signer.key_id,
            signature=sign(key, request_message(encoded, outcome.message, hashes)),
            event_hashes=" ".join(h.hex() for h in hashes),
        )
        return outcome, [*events, *record.collect_events()]

    def _after_write(self, actor: str) -> list[Any]:
        """The automatic checkpoint, if due, then the after-write hooks; what stopped a due
        checkpoint (never a failure: the request is saved)."""
        problems = []
        if self.checkpoint_every:
            _, problem = checkpoint_if_due(self, actor)
            if problem is not None:
                problems.append(problem)
        for hook in self.after_write:
            hook(self)
        return problems

    def event_hash(self, event: Any) -> bytes:
        """SHA-256(0x00 ‖ plaintext record) of an event about to be stored (ledger.audit.signing)."""
        s = self._plain_mapper.to_stored_event(event)
        return record_hash(s.originator_id, s.originator_version, s.topic, s.state)

    def _signing_key(self, signer: Signer) -> Any:
        key = self.keyring.key(signer.officer)
        if public_key_text(key) != signer.public_key:
            raise Refused(
                N_("the private key of {officer} in {directory} is not the officer's registered key {key_id} (rotated or revoked?)"), officer=signer.officer, directory=self.keyring.store.directory, key_id=signer.key_id
            )
        return key

    def _repeat(self, command: Command, digest: str) -> Outcome | None:
        """The answer to a request id that is already recorded: the same request changes
        nothing; different content under the same id is refused."""
        prior = self.recorded_request(command.request_id)
        if prior is None:
            return None
        if prior.digest != digest:
            raise ConflictingRequest(
                N_("request id {request_id} was already used for a different request ({kind}: {summary}); nothing written"), request_id=command.request_id, kind=prior.kind, summary=Recorded(prior.summary)
            )
        return Outcome(
            command.request_id,
            Message(N_("already recorded (request {request_id}): {summary}; nothing written"), request_id=command.request_id, summary=Recorded(prior.summary)),
            already_recorded=True,
        )

    def recorded_request(self, request: str) -> RecordedRequest | None:
        try:
            return self.repository.get(request_aggregate_id(request))
        except AggregateNotFoundError:
            return None

    # the rule book (G.4) ----------------------------------------------------------------
    def rule_book(self) -> ParameterBook:
        """The rule book as it stands: ``book`` (the first edition shipped with the package) plus
        every revision recorded in the ledger (`jcg policy revise`)."""
        return self._rule_book_state()[1]

    def _rule_book_state(self) -> tuple[int, ParameterBook]:
        """The recorded rule book's version (0: no revision yet) and the book built from it, read once."""
        try:
            recorded: RuleBook = self.repository.get(RULE_BOOK_ID)
        except AggregateNotFoundError:
            return 0, self.book
        key = (id(self.book), recorded.version)
        if self._rule_book_cache is None or self._rule_book_cache[0] != key:
            self._rule_book_cache = (key, with_revisions(self.book, recorded.revisions))
        return recorded.version, self._rule_book_cache[1]

    def _unit_of_work(self) -> UnitOfWork:
        version, book = self._rule_book_state()
        return UnitOfWork(self.repository, book, self._events, book_version=version)

    def _book_moved(self, uow: UnitOfWork, events: Sequence[Any]) -> bool:
        """Whether a decision about to be saved was evaluated under a rule book that a revision has
        since changed (G.4). Called holding the writer lock shared: a revision is checked and saved
        holding it exclusively (``Command.exclusive``), so either the revision saw this decision in
        the log (and refuses to change a value it used), or the decision sees the revision here and
        is re-evaluated under it; never both recorded with the old value."""
        if not any(getattr(e, "versions", None) for e in events):
            return False  # no decision that read the rule book
        return self._rule_book_state()[0] != uow.book_version

    def _events(self) -> Iterator[Any]:
        return (event for _, event in self.read_log())

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
