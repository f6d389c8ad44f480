"""Automatic checkpoints: from a fresh ledger's first events with no manual step (the ledger key is
made with the ledger), never silently stopped (a missing key file, a passphrase that cannot open
it: said to the officer and reported by `audit verify`), and a kept checkpoint is checked
(signature and root) before any consistency proof is made from it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from domain.errors import Refused
from ledger import Ledger
from ledger.audit.checkpoint import CheckpointError, CheckpointStore
from ledger.audit.checkpointing import write_checkpoint
from ledger.audit.ledger_key import registered_verifier_key
from ledger.audit.verify import consistency_proof_document, verify_ledger
from ledger.handlers.grants import Disburse
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from ledger.infra.keys import LEDGER_KEY, KeyStore
from tests.builders import RawStore
from tests.conftest import KEY_PASSPHRASE, OFFICER, fixed_clock, provision_officers
from tests.posting import paid


def register(app: Ledger, code: str) -> list[str]:
    outcome = app.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code=code, name=code,
                                        party_kind="enterprise", entered=date(2024, 12, 1)))
    return [str(w) for w in outcome.warnings]


def sizes(app: Ledger) -> list[int]:
    return [c.size for c in CheckpointStore(app).all()]


@pytest.fixture
def every_six(ledger_url: str, key_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ledger]:
    monkeypatch.setenv("JCG_CHECKPOINT_EVERY", "6")
    provision_officers(ledger_url)
    app = Ledger.open(ledger_url, clock=fixed_clock())
    yield app
    app.close()


def test_a_fresh_ledger_is_checkpointed_from_its_first_events(every_six: Ledger, key_dir: Path) -> None:
    app = every_six
    for code in ("E1", "E2", "E3", "E4"):
        assert register(app, code) == []
    found = sizes(app)
    assert found and found[0] >= 6  # made automatically: nobody ran `jcg audit checkpoint`
    assert registered_verifier_key(app) == (key_dir / "_ledger.vkey").read_text().strip()
    report = verify_ledger(app)
    assert report.ok, report.problems
    assert not any("checkpoint gap" in str(n) for n in report.notes), report.notes


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
def test_the_default_interval_checkpoints_a_fresh_ledger_after_100_events(
        ledger_url: str, key_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JCG_CHECKPOINT_EVERY", raising=False)
    provision_officers(ledger_url)
    app = Ledger.open(ledger_url, clock=fixed_clock())
    try:
        assert sizes(app) == []
        app.execute_batch([RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code=f"E{i}", name=f"E{i}",
                                         party_kind="enterprise", entered=date(2024, 12, 1)) for i in range(60)])
        head = app.recorder.max_notification_id()
        assert head >= 100 and sizes(app) == [head]  # one checkpoint covering everything, no manual step
    finally:
        app.close()


def test_a_missing_ledger_key_file_stops_checkpoints_loudly(every_six: Ledger, key_dir: Path,
                                                             tmp_path: Path) -> None:
    app = every_six
    for code in ("E1", "E2"):
        register(app, code)
    before = sizes(app)
    assert before
    shutil.move(key_dir / "_ledger.key", tmp_path / "away.key")
    warnings: list[str] = []
    for code in ("E3", "E4", "E5", "E6"):
        warnings += register(app, code)
    assert sizes(app) == before  # nothing could be signed ...
    assert warnings and warnings[0].startswith("no checkpoint was made (")  # ... and the officer is told
    assert "_ledger.key: restore that file" in warnings[0] and "The request is recorded" in warnings[0]
    report = verify_ledger(app)
    gaps = [str(n) for n in report.notes if str(n).startswith("checkpoint gap")]
    assert gaps and f"none is stored since size {before[-1]}" in gaps[0], report.notes


def test_a_passphrase_that_cannot_open_the_ledger_key_is_said(ledger_url: str, key_dir: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The ledger key was made (at init) under another passphrase than this officer's."""
    monkeypatch.setenv("JCG_CHECKPOINT_EVERY", "6")
    provision_officers(ledger_url)
    key = KeyStore(key_dir, KEY_PASSPHRASE).load(LEDGER_KEY)
    (key_dir / "_ledger.key").unlink()
    KeyStore(key_dir, "another-passphrase-entirely").save(LEDGER_KEY, key)
    app = Ledger.open(ledger_url, clock=fixed_clock())
    try:
        warnings: list[str] = []
        for code in ("E1", "E2", "E3", "E4"):
            warnings += register(app, code)
        assert sizes(app) == []
        assert warnings and "cannot open the key of _ledger" in warnings[0], warnings
        assert app.recorder.max_notification_id() >= 12  # every request was recorded all the same
        notes = [str(n) for n in verify_ledger(app).notes]
        assert any(n.startswith("checkpoint gap") and "none is stored since size 0" in n for n in notes), notes
    finally:
        app.close()


def test_verify_without_a_kept_checkpoint_says_truncation_needs_one(every_six: Ledger) -> None:
    register(every_six, "E1")
    notes = [str(n) for n in verify_ledger(every_six).notes]
    assert any(n.startswith("without --checkpoint, removal of the newest requests (truncation) cannot be detected")
               and "--checkpoint FILE" in n and "the ledger's last stored checkpoint covers" in n for n in notes)


# a kept checkpoint is checked before a consistency proof is made from it -------------------------


@pytest.fixture
def kept(ledger: Ledger, provisioned_url: str) -> tuple[Ledger, str, str]:
    ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code="U1", name="山西师范大学",
                                 party_kind="university", entered=date(2024, 12, 1)))
    ledger.execute(AwardByRule(actor=OFFICER, decided=date(2025, 3, 1), recipient="U1", clause="P2.4",
                               basis={"contract_value": "7,654,321.09", "contract": "2025-140801-0012", "registered_on": "2024-11-01", "counterparty": "E1"}, ref="临科发〔2025〕12号"))
    paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 3, 11), recipient="U1", award="U1-A1",
                            amount=Decimal("100000.00")))
    note = write_checkpoint(ledger, OFFICER).row.note
    paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 4, 1), recipient="U1", award="U1-A1",
                            amount=Decimal("50000.00")))
    return ledger, note, provisioned_url


def test_consistency_from_a_kept_checkpoint_refuses_a_forked_log(kept: tuple[Ledger, str, str]) -> None:
    ledger, note, url = kept
    head = ledger.recorder.max_notification_id()
    doc = consistency_proof_document(ledger, note, head)
    assert doc["old_size"] == int(note.split("\n")[1]) and doc["new_size"] == head
    store = RawStore(url, ledger.recorder.events_table_name)
    try:
        pos, state = next((r[0], r[4]) for r in store.rows() if b'"100000.00"' in r[4])
        store.run("UPDATE {t} SET state = {m} WHERE {pos} = {m}", state.replace(b'"100000.00"', b'"100001.00"'), pos)
    finally:
        store.close()
    with pytest.raises(Refused, match="differ from the kept checkpoint: the log was forked or rewritten"):
        consistency_proof_document(ledger, note, head)


def test_consistency_from_a_kept_checkpoint_checks_its_signature(kept: tuple[Ledger, str, str]) -> None:
    ledger, note, _ = kept
    lines = note.split("\n")
    forged = "\n".join([lines[0], str(int(lines[1]) - 1), *lines[2:]])
    with pytest.raises(CheckpointError, match="does not verify"):
        consistency_proof_document(ledger, forged, ledger.recorder.max_notification_id())
