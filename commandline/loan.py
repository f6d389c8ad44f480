"""`jcg loan`: P5.6 loans, losses and compensation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import click

from commandline.options import (
    DATE,
    LOAN,
    PARTY,
    REASON,
    REASON_OR_NONE,
    SOURCE,
    TERM_MONTHS,
    VOUCHER,
    YUAN,
    RateType,
    Session,
    common,
    pass_session,
    writing,
    writing_with_ref,
)
from domain.compensation import CATEGORIES as LOAN_CATEGORIES
from i18n.clicktools import I18nGroup
from ledger.handlers import loans as loan_cmds


@click.group(cls=I18nGroup)
def loan() -> None:
    """P5.6 科技信贷风险补偿: enrolled loans, principal losses, compensation and recoveries.

    \b
    A loan goes: enrol → disburse → repay … → default (non-performing) → default --loss
    (recovery exhausted) → claim (split by the rule) → approve (an approver, not the claimant)
    → pay (省财政, 市财政, in full) → recover.
    """


@loan.command("enrol")
@click.argument("code", type=LOAN)
@click.option("--bank", type=PARTY, required=True, help="Party code of the lending bank (kind bank).")
@click.option("--borrower", type=PARTY, required=True, help="Party code of the borrowing enterprise.")
@click.option("--category", type=click.Choice(sorted(LOAN_CATEGORIES)), required=True,
              help="P5.6a tech-transfer loan, P5.6b early-stage R&D credit loan.")
@click.option("--principal", type=YUAN, required=True)
@click.option("--start", type=DATE, required=True, help="Loan start date.")
@click.option("--term", "term_months", type=TERM_MONTHS, required=True, help="Term in months (1 to 360).")
@click.option("--stage", type=click.Choice(["early", "startup", "早期", "初创期"]), default=None,
              help="P5.6b: the borrower's stage, early (早期) or startup (初创期); required for P5.6b.")
@writing
@pass_session
def loan_enrol(session: Session, code: str, bank: str, borrower: str, category: str, principal: Decimal,
               start: date, term_months: int, stage: str | None, decided: date, ref: str, request_id: str) -> None:
    """Enrol loan CODE in the risk compensation scheme.

    \b
    Example:
      jcg loan enrol L-2025-001 --bank BANK-JS --borrower ENT-001 --category P5.6a \\
          --principal 50万 --start 2025-01-10 --term 24 --decided 2025-01-08
    """
    session.run(loan_cmds.EnrolLoan(code=code, bank=bank, borrower=borrower, category=category,
                                    principal=principal, start=start, term_months=term_months, stage=stage or "",
                                    **common(decided, ref, request_id)))


@loan.command("disburse")
@click.argument("code", type=LOAN)
@click.option("--amount", type=YUAN, required=True)
@writing
@pass_session
def loan_disburse(session: Session, code: str, amount: Decimal, decided: date, ref: str, request_id: str) -> None:
    """Record the bank lending (part of) the principal of loan CODE.

    \b
    Example:
      jcg loan disburse L-2025-001 --amount 500,000.00 --decided 2025-01-10
    """
    session.run(loan_cmds.DisburseLoan(code=code, amount=amount, **common(decided, ref, request_id)))


@loan.command("repay")
@click.argument("code", type=LOAN)
@click.option("--amount", type=YUAN, required=True, help="Principal repaid (interest is not tracked).")
@click.option("--receipt", required=True, help="The bank's receipt number (还款回单号), unique per bank.")
@writing
@pass_session
def loan_repay(session: Session, code: str, amount: Decimal, receipt: str, decided: date, ref: str,
               request_id: str) -> None:
    """Record a principal repayment on loan CODE.

    \b
    Example:
      jcg loan repay L-2025-001 --amount 166,666.67 --receipt 晋商回-2025-0710 --decided 2025-07-10
    """
    session.run(loan_cmds.RepayLoan(code=code, amount=amount, receipt=receipt, **common(decided, ref, request_id)))


@loan.command("default")
@click.argument("code", type=LOAN)
@click.option("--reason", type=REASON_OR_NONE, default="", help="Why it is non-performing (e.g. 逾期90天).")
@click.option("--loss", type=YUAN, default=None,
              help="With this: the bank declares recovery exhausted with this remaining principal loss.")
@click.option("--basis", default="principal", show_default=True,
              help="What the loss is; only principal is compensated (interest, fees are refused).")
@writing
@pass_session
def loan_default(session: Session, code: str, reason: str, loss: Decimal | None, basis: str, decided: date,
                 ref: str, request_id: str) -> None:
    """Classify loan CODE as non-performing; with --loss, record the bank's declaration that
    recovery is exhausted and the principal it lost.

    \b
    Example:
      jcg loan default L-2025-001 --reason 逾期90天 --decided 2025-10-10
      jcg loan default L-2025-001 --loss 333,333.33 --decided 2026-03-01 --ref 晋商临〔2026〕5号
    """
    if loss is None:
        session.run(loan_cmds.ClassifyNonPerforming(code=code, reason=reason, **common(decided, ref, request_id)))
    else:
        session.run(loan_cmds.DeclareLoss(code=code, loss=loss, basis=basis, **common(decided, ref, request_id)))


@loan.command("claim")
@click.argument("code", type=LOAN)
@click.option("--loss", type=YUAN, default=None, help="The declared principal loss (checked; default: it).")
@click.option("--basis", default="principal", show_default=True,
              help="Only principal is compensated; interest and fees are refused.")
@click.option("--province-rate", type=RateType(), default=None, help="P5.6b only: e.g. 50% (with --city-rate).")
@click.option("--city-rate", type=RateType(), default=None, help="P5.6b only: e.g. 40%; together at most 90%.")
@writing
@pass_session
def loan_claim(session: Session, code: str, loss: Decimal | None, basis: str, province_rate: Decimal | None,
               city_rate: Decimal | None, decided: date, ref: str, request_id: str) -> None:
    """Claim P5.6 compensation for the declared loss of loan CODE; prints the split and its trace.

    \b
    Example:
      jcg loan claim L-2025-001 --decided 2026-03-10
    """
    session.run(loan_cmds.ClaimCompensation(code=code, loss=loss, basis=basis, province_rate=province_rate,
                                            city_rate=city_rate, **common(decided, ref, request_id)))


@loan.command("approve")
@click.argument("code", type=LOAN)
@writing
@pass_session
def loan_approve(session: Session, code: str, decided: date, ref: str, request_id: str) -> None:
    """Approve the claim on loan CODE: 省财政 and 市财政 then owe their shares to the bank (--ref required).

    Four-eyes: only an approver approves, and never the officer who filed the claim.

    \b
    Example:
      jcg --officer approver-1 loan approve L-2025-001 --decided 2026-03-20 --ref 临财金〔2026〕9号
    """
    session.run(loan_cmds.ApproveCompensation(code=code, **common(decided, ref, request_id)))


@loan.command("pay")
@click.argument("code", type=LOAN)
@click.option("--payer", type=SOURCE, required=True, help="省财政 (province) or 市财政 (city).")
@click.option("--amount", type=YUAN, default=None, help="Default: all the payer still owes.")
@click.option("--voucher", type=VOUCHER, required=True, help="Payment voucher number (付款凭证号), unique per payer.")
@writing
@pass_session
def loan_pay(session: Session, code: str, payer: str, amount: Decimal | None, voucher: str, decided: date,
             ref: str, request_id: str) -> None:
    """Record a payment order by 省财政 or 市财政 on the approved claim of loan CODE (待审核); never more
    than approved. An approver who did not record it posts it (jcg payment post VOUCHER --source PAYER).

    \b
    Example:
      jcg loan pay L-2025-001 --payer 省财政 --amount 116,666.67 --decided 2026-04-01 --voucher 付-2026-041
    """
    session.run(loan_cmds.PayCompensation(code=code, payer=payer, amount=amount, voucher=voucher,
                                          **common(decided, ref, request_id)))


@loan.command("recover")
@click.argument("code", type=LOAN)
@click.option("--amount", type=YUAN, required=True)
@click.option("--receipt", required=True, help="The bank's receipt number (回单号), unique per bank.")
@writing
@pass_session
def loan_recover(session: Session, code: str, amount: Decimal, receipt: str, decided: date, ref: str,
                 request_id: str) -> None:
    """Record money the bank recovered after compensation; it goes back to each bearer pro rata.

    Only once 省财政 and 市财政 have paid their whole approved shares (loan show: owes 0.00).

    \b
    Example:
      jcg loan recover L-2025-001 --amount 10,000.01 --receipt 晋商回-2026-0901 --decided 2026-09-01
    """
    session.run(loan_cmds.RecordRecovery(code=code, amount=amount, receipt=receipt,
                                         **common(decided, ref, request_id)))


@loan.command("withdraw-claim")
@click.argument("code", type=LOAN)
@click.option("--reason", type=REASON, required=True, help="Why the claim was recorded in error.")
@writing_with_ref
@pass_session
def loan_withdraw_claim(session: Session, code: str, reason: str, decided: date, ref: str, request_id: str) -> None:
    """Withdraw the P5.6 claim on loan CODE, recorded in error (approved or not), while nothing was
    paid or ordered on it: an approver other than the officer who filed it. The claimed and approved
    shares are released; a new claim may be filed. A paid share is reversed first (payment reverse).

    \b
    Example:
      jcg --officer zhang loan withdraw-claim L-2025-001 --reason 损失金额录入错误 --decided 2026-03-25 \\
          --ref 临财金〔2026〕10号
    """
    session.run(loan_cmds.WithdrawClaim(code=code, reason=reason, **common(decided, ref, request_id)))


@loan.command("show")
@click.argument("code", type=LOAN)
@pass_session
def loan_show(session: Session, code: str) -> None:
    """Show loan CODE: principal, loss, the claim's split, what 省财政 and 市财政 owe and have paid.

    \b
    Example:
      jcg loan show L-2025-001
    """
    from ledger.queries import get_loan
    from projections.views.loans import loan_lines

    click.echo("\n".join(loan_lines(get_loan(session.ledger, code))))


@loan.command("list")
@pass_session
def loan_list(session: Session) -> None:
    """List every enrolled loan with its status.

    \b
    Example:
      jcg loan list
    """
    from projections.views.loans import loans_list

    rows, _position = session.read_side.rows("loans")
    click.echo("\n".join(loans_list(rows)))
