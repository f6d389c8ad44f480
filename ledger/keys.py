"""Private keys on disk: one PKCS#8 file per officer, encrypted with a passphrase.

The directory is ``$JCG_KEY_DIR`` (default ``./keys``); the passphrase is ``$JCG_PASSPHRASE``
or asked for. Only public keys ever enter the ledger (as officer events); a private key
file never leaves the officer's machine.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    PrivateFormat,
    load_pem_private_key,
)

from domain.errors import Refused
from domain.messages import N_

DEFAULT_KEY_DIR = "keys"
LEDGER_KEY = "_ledger"  # the ledger's own checkpoint key (officer names cannot start with "_")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$")

Prompt = Callable[[str], str]


def key_dir() -> Path:
    return Path(os.environ.get("JCG_KEY_DIR") or DEFAULT_KEY_DIR)


def env_passphrase() -> str | None:
    return os.environ.get("JCG_PASSPHRASE") or None


class KeyStore:
    """Encrypted Ed25519 key files in one directory."""

    def __init__(self, directory: Path | str, passphrase: str | None = None, prompt: Prompt | None = None):
        self.directory = Path(directory)
        self._passphrase = passphrase
        self._prompt = prompt

    @classmethod
    def from_env(cls, prompt: Prompt | None = None) -> KeyStore:
        return cls(key_dir(), env_passphrase(), prompt)

    def passphrase(self) -> bytes:
        if self._passphrase is None:
            if self._prompt is None:
                raise Refused(N_("no passphrase for the key files: set JCG_PASSPHRASE"))
            self._passphrase = self._prompt("Passphrase for the key files")
        if not self._passphrase:
            raise Refused(N_("the key passphrase may not be empty"))
        return self._passphrase.encode("utf-8")

    def path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise Refused(N_("{name!r} cannot name a key file (letters, digits, '.', '_', '-')"), name=name)
        return self.directory / f"{name}.key"

    def exists(self, name: str) -> bool:
        return self.path(name).exists()

    def create(self, name: str, *, replace: bool = False) -> Ed25519PrivateKey:
        """A new key pair; the private key is written encrypted (mode 0600)."""
        path = self.path(name)
        _never_replace_ledger_key(name, replace)
        if path.exists():
            if not replace:
                raise Refused(N_("a key file for {name} already exists at {path}"), name=name, path=path)
            retired = path.with_suffix(f".key.retired-{_stamp(path)}")
            path.rename(retired)
        key = Ed25519PrivateKey.generate()
        self.save(name, key)
        return key

    def save(self, name: str, key: Ed25519PrivateKey, *, replace: bool = False) -> Path:
        """Write ``key`` encrypted (mode 0600); a replaced file is kept as ``.retired-N``."""
        path = self.path(name)
        _never_replace_ledger_key(name, replace)
        if path.exists() and replace:
            path.rename(path.with_suffix(f".key.retired-{_stamp(path)}"))
        pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(self.passphrase()))
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        return path

    def load(self, name: str) -> Ed25519PrivateKey:
        path = self.path(name)
        try:
            pem = path.read_bytes()
        except FileNotFoundError:
            raise Refused(N_("no private key for {name} in {directory} (JCG_KEY_DIR)"), name=name, directory=self.directory) from None
        try:
            key = load_pem_private_key(pem, self.passphrase())
        except (ValueError, TypeError):
            raise Refused(N_("cannot open the key of {name}: wrong passphrase or damaged key file"), name=name) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise Refused(N_("the key file of {name} is not an Ed25519 key"), name=name)
        return key


def _never_replace_ledger_key(name: str, replace: bool) -> None:
    if replace and name == LEDGER_KEY:
        raise Refused(N_("the ledger's checkpoint key is never replaced (its verifier key is registered in the log)"))


def _stamp(path: Path) -> str:
    n = 1
    while path.with_suffix(f".key.retired-{n}").exists():
        n += 1
    return str(n)


class Keyring:
    """The private keys this process may sign with, loaded once per name."""

    def __init__(self, store: KeyStore):
        self.store = store
        self._keys: dict[str, Ed25519PrivateKey] = {}

    def key(self, name: str) -> Ed25519PrivateKey:
        if name not in self._keys:
            self._keys[name] = self.store.load(name)
        return self._keys[name]

    def use(self, name: str, key: Ed25519PrivateKey) -> None:
        """Sign as ``name`` with ``key`` from now on (e.g. right after a rotation)."""
        self._keys[name] = key

    def forget(self, name: str) -> None:
        """Stop signing as ``name`` with a key held only in memory (e.g. a refused registration)."""
        self._keys.pop(name, None)

    def create(self, name: str, *, replace: bool = False) -> Ed25519PrivateKey:
        key = self.store.create(name, replace=replace)
        self._keys[name] = key
        return key

    def ledger_key(self) -> Ed25519PrivateKey:
        """The ledger's own checkpoint key. Never created here: it is made once, explicitly, by
        the first checkpoint an officer writes (ledger.ledger_key), and never replaced."""
        return self.key(LEDGER_KEY)
