"""`jcg officer`: officers who sign requests, their keys and roles."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from commandline.options import (
    DATE,
    Session,
    pass_session,
    report,
)
from i18n.clicktools import I18nGroup


@click.group(cls=I18nGroup)
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
    from ledger.handlers.officers import enrol

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

    from ledger.audit.signing import public_key_text
    from ledger.handlers.officers import RotateOfficerKey

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
    from ledger.handlers.officers import RevokeOfficerKey

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
