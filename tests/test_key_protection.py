"""Officer key files kept as a bank would keep them: scrypt PKCS#8, a long passphrase,
private modes, no symlinks."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from domain.errors import Refused
from ledger.infra.keys import MIN_PASSPHRASE, SCRYPT_COST, KeyStore, encrypt_pkcs8

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
