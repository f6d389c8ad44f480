"""Loan events recorded in an older shape are upcast when read (``class_version`` and
``upcast_v1_v2``), so a claim recorded before the split became a rule of the engine still
rebuilds the same loan, and `policy what-if` can split it again from its basis."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.ids import loan_id
from domain.loan import Loan
from domain.rules import split_of_basis
from ledger import Ledger
from ledger.handlers.loans import ClaimCompensation
from tests.builders import as_version_1, covers, defaulted_loan, on

D = Decimal


def rebuilt(events: list[Any]) -> Loan:
    loan: Loan | None = None
    for e in events:
        loan = e.mutate(loan)
    assert loan is not None
    return loan


def claimed(ledger: Ledger, code: str) -> tuple[list[Any], Loan.CompensationClaimed]:
    events = list(ledger.events.get(loan_id(code)))
    return events, next(e for e in events if isinstance(e, Loan.CompensationClaimed))


@covers("P5.6a")
def test_a_claim_without_its_basis_is_upcast_to_the_loss_it_split(ledger: Ledger) -> None:
    defaulted_loan(ledger)
    ledger.execute(ClaimCompensation(code="L1", **on("2026-03-10")))
    events, claim = claimed(ledger, "L1")
    trace = ["P5.6a: 35% × 333,333.33 = 116,666.67 (省财政); 35% × 333,333.33 = 116,666.67 (市财政); "
             "bank 333,333.33 − 233,333.34 = 99,999.99"]  # the trace version 1 recorded
    old = ledger.mapper.to_domain_event(as_version_1(ledger, claim, drop=("basis",), trace=trace))
    assert isinstance(old, Loan.CompensationClaimed)
    assert old.basis == {"loss": "333333.33"} == claim.basis
    then, now = rebuilt([old if e is claim else e for e in events]), rebuilt(events)
    assert then.claim is not None and now.claim is not None
    assert (then.claim.shares, then.claim.loss, then.claim.trace) == (now.claim.shares, now.claim.loss, trace)
    assert split_of_basis(old.clause, old.basis, old.by.decided, ledger.book).shares == old.shares


@covers("P5.6b")
def test_an_early_stage_claim_with_decided_rates_is_upcast_to_the_rates_its_trace_states(ledger: Ledger) -> None:
    defaulted_loan(ledger, category="P5.6b", principal="2000000.00", repaid="1000000.00", loss="1000000.00")
    ledger.execute(ClaimCompensation(code="L1", province_rate=D("0.5"), city_rate=D("0.4"), **on("2026-03-10")))
    _, claim = claimed(ledger, "L1")
    assert claim.basis == {"loss": "1000000.00", "province_rate": "50%", "city_rate": "40%"}
    trace = ["P5.6b: 50% × 1,000,000.00 = 500,000.00 (省财政); 40% × 1,000,000.00 = 400,000.00 (市财政); "
             "bank 1,000,000.00 − 900,000.00 = 100,000.00",
             "P5.6b: province + city 90% of the loss, within the 90% ceiling; the bank bears the rest"]
    old = ledger.mapper.to_domain_event(as_version_1(ledger, claim, drop=("basis",), trace=trace))
    assert isinstance(old, Loan.CompensationClaimed)
    assert old.basis == claim.basis
    assert split_of_basis(old.clause, old.basis, old.by.decided, ledger.book).shares == old.shares == {
        "省财政": D("500000.00"), "市财政": D("400000.00"), "bank": D("100000.00")}
    # the default rates (a province_share version recorded): the basis is the loss alone
    defaults = ["P5.6b.public_share_max@2024-11-05", "P5.6b.province_share@2024-11-05", "P5.6b.city_share@2024-11-05"]
    old = ledger.mapper.to_domain_event(as_version_1(ledger, claim, drop=("basis",), versions=defaults,
                                                     trace=[trace[0].replace("50%", "45%").replace("40%", "45%")]))
    assert isinstance(old, Loan.CompensationClaimed)
    assert old.basis == {"loss": "1000000.00"}


def test_new_claims_are_stored_as_version_2(ledger: Ledger) -> None:
    defaulted_loan(ledger)
    ledger.execute(ClaimCompensation(code="L1", **on("2026-03-10")))
    _, claim = claimed(ledger, "L1")
    state = ledger.mapper.transcoder.decode(ledger.mapper.to_stored_event(claim).state)
    assert state["class_version"] == 2 and state["basis"] == {"loss": "333333.33"}
