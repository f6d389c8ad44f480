"""`jcg grant`: awards by rule, external awards, disbursements, claw-backs, imports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import click

from commandline.options import (
    AWARD,
    CLAUSE,
    MATTER,
    PARTY,
    REASON,
    REASON_OR_NONE,
    SOURCE,
    VOUCHER,
    YUAN,
    Session,
    basis_pairs,
    common,
    outcome_format,
    pass_session,
    writing,
    writing_with_ref,
)
from i18n import _
from i18n import text as i18n_text
from i18n.clicktools import I18nGroup


@click.group(cls=I18nGroup)
def grant() -> None:
    """Awards, disbursements and clawbacks."""


@grant.command("award")
@click.argument("clause", type=CLAUSE)
@click.option("--recipient", type=PARTY, required=True, help="Party code of the recipient.")
@click.option("--basis", "basis", multiple=True, metavar="KEY=VALUE", callback=basis_pairs,
              help="A basis figure the rule reads (repeat); see `jcg policy show CLAUSE`.")
@click.option("--amount", type=YUAN, default=None,
              help="Officer-decided amount (P2.1c, P2.3a, P3.2a, P3.2b, P4.1b: within the floor/cap); "
              "for a formula clause it must equal the computed amount.")
@click.option("--source", type=SOURCE, default="市财政", show_default=True, help="Funding source.")
@click.option("--reason", type=REASON_OR_NONE, default="", help="Reason (required for P2.1c 一事一议).")
@writing_with_ref
@pass_session
def grant_award(session: Session, clause: str, recipient: str, basis: dict[str, str], amount: Decimal | None,
                source: str, reason: str, decided: date, ref: str, request_id: str) -> None:
    """Compute the entitlement under CLAUSE, enforce caps, G.3 and eligibility, record the award.

    Prints the derivation trace and the parameter versions used.

    \b
    Example:
      jcg grant award P2.4 --recipient U1 --basis contract_value=7654321.09 \\
          --basis contract=HT-2025-001 --basis registered_on=2025-02-10 --basis counterparty=E1 \\
          --decided 2025-03-01 --ref 临科发〔2025〕12号
      jcg grant award P4.1b --recipient ENT-001 --basis station=doctoral --amount 15万 \\
          --decided 2025-03-01 --ref 临科发〔2025〕13号
    """
    from ledger.handlers.rules import AwardByRule  # after the options: the officer's key opens meanwhile

    session.run(AwardByRule(recipient=recipient, clause=clause, basis=basis, amount=amount,
                            source=source, reason=reason, **common(decided, ref, request_id)))


@grant.command("disburse")
@click.argument("award", type=AWARD)
@click.option("--amount", type=YUAN, required=True)
@click.option("--voucher", type=VOUCHER, required=True,
              help="Payment voucher number (付款凭证号), unique per paying source: the same voucher again is "
                   "answered \"already recorded\".")
@writing
@pass_session
def grant_disburse(session: Session, award: str, amount: Decimal, voucher: str, decided: date,
                   ref: str, request_id: str) -> None:
    """Record a payment order on AWARD (待审核); never more than remains to pay.

    An approver who did not record it posts it (`jcg payment post VOUCHER --source 市财政`), unless
    the bureau turned the two-person rule off on record (parameter 内控.two_person.grant.disburse).

    \b
    Example:
      jcg grant disburse U1-A1 --amount 100000 --decided 2025-03-10 --voucher 付-2025-031
    """
    from ledger.handlers.grants import Disburse  # its payment and counter classes: only for this command

    session.run(Disburse(recipient=_recipient_of(award), award=award, amount=amount,
                         voucher=voucher, **common(decided, ref, request_id)))


@grant.command("claw-back")
@click.argument("award", type=AWARD)
@click.option("--amount", type=YUAN, required=True)
@click.option("--reason", type=REASON, required=True)
@writing
@pass_session
def grant_claw_back(session: Session, award: str, amount: Decimal, reason: str, decided: date,
                    ref: str, request_id: str) -> None:
    """Recover (追回) money paid on AWARD; never more than was paid.

    \b
    Example:
      jcg grant claw-back U1-A1 --amount 20000 --reason 考核不合格 --decided 2025-09-01 \\
          --ref 临科发〔2025〕40号
    """
    from ledger.handlers.grants import ClawBack  # its payment and counter classes: only for this command

    session.run(ClawBack(recipient=_recipient_of(award), award=award, amount=amount,
                         reason=reason, **common(decided, ref, request_id)))


@grant.command("void")
@click.argument("award")
@click.option("--reason", required=True, help="Why the award was recorded in error.")
@writing_with_ref
@pass_session
def grant_void(session: Session, award: str, reason: str, decided: date, ref: str, request_id: str) -> None:
    """Cancel the unpaid part of AWARD, recorded in error: its cap usage and budget commitment are
    released. A paid part stands (recover it with claw-back); pending orders are voided first.

    \b
    Example:
      jcg grant void U1-A2 --reason 合同金额录入错误 --decided 2025-04-01 --ref 临科发〔2025〕30号
    """
    from ledger.handlers.grants import VoidAward  # its payment and counter classes: only for this command

    session.run(VoidAward(recipient=_recipient_of(award), award=award, reason=reason,
                          **common(decided, ref, request_id)))


@grant.command("amend")
@click.argument("award")
@click.option("--correction", required=True, help="Why AWARD is voided (the error corrected).")
@click.option("--clause", default=None, help="Clause of the new award (default: AWARD's).")
@click.option("--basis", "basis", multiple=True, metavar="KEY=VALUE", callback=basis_pairs,
              help="A basis figure of the new award (repeat).")
@click.option("--amount", type=YUAN, default=None, help="Officer-decided amount of the new award.")
@click.option("--source", default="市财政", show_default=True, help="Funding source of the new award.")
@click.option("--reason", default="", help="Reason of the new award (required for P2.1c 一事一议).")
@writing_with_ref
@pass_session
def grant_amend(session: Session, award: str, correction: str, clause: str | None, basis: dict[str, str],
                amount: Decimal | None, source: str, reason: str, decided: date, ref: str, request_id: str) -> None:
    """Void the unpaid part of AWARD and record the right award to the same recipient, in one
    request: both or neither.

    \b
    Example:
      jcg grant amend U1-A1 --correction 合同金额多录一个0 --basis contract_value=2500000 \\
          --basis contract=HT-2025-001 --basis registered_on=2025-02-10 --basis counterparty=E1 \\
          --decided 2025-03-05 --ref 临科发〔2025〕31号
    """
    recipient = _recipient_of(award)
    if clause is None:
        from ledger.queries import get_party

        clause = get_party(session.ledger, recipient).award(award).clause
    from ledger.handlers.rules import AmendAward  # after the options: the officer's key opens meanwhile

    session.run(AmendAward(recipient=recipient, award=award, correction=correction, clause=clause, basis=basis,
                           amount=amount, source=source, reason=reason, **common(decided, ref, request_id)))


@grant.command("show")
@click.argument("recipient", type=PARTY)
@pass_session
def grant_show(session: Session, recipient: str) -> None:
    """Show the awards of RECIPIENT with what was paid and recovered.

    \b
    Example:
      jcg grant show U1
    """
    from ledger.queries import get_party
    from projections.views.parties import award_lines

    click.echo("\n".join(award_lines(get_party(session.ledger, recipient))))


def _recipient_of(award: str) -> str:
    code, sep, number = award.rpartition("-A")
    if not sep or not code or not number.isdigit():
        raise click.BadParameter(f"{award!r} is not an award id (like ENT-001-A1)", param_hint="AWARD")
    return code


@grant.command("external")
@click.argument("clause", type=CLAUSE)
@click.option("--recipient", type=PARTY, required=True, help="Party code of the recipient.")
@click.option("--matter", type=MATTER, required=True, help="G.3 matter key it was paid for (see `jcg policy calc`), e.g. P6.7:ZL2023.")
@click.option("--amount", type=YUAN, required=True, help="Amount paid under the other policy.")
@click.option("--source", type=SOURCE, required=True, help="The other policy, e.g. 省级晋创谷政策.")
@writing
@pass_session
def grant_external(session: Session, clause: str, recipient: str, matter: str, amount: Decimal, source: str,
                   decided: date, ref: str, request_id: str) -> None:
    """Record an award paid under another policy on a G.3 matter, so 就高不重复 counts it.

    It is the other policy's decision, so this policy's window (G.1, from 2024-11-05) does not
    apply to --decided. Subjects in the matter compare ignoring case (p6.7:zl1 = P6.7:ZL1).

    \b
    Example:
      jcg grant external P6.7 --recipient ENT-001 --matter P6.7:ZL202310001 --amount 5万 \\
          --source 省级晋创谷政策 --decided 2025-04-01 --ref 晋科发〔2025〕8号
    """
    from ledger.handlers.rules import RecordExternalAward  # after the options: the officer's key opens meanwhile

    session.run(RecordExternalAward(recipient=recipient, clause=clause, matter=matter, amount=amount,
                                    source=source, **common(decided, ref, request_id)))


@grant.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("--template", type=click.Choice(["award", "disburse", "external"]), default=None,
              help="Write an import template for this operation (Chinese headers, one example row) instead.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Template file to write: .csv (UTF-8 with BOM) or .xlsx.")
@outcome_format
@pass_session
def grant_import(session: Session, file: Path | None, template: str | None, out: Path | None) -> None:
    """Record many awards, disbursements or external awards from a CSV FILE: all rows or none.

    Columns: request_id, action (award|disburse|external), clause, recipient, basis (k=v;k=v),
    amount, decided, ref, reason, source, award, voucher, matter. Every row is validated first;
    if any is bad, each bad row is listed with its reason and nothing is written. Each row is a
    request of its own, signed by the officer; its request_id makes it idempotent (a row already
    recorded is skipped), and all rows are recorded in one transaction.

    \b
    Example:
      jcg grant import awards-2025.csv
      jcg grant import --template award --out 奖励导入模板.xlsx
    """
    from ledger.exchange.batch_import import ImportRefused, decode_csv, import_csv, read_rows
    from ledger.infra.files import CSV_LIMIT, read_bounded

    if template is not None:
        _write_template(template, out)
        return
    if file is None:
        raise click.UsageError(_("give the CSV FILE to import, or --template OPERATION"))
    text = decode_csv(read_bounded(file, CSV_LIMIT), file.name)  # a regular file of bounded size
    total = len(read_rows(text))
    every = max(1, total // 10)

    def progress(done: int, of: int) -> None:
        if done % every == 0 or done == of:
            click.echo(_("validated {done}/{of} rows").format(done=done, of=of), err=True)

    try:
        session.show(import_csv(session.ledger, text, session.officer, file.name, progress if total >= 20 else None),
                     "grant.import")
    except ImportRefused as exc:
        err = session.form == "json"  # stdout carries JSON only
        click.echo(_("bad rows in {file}:").format(file=file.name), err=err)
        for problem in exc.problems:
            click.echo(f"  {i18n_text(problem)}", err=err)
        raise


def _write_template(operation: str, out: Path | None) -> None:
    """An import template: the operation's columns with Chinese headers and one example row."""
    from ledger.exchange.templates import template_columns
    from projections.tables import Col, csv_text, xlsx_bytes

    columns, example = template_columns(operation)
    cols = [Col(name, header=header) for name, header in columns]
    if out is None:
        click.echo(csv_text(cols, [example]), nl=False)
        return
    data = xlsx_bytes(cols, [example], sheet=operation) if out.suffix.lower() == ".xlsx" else (
        csv_text(cols, [example]).encode("utf-8"))
    from ledger.infra.outfile import OutFile

    OutFile(out).write(data)  # never over a file, never through a symlink, whole or not at all
    click.echo(_("wrote {file}").format(file=out))
