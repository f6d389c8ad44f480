"""Checkpoints: signed tree heads in the C2SP tlog-checkpoint / signed-note text format.

A checkpoint is the note text

    <origin>\\n<tree size>\\n<base64 root hash>\\n

followed by a blank line and one signature line per key:
``— <key name> base64(4-byte key ID ‖ Ed25519 signature over the note text)``. The key ID is
``SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key)[:4]`` (c2sp.org/signed-note). Any
tool that reads C2SP checkpoints (e.g. golang.org/x/mod/sumdb/note) can check ours given the
verifier key ``<name>+<hex key ID>+base64(0x01 ‖ public key)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from eventsourcing.persistence import IntegrityError, Notification

from domain.errors import Refused
from domain.messages import N_
from ledger.audit.merkle import Frontier
from ledger.audit.signing import raw_public, record_hash
from ledger.ports import LedgerApp

ED25519 = b"\x01"  # signature type byte of signed-note Ed25519 signatures
DASH = "\u2014"  # em dash that starts a signature line


class CheckpointError(Refused):
    """A checkpoint that is malformed or whose signature does not verify."""




def key_id(name: str, public: bytes) -> bytes:
    """The 4-byte signed-note key ID of an Ed25519 key."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519 + public).digest()[:4]


def verifier_key(name: str, public: bytes) -> str:
    """``name+hexid+base64(0x01‖key)``: what an auditor keeps to check checkpoints."""
    return f"{name}+{key_id(name, public).hex()}+{base64.b64encode(ED25519 + public).decode()}"


def parse_verifier_key(vkey: str) -> tuple[str, bytes]:
    """(key name, raw public key) from a verifier key string."""
    try:
        name, hex_id, b64 = vkey.strip().split("+", 2)
        blob = base64.b64decode(b64, validate=True)
    except (ValueError, binascii.Error):
        raise CheckpointError(N_("{vkey!r} is not a signed-note verifier key"), vkey=vkey) from None
    if len(blob) != 33 or blob[:1] != ED25519:
        raise CheckpointError(N_("verifier key is not an Ed25519 key"))
    if key_id(name, blob[1:]).hex() != hex_id:
        raise CheckpointError(N_("verifier key ID does not match its key"))
    return name, blob[1:]


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        """The note text the signature covers (ends with a newline)."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    def sign(self, name: str, private: Ed25519PrivateKey) -> str:
        """The signed note: body, blank line, one signature line."""
        if not name or any(c.isspace() or c == "+" for c in name):
            raise CheckpointError(N_("key name {name!r} may not contain spaces or '+'"), name=name)
        text = self.body()
        public = raw_public(private.public_key())
        signature = private.sign(text.encode("utf-8"))
        return f"{text}\n{DASH} {name} {base64.b64encode(key_id(name, public) + signature).decode()}\n"


def parse(note: str) -> tuple[Checkpoint, list[tuple[str, bytes, bytes]]]:
    """The checkpoint and its signature lines (name, key ID, signature); nothing verified yet."""
    text, sep, signatures = note.partition("\n\n")
    if not sep or not signatures.endswith("\n"):
        raise CheckpointError(N_("not a signed note (no blank line before the signatures)"))
    lines = text.split("\n")
    if len(lines) < 3:
        raise CheckpointError(N_("checkpoint needs an origin, a tree size and a root hash"))
    origin, size_text, root_text = lines[:3]
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise CheckpointError(N_("tree size {size_text!r} is not a decimal number"), size_text=size_text)
    try:
        root = base64.b64decode(root_text, validate=True)
    except binascii.Error:
        raise CheckpointError(N_("root hash is not base64")) from None
    if len(root) != 32:
        raise CheckpointError(N_("root hash is not 32 bytes"))
    sigs = []
    for line in signatures[:-1].split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise CheckpointError(N_("malformed signature line {line!r}"), line=line)
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except binascii.Error:
            raise CheckpointError(N_("signature is not base64")) from None
        if len(blob) < 5:
            raise CheckpointError(N_("signature too short"))
        sigs.append((parts[1], blob[:4], blob[4:]))
    return Checkpoint(origin, int(size_text), root), sigs


def verify(note: str, name: str, public: bytes, *, origin: str | None = None) -> Checkpoint:
    """The checkpoint, if ``note`` carries a valid signature by the key (name, public)."""
    checkpoint, sigs = parse(note)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(N_("checkpoint is for log {origin!r}, not {origin2!r}"), origin=checkpoint.origin, origin2=origin)
    wanted = key_id(name, public)
    key = Ed25519PublicKey.from_public_bytes(public)
    text = note.partition("\n\n")[0] + "\n"
    known = [sig for n, kid, sig in sigs if n == name and kid == wanted]
    if not known:
        raise CheckpointError(N_("checkpoint is not signed by the ledger key {name} ({hex})"), name=name, hex=wanted.hex())
    for sig in known:
        try:
            key.verify(sig, text.encode("utf-8"))
        except InvalidSignature:
            raise CheckpointError(
                N_("checkpoint signature by {name} does not verify (forged or altered checkpoint)"), name=name
            ) from None
    return checkpoint


# the ledger's stored checkpoints -----------------------------------------------------------
# Kept in a table beside the events (jcg_checkpoints) with the tree's right-edge frontier, so
# the next checkpoint only hashes the events recorded since. The table is a convenience: an
# auditor trusts only checkpoints whose signature verifies (ideally ones they kept themselves).

DEFAULT_INTERVAL = 100  # measured: an incremental checkpoint costs ~1 ms (docs/decisions.md)
DEFAULT_ORIGIN = "jcg-ledger.linfen.example/log"
BATCH = 2000


def checkpoint_interval(value: str | None) -> int:
    """Events between automatic checkpoints ($JCG_CHECKPOINT_EVERY; 0 turns them off)."""
    if value is None or value == "":
        return DEFAULT_INTERVAL
    if not value.isdigit():
        raise ValueError(f"JCG_CHECKPOINT_EVERY={value!r} is not a whole number")
    return int(value)


def log_origin(env: Any) -> str:
    return str(env.get("JCG_LOG_ORIGIN") or DEFAULT_ORIGIN)


def notifications(ledger: LedgerApp, start: int = 1, stop: int | None = None) -> Iterator[Notification]:
    """Every stored event record in log order, its state as the stored bytes.

    Read here, not through the recorder: an operator's SQL edit can leave a TEXT value in the
    BLOB column (``replace()``, ``||``, ``cast(state as text)``), which the recorder returns as
    ``str`` or, when it is not UTF-8 (ciphertext), cannot read at all. The audit must hash the
    bytes whatever their column type (identical content as TEXT is the same bytes), so it can
    name the edited event instead of crashing."""
    module = ledger.env.get("PERSISTENCE_MODULE", "")
    position = start
    while True:
        if module.endswith("sqlite"):
            batch = _sqlite_batch(ledger, position, stop)
        else:
            batch = [_as_bytes(n) for n in
                     ledger.recorder.select_notifications(start=position, limit=BATCH, stop=stop)]
        if not batch:
            return
        yield from batch
        position = batch[-1].id + 1


def _sqlite_batch(ledger: LedgerApp, start: int, stop: int | None) -> list[Notification]:
    recorder = ledger.recorder
    sql = (f"SELECT rowid, originator_id, originator_version, topic, state FROM {recorder.events_table_name} "
           "WHERE rowid >= ? " + ("AND rowid <= ? " if stop is not None else "") + "ORDER BY rowid LIMIT ?")
    params = [start, *([stop] if stop is not None else []), BATCH]
    with recorder.datastore.transaction(commit=False) as c:
        conn = c.sqlite_cursor.connection
        factory = conn.text_factory
        conn.text_factory = bytes  # TEXT values come back as their stored bytes, never decoded
        try:
            cursor = conn.execute(sql, params)
            rows = cursor.fetchall()
            cursor.close()
        finally:
            conn.text_factory = factory
    return [Notification(id=int(r[0]), originator_id=_stored_id(r[1]), originator_version=int(r[2]),
                         topic=_text(r[3]), state=stored_state(r[4]))
            for r in rows]


class DamagedState(bytes):
    """The state of a record whose column holds no bytes at all (NULL, a number): an edit
    outside the ledger. Hashed as no bytes; ``stored`` says what the column held, so the
    audit names the record instead of crashing (or, for an integer, allocating that many bytes)."""

    stored: str

    def __new__(cls, stored: str) -> DamagedState:
        self = super().__new__(cls, b"")
        self.stored = stored
        return self


def stored_state(value: Any) -> bytes:
    """A stored state read by its type: bytes as they are, text as its UTF-8 bytes, anything
    else a DamagedState (never ``bytes(value)``: ``bytes(10**9)`` is a gigabyte of zeros)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if value is None:
        return DamagedState("NULL")
    if isinstance(value, bool | int):
        return DamagedState(f"the integer {value}")
    if isinstance(value, float):
        return DamagedState(f"the real number {value!r}")
    return DamagedState(f"a {type(value).__name__}")


def _stored_id(value: Any) -> UUID | str:
    """The UUID when stored as the recorder writes it (32 lower-case hex digits), else the raw
    text: the audit names such a row (the recorder would no longer find it in its aggregate)."""
    text = _text(value)
    try:
        parsed = UUID(text)
    except ValueError:
        return text
    return parsed if parsed.hex == text else text


def _text(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def _as_bytes(n: Notification) -> Notification:
    if type(n.state) is bytes:
        return n
    state = stored_state(n.state)
    return Notification(id=n.id, originator_id=n.originator_id, originator_version=n.originator_version,
                        topic=n.topic, state=state)


def leaf_of(n: Any) -> bytes:
    return record_hash(n.originator_id, n.originator_version, n.topic, n.state)


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    last_position: int
    frontier: list[str]
    note: str


class CheckpointStore:
    """The table of checkpoints the ledger signed, on SQLite or PostgreSQL.

    Readers (``create=False``: verify, prove, consistency) never write, not even the table:
    a ledger without the table simply has no checkpoints yet."""

    def __init__(self, ledger: LedgerApp, *, create: bool = True):
        self.ledger = ledger
        module = ledger.env.get("PERSISTENCE_MODULE", "")
        if module.endswith("sqlite"):
            self.table, self.mark = "jcg_checkpoints", "?"
            self._exists_sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'jcg_checkpoints'"
        elif module.endswith("postgres"):
            schema = ledger.recorder.datastore.schema
            self.table, self.mark = f'"{schema}".jcg_checkpoints', "%s"
            self._exists_sql = f"SELECT 1 FROM pg_tables WHERE schemaname = '{schema}' AND tablename = 'jcg_checkpoints'"
        else:
            raise CheckpointError(N_("checkpoints are stored only in SQLite or PostgreSQL ledgers"))
        self._exists = False
        if create:
            with self._cursor(commit=True) as c:
                c.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (size BIGINT PRIMARY KEY, "
                          "last_position BIGINT NOT NULL, frontier TEXT NOT NULL, note TEXT NOT NULL)")
            self._exists = True

    def _cursor(self, *, commit: bool) -> Any:
        return self.ledger.recorder.datastore.transaction(commit=commit)

    def _readable(self) -> bool:
        if not self._exists:
            with self._cursor(commit=False) as c:
                c.execute(self._exists_sql)
                self._exists = c.fetchone() is not None
        return self._exists

    def _select(self, tail: str) -> list[StoredCheckpoint]:
        if not self._readable():
            return []
        with self._cursor(commit=False) as c:
            c.execute(f"SELECT size, last_position, frontier, note FROM {self.table} {tail}")
            rows = c.fetchall()
        return [StoredCheckpoint(int(r["size"]), int(r["last_position"]),
                                 [h for h in r["frontier"].split(" ") if h], r["note"]) for r in rows]

    def all(self) -> list[StoredCheckpoint]:
        return self._select("ORDER BY size")

    def latest(self) -> StoredCheckpoint | None:
        rows = self._select("ORDER BY size DESC LIMIT 1")
        return rows[0] if rows else None

    def covering(self, position: int) -> StoredCheckpoint | None:
        """The latest checkpoint whose tree includes the event at log ``position``."""
        rows = self._select(f"WHERE last_position >= {int(position)} ORDER BY size DESC LIMIT 1")
        return rows[0] if rows else None

    def write(self, name: str, key: Ed25519PrivateKey, origin: str,
              deliver: Callable[[str], Any] | None = None) -> StoredCheckpoint:
        """Sign and store a checkpoint of the whole log as it is now. ``deliver`` (e.g. writing
        ``--out``) gets the note inside the storing transaction: if it fails, nothing is stored."""
        last = self.latest()
        frontier = Frontier.resume(last.size, last.frontier) if last else Frontier()
        position = last.last_position if last else 0
        for n in notifications(self.ledger, start=position + 1):
            frontier.append(leaf_of(n))
            position = n.id
        if last is not None and frontier.size == last.size:
            if deliver is not None:
                deliver(last.note)
            return last
        note = Checkpoint(origin, frontier.size, frontier.root()).sign(name, key)
        row = StoredCheckpoint(frontier.size, position, frontier.state(), note)
        m = self.mark
        try:
            with self._cursor(commit=True) as c:
                c.execute(f"INSERT INTO {self.table} (size, last_position, frontier, note) "
                          f"VALUES ({m}, {m}, {m}, {m})", (row.size, row.last_position, " ".join(row.frontier), row.note))
                if deliver is not None:
                    deliver(row.note)
        except IntegrityError:
            # another process stored the checkpoint of this size first (the same log, so the same
            # root): the loser skips, and its caller's request stays recorded
            stored = self._select(f"WHERE size = {int(row.size)}")
            if not stored:
                raise
            if deliver is not None:
                deliver(stored[0].note)
            return stored[0]
        return row


def store_of(ledger: LedgerApp) -> CheckpointStore:
    """The ledger's checkpoint store, made once per application object."""
    store: CheckpointStore | None = ledger.__dict__.get("_checkpoint_store")
    if store is None:
        store = ledger.__dict__["_checkpoint_store"] = CheckpointStore(ledger)
    return store
