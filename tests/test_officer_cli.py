"""`jcg officer` and every `--out`: own keys, public-key registration, nothing destroyed,
exit 1 = nothing written (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

import cli
from domain.officer import ROSTER_ID
from ledger import Ledger
from ledger.audit.checkpoint import CheckpointStore
from tests.conftest import APPROVER, KEY_PASSPHRASE, OFFICER

Jcg = Callable[..., Result]
PARTY = ["--name", "E", "--kind", "enterprise", "--entered", "2025-01-02", "--decided", "2025-01-02"]


def as_officer(url: str, officer: str, keys: Path, *args: str) -> Result:
    return CliRunner().invoke(cli.main, ["--db", url, "--officer", officer, *args],
                              env={"JCG_KEY_DIR": str(keys), "JCG_PASSPHRASE": KEY_PASSPHRASE})


def roster_names(url: str) -> set[str]:
    ledger = Ledger.open(url)
    try:
        return set(ledger.repository.get(ROSTER_ID).officers) if ROSTER_ID in ledger.repository else set()
    finally:
        ledger.close()


def one_line_refusal(r: Result) -> None:
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1, r.output


def test_keygen_then_the_approver_registers_the_public_key(provisioned_url: str, key_dir: Path,
                                                            tmp_path: Path) -> None:
    li_keys = tmp_path / "li-keys"
    r = as_officer(provisioned_url, "li", li_keys, "officer", "keygen", "li", "--out", str(tmp_path / "li.pub"))
    assert r.exit_code == 0, r.output
    public = (tmp_path / "li.pub").read_text().strip()
    assert public in r.output and (li_keys / "li.key").exists()
    r = as_officer(provisioned_url, APPROVER, key_dir, "officer", "add", "li", "--role", "officer")
    assert r.exit_code == 2 and "--public-key" in r.output  # never a key made for them
    r = as_officer(provisioned_url, APPROVER, key_dir, "officer", "add", "li", "--role", "officer",
                   "--public-key", str(li_keys / "li.key"))
    assert r.exit_code == 1 and "a private key is never registered" in r.output
    r = as_officer(provisioned_url, APPROVER, key_dir, "officer", "add", "li", "--role", "officer",
                   "--public-key", str(tmp_path / "li.pub"))
    assert r.exit_code == 0, r.output
    assert not (key_dir / "li.key").exists()  # the approver holds no key of li's
    assert as_officer(provisioned_url, "li", key_dir, "party", "register", "E1", *PARTY).exit_code == 1
    r = as_officer(provisioned_url, "li", li_keys, "party", "register", "E1", *PARTY)
    assert r.exit_code == 0, r.output
    r = as_officer(provisioned_url, "li", li_keys, "officer", "rotate", "li")  # their own new key
    assert r.exit_code == 0, r.output
    assert len(list(li_keys.glob("li.key.retired-*"))) == 1


def test_a_dangling_key_symlink_registers_nobody(ledger_url: str, tmp_path: Path) -> None:
    """Finding: `officer add o11` with a dangling o11.key symlink said `File exists` (exit 1)
    yet registered o11."""
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    (keys / "o11.key").symlink_to(tmp_path / "nowhere")
    r = as_officer(ledger_url, "o11", keys, "officer", "add", "o11", "--role", "approver")
    one_line_refusal(r)
    assert roster_names(ledger_url) == set()
    assert not (tmp_path / "nowhere").exists()
    r = as_officer(ledger_url, "o11", keys, "officer", "keygen", "o11")
    one_line_refusal(r)


def test_checkpoint_out_to_a_missing_folder_stores_nothing(provisioned_url: str, key_dir: Path,
                                                           tmp_path: Path) -> None:
    """Finding: `audit checkpoint --out /missing/dir/cp.txt` exited 1 after storing the checkpoint."""
    keys_before = sorted(p.name for p in key_dir.iterdir())
    r = as_officer(provisioned_url, OFFICER, key_dir, "audit", "checkpoint", "--out", str(tmp_path / "missing" / "cp.txt"))
    one_line_refusal(r)
    ledger = Ledger.open(provisioned_url)
    try:
        assert CheckpointStore(ledger, create=False).all() == []
    finally:
        ledger.close()
    assert sorted(p.name for p in key_dir.iterdir()) == keys_before  # no key file made either


def test_no_out_overwrites_a_file_or_follows_a_symlink(provisioned_url: str, key_dir: Path, tmp_path: Path) -> None:
    """Finding: `audit checkpoint --out` and `audit prove --out` overwrote any file, through symlinks."""
    key_file = key_dir / f"{OFFICER}.key"
    precious = key_file.read_bytes()
    link = tmp_path / "cp.txt"
    link.symlink_to(key_file)
    existing = tmp_path / "existing.json"
    existing.write_text("kept")
    jcg = lambda *a: as_officer(provisioned_url, OFFICER, key_dir, *a)  # noqa: E731
    assert jcg("party", "register", "E1", *PARTY).exit_code == 0
    assert jcg("captable", "register", "E1", "--holder", "张三=300万", "--decided", "2025-01-02").exit_code == 0
    for args in (("audit", "checkpoint", "--out", str(link)), ("audit", "checkpoint", "--out", str(link), "--force"),
                 ("audit", "checkpoint", "--out", str(existing)), ("captable", "export", "E1", "-o", str(existing)),
                 ("captable", "export", "E1", "-o", str(link), "--force")):
        one_line_refusal(jcg(*args))
    assert key_file.read_bytes() == precious and existing.read_text() == "kept"
    assert jcg("audit", "checkpoint").exit_code == 0
    for args in (("audit", "prove", "1", "--out", str(link)), ("audit", "prove", "1", "--out", str(existing))):
        one_line_refusal(jcg(*args))
    assert key_file.read_bytes() == precious and existing.read_text() == "kept"
    r = jcg("audit", "prove", "1", "--out", str(existing), "--force")
    assert r.exit_code == 0, r.output
    assert existing.read_text() not in ("", "kept") and r.output.strip().splitlines()[0] in existing.read_text()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary files left


def test_an_officer_named_in_chinese_keeps_an_ascii_key_file_and_signs(provisioned_url: str, key_dir: Path,
                                                                       tmp_path: Path) -> None:
    """`officer add 张伟` was refused; the key file is named by punycode so it stays ASCII."""
    zhang_keys = tmp_path / "zhang-keys"
    r = as_officer(provisioned_url, "张伟", zhang_keys, "officer", "keygen", "张伟", "--out", str(tmp_path / "zw.pub"))
    assert r.exit_code == 0, r.output
    assert [p.name for p in zhang_keys.iterdir()] == ["xn--cpqy30b.key"]
    r = as_officer(provisioned_url, APPROVER, key_dir, "officer", "add", "张伟", "--role", "officer",
                   "--public-key", str(tmp_path / "zw.pub"))
    assert r.exit_code == 0, r.output
    assert "张伟" in roster_names(provisioned_url)
    r = as_officer(provisioned_url, "张伟", zhang_keys, "party", "register", "E1", *PARTY)
    assert r.exit_code == 0, r.output
    for bad in ("张 伟", "·张伟", "xn--cpqy30b", "张伟\u200b", "١٢"):
        r = as_officer(provisioned_url, APPROVER, key_dir, "officer", "add", bad, "--role", "officer",
                       "--public-key", str(tmp_path / "zw.pub"))
        assert r.exit_code in (1, 2) and "Traceback" not in r.output, (bad, r.output)
    assert roster_names(provisioned_url) == {APPROVER, OFFICER, "张伟"}
