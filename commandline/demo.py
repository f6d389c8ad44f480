"""`jcg demo`: a worked example on a new ledger."""

from __future__ import annotations

from datetime import date

import click

from commandline.options import (
    Session,
)
from domain.messages import Message
from i18n import text
from i18n.clicktools import I18nCommand


@click.command(cls=I18nCommand)
@click.option("--db", "demo_db", default="sqlite:///jcg-demo.sqlite", show_default=True,
              help="Where the demo ledger is written: a new database, or an earlier demo's "
              "SQLite file (started anew); a database holding anything else is refused.")
@click.pass_context
def demo(ctx: click.Context, demo_db: str) -> None:
    """Run a worked example on a new ledger and print each step.

    \b
    Example:
      jcg demo
    """
    from ledger.demo import prepare_demo_database, run_demo

    prepare_demo_database(demo_db)  # refuses a database holding data the demo did not make
    session = Session(demo_db, "demo-officer")
    session.create = True
    ctx.obj = session
    ctx.call_on_close(session.close)
    run_demo(session.ledger, _say, lambda what, code, day: show(session, what, code, day))


def _say(line: str) -> None:
    """A demo line in the officer's language (a line of text keeps its indent and "- ")."""
    if isinstance(line, Message):
        click.echo(text(line))
        return
    lead = len(line) - len(line.lstrip(" -"))
    click.echo(line[:lead] + text(line[lead:]))


def show(session: Session, what: str, code: str, day: date) -> list[str]:
    """The demo's fund and cap-table lines, made as `fund show` and `captable show` make them,
    and the journal's trial balance."""
    from domain.fund import failure_tolerance
    from domain.journal import trial_balance
    from projections.views.captable import cap_table, cap_table_lines
    from projections.views.funds import fund, fund_lines
    from projections.views.journal import balance_lines

    if what == "balances":
        return balance_lines(trial_balance(e for _, e in session.ledger.read_log()))
    if what == "fund":
        rows, moment = session.read_side.at("funds", as_of=day)
        return fund_lines(fund(rows, code, failure_tolerance(session.ledger.book, day)), moment)
    rows, moment = session.read_side.at("captable", as_of=day)
    return cap_table_lines(cap_table(rows, code), moment)
