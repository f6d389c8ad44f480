"""`jcg party`: parties and their dated qualifications."""

from __future__ import annotations

from datetime import date

import click

from commandline.options import (
    DATE,
    LEVEL,
    NAME,
    PARTY,
    QUALIFICATION,
    Session,
    common,
    pass_session,
    writing,
)
from domain.clauses import clause as find_clause
from domain.enterprise import KINDS, Enterprise
from domain.errors import Refused
from domain.ids import party_id
from domain.money import fmt
from ledger.handlers.parties import ExpireQualification, GrantQualification, RegisterParty


@click.group()
def party() -> None:
    """Register parties (enterprises, universities, banks, people …) and qualifications."""


@party.command("register")
@click.argument("code", type=PARTY)
@click.option("--name", type=NAME, required=True)
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
@click.argument("code", type=PARTY)
@click.argument("qualification", type=QUALIFICATION)
@click.option("--level", type=LEVEL, default="", help="e.g. national, provincial, municipal.")
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
@click.argument("code", type=PARTY)
@click.argument("qualification", type=QUALIFICATION)
@click.option("--level", type=LEVEL, default="")
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
@click.argument("code", type=PARTY)
@pass_session
def party_show(session: Session, code: str) -> None:
    """Show a party, its qualifications and awards.

    \b
    Example:
      jcg party show ENT-001
    """
    p = find_party(session, code)
    click.echo(f"{p.code}  {p.name}  ({KINDS[p.kind]}, entered {p.entered})")
    for q in p.qualifications:
        end = f", ended {q.ended_on}" if q.ended_on else (f", expires {q.expires_on}" if q.expires_on else "")
        click.echo(f"  qualification: {q.name} {q.level} from {q.granted_on}{end}")
    print_awards(p)


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


def find_party(session: Session, code: str) -> Enterprise:
    from eventsourcing.application import AggregateNotFoundError

    try:
        p = session.ledger.aggregate(party_id(code))
    except AggregateNotFoundError:
        raise Refused(f"party {code} is not registered") from None
    return p


def print_awards(p: Enterprise) -> None:
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
