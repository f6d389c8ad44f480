"""`jcg init`: the one command (with demo) that creates a ledger, and its checkpoint key."""

from __future__ import annotations

import click

from domain.errors import Refused
from domain.messages import N_, Message
from i18n import _, text
from i18n.clicktools import I18nCommand
from ledger.audit.ledger_key import create_ledger_key


@click.command("init", cls=I18nCommand)
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the ledger's tables in the database and the ledger's checkpoint key
    ($JCG_KEY_DIR/_ledger.key, its verifier key in _ledger.vkey), so that checkpoints are made
    automatically from the first events. Safe to repeat: an existing key is never replaced.

    \b
    Example:
      JCG_PASSPHRASE=… jcg --db sqlite:///ledger.sqlite init
    """
    session = ctx.obj
    session.create = True  # the one command (with demo) that may create a ledger
    ledger = session.ledger  # opening creates the tables
    click.echo(_("ledger ready at {url}").format(url=session.url))
    try:
        vkey, created = create_ledger_key(ledger)
    except (Refused, click.exceptions.Abort, EOFError) as exc:  # the tables are made: say why the key is
        # not (no passphrase given: JCG_PASSPHRASE unset and no answer at the prompt), and how checkpoints start
        reason = exc.message if isinstance(exc, Refused) else Message(N_("no passphrase for the key files was given"))
        click.echo("warning: " + text(Message(N_(
            "the ledger key was not made: {reason}; checkpoints start once it is (jcg init again, or an "
            "officer's jcg audit checkpoint)"), reason=reason)), err=True)
        return
    path = str(ledger.keyring.store.path("_ledger"))
    said = (N_("ledger key created: {path} (keep it safe; it is never replaced)") if created
            else N_("ledger key present: {path} (it is never replaced)"))
    click.echo(text(Message(said, path=path)))
    click.echo(text(Message(N_("verifier key (auditors keep a copy): {vkey}"), vkey=vkey)))
