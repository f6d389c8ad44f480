"""Officers, roles and keys: who may sign what, bootstrap, rotation and revocation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result

from domain.errors import Refused
from domain.officer import ROSTER_ID
from ledger import Ledger
from ledger.audit.signing import public_key_text
from ledger.audit.verify import verify_ledger
from ledger.handlers.officers import RevokeOfficerKey, RotateOfficerKey, enrol, keygen
from ledger.handlers.parties import RegisterParty
from ledger.infra.keys import Keyring, KeyStore
from tests.conftest import APPROVER, KEY_PASSPHRASE, OFFICER, fixed_clock

Jcg = Callable[..., Result]
DAY = date(2025, 1, 2)


def register(ledger: Ledger, code: str, actor: str = OFFICER) -> None:
    ledger.execute(RegisterParty(actor=actor, decided=DAY, code=code, name=code, party_kind="enterprise",
                                 entered=DAY))


@pytest.fixture
def empty(sqlite_url: str, key_dir: Path) -> Ledger:
    return Ledger.open(sqlite_url, clock=fixed_clock())


def test_first_officer_registers_themself_and_then_only_officers_write(empty: Ledger) -> None:
    with pytest.raises(Refused, match="first officer registers themself"):
        enrol(empty, "li", "officer", actor="zhang")
    with pytest.raises(Refused, match="auditor never writes"):
        enrol(empty, "sun", "auditor")
    enrol(empty, "zhang", "approver")
    with pytest.raises(Refused, match="nobody is not a registered officer"):
        register(empty, "E1", actor="nobody")
    enrol(empty, "li", "officer", actor="zhang")
    with pytest.raises(Refused, match="only an approver registers officers"):
        enrol(empty, "wang", "officer", actor="li")
    enrol(empty, "sun", "auditor", actor="zhang")
    with pytest.raises(Refused, match="auditors read and verify but never write"):
        register(empty, "E1", actor="sun")
    register(empty, "E1", actor="li")
    assert verify_ledger(empty).problems == []


def test_a_ledger_without_officers_refuses_everything_but_the_first_officer(empty: Ledger) -> None:
    with pytest.raises(Refused, match="the ledger has no officers yet"):
        register(empty, "E1", actor="anyone")
    assert sum(1 for _ in empty.read_log()) == 0  # nothing recorded unsigned
    enrol(empty, "zhang", "approver")
    register(empty, "E1", actor="zhang")
    assert verify_ledger(empty).problems == []


def test_the_key_file_is_encrypted_and_must_match_the_registered_key(empty: Ledger, key_dir: Path) -> None:
    enrol(empty, "zhang", "approver")
    pem = (key_dir / "zhang.key").read_bytes()
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(Refused, match="wrong passphrase"):
        KeyStore(key_dir, "not-the-passphrase").load("zhang")
    other = Ledger.open(empty.env["SQLITE_DBNAME"], clock=fixed_clock(),
                        keyring=Keyring(KeyStore(key_dir / "elsewhere", KEY_PASSPHRASE)))
    other.keyring.create("zhang")  # a different key under the same name
    with pytest.raises(Refused, match="not the officer's registered key"):
        register(other, "E1", actor="zhang")


def test_rotation_keeps_history_valid_and_revocation_stops_new_signatures(ledger: Ledger) -> None:
    register(ledger, "E1")
    old_public = public_key_text(ledger.keyring.key(OFFICER))
    new_key = ledger.keyring.store.save(f"{OFFICER}-new", _new_key())  # the officer's new key file
    new = ledger.keyring.store.load(f"{OFFICER}-new")
    ledger.execute(RotateOfficerKey(actor=OFFICER, decided=DAY, name=OFFICER, public_key=public_key_text(new)))
    assert new_key.exists() and public_key_text(new) != old_public
    with pytest.raises(Refused, match="not the officer's registered key"):
        register(ledger, "E2")  # still holding the old key
    ledger.keyring.use(OFFICER, new)
    register(ledger, "E2")
    roster = ledger.aggregate(ROSTER_ID)
    assert [k.status for k in roster.officer(OFFICER).keys] == ["retired", "active"]
    ledger.execute(RevokeOfficerKey(actor=APPROVER, decided=DAY, name=OFFICER, reason="密钥遗失"))
    with pytest.raises(Refused, match="no valid key"):
        register(ledger, "E3")
    report = verify_ledger(ledger)
    assert report.problems == [] and report.signatures == report.requests == 6  # 2 provisioning + 4 here


def test_an_officer_manages_only_their_own_key(ledger: Ledger) -> None:
    with pytest.raises(Refused, match="only an approver manages another officer's key"):
        ledger.execute(RevokeOfficerKey(actor=OFFICER, decided=DAY, name=APPROVER, reason="x"))


def test_officer_cli(jcg: Jcg, key_dir: Path) -> None:
    r = jcg("officer", "list")
    assert r.exit_code == 0 and "approver-1" in r.output and "officer-1" in r.output
    sun_public = keygen(KeyStore(key_dir.parent / "sun-keys", KEY_PASSPHRASE), "sun")  # sun's own key
    r = jcg("--officer", APPROVER, "officer", "add", "sun", "--role", "auditor", "--public-key", sun_public)
    assert r.exit_code == 0, r.output
    assert "officer sun registered as auditor" in r.output and not (key_dir / "sun.key").exists()
    wang_public = keygen(KeyStore(key_dir.parent / "wang-keys", KEY_PASSPHRASE), "wang")
    r = jcg("officer", "add", "wang", "--role", "officer", "--public-key", wang_public)  # as officer-1
    assert r.exit_code == 1 and "only an approver registers officers" in r.stderr
    r = jcg("officer", "rotate", OFFICER)
    assert r.exit_code == 0 and "now retired" in r.output, r.output
    assert (key_dir / f"{OFFICER}.key.retired-1").exists()
    r = jcg("party", "register", "E1", "--name", "甲", "--kind", "enterprise", "--entered", "2025-01-01",
            "--decided", "2025-01-02")
    assert r.exit_code == 0, r.output  # signed with the new key
    r = jcg("--officer", APPROVER, "officer", "revoke", OFFICER, "--reason", "left")
    assert r.exit_code == 0 and "signs nothing new" in r.output
    r = jcg("party", "register", "E2", "--name", "乙", "--kind", "enterprise", "--entered", "2025-01-01",
            "--decided", "2025-01-02")
    assert r.exit_code == 1 and "no valid key" in r.stderr
    r = jcg("audit", "verify")
    assert r.exit_code == 0 and "verification passed" in r.output, r.output + r.stderr
    assert "verified" in r.stderr  # progress on stderr


def _new_key():  # type: ignore[no-untyped-def]  # returns a cryptography private key
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate()


def test_each_command_names_the_roles_that_may_submit_it(ledger: Ledger) -> None:
    """Command.roles, enforced by authorize: writing commands by default take an officer or an
    approver; an approval (loan approve) takes an approver; an auditor never writes."""
    from ledger.commands import APPROVERS, WRITERS, Command
    from ledger.handlers.loans import ApproveCompensation, ClaimCompensation
    from ledger.handlers.officers import authorize

    assert Command.roles == WRITERS == frozenset({"officer", "approver"})
    assert ApproveCompensation.roles == APPROVERS == frozenset({"approver"})
    enrol(ledger, "sun", "auditor", actor=APPROVER)
    roster = ledger.aggregate(ROSTER_ID)

    def cmd(kind: type[Command], actor: str) -> Command:
        return kind(actor=actor, decided=DAY, code="L1", ref="临财金〔2026〕9号")  # type: ignore[call-arg]  # kind is any of several command classes

    assert authorize(roster, cmd(ClaimCompensation, OFFICER)).officer == OFFICER
    assert authorize(roster, cmd(ClaimCompensation, APPROVER)).officer == APPROVER
    assert authorize(roster, cmd(ApproveCompensation, APPROVER)).officer == APPROVER
    with pytest.raises(Refused) as refused:
        authorize(roster, cmd(ApproveCompensation, OFFICER))
    assert str(refused.value) == f"{OFFICER} is an officer; approving a P5.6 claim needs an approver"
    with pytest.raises(Refused, match="auditors read and verify but never write"):
        authorize(roster, cmd(ApproveCompensation, "sun"))
    # through the ledger: refused before anything runs, nothing written
    before = sum(1 for _ in ledger.read_log())
    with pytest.raises(Refused, match="needs an approver"):
        ledger.execute(cmd(ApproveCompensation, OFFICER))
    assert sum(1 for _ in ledger.read_log()) == before


def test_a_refused_add_writes_no_key_file_and_a_planted_file_is_never_adopted(empty: Ledger) -> None:
    store = empty.keyring.store
    with pytest.raises(Refused, match="auditor never writes"):
        enrol(empty, "sun", "auditor")
    assert not store.exists("sun")  # refused: nothing on disk either
    enrol(empty, "zhang", "approver", request_id="add-zhang")
    assert store.exists("zhang")
    repeat = enrol(empty, "zhang", "approver", request_id="add-zhang")  # the file holds the registered key
    assert repeat.already_recorded
    planted = KeyStore(store.directory, KEY_PASSPHRASE)
    planted.create("li")  # a left-over or planted file
    with pytest.raises(Refused, match=r"already exists .* does not hold li's registered key"):
        enrol(empty, "li", "officer", actor="zhang")
    assert "li" not in empty.aggregate(ROSTER_ID).officers


def test_cli_commands_on_an_encrypted_ledger_without_or_with_a_wrong_cipher_key_are_one_line(
        sqlite_url: str, key_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import cli
    from ledger.infra.cipher import new_cipher_key
    from tests.conftest import provision_officers

    monkeypatch.setenv("JCG_CIPHER_KEY", new_cipher_key())
    provision_officers(sqlite_url)

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli.main, ["--db", sqlite_url, "--officer", OFFICER, *args])

    assert run("officer", "list").exit_code == 0
    for env in (None, new_cipher_key()):
        if env is None:
            monkeypatch.delenv("JCG_CIPHER_KEY")
        else:
            monkeypatch.setenv("JCG_CIPHER_KEY", env)
        for args in (("officer", "list"), ("party", "register", "E1", "--name", "E1", "--kind", "enterprise",
                                            "--entered", "2024-12-01", "--decided", "2025-01-02")):
            r = run(*args)
            assert r.exit_code == 1, (args, r.output, r.stderr)
            assert len(r.stderr.strip().splitlines()) == 1, r.stderr
            want = "encrypted at rest; set JCG_CIPHER_KEY" if env is None else "does not decrypt the stored events"
            assert want in r.stderr, (args, r.stderr)


@pytest.mark.parametrize("name", ["_ledger", "_LEDGER"])
def test_the_ledger_key_name_is_reserved_with_or_without_its_key_file(ledger: Ledger, name: str) -> None:
    from ledger.audit.checkpointing import write_checkpoint

    want = rf"officer name '{name}' is reserved for the ledger's own checkpoint key; choose another name$"
    with pytest.raises(Refused, match=want):  # no ledger key yet
        enrol(ledger, name, "officer", actor=APPROVER)
    write_checkpoint(ledger, OFFICER)  # creates $JCG_KEY_DIR/_ledger.key
    key_file = ledger.keyring.store.path("_ledger")
    kept = key_file.read_bytes()
    with pytest.raises(Refused, match=want) as refused:  # never "move it away": it is the ledger's key
        enrol(ledger, name, "officer", actor=APPROVER)
    assert "move" not in str(refused.value)
    assert key_file.read_bytes() == kept
    assert name not in ledger.aggregate(ROSTER_ID).officers


@pytest.mark.parametrize("key", ["garbage", "QUJD", "ü"])
def test_an_invalid_cipher_key_is_one_line_naming_the_setting(sqlite_url: str, key_dir: Path, key: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import cli

    monkeypatch.setenv("JCG_CIPHER_KEY", key)
    for args in (("party", "list"), ("report", "recipients"), ("audit", "verify")):
        r = CliRunner().invoke(cli.main, ["--db", sqlite_url, *args])
        assert r.exit_code == 1, (args, r.stderr)
        assert r.stderr.startswith("error: JCG_CIPHER_KEY is not a valid key: "), r.stderr
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_a_wrong_cipher_key_is_the_same_line_on_every_command(sqlite_url: str, key_dir: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import cli
    from ledger.infra.cipher import new_cipher_key
    from tests.conftest import provision_officers

    monkeypatch.setenv("JCG_CIPHER_KEY", new_cipher_key())
    provision_officers(sqlite_url)
    monkeypatch.setenv("JCG_CIPHER_KEY", new_cipher_key())
    want = ("error: JCG_CIPHER_KEY does not decrypt the stored events (Invalid cipher tag): wrong cipher key, "
            "or the ledger is not encrypted\n")
    for args in (("officer", "list"), ("party", "list"), ("report", "recipients"), ("report", "balances",
                 "--as-of", "2025-12-31"), ("audit", "replay"), ("audit", "trail", "U1"), ("audit", "verify")):
        r = CliRunner().invoke(cli.main, ["--db", sqlite_url, "--officer", OFFICER, *args])
        assert (r.exit_code, r.stderr) == (1, want), args
    r = CliRunner().invoke(cli.main, ["--db", sqlite_url, "audit", "consistency", "1", "3", "--format", "json"])
    assert r.exit_code == 0, r.stderr  # hashes the stored bytes: no key needed, a wrong one does not matter


def test_a_writing_command_with_a_wrong_passphrase_is_refused_as_before_and_writes_nothing(
        jcg: Jcg, key_dir: Path, monkeypatch: pytest.MonkeyPatch, ledger: Ledger) -> None:
    """The officer's key is opened ahead (commandline.options.Session.unlock_ahead, on a thread):
    a wrong passphrase is still one refusal, exit 1, nothing recorded, no thread left."""
    import threading

    before = sum(1 for _ in ledger.read_log())
    monkeypatch.setenv("JCG_PASSPHRASE", "not-the-passphrase")
    with pytest.raises(Refused) as then:
        KeyStore(key_dir, "not-the-passphrase").load(OFFICER)
    r = jcg("party", "register", "E1", "--name", "甲", "--kind", "enterprise", "--entered", "2025-01-01",
            "--decided", "2025-01-02")
    assert r.exit_code == 1
    assert r.stderr == f"error: {then.value}\n"
    assert "cannot open the key of officer-1: wrong passphrase" in r.stderr
    assert sum(1 for _ in ledger.read_log()) == before
    assert not [t for t in threading.enumerate() if t.name == "jcg-unlock-key"]
    monkeypatch.setenv("JCG_PASSPHRASE", KEY_PASSPHRASE)
    r = jcg("party", "register", "E1", "--name", "甲", "--kind", "enterprise", "--entered", "2025-01-01",
            "--decided", "2025-01-02")
    assert r.exit_code == 0, r.output
