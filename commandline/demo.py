"""`jcg demo`: a worked example on a new ledger."""

from __future__ import annotations

import click

from commandline.options import (
    Session,
)
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
    ctx.obj = session
    ctx.call_on_close(session.close)
    run_demo(session.ledger, click.echo)
