"""Golden vectors freezing what officers sign: change an encoding and these fail."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    key_id,
    parse_verifier_key,
    verifier_key,
    verify,
)
from ledger.audit.signing import (
    PublicKeys,
    officer_key_id,
    public_key_text,
    raw_public,
    record_bytes,
    record_hash,
    request_message,
    sign,
)
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))  # a fixed test key: signatures are deterministic
COMMAND = RegisterParty(actor="officer-1", decided=date(2025, 1, 2), request_id="r-1", ref="临科发〔2025〕1号",
                        code="U1", name="山西师范大学", party_kind="university", entered=date(2024, 12, 1))
OID = UUID("6f1c2a4e-3b8d-5e7f-9a10-4c2d8e6b1f35")
TOPIC = "domain.enterprise:Enterprise.Registered"
STATE = b'{"code":"U1","amount":"153086.42"}'
SUMMARY = "registered party U1 山西师范大学 (高校), entered 2024-12-01"


def test_command_encoding_is_frozen() -> None:
    assert COMMAND.encoded().decode("utf-8") == (
        '{"body":{"actor":"officer-1","code":"U1","decided":"2025-01-02","entered":"2024-12-01",'
        '"name":"山西师范大学","party_kind":"university","ref":"临科发〔2025〕1号"},'
        '"kind":"party.register","request_id":"r-1","v":"jcg-command/1"}'
    )


def test_amounts_are_decimal_strings_and_floats_are_refused() -> None:
    award = AwardByRule(actor="officer-1", decided=date(2025, 3, 1), request_id="r-2", recipient="U1",
                        clause="P2.3a", amount=Decimal("153086.40"), ref="R")
    assert '"amount":"153086.40"' in award.encoded().decode()
    with pytest.raises(TypeError):
        AwardByRule(actor="o", decided=date(2025, 3, 1), recipient="U1", clause="P2.3a",
                    amount=153086.4, ref="R").encoded()  # type: ignore[arg-type]  # a float on purpose: it is refused


def test_award_command_encoding_is_frozen() -> None:
    """The award command an officer signs (the only award path since RecordAward was removed):
    the basis is stored in its canonical spelling, so 765.432009万 and 7,654,320.09 sign the same bytes."""
    award = AwardByRule(actor="officer-1", decided=date(2025, 3, 1), request_id="r-2", recipient="U1",
                        clause="P2.4", basis={"contract_value": "765.432009万", "contract": "2025-140801-0012", "registered_on": "2024-11-01", "counterparty": "E1"},
                        ref="R")
    assert award.encoded().decode("utf-8") == (
        '{"body":{"actor":"officer-1","amount":null,"basis":{"contract":"2025-140801-0012",'
        '"contract_value":"7654320.09","counterparty":"E1","registered_on":"2024-11-01"},"clause":"P2.4","decided":"2025-03-01","reason":"","recipient":"U1",'
        '"ref":"R","source":"市财政"},"kind":"grant.award-by-rule","request_id":"r-2","v":"jcg-command/1"}'
    )
    same = AwardByRule(actor="officer-1", decided=date(2025, 3, 1), request_id="r-2", recipient="U1",
                       clause="P2.4", basis={"contract_value": "7,654,320.09", "contract": "2025-140801-0012", "registered_on": "2024-11-01", "counterparty": "E1"},
                       ref="R")
    assert same.encoded() == award.encoded() and same.digest() == award.digest()


def test_event_record_encoding_is_frozen() -> None:
    assert record_bytes(OID, 1, TOPIC, STATE) == (
        b'jcg-event/1\n6f1c2a4e-3b8d-5e7f-9a10-4c2d8e6b1f35\n1\n'
        b'domain.enterprise:Enterprise.Registered\n{"code":"U1","amount":"153086.42"}'
    )
    assert record_bytes(OID.hex, 1, TOPIC, STATE) == record_bytes(OID, 1, TOPIC, STATE)
    assert record_hash(OID, 1, TOPIC, STATE).hex() == "d67023502c0cb3f29f1f41f0e168ac21a61f450ac9f03152c7d38505c949b591"
    assert record_hash(OID, 1, TOPIC, STATE) == hashlib.sha256(b"\x00" + record_bytes(OID, 1, TOPIC, STATE)).digest()


def test_signed_message_and_signature_are_frozen() -> None:
    h = record_hash(OID, 1, TOPIC, STATE)
    message = request_message(COMMAND.encoded(), SUMMARY, [h])
    assert message.startswith(b"jcg-signed-request/1\n{\"body\"") and message.endswith(h.hex().encode() + b"\n")
    assert message.split(b"\n")[2:4] == ['"registered party U1 山西师范大学 (高校), entered 2024-12-01"'.encode(), b"1"]
    assert hashlib.sha256(message).hexdigest() == "58ee9df6e55a3bfc4d69c172a6d6a5c28f641eb33472da37d706f4c7cd28449a"
    signature = sign(KEY, message)
    assert signature == ("gkvjl0ARFbi/z4PqdeIQ4DrZpPfeCP1Vvq9vycnOC8oWMWeoFpVsad5eJ+LI/22C9E93oJmUE0sMEBlAZ9dPAg==")
    public = public_key_text(KEY)
    assert public == "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=" and officer_key_id(public) == "56475aa75463474c"
    keys = PublicKeys()
    assert keys.verifies(public, signature, message)
    changed = record_hash(OID, 1, TOPIC, STATE.replace(b"153086", b"953086"))  # an amount edited in storage
    assert not keys.verifies(public, signature, request_message(COMMAND.encoded(), SUMMARY, [changed]))
    assert not keys.verifies(public, signature, request_message(COMMAND.encoded(), SUMMARY, []))


def test_checkpoint_note_format() -> None:
    name = "jcg-ledger.test/log"
    note = Checkpoint(name, 8, bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")).sign(
        name, KEY)
    body, _, sig = note.partition("\n\n")
    assert body == "jcg-ledger.test/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="
    assert sig.startswith("— jcg-ledger.test/log ") and sig.endswith("\n")
    raw = raw_public(KEY.public_key())
    assert key_id(name, raw) == hashlib.sha256(name.encode() + b"\n\x01" + raw).digest()[:4]
    vkey = verifier_key(name, raw)
    assert parse_verifier_key(vkey) == (name, raw)
    assert verify(note, name, raw).size == 8
    forged = note.replace("\n8\n", "\n9\n")
    with pytest.raises(CheckpointError, match="does not verify"):
        verify(forged, name, raw)
    other = Ed25519PrivateKey.generate()
    with pytest.raises(CheckpointError, match="not signed by the ledger key"):
        verify(Checkpoint(name, 8, bytes(32)).sign("someone-else", other), name, raw)
