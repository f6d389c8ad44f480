"""The auditor's check of the whole history, in one pass over the stored events.

For every stored event in log order: hash it into the RFC 9162 tree; group the events of each
request (they are stored just before its request record) and check the acting officer's
Ed25519 signature over the command and those events' hashes, with the key that officer held
at that point of the log; check every money event's journal entry balances and that all
postings sum to zero. Then check checkpoints (the ledger's, and one the auditor kept) for
their signature and against the recomputed tree. The first problem names the event.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import MapperDeserialisationError
from eventsourcing.utils import get_topic, resolve_topic

from domain import journal
from domain.errors import NotFound, Refused
from domain.ledger_key import LedgerKey
from domain.messages import N_, Message
from domain.officer import OfficerRoster
from domain.request import RecordedRequest
from ledger.application import Ledger
from ledger.audit import checkpoint as cp
from ledger.audit.ledger_key import kept_verifier_key, read_verifier_key, registered_verifier_key, vkey_path
from ledger.audit.merkle import Frontier
from ledger.audit.signing import PublicKeys, record_hash, request_message
from ledger.handlers.rulebook import rule_book_problems
from ledger.infra.cipher import NO_KEY, unreadable_events, wrong_key

REQUEST_TOPIC = get_topic(RecordedRequest.Accepted)
ROSTER_TOPICS = {get_topic(c) for c in (OfficerRoster.OfficerAdded, OfficerRoster.KeyRotated,
                                        OfficerRoster.KeyRevoked, OfficerRoster.RoleChanged,
                                        OfficerRoster.ChangeProposed, OfficerRoster.ChangeConfirmed,
                                        OfficerRoster.ChangeWithdrawn)}
LEDGER_KEY_TOPIC = get_topic(LedgerKey.Registered)
MAX_PROBLEMS = 50

Progress = Callable[[int, int], None]


@dataclass
class CheckpointCheck:
    """One checkpoint the audit checks: its signature, then its size and root against the log."""

    label: Message
    note: str
    listed: bool  # gets its own line (the ledger's last and the auditor's; earlier good ones are counted)
    checkpoint: cp.Checkpoint | None = None
    problem: Message | None = None

    def line(self) -> Message:
        """One line, ok or not (each checkpoint is reported once)."""
        if self.problem is not None:
            return Message(N_("FAILED: {problem}"), problem=self.problem)
        assert self.checkpoint is not None
        return Message(N_("ok: {label}: size {size}, root {root}"), label=self.label, size=self.checkpoint.size,
                       root=base64.b64encode(self.checkpoint.root).decode())


@dataclass
class Report:
    events: int = 0
    requests: int = 0
    signatures: int = 0
    money_events: int = 0
    checkpoints: list[str] = field(default_factory=list)  # one line per checkpoint (earlier good ones summed up)
    checkpoint_problems: list[str] = field(default_factory=list)  # the problems already named in those lines
    ledger_key: str | None = None  # the verifier key checkpoints were checked with
    root: bytes = b""
    problems: list[str] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)  # what the audit cannot settle (not failures)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)


@dataclass
class _Key:
    role: str
    public_key: str | None  # the key valid now (None once revoked)
    key_id: str


def verify_ledger(ledger: Ledger, *, auditor_checkpoint: str | None = None, vkey: str | None = None,
                  progress: Progress | None = None, every: int = 10_000) -> Report:
    """Check everything that can be checked; the report lists the problems, first one first.

    ``vkey`` is the ledger's verifier key as text or a file path (default: the key registered
    in the log, else ``$JCG_KEY_DIR/_ledger.vkey``). Refused (one line) if the stored events
    cannot be read at all: encrypted without ``JCG_CIPHER_KEY``, or with the wrong key."""
    supplied = read_verifier_key(vkey) if vkey is not None else None
    report = Report()
    mapper = ledger.mapper
    _check_readable(ledger)
    plain = mapper.cipher is not None or mapper.compressor is not None
    total = ledger.recorder.max_notification_id() or 0
    officers: dict[str, _Key] = {}
    proposed: dict[str, Any] = {}  # name -> ChangeProposed waiting for a countersignature
    keys = PublicKeys()
    frontier = Frontier()
    pending: list[tuple[int, bytes, Any]] = []
    money = _MoneyTopics()
    balance = Decimal(0)
    registered: tuple[int, str] | None = None  # (position, verifier key) of LedgerKey.Registered
    request_ends: list[tuple[int, int]] = []  # (tree size, position) after each request record

    checks = _checkpoint_checks(ledger, auditor_checkpoint)
    wanted = {c.checkpoint.size for c in checks if c.checkpoint is not None}
    roots: dict[int, tuple[bytes, int]] = {}  # tree size -> (root, position of its last event)
    if 0 in wanted:
        roots[0] = (frontier.root(), 0)

    for n in cp.notifications(ledger):
        leaf = record_hash(n.originator_id, n.originator_version, n.topic, n.state)
        frontier.append(leaf)
        report.events += 1
        if not isinstance(n.originator_id, UUID):
            report.problem(Message(N_("position {id}: originator id stored as {originator_id!r}, not as the ledger writes it (the event was edited; its aggregate no longer finds it)"), id=n.id, originator_id=n.originator_id))
        if frontier.size in wanted:
            roots[frontier.size] = (frontier.root(), n.id)
        signed_hash = leaf
        state = n.state
        if isinstance(state, cp.DamagedState):
            report.problem(Message(N_("position {id}: damaged record: its state is {stored}, not bytes (the database was edited outside the ledger)"), id=n.id, stored=state.stored))
        elif plain:
            try:
                state = _plaintext(mapper, n.state)
            except Exception as exc:  # damaged ciphertext: reported, and its signed hash will not match
                report.problem(Message(N_("position {id}: the stored event cannot be decrypted ({exc})"), id=n.id, exc=exc))
            else:
                signed_hash = record_hash(n.originator_id, n.originator_version, n.topic, state)
        if n.topic == REQUEST_TOPIC:
            request_ends.append((frontier.size, n.id))
            _check_request(n, state, pending, officers, keys, report)
            for pos, _, event in pending:
                if event.topic in ROSTER_TOPICS:
                    decoded = _decode(mapper, pos, event, report)
                    if decoded is not None:
                        _apply_roster(decoded, officers, proposed)
                elif event.topic == LEDGER_KEY_TOPIC:
                    decoded = _decode(mapper, pos, event, report)
                    if decoded is None:
                        pass
                    elif registered is None:
                        registered = (pos, decoded.verifier_key)
                    else:
                        report.problem(Message(N_("position {pos}: a second ledger key is registered (the first, at position {registered}, is never replaced)"), pos=pos, registered=registered[0]))
                if money.posts(event.topic):
                    report.money_events += 1
                    try:
                        entry = journal.postings(mapper.to_domain_event(event))
                        total_entry = sum((p.amount for p in entry), Decimal(0))
                    except Exception as exc:  # a damaged record must be reported, not crash the audit
                        report.problem(Message(N_("position {pos}: the money event cannot be read ({name}: {exc})"), pos=pos, name=type(exc).__name__, exc=exc))
                        continue
                    if total_entry != 0:
                        report.problem(Message(N_("position {pos}: journal entry does not balance (sums to {total_entry})"), pos=pos, total_entry=total_entry))
                    balance += total_entry
            pending = []
        else:
            pending.append((n.id, signed_hash, n))
        if progress is not None and report.events % every == 0:
            progress(report.events, total)
    if progress is not None and (report.events == 0 or report.events % every != 0):
        progress(report.events, total)  # the last line (unless it was just shown)
    if pending:
        report.problem(Message(N_("position {pending}: {count_pending} event(s) at the end of the log belong to no signed request (appended outside the ledger)"), pending=pending[0][0], count_pending=len(pending)))
    if balance != 0:
        report.problem(Message(N_("the journal does not sum to zero (off by {balance})"), balance=balance))
    for problem in rule_book_problems(ledger):  # decisions against the rule book as it stood (G.4)
        report.problem(problem)
    report.root = frontier.root()
    if checks:
        report.ledger_key = _ledger_key(ledger, supplied, registered, report)
        _check_checkpoints(checks, report.ledger_key, roots, report)
    stored = sorted({c.checkpoint.size for c in checks[:len(checks) - (auditor_checkpoint is not None)]
                     if c.checkpoint is not None})
    report.notes += checkpoint_gaps(stored, request_ends, report.events, ledger.checkpoint_every)
    if auditor_checkpoint is None:
        last = (Message(N_("the ledger's last stored checkpoint covers {size} of {events} events, so the one "
                           "you kept last should be at least that large"),
                        size=f"{stored[-1]:,}", events=f"{report.events:,}") if stored
                else Message(N_("the ledger has no stored checkpoint")))
        report.notes.append(Message(N_(
            "without --checkpoint, removal of the newest requests (truncation) cannot be detected: only a "
            "checkpoint kept outside the database shows it. Pass the last one you kept with --checkpoint FILE "
            "(jcg audit checkpoint --out FILE writes one); {last}"), last=last))
    return report


def checkpoint_gaps(stored: list[int], request_ends: list[tuple[int, int]], events: int,
                    every: int) -> list[Message]:
    """Where an automatic checkpoint was due (every ``every`` events, after the request that
    crossed the mark) and none is stored: a missed checkpoint (no key, wrong passphrase) or a
    deleted one. Judged with this process's JCG_CHECKPOINT_EVERY (the writers' should match)."""
    if not every or not request_ends:
        return []
    gaps = []
    bounds = [0, *stored]
    for i, start in enumerate(bounds):
        nxt = bounds[i + 1] if i + 1 < len(bounds) else None
        due = next(((size, pos) for size, pos in request_ends if size - start >= every), None)
        if due is None:
            continue
        if nxt is None:
            gaps.append(Message(N_(
                "checkpoint gap: a checkpoint was due after tree size {due} (position {position}; "
                "JCG_CHECKPOINT_EVERY={every}) and none is stored since size {start}: {uncovered} events are "
                "covered by no stored checkpoint (the ledger key missing or not opened on the writing machine, "
                "or checkpoints deleted)"), due=f"{due[0]:,}", position=due[1], every=every, start=f"{start:,}",
                uncovered=f"{events - start:,}"))
        elif nxt - due[0] >= every:
            gaps.append(Message(N_(
                "checkpoint gap: a checkpoint was due after tree size {due} (position {position}) and the next "
                "stored one is of size {next} (JCG_CHECKPOINT_EVERY={every})"),
                due=f"{due[0]:,}", position=due[1], next=f"{nxt:,}", every=every))
    return gaps


def _decode(mapper: Any, pos: int, stored: Any, report: Report) -> Any:
    try:
        return mapper.to_domain_event(stored)
    except Exception as exc:
        report.problem(Message(N_("position {pos}: the event cannot be read ({name})"), pos=pos, name=type(exc).__name__))
        return None


def _check_readable(ledger: Ledger) -> None:
    """Refuse in one line when none of the first stored events can be read with this cipher key."""
    sample = [n for _, n in zip(range(5), cp.notifications(ledger), strict=False)]
    if not sample:
        return
    mapper = ledger.mapper
    errors: list[Exception] = []
    for n in sample:
        if isinstance(n.state, cp.DamagedState):
            continue  # neither ciphertext nor plaintext: the audit names it
        try:
            mapper.to_domain_event(n)
            return
        except Exception as exc:
            errors.append(exc)
    if not errors:
        return
    if mapper.cipher is None:
        if unreadable_events(errors[0], key_set=False) == NO_KEY:
            raise Refused(NO_KEY)
        return  # damaged plaintext records: the audit names each one
    cause: BaseException = errors[0]
    while isinstance(cause, MapperDeserialisationError) and cause.__cause__ is not None:
        # the mapper wraps the cipher's own error ("Invalid cipher tag")
        cause = cause.__cause__
    raise Refused(wrong_key((str(cause).strip().splitlines() or [type(cause).__name__])[0]))


def _plaintext(mapper: Any, state: bytes) -> bytes:
    if mapper.cipher is not None:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor is not None:
        state = mapper.compressor.decompress(state)
    return state


def _check_request(n: Any, state: bytes, pending: list[tuple[int, bytes, Any]], officers: dict[str, _Key],
                   keys: PublicKeys, report: Report) -> None:
    report.requests += 1
    try:
        record = json.loads(state)
        command_text: str = record["command"]
        command = json.loads(command_text)
        actor: str = command["body"]["actor"]
        summary: str = record["summary"]
        signature: str = record.get("signature", "")
        key_id: str = record.get("key_id", "")
        listed = [bytes.fromhex(h) for h in record.get("event_hashes", "").split()]
    except (ValueError, KeyError, TypeError) as exc:
        report.problem(Message(N_("position {id}: the request record cannot be read ({exc})"), id=n.id, exc=exc))
        return
    request = command.get("request_id", "?")
    stored = [h for _, h, _ in pending]
    if listed != stored:
        for (pos, h, _), want in zip(pending, listed, strict=False):
            if h != want:
                report.problem(Message(N_("position {pos}: event differs from what {actor} signed in request {request} (changed, swapped or replaced after it was recorded)"), pos=pos, actor=actor, request=request))
                break
        else:
            where = pending[0][0] if pending else n.id
            report.problem(Message(N_("position {where}: request {request} signed {count_listed} event(s) but {count_stored} are stored before its record (an event was removed or inserted)"), where=where, request=request, count_listed=len(listed), count_stored=len(stored)))
    if not signature:
        report.problem(Message(N_("position {id}: request {request} by {actor} is not signed"), id=n.id,
                               request=request, actor=actor) if officers else
                       Message(N_("position {id}: request {request} by {actor} is not signed (recorded while the "
                                  "ledger had no officers)"), id=n.id, request=request, actor=actor))
        return
    if not officers and command.get("kind") == "officer.add" and command["body"].get("name") == actor:
        public, role = command["body"].get("public_key", ""), command["body"].get("role", "")  # bootstrap
    else:
        officer = officers.get(actor)
        if officer is None:
            report.problem(Message(N_("position {id}: request {request} is signed by {actor}, who is not a registered officer"), id=n.id, request=request, actor=actor))
            return
        if officer.public_key is None or officer.key_id != key_id:
            report.problem(Message(N_("position {id}: request {request} is signed with key {key_id}, but {actor}'s valid key at this point is {value}"), id=n.id, request=request, key_id=key_id, actor=actor, value=officer.key_id if officer.public_key else 'none (revoked)'))
            return
        public, role = officer.public_key, officer.role
    if role == "auditor":
        report.problem(Message(N_("position {id}: request {request} was written by auditor {actor}"), id=n.id, request=request, actor=actor))
    message = request_message(command_text.encode("utf-8"), summary, listed)
    try:
        good = keys.verifies(public, signature, message)
    except ValueError:
        good = False
    if not good:
        report.problem(Message(N_("position {id}: the signature of {actor} on request {request} does not verify (the command or its events were altered, or the signature forged)"), id=n.id, actor=actor, request=request))
        return
    report.signatures += 1


def _apply_roster(event: Any, officers: dict[str, _Key], proposed: dict[str, Any]) -> None:
    """The roster as verify needs it: who signs with which key in which role, including the
    approver registrations, promotions and keys that take effect when a second approver confirms."""
    name = event.name
    if isinstance(event, OfficerRoster.ChangeProposed):
        proposed[name] = event
    elif isinstance(event, OfficerRoster.ChangeWithdrawn):
        proposed.pop(name, None)
    elif isinstance(event, OfficerRoster.ChangeConfirmed) and name in proposed:
        change = proposed.pop(name)
        if change.change == "add":
            officers[name] = _Key(change.role, change.public_key, change.key_id)
        elif name in officers and change.change == "promote":
            officers[name].role = change.role
        elif name in officers:
            officers[name].public_key, officers[name].key_id = change.public_key, change.key_id
    elif isinstance(event, OfficerRoster.RoleChanged) and name in officers:
        officers[name].role = event.role
    elif isinstance(event, OfficerRoster.OfficerAdded):
        officers[name] = _Key(event.role, event.public_key, event.key_id)
    elif isinstance(event, OfficerRoster.KeyRotated) and name in officers:
        officers[name].public_key, officers[name].key_id = event.public_key, event.key_id
    elif isinstance(event, OfficerRoster.KeyRevoked) and name in officers:
        if officers[name].key_id == event.key_id:
            officers[name].public_key = None


class _MoneyTopics:
    """Which stored topics post to the journal (decoded only those: decoding is the slow part)."""

    def __init__(self) -> None:
        self._default = journal.postings.dispatch(object)
        self._known: dict[str, bool] = {}

    def posts(self, topic: str) -> bool:
        known = self._known.get(topic)
        if known is None:
            try:
                known = journal.postings.dispatch(resolve_topic(topic)) is not self._default
            except Exception:
                known = False
            self._known[topic] = known
        return known


def _checkpoint_checks(ledger: Ledger, auditor_note: str | None) -> list[CheckpointCheck]:
    """Every stored checkpoint (a later one could have been re-signed over a rewritten log) and
    the auditor's, parsed; nothing verified yet."""
    stored = cp.CheckpointStore(ledger, create=False).all()
    checks = [CheckpointCheck(Message(N_("the ledger's last checkpoint #{number}") if i == len(stored)
                                      else N_("the ledger's checkpoint #{number}"), number=i), row.note,
                              i == len(stored)) for i, row in enumerate(stored, 1)]
    if auditor_note is not None:
        checks.append(CheckpointCheck(Message(N_("the auditor's checkpoint")), auditor_note, True))
    for c in checks:
        try:
            c.checkpoint = cp.parse(c.note)[0]
        except cp.CheckpointError as exc:
            c.problem = Message(N_("{label}: {exc}"), label=c.label, exc=exc)
    return checks


def _ledger_key(ledger: Ledger, supplied: str | None, registered: tuple[int, str] | None,
                report: Report) -> str | None:
    """The key checkpoints must be signed with: the auditor's, else the one registered in the log,
    else $JCG_KEY_DIR/_ledger.vkey; a disagreement between them is a problem."""
    kept = kept_verifier_key(ledger)
    if registered is not None:
        pos, in_log = registered
        if supplied is not None and supplied != in_log:
            report.problem(Message(N_("position {pos}: the ledger key registered in the log ({kid}) is not the verifier key supplied ({kid2})"), pos=pos, kid=_kid(in_log), kid2=_kid(supplied)))
        elif supplied is None and kept is not None and kept != in_log:
            report.problem(Message(N_("{vkey_path} ({kid}) is not the ledger key registered in the log at position {pos} ({kid2})"), vkey_path=vkey_path(ledger), kid=_kid(kept), pos=pos, kid2=_kid(in_log)))
    key = supplied or (registered[1] if registered else None) or kept
    if key is None:
        report.problem(Message(N_("no ledger verifier key (--vkey, one registered in the log, or $JCG_KEY_DIR/_ledger.vkey): checkpoints cannot be checked")))
    return key


def _check_checkpoints(checks: list[CheckpointCheck], vkey: str | None, roots: dict[int, tuple[bytes, int]],
                       report: Report) -> None:
    name_public = cp.parse_verifier_key(vkey) if vkey is not None else None
    for c in checks:
        if c.problem is None and name_public is None:
            c.problem = Message(N_("{label}: not checked (no verifier key)"), label=c.label)
        if c.problem is None:
            assert name_public is not None  # a check without a key got its problem above
            try:
                cp.verify(c.note, *name_public)
            except cp.CheckpointError as exc:
                c.problem = Message(N_("{label}: {exc}"), label=c.label, exc=exc)
        if c.problem is None and c.checkpoint is not None:
            size = c.checkpoint.size
            if size > report.events:
                c.problem = Message(N_("{label} covers {size} events but the log has only {events}: events were "
                                       "removed from the end (truncated)"), label=c.label, size=size,
                                    events=report.events)
            elif roots[size][0] != c.checkpoint.root:
                c.problem = Message(N_("the log up to position {position} differs from {label} (tree size {size}): "
                                       "an event was changed, removed, inserted or reordered"),
                                    position=roots[size][1], label=c.label, size=size)
        if c.problem is not None:
            report.problem(c.problem)
            report.checkpoint_problems.append(c.problem)
    earlier_ok = sum(1 for c in checks if not c.listed and c.problem is None)
    for c in checks:
        if c.listed or c.problem is not None:
            report.checkpoints.append(c.line())
    if earlier_ok:
        report.checkpoints.append(Message(N_("ok: {count} earlier checkpoint(s) of the ledger"), count=earlier_ok))


def _kid(vkey: str) -> Message:
    parts = vkey.split("+", 2)
    return Message(N_("key ID {key_id}"), key_id=parts[1]) if len(parts) == 3 else Message(N_("an unreadable key"))


# proofs for third parties ------------------------------------------------------------------


def leaf_hashes(ledger: Ledger, stop: int | None = None) -> tuple[list[int], list[bytes], list[Any]]:
    """Positions, leaf hashes and records of the log (up to position ``stop``), in order."""
    positions, hashes, records = [], [], []
    for n in cp.notifications(ledger, stop=stop):
        positions.append(n.id)
        hashes.append(record_hash(n.originator_id, n.originator_version, n.topic, n.state))
        records.append(n)
    return positions, hashes, records


def check_kept_checkpoint(ledger: Ledger, note: str, hashes: list[bytes], vkey: str | None = None) -> cp.Checkpoint:
    """A checkpoint the auditor kept, checked before anything is proved from it: its signature
    (by ``vkey``, else the ledger key registered in the log, else ``_ledger.vkey``), then its
    size and root against the log as it is now. A forked or truncated log is refused."""
    key = read_verifier_key(vkey) if vkey is not None else (registered_verifier_key(ledger)
                                                            or kept_verifier_key(ledger))
    if key is None:
        raise Refused(N_("no ledger verifier key to check the kept checkpoint with (--vkey VKEY)"))
    checkpoint = cp.verify(note, *cp.parse_verifier_key(key))
    from ledger.audit.merkle import root

    if checkpoint.size > len(hashes):
        raise Refused(N_("the kept checkpoint covers {size} events but the log has only {events}: events were "
                         "removed from the end (truncated)"), size=f"{checkpoint.size:,}", events=f"{len(hashes):,}")
    if root(hashes[:checkpoint.size]) != checkpoint.root:
        raise Refused(N_("the log's first {size} events differ from the kept checkpoint: the log was forked or "
                         "rewritten after that checkpoint was kept"), size=f"{checkpoint.size:,}")
    return checkpoint


def inclusion_proof_document(ledger: Ledger, position: int, *, kept: str | None = None,
                             vkey: str | None = None) -> dict[str, Any]:
    """The RFC 9162 inclusion proof of the event at ``position`` in the checkpoint ``kept``
    (the auditor's, checked first), else in the latest stored checkpoint covering it, as a
    JSON-ready dict. A read: it never signs or writes anything."""
    from ledger.audit.merkle import inclusion_proof
    from ledger.audit.signing import record_bytes

    if position < 1 or position > (ledger.recorder.max_notification_id() or 0):
        raise NotFound(N_("no event is stored at position {position}"), position=position)
    if kept is not None:
        positions, hashes, records = leaf_hashes(ledger)
        checkpoint = check_kept_checkpoint(ledger, kept, hashes, vkey)
        positions, hashes, records = (positions[:checkpoint.size], hashes[:checkpoint.size],
                                      records[:checkpoint.size])
        if position not in positions:
            raise Refused(N_("the event at position {position} is not in the kept checkpoint (tree size {size})"),
                          position=position, size=f"{checkpoint.size:,}")
        note, size = kept, checkpoint.size
    else:
        covering = cp.CheckpointStore(ledger, create=False).covering(position)
        if covering is None:
            raise Refused(N_("no checkpoint covers position {position} yet: an officer runs `jcg audit checkpoint`"),
                          position=position)
        positions, hashes, records = leaf_hashes(ledger, stop=covering.last_position)
        if position not in positions:
            raise NotFound(N_("no event is stored at position {position}"), position=position)
        if len(hashes) != covering.size:
            raise Refused(N_("the stored checkpoint of size {size} does not match the log ({count_hashes} events up "
                             "to position {last_position}): run `jcg audit verify`"),
                          size=covering.size, count_hashes=len(hashes), last_position=covering.last_position)
        note, size = covering.note, covering.size
    index = positions.index(position)
    checkpoint, _ = cp.parse(note)
    n = records[index]
    return {
        "format": "jcg-inclusion-proof/1 (RFC 9162 §2.1.3)",
        "position": position,
        "leaf_index": index,
        "tree_size": size,
        "leaf_data": base64.b64encode(record_bytes(n.originator_id, n.originator_version, n.topic,
                                                   n.state)).decode(),
        "leaf_hash": hashes[index].hex(),
        "proof": [h.hex() for h in inclusion_proof(index, hashes)],
        "root": checkpoint.root.hex(),
        "checkpoint": note,
        "verifier_key": registered_verifier_key(ledger) or kept_verifier_key(ledger),
    }


def inclusion_proof_text(doc: dict[str, Any]) -> str:
    """The proof as a c2sp.org/tlog-proof@v1 file (ledger.audit.tlog)."""
    from ledger.audit.tlog import inclusion_text

    return inclusion_text(base64.b64decode(doc["leaf_data"]), doc["leaf_index"],
                          [bytes.fromhex(h) for h in doc["proof"]], doc["checkpoint"])


def consistency_proof_document(ledger: Ledger, old: int | str, new: int | str, *,
                               vkey: str | None = None) -> dict[str, Any]:
    """The RFC 9162 consistency proof that the first ``old`` events are a prefix of the first
    ``new``. Either may be a tree size or a checkpoint's text: a checkpoint is checked first
    (signature, and its root against the log: a forked log is refused, never proved)."""
    from ledger.audit.merkle import consistency_proof, root

    _, hashes, _ = leaf_hashes(ledger)
    notes = {c.size: c.note for c in cp.CheckpointStore(ledger, create=False).all()}
    sizes = []
    for side in (old, new):
        if isinstance(side, str):
            checkpoint = check_kept_checkpoint(ledger, side, hashes, vkey)
            notes[checkpoint.size] = side
            sizes.append(checkpoint.size)
        else:
            sizes.append(side)
    m, n = sizes
    if not 0 <= m <= n <= len(hashes):
        raise Refused(N_("tree sizes must satisfy 0 ≤ OLD ≤ NEW ≤ {count_hashes} (the log size); got {old}, {new}"),
                      count_hashes=len(hashes), old=m, new=n)
    return {
        "format": "jcg-consistency-proof/1 (RFC 9162 §2.1.4)",
        "old_size": m,
        "new_size": n,
        "old_root": root(hashes[:m]).hex(),
        "new_root": root(hashes[:n]).hex(),
        "proof": [h.hex() for h in consistency_proof(m, hashes[:n])],
        "old_checkpoint": notes.get(m),
        "new_checkpoint": notes.get(n),
    }


def consistency_proof_text(doc: dict[str, Any]) -> str:
    """The proof in the tlog style (ledger.audit.tlog); it carries the newer checkpoint, so NEW must
    be the size of a stored (or given) checkpoint."""
    from ledger.audit.tlog import consistency_text

    if doc["new_checkpoint"] is None:
        raise Refused(N_("no checkpoint of tree size {size} is stored: name a checkpoint's size or file as NEW "
                         "(the text proof carries it), or use --format json"), size=doc["new_size"])
    return consistency_text(doc["old_size"], doc["new_size"], [bytes.fromhex(h) for h in doc["proof"]],
                            doc["new_checkpoint"])
