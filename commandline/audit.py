"""`jcg audit`: replay, trails, proofs and verification."""

from __future__ import annotations

from datetime import date

import click

from commandline.options import (
    ENTITY,
    POSITION,
    Session,
    pass_session,
)
from domain import fields
from domain.errors import Refused
from domain.messages import N_
from i18n import _, text
from i18n.clicktools import I18nGroup


@click.group(cls=I18nGroup)
def audit() -> None:
    """For auditors: replay, trails, proofs and verification of the recorded history."""


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
    import tempfile
    import time

    from ledger.infra.config import parse_database
    from projections.runner import compare, rebuild
    from projections.store import ReadModelStore

    ledger = session.ledger
    side = session.read_side
    position = side.current()
    click.echo(_("incremental read models at position {position}; rebuilding from the log …").format(position=position), err=True)
    started = time.perf_counter()
    shown = [0]

    def progress(p: int) -> None:
        if p - shown[0] >= 10_000 or p == position:
            shown[0] = p
            click.echo(_("  replayed {p:,} events").format(p=p), err=True)

    with tempfile.TemporaryDirectory(prefix="jcg-replay-") as tmp:
        rebuilt = ReadModelStore(parse_database(f"sqlite:///{tmp}/rebuilt.sqlite"))
        try:
            rebuilt_to = rebuild(ledger, rebuilt, progress=progress, stop=position)
            seconds = time.perf_counter() - started
            click.echo(_("  replayed {rebuilt_to:,} events in {seconds:.2f} s").format(rebuilt_to=rebuilt_to, seconds=seconds), err=True)
            found = compare(side.store, rebuilt)
        finally:
            rebuilt.close()
    if found:
        for line in found:
            click.echo(_("difference: {line}").format(line=text(line)))
        rebuild(ledger, side.store, stop=position)  # the incremental models are replaced by the rebuilt ones
        raise Refused(N_("replay differs from the incremental read models in {count_found} row(s)"), count_found=len(found))
    click.echo(_("replay of {rebuilt_to:,} events equals the incremental read models").format(rebuilt_to=rebuilt_to))


@audit.command("trail")
@click.argument("entity", type=ENTITY)
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
    import sqlalchemy as sa

    from projections import reports
    from projections.trail import TRAIL, details

    found = session.read_side.list_rows(TRAIL, sa.or_(TRAIL.c.entity == entity, TRAIL.c.award == entity))
    rows = {"rm_trail": {(r["position"],): r for r in found}}
    shown = details(session.ledger, (r["position"] for r in found))
    click.echo(reports.render(reports.trail(rows, entity, shown), form))


@audit.command("verify")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(dir_okay=False), default=None,
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
    from ledger.audit.verify import verify_ledger

    def progress(done: int, total: int) -> None:
        click.echo(_("verified {done:,} of {total:,} events").format(done=done, total=total), err=True)

    from ledger.infra.files import NOTE_LIMIT, read_text_bounded

    note = read_text_bounded(checkpoint_file, NOTE_LIMIT) if checkpoint_file else None
    result = verify_ledger(session.ledger, auditor_checkpoint=note, vkey=vkey, progress=progress)
    click.echo(_("{events} events, {requests} requests, {signatures} signatures verified, {money_events} journal entries balanced; root {hex}").format(events=result.events, requests=result.requests, signatures=result.signatures, money_events=result.money_events, hex=result.root.hex()))
    for line in result.checkpoints:
        click.echo(_("  checkpoint {line}").format(line=text(line)))
    for note in result.notes:
        click.echo("  " + _("note: {note}").format(note=text(note)))
    if not result.ok:
        shown = set(result.checkpoint_problems)
        for line in result.problems[1:]:
            if line not in shown:
                click.echo(_("  also: {line}").format(line=text(line)))
        raise Refused(N_("verification failed: {problems}"), problems=result.problems[0])
    click.echo(_("verification passed"))


@audit.command("checkpoint")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Also write the checkpoint to FILE (never over a file, never through a symlink).")
@click.option("--force", is_flag=True, help="Replace an existing --out file (a regular file only).")
@click.option("--format", "form", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: the signed note; json: the note with its size, log position, verifier key and the "
                   "request id of the key's registration (if this checkpoint made it).")
@pass_session
def audit_checkpoint(session: Session, out: str | None, force: bool, form: str) -> None:
    """Sign a checkpoint (C2SP tlog-checkpoint) of the log as it is now, store it, print it.
    A write: only a registered officer or approver (--officer) runs it. The ledger's first
    checkpoint creates the ledger key ($JCG_KEY_DIR/_ledger.key) and registers its verifier
    key in the log and in $JCG_KEY_DIR/_ledger.vkey; that key is never replaced.

    \b
    Example:
      jcg --officer li.na audit checkpoint --out kept/checkpoint-2026-06.txt
    """
    from ledger.audit.checkpointing import write_checkpoint
    from ledger.infra.outfile import open_out

    target = open_out(out, force=force)  # checked before anything is stored

    if target is not None:  # a failure before the end leaves no temporary file

        click.get_current_context().call_on_close(target.discard)
    written = write_checkpoint(session.ledger, session.officer, decided=date.today(),
                               deliver=target.write if target is not None else None)
    if written.registration is not None:
        click.echo(_("{message} (request id {request_id})").format(message=written.registration.message, request_id=written.registration.request_id), err=True)
        if written.key_created:
            click.echo(_("ledger key created: {path} (keep it safe; it is never replaced)").format(path=session.ledger.keyring.store.path('_ledger')), err=True)
    if form == "json":
        import json

        registration = written.registration
        click.echo(json.dumps({
            "kind": "audit.checkpoint", "recorded": True, "size": written.row.size,
            "position": written.row.last_position, "checkpoint": written.row.note,
            "verifier_key": written.verifier_key, "key_created": written.key_created,
            "request_id": registration.request_id if registration is not None else None,
        }, ensure_ascii=False, indent=2))
    else:
        click.echo(written.row.note, nl=False)
    click.echo(_("verifier key: {verifier_key}").format(verifier_key=written.verifier_key), err=True)


FORMAT = click.option("--format", "form", type=click.Choice(["text", "json"]), default="text", show_default=True,
                      help="text: the C2SP tlog-proof style (docs/audit-proofs.md); json: the fields as JSON.")


@audit.command("prove")
@click.argument("position", type=POSITION)
@click.option("--checkpoint", "kept_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Prove against this checkpoint you kept (checked first: signature and root); "
                   "default: the latest stored checkpoint covering POSITION.")
@click.option("--vkey", default=None, help="The ledger's verifier key to check --checkpoint with, as text or a file.")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Also write the proof to FILE (never over an existing file; --force to replace one).")
@click.option("--force", is_flag=True, help="Replace an existing --out file (never through a symlink).")
@FORMAT
@pass_session
def audit_prove(session: Session, position: int, kept_file: str | None, vkey: str | None, out: str | None,
                force: bool, form: str) -> None:
    """Inclusion proof (RFC 9162) of the event at log POSITION, as a c2sp.org/tlog-proof@v1 file
    (or JSON). A read: it never signs; without a checkpoint covering POSITION it is refused.
    Check it without the database: jcg-verify --vkey VKEY CHECKPOINT PROOF.

    \b
    Example:
      jcg audit prove 17 --checkpoint kept/checkpoint-2026-06.txt --out proof-17.tlog-proof
    """
    import json

    from ledger.audit.verify import inclusion_proof_document, inclusion_proof_text
    from ledger.infra.outfile import open_out

    target = open_out(out, force=force)
    if target is not None:  # a failure before the end leaves no temporary file
        click.get_current_context().call_on_close(target.discard)
    kept = read_checkpoint_file(kept_file) if kept_file else None
    doc = inclusion_proof_document(session.ledger, position, kept=kept, vkey=vkey)
    body = json.dumps(doc, ensure_ascii=False, indent=2) + "\n" if form == "json" else inclusion_proof_text(doc)
    if target is not None:
        target.write(body)
    click.echo(body, nl=False)


@audit.command("consistency")
@click.argument("old")
@click.argument("new")
@click.option("--vkey", default=None, help="The ledger's verifier key to check checkpoint files with, as text or a "
              "file (default: the key registered in the log, else $JCG_KEY_DIR/_ledger.vkey).")
@FORMAT
@pass_session
def audit_consistency(session: Session, old: str, new: str, vkey: str | None, form: str) -> None:
    """Consistency proof (RFC 9162) that the log of size OLD is a prefix of the log of size NEW.
    OLD and NEW are tree sizes or checkpoint files; a checkpoint file is checked first (its
    signature, and its root against the log: a forked or truncated log exits 1). Text output
    carries the newer checkpoint: check it with jcg-verify --vkey VKEY OLD PROOF.

    \b
    Example:
      jcg audit consistency kept/checkpoint-2026-06.txt 1200 > since-june.proof
    """
    import json

    from ledger.audit.verify import consistency_proof_document, consistency_proof_text

    doc = consistency_proof_document(session.ledger, _tree_size(old), _tree_size(new), vkey=vkey)
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2) if form == "json" else consistency_proof_text(doc),
               nl=form == "json")


def read_checkpoint_file(path: str) -> str:
    """A checkpoint file's text, bounded (a checkpoint is a few hundred bytes; never /dev/zero)."""
    from ledger.infra.files import NOTE_LIMIT, read_text_bounded

    return read_text_bounded(path, NOTE_LIMIT)


def _tree_size(arg: str) -> int | str:
    """A tree size, or the text of a checkpoint file (checked by the proof, not here)."""
    import re

    from ledger.audit.checkpoint import CheckpointError, parse

    if re.fullmatch(r"[0-9]+", arg):
        return fields.POSITION(arg)
    try:
        note = read_checkpoint_file(arg)
        parse(note)
    except (CheckpointError, Refused) as exc:
        raise click.BadParameter(f"{arg!r} is neither a tree size nor a checkpoint file ({exc})") from None
    return note
