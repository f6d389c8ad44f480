"""`jcg party`: parties and their dated qualifications."""

from __future__ import annotations

from datetime import date

import click

from commandline.options import (
    DATE,
    LEVEL,
    NAME,
    PARTY,
    PARTY_KIND,
    QUALIFICATION,
    Session,
    common,
    pass_session,
    writing,
)
from i18n.clicktools import I18nGroup
from ledger.handlers.parties import ExpireQualification, GrantQualification, RegisterParty


@click.group(cls=I18nGroup)
def party() -> None:
    """Register parties (enterprises, universities, banks, people …) and qualifications."""


@party.command("register")
@click.argument("code", type=PARTY)
@click.option("--name", type=NAME, required=True, help="Name of the party (its Chinese name as registered).")
@click.option("--kind", "party_kind", type=PARTY_KIND, required=True,
              help="Kind of party, as a code or in Chinese (enterprise/企业, university/高校, bank/银行 …).")
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
    from ledger.queries import get_party
    from projections.views.parties import party_lines

    click.echo("\n".join(party_lines(get_party(session.ledger, code))))


@party.command("list")
@pass_session
def party_list(session: Session) -> None:
    """List every registered party.

    \b
    Example:
      jcg party list
    """
    from projections.parties import PARTIES
    from projections.views.parties import parties_list

    click.echo("\n".join(parties_list(session.read_side.list_rows(PARTIES, order_by=[PARTIES.c.registered_at]))))
