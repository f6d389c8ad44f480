"""`jcg policy`: the clauses, their dated parameters, and dry-run calculations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import click

from commandline.options import (
    CLAUSE,
    DATE,
    PARTY_OR_NONE,
    REASON_OR_NONE,
    REF,
    YUAN,
    Session,
    basis_pairs,
    pass_session,
)
from domain.clauses import catalogue
from domain.clauses import clause as find_clause
from domain.parameters import parameter_book
from domain.rules.describe import describe as describe_rule
from i18n import _, text
from i18n.clicktools import I18nGroup
from ledger.handlers.rules import calculate


@click.group(cls=I18nGroup)
def policy() -> None:
    """The policy rules: every money clause, its parameters, and dry-run calculations."""


@policy.command("list")
def policy_list() -> None:
    """List every money clause: id, title, amount rule, cap, responsible units (责任单位).

    \b
    Example:
      jcg policy list
    """
    for c in catalogue().values():
        if c.money:
            click.echo(f"{c.id:<6} {c.title}")
            click.echo(_("       amount: {rule}; cap: {value}; 责任单位: {units}").format(rule=c.rule, value=c.cap or '—', units='、'.join(c.units)))


@policy.command("show")
@click.argument("clause", type=CLAUSE)
@pass_session
def policy_show(session: Session, clause: str) -> None:
    """Show CLAUSE: its basis keys, G.3 matter key and parameters with citations and valid-from dates.

    \b
    Example:
      jcg policy show P2.4
    """
    c = find_clause(clause)
    for line in describe_rule(c.id, parameter_book()):
        click.echo(line)


@policy.command("calc")
@click.argument("clause", type=CLAUSE)
@click.option("--recipient", type=PARTY_OR_NONE, default="", help="Party code of the recipient (not needed for P5.6a/P5.6b).")
@click.option("--basis", "basis", multiple=True, metavar="KEY=VALUE", callback=basis_pairs,
              help="A basis figure the rule reads (repeat); see `jcg policy show CLAUSE`.")
@click.option("--amount", type=YUAN, default=None, help="Officer-decided amount (clauses within a floor/cap).")
@click.option("--reason", type=REASON_OR_NONE, default="", help="Reason (P2.1c 一事一议).")
@click.option("--ref", type=REF, default="", help="Decision reference (文号).")
@click.option("--decided", type=DATE, required=True, help="Decision date, YYYY-MM-DD (parameters in force then).")
@pass_session
def policy_calc(session: Session, clause: str, recipient: str, basis: dict[str, str], amount: Decimal | None,
                reason: str, ref: str, decided: date) -> None:
    """Compute what CLAUSE allows for a recipient on a decision date and print the trace; writes nothing.

    \b
    Example:
      jcg policy calc P2.4 --recipient U1 --basis contract_value=10000000 --basis contract=HT-1 \\
          --decided 2025-03-01
      jcg policy calc P5.6a --basis loss=1000000 --decided 2025-06-30
    """
    c = find_clause(clause)
    if not recipient and c.id not in {"P5.6a", "P5.6b"}:
        raise click.UsageError(_("Missing option '--recipient'."))
    result = calculate(session.ledger, c.id, recipient, basis, decided,
                       amount=amount, reason=reason, ref=ref)
    for line in result.trace:
        click.echo(text(line))
    click.echo(_("parameters: {versions}").format(versions=", ".join(result.versions) or _("none")))
    matter = getattr(result, "matter", "")
    if matter:
        click.echo(_("G.3 matter: {matter}").format(matter=matter))
    click.echo(_("dry run: nothing written"))
