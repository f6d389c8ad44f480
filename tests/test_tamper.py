"""Tampering with the stored events behind the ledger's back is detected by `audit verify`.

The database is edited directly (sqlite3 on the SQLite file, psycopg on PostgreSQL), as an
operator with database access could, and each change must be caught and named.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger import Ledger
from ledger.audit.checkpoint import Checkpoint, parse
from ledger.audit.checkpointing import write_checkpoint
from ledger.audit.verify import verify_ledger
from ledger.handlers.grants import Disburse
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from ledger.infra.cipher import new_cipher_key
from tests.builders import RawStore
from tests.conftest import OFFICER, fixed_clock, provision_officers
from tests.posting import paid


@pytest.fixture
def history(ledger: Ledger, provisioned_url: str) -> Iterator[tuple[str, str, RawStore]]:
    """A small signed history, the checkpoint the auditor kept, and raw access to the table."""
    day = date(2025, 3, 1)
    ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code="U1", name="山西师范大学",
                                 party_kind="university", entered=date(2024, 12, 1)))
    ledger.execute(AwardByRule(actor=OFFICER, decided=day, recipient="U1", clause="P2.4",
                               basis={"contract_value": "7,654,321.09", "contract": "2025-140801-0012", "registered_on": "2024-11-01", "counterparty": "E1"}, ref="临科发〔2025〕12号"))  # → 153,086.42
    paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 3, 11), recipient="U1", award="U1-A1",
                            amount=Decimal("100000.00")))
    kept = write_checkpoint(ledger, OFFICER).row.note
    paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 4, 1), recipient="U1", award="U1-A1",
                            amount=Decimal("50000.00")))
    store = RawStore(provisioned_url, ledger.recorder.events_table_name)
    yield provisioned_url, kept, store
    store.close()


def audit(url: str, kept: str | None) -> list[str]:
    app = Ledger.open(url, clock=fixed_clock())
    try:
        return verify_ledger(app, auditor_checkpoint=kept).problems
    finally:
        app.close()


def first(problems: list[str]) -> str:
    assert problems, "tampering was not detected"
    return problems[0]


def test_untouched_history_verifies(history: tuple[str, str, RawStore]) -> None:
    url, kept, _ = history
    assert audit(url, kept) == []


def test_amount_changed_in_a_stored_event(history: tuple[str, str, RawStore]) -> None:
    url, kept, store = history
    pos, _, _, _, state = next(r for r in store.rows() if r[3].endswith("AwardGranted"))
    store.run("UPDATE {t} SET state = {m} WHERE {pos} = {m}", state.replace(b"153086.42", b"953086.42"), pos)
    assert b"953086.42" in next(r for r in store.rows() if r[0] == pos)[4]
    problems = audit(url, kept)
    assert f"position {pos}: event differs from what {OFFICER} signed" in first(problems)
    assert any("differs from the auditor's checkpoint" in p for p in problems)


def test_amount_changed_after_the_last_checkpoint_is_caught_by_the_signature(
        history: tuple[str, str, RawStore]) -> None:
    url, _, store = history
    pos, *_, state = [r for r in store.rows() if r[3].endswith("Disbursed")][-1]
    store.run("UPDATE {t} SET state = {m} WHERE {pos} = {m}", state.replace(b"50000.00", b"90000.00"), pos)
    assert f"position {pos}: event differs" in first(audit(url, None))


def test_a_stored_event_deleted(history: tuple[str, str, RawStore]) -> None:
    url, kept, store = history
    pos, *_ = next(r for r in store.rows() if r[3].endswith("AwardGranted"))
    store.run("DELETE FROM {t} WHERE {pos} = {m}", pos)
    problems = audit(url, kept)
    assert "event differs" in first(problems) or "signed 1 event(s) but 0" in first(problems)
    assert any("differs from the auditor's checkpoint" in p for p in problems)


def test_two_events_swapped(history: tuple[str, str, RawStore]) -> None:
    url, kept, store = history
    rows = store.rows()
    a = next(r for r in rows if r[3].endswith("AwardGranted"))
    b = next(r for r in rows if r[3].endswith("Disbursed"))
    store.run("UPDATE {t} SET {pos} = -1 WHERE {pos} = {m}", a[0])
    store.run("UPDATE {t} SET {pos} = {m} WHERE {pos} = {m}", a[0], b[0])
    store.run("UPDATE {t} SET {pos} = {m} WHERE {pos} = -1", b[0])
    assert next(r[0] for r in store.rows() if r[3].endswith("Disbursed")) == a[0]
    problems = audit(url, kept)
    assert f"position {a[0]}: event differs" in first(problems)


def test_last_events_truncated_against_the_kept_checkpoint(history: tuple[str, str, RawStore]) -> None:
    url, kept, store = history
    size = parse(kept)[0].size
    rows = store.rows()
    for pos, *_ in rows[size - 2:]:  # the last request before the checkpoint, and everything after it
        store.run("DELETE FROM {t} WHERE {pos} = {m}", pos)
    problems = audit(url, kept)
    assert any("events were removed from the end (truncated)" in p for p in problems), problems


def test_event_appended_without_a_valid_signature(history: tuple[str, str, RawStore]) -> None:
    url, kept, store = history
    _, oid, ver, topic, state = [r for r in store.rows() if r[3].endswith("Disbursed")][-1]
    store.run("INSERT INTO {t} (originator_id, originator_version, topic, state) VALUES ({m}, {m}, {m}, {m})",
              oid, ver + 1, topic, state)
    last = store.rows()[-1][0]
    problems = audit(url, kept)
    assert f"position {last}: 1 event(s) at the end of the log belong to no signed request" in first(problems)


def test_checkpoint_with_a_forged_signature(history: tuple[str, str, RawStore]) -> None:
    url, kept, _ = history
    c, _ = parse(kept)
    forged = kept.replace(f"\n{c.size}\n", f"\n{c.size - 1}\n")
    assert "does not verify" in first(audit(url, forged))
    impostor = Checkpoint(c.origin, c.size, c.root).sign(c.origin, Ed25519PrivateKey.generate())
    assert "not signed by the ledger key" in first(audit(url, impostor))


def test_request_signed_with_a_revoked_key_is_named(ledger: Ledger, provisioned_url: str) -> None:
    """Rewriting a request record to claim another officer's key is caught by the key check."""
    from ledger.handlers.officers import RevokeOfficerKey

    ledger.execute(RevokeOfficerKey(actor="approver-1", decided=date(2026, 1, 1), name=OFFICER, reason="lost"))
    store = RawStore(provisioned_url, ledger.recorder.events_table_name)
    try:
        # replay the officer's last signed request verbatim after the revocation (a forged append)
        rows = store.rows()
        req = [r for r in rows if r[3].endswith("RecordedRequest.Accepted")][1]  # officer-1's registration
        store.run("INSERT INTO {t} (originator_id, originator_version, topic, state) VALUES ({m}, {m}, {m}, {m})",
                  req[1], req[2] + 1, req[3], req[4])
    finally:
        store.close()
    problems = audit(provisioned_url, None)
    assert problems, "a replayed request must not verify"



def test_an_earlier_stored_checkpoint_forged(ledger: Ledger, history: tuple[str, str, RawStore]) -> None:
    url, _, _ = history
    write_checkpoint(ledger, OFFICER)  # the ledger now holds two checkpoints; the last one is intact
    checkpoints = RawStore(url, "jcg_checkpoints")
    try:
        (size, note), *_ = checkpoints.run("SELECT size, note FROM {t} ORDER BY size")
        checkpoints.run("UPDATE {t} SET note = {m} WHERE size = {m}",
                        note.replace(f"\n{size}\n", f"\n{size + 1}\n"), size)
    finally:
        checkpoints.close()
    problem = first(audit(url, None))
    assert "checkpoint #1" in problem and "does not verify" in problem, problem


# SQL edits that turn the state column into TEXT (SQLite only: a PostgreSQL bytea stays bytea) ------

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
def test_state_turned_into_identical_text_is_not_a_change(history: tuple[str, str, RawStore]) -> None:
    url, kept, store = history
    store.run("UPDATE {t} SET state = cast(state as text)")
    assert store.run("SELECT count(*) FROM {t} WHERE typeof(state) = 'text'")[0][0] > 0
    assert audit(url, kept) == []


@SQLITE_ONLY
def test_state_edited_as_text_is_named_not_a_traceback(history: tuple[str, str, RawStore]) -> None:
    url, kept, store = history
    pos = next(r[0] for r in store.rows() if r[3].endswith("AwardGranted"))
    store.run("UPDATE {t} SET state = replace(state, '153086.42', '953086.42') WHERE {pos} = {m}", pos)
    assert store.run("SELECT typeof(state) FROM {t} WHERE {pos} = {m}", pos)[0][0] == "text"
    problems = audit(url, kept)
    assert f"position {pos}: event differs from what {OFFICER} signed" in first(problems)
    last = store.rows()[-2][0]  # the last request's event, after the kept checkpoint
    store.run("UPDATE {t} SET state = state || ' ' WHERE {pos} = {m}", last)
    assert any(p.startswith(f"position {last}: event differs") for p in audit(url, kept))


@SQLITE_ONLY
def test_originator_id_rewritten_in_another_form_is_named(history: tuple[str, str, RawStore]) -> None:
    """Hyphens hide the event from its aggregate (the recorder looks it up by 32 hex digits)."""
    url, kept, store = history
    pos, oid, *_ = next(r for r in store.rows() if r[3].endswith("AwardGranted"))
    store.run("UPDATE {t} SET originator_id = {m} WHERE {pos} = {m}", str(UUID(oid)), pos)
    assert f"position {pos}: originator id stored as" in first(audit(url, kept))


@SQLITE_ONLY
def test_encrypted_state_edited_as_text_is_named(ledger_url: str, key_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JCG_CIPHER_KEY", new_cipher_key())
    provision_officers(ledger_url)
    app = Ledger.open(ledger_url, clock=fixed_clock())
    app.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code="U1", name="山西师范大学",
                              party_kind="university", entered=date(2024, 12, 1)))
    app.close()
    store = RawStore(ledger_url, "stored_events")
    try:
        store.run("UPDATE {t} SET state = cast(state as text)")  # ciphertext, not UTF-8, as TEXT
        assert audit(ledger_url, None) == []  # the same bytes
        pos = store.rows()[-2][0]
        store.run("UPDATE {t} SET state = cast(substr(state, 1, length(state) - 1) || 'x' as text) "
                  "WHERE {pos} = {m}", pos)
    finally:
        store.close()
    problems = audit(ledger_url, None)
    assert first(problems).startswith(f"position {pos}: ")


# whole requests after a checkpoint: with a checkpoint after every request, order is covered too -----

@pytest.fixture
def every_request(provisioned_url: str) -> Iterator[tuple[str, RawStore, list[tuple[int, int]]]]:
    """Four requests, each checkpointed on its own (JCG_CHECKPOINT_EVERY=1); the (first, last)
    positions of each request's rows (its events, then its request record)."""
    app = Ledger.open(provisioned_url, clock=fixed_clock(), JCG_CHECKPOINT_EVERY="1")
    write_checkpoint(app, OFFICER)  # creates and registers the ledger key
    spans = []
    for code in ("E1", "E2", "E3", "E4"):
        before = app.recorder.max_notification_id()
        app.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code=code, name=code,
                                  party_kind="enterprise", entered=date(2024, 12, 1)))
        spans.append((before + 1, app.recorder.max_notification_id()))
    table = app.recorder.events_table_name
    app.close()
    store = RawStore(provisioned_url, table)
    yield provisioned_url, store, spans
    store.close()


def test_two_whole_requests_reordered_after_a_checkpoint(
        every_request: tuple[str, RawStore, list[tuple[int, int]]]) -> None:
    url, store, spans = every_request
    assert audit(url, None) == []
    (a0, a1), (b0, b1) = spans[1], spans[2]
    assert a1 - a0 == b1 - b0  # same shape, so each request still verifies on its own
    offset = 1_000_000
    store.run("UPDATE {t} SET {pos} = {pos} + {m} WHERE {pos} BETWEEN {m} AND {m}", offset, a0, a1)
    store.run("UPDATE {t} SET {pos} = {pos} - {m} WHERE {pos} BETWEEN {m} AND {m}", b0 - a0, b0, b1)
    store.run("UPDATE {t} SET {pos} = {pos} - {m} WHERE {pos} > {m}", offset - (b0 - a0), offset)
    problems = audit(url, None)
    assert any(f"the log up to position {a1} differs from the ledger's checkpoint" in p for p in problems), problems


def test_a_whole_request_deleted_from_the_middle(every_request: tuple[str, RawStore, list[tuple[int, int]]]) -> None:
    url, store, spans = every_request
    first_pos, last_pos = spans[1]
    store.run("DELETE FROM {t} WHERE {pos} BETWEEN {m} AND {m}", first_pos, last_pos)
    problems = audit(url, None)
    assert any("differs from the ledger's checkpoint" in p and "reordered" in p for p in problems), problems


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("value", "named"), [("NULL", "NULL"), ("2.5", "the real number 2.5"),
                                              ("0", "the integer 0"), ("9223372036854775807",
                                                                       "the integer 9223372036854775807")])
def test_state_that_is_no_bytes_at_all_is_a_damaged_record(history: tuple[str, str, RawStore], value: str,
                                                           named: str) -> None:
    """A NULL or numeric state (SQLite keeps any type in any column) is named, never a crash
    nor, for an integer, that many zero bytes."""
    url, kept, store = history
    pos = next(r for r in store.rows() if r[3].endswith("AwardGranted"))[0]
    store.run(f"UPDATE {{t}} SET state = {value} WHERE {{pos}} = {{m}}", pos)
    problems = audit(url, kept)
    assert first(problems) == (f"position {pos}: damaged record: its state is {named}, not bytes (the database "
                               "was edited outside the ledger)")


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("value", "named"), [("NULL", "NULL"), ("0", "an integer"), ("2.5", "a real number")])
def test_other_commands_name_a_damaged_record_not_a_missing_cipher_key(
        history: tuple[str, str, RawStore], value: str, named: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import cli

    url, _, store = history
    pos, originator, version, topic, _ = next(r for r in store.rows() if r[3].endswith("AwardGranted"))
    store.run(f"UPDATE {{t}} SET state = {value} WHERE {{pos}} = {{m}}", pos)
    monkeypatch.delenv("JCG_CIPHER_KEY", raising=False)
    want = (f"error: a stored event cannot be read (damaged record: {topic} of {UUID(originator)} version "
            f"{version}: its state is {named}, not bytes): run jcg audit verify\n")
    for args in (("grant", "show", "U1"), ("report", "recipients"), ("audit", "trail", "U1")):
        r = CliRunner().invoke(cli.main, ["--db", url, "--officer", OFFICER, *args])
        assert (r.exit_code, r.stderr) == (1, want), args
    r = CliRunner().invoke(cli.main, ["--db", url, "audit", "verify"])
    assert r.exit_code == 1
    assert f"error: verification failed: position {pos}: damaged record" in r.stderr
