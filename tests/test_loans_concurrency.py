"""Two officers act on one loan at the same moment, each through its own Ledger on the same
database: a barrier holds both until both are about to save, so the race really happens. The
loser's save conflicts, it is re-run on fresh state and refused: one claim per loss, and no
payment beyond what was approved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.errors import CapExceeded, Refused
from domain.ids import loan_id
from domain.journal import PROVINCE
from ledger import Ledger
from ledger.commands import Outcome
from ledger.handlers.loans import ApproveCompensation, ClaimCompensation, PayCompensation
from tests.builders import approval, defaulted_loan, on
from tests.conftest import OFFICER
from tests.racing import race


def test_two_claims_for_the_same_loss_at_once_record_one(ledger: Ledger, ledger_url: str) -> None:
    defaulted_loan(ledger)
    results, _ = race(ledger_url, [ClaimCompensation(code="L1", **on("2026-03-10", request_id=f"claim-{who}"))
                                for who in ("a", "b")])
    won = [r for r in results if isinstance(r, Outcome)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], Refused) and "already claimed" in str(lost[0])
    assert ledger.aggregate(loan_id("L1")).claim.shares[PROVINCE] == Decimal("116666.67")


def test_two_payments_racing_past_the_approved_share_pay_once(ledger: Ledger, ledger_url: str) -> None:
    defaulted_loan(ledger)
    ledger.execute(ClaimCompensation(code="L1", **on("2026-03-10")))
    ledger.execute(ApproveCompensation(code="L1", **approval("2026-03-20", ref="临财金〔2026〕9号")))
    pay = [PayCompensation(code="L1", payer="省财政", amount=Decimal("100000.00"), actor=OFFICER,
                           decided=date(2026, 4, 1), request_id=f"pay-{who}", voucher=f"省付-{who}")
           for who in ("a", "b")]
    results, _ = race(ledger_url, list(pay))
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(lost) == 1 and isinstance(lost[0], CapExceeded), results
    assert ledger.aggregate(loan_id("L1")).pending[PROVINCE] == Decimal("100000.00")  # one order reserved it
