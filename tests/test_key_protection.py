"""Officer key files kept as a bank would keep them: scrypt PKCS#8, a long passphrase,
private modes, no symlinks."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from domain.errors import Refused
from ledger.infra.keys import MIN_PASSPHRASE, SCRYPT_COST, Keyring, KeyStore, _scrypt_form, decrypt_pkcs8, encrypt_pkcs8

PASS = "correct horse battery"


def _scrypt_params(pem: bytes) -> list[int]:
    """(N, r, p) as ``openssl asn1parse`` reads them from the file."""
    out = subprocess.run(["openssl", "asn1parse"], input=pem, capture_output=True, check=True).stdout.decode()
    assert ":scrypt" in out and ":aes-256-cbc" in out and ":PBES2" in out
    ints = [int(line.rsplit(":", 1)[1], 16) for line in out.splitlines() if "prim: INTEGER" in line]
    return ints[:3]


def test_production_key_files_use_scrypt_at_owasp_cost_and_open_with_openssl(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    pem = encrypt_pkcs8(key, PASS.encode(), SCRYPT_COST)
    assert _scrypt_params(pem) == [2**14, 8, 5]  # was PBKDF2 with 2,048 iterations
    assert load_pem_private_key(pem, PASS.encode()).public_key() == key.public_key()
    (tmp_path / "k.pem").write_bytes(pem)
    opened = subprocess.run(["openssl", "pkey", "-in", str(tmp_path / "k.pem"), "-passin", f"pass:{PASS}",
                             "-noout"], capture_output=True)
    assert opened.returncode == 0, opened.stderr


def test_a_short_passphrase_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys", "x" * (MIN_PASSPHRASE - 1))
    with pytest.raises(Refused, match=f"at least {MIN_PASSPHRASE} characters"):
        store.create("li")
    assert not (tmp_path / "keys").exists()
    KeyStore(tmp_path / "keys", "x" * MIN_PASSPHRASE).create("li")


def test_key_directory_and_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = KeyStore(tmp_path / "keys", PASS).save("li", Ed25519PrivateKey.generate())
    finally:
        os.umask(old)
    assert oct((tmp_path / "keys").stat().st_mode & 0o777) == "0o700"  # was 0777 under umask 000
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_loose_modes_are_refused_on_use(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys", PASS)
    path = store.save("li", Ed25519PrivateKey.generate())
    path.chmod(0o644)
    with pytest.raises(Refused, match=r"open to others \(mode 0644\): chmod 600"):
        store.load("li")
    path.chmod(0o600)
    (tmp_path / "keys").chmod(0o777)
    with pytest.raises(Refused, match=r"may be written by others \(mode 0777\)"):
        store.load("li")
    with pytest.raises(Refused, match="open to others"):
        store.save("wang", Ed25519PrivateKey.generate())
    (tmp_path / "keys").chmod(0o700)
    assert store.load("li")


def test_a_key_file_is_never_a_symlink_and_never_overwritten(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys", PASS)
    store.save("li", Ed25519PrivateKey.generate())
    (tmp_path / "keys" / "wang.key").symlink_to("/dev/zero")
    with pytest.raises(Refused, match="symlink"):
        store.load("wang")  # used to hang reading /dev/zero
    (tmp_path / "keys" / "sun.key").symlink_to(tmp_path / "nowhere.key")  # dangling
    assert store.exists("sun")
    with pytest.raises(Refused, match="already exists"):
        store.save("sun", Ed25519PrivateKey.generate())
    assert not (tmp_path / "nowhere.key").exists()
    with pytest.raises(Refused, match="already exists"):
        store.save("li", Ed25519PrivateKey.generate())


class _Recording(KeyStore):
    """A key store that notes on which thread each key file is opened."""

    def __init__(self, directory: Path, passphrase: str) -> None:
        super().__init__(directory, passphrase)
        self.opened_on: list[str] = []

    def load(self, name: str) -> Ed25519PrivateKey:
        self.opened_on.append(threading.current_thread().name)
        return super().load(name)


def test_a_key_unlocked_ahead_is_the_key_used_and_opened_once_off_the_main_thread(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    KeyStore(tmp_path / "keys", PASS).save("li", key)
    store = _Recording(tmp_path / "keys", PASS)
    keyring = Keyring(store)
    keyring.unlock_ahead("li")
    used = keyring.key("li")
    assert used.public_key() == key.public_key()
    assert keyring.key("li") is used
    assert store.opened_on == ["jcg-unlock-key"]  # the prefetched key, not a second opening
    keyring.close()
    assert not [t for t in threading.enumerate() if t.name == "jcg-unlock-key"]


def test_a_key_unlocked_ahead_is_refused_as_opening_it_then_is(tmp_path: Path) -> None:
    KeyStore(tmp_path / "keys", PASS).save("li", Ed25519PrivateKey.generate())
    for passphrase, name in (("not the passphrase", "li"), (PASS, "nobody")):
        with pytest.raises(Refused) as then:
            KeyStore(tmp_path / "keys", passphrase).load(name)
        keyring = Keyring(KeyStore(tmp_path / "keys", passphrase))
        keyring.unlock_ahead(name)
        with pytest.raises(Refused) as ahead:
            keyring.key(name)
        assert str(ahead.value) == str(then.value)
        assert ("wrong passphrase" if name == "li" else "no private key for nobody") in str(ahead.value)
        keyring.close()
    assert not [t for t in threading.enumerate() if t.name == "jcg-unlock-key"]


def test_a_key_replaced_after_it_was_unlocked_ahead_is_not_handed_over(tmp_path: Path) -> None:
    """``use``/``forget``/``create`` drop a key being opened: a rotation or a refused
    registration never signs with what the file held before."""
    KeyStore(tmp_path / "keys", PASS).save("li", Ed25519PrivateKey.generate())
    keyring = Keyring(KeyStore(tmp_path / "keys", PASS))
    keyring.unlock_ahead("li")
    new = Ed25519PrivateKey.generate()
    keyring.use("li", new)
    assert keyring.key("li") is new
    keyring.unlock_ahead("li")  # already held: nothing to open
    keyring.forget("li")
    assert keyring.key("li").public_key() != new.public_key()  # read from the file again


def _raw(key: object) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    assert isinstance(key, Ed25519PrivateKey)
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


@pytest.mark.parametrize("cost", [SCRYPT_COST, (2**10, 8, 1)])
def test_our_key_files_are_decrypted_as_cryptographys_loader_decrypts_them(cost: tuple[int, int, int]) -> None:
    """The reader that lets scrypt run beside the imports (it releases the GIL; the PEM loader
    holds it) opens exactly what the loader opens, and refuses what it refuses."""
    key = Ed25519PrivateKey.generate()
    pem = encrypt_pkcs8(key, PASS.encode(), cost)
    assert _scrypt_form(pem) is not None
    assert _raw(decrypt_pkcs8(pem, PASS.encode())) == _raw(load_pem_private_key(pem, PASS.encode())) == _raw(key)
    with pytest.raises(ValueError):
        decrypt_pkcs8(pem, b"not the passphrase at all")


def test_key_files_of_another_form_are_left_to_the_loader() -> None:
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, Encoding, PrivateFormat

    key = Ed25519PrivateKey.generate()
    other = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(PASS.encode()))
    assert _scrypt_form(other) is None  # PBKDF2: not the form this module writes
    assert _raw(decrypt_pkcs8(other, PASS.encode())) == _raw(key)
    with pytest.raises((ValueError, TypeError)):
        decrypt_pkcs8(other, b"not the passphrase at all")


def test_scrypt_beyond_openssls_memory_limit_is_not_run_by_our_reader() -> None:
    """A file in our form asking for more scrypt memory than OpenSSL allows (N = 2^20, r = 8:
    1 GiB, a file made to exhaust the machine) is left to the loader, which refuses it."""
    import base64

    from ledger.infra import keys

    parts = _scrypt_form(encrypt_pkcs8(Ed25519PrivateKey.generate(), PASS.encode(), (2**10, 8, 1)))
    assert parts is not None
    salt, _, r, p, iv, encrypted = parts
    kdf = keys._seq(keys._oid(keys._SCRYPT), keys._seq(keys._octets(salt), keys._int(2**20), keys._int(r),
                                                        keys._int(p), keys._int(32)))
    scheme = keys._seq(keys._oid(keys._AES256_CBC), keys._octets(iv))
    der = keys._seq(keys._seq(keys._oid(keys._PBES2), keys._seq(kdf, scheme)), keys._octets(encrypted))
    body = base64.encodebytes(der).decode().replace("\n", "")
    huge = f"-----BEGIN ENCRYPTED PRIVATE KEY-----\n{body}\n-----END ENCRYPTED PRIVATE KEY-----\n".encode()
    assert _scrypt_form(huge) is None
    with pytest.raises((ValueError, TypeError)):
        decrypt_pkcs8(huge, PASS.encode())
