"""`jcg`: the finance officer's and auditor's command line, a thin layer over `ledger`.

Exit codes: 0 done (or already recorded), 1 refused (nothing written), 2 bad usage.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import psycopg
from eventsourcing.persistence import PersistenceError

from domain.clauses import catalogue
from domain.clauses import clause as find_clause
from domain.compensation import CATEGORIES as LOAN_CATEGORIES
from domain.enterprise import KINDS, Enterprise
from domain.errors import Refused
from domain.ids import loan_id, party_id
from domain.loan import PAYERS as LOAN_PAYERS
from domain.money import fmt, parse_rate, parse_yuan
from domain.parameters import parameter_book
from domain.rules.basis import split_pairs
from domain.rules.describe import describe as describe_rule
from ledger import Ledger
from ledger import loans as loan_cmds
from ledger.commands import Command, Outcome
from ledger.config import database_url
from ledger.grants import ClawBack, Disburse
from ledger.parties import ExpireQualification, GrantQualification, RegisterParty
from ledger.rules import AwardByRule, RecordExternalAward, calculate

# parameter types ------------------------------------------------------------------------


class DateType(click.ParamType):
    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date (write YYYY-MM-DD)", param, ctx)


class YuanType(click.ParamType):
    """Amounts as officers write them: 500000, 500,000.00, 50万, 50万元."""

    name = "YUAN"

    def convert(self, value: Any, param: Any, ctx: Any) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            return parse_yuan(str(value))
        except Refused as exc:
            self.fail(str(exc), param, ctx)


DATE = DateType()
YUAN = YuanType()


def basis_pairs(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> dict[str, str]:
    """``--basis k=v`` (repeated) as a dict; a malformed pair is bad usage (exit 2)."""
    try:
        return split_pairs(value)
    except Refused as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


# session --------------------------------------------------------------------------------


class Session:
    """What every command needs: the database URL, the acting officer, the ledger."""

    def __init__(self, url: str, officer: str):
        self.url = url
        self.officer = officer
        self._ledger: Ledger | None = None

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            try:
                self._ledger = Ledger.open(self.url, keyring=officer_keyring())
            except ValueError as exc:
                raise click.UsageError(str(exc)) from None
        return self._ledger

    def close(self) -> None:
        """Release the database connections when the command ends."""
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None

    def run(self, command: Command) -> Outcome:
        outcome = self.ledger.execute(command)
        report(outcome)
        return outcome


def report(outcome: Outcome) -> None:
    click.echo(outcome.message)
    for line in outcome.trace:
        click.echo(f"  {line}")
    if outcome.request_id and not outcome.already_recorded:
        click.echo(f"  request id: {outcome.request_id}")


def writing(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options every writing command takes."""
    fn = click.option("--request-id", default="", help="Idempotency key; generated and printed if absent.")(fn)
    fn = click.option("--ref", default="", help="Decision reference (文号).")(fn)
    fn = click.option("--decided", type=DATE, required=True, help="Decision date, YYYY-MM-DD (G.1 window).")(fn)
    return fn


def common(decided: date, ref: str, request_id: str) -> dict[str, Any]:
    session = click.get_current_context().find_object(Session)
    assert session is not None
    return {"actor": session.officer, "decided": decided, "ref": ref, "request_id": request_id}


pass_session = click.make_pass_decorator(Session)


# the group ------------------------------------------------------------------------------


class JcgGroup(click.Group):
    """Every error is one line on stderr: exit 1 for a refused request, 2 for bad usage
    (JCG_DEBUG=1 shows the traceback of an unexpected error)."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            super().main(args, prog_name or "jcg", complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            click.echo(f"error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except Refused as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except ValueError as exc:  # MapperDeserialisationError is one: an encrypted ledger, no or a wrong key
            from ledger.cipher import unreadable_events

            message = unreadable_events(exc)
            if message is None and os.environ.get("JCG_DEBUG"):
                raise
            click.echo(f"error: {message or exc}", err=True)
            sys.exit(1)
        except OSError as exc:  # e.g. --out FILE in a folder that does not exist
            click.echo(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
            sys.exit(1)
        except (PersistenceError, sqlite3.Error, psycopg.Error) as exc:
            first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            click.echo(f"error: the ledger database cannot be used: {first_line}", err=True)
            sys.exit(1)
        sys.exit(0)


@click.group(cls=JcgGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", default=None, help="Database URL (sqlite:///FILE or postgresql://...); "
              "default $JCG_DATABASE_URL or ./jcg-ledger.sqlite.")
@click.option("--officer", envvar="JCG_OFFICER", default="officer", show_default=True,
              help="Officer id recorded as the actor ($JCG_OFFICER).")
@click.pass_context
def main(ctx: click.Context, db: str | None, officer: str) -> None:
    """jcg-ledger: grants, 拨投结合 conversions and loan-loss compensation of 临政办发〔2024〕34号.

    \b
    Example:
      jcg --db sqlite:///ledger.sqlite party register U1 --name 山西师范大学 \\
          --kind university --entered 2024-12-01 --decided 2025-01-02
    """
    ctx.obj = Session(database_url(db), officer)
    ctx.call_on_close(ctx.obj.close)


@main.command()
@pass_session
def init(session: Session) -> None:
    """Create the ledger's tables in the database (safe to repeat).

    \b
    Example:
      jcg --db sqlite:///ledger.sqlite init
    """
    session.ledger  # noqa: B018  (opening creates the tables)
    click.echo(f"ledger ready at {session.url}")


# parties --------------------------------------------------------------------------------


@main.group()
def party() -> None:
    """Register parties (enterprises, universities, banks, people …) and qualifications."""


@party.command("register")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--kind", "party_kind", type=click.Choice(sorted(KINDS)), required=True)
@click.option("--entered", type=DATE, required=True, help="Date it entered the platform.")
@writing
@pass_session
def party_register(session: Session, code: str, name: str, party_kind: str, entered: date,
                   decided: date, ref: str, request_id: str) -> None:
    """Register a party under CODE.

    \b
    Example:
      jcg party register ENT-001 --name 临汾光电科技有限公司 --kind enterprise \\
          --entered 2024-12-01 --decided 2025-01-02
    """
    session.run(RegisterParty(code=code, name=name, party_kind=party_kind, entered=entered,
                              **common(decided, ref, request_id)))


@party.command("qualify")
@click.argument("code")
@click.argument("qualification")
@click.option("--level", default="", help="e.g. national, provincial, municipal.")
@click.option("--granted", type=DATE, required=True)
@click.option("--expires", type=DATE, default=None)
@writing
@pass_session
def party_qualify(session: Session, code: str, qualification: str, level: str, granted: date,
                  expires: date | None, decided: date, ref: str, request_id: str) -> None:
    """Record a dated qualification (高新技术企业, 专精特新 …) of party CODE.

    \b
    Example:
      jcg party qualify ENT-001 高新技术企业 --level national --granted 2024-12-20 \\
          --expires 2027-12-19 --decided 2025-01-05 --ref 国科火字〔2024〕1号
    """
    session.run(GrantQualification(code=code, qualification=qualification, level=level,
                                   granted_on=granted, expires_on=expires,
                                   **common(decided, ref, request_id)))


@party.command("expire")
@click.argument("code")
@click.argument("qualification")
@click.option("--level", default="")
@click.option("--ended", type=DATE, required=True)
@writing
@pass_session
def party_expire(session: Session, code: str, qualification: str, level: str, ended: date,
                 decided: date, ref: str, request_id: str) -> None:
    """End a qualification of party CODE (revoked or lapsed).

    \b
    Example:
      jcg party expire ENT-001 高新技术企业 --level national --ended 2026-01-01 --decided 2026-01-02
    """
    session.run(ExpireQualification(code=code, qualification=qualification, level=level,
                                    ended_on=ended, **common(decided, ref, request_id)))


@party.command("show")
@click.argument("code")
@pass_session
def party_show(session: Session, code: str) -> None:
    """Show a party, its qualifications and awards.

    \b
    Example:
      jcg party show ENT-001
    """
    p = _party(session, code)
    click.echo(f"{p.code}  {p.name}  ({KINDS[p.kind]}, entered {p.entered})")
    for q in p.qualifications:
        end = f", ended {q.ended_on}" if q.ended_on else (f", expires {q.expires_on}" if q.expires_on else "")
        click.echo(f"  qualification: {q.name} {q.level} from {q.granted_on}{end}")
    _print_awards(p)


@party.command("list")
@pass_session
def party_list(session: Session) -> None:
    """List every registered party.

    \b
    Example:
      jcg party list
    """
    for _, e in session.ledger.read_log():
        if isinstance(e, Enterprise.Registered):  # type: ignore[attr-defined]
            click.echo(f"{e.code:<16} {KINDS[e.kind]:<8} {e.entered}  {e.name}")


def _party(session: Session, code: str) -> Enterprise:
    from eventsourcing.application import AggregateNotFoundError

    try:
        p = session.ledger.aggregate(party_id(code))
    except AggregateNotFoundError:
        raise Refused(f"party {code} is not registered") from None
    return p


def _print_awards(p: Enterprise) -> None:
    for a in p.awards.values():
        c = find_clause(a.clause)
        click.echo(
            f"  {a.award_id:<14} {a.clause:<6} {c.title[:18]:<18} {a.decided}  awarded {fmt(a.amount):>16}"
            f"  paid {fmt(a.disbursed):>16}  clawed back {fmt(a.clawed_back):>14}"
        )
    t = p.totals()
    click.echo(
        f"  total awarded {fmt(t['awarded'])}, disbursed {fmt(t['disbursed'])}, "
        f"clawed back {fmt(t['clawed_back'])}, outstanding {fmt(t['outstanding'])}"
    )


# grants ---------------------------------------------------------------------------------


@main.group()
def grant() -> None:
    """Awards, disbursements and clawbacks."""


@grant.command("award")
@click.argument("clause")
@click.option("--recipient", required=True, help="Party code of the recipient.")
@click.option("--basis", "basis", multiple=True, metavar="KEY=VALUE", callback=basis_pairs,
              help="A basis figure the rule reads (repeat); see `jcg policy show CLAUSE`.")
@click.option("--amount", type=YUAN, default=None,
              help="Officer-decided amount (P2.1c, P2.3a, P3.2a, P3.2b, P4.1b: within the floor/cap); "
              "for a formula clause it must equal the computed amount.")
@click.option("--source", default="市财政", show_default=True, help="Funding source.")
@click.option("--reason", default="", help="Reason (required for P2.1c 一事一议).")
@writing
@pass_session
def grant_award(session: Session, clause: str, recipient: str, basis: dict[str, str], amount: Decimal | None,
                source: str, reason: str, decided: date, ref: str, request_id: str) -> None:
    """Compute the entitlement under CLAUSE, enforce caps, G.3 and eligibility, record the award.

    Prints the derivation trace and the parameter versions used.

    \b
    Example:
      jcg grant award P2.4 --recipient U1 --basis contract_value=7654321.09 \\
          --basis contract=HT-2025-001 --decided 2025-03-01 --ref 临科发〔2025〕12号
      jcg grant award P4.1b --recipient ENT-001 --basis station=doctoral --amount 15万 \\
          --decided 2025-03-01 --ref 临科发〔2025〕13号
    """
    session.run(AwardByRule(recipient=recipient, clause=clause, basis=basis, amount=amount,
                            source=source, reason=reason, **common(decided, ref, request_id)))


@grant.command("disburse")
@click.argument("award")
@click.option("--amount", type=YUAN, required=True)
@click.option("--voucher", default="", help="Payment voucher number.")
@writing
@pass_session
def grant_disburse(session: Session, award: str, amount: Decimal, voucher: str, decided: date,
                   ref: str, request_id: str) -> None:
    """Pay (part of) AWARD; never more than remains to pay.

    \b
    Example:
      jcg grant disburse U1-A1 --amount 100000 --decided 2025-03-10 --voucher 付-2025-031
    """
    session.run(Disburse(recipient=_recipient_of(award), award=award, amount=amount,
                         voucher=voucher, **common(decided, ref, request_id)))


@grant.command("claw-back")
@click.argument("award")
@click.option("--amount", type=YUAN, required=True)
@click.option("--reason", required=True)
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
    session.run(ClawBack(recipient=_recipient_of(award), award=award, amount=amount,
                         reason=reason, **common(decided, ref, request_id)))


@grant.command("show")
@click.argument("recipient")
@pass_session
def grant_show(session: Session, recipient: str) -> None:
    """Show the awards of RECIPIENT with what was paid and recovered.

    \b
    Example:
      jcg grant show U1
    """
    _print_awards(_party(session, recipient))


def _recipient_of(award: str) -> str:
    code, sep, number = award.rpartition("-A")
    if not sep or not code or not number.isdigit():
        raise click.BadParameter(f"{award!r} is not an award id (like ENT-001-A1)", param_hint="AWARD")
    return code


# policy rules (issue 3): policy list|show|calc, grant external|import -------------------


@main.group()
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
            click.echo(f"       amount: {c.rule}; cap: {c.cap or '—'}; 责任单位: {'、'.join(c.units)}")


@policy.command("show")
@click.argument("clause")
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
@click.argument("clause")
@click.option("--recipient", default="", help="Party code of the recipient (not needed for P5.6a/P5.6b).")
@click.option("--basis", "basis", multiple=True, metavar="KEY=VALUE", callback=basis_pairs,
              help="A basis figure the rule reads (repeat); see `jcg policy show CLAUSE`.")
@click.option("--amount", type=YUAN, default=None, help="Officer-decided amount (clauses within a floor/cap).")
@click.option("--reason", default="", help="Reason (P2.1c 一事一议).")
@click.option("--ref", default="", help="Decision reference (文号).")
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
        raise click.UsageError("Missing option '--recipient'.")
    result = calculate(session.ledger, c.id, recipient, basis, decided,
                       amount=amount, reason=reason, ref=ref)
    for line in result.trace:
        click.echo(line)
    click.echo(f"parameters: {', '.join(result.versions) or 'none'}")
    matter = getattr(result, "matter", "")
    if matter:
        click.echo(f"G.3 matter: {matter}")
    click.echo("dry run: nothing written")


@grant.command("external")
@click.argument("clause")
@click.option("--recipient", required=True, help="Party code of the recipient.")
@click.option("--matter", required=True, help="G.3 matter key it was paid for (see `jcg policy calc`), e.g. P6.7:ZL2023.")
@click.option("--amount", type=YUAN, required=True, help="Amount paid under the other policy.")
@click.option("--source", required=True, help="The other policy, e.g. 省级晋创谷政策.")
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
    session.run(RecordExternalAward(recipient=recipient, clause=clause, matter=matter, amount=amount,
                                    source=source, **common(decided, ref, request_id)))


@grant.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_session
def grant_import(session: Session, file: Path) -> None:
    """Record many awards, disbursements or external awards from a CSV FILE: all rows or none.

    Columns: request_id, action (award|disburse|external), clause, recipient, basis (k=v;k=v),
    amount, decided, ref, reason, source, award, voucher, matter. Every row is validated first;
    if any is bad, each bad row is listed with its reason and nothing is written. Each row is a
    request of its own, signed by the officer; its request_id makes it idempotent (a row already
    recorded is skipped), and all rows are recorded in one transaction.

    \b
    Example:
      jcg grant import awards-2025.csv
    """
    from ledger.batch_import import ImportRefused, import_csv, read_rows

    text = file.read_text(encoding="utf-8")
    total = len(read_rows(text))
    every = max(1, total // 10)

    def progress(done: int, of: int) -> None:
        if done % every == 0 or done == of:
            click.echo(f"validated {done}/{of} rows", err=True)

    try:
        report(import_csv(session.ledger, text, session.officer, file.name, progress if total >= 20 else None))
    except ImportRefused as exc:
        click.echo(f"bad rows in {file.name}:")
        for problem in exc.problems:
            click.echo(f"  {problem}")
        raise


# projects, funds and cap tables (issue 5): project ..., fund ..., captable ... ----------


def _issue5() -> Any:
    """The issue 5 command modules (imported here so this section stays self-contained)."""
    from ledger import captable_export, funds, projects

    return projects, funds, captable_export


class SpentType(YuanType):
    """Like YUAN, but nothing spent (0) is a valid answer for a project's completion."""

    name = "YUAN"

    def convert(self, value: Any, param: Any, ctx: Any) -> Decimal:
        if str(value).strip() in {"0", "0.0", "0.00", "0元"}:
            return Decimal("0.00")
        return super().convert(value, param, ctx)


SPENT = SpentType()


@main.group()
def project() -> None:
    """拨投结合 projects (P2.2, P6.1): approve, pay tranches, trigger, convert, buy back, sell, repay or write off
    a debt, fail, finish, reassign."""


@project.command("approve")
@click.argument("code")
@click.option("--title", required=True)
@click.option("--enterprise", required=True, help="Party code of the recipient enterprise.")
@click.option("--fund", "fund_code", required=True, help="Fund that will hold the stake.")
@click.option("--amount", type=YUAN, required=True, help="The grant, e.g. 300万.")
@click.option("--clause", type=click.Choice(["P2.2", "P6.1"]), default="P2.2", show_default=True)
@click.option("--trigger", type=click.Choice(["financing", "date"]), default="financing", show_default=True)
@click.option("--trigger-on", type=DATE, default=None, help="Conversion date (for --trigger date).")
@click.option("--pricing", type=click.Choice(["round", "discount", "fixed"]), default="round", show_default=True,
              help="The round's price, a discount on it, or a fixed pre-money valuation.")
@click.option("--pre-money", type=YUAN, default=None, help="Fixed pre-money valuation (for --pricing fixed).")
@click.option("--discount", default=None, help="Discount on the round price, e.g. 20%.")
@click.option("--max-stake", required=True, help="Maximum stake, e.g. 25%.")
@click.option("--exit", "exit_formula", type=click.Choice(["principal", "interest", "fixed"]), default="principal",
              show_default=True, help="Buyback price: principal, principal plus simple interest, or fixed.")
@click.option("--exit-rate", default=None, help="Yearly simple interest for --exit interest, e.g. 4%.")
@click.option("--exit-price", type=YUAN, default=None, help="Price of the whole stake for --exit fixed.")
@click.option("--window-from", type=int, default=0, show_default=True, help="Buyback opens N years after conversion.")
@click.option("--window-until", type=int, default=5, show_default=True, help="Buyback closes N years after.")
@click.option("--ratio", default="100%", show_default=True, help="Share of the stake the team may buy back.")
@click.option("--debt-rate", default=None, help="Yearly rate if converted into debt, e.g. 5%.")
@click.option("--debt-years", type=int, default=None, help="Term in years if converted into debt.")
@click.option("--source", default="市财政", show_default=True, help="Funding source of the grant.")
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
    projects, _, _ = _issue5()
    session.run(projects.ApproveProject(
        code=code, title=title, enterprise=enterprise, fund=fund_code, amount=amount, clause=clause,
        trigger=trigger, trigger_on=trigger_on, pricing=pricing, pre_money=pre_money, discount=discount,
        max_stake=max_stake, exit_formula=exit_formula, exit_rate=exit_rate, exit_price=exit_price,
        window_from_years=window_from, window_until_years=window_until, ratio=ratio, debt_rate=debt_rate,
        debt_years=debt_years, source=source, early_stage=early_stage, **common(decided, ref, request_id)))


@project.command("disburse")
@click.argument("code")
@click.option("--amount", type=YUAN, required=True)
@click.option("--voucher", default="", help="Payment voucher number.")
@writing
@pass_session
def project_disburse(session: Session, code: str, amount: Decimal, voucher: str, decided: date, ref: str,
                     request_id: str) -> None:
    """Pay a tranche of project CODE's grant (never more than remains).

    \b
    Example:
      jcg project disburse PJ-1 --amount 150万 --voucher 付-2025-021 --decided 2025-02-01
    """
    projects, _, _ = _issue5()
    session.run(projects.PayTranche(project=code, amount=amount, voucher=voucher, **common(decided, ref, request_id)))


@project.command("trigger")
@click.argument("code")
@click.option("--investor", default="", help="Lead investor of the financing round.")
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
    projects, _, _ = _issue5()
    session.run(projects.RecordTrigger(project=code, investor=investor, round_pre_money=round_pre_money,
                                       round_amount=round_amount, **common(decided, ref, request_id)))


@project.command("convert")
@click.argument("code")
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
    projects, _, _ = _issue5()
    session.run(projects.ConvertProject(project=code, into=into, amount=amount, **common(decided, ref, request_id)))


@project.command("buyback")
@click.argument("code")
@click.option("--buyer", required=True, help="Team member (holder code), or the enterprise itself.")
@click.option("--buyer-name", default="")
@click.option("--units", type=YUAN, default=None, help="Registered capital bought back; default all held.")
@writing
@pass_session
def project_buyback(session: Session, code: str, buyer: str, buyer_name: str, units: Decimal | None,
                    decided: date, ref: str, request_id: str) -> None:
    """The team buys back (part of) project CODE's stake at the stored formula on the decision date.

    \b
    Example:
      jcg project buyback PJ-1 --buyer 张三 --decided 2028-01-05 --ref 临科发〔2028〕2号
    """
    projects, _, _ = _issue5()
    session.run(projects.BuyBack(project=code, buyer=buyer, buyer_name=buyer_name, units=units,
                                 **common(decided, ref, request_id)))


@project.command("sell")
@click.argument("code")
@click.option("--buyer", required=True, help="Third-party buyer (holder code).")
@click.option("--buyer-name", default="")
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
    projects, _, _ = _issue5()
    session.run(projects.SellStake(project=code, buyer=buyer, buyer_name=buyer_name, price=price, units=units,
                                   **common(decided, ref, request_id)))


@project.command("fail")
@click.argument("code")
@click.option("--reason", required=True)
@click.option("--misuse", default="", help="Recorded misuse of funds (the only ground for a clawback).")
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
    projects, _, _ = _issue5()
    session.run(projects.FailProject(project=code, reason=reason, misuse=misuse, clawback=clawback,
                                     **common(decided, ref, request_id)))


@project.command("repay")
@click.argument("code")
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
    projects, _, _ = _issue5()
    session.run(projects.RepayDebt(project=code, amount=amount, **common(decided, ref, request_id)))


@project.command("write-off")
@click.argument("code")
@click.option("--reason", required=True, help="Why the debt is not recoverable (default, insolvency, ...).")
@writing
@pass_session
def project_write_off(session: Session, code: str, reason: str, decided: date, ref: str, request_id: str) -> None:
    """The enterprise defaulted: project CODE's outstanding debt principal is written off by the fund.

    \b
    Example:
      jcg project write-off PJ-4 --reason 企业破产清算 --decided 2028-06-01 --ref 临科发〔2028〕9号
    """
    projects, _, _ = _issue5()
    session.run(projects.WriteOffDebt(project=code, reason=reason, **common(decided, ref, request_id)))


@project.command("finish")
@click.argument("code")
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
    projects, _, _ = _issue5()
    session.run(projects.FinishProject(project=code, spent=spent, **common(decided, ref, request_id)))


@project.command("reassign")
@click.argument("code")
@click.option("--to", "target", required=True, help="Project receiving the unspent money.")
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
    projects, _, _ = _issue5()
    session.run(projects.ReassignUnspent(project=code, target=target, amount=amount,
                                         **common(decided, ref, request_id)))


@project.command("show")
@click.argument("code")
@pass_session
def project_show(session: Session, code: str) -> None:
    """Show project CODE: grant, tranches, terms, trigger, conversion and exits.

    \b
    Example:
      jcg project show PJ-1
    """
    from eventsourcing.application import AggregateNotFoundError

    from domain.ids import project_id

    try:
        p = session.ledger.aggregate(project_id(code))
    except AggregateNotFoundError:
        raise Refused(f"project {code} is not registered") from None
    for line in p.summary():
        click.echo(line)


@main.group()
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
    _, funds, _ = _issue5()
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
    _, funds, _ = _issue5()
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
    _, funds, _ = _issue5()
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
    _, funds, _ = _issue5()
    for e in funds.registered_funds(session.ledger):
        click.echo(f"{e.code:<16} capital {fmt(e.capital):>18}  {e.name}  (manager {e.manager or '-'})")


@main.group()
def captable() -> None:
    """Cap tables: holders of an enterprise's registered capital at any date, and their export."""


@captable.command("register")
@click.argument("enterprise")
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
        parsed.append((code, name or code, YUAN.convert(capital, None, None)))
    projects, _, _ = _issue5()
    session.run(projects.RegisterHolders(enterprise=enterprise, holders=tuple(parsed),
                                         premium=premium or Decimal("0.00"), **common(decided, ref, request_id)))


@captable.command("show")
@click.argument("enterprise")
@click.option("--as-of", type=DATE, default=None, help="Default: today.")
@pass_session
def captable_show(session: Session, enterprise: str, as_of: date | None) -> None:
    """Show ENTERPRISE's holders, registered capital and percentages on a date.

    \b
    Example:
      jcg captable show ENT-001 --as-of 2026-01-05
    """
    from domain.captable import describe

    _, funds, _ = _issue5()
    for line in describe(funds.load_register(session.ledger, enterprise).table(as_of or date.today())):
        click.echo(line)


@captable.command("export")
@click.argument("enterprise")
@click.option("--format", "fmt_", type=click.Choice(["json"]), default="json", show_default=True)
@click.option("--as-of", type=DATE, default=None, help="Only transactions up to this date.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to FILE instead of standard output.")
@pass_session
def captable_export(session: Session, enterprise: str, fmt_: str, as_of: date | None, output: str | None) -> None:
    """Export ENTERPRISE's equity transactions as JSON modelled on the Open Cap Table Format.

    \b
    Example:
      jcg captable export ENT-001 --format json -o ent-001-captable.json
    """
    _, _, export = _issue5()
    text = export.export_json(session.ledger, enterprise, as_of)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text)


# loans and loss compensation (issue 6): loan ... ----------------------------------------


class RateType(click.ParamType):
    """A share rate as written: 0.45 or 45%."""

    name = "RATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            return parse_rate(str(value))
        except Refused as exc:
            self.fail(str(exc), param, ctx)


@main.group()
def loan() -> None:
    """P5.6 科技信贷风险补偿: enrolled loans, principal losses, compensation and recoveries.

    \b
    A loan goes: enrol → disburse → repay … → default (non-performing) → default --loss
    (recovery exhausted) → claim (split by the rule) → approve (an approver, not the claimant)
    → pay (省财政, 市财政, in full) → recover.
    """


@loan.command("enrol")
@click.argument("code")
@click.option("--bank", required=True, help="Party code of the lending bank (kind bank).")
@click.option("--borrower", required=True, help="Party code of the borrowing enterprise.")
@click.option("--category", type=click.Choice(sorted(LOAN_CATEGORIES)), required=True,
              help="P5.6a tech-transfer loan, P5.6b early-stage R&D credit loan.")
@click.option("--principal", type=YUAN, required=True)
@click.option("--start", type=DATE, required=True, help="Loan start date.")
@click.option("--term", "term_months", type=click.IntRange(min=1), required=True, help="Term in months.")
@writing
@pass_session
def loan_enrol(session: Session, code: str, bank: str, borrower: str, category: str, principal: Decimal,
               start: date, term_months: int, decided: date, ref: str, request_id: str) -> None:
    """Enrol loan CODE in the risk compensation scheme.

    \b
    Example:
      jcg loan enrol L-2025-001 --bank BANK-JS --borrower ENT-001 --category P5.6a \\
          --principal 50万 --start 2025-01-10 --term 24 --decided 2025-01-08
    """
    session.run(loan_cmds.EnrolLoan(code=code, bank=bank, borrower=borrower, category=category,
                                    principal=principal, start=start, term_months=term_months,
                                    **common(decided, ref, request_id)))


@loan.command("disburse")
@click.argument("code")
@click.option("--amount", type=YUAN, required=True)
@writing
@pass_session
def loan_disburse(session: Session, code: str, amount: Decimal, decided: date, ref: str, request_id: str) -> None:
    """Record the bank lending (part of) the principal of loan CODE.

    \b
    Example:
      jcg loan disburse L-2025-001 --amount 500,000.00 --decided 2025-01-10
    """
    session.run(loan_cmds.DisburseLoan(code=code, amount=amount, **common(decided, ref, request_id)))


@loan.command("repay")
@click.argument("code")
@click.option("--amount", type=YUAN, required=True, help="Principal repaid (interest is not tracked).")
@writing
@pass_session
def loan_repay(session: Session, code: str, amount: Decimal, decided: date, ref: str, request_id: str) -> None:
    """Record a principal repayment on loan CODE.

    \b
    Example:
      jcg loan repay L-2025-001 --amount 166,666.67 --decided 2025-07-10
    """
    session.run(loan_cmds.RepayLoan(code=code, amount=amount, **common(decided, ref, request_id)))


@loan.command("default")
@click.argument("code")
@click.option("--reason", default="", help="Why it is non-performing (e.g. 逾期90天).")
@click.option("--loss", type=YUAN, default=None,
              help="With this: the bank declares recovery exhausted with this remaining principal loss.")
@click.option("--basis", default="principal", show_default=True,
              help="What the loss is; only principal is compensated (interest, fees are refused).")
@writing
@pass_session
def loan_default(session: Session, code: str, reason: str, loss: Decimal | None, basis: str, decided: date,
                 ref: str, request_id: str) -> None:
    """Classify loan CODE as non-performing; with --loss, record the bank's declaration that
    recovery is exhausted and the principal it lost.

    \b
    Example:
      jcg loan default L-2025-001 --reason 逾期90天 --decided 2025-10-10
      jcg loan default L-2025-001 --loss 333,333.33 --decided 2026-03-01 --ref 晋商临〔2026〕5号
    """
    if loss is None:
        session.run(loan_cmds.ClassifyNonPerforming(code=code, reason=reason, **common(decided, ref, request_id)))
    else:
        session.run(loan_cmds.DeclareLoss(code=code, loss=loss, basis=basis, **common(decided, ref, request_id)))


@loan.command("claim")
@click.argument("code")
@click.option("--loss", type=YUAN, default=None, help="The declared principal loss (checked; default: it).")
@click.option("--basis", default="principal", show_default=True,
              help="Only principal is compensated; interest and fees are refused.")
@click.option("--province-rate", type=RateType(), default=None, help="P5.6b only: e.g. 50% (with --city-rate).")
@click.option("--city-rate", type=RateType(), default=None, help="P5.6b only: e.g. 40%; together at most 90%.")
@writing
@pass_session
def loan_claim(session: Session, code: str, loss: Decimal | None, basis: str, province_rate: Decimal | None,
               city_rate: Decimal | None, decided: date, ref: str, request_id: str) -> None:
    """Claim P5.6 compensation for the declared loss of loan CODE; prints the split and its trace.

    \b
    Example:
      jcg loan claim L-2025-001 --decided 2026-03-10
    """
    session.run(loan_cmds.ClaimCompensation(code=code, loss=loss, basis=basis, province_rate=province_rate,
                                            city_rate=city_rate, **common(decided, ref, request_id)))


@loan.command("approve")
@click.argument("code")
@writing
@pass_session
def loan_approve(session: Session, code: str, decided: date, ref: str, request_id: str) -> None:
    """Approve the claim on loan CODE: 省财政 and 市财政 then owe their shares to the bank (--ref required).

    Four-eyes: only an approver approves, and never the officer who filed the claim.

    \b
    Example:
      jcg --officer approver-1 loan approve L-2025-001 --decided 2026-03-20 --ref 临财金〔2026〕9号
    """
    session.run(loan_cmds.ApproveCompensation(code=code, **common(decided, ref, request_id)))


@loan.command("pay")
@click.argument("code")
@click.option("--payer", required=True, help="省财政 (province) or 市财政 (city).")
@click.option("--amount", type=YUAN, default=None, help="Default: all the payer still owes.")
@click.option("--voucher", default="", help="Payment voucher number.")
@writing
@pass_session
def loan_pay(session: Session, code: str, payer: str, amount: Decimal | None, voucher: str, decided: date,
             ref: str, request_id: str) -> None:
    """Record a payment by 省财政 or 市财政 on the approved claim of loan CODE; never more than approved.

    \b
    Example:
      jcg loan pay L-2025-001 --payer 省财政 --amount 116,666.67 --decided 2026-04-01 --voucher 付-2026-041
    """
    session.run(loan_cmds.PayCompensation(code=code, payer=payer, amount=amount, voucher=voucher,
                                          **common(decided, ref, request_id)))


@loan.command("recover")
@click.argument("code")
@click.option("--amount", type=YUAN, required=True)
@writing
@pass_session
def loan_recover(session: Session, code: str, amount: Decimal, decided: date, ref: str, request_id: str) -> None:
    """Record money the bank recovered after compensation; it goes back to each bearer pro rata.

    Only once 省财政 and 市财政 have paid their whole approved shares (loan show: owes 0.00).

    \b
    Example:
      jcg loan recover L-2025-001 --amount 10,000.01 --decided 2026-09-01
    """
    session.run(loan_cmds.RecordRecovery(code=code, amount=amount, **common(decided, ref, request_id)))


@loan.command("show")
@click.argument("code")
@pass_session
def loan_show(session: Session, code: str) -> None:
    """Show loan CODE: principal, loss, the claim's split, what 省财政 and 市财政 owe and have paid.

    \b
    Example:
      jcg loan show L-2025-001
    """
    from eventsourcing.application import AggregateNotFoundError

    try:
        ln = session.ledger.aggregate(loan_id(code))
    except AggregateNotFoundError:
        raise Refused(f"loan {code} is not registered") from None
    click.echo(f"{ln.code}  {ln.category} {LOAN_CATEGORIES[ln.category]}  bank {ln.bank} → borrower {ln.borrower}"
               f"  [{ln.status}]")
    click.echo(f"  principal {fmt(ln.principal)} from {ln.start} for {ln.term_months} months; disbursed "
               f"{fmt(ln.disbursed)}, repaid {fmt(ln.repaid)}, unrepaid {fmt(ln.unrepaid)}")
    if ln.non_performing_on:
        click.echo(f"  non-performing since {ln.non_performing_on}")
    if ln.loss_declared_on:
        click.echo(f"  recovery exhausted {ln.loss_declared_on}: principal loss {fmt(ln.loss)}")
    claim = ln.claim
    if claim is None:
        return
    approval = (f"approved {claim.approved_on} ({claim.approved_ref}) by {claim.approved_by}" if claim.approved_on
                else "not approved yet")
    click.echo(f"  claim {claim.clause} on {claim.claimed_on} filed by {claim.claimed_by}, {approval}")
    for line in claim.trace:
        click.echo(f"    {line}")
    click.echo(f"  {'share':>14} {'paid':>14} {'owes':>14} {'returned':>14}  bearer")
    for who in (*LOAN_PAYERS, "bank"):
        name = f"bank {ln.bank} (bears its share)" if who == "bank" else who
        paid = fmt(ln.paid[who]) if who in LOAN_PAYERS else "-"
        owes = fmt(ln.owed(who)) if who in LOAN_PAYERS else "-"
        click.echo(f"  {fmt(claim.shares[who]):>14} {paid:>14} {owes:>14} {fmt(ln.returned[who]):>14}  {name}")
    click.echo(f"  recovered after compensation {fmt(ln.recovered)}; loss outstanding {fmt(claim.loss - ln.recovered)}")


@loan.command("list")
@pass_session
def loan_list(session: Session) -> None:
    """List every enrolled loan with its status.

    \b
    Example:
      jcg loan list
    """
    from domain.loan import Loan

    for _, e in session.ledger.read_log():
        if isinstance(e, Loan.Enrolled):  # type: ignore[attr-defined]
            ln = session.ledger.aggregate(e.originator_id)
            loss = f"loss {fmt(ln.loss)}" if ln.loss_declared_on else ""
            click.echo(f"{ln.code:<16} {ln.category:<6} {ln.bank:<12} {ln.borrower:<12} "
                       f"{fmt(ln.principal):>16}  {ln.status:<15} {loss}".rstrip())


@main.group()
def audit() -> None:
    """For auditors: replay, trails, proofs and verification of the recorded history."""


# reports and audit replay (issue 7): report ..., audit replay|trail ---------------------


def _time_travel(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options every report takes: output format and the point in history shown."""
    fn = click.option("--at-position", type=click.IntRange(min=0), default=None,
                      help="State after the first N recorded events (folded from the log).")(fn)
    fn = click.option("--as-of", type=DATE, default=None,
                      help="State as of a decision date, YYYY-MM-DD (folded from the log).")(fn)
    fn = click.option("--format", "form", type=click.Choice(["table", "csv", "json"]), default="table",
                      show_default=True)(fn)
    return fn


def _read_model_rows(session: Session, as_of: date | None, at_position: int | None, name: str = "") -> Any:
    """Current read models (caught up first), or a state folded from the log in time."""
    return _read_models_at(session, as_of, at_position, name)[0]


def _read_models_at(session: Session, as_of: date | None, at_position: int | None,
                    name: str = "") -> tuple[Any, int]:
    """The read models' rows and the log position they were built at."""
    from projections.runner import catch_up, fold, head
    from projections.store import ReadModelStore

    if at_position is not None:
        size = head(session.ledger)
        if at_position > size:
            raise click.UsageError(f"--at-position {at_position} is beyond the log, which holds {size:,} events")
    if as_of is None and at_position is None:
        store = ReadModelStore(session.ledger.database)
        try:
            position = catch_up(session.ledger, store)
            return store.load(), position
        finally:
            store.close()
    state, position = fold(session.ledger, as_of=as_of, at_position=at_position, report=name)
    return state.rows, position


def _show_report(session: Session, name: str, form: str, as_of: date | None, at_position: int | None,
                 **options: Any) -> None:
    from projections import reports

    rows, position = _read_models_at(session, as_of, at_position, name)
    report = reports.REPORTS[name](rows, **options)
    report.built = reports.BuiltAt(as_of=as_of, at_position=at_position, log_position=position)
    when = [f"as of {as_of}" if as_of else "", f"after position {at_position}" if at_position is not None else ""]
    if any(when) and form == "table":
        report.title += f" ({', '.join(w for w in when if w)})"
    click.echo(reports.render(report, form))


@main.group("report")
def report_group() -> None:
    """Reports from the read models; --as-of / --at-position fold the event log instead."""


@report_group.command("balances")
@_time_travel
@pass_session
def report_balances(session: Session, form: str, as_of: date | None, at_position: int | None) -> None:
    """Trial balance of the double-entry journal (debits equal credits), with the Chinese
    title of the clause a budget or capitalised account names.

    \b
    Example:
      jcg report balances
      jcg report balances --as-of 2025-12-31 --format csv
    """
    _show_report(session, "balances", form, as_of, at_position)


@report_group.command("recipients")
@_time_travel
@pass_session
def report_recipients(session: Session, form: str, as_of: date | None, at_position: int | None) -> None:
    """Per recipient, clause and award year: awarded, disbursed, clawed back, outstanding.

    \b
    Example:
      jcg report recipients --format json
      jcg report recipients --at-position 120
    """
    _show_report(session, "recipients", form, as_of, at_position)


@report_group.command("caps")
@_time_travel
@pass_session
def report_caps(session: Session, form: str, as_of: date | None, at_position: int | None) -> None:
    """Cap usage against every cap the rules have (per year, per award, over the period,
    per project, places per year), with the limit in force, used and remaining.

    \b
    Example:
      jcg report caps --as-of 2025-06-30
    """
    _show_report(session, "caps", form, as_of, at_position)


@report_group.command("budgets")
@click.option("--by", type=click.Choice(["source", "unit", "clause"]), default="source", show_default=True,
              help="Group by funding source, responsible unit (责任单位) or clause.")
@_time_travel
@pass_session
def report_budgets(session: Session, by: str, form: str, as_of: date | None, at_position: int | None) -> None:
    """Budget execution per fiscal year and funding source or responsible unit.

    \b
    Example:
      jcg report budgets --by unit
      jcg report budgets --as-of 2025-12-31 --format csv
    """
    _show_report(session, "budgets", form, as_of, at_position, by=by)


@report_group.command("funds")
@_time_travel
@pass_session
def report_funds(session: Session, form: str, as_of: date | None, at_position: int | None) -> None:
    """Funds: capital, cash, holdings per enterprise with cost, realised gains and losses,
    and the P5.8 failure ratio of early-stage projects (flagged above the tolerance).

    \b
    Example:
      jcg report funds
      jcg report funds --as-of 2026-12-31 --format json
    """
    _show_report(session, "funds", form, as_of, at_position, on=as_of)


@report_group.command("loans")
@_time_travel
@pass_session
def report_loans(session: Session, form: str, as_of: date | None, at_position: int | None) -> None:
    """P5.6 loans: bank, borrower, category, principal, unrepaid, loss, and each bearer's
    share, paid, owed and recoveries returned.

    \b
    Example:
      jcg report loans
      jcg report loans --at-position 200 --format csv
    """
    _show_report(session, "loans", form, as_of, at_position)


@audit.command("replay")
@pass_session
def audit_replay(session: Session) -> None:
    """Drop every read model and its tracking position and rebuild them from the event log
    through the projection runner, then check the rebuilt models equal the incrementally
    maintained ones (any difference is listed; exit 1).

    \b
    Example:
      jcg audit replay
    """
    import time

    from projections.runner import catch_up, differences, rebuild
    from projections.store import ReadModelStore

    ledger = session.ledger
    store = ReadModelStore(ledger.database)
    try:
        position = catch_up(ledger, store)
        incremental = store.load()
        click.echo(f"incremental read models at position {position}; rebuilding from the log …", err=True)
        started = time.perf_counter()
        shown = [0]

        def progress(p: int) -> None:
            if p - shown[0] >= 10_000 or p == position:
                shown[0] = p
                click.echo(f"  replayed {p:,} events", err=True)

        rebuilt_to = rebuild(ledger, store, progress=progress, stop=position)
        seconds = time.perf_counter() - started
        click.echo(f"  replayed {rebuilt_to:,} events in {seconds:.2f} s", err=True)
        found = differences(incremental, store.load())
    finally:
        store.close()
    if found:
        for line in found:
            click.echo(f"difference: {line}")
        raise Refused(f"replay differs from the incremental read models in {len(found)} row(s)")
    click.echo(f"replay of {rebuilt_to:,} events equals the incremental read models")


@audit.command("trail")
@click.argument("entity")
@click.option("--format", "form", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@pass_session
def audit_trail(session: Session, entity: str, form: str) -> None:
    """The history of ENTITY (party, award, fund, loan or project code) in log order, with
    who recorded each event, on which decision, and the trace of each amount.

    \b
    Example:
      jcg audit trail U1
      jcg audit trail U1-A1 --format json
    """
    from projections import reports

    rows = _read_model_rows(session, None, None)
    click.echo(reports.render(reports.trail(rows, entity), form))


# officers and tamper evidence (issue 8): officer ..., audit verify|checkpoint|prove|consistency


def officer_keyring() -> Any:
    """The officer's keys from $JCG_KEY_DIR, opened with $JCG_PASSPHRASE or a prompt."""
    from ledger.keys import Keyring, KeyStore

    return Keyring(KeyStore.from_env(prompt=lambda text: click.prompt(text, hide_input=True, err=True)))


@main.group()
def officer() -> None:
    """Officers who sign requests (officer, approver, auditor), their keys, rotation and revocation."""


def _roster(session: Session) -> Any:
    from eventsourcing.application import AggregateNotFoundError

    from domain.officer import ROSTER_ID

    try:
        return session.ledger.aggregate(ROSTER_ID)
    except AggregateNotFoundError:  # no officer yet (an unreadable roster is an error, not "none")
        return None


def _officer_date(decided: date | None) -> date:
    return decided or date.today()


@officer.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["officer", "approver", "auditor"]), required=True)
@click.option("--decided", type=DATE, default=None, help="Date of the appointment (default today).")
@click.option("--ref", default="", help="Appointment reference.")
@click.option("--request-id", default="")
@pass_session
def officer_add(session: Session, name: str, role: str, decided: date | None, ref: str, request_id: str) -> None:
    """Create NAME's Ed25519 key pair in $JCG_KEY_DIR (encrypted with $JCG_PASSPHRASE or a
    prompt) and register the public key. On a ledger with no officers the first officer
    registers themself (bootstrap); after that, only an approver (--officer) adds officers.

    \b
    Example:
      JCG_KEY_DIR=keys jcg officer add zhang.wei --role approver          # first officer
      JCG_KEY_DIR=keys jcg --officer zhang.wei officer add li.na --role officer
    """
    from ledger.officers import enrol

    roster = _roster(session)
    actor = "" if roster is None or not roster.officers else session.officer
    outcome = enrol(session.ledger, name, role, actor=actor, decided=_officer_date(decided),
                    request_id=request_id, ref=ref)
    report(outcome)
    if not outcome.already_recorded:
        click.echo(f"  private key: {session.ledger.keyring.store.path(name)} (keep it; hand it to {name})")


@officer.command("rotate")
@click.argument("name")
@click.option("--decided", type=DATE, default=None, help="Date of the rotation (default today).")
@click.option("--request-id", default="")
@pass_session
def officer_rotate(session: Session, name: str, decided: date | None, request_id: str) -> None:
    """Give NAME a new key; the old one is retired (history it signed stays valid).
    Signed by --officer: NAME themself with the current key, or an approver.

    \b
    Example:
      jcg --officer li.na officer rotate li.na
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ledger.officers import RotateOfficerKey
    from ledger.signing import public_key_text

    ledger = session.ledger
    ledger.keyring.key(session.officer)  # the signer's current key, loaded before the file is replaced
    key = Ed25519PrivateKey.generate()
    outcome = ledger.execute(RotateOfficerKey(actor=session.officer, decided=_officer_date(decided),
                                              request_id=request_id, name=name, public_key=public_key_text(key)))
    if not outcome.already_recorded:
        path = ledger.keyring.store.save(name, key, replace=True)
        ledger.keyring.use(name, key)
        outcome.trace.append(f"new private key: {path}")
    report(outcome)


@officer.command("revoke")
@click.argument("name")
@click.option("--reason", required=True, help="Why (e.g. key lost, officer left).")
@click.option("--decided", type=DATE, default=None, help="Date of the revocation (default today).")
@click.option("--request-id", default="")
@pass_session
def officer_revoke(session: Session, name: str, reason: str, decided: date | None, request_id: str) -> None:
    """Revoke NAME's current key: it signs nothing new (what it signed before stays valid).

    \b
    Example:
      jcg --officer zhang.wei officer revoke li.na --reason 密钥遗失
    """
    from ledger.officers import RevokeOfficerKey

    session.run(RevokeOfficerKey(actor=session.officer, decided=_officer_date(decided), request_id=request_id,
                                 name=name, reason=reason))


@officer.command("list")
@pass_session
def officer_list(session: Session) -> None:
    """List officers, roles and keys (active, retired, revoked).

    \b
    Example:
      jcg officer list
    """
    roster = _roster(session)
    if roster is None:
        click.echo("no officers registered: the ledger refuses every request until the first officer registers "
                   "themself (`jcg officer add NAME --role approver`, run as NAME)")
        return
    for o in roster.officers.values():
        keys = ", ".join(f"{k.key_id} {k.status}" for k in o.keys)
        click.echo(f"{o.name:<20} {o.role:<9} {keys}")


@audit.command("verify")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A checkpoint the auditor kept (signed note); the log must extend it.")
@click.option("--vkey", default=None, help="The ledger's verifier key, as text or a file holding it "
              "(default: the key registered in the log, else $JCG_KEY_DIR/_ledger.vkey).")
@pass_session
def audit_verify(session: Session, checkpoint_file: str | None, vkey: str | None) -> None:
    """Recompute the Merkle tree, check every officer signature with the key valid at that
    point, the checkpoints, and that every journal entry balances. Exit 1 naming the first
    bad event. Progress goes to stderr. An encrypted ledger needs $JCG_CIPHER_KEY.

    \b
    Example:
      jcg audit verify --checkpoint kept/checkpoint-2026-06.txt --vkey kept/_ledger.vkey
    """
    from ledger.verify import verify_ledger

    def progress(done: int, total: int) -> None:
        click.echo(f"verified {done:,} of {total:,} events", err=True)

    note = Path(checkpoint_file).read_text(encoding="utf-8") if checkpoint_file else None
    result = verify_ledger(session.ledger, auditor_checkpoint=note, vkey=vkey, progress=progress)
    click.echo(f"{result.events} events, {result.requests} requests, {result.signatures} signatures verified, "
               f"{result.money_events} journal entries balanced; root {result.root.hex()}")
    for line in result.checkpoints:
        click.echo(f"  checkpoint {line}")
    if not result.ok:
        shown = set(result.checkpoint_problems)
        for line in result.problems[1:]:
            if line not in shown:
                click.echo(f"  also: {line}")
        raise Refused(f"verification failed: {result.problems[0]}")
    click.echo("verification passed")


@audit.command("checkpoint")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Also write the checkpoint to FILE.")
@pass_session
def audit_checkpoint(session: Session, out: str | None) -> None:
    """Sign a checkpoint (C2SP tlog-checkpoint) of the log as it is now, store it, print it.
    A write: only a registered officer or approver (--officer) runs it. The ledger's first
    checkpoint creates the ledger key ($JCG_KEY_DIR/_ledger.key) and registers its verifier
    key in the log and in $JCG_KEY_DIR/_ledger.vkey; that key is never replaced.

    \b
    Example:
      jcg --officer li.na audit checkpoint --out kept/checkpoint-2026-06.txt
    """
    from ledger.checkpoint import write_checkpoint

    written = write_checkpoint(session.ledger, session.officer, decided=date.today())
    if written.registration is not None:
        click.echo(f"{written.registration.message} (request id {written.registration.request_id})", err=True)
        if written.key_created:
            click.echo(f"ledger key created: {session.ledger.keyring.store.path('_ledger')} (keep it safe; "
                       "it is never replaced)", err=True)
    if out:
        Path(out).write_text(written.row.note, encoding="utf-8")
    click.echo(written.row.note, nl=False)
    click.echo(f"verifier key: {written.verifier_key}", err=True)


@audit.command("prove")
@click.argument("position", type=int)
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write the JSON to FILE.")
@pass_session
def audit_prove(session: Session, position: int, out: str | None) -> None:
    """Inclusion proof (RFC 9162) of the event at log POSITION in the latest stored checkpoint
    covering it, as JSON. A read: it never signs; without such a checkpoint it is refused.

    \b
    Example:
      jcg audit prove 17 --out proof-17.json
    """
    import json

    from ledger.verify import inclusion_proof_document

    text = json.dumps(inclusion_proof_document(session.ledger, position), ensure_ascii=False, indent=2)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
    click.echo(text)


@audit.command("consistency")
@click.argument("old")
@click.argument("new")
@pass_session
def audit_consistency(session: Session, old: str, new: str) -> None:
    """Consistency proof (RFC 9162) between two tree sizes (numbers or checkpoint files), as JSON.

    \b
    Example:
      jcg audit consistency kept/checkpoint-2026-06.txt 1200
    """
    import json

    from ledger.verify import consistency_proof_document

    text = json.dumps(consistency_proof_document(session.ledger, _tree_size(old), _tree_size(new)),
                      ensure_ascii=False, indent=2)
    click.echo(text)


def _tree_size(arg: str) -> int:
    from ledger.checkpoint import CheckpointError, parse

    if arg.isdigit():
        return int(arg)
    try:
        return parse(Path(arg).read_text(encoding="utf-8"))[0].size
    except (OSError, CheckpointError) as exc:
        raise click.BadParameter(f"{arg!r} is neither a tree size nor a checkpoint file ({exc})") from None


# demo -----------------------------------------------------------------------------------


@main.command()
@click.option("--db", "demo_db", default="sqlite:///jcg-demo.sqlite", show_default=True,
              help="Where the demo ledger is written (an SQLite file is started anew).")
@click.pass_context
def demo(ctx: click.Context, demo_db: str) -> None:
    """Run a worked example on a new ledger and print each step.

    \b
    Example:
      jcg demo
    """
    from ledger.demo import run_demo

    if demo_db.startswith("sqlite:///"):
        path = Path(demo_db[len("sqlite:///"):])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    session = Session(demo_db, "demo-officer")
    ctx.obj = session
    ctx.call_on_close(session.close)
    run_demo(session.ledger, click.echo)


# entry point ----------------------------------------------------------------------------


def run() -> None:
    """Console script `jcg`."""
    main(prog_name="jcg")


if __name__ == "__main__":  # pragma: no cover
    run()
