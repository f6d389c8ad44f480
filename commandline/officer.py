"""`jcg officer`: officers who sign requests, their keys and roles."""

from __future__ import annotations

from datetime import date

import click

from commandline.options import (
    AGENT_TIME,
    DATE,
    OFFICER,
    REASON,
    REF,
    REQUEST_ID,
    Session,
    outcome_format,
    pass_session,
)
from domain.messages import N_, Message
from i18n import _
from i18n.clicktools import I18nGroup


@click.group(cls=I18nGroup)
def officer() -> None:
    """Officers who sign requests (officer, approver, auditor), their keys, rotation and revocation."""


def _officer_date(decided: date | None) -> date:
    return decided or date.today()


@officer.command("keygen")
@click.argument("name", type=OFFICER)
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Also write the public key to FILE (never over a file; --force replaces a regular file).")
@click.option("--force", is_flag=True, help="Replace an existing --out file (never a symlink).")
def officer_keygen(name: str, out: str | None, force: bool) -> None:
    """Make YOUR key pair: the private key goes to $JCG_KEY_DIR/NAME.key (encrypted with
    $JCG_PASSPHRASE or a prompt, 12 characters at least) and stays there; the public key is
    printed, to hand to an approver. Run it on your own machine; nobody else runs it for you.

    \b
    Example:
      JCG_KEY_DIR=~/.jcg-keys jcg officer keygen li.na --out li.na.pub
    """
    from ledger.handlers.officers import keygen
    from ledger.infra.keys import Keyring, KeyStore, env_passphrase, key_dir
    from ledger.infra.outfile import open_out

    target = open_out(out, force=force)  # a bad path is refused before the key is made

    if target is not None:  # a failure before the end leaves no temporary file

        click.get_current_context().call_on_close(target.discard)
    keyring = Keyring(KeyStore(key_dir(), env_passphrase(), prompt=lambda text: click.prompt(
        text, hide_input=True, confirmation_prompt=True, err=True)))  # typed twice: a typo would lock the key
    public = keygen(keyring.store, name)
    if target is not None:
        target.write(public + "\n")
    click.echo(public)
    click.echo(_("private key: {path} (yours alone; never hand it to anyone)").format(
        path=keyring.store.path(name)), err=True)


@officer.command("unlock")
@click.option("--for", "idle", type=AGENT_TIME, default="15m", show_default=True,
              help="End when no command has signed for this long (90s, 15m, 2h; at most 8h).")
@pass_session
def officer_unlock(session: Session, idle: float) -> None:
    """Unlock YOUR key (--officer) once for a working session: the passphrase is asked once and the
    key is held by a key agent of yours, never written anywhere; your commands then sign without the
    passphrase until no command has signed for the time given (--for), 8 hours have passed, or
    `officer lock`. The ledger's checkpoint key is held too if its file is in your key directory.

    \b
    Example:
      jcg --officer li.na officer unlock --for 30m
    """
    import time

    from ledger.infra import agent
    from ledger.infra.keys import unlock

    held = unlock(session.keyring.store, session.officer, idle)
    until = time.strftime("%H:%M", time.localtime(time.time() + agent.LONGEST))
    click.echo(_("keys held by the key agent: {names}; commands sign without the passphrase until none has "
                 "signed for {minutes} min, at the latest until {until}; `jcg officer lock` ends it now").format(
        names=", ".join(held), minutes=f"{idle / 60:g}", until=until))


@officer.command("lock")
@pass_session
def officer_lock(session: Session) -> None:
    """End the key agent of your key directory ($JCG_KEY_DIR): commands ask for the passphrase again."""
    from ledger.infra import agent

    folder = session.keyring.store.directory
    if agent.stop(folder):
        click.echo(_("the key agent has ended: the keys it held are no longer unlocked"))
    else:
        click.echo(_("no key agent was running for {folder}").format(folder=folder))


@officer.command("add")
@click.argument("name", type=OFFICER)
@click.option("--role", type=click.Choice(["officer", "approver", "auditor"]), required=True)
@click.option("--public-key", "public_key", default=None,
              help="NAME's public key (as `officer keygen` prints it) or a file holding it. Left out only "
                   "when NAME registers themself (the first officer), with NAME's own key file.")
@click.option("--decided", type=DATE, default=None, help="Date of the appointment (default today).")
@click.option("--ref", type=REF, default="", help="Appointment reference.")
@click.option("--request-id", type=REQUEST_ID, default="")
@outcome_format
@pass_session
def officer_add(session: Session, name: str, role: str, public_key: str | None, decided: date | None, ref: str,
                request_id: str) -> None:
    """Register NAME with the public key NAME made (`officer keygen`). Only an approver
    (--officer) adds officers; the first officer of a new ledger registers themself with their
    own key file. From the second approver on, a new approver waits for a second approver's
    countersignature (`officer confirm`).

    \b
    Example:
      jcg --officer zhang.wei officer add zhang.wei --role approver        # first officer, own key
      jcg --officer zhang.wei officer add li.na --role officer --public-key li.na.pub
    """
    from ledger.audit.signing import public_key_text
    from ledger.handlers.officers import read_public_key, register
    from ledger.queries import find_roster

    roster = find_roster(session.ledger)
    first = roster is None or not roster.officers
    actor = name if first else session.officer
    if public_key is None:
        if actor != name:
            raise click.UsageError(_("give NAME's public key (--public-key): an approver registers the public "
                                     "key NAME made with `jcg officer keygen`, never a key made for them"))
        key = public_key_text(session.ledger.keyring.key(name))  # NAME's own key file, checked before anything
    else:
        key = read_public_key(public_key)
    session.show(register(session.ledger, name, role, key, actor=actor, decided=_officer_date(decided),
                          request_id=request_id, ref=ref), "officer.add")


@officer.command("rotate")
@click.argument("name", type=OFFICER)
@click.option("--public-key", "public_key", default=None,
              help="A new public key NAME made (approver rotating another officer's key); left out, you "
                   "rotate your own key: a new one is made in your key directory.")
@click.option("--decided", type=DATE, default=None, help="Date of the rotation (default today).")
@click.option("--request-id", type=REQUEST_ID, default="")
@outcome_format
@pass_session
def officer_rotate(session: Session, name: str, public_key: str | None, decided: date | None, request_id: str) -> None:
    """Give NAME a new key; the old one is retired (history it signed stays valid).
    Your own key: a new key pair is made in your key directory once the rotation is recorded.
    Another officer's key (an approver): with the public key NAME made (--public-key).

    \b
    Example:
      jcg --officer li.na officer rotate li.na
      jcg --officer zhang.wei officer rotate li.na --public-key li.na-2.pub
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ledger.audit.signing import public_key_text
    from ledger.handlers.officers import RotateOfficerKey, read_public_key

    ledger = session.ledger
    ledger.keyring.key(session.officer)  # the signer's current key, loaded before the file is replaced
    if public_key is None:
        if name != session.officer:
            raise click.UsageError(_("give the new public key NAME made (--public-key): nobody makes another "
                                     "officer's key"))
        key = Ed25519PrivateKey.generate()
        ledger.keyring.store.new_passphrase()  # refused before anything is recorded if too short
        outcome = ledger.execute(RotateOfficerKey(actor=session.officer, decided=_officer_date(decided),
                                                  request_id=request_id, name=name,
                                                  public_key=public_key_text(key)))
        if not outcome.already_recorded:
            path = ledger.keyring.store.save(name, key, replace=True)
            ledger.keyring.use(name, key)
            outcome.trace.append(Message(N_("new private key: {path}"), path=str(path)))
    else:
        outcome = ledger.execute(RotateOfficerKey(actor=session.officer, decided=_officer_date(decided),
                                                  request_id=request_id, name=name,
                                                  public_key=read_public_key(public_key)))
    session.show(outcome, "officer.rotate")


@officer.command("role")
@click.argument("name", type=OFFICER)
@click.option("--role", type=click.Choice(["officer", "approver", "auditor"]), required=True)
@click.option("--decided", type=DATE, default=None, help="Date of the decision (default today).")
@click.option("--request-id", type=REQUEST_ID, default="")
@outcome_format
@pass_session
def officer_role(session: Session, name: str, role: str, decided: date | None, request_id: str) -> None:
    """Change NAME's role (an approver's act). A promotion to approver waits for a second
    approver's countersignature; the last approver is never demoted.

    \b
    Example:
      jcg --officer zhang.wei officer role li.na --role approver
    """
    from ledger.handlers.officers import ChangeOfficerRole

    session.run(ChangeOfficerRole(actor=session.officer, decided=_officer_date(decided), request_id=request_id,
                                  name=name, role=role))


@officer.command("confirm")
@click.argument("name", type=OFFICER)
@click.option("--decided", type=DATE, default=None, help="Date of the countersignature (default today).")
@click.option("--request-id", type=REQUEST_ID, default="")
@outcome_format
@pass_session
def officer_confirm(session: Session, name: str, decided: date | None, request_id: str) -> None:
    """Countersign the pending approver registration, promotion or key of NAME: a second
    approver, neither its proposer nor NAME.

    \b
    Example:
      jcg --officer wang.fang officer confirm li.na
    """
    from ledger.handlers.officers import ConfirmOfficerChange

    session.run(ConfirmOfficerChange(actor=session.officer, decided=_officer_date(decided), request_id=request_id,
                                     name=name))


@officer.command("withdraw")
@click.argument("name", type=OFFICER)
@click.option("--decided", type=DATE, default=None, help="Date (default today).")
@click.option("--request-id", type=REQUEST_ID, default="")
@outcome_format
@pass_session
def officer_withdraw(session: Session, name: str, decided: date | None, request_id: str) -> None:
    """Withdraw the pending change of NAME: nothing of it takes effect.

    \b
    Example:
      jcg --officer zhang.wei officer withdraw li.na
    """
    from ledger.handlers.officers import WithdrawOfficerChange

    session.run(WithdrawOfficerChange(actor=session.officer, decided=_officer_date(decided), request_id=request_id,
                                      name=name))


@officer.command("revoke")
@click.argument("name", type=OFFICER)
@click.option("--reason", type=REASON, required=True, help="Why (e.g. key lost, officer left).")
@click.option("--decided", type=DATE, default=None, help="Date of the revocation (default today).")
@click.option("--request-id", type=REQUEST_ID, default="")
@outcome_format
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
    from ledger.queries import find_roster
    from projections.views.officers import officer_lines

    click.echo("\n".join(officer_lines(find_roster(session.ledger))))
