"""The audit commands as an officer and an auditor use them: `init` makes the ledger key, a missed
checkpoint is said on stderr and in `audit verify`, `audit consistency KEPT N` refuses a forked
log, text proofs check with the installed `jcg-verify`, and `export beancount --out` never
overwrites a file it did not create nor follows a symlink."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cli
from ledger import Ledger
from tests.builders import RawStore
from tests.conftest import fixed_clock

Jcg = Callable[..., Result]
JCG_VERIFY = Path(sys.executable).with_name("jcg-verify")


def register(jcg: Jcg, code: str) -> Result:
    r = jcg("party", "register", code, "--name", code, "--kind", "enterprise", "--entered", "2024-12-01",
            "--decided", "2025-01-02")
    assert r.exit_code == 0, r.output + r.stderr
    return r


def test_init_makes_the_ledger_key_once(sqlite_url: str, key_dir: Path) -> None:
    r = CliRunner().invoke(cli.main, ["--db", sqlite_url, "init"])
    assert r.exit_code == 0, r.output + r.stderr
    vkey = (key_dir / "_ledger.vkey").read_text().strip()
    assert (key_dir / "_ledger.key").exists() and vkey in r.output + r.stderr
    key = (key_dir / "_ledger.key").read_bytes()
    r = CliRunner().invoke(cli.main, ["--db", sqlite_url, "init"])  # safe to repeat: never a new key
    assert r.exit_code == 0 and (key_dir / "_ledger.key").read_bytes() == key
    assert (key_dir / "_ledger.vkey").read_text().strip() == vkey


def test_a_missed_checkpoint_is_said_on_stderr_and_by_verify(jcg: Jcg, key_dir: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JCG_CHECKPOINT_EVERY", "4")
    register(jcg, "E1")
    shutil.move(key_dir / "_ledger.key", tmp_path / "away.key")
    said = "".join(register(jcg, code).stderr for code in ("E2", "E3", "E4"))
    assert "warning: no checkpoint was made (" in said and "restore that file" in said
    r = jcg("audit", "verify")
    assert r.exit_code == 0, r.output + r.stderr
    assert "checkpoint gap: a checkpoint was due after tree size" in r.stdout
    assert "without --checkpoint, removal of the newest requests (truncation) cannot be detected" in r.stdout


def test_consistency_from_a_kept_checkpoint_refuses_a_forked_log(jcg: Jcg, provisioned_url: str,
                                                                 tmp_path: Path, key_dir: Path) -> None:
    register(jcg, "E1")
    kept = tmp_path / "kept.txt"
    assert jcg("audit", "checkpoint", "--out", str(kept)).exit_code == 0
    register(jcg, "E2")
    r = jcg("audit", "checkpoint")
    size = int(r.stdout.split("\n")[1])
    r = jcg("audit", "consistency", str(kept), str(size))
    assert r.exit_code == 0, r.output + r.stderr
    assert r.stdout.startswith("jcg-ledger/tlog-consistency@v1\n")
    (tmp_path / "cons").write_text(r.stdout)
    vkey = str(key_dir / "_ledger.vkey")
    done = subprocess.run([str(JCG_VERIFY), "--vkey", vkey, str(kept), str(tmp_path / "cons")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("OK: "), done.stdout
    assert json.loads(jcg("audit", "consistency", str(kept), str(size), "--format", "json").stdout)["new_size"] == size

    app = Ledger.open(provisioned_url, clock=fixed_clock())
    store = RawStore(provisioned_url, app.recorder.events_table_name)
    try:  # the operator rewrites an event the kept checkpoint covers: a fork
        pos, state = next((r[0], r[4]) for r in store.rows() if b'"E1"' in r[4])
        store.run("UPDATE {t} SET state = {m} WHERE {pos} = {m}", state.replace(b'"E1"', b'"E9"'), pos)
    finally:
        store.close()
        app.close()
    r = jcg("audit", "consistency", str(kept), str(size))
    assert r.exit_code == 1
    assert "differ from the kept checkpoint: the log was forked or rewritten" in r.stderr
    lines = kept.read_text().split("\n")
    lines[1] = str(int(lines[1]) - 1)
    (tmp_path / "forged.txt").write_text("\n".join(lines))
    r = jcg("audit", "consistency", str(tmp_path / "forged.txt"), str(size))
    assert r.exit_code == 1 and "does not verify" in r.stderr


def test_prove_writes_a_tlog_proof_the_installed_verifier_accepts(jcg: Jcg, tmp_path: Path, key_dir: Path) -> None:
    register(jcg, "E1")
    kept = tmp_path / "kept.txt"
    assert jcg("audit", "checkpoint", "--out", str(kept)).exit_code == 0
    r = jcg("audit", "prove", "3", "--checkpoint", str(kept), "--out", str(tmp_path / "p.tlog-proof"))
    assert r.exit_code == 0, r.output + r.stderr
    assert r.stdout.startswith("c2sp.org/tlog-proof@v1\n")
    done = subprocess.run([str(JCG_VERIFY), "--vkey", str(key_dir / "_ledger.vkey"), str(kept),
                           str(tmp_path / "p.tlog-proof")], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("OK: event at index 2"), done.stdout
    assert json.loads(jcg("audit", "prove", "3", "--format", "json").stdout)["position"] == 3


def test_export_beancount_out_never_overwrites_nor_follows_a_symlink(jcg: Jcg, tmp_path: Path) -> None:
    register(jcg, "E1")
    out = tmp_path / "ledger.beancount"
    r = jcg("export", "beancount", "--out", str(out))
    assert r.exit_code == 0, r.output + r.stderr
    assert out.read_text().startswith("; jcg export beancount")
    out.write_text("mine")
    r = jcg("export", "beancount", "--out", str(out))
    assert r.exit_code == 1 and out.read_text() == "mine"
    assert jcg("export", "beancount", "--out", str(out), "--force").exit_code == 0
    assert out.read_text().startswith("; jcg export beancount")
    victim = tmp_path / "victim.key"
    victim.write_text("secret")
    link = tmp_path / "link.beancount"
    link.symlink_to(victim)
    r = jcg("export", "beancount", "--out", str(link))
    assert r.exit_code == 1 and victim.read_text() == "secret"
    r = jcg("export", "beancount", "--out", str(link), "--force")
    assert r.exit_code == 1 and "symbolic link" in r.stderr and victim.read_text() == "secret"
    r = jcg("export", "beancount", "--as-of", "2024-12-31")
    assert r.exit_code == 0 and not re.search(r"^\d{4}-\d\d-\d\d (\*|balance) ", r.stdout, re.M)  # nothing by then
