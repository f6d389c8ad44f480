"""Proofs in the C2SP transparency-log text style, checked by two verifiers that share no code
with the ledger: the shipped `jcg-verify` (stdlib + cryptography only) and the test's own
minimal RFC 9162 checker (tests/standalone_verify.py)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ledger import Ledger
from ledger.audit.checkpointing import write_checkpoint
from ledger.audit.verify import (
    consistency_proof_document,
    consistency_proof_text,
    inclusion_proof_document,
    inclusion_proof_text,
)
from ledger.handlers.grants import Disburse
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from tests.conftest import OFFICER
from tests.posting import paid

ROOT = Path(__file__).resolve().parent.parent
STANDALONE = ROOT / "tests" / "standalone_verify.py"
JCG_VERIFY = ROOT / "jcg_verify.py"


def isolated(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """An isolated interpreter (-I: no site-packages path tricks, no cwd on sys.path) running one file."""
    return subprocess.run([sys.executable, "-I", str(script), *args], capture_output=True, text=True,
                          cwd="/", check=False)


@pytest.fixture
def proofs(ledger: Ledger, tmp_path: Path, key_dir: Path) -> dict[str, Path | str]:
    """A kept checkpoint, a later one, an inclusion proof against the kept one and a consistency
    proof from it, as the text files an auditor receives."""
    ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code="U1", name="山西师范大学",
                                 party_kind="university", entered=date(2024, 12, 1)))
    ledger.execute(AwardByRule(actor=OFFICER, decided=date(2025, 3, 1), recipient="U1", clause="P2.4",
                               basis={"contract_value": "7,654,321.09", "contract": "2025-140801-0012", "registered_on": "2024-11-01", "counterparty": "E1"},
                               ref="临科发〔2025〕12号"))
    kept = write_checkpoint(ledger, OFFICER).row.note
    paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 3, 11), recipient="U1", award="U1-A1",
                            amount=Decimal("100000.00")))
    newer = write_checkpoint(ledger, OFFICER).row
    files: dict[str, Path | str] = {"vkey": (key_dir / "_ledger.vkey").read_text().strip()}
    for name, text in {
        "kept": kept,
        "inclusion": inclusion_proof_text(inclusion_proof_document(ledger, 5, kept=kept)),
        "consistency": consistency_proof_text(consistency_proof_document(ledger, kept, newer.size)),
    }.items():
        files[name] = tmp_path / name
        files[name].write_text(text, encoding="utf-8")  # type: ignore[union-attr]  # files[name] is a Path for the names written here
    return files


def test_the_inclusion_proof_is_a_c2sp_tlog_proof(proofs: dict[str, Path | str]) -> None:
    text = Path(proofs["inclusion"]).read_text()
    kept = Path(proofs["kept"]).read_text()
    lines = text.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1" and lines[1].startswith("extra ") and lines[2] == "index 4"
    assert text.endswith("\n\n" + kept) or text.split("\n\n", 1)[1] == kept


def test_both_independent_verifiers_accept_the_proofs(proofs: dict[str, Path | str]) -> None:
    vkey, kept = str(proofs["vkey"]), str(proofs["kept"])
    for kind in ("inclusion", "consistency"):
        done = isolated(JCG_VERIFY, "--vkey", vkey, kept, str(proofs[kind]))
        assert done.returncode == 0 and done.stdout.startswith("OK: "), done.stdout + done.stderr
        done = isolated(STANDALONE, f"tlog-{kind}", vkey, kept, str(proofs[kind]))
        assert done.returncode == 0 and done.stdout.strip() == "OK", done.stdout + done.stderr
    done = isolated(JCG_VERIFY, "--vkey", vkey, kept)
    assert done.returncode == 0 and "is signed by the ledger key" in done.stdout


@pytest.mark.parametrize("kind", ["inclusion", "consistency"])
def test_both_verifiers_refuse_an_altered_proof(proofs: dict[str, Path | str], tmp_path: Path, kind: str) -> None:
    vkey, kept = str(proofs["vkey"]), str(proofs["kept"])
    lines = Path(proofs[kind]).read_text().split("\n")
    first_hash = 3
    lines[first_hash] = ("A" * 43 + "=") if lines[first_hash] != "A" * 43 + "=" else ("B" * 43 + "=")
    bad = tmp_path / "bad"
    bad.write_text("\n".join(lines))
    done = isolated(JCG_VERIFY, "--vkey", vkey, kept, str(bad))
    assert done.returncode == 1 and done.stdout.startswith("FAILED: "), done.stdout
    assert isolated(STANDALONE, f"tlog-{kind}", vkey, kept, str(bad)).returncode == 1


def test_jcg_verify_refuses_a_checkpoint_not_signed_by_the_ledger_key(proofs: dict[str, Path | str],
                                                                     tmp_path: Path) -> None:
    vkey, kept = str(proofs["vkey"]), Path(proofs["kept"]).read_text().split("\n")
    kept[1] = str(int(kept[1]) + 1)  # a bigger tree claimed
    forged = tmp_path / "forged"
    forged.write_text("\n".join(kept))
    done = isolated(JCG_VERIFY, "--vkey", vkey, str(forged), str(proofs["consistency"]))
    assert done.returncode == 1 and "does not verify" in done.stdout
    done = isolated(JCG_VERIFY, str(proofs["kept"]))
    assert done.returncode == 2 and "--vkey" in done.stderr  # bad usage: no key to verify with


def test_jcg_verify_needs_nothing_but_cryptography() -> None:
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import jcg_verify; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'ledger', 'domain', 'projections', 'cli', 'eventsourcing', 'sqlalchemy', 'click', 'psycopg'}))")
    done = subprocess.run([sys.executable, "-I", "-c", probe, str(ROOT)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_jcg_verify_is_installed_as_a_console_script() -> None:
    script = Path(sys.executable).parent / "jcg-verify"
    assert script.exists(), "pip install -e . installs jcg-verify"
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "--vkey" in done.stdout
