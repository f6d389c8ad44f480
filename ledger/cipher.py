"""Optional encryption at rest: ``JCG_CIPHER_KEY`` turns on eventsourcing's AES-GCM cipher.

The cipher is ``eventsourcing.cryptography:AESCipher``, backed by the ``cryptography``
package (not pycryptodome). The Merkle log hashes the stored (encrypted) bytes, officer
signatures the plaintext, so `jcg audit verify` needs the key to check signatures and
journal balances but anyone can recompute the tree.
"""

from __future__ import annotations

import os

CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"


def cipher_env(key: str | None = None) -> dict[str, str]:
    """The eventsourcing environment that encrypts stored events, or nothing."""
    key = key if key is not None else os.environ.get("JCG_CIPHER_KEY", "")
    if not key:
        return {}
    return {"CIPHER_TOPIC": CIPHER_TOPIC, "CIPHER_KEY": key}


def new_cipher_key() -> str:
    """A fresh 256-bit AES key, base64 (what JCG_CIPHER_KEY holds)."""
    from eventsourcing.cryptography import AESCipher

    return AESCipher.create_key(32)


NO_KEY = ("the stored events cannot be read: they are encrypted at rest; set JCG_CIPHER_KEY to this "
          "ledger's cipher key")


def wrong_key(reason: str) -> str:
    return f"JCG_CIPHER_KEY does not decrypt the stored events ({reason}): wrong cipher key, or the ledger is not encrypted"


def unreadable_events(exc: BaseException, *, key_set: bool | None = None) -> str | None:
    """One line saying why stored events cannot be read with this process's cipher key, or None
    when ``exc`` is not such a failure. Every command answers a missing or wrong key this way."""
    from cryptography.exceptions import InvalidTag
    from eventsourcing.persistence import MapperDeserialisationError

    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    for e in chain:
        if isinstance(e, InvalidTag) or (isinstance(e, ValueError) and str(e).startswith(
                ("Invalid cipher tag", "Damaged cipher text"))):
            return wrong_key(str(e) if not isinstance(e, InvalidTag) else "Invalid cipher tag")
    if any(isinstance(e, MapperDeserialisationError) for e in chain):
        if not (key_set if key_set is not None else bool(os.environ.get("JCG_CIPHER_KEY"))):
            return NO_KEY
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return f"a stored event cannot be read: {first}"
    return None
