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
