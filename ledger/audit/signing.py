"""What an officer signs, byte for byte, and how a signature is checked.

Two encodings are frozen here (golden vectors in tests/test_signing.py):

- a stored event record, the Merkle leaf data::

      b"jcg-event/1\\n" + originator_id + b"\\n" + version + b"\\n" + topic + b"\\n" + state

  (originator id as the lower-case hyphenated UUID, version in decimal, topic UTF-8,
  state the stored bytes as they are; state comes last so needs no length);

- the message an officer's Ed25519 key signs for one accepted request::

      jcg-signed-request/1\\n
      <the command's canonical JSON (ledger.commands.Command.encoded)>\\n
      <the outcome summary as a JSON string>\\n
      <number of events>\\n
      <hex SHA-256(0x00 ‖ event record) of each event the request stored, in log order>\\n …

  so the signature covers the command as submitted *and* every event it produced: a
  changed amount in a stored event breaks the signature even after the last checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


RECORD_TAG = b"jcg-event/1"
REQUEST_TAG = b"jcg-signed-request/1"


def record_bytes(originator_id: UUID | str, version: int, topic: str, state: bytes | str) -> bytes:
    """The canonical bytes of one stored event (the Merkle leaf data)."""
    if isinstance(originator_id, UUID):
        oid = str(originator_id)
    else:
        try:
            oid = str(UUID(originator_id))
        except ValueError:  # not a UUID at all (an edited row): hashed as it is, so it cannot match
            oid = originator_id
    if isinstance(state, str):  # a state column turned into TEXT by an SQL edit: the same bytes
        state = state.encode("utf-8")
    return b"\n".join((RECORD_TAG, oid.encode("utf-8"), str(int(version)).encode("ascii"),
                       topic.encode("utf-8"), bytes(state)))


def record_hash(originator_id: UUID | str, version: int, topic: str, state: bytes | str) -> bytes:
    """SHA-256(0x00 ‖ record): the RFC 9162 leaf hash of a stored event."""
    return hashlib.sha256(b"\x00" + record_bytes(originator_id, version, topic, state)).digest()


def request_message(command: bytes, summary: str, event_hashes: Sequence[bytes]) -> bytes:
    """The exact bytes an officer signs for one request."""
    if b"\n" in command:
        raise ValueError("a canonical command encoding has no raw newline")
    lines = [REQUEST_TAG, command, json.dumps(summary, ensure_ascii=False).encode("utf-8"),
             str(len(event_hashes)).encode("ascii"), *(h.hex().encode("ascii") for h in event_hashes)]
    return b"\n".join(lines) + b"\n"


def public_key_text(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The public key as base64 of its 32 raw bytes (how the ledger records it)."""
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    return base64.b64encode(raw_public(key)).decode("ascii")


def officer_key_id(public_key: str) -> str:
    """A short, stable name of a public key: the first 8 bytes of its SHA-256, hex."""
    return hashlib.sha256(_decode_public(public_key)).hexdigest()[:16]


def _decode_public(public_key: str) -> bytes:
    try:
        raw = base64.b64decode(public_key, validate=True)
    except binascii.Error:
        raise ValueError("public key is not base64") from None
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return raw


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message)).decode("ascii")


class PublicKeys:
    """Decoded public keys, cached: verifying a long log decodes each key once."""

    def __init__(self) -> None:
        self._keys: dict[str, Ed25519PublicKey] = {}

    def verifies(self, public_key: str, signature: str, message: bytes) -> bool:
        key = self._keys.get(public_key)
        if key is None:
            key = self._keys[public_key] = Ed25519PublicKey.from_public_bytes(_decode_public(public_key))
        try:
            key.verify(base64.b64decode(signature, validate=True), message)
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True
