"""Awards, disbursements and clawbacks through the application: refusals write nothing,
repeats change nothing, and the journal follows every step."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from domain.errors import ConflictingRequest, InvalidAmount, InvalidDate, NotFound, Refused
from domain.journal import trial_balance
from ledger import Ledger
from ledger.handlers.grants import ClawBack, Disburse
from ledger.handlers.parties import GrantQualification, RegisterParty
from ledger.handlers.rules import AwardByRule
from tests.conftest import OFFICER
from tests.posting import paid


def count(ledger: Ledger) -> int:
    return sum(1 for _ in ledger.read_log())


def balances(ledger: Ledger) -> dict[str, Decimal]:
    return trial_balance(e for _, e in ledger.read_log())


def register(ledger: Ledger, code: str = "U1", kind: str = "university", entered: date = date(2024, 12, 1)) -> None:
    ledger.execute(RegisterParty(actor=OFFICER, decided=max(entered, date(2025, 1, 2)), code=code,
                                 name=f"{code} 名称", party_kind=kind, entered=entered))


CONTRACTS = itertools.count(1)  # each award its own registered contract (the P2.4 G.3 matter)


def award(ledger: Ledger, contract_value: str = "7,500,000.00", **kw: object) -> str:
    """A P2.4 award computed by the rules engine: 2% of the contract value (7,500,000 → 150,000)."""
    args = {"actor": OFFICER, "decided": date(2025, 3, 1), "recipient": "U1", "clause": "P2.4",
            "basis": {"contract_value": contract_value, "contract": f"HT-{next(CONTRACTS)}", "registered_on": "2024-11-01", "counterparty": "E1"},
            "ref": "临科发〔2025〕1号"} | kw
    return ledger.execute(AwardByRule(**args)).data["award"]  # type: ignore[arg-type]  # args mixes field types on purpose (bad input)


def test_award_disburse_and_claw_back_post_balanced_entries(ledger: Ledger) -> None:
    register(ledger)
    award_id = award(ledger)
    paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 3, 10), recipient="U1", award=award_id,
                            amount=Decimal("100000.00")))
    ledger.execute(ClawBack(actor=OFFICER, decided=date(2025, 6, 1), recipient="U1", award=award_id,
                            amount=Decimal("30000.00"), reason="考核不合格"))
    ledger.execute(ClawBack(actor=OFFICER, decided=date(2026, 2, 1), recipient="U1", award=award_id,
                            amount=Decimal("10000.00"), reason="审计追回"))
    b = balances(ledger)
    assert sum(b.values()) == 0
    assert b["budget:P2.4:2025"] == Decimal("120000.00")  # same-year clawback reduces spending
    assert b["revenue:returned:2026"] == Decimal("-10000.00")  # later-year clawback is revenue
    assert b["payable:U1"] == Decimal("-50000.00")  # still owed
    assert b["funding:市财政"] == Decimal("-60000.00")  # paid out net


def test_cannot_disburse_more_than_awarded_and_nothing_is_written(ledger: Ledger) -> None:
    register(ledger)
    award_id = award(ledger, "5,000,000.00")  # 2% → 100,000.00
    paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 3, 10), recipient="U1", award=award_id,
                            amount=Decimal("60000.00")))
    before = count(ledger)
    with pytest.raises(Refused, match=r"exceeds what remains to pay \(40,000.00 of 100,000.00\)"):
        paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 3, 11), recipient="U1", award=award_id,
                                amount=Decimal("40000.01")))
    assert count(ledger) == before


def test_cannot_claw_back_more_than_was_paid(ledger: Ledger) -> None:
    register(ledger)
    award_id = award(ledger)
    paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 3, 10), recipient="U1", award=award_id,
                            amount=Decimal("1000.00")))
    with pytest.raises(Refused, match="exceeds what was paid"):
        ledger.execute(ClawBack(actor=OFFICER, decided=date(2025, 4, 1), recipient="U1", award=award_id,
                                amount=Decimal("1000.01"), reason="x"))


ONE_MATTER = {"clause": "P2.1c", "basis": {}, "reason": "一事一议"}  # the officer decides the amount


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"clause": "P9.9"}, Refused, "unknown clause 'P9.9'"),
        ({"clause": "P1.1", "basis": {}}, Refused, r"clause P1.1 has no rule in the engine"),
        ({"clause": "P5.6a", "basis": {}}, Refused, r"P5.6a .* is a loan-loss split, not an award"),
        ({"recipient": "NOBODY"}, NotFound, "party NOBODY is not registered"),
        ({"ref": ""}, Refused, r"an award needs a decision reference \(文号\)"),
        (ONE_MATTER | {"amount": Decimal("50000.00"), "ref": ""}, Refused,
         r"P2.1c: 一事一议 needs a decision reference \(文号\) and a reason"),
        (ONE_MATTER | {"amount": Decimal("50000.00"), "reason": " "}, Refused,
         r"P2.1c: 一事一议 needs a decision reference \(文号\) and a reason"),
        (ONE_MATTER, Refused, "P2.1c: the amount is decided by the officer, and none was given"),
        (ONE_MATTER | {"amount": Decimal("-1.00")}, InvalidAmount, "P2.1c: amount must be positive"),
        (ONE_MATTER | {"amount": Decimal("0.00")}, InvalidAmount, "P2.1c: amount must be positive"),
        (ONE_MATTER | {"amount": Decimal("1.001")}, InvalidAmount, "more than 2 decimals"),
        ({"amount": Decimal("-1.00")}, InvalidAmount, "P2.4: amount must be positive"),
        ({"amount": Decimal("150000.01")}, InvalidAmount,
         "P2.4: the amount given 150,000.01 differs from the computed entitlement 150,000.00"),
        ({"basis": {"contract_value": "-7500000"}}, Refused, "contract_value='-7500000'.*must not be negative"),
        ({"basis": {"contract_value": "7500000.001"}}, Refused, "contract_value=.*more than 2 decimals"),
        ({"decided": date(2024, 11, 4)}, InvalidDate, "outside the policy window 2024-11-05 to 2028-12-31"),
        ({"decided": date(2029, 1, 1)}, InvalidDate, "outside the policy window"),
        ({"decided": date(2024, 11, 30)}, Refused, "G.2: U1 entered the platform on 2024-12-01, after the decision"),
    ],
)
def test_bad_awards_are_refused_and_write_nothing(
    ledger: Ledger, change: dict[str, object], error: type[Exception], message: str
) -> None:
    register(ledger)
    before = count(ledger)
    with pytest.raises(error, match=message):
        award(ledger, **change)
    assert count(ledger) == before


def test_window_edges_are_inclusive(ledger: Ledger) -> None:
    register(ledger, entered=date(2024, 11, 5))  # G.2: on the platform on the first day of the window
    assert award(ledger, decided=date(2024, 11, 5)) == "U1-A1"
    assert award(ledger, decided=date(2028, 12, 31)) == "U1-A2"


def test_same_request_twice_changes_nothing(ledger: Ledger) -> None:
    register(ledger)

    def p24(contract_value: str) -> AwardByRule:
        return AwardByRule(actor=OFFICER, decided=date(2025, 3, 1), recipient="U1", clause="P2.4",
                           basis={"contract_value": contract_value, "contract": "HT-7", "registered_on": "2024-11-01", "counterparty": "E1"}, ref="R1",
                           request_id="req-7")

    first = ledger.execute(p24("50,000.00"))
    assert first.data["amount"] == Decimal("1000.00")
    before = count(ledger)
    again = ledger.execute(p24("5万"))  # the same basis spelled another way is the same request
    assert again.already_recorded and "already recorded" in again.message
    assert first.message in again.message
    assert count(ledger) == before
    with pytest.raises(ConflictingRequest, match="req-7 was already used for a different request"):
        ledger.execute(p24("100,000.00"))
    assert count(ledger) == before


def test_duplicate_party_code_is_refused(ledger: Ledger) -> None:
    register(ledger)
    with pytest.raises(Refused, match="party U1 is already registered"):
        register(ledger)


def test_qualifications_are_dated(ledger: Ledger) -> None:
    register(ledger, "ENT-1", "enterprise")
    ledger.execute(GrantQualification(actor=OFFICER, decided=date(2025, 1, 5), code="ENT-1",
                                      qualification="高新技术企业", level="national",
                                      granted_on=date(2024, 12, 20), expires_on=date(2027, 12, 19)))
    from domain.ids import party_id

    party = ledger.aggregate(party_id("ENT-1"))
    assert party.holds("高新技术企业", "national", date(2025, 6, 1))
    assert not party.holds("高新技术企业", "national", date(2024, 12, 19))
    assert not party.holds("高新技术企业", "national", date(2027, 12, 20))


def test_a_repeated_payment_is_not_paid_twice_even_when_it_would_fit(ledger: Ledger) -> None:
    register(ledger)
    award_id = award(ledger)
    pay = Disburse(actor=OFFICER, decided=date(2025, 3, 10), recipient="U1", award=award_id,
                   amount=Decimal("50000.00"), request_id="pay-1", voucher="付-1")
    paid(ledger, pay)
    before = count(ledger)
    again = ledger.execute(pay)  # the handler alone would accept a second 50,000
    assert again.already_recorded
    assert count(ledger) == before
    from domain.ids import party_id

    assert ledger.aggregate(party_id("U1")).award(award_id).disbursed == Decimal("50000.00")


def test_a_reused_request_id_is_named_even_when_the_new_content_is_refused_anyway(ledger: Ledger) -> None:
    register(ledger)
    award_id = award(ledger)
    paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 3, 10), recipient="U1", award=award_id,
                            amount=Decimal("50000.00"), request_id="pay-1"))
    with pytest.raises(ConflictingRequest, match="pay-1 was already used for a different request"):
        paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 3, 10), recipient="U1", award=award_id,
                                amount=Decimal("999999.00"), request_id="pay-1"))


def test_an_award_decided_in_the_window_is_paid_and_recovered_after_it(ledger: Ledger) -> None:
    register(ledger)
    award_id = award(ledger, decided=date(2028, 12, 31), basis={"contract_value": "1,000,000", "contract": "HT-L", "registered_on": "2024-11-01", "counterparty": "E1"})
    paid(ledger, Disburse(actor=OFFICER, decided=date(2029, 1, 15), recipient="U1", award=award_id,
                            amount=Decimal("20000.00")))
    ledger.execute(ClawBack(actor=OFFICER, decided=date(2029, 3, 1), recipient="U1", award=award_id,
                            amount=Decimal("5000.00"), reason="审计追回"))


def test_a_payment_is_never_dated_before_its_award(ledger: Ledger) -> None:
    register(ledger)
    award_id = award(ledger)
    with pytest.raises(InvalidDate, match="before the award"):
        paid(ledger, Disburse(actor=OFFICER, decided=date(2024, 10, 1), recipient="U1", award=award_id,
                                amount=Decimal("1.00")))


def test_a_clawback_cannot_recover_what_was_not_yet_paid_on_its_date(ledger: Ledger) -> None:
    register(ledger)
    award_id = award(ledger)
    paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 4, 1), recipient="U1", award=award_id,
                            amount=Decimal("100000.00")))
    before = count(ledger)
    with pytest.raises(Refused, match=r"dated 2025-03-15 exceeds what had been paid by then .*\(0.00\)"):
        ledger.execute(ClawBack(actor=OFFICER, decided=date(2025, 3, 15), recipient="U1", award=award_id,
                                amount=Decimal("100000.00"), reason="x"))
    assert count(ledger) == before
    ledger.execute(ClawBack(actor=OFFICER, decided=date(2025, 6, 1), recipient="U1", award=award_id,
                            amount=Decimal("1000.00"), reason="x"))
    with pytest.raises(InvalidDate, match="before the previous one"):
        ledger.execute(ClawBack(actor=OFFICER, decided=date(2025, 5, 1), recipient="U1", award=award_id,
                                amount=Decimal("1000.00"), reason="x"))
