"""Two people are two: own keys, countersigned approvers, the last approver, the two-people rule
(on SQLite and PostgreSQL: the roster is one aggregate, its changes are signed events)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from domain.errors import Refused
from domain.officer import ROSTER_ID, TWO_PEOPLE_PERIOD
from domain.provenance import Provenance
from ledger import Ledger
from ledger.audit.verify import verify_ledger
from ledger.handlers.loans import ApproveCompensation, ClaimCompensation
from ledger.handlers.officers import (
    ChangeOfficerRole,
    ConfirmOfficerChange,
    RevokeOfficerKey,
    RotateOfficerKey,
    WithdrawOfficerChange,
    enrol,
    keygen,
    read_public_key,
    register,
)
from ledger.handlers.parties import RegisterParty
from ledger.infra.keys import Keyring, KeyStore
from tests.builders import defaulted_loan
from tests.conftest import APPROVER, KEY_PASSPHRASE, OFFICER

DAY = date(2026, 3, 20)


def roster(ledger: Ledger):  # type: ignore[no-untyped-def]  # returns the roster aggregate read back (Any)
    return ledger.repository.get(ROSTER_ID)


def do(ledger: Ledger, command_type: type, actor: str, **kw: object) -> str:
    return str(ledger.execute(command_type(actor=actor, decided=DAY, **kw)).message)


def test_each_officer_makes_their_own_key_and_the_approver_registers_only_the_public_key(
        ledger: Ledger, tmp_path: Path) -> None:
    """`officer add` must not write the new officer's private key into the approver's key
    directory: the approver could then sign as them."""
    theirs = KeyStore(tmp_path / "li-keys", KEY_PASSPHRASE)
    public = keygen(theirs, "li")  # on li's machine
    assert (tmp_path / "li-keys" / "li.key").exists()
    register(ledger, "li", "officer", public, actor=APPROVER)
    assert not ledger.keyring.store.exists("li")  # nothing written on the approver's side
    with pytest.raises(Refused, match="no private key for li"):
        ledger.execute(RegisterParty(actor="li", decided=DAY, code="E1", name="E1", party_kind="enterprise",
                                     entered=DAY))  # the approver cannot sign as li
    as_li = Ledger.open(_url(ledger), keyring=Keyring(theirs))
    try:
        as_li.execute(RegisterParty(actor="li", decided=DAY, code="E1", name="E1", party_kind="enterprise",
                                    entered=DAY))
    finally:
        as_li.close()
    pem = (tmp_path / "li-keys" / "li.key").read_text()
    with pytest.raises(Refused, match="a private key is never registered"):
        read_public_key(pem)
    assert read_public_key(public) == public


def test_from_the_second_approver_on_an_approver_is_made_by_two(ledger: Ledger) -> None:
    enrol(ledger, "approver-2", "approver", actor=APPROVER)  # bootstrap: the first two
    out = enrol(ledger, "boss-alt", "approver", actor=APPROVER)
    assert out.data["pending"] and "waits for a second approver" in str(out.message)
    assert "boss-alt" not in roster(ledger).officers
    with pytest.raises(Refused, match="boss-alt is not a registered officer"):
        do(ledger, RegisterParty, "boss-alt", code="E1", name="E1", party_kind="enterprise", entered=DAY)
    for who in (APPROVER, "boss-alt"):
        with pytest.raises(Refused, match=r"cannot countersign|not a registered officer"):
            do(ledger, ConfirmOfficerChange, who, name="boss-alt")
    with pytest.raises(Refused, match="needs an approver"):
        do(ledger, ConfirmOfficerChange, OFFICER, name="boss-alt")
    assert "confirmed by approver-2" in do(ledger, ConfirmOfficerChange, "approver-2", name="boss-alt")
    assert roster(ledger).officers["boss-alt"].role == "approver"
    # a promotion is the same
    assert "waits for a second approver" in do(ledger, ChangeOfficerRole, APPROVER, name=OFFICER, role="approver")
    assert roster(ledger).officers[OFFICER].role == "officer"
    assert "withdrawn" in do(ledger, WithdrawOfficerChange, "approver-2", name=OFFICER)
    assert roster(ledger).officers[OFFICER].role == "officer"
    # handing another approver a new key is making an approver anew
    other = KeyStore(Path(ledger.keyring.store.directory) / "elsewhere", KEY_PASSPHRASE)
    out = ledger.execute(RotateOfficerKey(actor=APPROVER, decided=DAY, name="approver-2",
                                          public_key=keygen(other, "approver-2")))
    assert out.data["pending"]
    assert verify_ledger(ledger).problems == []


def test_an_approver_cannot_approve_their_own_claim_through_an_identity_they_registered(ledger: Ledger) -> None:
    """An approver who filed a P5.6 claim must not approve it through a second approver
    identity (`boss-alt`) they registered themselves."""
    defaulted_loan(ledger)
    ledger.execute(ClaimCompensation(code="L1", actor=APPROVER, decided=date(2026, 3, 10)))
    enrol(ledger, "boss-alt", "approver", actor=APPROVER)  # the second approver: no countersignature yet
    approve = ApproveCompensation(code="L1", actor="boss-alt", decided=DAY, ref="临财金〔2026〕9号")
    with pytest.raises(Refused, match=f"boss-alt was registered by {APPROVER} .* who filed this request"):
        ledger.execute(approve)
    assert roster(ledger).officers["boss-alt"].role == "approver"
    assert ledger.aggregate(_loan_id("L1")).claim.approved_on is None
    ledger.clock._now += TWO_PEOPLE_PERIOD + timedelta(days=1)  # type: ignore[attr-defined]  # the fixed clock's time, moved on by the test
    assert "approved" in str(ledger.execute(approve).message)  # after the period the rule lets go


def test_nobody_revokes_their_own_key_and_the_last_approver_stays(ledger: Ledger) -> None:
    """Revoking every approver (self-revocation included) would lock the ledger for good."""
    with pytest.raises(Refused, match="cannot revoke their own key"):
        do(ledger, RevokeOfficerKey, APPROVER, name=APPROVER, reason="leaving")
    with pytest.raises(Refused, match="cannot revoke their own key"):
        do(ledger, RevokeOfficerKey, OFFICER, name=OFFICER, reason="lost")
    with pytest.raises(Refused, match="last approver"):
        do(ledger, ChangeOfficerRole, APPROVER, name=APPROVER, role="officer")
    enrol(ledger, "approver-2", "approver", actor=APPROVER)
    do(ledger, RevokeOfficerKey, "approver-2", name=APPROVER, reason="leaving")
    with pytest.raises(Refused, match="approver-2 is the last approver with a valid key"):
        do(ledger, ChangeOfficerRole, "approver-2", name="approver-2", role="officer")
    by = Provenance(actor="someone", recorded_at=ledger.clock(), decided=DAY, request_id="r")
    with pytest.raises(Refused, match="approver-2 is the last approver with a valid key: revoking"):
        roster(ledger).revoke(by, "approver-2", "leaving")  # whoever would sign it
    assert [o.name for o in roster(ledger).approvers()] == ["approver-2"]
    do(ledger, RevokeOfficerKey, "approver-2", name=OFFICER, reason="lost")  # others still can be
    assert verify_ledger(ledger).problems == []


def _url(ledger: Ledger) -> str:
    return ledger.database.url


def _loan_id(code: str):  # type: ignore[no-untyped-def]  # returns the library's aggregate id
    from domain.ids import loan_id

    return loan_id(code)
