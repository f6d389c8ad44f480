"""`jcg export beancount`: the double-entry journal for Beancount and Fava (projections/beancount.py)."""

from __future__ import annotations

from datetime import date

import click

from commandline.options import DATE, Session, pass_session
from i18n.clicktools import I18nGroup


@click.group(cls=I18nGroup)
def export() -> None:
    """The ledger in other tools' formats (Beancount)."""


@export.command("beancount")
@click.option("--as-of", type=DATE, default=None, help="Only what was decided on or before DATE.")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write to FILE (never over an existing file, never through a symlink; default: stdout).")
@click.option("--force", is_flag=True, help="Replace an existing --out file (a regular file, never a symlink).")
@pass_session
def export_beancount_command(session: Session, as_of: date | None, out: str | None, force: bool) -> None:
    """The journal as a Beancount ledger: accounts opened on first use with Chinese names, one
    transaction per journal entry on its decision date (Chinese narration; clause, award, loan,
    project, 文号, voucher, request id, log position and derivation trace as metadata) and a
    balance assertion for every account at each year end, from jcg's balances read model:
    `bean-check FILE` proves the export and jcg agree. A read: nothing is written to the ledger.

    \b
    Example:
      jcg export beancount --out ledger.beancount && bean-check ledger.beancount
      jcg export beancount --as-of 2025-12-31 > 2025.beancount
    """
    from i18n import translations
    from ledger.infra.outfile import open_out
    from projections.beancount import export_beancount

    target = open_out(out, force=force)  # refused (nothing written) before the ledger is read
    zh = translations("zh")
    export = export_beancount(session.ledger, as_of=as_of, render=lambda m: m.render(zh.gettext))
    if target is None:
        click.echo(export.text, nl=False)
        return
    target.write(export.text)
    click.echo(f"{out}: {export.transactions} transactions, {len(export.accounts)} accounts, "
               f"{export.assertions} balance assertions", err=True)
