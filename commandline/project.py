"""`jcg project`: 拨投结合 projects from approval to exit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import click

from commandline.options import (
    DATE,
    FUND,
    HOLDER,
    NAME,
    NAME_OR_NONE,
    PARTY,
    PROJECT,
    RATE_TEXT,
    REASON,
    REASON_OR_NONE,
    SOURCE,
    SPENT,
    VOUCHER,
    YEARS,
    YUAN,
    Session,
    common,
    pass_session,
    writing,
)
from i18n.clicktools import I18nGroup
from ledger.handlers import projects


@click.group(cls=I18nGroup)
def project() -> None:
    """拨投结合 projects (P2.2, P6.1): approve, pay tranches, trigger, convert, buy back, sell, repay or write off
    a debt, fail, finish, reassign."""


@project.command("approve")
@click.argument("code", type=PROJECT)
@click.option("--title", type=NAME, required=True)
@click.option("--enterprise", type=PARTY, required=True, help="Party code of the recipient enterprise.")
@click.option("--fund", "fund_code", type=FUND, required=True, help="Fund that will hold the stake.")
@click.option("--amount", type=YUAN, required=True, help="The grant, e.g. 300万.")
@click.option("--clause", type=click.Choice(["P2.2", "P6.1"]), default="P2.2", show_default=True)
@click.option("--trigger", type=click.Choice(["financing", "date"]), default="financing", show_default=True)
@click.option("--trigger-on", type=DATE, default=None, help="Conversion date (for --trigger date).")
@click.option("--pricing", type=click.Choice(["round", "discount", "fixed"]), default="round", show_default=True,
              help="The round's price, a discount on it, or a fixed pre-money valuation.")
@click.option("--pre-money", type=YUAN, default=None, help="Fixed pre-money valuation (for --pricing fixed).")
@click.option("--discount", type=RATE_TEXT, default=None, help="Discount on the round price, e.g. 20%.")
@click.option("--max-stake", type=RATE_TEXT, required=True, help="Maximum stake, e.g. 25%.")
@click.option("--exit", "exit_formula", type=click.Choice(["principal", "interest", "fixed"]), default="principal",
              show_default=True, help="Buyback price: principal, principal plus simple interest, or fixed.")
@click.option("--exit-rate", type=RATE_TEXT, default=None, help="Yearly simple interest for --exit interest, e.g. 4%.")
@click.option("--exit-price", type=YUAN, default=None, help="Price of the whole stake for --exit fixed.")
@click.option("--window-from", type=YEARS, default=0, show_default=True, help="Buyback opens N years after conversion.")
@click.option("--window-until", type=YEARS, default=5, show_default=True, help="Buyback closes N years after.")
@click.option("--ratio", type=RATE_TEXT, default="100%", show_default=True, help="Share of the stake the team may buy back.")
@click.option("--debt-rate", type=RATE_TEXT, default=None, help="Yearly rate if converted into debt, e.g. 5%.")
@click.option("--debt-years", type=YEARS, default=None, help="Term in years if converted into debt.")
@click.option("--source", type=SOURCE, default="市财政", show_default=True, help="Funding source of the grant.")
@click.option("--early-stage/--later-stage", default=True, show_default=True, help="Counts toward P5.8.")
@writing
@pass_session
def project_approve(session: Session, code: str, title: str, enterprise: str, fund_code: str, amount: Decimal,
                    clause: str, trigger: str, trigger_on: date | None, pricing: str, pre_money: Decimal | None,
                    discount: str | None, max_stake: str, exit_formula: str, exit_rate: str | None,
                    exit_price: Decimal | None, window_from: int, window_until: int, ratio: str,
                    debt_rate: str | None, debt_years: int | None, source: str, early_stage: bool,
                    decided: date, ref: str, request_id: str) -> None:
    """Approve project CODE: the grant, its recipient, the holder fund and the conversion terms.

    \b
    Example:
      jcg project approve PJ-1 --title 高功率激光器中试 --enterprise ENT-001 --fund F-SEED \\
          --amount 300万 --trigger date --trigger-on 2025-12-31 --pricing fixed \\
          --pre-money 1200万 --max-stake 25% --exit interest --exit-rate 4% \\
          --window-from 1 --window-until 5 --decided 2025-01-10 --ref 临科发〔2025〕5号
    """
    session.run(projects.ApproveProject(
        code=code, title=title, enterprise=enterprise, fund=fund_code, amount=amount, clause=clause,
        trigger=trigger, trigger_on=trigger_on, pricing=pricing, pre_money=pre_money, discount=discount,
        max_stake=max_stake, exit_formula=exit_formula, exit_rate=exit_rate, exit_price=exit_price,
        window_from_years=window_from, window_until_years=window_until, ratio=ratio, debt_rate=debt_rate,
        debt_years=debt_years, source=source, early_stage=early_stage, **common(decided, ref, request_id)))


@project.command("disburse")
@click.argument("code", type=PROJECT)
@click.option("--amount", type=YUAN, required=True)
@click.option("--voucher", type=VOUCHER, required=True,
              help="Payment order number (拨款凭证号), unique per paying source; posted by a second approver.")
@writing
@pass_session
def project_disburse(session: Session, code: str, amount: Decimal, voucher: str, decided: date, ref: str,
                     request_id: str) -> None:
    """Pay a tranche of project CODE's grant (never more than remains).

    \b
    Example:
      jcg project disburse PJ-1 --amount 150万 --voucher 付-2025-021 --decided 2025-02-01
    """
    session.run(projects.PayTranche(project=code, amount=amount, voucher=voucher, **common(decided, ref, request_id)))


@project.command("trigger")
@click.argument("code", type=PROJECT)
@click.option("--investor", type=NAME_OR_NONE, default="", help="Lead investor of the financing round.")
@click.option("--round-pre-money", type=YUAN, default=None, help="The round's pre-money valuation.")
@click.option("--round-amount", type=YUAN, default=None, help="Money raised in the round.")
@writing
@pass_session
def project_trigger(session: Session, code: str, investor: str, round_pre_money: Decimal | None,
                    round_amount: Decimal | None, decided: date, ref: str, request_id: str) -> None:
    """Record that project CODE's conversion trigger happened (a financing round, or its date).

    \b
    Example:
      jcg project trigger PJ-2 --investor 红杉中国 --round-pre-money 1000万 --round-amount 500万 \\
          --decided 2025-06-01
    """
    session.run(projects.RecordTrigger(project=code, investor=investor, round_pre_money=round_pre_money,
                                       round_amount=round_amount, **common(decided, ref, request_id)))


@project.command("convert")
@click.argument("code", type=PROJECT)
@click.option("--into", type=click.Choice(["equity", "debt"]), default="equity", show_default=True)
@click.option("--amount", type=YUAN, default=None, help="Default: all disbursed money not yet converted.")
@writing
@pass_session
def project_convert(session: Session, code: str, into: str, amount: Decimal | None, decided: date, ref: str,
                    request_id: str) -> None:
    """Convert project CODE's disbursed grant into equity (or debt) held by its fund.

    \b
    Example:
      jcg project convert PJ-1 --decided 2026-01-05 --ref 临科发〔2026〕1号
    """
    session.run(projects.ConvertProject(project=code, into=into, amount=amount, **common(decided, ref, request_id)))


@project.command("buyback")
@click.argument("code", type=PROJECT)
@click.option("--buyer", type=HOLDER, required=True, help="Team member (holder code), or the enterprise itself.")
@click.option("--buyer-name", type=NAME_OR_NONE, default="")
@click.option("--units", type=YUAN, default=None, help="Registered capital bought back; default all held.")
@click.option("--receipt", required=True, help="The fund's bank receipt of the buyback money, unique per fund.")
@writing
@pass_session
def project_buyback(session: Session, code: str, buyer: str, buyer_name: str, units: Decimal | None,
                    receipt: str, decided: date, ref: str, request_id: str) -> None:
    """The team buys back (part of) project CODE's stake at the stored formula on the decision date.

    \b
    Example:
      jcg project buyback PJ-1 --buyer 张三 --receipt 基金收-2028-0105 --decided 2028-01-05 \\
          --ref 临科发〔2028〕2号
    """
    session.run(projects.BuyBack(project=code, buyer=buyer, buyer_name=buyer_name, units=units, receipt=receipt,
                                 **common(decided, ref, request_id)))


@project.command("sell")
@click.argument("code", type=PROJECT)
@click.option("--buyer", type=HOLDER, required=True, help="Third-party buyer (holder code).")
@click.option("--buyer-name", type=NAME_OR_NONE, default="")
@click.option("--price", type=YUAN, required=True, help="Agreed price of the units sold.")
@click.option("--units", type=YUAN, default=None, help="Registered capital sold; default all held.")
@writing
@pass_session
def project_sell(session: Session, code: str, buyer: str, buyer_name: str, price: Decimal, units: Decimal | None,
                 decided: date, ref: str, request_id: str) -> None:
    """Sell (part of) project CODE's stake to a third party.

    \b
    Example:
      jcg project sell PJ-2 --buyer 红杉中国 --price 150万 --decided 2025-12-01
    """
    session.run(projects.SellStake(project=code, buyer=buyer, buyer_name=buyer_name, price=price, units=units,
                                   **common(decided, ref, request_id)))


@project.command("fail")
@click.argument("code", type=PROJECT)
@click.option("--reason", type=REASON, required=True)
@click.option("--misuse", type=REASON_OR_NONE, default="", help="Recorded misuse of funds (the only ground for a clawback).")
@click.option("--clawback", type=YUAN, default=None, help="Amount recovered for misuse.")
@writing
@pass_session
def project_fail(session: Session, code: str, reason: str, misuse: str, clawback: Decimal | None,
                 decided: date, ref: str, request_id: str) -> None:
    """Record project CODE as failed: the fund's holding is written off (P5.8 reports the ratio).

    \b
    Example:
      jcg project fail PJ-3 --reason 技术路线失败 --decided 2026-09-01 --ref 临科发〔2026〕20号
    """
    session.run(projects.FailProject(project=code, reason=reason, misuse=misuse, clawback=clawback,
                                     **common(decided, ref, request_id)))


@project.command("repay")
@click.argument("code", type=PROJECT)
@click.option("--amount", type=YUAN, default=None,
              help="Cash paid to the fund (interest first, then principal); default: all that is owed.")
@writing
@pass_session
def project_repay(session: Session, code: str, amount: Decimal | None, decided: date, ref: str,
                  request_id: str) -> None:
    """The enterprise repays (part of) project CODE's debt to the holder fund.

    Interest is the agreed simple rate on the principal outstanding up to the payment date; a
    payment settles interest first, then principal. Paying everything before maturity is an early
    repayment: interest runs only to that day.

    \b
    Example:
      jcg project repay PJ-4 --amount 115万 --decided 2027-01-05 --ref 临科发〔2027〕3号
      jcg project repay PJ-4 --decided 2028-01-05     # early repayment of everything owed
    """
    session.run(projects.RepayDebt(project=code, amount=amount, **common(decided, ref, request_id)))


@project.command("write-off")
@click.argument("code", type=PROJECT)
@click.option("--reason", type=REASON, required=True, help="Why the debt is not recoverable (default, insolvency, ...).")
@writing
@pass_session
def project_write_off(session: Session, code: str, reason: str, decided: date, ref: str, request_id: str) -> None:
    """The enterprise defaulted: project CODE's outstanding debt principal is written off by the fund.

    \b
    Example:
      jcg project write-off PJ-4 --reason 企业破产清算 --decided 2028-06-01 --ref 临科发〔2028〕9号
    """
    session.run(projects.WriteOffDebt(project=code, reason=reason, **common(decided, ref, request_id)))


@project.command("finish")
@click.argument("code", type=PROJECT)
@click.option("--spent", type=SPENT, required=True, help="What the team spent on the research (0 if nothing).")
@writing
@pass_session
def project_finish(session: Session, code: str, spent: Decimal, decided: date, ref: str, request_id: str) -> None:
    """Record that project CODE's work was accepted (结题验收); --ref is the acceptance reference.

    After completion no further tranche is paid and the unpaid grant is released from the
    commitment. P6.1 lets the team reassign the unspent fiscal money (paid − spent − converted −
    reassigned − recovered) to another project of the same enterprise (jcg project reassign).
    A stake the fund holds stays held. A failed project is written off, not finished.

    \b
    Example:
      jcg project finish PJ-1 --spent 70万 --decided 2025-11-20 --ref 临科验〔2025〕3号
    """
    session.run(projects.FinishProject(project=code, spent=spent, **common(decided, ref, request_id)))


@project.command("reassign")
@click.argument("code", type=PROJECT)
@click.option("--to", "target", type=PROJECT, required=True, help="Project receiving the unspent money.")
@click.option("--amount", type=YUAN, default=None, help="Default: all unspent fiscal money.")
@writing
@pass_session
def project_reassign(session: Session, code: str, target: str, amount: Decimal | None, decided: date, ref: str,
                     request_id: str) -> None:
    """P6.1: reassign finished project CODE's unspent fiscal money to another project of the team.

    CODE must be finished first (jcg project finish CODE --spent AMOUNT --ref 验收文号); the target
    must belong to the same enterprise, and the money it receives is not convertible there.

    \b
    Example:
      jcg project finish PJ-1 --spent 70万 --decided 2025-11-20 --ref 临科验〔2025〕3号
      jcg project reassign PJ-1 --to PJ-B --amount 30万 --decided 2025-12-01
    """
    session.run(projects.ReassignUnspent(project=code, target=target, amount=amount,
                                         **common(decided, ref, request_id)))


@project.command("show")
@click.argument("code", type=PROJECT)
@pass_session
def project_show(session: Session, code: str) -> None:
    """Show project CODE: grant, tranches, terms, trigger, conversion and exits.

    \b
    Example:
      jcg project show PJ-1
    """
    from ledger.queries import get_project
    from projections.views.projects import project_lines

    click.echo("\n".join(project_lines(get_project(session.ledger, code))))
