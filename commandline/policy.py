"""`jcg policy`: the clauses, their dated parameters, and dry-run calculations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

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
    common,
    pass_session,
    writing,
)
from domain.clauses import catalogue
from domain.clauses import clause as find_clause
from domain.parameters import ParameterBook, parameter_book
from i18n import _, text
from i18n.clicktools import I18nGroup
from ledger.handlers.rulebook import ReviseParameter
from ledger.handlers.rules import calculate, is_split
from ledger.whatif import Proposal, proposed_book, recompute, what_if_rows
from projections.views.rules import describe as describe_rule


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
    from projections.views.policy import clauses_list

    click.echo("\n".join(clauses_list(list(catalogue().values()))))


@policy.command("show")
@click.argument("clause", type=CLAUSE)
@pass_session
def policy_show(session: Session, clause: str) -> None:
    """Show CLAUSE: its basis keys, G.3 matter key and parameters with citations and valid-from dates:
    the first edition (the notice as published) and every recorded revision, with who revised it.

    \b
    Example:
      jcg policy show P2.4
    """
    c = find_clause(clause)
    book = _rule_book(session)
    for line in describe_rule(c.id, book):
        click.echo(text(line))


def _rule_book(session: Session) -> ParameterBook:
    """The rule book as recorded in the ledger (first edition + revisions); the first edition alone
    when there is no ledger yet (showing a clause never creates a database)."""
    if session.url.startswith("sqlite:///") and not Path(session.url.removeprefix("sqlite:///")).exists():
        return parameter_book()
    return session.ledger.rule_book()


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
          --basis registered_on=2025-02-10 --basis counterparty=E1 --decided 2025-03-01
      jcg policy calc P5.6a --basis loss=1000000 --decided 2025-06-30
    """
    c = find_clause(clause)
    if not recipient and not is_split(c.id):
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


@policy.command("revise")
@click.argument("clause")
@click.argument("name")
@click.argument("value")
@click.option("--valid-from", "valid_from", type=DATE, required=True,
              help="First decision date the new value applies to (after every decision that used the old one).")
@click.option("--quote", required=True, help="The words of the revising decision (its 文号 is --ref).")
@click.option("--reading", default="", help="The product reading, where the words leave a choice.")
@writing
@pass_session
def policy_revise(session: Session, clause: str, name: str, value: str, valid_from: date, quote: str, reading: str,
                  decided: date, ref: str, request_id: str) -> None:
    """Revise parameter NAME of CLAUSE to VALUE from --valid-from: a signed request of an approver (G.4).

    Refused if a recorded decision on or after --valid-from used the parameter (a revision only
    adds a later value; it never changes one a decision used).

    \b
    Example:
      jcg policy revise P2.3b ratio 1% --valid-from 2025-07-01 --quote "技术经纪人奖励按交易额的1%" \\
          --decided 2025-06-20 --ref 临科发〔2025〕30号
    """
    if not ref.strip():
        raise click.UsageError("Missing option '--ref' (the revision's 文号).")
    session.run(ReviseParameter(clause=find_clause(clause).id, name=name, value=value, valid_from=valid_from,
                                quote=quote, reading=reading, **common(decided, ref, request_id)))


@policy.command("what-if")
@click.option("--revise", "proposals", multiple=True, required=True, metavar="CLAUSE.NAME=VALUE@DATE",
              help="A proposed value from a date (repeat), e.g. P2.4.rate=3%@2026-01-01.")
@click.option("--format", "form", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="table, csv or json.")
@pass_session
def policy_what_if(session: Session, proposals: tuple[str, ...], form: str) -> None:
    """Recompute every recorded award under a proposed rule book; writes nothing.

    Per clause, recipient and year: what was awarded, what would have been, and the difference
    (G.3, caps and one-time rules see the proposed history).

    \b
    Example:
      jcg policy what-if --revise P2.4.rate=3%@2026-01-01 --revise P5.7.annual_cap=300000@2025-01-01
    """
    from domain.messages import N_, Message
    from projections import reports
    from projections.reports import Column, Report
    from projections.views.policy import what_if_note

    parsed = [Proposal.parse(p) for p in proposals]
    ledger = session.ledger
    proposed_book(ledger.book, parsed)  # refuses an unknown parameter or a bad value before reading the log
    results = list(recompute(ledger.book, (e for _, e in ledger.read_log()), parsed))
    rows = what_if_rows(results)
    recorded = sum((r[4] for r in rows), Decimal("0.00"))
    proposed = sum((r[5] for r in rows), Decimal("0.00"))
    report = Report(
        Message(N_("what-if: {proposals}"), proposals=", ".join(proposals)),
        [Column("clause"), Column("recipient"), Column("year"), Column("awards"), Column("awarded", True),
         Column("what_if", True), Column("difference", True)],
        rows,
        notes=[what_if_note(r) for r in results if r.proposed != r.recorded] + [Message(N_("nothing written"))],
        totals=[[Message(N_("total")), "", "", len(results), recorded, proposed, proposed - recorded]],
    )
    click.echo(reports.render(report, form))
