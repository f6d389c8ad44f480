"""The key agent (`jcg officer unlock` / `lock`): a key unlocked once signs the officer's commands
without the passphrase or the key file, for its own user only, until idle, locked or rotated; it
never gives the key out and its signatures are checked (real agent processes and sockets, Ed25519;
SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import cli
from commandline.options import AGENT_TIME
from domain.errors import Refused
from ledger import Ledger
from ledger.infra import agent
from ledger.infra.keys import Keyring, KeyStore, unlock
from tests.builders import english_words
from tests.conftest import KEY_PASSPHRASE, OFFICER

PARTY = ["--name", "E", "--kind", "enterprise", "--entered", "2025-01-02", "--decided", "2025-01-02"]


@pytest.fixture(autouse=True)
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private runtime directory of this test's own (short: a socket path has at most 107 bytes)."""
    directory = Path(tempfile.mkdtemp(prefix="jcg-rt-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(directory))
    yield directory
    for sock in directory.glob("jcg/*.sock"):  # no agent outlives its test
        with socket.socket(socket.AF_UNIX) as conn:
            try:
                conn.connect(str(sock))
                conn.sendall(b'{"op": "stop"}\n')
                conn.recv(100)
            except OSError:
                pass
    shutil.rmtree(directory, ignore_errors=True)


def run(url: str, *args: str, passphrase: str | None = None, officer: str = OFFICER, lang: str = "en") -> Result:
    env = {"JCG_PASSPHRASE": passphrase, "JCG_LANG": lang}  # no passphrase: as for an officer whose key is unlocked
    return CliRunner().invoke(cli.main, ["--db", url, "--officer", officer, *args], env=env, input="")


def parties(url: str) -> int:
    ledger = Ledger.open(url)
    try:
        return len(ledger.recorder.select_notifications(start=1, limit=10**6))
    finally:
        ledger.close()


def test_an_unlocked_key_signs_without_the_passphrase_until_locked(provisioned_url: str, key_dir: Path) -> None:
    r = run(provisioned_url, "officer", "unlock", "--for", "5m", passphrase=KEY_PASSPHRASE)
    assert r.exit_code == 0, r.output
    assert OFFICER in r.output and "_ledger" in r.output  # the checkpoint key in the same directory too
    held = agent.status(key_dir)
    assert held is not None and held["names"] == ["_ledger", OFFICER] and held["idle"] == 300
    (key_dir / f"{OFFICER}.key").rename(key_dir.parent / "away.key")  # the file is not read again

    before = parties(provisioned_url)
    r = run(provisioned_url, "party", "register", "E1", *PARTY)
    assert r.exit_code == 0, r.output
    assert parties(provisioned_url) > before
    r = run(provisioned_url, "audit", "verify")  # signed by the officer's registered key
    assert r.exit_code == 0, r.output

    r = run(provisioned_url, "officer", "lock")
    assert r.exit_code == 0 and agent.status(key_dir) is None and not agent.socket_path(key_dir).exists()
    (key_dir.parent / "away.key").rename(key_dir / f"{OFFICER}.key")
    before = parties(provisioned_url)
    r = run(provisioned_url, "party", "register", "E2", *PARTY)  # no agent, no passphrase: refused
    assert r.exit_code == 1 and "passphrase" in r.output.lower(), r.output
    assert parties(provisioned_url) == before
    r = run(provisioned_url, "officer", "lock")
    assert r.exit_code == 0 and "no key agent" in r.output


def test_a_wrong_passphrase_starts_no_agent(provisioned_url: str, key_dir: Path) -> None:
    r = run(provisioned_url, "officer", "unlock", passphrase="not the passphrase at all")
    assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1, r.output
    assert "wrong passphrase" in r.output
    assert agent.status(key_dir) is None and not agent.socket_path(key_dir).exists()


@pytest.mark.parametrize("given", ["abc", "0s", "9h", "-5m", "1h70x"])
def test_a_bad_length_of_time_is_bad_usage_and_starts_nothing(provisioned_url: str, key_dir: Path, given: str) -> None:
    r = run(provisioned_url, "officer", "unlock", "--for", given, passphrase=KEY_PASSPHRASE)
    assert r.exit_code == 2, r.output
    assert agent.status(key_dir) is None


def test_lengths_of_time_as_officers_write_them() -> None:
    assert [AGENT_TIME.convert(v, None, None) for v in ("90s", "15m", "2h", "1h30m", "15", "８h")] == \
        [90, 900, 7200, 5400, 900, 28800]
    assert AGENT_TIME.longest == agent.LONGEST  # the option's limit is the agent's


def test_the_agent_ends_when_no_command_has_signed_for_the_time_given(provisioned_url: str, key_dir: Path) -> None:
    r = run(provisioned_url, "officer", "unlock", "--for", "2s", passphrase=KEY_PASSPHRASE)
    assert r.exit_code == 0, r.output
    time.sleep(1.2)
    assert run(provisioned_url, "party", "register", "E1", *PARTY).exit_code == 0  # a use: idle again from here
    time.sleep(1.2)
    held = agent.status(key_dir)  # 2.4 s after unlocking, 1.2 s after its last use
    assert held is not None and held["idle_until"] - time.time() < 1.5, "idle counts from the last signature"
    deadline = time.monotonic() + 10
    while agent.socket_path(key_dir).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not agent.socket_path(key_dir).exists()
    r = run(provisioned_url, "party", "register", "E2", *PARTY)
    assert r.exit_code == 1 and "passphrase" in r.output.lower()


def test_rotating_ones_own_key_ends_the_agent_holding_the_old_one(provisioned_url: str, key_dir: Path) -> None:
    assert run(provisioned_url, "officer", "unlock", passphrase=KEY_PASSPHRASE).exit_code == 0
    r = run(provisioned_url, "officer", "rotate", OFFICER, passphrase=KEY_PASSPHRASE)
    assert r.exit_code == 0, r.output
    assert agent.status(key_dir) is None
    r = run(provisioned_url, "party", "register", "E1", *PARTY, passphrase=KEY_PASSPHRASE)  # the new key file
    assert r.exit_code == 0, r.output
    assert run(provisioned_url, "audit", "verify").exit_code == 0


def test_an_agent_socket_others_may_reach_is_not_used(provisioned_url: str, key_dir: Path, runtime: Path) -> None:
    assert run(provisioned_url, "officer", "unlock", passphrase=KEY_PASSPHRASE).exit_code == 0
    (runtime / "jcg").chmod(0o755)
    assert agent.held(key_dir, OFFICER) is None
    r = run(provisioned_url, "party", "register", "E1", *PARTY)
    assert r.exit_code == 1 and "passphrase" in r.output.lower()
    (runtime / "jcg").chmod(0o700)
    assert agent.held(key_dir, OFFICER) is not None


def test_the_agent_never_gives_the_key_out(key_dir: Path) -> None:
    store = KeyStore(key_dir, KEY_PASSPHRASE)
    key = store.create("li")
    unlock(store, "li", 60)
    held = Keyring(KeyStore(key_dir)).key("li")  # no passphrase: only the agent can give it
    assert isinstance(held, agent.AgentKey)
    assert held.public_key().public_bytes_raw() == key.public_key().public_bytes_raw()
    held.public_key().verify(held.sign(b"a request"), b"a request")
    with pytest.raises(Refused):
        held.private_bytes_raw()
    path = agent.socket_path(key_dir)
    with socket.socket(socket.AF_UNIX) as conn:
        conn.connect(str(path))
        conn.sendall(b'{"op": "export", "name": "li"}\n')
        assert json.loads(conn.recv(1000)) == {"ok": False}
    assert agent.held(key_dir, "zhang") is None  # a key it does not hold
    assert agent.stop(key_dir)


def test_a_signature_the_key_did_not_make_is_refused(key_dir: Path) -> None:
    """An impostor on the agent's socket that knows the public key but not the private one."""
    real = Ed25519PrivateKey.generate()
    path = agent.socket_path(key_dir)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen(4)

    def impostor() -> None:
        for _ in range(2):
            conn, _addr = listener.accept()
            with conn:
                request = json.loads(conn.recv(10_000))
                if request["op"] == "public":
                    answer = {"ok": True, "public": base64.b64encode(real.public_key().public_bytes_raw()).decode()}
                else:
                    answer = {"ok": True, "signature": base64.b64encode(Ed25519PrivateKey.generate().sign(b"x")).decode()}
                conn.sendall(json.dumps(answer).encode() + b"\n")

    thread = threading.Thread(target=impostor)
    thread.start()
    try:
        held = agent.held(key_dir, "li")
        assert held is not None
        with pytest.raises(Refused, match="stopped or failed"):
            held.sign(b"a request")
    finally:
        thread.join(5)
        listener.close()
        os.unlink(path)


def test_unlock_and_lock_speak_chinese(provisioned_url: str, key_dir: Path) -> None:
    said = [run(provisioned_url, "officer", "unlock", "--for", "1h", passphrase=KEY_PASSPHRASE, lang="zh"),
            run(provisioned_url, "officer", "lock", lang="zh"), run(provisioned_url, "officer", "lock", lang="zh"),
            run(provisioned_url, "officer", "unlock", "--for", "9h", passphrase=KEY_PASSPHRASE, lang="zh"),
            run(provisioned_url, "officer", "unlock", passphrase="not the passphrase at all", lang="zh")]
    assert [r.exit_code for r in said] == [0, 0, 0, 2, 1]
    assert "密钥代理" in said[0].output and "60 分钟" in said[0].output and "已结束" in said[1].output
    assert {r.output: english_words(r.output) for r in said if english_words(r.output)} == {}
