"""`jcg fund`: funds that hold converted stakes and invest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import click

from commandline.options import (
    DATE,
    YUAN,
    Session,
    common,
    pass_session,
    writing,
)
from domain.money import fmt
from i18n.clicktools import I18nGroup
from ledger.handlers import funds


@click.group(cls=I18nGroup)
def fund() -> None:
    """Funds (P5): capital, holdings per enterprise, realised gains and the P5.8 failure ratio."""


@fund.command("register")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--manager", default="", help="Name of the fund manager (受托管理机构).")
@click.option("--capital", type=YUAN, default=None, help="Paid-in capital.")
@writing
@pass_session
def fund_register(session: Session, code: str, name: str, manager: str, capital: Decimal | None, decided: date,
                  ref: str, request_id: str) -> None:
    """Register fund CODE.

    \b
    Example:
      jcg fund register F-SEED --name 临汾市天使投资基金 --manager 市创业投资基金管理公司 \\
          --capital 5000万 --decided 2024-12-01
    """
    session.run(funds.RegisterFund(code=code, name=name, manager=manager, capital=capital or Decimal("0.00"),
                                   **common(decided, ref, request_id)))


@fund.command("invest")
@click.argument("code")
@click.option("--enterprise", required=True)
@click.option("--amount", type=YUAN, required=True, help="Cash paid.")
@click.option("--units", type=YUAN, required=True, help="Registered capital received (rest is premium).")
@writing
@pass_session
def fund_invest(session: Session, code: str, enterprise: str, amount: Decimal, units: Decimal, decided: date,
                ref: str, request_id: str) -> None:
    """Record a direct cash investment of fund CODE in an enterprise.

    \b
    Example:
      jcg fund invest F-SEED --enterprise ENT-001 --amount 200万 --units 50万 --decided 2025-05-01
    """
    session.run(funds.InvestDirect(fund=code, enterprise=enterprise, amount=amount, units=units,
                                   **common(decided, ref, request_id)))


@fund.command("show")
@click.argument("code")
@click.option("--as-of", type=DATE, default=None, help="Date for stakes and the P5.8 tolerance; default today.")
@pass_session
def fund_show(session: Session, code: str, as_of: date | None) -> None:
    """Show fund CODE: capital, cash, holdings per enterprise, realised result, P5.8 failure ratio.

    \b
    Example:
      jcg fund show F-SEED --as-of 2028-01-05
    """
    for line in funds.fund_report(session.ledger, code, session.ledger.book, as_of or date.today()):
        click.echo(line)


@fund.command("list")
@pass_session
def fund_list(session: Session) -> None:
    """List every registered fund.

    \b
    Example:
      jcg fund list
    """
    for e in funds.registered_funds(session.ledger):
        click.echo(f"{e.code:<16} capital {fmt(e.capital):>18}  {e.name}  (manager {e.manager or '-'})")
