"""Optional encryption at rest: ``JCG_CIPHER_KEY`` turns on eventsourcing's AES-GCM cipher.

The cipher is ``eventsourcing.cryptography:AESCipher``, backed by the ``cryptography``
package (not pycryptodome). The Merkle log hashes the stored (encrypted) bytes, officer
signatures the plaintext, so `jcg audit verify` needs the key to check signatures and
journal balances but anyone can recompute the tree.
"""

from __future__ import annotations

import base64
import binascii
import os
import re

from domain.errors import Refused
from domain.messages import N_

CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"


def cipher_env(key: str | None = None) -> dict[str, str]:
    """The eventsourcing environment that encrypts stored events, or nothing.

    Refused (one line naming the setting) when the key is not base64 of 16, 24 or 32 bytes:
    the cipher's own error ("Incorrect padding") does not say which setting is wrong."""
    key = key if key is not None else os.environ.get("JCG_CIPHER_KEY", "")
    if not key:
        return {}
    check_cipher_key(key)
    return {"CIPHER_TOPIC": CIPHER_TOPIC, "CIPHER_KEY": key}


KEY_SIZES = (16, 24, 32)


def check_cipher_key(key: str) -> None:
    """Refuse a JCG_CIPHER_KEY the AES cipher cannot use, in one line."""
    try:
        raw = base64.b64decode(key.strip().encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise Refused(N_("JCG_CIPHER_KEY is not a valid key: not base64 ({exc}); it must be base64 of 16, 24 or 32 bytes, as new_cipher_key() makes"), exc=exc) from None
    if len(raw) not in KEY_SIZES:
        raise Refused(N_("JCG_CIPHER_KEY is not a valid key: {count_raw} bytes; it must be base64 of 16, 24 or 32 bytes, as new_cipher_key() makes"), count_raw=len(raw))


def new_cipher_key() -> str:
    """A fresh 256-bit AES key, base64 (what JCG_CIPHER_KEY holds)."""
    from eventsourcing.cryptography import AESCipher

    return AESCipher.create_key(32)


NO_KEY = ("the stored events cannot be read: they are encrypted at rest; set JCG_CIPHER_KEY to this "
          "ledger's cipher key")


def wrong_key(reason: str) -> str:
    return f"JCG_CIPHER_KEY does not decrypt the stored events ({reason}): wrong cipher key, or the ledger is not encrypted"


def damaged_record(detail: str) -> str:
    return f"a stored event cannot be read (damaged record: {detail}): run jcg audit verify"


_FAILED = re.compile(r"Failed to deserialise state of stored event with topic '(?P<topic>[^']*)', "
                     r"originator_id '(?P<id>[^']*)' and originator_version (?P<version>\d+): (?P<why>.*)", re.S)
_NOT_BYTES = re.compile(r"'(?P<type>\w+)' object (has no attribute 'decode'|is not subscriptable)")
_STORED_AS = {"NoneType": "NULL", "int": "an integer", "float": "a real number", "str": "text"}


def _damage(message: str) -> str:
    """Which record could not be read, and why, from the mapper's message."""
    found = _FAILED.search(message)
    if found is None:
        return (message.strip().splitlines() or ["unknown"])[0]
    why = (found["why"].strip().splitlines() or [""])[0]
    not_bytes = _NOT_BYTES.search(why)
    if not_bytes is not None:
        why = f"its state is {_STORED_AS.get(not_bytes['type'], not_bytes['type'])}, not bytes"
    return f"{found['topic']} of {found['id']} version {found['version']}: {why}"


def unreadable_events(exc: BaseException, *, key_set: bool | None = None) -> str | None:
    """One line saying why stored events cannot be read, or None when ``exc`` is not such a
    failure. Every command answers alike: no key for an encrypted ledger, a wrong key (the
    cipher's tag does not verify), or a damaged record (readable neither way: audit verify
    names it). Matched on the messages too: the read models' runner re-raises the failure
    without its cause."""
    from cryptography.exceptions import InvalidTag
    from eventsourcing.persistence import MapperDeserialisationError

    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    texts = [str(e) for e in chain]
    if any(isinstance(e, InvalidTag) for e in chain) or any("Invalid cipher tag" in t for t in texts):
        return wrong_key("Invalid cipher tag")
    failed = next((t for t in texts if _FAILED.search(t)), None)
    if failed is None and not any(isinstance(e, MapperDeserialisationError) for e in chain):
        return None
    key = key_set if key_set is not None else bool(os.environ.get("JCG_CIPHER_KEY"))
    if not key and (any(isinstance(e, UnicodeDecodeError) for e in chain)
                    or any("codec can't decode" in t for t in texts)):
        return NO_KEY  # ciphertext is not UTF-8; a plaintext record always is (JSON)
    return damaged_record(_damage(failed if failed is not None else texts[0]))
