"""`jcg fund`: funds that hold converted stakes and invest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import click

from commandline.options import (
    DATE,
    FUND,
    NAME,
    NAME_OR_NONE,
    PARTY,
    POSITION,
    SPENT,
    YUAN,
    Session,
    common,
    pass_session,
    writing,
)
from domain.errors import NotFound
from domain.messages import N_
from i18n.clicktools import I18nGroup
from ledger.handlers import funds
from ledger.queries import get_fund


@click.group(cls=I18nGroup)
def fund() -> None:
    """Funds (P5): capital, holdings per enterprise, realised gains and the P5.8 failure ratio."""


@fund.command("register")
@click.argument("code", type=FUND)
@click.option("--name", type=NAME, required=True)
@click.option("--manager", type=NAME_OR_NONE, default="", help="Name of the fund manager (受托管理机构).")
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
@click.argument("code", type=FUND)
@click.option("--enterprise", type=PARTY, required=True)
@click.option("--amount", type=YUAN, required=True, help="Cash paid.")
@click.option("--units", type=YUAN, required=True, help="Registered capital received (rest is premium).")
@click.option("--guidance", type=SPENT, default="0", show_default=True,
              help="Government guidance money in the investment (P5.3 deducts it).")
@click.option("--early-stage", is_flag=True, help="An early-stage project (P5.8 counts it in the failure ratio).")
@click.option("--lot", default="", help="Code of the holding (default FUND:ENTERPRISE:DATE).")
@writing
@pass_session
def fund_invest(session: Session, code: str, enterprise: str, amount: Decimal, units: Decimal, guidance: Decimal,
                early_stage: bool, lot: str, decided: date, ref: str, request_id: str) -> None:
    """Record a direct cash investment of fund CODE in an enterprise.

    \b
    Example:
      jcg fund invest F-SEED --enterprise ENT-001 --amount 200万 --units 50万 --decided 2025-05-01
    """
    session.run(funds.InvestDirect(fund=code, enterprise=enterprise, amount=amount, units=units, guidance=guidance,
                                   early_stage=early_stage, lot=lot, **common(decided, ref, request_id)))


@fund.command("fail-investment")
@click.argument("code")
@click.option("--lot", required=True, help="The direct investment (holding) that failed.")
@click.option("--reason", required=True, help="Why it failed.")
@writing
@pass_session
def fund_fail_investment(session: Session, code: str, lot: str, reason: str, decided: date, ref: str,
                         request_id: str) -> None:
    """Write off a failed direct investment of fund CODE; an early-stage one counts for P5.8.

    \b
    Example:
      jcg fund fail-investment F-SEED --lot F-SEED:ENT-001:2025-05-01 --reason 技术路线失败 --decided 2026-03-01
    """
    session.run(funds.FailInvestment(fund=code, lot=lot, reason=reason, **common(decided, ref, request_id)))


@fund.command("show")
@click.argument("code", type=FUND)
@click.option("--as-of", type=DATE, default=None,
              help="As of a decision date (default: everything recorded, as `report funds`).")
@click.option("--at-position", type=POSITION, default=None, help="After the first N recorded events.")
@pass_session
def fund_show(session: Session, code: str, as_of: date | None, at_position: int | None) -> None:
    """Show fund CODE: capital, cash, holdings per enterprise with stakes, realised result, P5.8
    failure ratio; the same figures as `report funds` and `captable show` at the same moment.

    \b
    Example:
      jcg fund show F-SEED
      jcg fund show F-SEED --as-of 2028-01-05
    """
    from domain.fund import failure_tolerance
    from projections.views.funds import fund, fund_lines

    get_fund(session.ledger, code)  # NotFound if never registered
    rows, moment = session.read_side.at("funds", as_of=as_of, at_position=at_position)
    if (code,) not in rows["rm_funds"]:
        raise NotFound(N_("fund {code} was not yet registered at this moment ({words})"), code=code,
                       words=moment.words())
    data = fund(rows, code, failure_tolerance(session.ledger.book, as_of or date.today()))
    click.echo("\n".join(fund_lines(data, moment)))


@fund.command("list")
@pass_session
def fund_list(session: Session) -> None:
    """List every registered fund.

    \b
    Example:
      jcg fund list
    """
    from projections.funds import FUNDS
    from projections.views.funds import funds_list

    click.echo("\n".join(funds_list(session.read_side.list_rows(FUNDS))))
