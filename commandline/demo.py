"""`jcg demo`: a worked example on a new ledger."""

from __future__ import annotations

from pathlib import Path

import click

from commandline.options import (
    Session,
)


@click.command()
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
