"""`jcg report`: read-model reports, current or in time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import click

from commandline.options import (
    CLAUSE,
    DATE,
    PARTY,
    SOURCE,
    YEAR,
    Session,
    pass_session,
    time_travel,
)
from domain.aliases import REPORT_NAMES
from i18n import _, text
from i18n.clicktools import I18nGroup


def narrowing(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The filters a bureau narrows a report by (in SQL for current figures)."""
    fn = click.option("--to", "end", type=DATE, default=None,
                      help="Only amounts decided up to this date (records as of it).")(fn)
    fn = click.option("--from", "start", type=DATE, default=None,
                      help="Only amounts decided from this date on (decision dates).")(fn)
    fn = click.option("--source", type=SOURCE, default=None, help="Funding source (资金来源), e.g. 市财政.")(fn)
    fn = click.option("--year", type=YEAR, default=None, help="Award or fiscal year.")(fn)
    fn = click.option("--clause", type=CLAUSE, default=None, help="Clause id, e.g. P2.4 (loans: the P5.6 category).")(fn)
    fn = click.option("--recipient", type=PARTY, default=None, help="Recipient, enterprise or borrower code.")(fn)
    return fn


def _show_report(session: Session, name: str, form: str, as_of: date | None, at_position: int | None,
                 narrow: dict[str, Any], **options: Any) -> None:
    from projections import reports
    from projections.current import report_rows
    from projections.filters import Filters

    filters = Filters(**narrow)
    if (filters.start or filters.end) and as_of is not None:
        raise click.UsageError("--as-of cannot be combined with --from/--to (use --to)")
    if filters.start and filters.end and filters.start > filters.end:
        raise click.UsageError("--from is after --to")
    if at_position is not None:
        from projections.runner import head

        size = head(session.ledger)
        if at_position > size:
            raise click.UsageError(_("--at-position {position} is beyond the log, which holds {size:,} events").format(
                position=at_position, size=size))
    from projections.collector import fewer_collections

    # current models in the ledger's database are read straight through the driver (no SQLAlchemy,
    # no application); anything else by the read side, which catches up or reads a local cache
    found = report_rows(session.url, name, as_of=as_of, filters=filters) if at_position is None else None
    if found is not None:
        session.imported()
    with fewer_collections():
        rows, position = found or session.read_side.rows(name, as_of=as_of, at_position=at_position, filters=filters)
        report = reports.REPORTS[name](rows, **options)
        report.built = reports.BuiltAt(as_of=as_of or filters.end, at_position=at_position, log_position=position)
        if form == "xlsx":
            out = click.get_binary_stream("stdout")
            if out.isatty():
                raise click.UsageError(_("--format xlsx writes a spreadsheet: redirect it to a file (> report.xlsx)"))
            out.write(reports.xlsx(report))
            out.flush()
            return
        when = [_("as of {date}").format(date=as_of) if as_of else "",
                _("after position {position}").format(position=at_position) if at_position is not None else "",
                f"{filters.start} – {filters.end or ''}" if filters.start else f"– {filters.end}" if filters.end else "",
                *(f"{_(k)} {v}" for k, v in filters.named().items())]
        report.title = text(report.title)
        if any(when) and form == "table":
            report.title += f" ({', '.join(w for w in when if w)})"
        click.echo(reports.render(report, form))


@click.group("report", cls=I18nGroup, aliases=REPORT_NAMES)
def report_group() -> None:
    """Reports from the read models; --as-of / --at-position fold the event log instead."""


@report_group.command("balances")
@time_travel
@narrowing
@pass_session
def report_balances(session: Session, form: str, as_of: date | None, at_position: int | None, **narrow: Any) -> None:
    """Trial balance of the double-entry journal (debits equal credits), with the Chinese
    title of the clause a budget or capitalised account names.

    \b
    Example:
      jcg report balances
      jcg report balances --as-of 2025-12-31 --format csv
      jcg report balances --from 2025-01-01 --to 2025-12-31
    """
    _show_report(session, "balances", form, as_of, at_position, narrow)


@report_group.command("recipients")
@time_travel
@narrowing
@pass_session
def report_recipients(session: Session, form: str, as_of: date | None, at_position: int | None,
                  **narrow: Any) -> None:
    """Per recipient, clause and award year: awarded, disbursed, clawed back, outstanding.

    \b
    Example:
      jcg report recipients --format json
      jcg report recipients --at-position 120
      jcg report recipients --recipient U1 --year 2025
    """
    _show_report(session, "recipients", form, as_of, at_position, narrow)


@report_group.command("caps")
@time_travel
@narrowing
@pass_session
def report_caps(session: Session, form: str, as_of: date | None, at_position: int | None,
                  **narrow: Any) -> None:
    """Cap usage against every cap the rules have (per year, per award, over the period,
    per project, places per year), with the limit in force, used and remaining.

    \b
    Example:
      jcg report caps --as-of 2025-06-30
    """
    _show_report(session, "caps", form, as_of, at_position, narrow)


@report_group.command("budgets")
@click.option("--by", type=click.Choice(["source", "unit", "clause"]), default="source", show_default=True,
              help="Group by funding source, responsible unit (责任单位) or clause.")
@time_travel
@narrowing
@pass_session
def report_budgets(session: Session, by: str, form: str, as_of: date | None, at_position: int | None,
                   **narrow: Any) -> None:
    """Budget execution per fiscal year and funding source or responsible unit.

    \b
    Example:
      jcg report budgets --by unit
      jcg report budgets --as-of 2025-12-31 --format csv
      jcg report budgets --source 市财政 --clause P2.4
    """
    _show_report(session, "budgets", form, as_of, at_position, narrow, by=by)


@report_group.command("funds")
@time_travel
@narrowing
@pass_session
def report_funds(session: Session, form: str, as_of: date | None, at_position: int | None,
                  **narrow: Any) -> None:
    """Funds: capital, cash, holdings per enterprise with cost, realised gains and losses,
    and the P5.8 failure ratio of early-stage projects (flagged above the tolerance).

    \b
    Example:
      jcg report funds
      jcg report funds --as-of 2026-12-31 --format json
    """
    _show_report(session, "funds", form, as_of, at_position, narrow, on=as_of)


@report_group.command("loans")
@time_travel
@narrowing
@pass_session
def report_loans(session: Session, form: str, as_of: date | None, at_position: int | None,
                  **narrow: Any) -> None:
    """P5.6 loans: bank, borrower, category, principal, unrepaid, loss, and each bearer's
    share, paid, owed and recoveries returned.

    \b
    Example:
      jcg report loans
      jcg report loans --at-position 200 --format csv
    """
    _show_report(session, "loans", form, as_of, at_position, narrow)
