"""`jcg`: the finance officer's and auditor's command line, a thin layer over `ledger`.

This entry only maps errors to exit codes and loads a command group (commandline/<group>.py)
when it is used, so `jcg --help` and one command import only what they need.
Exit codes: 0 done (or already recorded), 1 refused (nothing written), 2 bad usage.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import Any

import click

from commandline.entry import choose_language, database_errors, officer_name, print_version
from domain.errors import Refused
from domain.messages import N_
from i18n import _, text
from i18n.clicktools import I18nGroup, activate_for

# name → (module:attribute, one-line help shown by `jcg --help` without importing the module)
GROUPS: dict[str, tuple[str, str]] = {
    "party": ("commandline.party:party", N_("Register parties (enterprises, universities, banks, people …) and qualifications.")),
    "grant": ("commandline.grant:grant", N_("Awards by rule, disbursements, claw-backs, external awards, imports.")),
    "payment": ("commandline.payment:payment", N_("Payment orders: post or void what another officer recorded (two people).")),
    "policy": ("commandline.policy:policy", N_("The clauses of 临政办发〔2024〕34号, their dated parameters, dry runs.")),
    "project": ("commandline.project:project", N_("拨投结合 projects (P2.2, P6.1): approval, tranches, conversion, exits.")),
    "fund": ("commandline.fund:fund", N_("Funds that hold converted stakes and invest (P5.2, P5.3, P5.8).")),
    "captable": ("commandline.captable:captable", N_("Share registers of enterprises and their Open Cap Table–style export.")),
    "loan": ("commandline.loan:loan", N_("P5.6 loans: enrolment, repayments, losses, the 35/35/30 compensation.")),
    "report": ("commandline.report:report_group", N_("Reports from the read models, current or as of a date or position.")),
    "audit": ("commandline.audit:audit", N_("For auditors: replay, trails, proofs and verification of the recorded history.")),
    "officer": ("commandline.officer:officer", N_("Officers who sign requests (officer, approver, auditor), keys and roles.")),
    "init": ("commandline.init:init", N_("Create the ledger's tables and its checkpoint key (safe to repeat).")),
    "demo": ("commandline.demo:demo", N_("Run a worked example on a new ledger and print each step.")),
    "export": ("commandline.export:export", N_("The ledger in other tools' formats: a Beancount ledger for bean-check and Fava.")),
    "serve": ("commandline.serve:serve", N_("A read-only web view for auditors: Fava and award, cap and proof pages.")),
}


def _fail(message: str) -> None:
    click.echo(_("error: {message}").format(message=message), err=True)
    sys.exit(1)


class JcgGroup(I18nGroup):
    """Every error is one line on stderr: exit 1 for a refused request, 2 for bad usage
    (JCG_DEBUG=1 shows the traceback of an unexpected error)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *GROUPS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in GROUPS:
            module, _, attribute = GROUPS[name][0].partition(":")
            command: click.Command = getattr(importlib.import_module(module), attribute)
            return command
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _(GROUPS[name][1]) if name in GROUPS else (self.commands[name].get_short_help_str(80)))
                for name in self.list_commands(ctx)]
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        activate_for(sys.argv[1:] if args is None else args)
        try:
            super().main(args, prog_name or "jcg", complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            _fail(_("aborted"))
        except click.ClickException as exc:
            click.echo(_("error: {message}").format(message=exc.format_message()), err=True)
            sys.exit(exc.exit_code)
        except Refused as exc:
            _fail(text(exc))
        except ValueError as exc:  # MapperDeserialisationError is one: an encrypted ledger, no or a wrong key
            from ledger.infra.cipher import unreadable_events

            message = unreadable_events(exc)
            if message is None and os.environ.get("JCG_DEBUG"):
                raise
            _fail(text(message or exc))
        except OSError as exc:  # e.g. --out FILE in a folder that does not exist
            _fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        except Exception as exc:
            if not isinstance(exc, database_errors()):
                raise
            first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            _fail(_("the ledger database cannot be used: {error}").format(error=first_line))
        sys.exit(0)


@click.group(cls=JcgGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", default=None, help="Database URL (sqlite:///FILE or postgresql://...); "
              "default $JCG_DATABASE_URL or ./jcg-ledger.sqlite.")
@click.option("--officer", envvar="JCG_OFFICER", default="officer", show_default=True, callback=officer_name,
              help="Officer id recorded as the actor ($JCG_OFFICER).")
@click.option("--lang", type=click.Choice(["zh", "en"], case_sensitive=False), default=None, is_eager=True,
              expose_value=False, callback=choose_language,
              help="Language of messages: zh or en (default $JCG_LANG, else the locale: LANG=zh_CN… is Chinese).")
@click.option("--version", is_flag=True, is_eager=True, expose_value=False, callback=print_version,
              help="Show the version and exit.")
@click.pass_context
def main(ctx: click.Context, db: str | None, officer: str) -> None:
    """jcg-ledger: grants, 拨投结合 conversions and loan-loss compensation of 临政办发〔2024〕34号.

    \b
    Example:
      jcg --db sqlite:///ledger.sqlite party register U1 --name 山西师范大学 \\
          --kind university --entered 2024-12-01 --decided 2025-01-02
    """
    from commandline.options import Session
    from ledger.infra.config import database_url

    ctx.obj = Session(database_url(db), officer)
    ctx.call_on_close(ctx.obj.close)


def run() -> None:
    """Console script `jcg`. A command imports some 90,000 long-lived objects (modules, classes, event
    dataclasses) before it works: at the collector's default threshold (700) it walks them ~130 times and
    frees nothing (~50 ms of an award). So the collector waits until the command's ledger is open
    (``Session.ledger`` freezes what was imported, then enables it) and then runs every 50,000
    allocations (docs/decisions.md). The methods of the event dataclasses are compiled once per
    installation (ledger.infra.methodcache)."""
    from ledger.infra import methodcache

    methodcache.install()  # the event classes' dataclass methods compiled once, not in every command
    gc.disable()
    gc.set_threshold(50_000, *gc.get_threshold()[1:])
    main(prog_name="jcg")


if __name__ == "__main__":  # pragma: no cover
    run()
