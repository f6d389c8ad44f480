"""`jcg audit verify|checkpoint|prove|consistency`, checked by a standalone script that uses
only hashlib and cryptography; encryption at rest; automatic checkpoints."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result

from domain.errors import Refused
from ledger import Ledger
from ledger.audit.checkpoint import CheckpointStore
from ledger.audit.verify import verify_ledger
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from ledger.infra.cipher import new_cipher_key
from tests.conftest import OFFICER, fixed_clock, provision_officers

Jcg = Callable[..., Result]
STANDALONE = Path(__file__).with_name("standalone_verify.py")
REGISTER = ["party", "register", "U1", "--name", "山西师范大学", "--kind", "university",
            "--entered", "2024-12-01", "--decided", "2025-01-02"]


def standalone(*args: str) -> subprocess.CompletedProcess[str]:
    """The third party's check: an isolated interpreter running a script with no project imports."""
    return subprocess.run([sys.executable, "-I", str(STANDALONE), *args], capture_output=True, text=True,
                          cwd=STANDALONE.parent.parent.parent, check=False)


def register(jcg: Jcg, code: str) -> None:
    r = jcg("party", "register", code, "--name", code, "--kind", "enterprise", "--entered", "2024-12-01",
            "--decided", "2025-01-02")
    assert r.exit_code == 0, r.output + r.stderr


def test_checkpoint_and_proofs_verify_with_a_standalone_script(jcg: Jcg, tmp_path: Path, key_dir: Path) -> None:
    register(jcg, "E1")
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    r = jcg("audit", "checkpoint", "--out", str(old))
    assert r.exit_code == 0 and r.stdout == old.read_text()
    assert r.stdout.splitlines()[0] == "jcg-ledger.linfen.example/log" and "\n\n— " in r.stdout
    vkey = (key_dir / "_ledger.vkey").read_text().strip()
    register(jcg, "E2")
    register(jcg, "E3")
    assert jcg("audit", "checkpoint", "--out", str(new)).exit_code == 0

    r = jcg("audit", "prove", "7", "--format", "json", "--out", str(tmp_path / "proof.json"))
    assert r.exit_code == 0, r.output + r.stderr
    proof = json.loads(r.stdout)
    assert proof["position"] == 7 and proof["tree_size"] == int(new.read_text().split("\n")[1])
    done = standalone("inclusion", vkey, str(tmp_path / "proof.json"))
    assert done.returncode == 0 and done.stdout.strip() == "OK", done.stdout + done.stderr

    r = jcg("audit", "consistency", str(old), str(new), "--format", "json")
    assert r.exit_code == 0, r.output + r.stderr
    (tmp_path / "cons.json").write_text(r.stdout)
    done = standalone("consistency", vkey, str(old), str(new), str(tmp_path / "cons.json"))
    assert done.returncode == 0 and done.stdout.strip() == "OK", done.stdout + done.stderr

    # the standalone checker is not a rubber stamp
    bad = dict(proof, leaf_data=proof["leaf_data"][:-4] + "AAA=")
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    assert "leaf hash does not match" in standalone("inclusion", vkey, str(tmp_path / "bad.json")).stdout
    bad = dict(proof, leaf_index=proof["leaf_index"] + 1)
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    assert standalone("inclusion", vkey, str(tmp_path / "bad.json")).returncode == 1
    forged = new.read_text().replace("\n", "\n", 1).split("\n")
    forged[1] = str(int(forged[1]) + 1)
    (tmp_path / "forged.txt").write_text("\n".join(forged))
    assert "does not verify" in standalone("consistency", vkey, str(old), str(tmp_path / "forged.txt"),
                                           str(tmp_path / "cons.json")).stdout


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
def test_verify_names_the_first_bad_event_and_exits_1(jcg: Jcg, ledger_url: str) -> None:
    register(jcg, "E1")
    assert jcg("audit", "verify").exit_code == 0
    path = ledger_url[len("sqlite:///"):]
    with sqlite3.connect(path) as db:
        rowid, state = db.execute("SELECT rowid, state FROM stored_events WHERE topic LIKE '%Registered' "
                                  "ORDER BY rowid DESC").fetchone()
        db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (state.replace(b'"E1"', b'"E9"'), rowid))
    r = jcg("audit", "verify")
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines()[-1].startswith(f"error: verification failed: position {rowid}: event differs")


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
def test_encryption_at_rest_and_automatic_checkpoints(ledger_url: str, key_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JCG_CIPHER_KEY", new_cipher_key())
    monkeypatch.setenv("JCG_CHECKPOINT_EVERY", "4")
    provision_officers(ledger_url)
    app = Ledger.open(ledger_url, clock=fixed_clock())
    # the ledger key was made with the ledger: checkpoints start at once, with no manual step
    assert [c.size for c in CheckpointStore(app).all()] != []
    app.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code="U1", name="山西师范大学",
                              party_kind="university", entered=date(2024, 12, 1)))
    app.execute(AwardByRule(actor=OFFICER, decided=date(2025, 3, 1), recipient="U1", clause="P2.4",
                            basis={"contract_value": "7,654,321.09", "contract": "2025-140801-0012", "registered_on": "2024-11-01", "counterparty": "E1"},
                            ref="临科发〔2025〕12号"))  # → 153,086.42
    raw = b"".join(bytes(n.state) for n in app.recorder.select_notifications(start=1, limit=100))
    assert "山西师范大学".encode() not in raw and b"153086.42" not in raw  # encrypted at rest
    assert b"7654321.09" not in raw and b"153,086.42" not in raw  # the basis and the trace too
    sizes = [c.size for c in CheckpointStore(app).all()]
    assert len(sizes) >= 2 and sizes == sorted(set(sizes))  # automatic ones, every 4 events
    report = verify_ledger(app)
    assert report.problems == [] and report.money_events == 1
    assert report.checkpoints[0].startswith("ok: the ledger's last checkpoint")
    assert report.checkpoints[1] == f"ok: {len(sizes) - 1} earlier checkpoint(s) of the ledger"
    app.close()
    monkeypatch.delenv("JCG_CIPHER_KEY")
    with pytest.raises(Refused, match="encrypted at rest; set JCG_CIPHER_KEY"):
        verify_ledger(Ledger.open(ledger_url, clock=fixed_clock()))


def test_verify_without_or_with_a_wrong_cipher_key_is_one_line(ledger_url: str, key_dir: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import cli

    monkeypatch.setenv("JCG_CIPHER_KEY", new_cipher_key())
    provision_officers(ledger_url)

    def verify() -> Result:
        return CliRunner().invoke(cli.main, ["--db", ledger_url, "audit", "verify"])

    assert verify().exit_code == 0
    monkeypatch.delenv("JCG_CIPHER_KEY")
    r = verify()
    assert r.exit_code == 1
    assert r.stderr == ("error: the stored events cannot be read: they are encrypted at rest; "
                        "set JCG_CIPHER_KEY to this ledger's cipher key\n")
    monkeypatch.setenv("JCG_CIPHER_KEY", new_cipher_key())
    r = verify()
    assert r.exit_code == 1
    assert r.stderr.startswith("error: JCG_CIPHER_KEY does not decrypt the stored events (Invalid cipher tag)")
    assert len(r.stderr.strip().splitlines()) == 1


def test_vkey_is_a_file_or_the_key_text(jcg: Jcg, key_dir: Path, tmp_path: Path) -> None:
    register(jcg, "E1")
    assert jcg("audit", "checkpoint").exit_code == 0
    text = (key_dir / "_ledger.vkey").read_text().strip()
    kept = tmp_path / "auditor.vkey"
    kept.write_text(text + "\n")
    for given in (text, str(kept)):
        r = jcg("audit", "verify", "--vkey", given)
        assert r.exit_code == 0 and "verification passed" in r.stdout, r.output
    r = jcg("audit", "verify", "--vkey", str(tmp_path / "missing.vkey"))
    assert r.exit_code == 1
    assert r.stderr.strip() == f"error: '{tmp_path / 'missing.vkey'}' is neither a signed-note verifier key nor a " \
                               "file holding one"


def test_each_checkpoint_is_reported_once_ok_or_not(jcg: Jcg, ledger: Ledger, provisioned_url: str) -> None:
    from tests.builders import RawStore

    register(jcg, "E1")
    assert jcg("audit", "checkpoint").exit_code == 0
    register(jcg, "E2")
    assert jcg("audit", "checkpoint").exit_code == 0
    r = jcg("audit", "verify")
    assert r.exit_code == 0
    assert [line for line in r.stdout.splitlines() if line.startswith("  checkpoint ")] == [
        f"  checkpoint ok: the ledger's last checkpoint #2: size {CheckpointStore(ledger).latest().size}, "
        f"root {r.stdout.split('root ')[2].split()[0]}",
        "  checkpoint ok: 1 earlier checkpoint(s) of the ledger",
    ]
    store = RawStore(provisioned_url, ledger.recorder.events_table_name)
    try:
        pos, *_, state = next(row for row in store.rows() if row[3].endswith("Enterprise.Registered"))
        store.run("UPDATE {t} SET state = {m} WHERE {pos} = {m}", state.replace(b'"E1"', b'"E9"'), pos)
    finally:
        store.close()
    r = jcg("audit", "verify")
    assert r.exit_code == 1
    lines = [line for line in r.stdout.splitlines() if line.startswith("  checkpoint ")]
    assert lines[0].startswith("  checkpoint FAILED: the log up to position ") and \
        lines[0].endswith("differs from the ledger's checkpoint #1 (tree size " + lines[0].split("(tree size ")[1])
    assert lines[1].startswith("  checkpoint FAILED: the log up to position ") and "last checkpoint #2" in lines[1]
    assert len(lines) == 2 and "checkpoint ok" not in r.stdout  # no checkpoint is reported twice
    assert "#1" not in r.stdout.split("checkpoint FAILED")[-1].split("\n", 1)[1]  # not repeated under "also:"
    assert r.stderr.strip().splitlines()[-1].startswith(f"error: verification failed: position {pos}: event differs")


def test_the_demo_is_signed_and_ends_with_a_passing_verification(tmp_path: Path) -> None:
    from click.testing import CliRunner

    import cli

    r = CliRunner().invoke(cli.main, ["demo", "--db", f"sqlite:///{tmp_path}/demo.sqlite"])
    assert r.exit_code == 0, r.output
    assert "officer demo-officer registered as approver" in r.output
    last = r.output.strip().splitlines()[-1]
    assert last.startswith("- audit verify:") and last.endswith("passed"), last


def test_progress_lines_end_with_a_newline_and_are_not_repeated(jcg: Jcg, ledger: Ledger) -> None:
    r = jcg("audit", "verify")
    assert r.exit_code == 0, r.stderr
    size = ledger.recorder.max_notification_id()
    assert r.stderr == f"verified {size} of {size} events\n"  # finished with a newline: nothing runs into it
    shown: list[tuple[int, int]] = []
    verify_ledger(ledger, progress=lambda done, total: shown.append((done, total)), every=2)
    assert shown == [(n, size) for n in range(2, size + 1, 2)] + ([(size, size)] if size % 2 else [])



def test_an_approver_registered_with_a_second_approvers_countersignature_signs_verifiably(ledger: Ledger) -> None:
    """The registration takes effect when confirmed (ChangeProposed, ChangeConfirmed): verify follows it."""
    from tests.conftest import independent_approver

    independent_approver(ledger, "approver-3")  # proposed by approver-0, confirmed by another approver
    ledger.execute(RegisterParty(actor="approver-3", decided=date(2025, 1, 2), code="E1", name="甲",
                                 party_kind="enterprise", entered=date(2024, 12, 1)))
    report = verify_ledger(ledger)
    assert report.ok, report.problems
