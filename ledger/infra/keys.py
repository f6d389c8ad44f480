"""Private keys on disk: one PKCS#8 file per officer, encrypted with a passphrase.

The directory is ``$JCG_KEY_DIR`` (default ``./keys``); the passphrase is ``$JCG_PASSPHRASE``
or asked for. Only public keys ever enter the ledger (as officer events); a private key
file never leaves the officer's machine, and no command writes another officer's key.

Protection (docs/decisions.md, "Keys as a bank would keep them"):
- PKCS#8 ``EncryptedPrivateKeyInfo`` with PBES2: scrypt (N=2^14, r=8, p=5: OWASP's
  equivalent of N=2^17, p=1, within OpenSSL's 32 MiB scrypt limit so ``openssl pkcs8``
  opens the file) and AES-256-CBC. The ``cryptography`` API writes PKCS#8 only with its
  own low-cost PBKDF2, so the PBES2 structure is written here (RFC 8018, RFC 7914 §7)
  and read back by ``cryptography``'s ordinary loader.
- a passphrase of at least ``MIN_PASSPHRASE`` characters for every key written;
- the key directory is made 0700 and key files 0600; a key file readable or writable by
  group or others, or a directory others may write to, is refused on use;
- key files are opened without following symlinks, must be regular files and small.
"""

from __future__ import annotations

import base64
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_der_private_key,
    load_pem_private_key,
)

from domain.errors import Refused
from domain.fields import is_officer_name
from domain.messages import N_

DEFAULT_KEY_DIR = "keys"
LEDGER_KEY = "_ledger"  # the ledger's own checkpoint key (officer names cannot start with "_")
MIN_PASSPHRASE = 12  # characters; refused shorter when a key file is written
MAX_KEY_FILE = 16 * 1024  # an encrypted Ed25519 PEM is < 400 bytes

# scrypt cost: production, and the explicit test-only setting (JCG_INSECURE_FAST_KEYS=1)
SCRYPT_COST = (2**14, 8, 5)
TEST_SCRYPT_COST = (2**10, 8, 1)
FAST_KEYS_ENV = "JCG_INSECURE_FAST_KEYS"

Prompt = Callable[[str], str]
_KEY_EXISTS = N_("a key file for {name} already exists at {path}: move it away first "
                 "(a key file is never overwritten)")


def key_dir() -> Path:
    return Path(os.environ.get("JCG_KEY_DIR") or DEFAULT_KEY_DIR)


def env_passphrase() -> str | None:
    return os.environ.get("JCG_PASSPHRASE") or None


def scrypt_cost() -> tuple[int, int, int]:
    """(N, r, p) for new key files; the low test cost only when explicitly asked for."""
    return TEST_SCRYPT_COST if os.environ.get(FAST_KEYS_ENV) == "1" else SCRYPT_COST


# PKCS#8 EncryptedPrivateKeyInfo, PBES2 + scrypt + AES-256-CBC (DER) ---------------------

_PBES2 = "1.2.840.113549.1.5.13"
_SCRYPT = "1.3.6.1.4.1.11591.4.11"
_AES256_CBC = "2.16.840.1.101.3.4.1.42"


def _der(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + body


def _seq(*parts: bytes) -> bytes:
    return _der(0x30, b"".join(parts))


def _int(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _octets(value: bytes) -> bytes:
    return _der(0x04, value)


def _oid(dotted: str) -> bytes:
    first, second, *rest = (int(x) for x in dotted.split("."))
    out = bytearray([40 * first + second])
    for arc in rest:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return _der(0x06, bytes(out))


def encrypt_pkcs8(key: Ed25519PrivateKey, passphrase: bytes, cost: tuple[int, int, int] | None = None) -> bytes:
    """``key`` as a PEM ``ENCRYPTED PRIVATE KEY`` (PBES2: scrypt, AES-256-CBC)."""
    import secrets  # only to write a key file (hmac, random: not loaded by a command that signs)

    n, r, p = cost or scrypt_cost()
    salt, iv = secrets.token_bytes(16), secrets.token_bytes(16)
    derived = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase)
    plain = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(derived), modes.CBC(iv)).encryptor()
    encrypted = encryptor.update(padded) + encryptor.finalize()
    kdf = _seq(_oid(_SCRYPT), _seq(_octets(salt), _int(n), _int(r), _int(p), _int(32)))
    scheme = _seq(_oid(_AES256_CBC), _octets(iv))
    der = _seq(_seq(_oid(_PBES2), _seq(kdf, scheme)), _octets(encrypted))
    body = base64.encodebytes(der).decode("ascii").replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return ("-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + "\n".join(lines)
            + "\n-----END ENCRYPTED PRIVATE KEY-----\n").encode("ascii")


# scrypt's memory in the files this module reads itself: OpenSSL's limit, which cryptography's loader applies
_MAX_SCRYPT_MEMORY = 32 * 1024 * 1024


def decrypt_pkcs8(pem: bytes, passphrase: bytes) -> object:
    """The private key of a PEM ``ENCRYPTED PRIVATE KEY``. A file in exactly the form
    :func:`encrypt_pkcs8` writes is decrypted here, with ``Scrypt.derive``, which releases the
    GIL (cryptography's PEM loader runs the same scrypt holding it, so a key opened on a thread
    stalled the command's imports for its whole ~200 ms: docs/decisions.md, "Start-up"); any
    other form goes to ``load_pem_private_key``. Raises ValueError for a wrong passphrase or a
    damaged file, as the loader does."""
    parts = _scrypt_form(pem)
    if parts is None:
        return load_pem_private_key(pem, passphrase)
    salt, n, r, p, iv, encrypted = parts
    derived = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase)
    decryptor = Cipher(algorithms.AES(derived), modes.CBC(iv)).decryptor()
    padded = decryptor.update(encrypted) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    plain = unpadder.update(padded) + unpadder.finalize()  # ValueError: wrong passphrase (or damaged)
    return load_der_private_key(plain, None)


def _scrypt_form(pem: bytes) -> tuple[bytes, int, int, int, bytes, bytes] | None:
    """(salt, N, r, p, iv, ciphertext) when ``pem`` is byte for byte what :func:`encrypt_pkcs8`
    writes for them (PBES2, scrypt within OpenSSL's memory limit, AES-256-CBC), else None."""
    try:
        text = pem.decode("ascii")
        head, tail = "-----BEGIN ENCRYPTED PRIVATE KEY-----", "-----END ENCRYPTED PRIVATE KEY-----"
        body = text.strip()
        if not (body.startswith(head) and body.endswith(tail)):
            return None
        der = base64.b64decode("".join(body[len(head):-len(tail)].split()), validate=True)
        outer = _read_tlv(der, 0x30)
        algorithm, rest = _next_tlv(outer, 0x30)
        encrypted, _ = _next_tlv(rest, 0x04)
        _, params = _next_tlv(algorithm, 0x06)
        params = _read_tlv(params, 0x30)
        kdf, scheme = _next_tlv(params, 0x30)
        _, kdf_params = _next_tlv(kdf, 0x06)
        kdf_params = _read_tlv(kdf_params, 0x30)
        salt, more = _next_tlv(kdf_params, 0x04)
        numbers = []
        for _ in range(4):
            value, more = _next_tlv(more, 0x02)
            numbers.append(int.from_bytes(value, "big"))
        n, r, p, length = numbers
        _, iv_part = _next_tlv(_read_tlv(scheme, 0x30), 0x06)
        iv, _ = _next_tlv(iv_part, 0x04)
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    if length != 32 or not (1 < n and n & (n - 1) == 0) or not (1 <= r <= 64 and 1 <= p <= 64) \
            or 128 * r * n > _MAX_SCRYPT_MEMORY or len(iv) != 16:
        return None
    kdf_der = _seq(_oid(_SCRYPT), _seq(_octets(salt), _int(n), _int(r), _int(p), _int(32)))
    scheme_der = _seq(_oid(_AES256_CBC), _octets(iv))
    if der != _seq(_seq(_oid(_PBES2), _seq(kdf_der, scheme_der)), _octets(encrypted)):
        return None  # another form (another cipher, KDF or encoding): the loader reads it
    return salt, n, r, p, iv, encrypted


def _read_tlv(data: bytes, tag: int) -> bytes:
    """The body of the one DER element ``data`` is (nothing after it)."""
    body, rest = _next_tlv(data, tag)
    if rest:
        raise ValueError("trailing bytes")
    return body


def _next_tlv(data: bytes, tag: int) -> tuple[bytes, bytes]:
    """(body of the first DER element, the bytes after it); its tag must be ``tag``."""
    if len(data) < 2 or data[0] != tag:
        raise ValueError("unexpected DER")
    length, at = data[1], 2
    if length & 0x80:
        size = length & 0x7F
        if not 1 <= size <= 2:
            raise ValueError("unexpected DER length")
        length, at = int.from_bytes(data[2:2 + size], "big"), 2 + size
    if at + length > len(data):
        raise ValueError("truncated DER")
    return data[at:at + length], data[at + length:]


# the key directory ----------------------------------------------------------------------


def _mode(st: os.stat_result) -> str:
    return oct(stat.S_IMODE(st.st_mode))[2:].rjust(4, "0")



def key_file_stem(name: str) -> str:
    """An ASCII name is its own file name; any other (张伟) is ``xn--`` + its punycode
    (``xn--tiq95c``): key files stay ASCII on every file system and archive, one per name."""
    if name.isascii():
        return name
    return "xn--" + name.encode("punycode").decode("ascii")

class KeyStore:
    """Encrypted Ed25519 key files in one directory."""

    def __init__(self, directory: Path | str, passphrase: str | None = None, prompt: Prompt | None = None):
        self.directory = Path(directory)
        self._passphrase = passphrase
        self._prompt = prompt

    @classmethod
    def from_env(cls, prompt: Prompt | None = None) -> KeyStore:
        return cls(key_dir(), env_passphrase(), prompt)

    def knows_passphrase(self) -> bool:
        """True if the passphrase is given (no prompt would be shown)."""
        return bool(self._passphrase)

    def passphrase(self) -> bytes:
        if self._passphrase is None:
            if self._prompt is None:
                raise Refused(N_("no passphrase for the key files: set JCG_PASSPHRASE"))
            self._passphrase = self._prompt("Passphrase for the key files")
        if not self._passphrase:
            raise Refused(N_("the key passphrase may not be empty"))
        return self._passphrase.encode("utf-8")

    def new_passphrase(self) -> bytes:
        """The passphrase a new key file is encrypted with: at least MIN_PASSPHRASE characters."""
        passphrase = self.passphrase()
        if len(passphrase.decode("utf-8")) < MIN_PASSPHRASE:
            raise Refused(N_("the key passphrase is too short: use at least {n} characters "
                             "(it is all that protects the private key file)"), n=MIN_PASSPHRASE)
        return passphrase

    def path(self, name: str) -> Path:
        if name != LEDGER_KEY and not is_officer_name(name):
            raise Refused(N_("{name!r} cannot name a key file (letters, digits, '.', '_', '-')"), name=name)
        return self.directory / f"{key_file_stem(name)}.key"

    def exists(self, name: str) -> bool:
        """True if anything is at the key file's path, a dangling symlink included."""
        return os.path.lexists(self.path(name))

    def create(self, name: str, *, replace: bool = False) -> Ed25519PrivateKey:
        """A new key pair; the private key is written encrypted (mode 0600)."""
        key = Ed25519PrivateKey.generate()
        self.save(name, key, replace=replace)
        return key

    def save(self, name: str, key: Ed25519PrivateKey, *, replace: bool = False) -> Path:
        """Write ``key`` encrypted (mode 0600, never through a symlink, never over a file);
        with ``replace`` an existing file is first kept as ``.retired-N``."""
        path = self.path(name)
        _never_replace_ledger_key(name, replace)
        pem = encrypt_pkcs8(key, self.new_passphrase())  # before anything is touched on disk
        self._ready_directory()
        if os.path.lexists(path):
            if not replace:
                raise Refused(_KEY_EXISTS, name=name, path=str(path))
            path.rename(path.with_suffix(f".key.retired-{_stamp(path)}"))
            from ledger.infra import agent

            agent.stop(self.directory)  # the key agent holds the retired key: it signs nothing more
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            raise Refused(_KEY_EXISTS, name=name, path=str(path)) from None
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
                f.flush()
                os.fsync(f.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path

    def _ready_directory(self) -> None:
        """Make the key directory 0700, or refuse one that group or others can use."""
        try:
            self.directory.mkdir(parents=True, mode=0o700)
        except FileExistsError:
            pass
        else:
            os.chmod(self.directory, 0o700)  # mkdir's mode is masked by the umask
            return
        st = os.stat(self.directory)
        if not stat.S_ISDIR(st.st_mode):
            raise Refused(N_("the key directory {folder} is not a directory"), folder=str(self.directory))
        if st.st_mode & 0o077:
            raise Refused(N_("the key directory {folder} is open to others (mode {mode}): "
                             "chmod 700 {folder} before a key is written there"),
                          folder=str(self.directory), mode=_mode(st))

    def load(self, name: str) -> Ed25519PrivateKey:
        path = self.path(name)
        pem = self._read(name, path)
        try:
            key = decrypt_pkcs8(pem, self.passphrase())
        except (ValueError, TypeError):
            raise Refused(N_("cannot open the key of {name}: wrong passphrase or damaged key file"), name=name) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise Refused(N_("the key file of {name} is not an Ed25519 key"), name=name)
        return key

    def _read(self, name: str, path: Path) -> bytes:
        """The key file's bytes: a regular file, not a symlink, private to its owner, small."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            raise Refused(N_("no private key for {name} in {directory} (JCG_KEY_DIR)"), name=name, directory=self.directory) from None
        except OSError as exc:  # ELOOP: a symlink
            raise Refused(N_("the key file of {name} ({path}) is a symlink or cannot be opened "
                             "({reason}): a key file is a regular file"),
                          name=name, path=str(path), reason=exc.strerror) from None
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise Refused(N_("the key file of {name} ({path}) is not a regular file"), name=name, path=str(path))
            if st.st_mode & 0o077:
                raise Refused(N_("the key file of {name} ({path}) is open to others (mode {mode}): "
                                 "chmod 600 {path} (and consider the key exposed: rotate it)"),
                              name=name, path=str(path), mode=_mode(st))
            directory = os.stat(self.directory)
            if directory.st_mode & 0o022:
                raise Refused(N_("the key directory {folder} may be written by others (mode {mode}): "
                                 "chmod 700 {folder}"), folder=str(self.directory), mode=_mode(directory))
            pem = f.read(MAX_KEY_FILE + 1)
        if len(pem) > MAX_KEY_FILE:
            raise Refused(N_("the key file of {name} ({path}) is too large to be a key"), name=name, path=str(path))
        return pem


def unlock(store: KeyStore, name: str, idle: float) -> list[str]:
    """Open ``name``'s key file (and the ledger's checkpoint key, if its file is in the same
    directory and opens with the same passphrase) and hand them to a new key agent
    (ledger.infra.agent) for ``idle`` seconds; returns the names held. A wrong passphrase or a bad
    key file is refused before anything starts."""
    from ledger.infra import agent

    keys = {name: store.load(name)}
    if name != LEDGER_KEY and store.exists(LEDGER_KEY):
        try:
            keys[LEDGER_KEY] = store.load(LEDGER_KEY)
        except Refused:
            pass  # another passphrase: checkpoints keep asking for it
    agent.start(store.directory, keys, idle)
    return sorted(keys)


def _never_replace_ledger_key(name: str, replace: bool) -> None:
    if replace and name == LEDGER_KEY:
        raise Refused(N_("the ledger's checkpoint key is never replaced (its verifier key is registered in the log)"))


def _stamp(path: Path) -> str:
    n = 1
    while os.path.lexists(path.with_suffix(f".key.retired-{n}")):
        n += 1
    return str(n)


class Unlocking:
    """One key file being opened on a background thread. cryptography's scrypt releases the GIL,
    so the derivation (the production cost takes ~150 ms) runs beside the command's imports
    instead of after them (docs/decisions.md, "Start-up"). The key, or the exception opening it
    raised, is handed over by :meth:`result`: the same key and the same refusal as opening it
    then. Nothing escapes the thread."""

    def __init__(self, open_key: Callable[[], Ed25519PrivateKey]):
        self._open = open_key
        self._key: Ed25519PrivateKey | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="jcg-unlock-key")
        self._thread.start()

    def _run(self) -> None:
        try:
            self._key = self._open()
        except BaseException as exc:  # handed to the thread that asks for the key, never lost or printed here
            self._error = exc

    def result(self) -> Ed25519PrivateKey:
        self._thread.join()
        error, key = self._error, self._key
        self._error = self._key = None
        if error is not None:
            try:
                raise error
            finally:
                del error  # no reference cycle through the traceback
        assert key is not None
        return key

    def wait(self) -> None:
        """Let the thread finish (the command ends: no thread outlives it)."""
        self._thread.join()


class Keyring:
    """The private keys this process may sign with, loaded once per name."""

    def __init__(self, store: KeyStore):
        self.store = store
        self._keys: dict[str, Ed25519PrivateKey] = {}
        self._ahead: dict[str, Unlocking] = {}

    def key(self, name: str) -> Ed25519PrivateKey:
        """``name``'s key: held by the key agent (`jcg officer unlock`), else opened from its file."""
        if name not in self._keys:
            ahead = self._ahead.pop(name, None)
            self._keys[name] = ahead.result() if ahead is not None else self._held(name) or self.store.load(name)
        return self._keys[name]

    def _held(self, name: str) -> Ed25519PrivateKey | None:
        from ledger.infra import agent

        return agent.held(self.store.directory, name)

    def unlock_ahead(self, name: str) -> None:
        """Have ``name``'s key ready when it is asked for: the key agent's if it holds it, else the key
        file opened on a background thread (:meth:`key` takes the result, or raises what opening it
        raised), only if the passphrase is already known: a prompt is never shown from the thread."""
        if name in self._keys or name in self._ahead:
            return
        key = self._held(name)
        if key is not None:
            self._keys[name] = key
        elif self.store.knows_passphrase():
            self._ahead[name] = Unlocking(lambda: self.store.load(name))

    def _drop_ahead(self, name: str) -> None:
        ahead = self._ahead.pop(name, None)
        if ahead is not None:
            ahead.wait()

    def close(self) -> None:
        """Wait for any key still being opened and drop what was not used."""
        for name in list(self._ahead):
            self._drop_ahead(name)

    def use(self, name: str, key: Ed25519PrivateKey) -> None:
        """Sign as ``name`` with ``key`` from now on (e.g. right after a rotation)."""
        self._drop_ahead(name)
        self._keys[name] = key

    def forget(self, name: str) -> None:
        """Stop signing as ``name`` with a key held only in memory (e.g. a refused registration)."""
        self._drop_ahead(name)  # the file may change after this: never hand over what was read before
        self._keys.pop(name, None)

    def create(self, name: str, *, replace: bool = False) -> Ed25519PrivateKey:
        self._drop_ahead(name)
        key = self.store.create(name, replace=replace)
        self._keys[name] = key
        return key

    def ledger_key(self) -> Ed25519PrivateKey:
        """The ledger's own checkpoint key. Never created here: it is made once, explicitly, by
        the first checkpoint an officer writes (ledger.audit.ledger_key), and never replaced."""
        return self.key(LEDGER_KEY)
