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

from eventsourcing.utils import get_topic, resolve_topic

from domain import journal
from domain.officer import OfficerRoster
from domain.request import RecordedRequest
from ledger import checkpoint as cp
from ledger.merkle import Frontier
from ledger.signing import PublicKeys, record_hash, request_message

REQUEST_TOPIC = get_topic(RecordedRequest.Accepted)  # type: ignore[attr-defined]
ROSTER_TOPICS = {get_topic(c) for c in (OfficerRoster.OfficerAdded, OfficerRoster.KeyRotated,  # type: ignore[attr-defined]
                                        OfficerRoster.KeyRevoked)}  # type: ignore[attr-defined]
MAX_PROBLEMS = 50

Progress = Callable[[int, int], None]


@dataclass
class Report:
    events: int = 0
    requests: int = 0
    signatures: int = 0
    money_events: int = 0
    checkpoints: list[str] = field(default_factory=list)
    root: bytes = b""
    problems: list[str] = field(default_factory=list)

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


def verify_ledger(ledger: Any, *, auditor_checkpoint: str | None = None, vkey: str | None = None,
                  progress: Progress | None = None, every: int = 10_000) -> Report:
    """Check everything that can be checked; the report lists the problems, first one first."""
    report = Report()
    mapper = ledger.mapper
    plain = mapper.cipher is not None or mapper.compressor is not None
    total = ledger.recorder.max_notification_id() or 0
    officers: dict[str, _Key] = {}
    keys = PublicKeys()
    frontier = Frontier()
    pending: list[tuple[int, bytes, Any]] = []
    money = _MoneyTopics()
    balance = Decimal(0)

    checkpoints = _checkpoints(ledger, auditor_checkpoint, vkey, report)
    wanted: dict[int, list[tuple[str, cp.Checkpoint]]] = {}
    for label, c in checkpoints:
        wanted.setdefault(c.size, []).append((label, c))

    for n in cp.notifications(ledger):
        leaf = record_hash(n.originator_id, n.originator_version, n.topic, n.state)
        frontier.append(leaf)
        report.events += 1
        for label, c in wanted.get(frontier.size, ()):
            if frontier.root() != c.root:
                report.problem(f"the log up to position {n.id} differs from {label} (tree size {c.size}): "
                               "an event was changed, removed, inserted or reordered")
        signed_hash = leaf
        if plain:
            signed_hash = record_hash(n.originator_id, n.originator_version, n.topic, _plaintext(mapper, n.state))
        if n.topic == REQUEST_TOPIC:
            _check_request(n, _plaintext(mapper, n.state) if plain else n.state, pending, officers, keys, report)
            for pos, _, event in pending:
                if event.topic in ROSTER_TOPICS:
                    _apply_roster(mapper.to_domain_event(event), officers)
                if money.posts(event.topic):
                    report.money_events += 1
                    try:
                        entry = journal.postings(mapper.to_domain_event(event))
                        total_entry = sum((p.amount for p in entry), Decimal(0))
                    except Exception as exc:  # a damaged record must be reported, not crash the audit
                        report.problem(f"position {pos}: the money event cannot be read ({type(exc).__name__}: {exc})")
                        continue
                    if total_entry != 0:
                        report.problem(f"position {pos}: journal entry does not balance (sums to {total_entry})")
                    balance += total_entry
            pending = []
        else:
            pending.append((n.id, signed_hash, n))
        if progress is not None and report.events % every == 0:
            progress(report.events, total)
    if progress is not None:
        progress(report.events, total)
    if pending:
        report.problem(f"position {pending[0][0]}: {len(pending)} event(s) at the end of the log belong to no "
                       "signed request (appended outside the ledger)")
    if balance != 0:
        report.problem(f"the journal does not sum to zero (off by {balance})")
    for label, c in checkpoints:
        if c.size > report.events:
            report.problem(f"{label} covers {c.size} events but the log has only {report.events}: "
                           "events were removed from the end (truncated)")
    report.root = frontier.root()
    return report


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
        report.problem(f"position {n.id}: the request record cannot be read ({exc})")
        return
    request = command.get("request_id", "?")
    stored = [h for _, h, _ in pending]
    if listed != stored:
        for (pos, h, _), want in zip(pending, listed, strict=False):
            if h != want:
                report.problem(f"position {pos}: event differs from what {actor} signed in request {request} "
                               "(changed, swapped or replaced after it was recorded)")
                break
        else:
            where = pending[0][0] if pending else n.id
            report.problem(f"position {where}: request {request} signed {len(listed)} event(s) but "
                           f"{len(stored)} are stored before its record (an event was removed or inserted)")
    if not signature:
        report.problem(f"position {n.id}: request {request} by {actor} is not signed"
                       + ("" if officers else " (recorded while the ledger had no officers)"))
        return
    if not officers and command.get("kind") == "officer.add" and command["body"].get("name") == actor:
        public, role = command["body"].get("public_key", ""), command["body"].get("role", "")  # bootstrap
    else:
        officer = officers.get(actor)
        if officer is None:
            report.problem(f"position {n.id}: request {request} is signed by {actor}, who is not a registered officer")
            return
        if officer.public_key is None or officer.key_id != key_id:
            report.problem(f"position {n.id}: request {request} is signed with key {key_id}, but {actor}'s "
                           f"valid key at this point is {officer.key_id if officer.public_key else 'none (revoked)'}")
            return
        public, role = officer.public_key, officer.role
    if role == "auditor":
        report.problem(f"position {n.id}: request {request} was written by auditor {actor}")
    message = request_message(command_text.encode("utf-8"), summary, listed)
    try:
        good = keys.verifies(public, signature, message)
    except ValueError:
        good = False
    if not good:
        report.problem(f"position {n.id}: the signature of {actor} on request {request} does not verify "
                       "(the command or its events were altered, or the signature forged)")
        return
    report.signatures += 1


def _apply_roster(event: Any, officers: dict[str, _Key]) -> None:
    name = event.name
    if isinstance(event, OfficerRoster.OfficerAdded):  # type: ignore[attr-defined]
        officers[name] = _Key(event.role, event.public_key, event.key_id)
    elif isinstance(event, OfficerRoster.KeyRotated) and name in officers:  # type: ignore[attr-defined]
        officers[name].public_key, officers[name].key_id = event.public_key, event.key_id
    elif isinstance(event, OfficerRoster.KeyRevoked) and name in officers:  # type: ignore[attr-defined]
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


def _checkpoints(ledger: Any, auditor_note: str | None, vkey: str | None,
                 report: Report) -> list[tuple[str, cp.Checkpoint]]:
    """Checkpoints whose signature verifies (bad ones become problems)."""
    notes: list[tuple[str, str]] = []
    try:
        stored = cp.CheckpointStore(ledger).all()
    except cp.CheckpointError:
        stored = []
    # every stored checkpoint is checked (a later one could have been re-signed over a
    # rewritten log); only the last is listed in the report
    for i, row in enumerate(stored, 1):
        last = i == len(stored)
        notes.append((f"the ledger's {'last ' if last else ''}checkpoint #{i} (size {row.size})", row.note))
    if auditor_note is not None:
        notes.append(("the auditor's checkpoint", auditor_note))
    if not notes:
        return []
    if vkey is None:
        path = ledger.keyring.store.directory / "_ledger.vkey"
        vkey = path.read_text().strip() if path.exists() else None
    if vkey is None:
        report.problem("no ledger verifier key (--vkey or $JCG_KEY_DIR/_ledger.vkey): checkpoints cannot be checked")
        return []
    name, public = cp.parse_verifier_key(vkey)
    good = []
    for label, note in notes:
        try:
            c = cp.verify(note, name, public)
        except cp.CheckpointError as exc:
            report.problem(f"{label}: {exc}")
            continue
        if "checkpoint #" not in label or "last" in label:
            report.checkpoints.append(f"{label}: size {c.size}, root {base64.b64encode(c.root).decode()}")
        good.append((label, c))
    return good


# proofs for third parties ------------------------------------------------------------------


def leaf_hashes(ledger: Any) -> tuple[list[int], list[bytes], list[Any]]:
    """Positions, leaf hashes and records of the whole log, in order."""
    positions, hashes, records = [], [], []
    for n in cp.notifications(ledger):
        positions.append(n.id)
        hashes.append(record_hash(n.originator_id, n.originator_version, n.topic, n.state))
        records.append(n)
    return positions, hashes, records


def inclusion_proof_document(ledger: Any, position: int) -> dict[str, Any]:
    """The RFC 9162 inclusion proof of the event at ``position`` in the latest checkpoint
    covering it (a new checkpoint is signed if none does), as a JSON-ready dict."""
    from domain.errors import NotFound
    from ledger.merkle import inclusion_proof
    from ledger.signing import record_bytes

    store = cp.CheckpointStore(ledger)
    latest = store.latest()
    if latest is None or latest.last_position < position:
        latest = cp.write_checkpoint(ledger)
    positions, hashes, records = leaf_hashes(ledger)
    if position not in positions:
        raise NotFound(f"no event is stored at position {position}")
    index = positions.index(position)
    size = latest.size
    checkpoint, _ = cp.parse(latest.note)
    n = records[index]
    return {
        "format": "jcg-inclusion-proof/1 (RFC 9162 §2.1.3)",
        "position": position,
        "leaf_index": index,
        "tree_size": size,
        "leaf_data": base64.b64encode(record_bytes(n.originator_id, n.originator_version, n.topic,
                                                   n.state)).decode(),
        "leaf_hash": hashes[index].hex(),
        "proof": [h.hex() for h in inclusion_proof(index, hashes[:size])],
        "root": checkpoint.root.hex(),
        "checkpoint": latest.note,
        "verifier_key": cp.save_verifier_key(ledger, checkpoint.origin, ledger.keyring.ledger_key()),
    }


def consistency_proof_document(ledger: Any, old: int, new: int) -> dict[str, Any]:
    """The RFC 9162 consistency proof that the first ``old`` events are a prefix of the first ``new``."""
    from domain.errors import Refused
    from ledger.merkle import consistency_proof, root

    _, hashes, _ = leaf_hashes(ledger)
    if not 0 <= old <= new <= len(hashes):
        raise Refused(f"tree sizes must satisfy 0 ≤ OLD ≤ NEW ≤ {len(hashes)} (the log size); got {old}, {new}")
    notes = {c.size: c.note for c in cp.CheckpointStore(ledger).all()}
    return {
        "format": "jcg-consistency-proof/1 (RFC 9162 §2.1.4)",
        "old_size": old,
        "new_size": new,
        "old_root": root(hashes[:old]).hex(),
        "new_root": root(hashes[:new]).hex(),
        "proof": [h.hex() for h in consistency_proof(old, hashes[:new])],
        "old_checkpoint": notes.get(old),
        "new_checkpoint": notes.get(new),
    }
