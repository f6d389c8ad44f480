"""`jcg captable`: share registers and their export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import click

from commandline.options import (
    DATE,
    PARTY,
    POSITION,
    YUAN,
    Session,
    common,
    pass_session,
    writing,
)
from domain import fields
from domain.errors import Refused
from i18n import _
from i18n.clicktools import I18nGroup
from ledger.exchange import captable_export as ocf
from ledger.handlers import projects


@click.group(cls=I18nGroup)
def captable() -> None:
    """Cap tables: holders of an enterprise's registered capital at any date, and their export."""


@captable.command("register")
@click.argument("enterprise", type=PARTY)
@click.option("--holder", "holders", multiple=True, required=True,
              help="CODE=CAPITAL or CODE:NAME=CAPITAL (repeat for each holder).")
@click.option("--premium", type=YUAN, default=None, help="Premium (资本公积) already on record.")
@writing
@pass_session
def captable_register(session: Session, enterprise: str, holders: tuple[str, ...], premium: Decimal | None,
                      decided: date, ref: str, request_id: str) -> None:
    """Record the existing holders of ENTERPRISE's registered capital (e.g. founders).

    \b
    Example:
      jcg captable register ENT-001 --holder 张三=300万 --holder 李四:李四=200万 --decided 2024-12-02
    """
    parsed = []
    for h in holders:
        who, sep, capital = h.rpartition("=")
        if not sep or not who:
            raise click.BadParameter(f"{h!r} is not CODE=CAPITAL", param_hint="--holder")
        code, _, name = who.partition(":")
        try:
            code, name = fields.HOLDER_CODE(code), fields.NAME(name, required=False)
        except Refused as exc:
            raise click.BadParameter(str(exc), param_hint="--holder") from None
        parsed.append((code, name or code, YUAN.convert(capital, None, None)))
    session.run(projects.RegisterHolders(enterprise=enterprise, holders=tuple(parsed),
                                         premium=premium or Decimal("0.00"), **common(decided, ref, request_id)))


@captable.command("show")
@click.argument("enterprise", type=PARTY)
@click.option("--as-of", type=DATE, default=None, help="As of a decision date (default: everything recorded).")
@click.option("--at-position", type=POSITION, default=None, help="After the first N recorded events.")
@pass_session
def captable_show(session: Session, enterprise: str, as_of: date | None, at_position: int | None) -> None:
    """Show ENTERPRISE's holders, registered capital and percentages (the moment `fund show`
    and `report funds` use for the same options).

    \b
    Example:
      jcg captable show ENT-001 --as-of 2026-01-05
    """
    from ledger.queries import get_register
    from projections.views.captable import cap_table, cap_table_lines

    get_register(session.ledger, enterprise)  # NotFound without a register
    rows, moment = session.read_side.at("captable", as_of=as_of, at_position=at_position)
    click.echo("\n".join(cap_table_lines(cap_table(rows, enterprise), moment)))


@captable.command("export")
@click.argument("enterprise", type=PARTY)
@click.option("--format", "fmt_", type=click.Choice(["json"]), default="json", show_default=True)
@click.option("--as-of", type=DATE, default=None, help="Only transactions up to this date.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write to FILE instead of standard output (never over a file, never through a symlink).")
@click.option("--force", is_flag=True, help="Replace an existing --output file (a regular file only).")
@pass_session
def captable_export(session: Session, enterprise: str, fmt_: str, as_of: date | None, output: str | None,
                    force: bool) -> None:
    """Export ENTERPRISE's equity transactions as JSON modelled on the Open Cap Table Format.

    \b
    Example:
      jcg captable export ENT-001 --format json -o ent-001-captable.json
    """
    from ledger.infra.outfile import open_out

    target = open_out(output, force=force)

    if target is not None:  # a failure before the end leaves no temporary file

        click.get_current_context().call_on_close(target.discard)
    text = ocf.export_json(session.ledger, enterprise, as_of)
    if target is not None:
        target.write(text + "\n")
        click.echo(_("wrote {output}").format(output=output))
    else:
        click.echo(text)
