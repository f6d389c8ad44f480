"""The worked example `jcg demo` runs on a new ledger: each step printed as recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from domain.journal import postings
from domain.money import fmt
from ledger.application import Ledger
from ledger.commands import Command
from ledger.grants import ClawBack, Disburse, RecordAward
from ledger.parties import GrantQualification, RegisterParty

OFFICER = "demo-officer"


def run_demo(ledger: Ledger, echo: Callable[[str], None]) -> None:
    def do(command: Command) -> None:
        outcome = ledger.execute(command)
        echo(f"- {outcome.message}")
        for line in outcome.trace:
            echo(f"    {line}")

    def on(day: str, **kw: object) -> dict[str, object]:
        return {"actor": OFFICER, "decided": date.fromisoformat(day), **kw}

    echo("== parties ==")
    do(RegisterParty(code="U-SXNU", name="山西师范大学", party_kind="university",
                     entered=date(2024, 11, 20), **on("2024-11-20")))
    do(RegisterParty(code="ENT-001", name="临汾光电科技有限公司", party_kind="enterprise",
                     entered=date(2024, 12, 1), **on("2024-12-01")))
    do(GrantQualification(code="ENT-001", qualification="高新技术企业", level="national",
                          granted_on=date(2024, 12, 20), expires_on=date(2027, 12, 19),
                          **on("2025-01-05", ref="国科火字〔2024〕210号")))

    echo("== awards and disbursements ==")
    do(RecordAward(recipient="U-SXNU", clause="P2.4", amount=Decimal("153086.42"),
                   **on("2025-03-01", ref="临科发〔2025〕12号")))
    do(RecordAward(recipient="ENT-001", clause="P6.5a", amount=Decimal("100000.00"),
                   **on("2025-04-10", ref="临财教〔2025〕8号")))
    do(Disburse(recipient="U-SXNU", award="U-SXNU-A1", amount=Decimal("153086.42"),
                voucher="付-2025-0311", **on("2025-03-11")))
    do(Disburse(recipient="ENT-001", award="ENT-001-A1", amount=Decimal("100000.00"),
                voucher="付-2025-0420", **on("2025-04-20")))

    echo("== a clawback (追回) ==")
    do(ClawBack(recipient="ENT-001", award="ENT-001-A1", amount=Decimal("20000.00"),
                reason="绩效考核不合格,部分追回", **on("2026-02-15", ref="临科发〔2026〕3号")))

    echo("== loan-loss compensation (P5.6) ==")
    from ledger import loans

    do(RegisterParty(code="BANK-JS", name="晋商银行临汾分行", party_kind="bank",
                     entered=date(2024, 11, 6), **on("2024-11-06")))
    do(loans.EnrolLoan(code="L-2025-001", bank="BANK-JS", borrower="ENT-001", category="P5.6a",
                       principal=Decimal("500000.00"), start=date(2025, 1, 10), term_months=24,
                       **on("2025-01-08")))
    do(loans.DisburseLoan(code="L-2025-001", amount=Decimal("500000.00"), **on("2025-01-10")))
    do(loans.RepayLoan(code="L-2025-001", amount=Decimal("166666.67"), **on("2025-07-10")))
    do(loans.ClassifyNonPerforming(code="L-2025-001", reason="逾期90天", **on("2025-10-10")))
    do(loans.DeclareLoss(code="L-2025-001", loss=Decimal("333333.33"), **on("2026-03-01", ref="晋商临〔2026〕5号")))
    do(loans.ClaimCompensation(code="L-2025-001", **on("2026-03-10")))
    do(loans.ApproveCompensation(code="L-2025-001", **on("2026-03-20", ref="临财金〔2026〕9号")))
    do(loans.PayCompensation(code="L-2025-001", payer="省财政", voucher="省付-2026-07", **on("2026-04-01")))
    do(loans.PayCompensation(code="L-2025-001", payer="市财政", voucher="付-2026-0402", **on("2026-04-02")))
    do(loans.RecordRecovery(code="L-2025-001", amount=Decimal("10000.01"), **on("2026-09-01")))

    # further chapters of the demo (拨投结合 project, loan-loss compensation, audit) go here

    echo("== balances (from the journal) ==")
    totals: dict[str, Decimal] = {}
    for _, event in ledger.read_log():
        for p in postings(event):
            totals[p.account] = totals.get(p.account, Decimal("0.00")) + p.amount
    for account in sorted(totals):
        echo(f"  {account:<28} {fmt(totals[account]):>16}")
    echo(f"  {'sum of all postings':<28} {fmt(sum(totals.values(), Decimal('0.00'))):>16}")
