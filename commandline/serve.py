"""`jcg serve`: the auditor's read-only web view (Fava over the Beancount export, and jcg's own pages)."""

from __future__ import annotations

import click

from commandline.options import Session, pass_session
from i18n.clicktools import I18nCommand


@click.command(cls=I18nCommand)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default: put an authenticating proxy in front to share it).")
@click.option("--port", type=click.IntRange(0, 65535), default=5000, show_default=True)
@pass_session
def serve(session: Session, host: str, port: int) -> None:
    """Serve the ledger read-only for auditors: Fava (balances, journals, periods, queries,
    Excel export) over the Beancount export, refreshed when the ledger grows, and under /jcg/
    each award's derivation trace and cited parameters, the cap usage table, and the inclusion
    proof of any event. Every write (POST, PUT, …) is refused.

    \b
    Example:
      jcg --db sqlite:///ledger.sqlite serve --port 5000
    """
    from i18n import language, text, translations
    from projections.web import AuditorSite
    from projections.web import serve as run_server

    zh = translations("zh")
    site = AuditorSite(session.ledger, render=text, narrate=lambda m: m.render(zh.gettext),
                       fava_language="zh" if language() == "zh" else "en")
    run_server(site, host, port, ready=lambda url: click.echo(f"serving {url} (read-only; Ctrl-C stops)", err=True))
