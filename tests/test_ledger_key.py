"""The ledger's checkpoint key: made with the ledger (`jcg init`, the test provisioning), or else
by an authorised officer's first checkpoint; registered in the log, never replaced or made up
silently; `audit prove` is a read."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import cli
from domain.errors import AlreadyExists, Refused
from ledger import Ledger
from ledger.audit.checkpoint import CheckpointStore, verifier_key
from ledger.audit.ledger_key import RegisterLedgerKey, registered_verifier_key
from ledger.audit.signing import raw_public
from ledger.audit.verify import verify_ledger
from ledger.handlers.officers import enrol
from ledger.infra.keys import LEDGER_KEY
from tests.conftest import APPROVER, OFFICER, fixed_clock

Jcg = Callable[..., Result]


def as_officer(url: str, officer: str, *args: str) -> Result:
    return CliRunner().invoke(cli.main, ["--db", url, "--officer", officer, *args])


def register(jcg: Jcg, code: str) -> None:
    r = jcg("party", "register", code, "--name", code, "--kind", "enterprise", "--entered", "2024-12-01",
            "--decided", "2025-01-02")
    assert r.exit_code == 0, r.output


def without_ledger_key(key_dir: Path) -> None:
    """A ledger made before the ledger key came with `init`: no key file, no verifier key."""
    (key_dir / "_ledger.key").unlink()
    (key_dir / "_ledger.vkey").unlink()


def checkpoints(url: str) -> list[int]:
    app = Ledger.open(url, clock=fixed_clock())
    try:
        return [c.size for c in CheckpointStore(app).all()]
    finally:
        app.close()


def test_the_key_made_with_the_ledger_is_registered_by_the_first_checkpoint_once(
        jcg: Jcg, ledger: Ledger, key_dir: Path) -> None:
    vkey = (key_dir / "_ledger.vkey").read_text().strip()
    key_file = (key_dir / "_ledger.key").read_bytes()
    assert registered_verifier_key(ledger) is None  # fewer events than JCG_CHECKPOINT_EVERY: not due yet
    r = jcg("audit", "checkpoint")
    assert r.exit_code == 0, r.output
    assert f"ledger checkpoint key registered in the log: {vkey}" in r.stderr and "ledger key created" not in r.stderr
    assert registered_verifier_key(ledger) == vkey
    assert (key_dir / "_ledger.key").read_bytes() == key_file


def test_the_first_checkpoint_creates_and_registers_the_ledger_key_once(
        jcg: Jcg, ledger: Ledger, key_dir: Path) -> None:
    without_ledger_key(key_dir)
    register(jcg, "E1")  # ordinary writes never make the ledger key
    assert not (key_dir / "_ledger.key").exists() and not (key_dir / "_ledger.vkey").exists()
    r = jcg("audit", "checkpoint")
    assert r.exit_code == 0, r.output
    vkey = (key_dir / "_ledger.vkey").read_text().strip()
    assert f"ledger checkpoint key registered in the log: {vkey}" in r.stderr and "ledger key created" in r.stderr
    assert registered_verifier_key(ledger) == vkey
    key_file = (key_dir / "_ledger.key").read_bytes()
    register(jcg, "E2")
    r = jcg("audit", "checkpoint")
    assert r.exit_code == 0 and "registered" not in r.stderr and f"verifier key: {vkey}" in r.stderr
    assert (key_dir / "_ledger.key").read_bytes() == key_file
    assert (key_dir / "_ledger.vkey").read_text().strip() == vkey
    report = verify_ledger(ledger)
    assert report.ok and report.ledger_key == vkey, report.problems
    with pytest.raises(AlreadyExists, match="never replaced"):  # a second key is refused by the log itself
        other = verifier_key(vkey.split("+")[0], raw_public(Ed25519PrivateKey.generate().public_key()))
        ledger.execute(RegisterLedgerKey(actor=OFFICER, decided=date(2026, 1, 2), verifier_key=other))
    with pytest.raises(Refused, match="never replaced"):
        ledger.keyring.store.create(LEDGER_KEY, replace=True)


def test_prove_never_writes_and_a_missing_private_key_is_never_made_up(
        jcg: Jcg, provisioned_url: str, key_dir: Path, tmp_path: Path) -> None:
    """A key dir holding only the auditor's `_ledger.vkey`."""
    without_ledger_key(key_dir)
    register(jcg, "E1")
    r = jcg("audit", "prove", "3")
    assert r.exit_code == 1
    assert r.stderr.strip() == "error: no checkpoint covers position 3 yet: an officer runs `jcg audit checkpoint`"
    assert not (key_dir / "_ledger.key").exists() and not (key_dir / "_ledger.vkey").exists()
    assert checkpoints(provisioned_url) == []

    assert jcg("audit", "checkpoint").exit_code == 0
    register(jcg, "E2")
    vkey = (key_dir / "_ledger.vkey").read_text()
    shutil.move(key_dir / "_ledger.key", tmp_path / "kept-away.key")
    before = checkpoints(provisioned_url)

    r = jcg("audit", "prove", "3", "--format", "json")
    assert r.exit_code == 0, r.output
    proof = json.loads(r.stdout)
    assert proof["verifier_key"] == vkey.strip() and proof["tree_size"] == before[-1]
    assert not (key_dir / "_ledger.key").exists() and (key_dir / "_ledger.vkey").read_text() == vkey
    last = before[-1]
    r = jcg("audit", "prove", str(last + 2))  # after the last checkpoint: refused, not signed on the fly
    assert r.exit_code == 1 and f"no checkpoint covers position {last + 2} yet" in r.stderr
    r = jcg("audit", "prove", "9999")
    assert r.exit_code == 1 and r.stderr.strip() == "error: no event is stored at position 9999"

    r = jcg("audit", "checkpoint")
    assert r.exit_code == 1
    assert "the ledger key registered in the log" in r.stderr and "_ledger.key: restore that file" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (key_dir / "_ledger.key").exists() and (key_dir / "_ledger.vkey").read_text() == vkey
    assert checkpoints(provisioned_url) == before
    assert jcg("audit", "verify").exit_code == 0

    shutil.move(tmp_path / "kept-away.key", key_dir / "_ledger.key")  # the key restored: checkpoints resume
    assert jcg("audit", "checkpoint").exit_code == 0
    assert len(checkpoints(provisioned_url)) == len(before) + 1


def test_a_kept_vkey_without_its_private_key_refuses_the_first_checkpoint(
        jcg: Jcg, provisioned_url: str, key_dir: Path) -> None:
    without_ledger_key(key_dir)
    vkey = verifier_key("jcg-ledger.linfen.example/log", raw_public(Ed25519PrivateKey.generate().public_key()))
    (key_dir / "_ledger.vkey").write_text(vkey + "\n")
    r = jcg("audit", "checkpoint")
    assert r.exit_code == 1
    assert r.stderr.strip() == (f"error: {key_dir / '_ledger.vkey'} exists but the ledger's private key "
                                f"{key_dir / '_ledger.key'} does not: restore the key file (the ledger key is "
                                "never replaced silently)")
    assert (key_dir / "_ledger.vkey").read_text() == vkey + "\n" and not (key_dir / "_ledger.key").exists()
    assert checkpoints(provisioned_url) == []


def test_a_checkpoint_signed_by_another_key_is_caught_even_with_a_swapped_vkey_file(
        jcg: Jcg, ledger: Ledger, key_dir: Path) -> None:
    register(jcg, "E1")
    assert jcg("audit", "checkpoint").exit_code == 0
    register(jcg, "E2")
    origin = "jcg-ledger.linfen.example/log"
    rogue = Ed25519PrivateKey.generate()
    CheckpointStore(ledger).write(origin, rogue, origin)  # the operator signs with a key of their own …
    (key_dir / "_ledger.vkey").write_text(verifier_key(origin, raw_public(rogue.public_key())) + "\n")  # … and swaps
    problems = verify_ledger(ledger).problems
    assert any("_ledger.vkey (key ID" in p and "is not the ledger key registered in the log" in p
               for p in problems), problems
    assert any("last checkpoint #2: checkpoint is not signed by the ledger key" in p for p in problems), problems
    r = jcg("audit", "verify")
    assert r.exit_code == 1 and "checkpoint FAILED: the ledger's last checkpoint #2" in r.stdout


def test_only_a_registered_writing_officer_writes_a_checkpoint(
        jcg: Jcg, provisioned_url: str, key_dir: Path) -> None:
    app = Ledger.open(provisioned_url, clock=fixed_clock())
    try:
        enrol(app, "auditor-1", "auditor", actor=APPROVER)
    finally:
        app.close()
    without_ledger_key(key_dir)
    register(jcg, "E1")
    r = as_officer(provisioned_url, "auditor-1", "audit", "checkpoint")
    assert r.exit_code == 1
    assert r.stderr.strip() == ("error: auditor-1 is an auditor: auditors read and verify but never write "
                                "(a checkpoint is a write)")
    r = as_officer(provisioned_url, "nobody", "audit", "checkpoint")
    assert r.exit_code == 1
    assert r.stderr.strip() == "error: nobody is not a registered officer: only an officer or approver writes a " \
                               "checkpoint"
    assert checkpoints(provisioned_url) == [] and not (key_dir / "_ledger.key").exists()
    assert as_officer(provisioned_url, "auditor-1", "audit", "verify").exit_code == 0  # auditors read
    r = as_officer(provisioned_url, APPROVER, "audit", "checkpoint")
    assert r.exit_code == 0 and "(request id " in r.stderr
    assert as_officer(provisioned_url, "auditor-1", "audit", "prove", "1").exit_code == 0
