"""`jcg report`: read-model reports, current or in time."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from commandline.options import (
    Session,
    pass_session,
    time_travel,
)
from domain.aliases import REPORT_NAMES
from i18n import _, text
from i18n.clicktools import I18nGroup


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
            raise click.UsageError(_("--at-position {position} is beyond the log, which holds {size:,} events").format(
                position=at_position, size=size))
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
    if form == "xlsx":
        out = click.get_binary_stream("stdout")
        if out.isatty():
            raise click.UsageError(_("--format xlsx writes a spreadsheet: redirect it to a file (> report.xlsx)"))
        out.write(reports.xlsx(report))
        out.flush()
        return
    when = [_("as of {date}").format(date=as_of) if as_of else "",
            _("after position {position}").format(position=at_position) if at_position is not None else ""]
    report.title = text(report.title)
    if any(when) and form == "table":
        report.title += f" ({', '.join(w for w in when if w)})"
    click.echo(reports.render(report, form))


@click.group("report", cls=I18nGroup, aliases=REPORT_NAMES)
def report_group() -> None:
    """Reports from the read models; --as-of / --at-position fold the event log instead."""


@report_group.command("balances")
@time_travel
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
@time_travel
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
@time_travel
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
@time_travel
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
@time_travel
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
@time_travel
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
