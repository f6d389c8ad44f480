"""What the entry (cli.py) needs before any command group is loaded: option callbacks and the
database errors it maps to one line, each importing what it needs only when it runs."""

from __future__ import annotations

import sys

import click

from domain.errors import Refused
from i18n import activate, choose, text


def database_errors() -> tuple[type[BaseException], ...]:
    """Driver errors, imported only once a command has failed (psycopg costs ~150 ms to import)."""
    import sqlite3

    from eventsourcing.persistence import PersistenceError

    errors: list[type[BaseException]] = [PersistenceError, sqlite3.Error]
    if "psycopg" in sys.modules:
        errors.append(sys.modules["psycopg"].Error)
    return tuple(errors)


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jcg-ledger")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


def print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """--version, reading the installed metadata only when asked (importlib.metadata costs ~30 ms)."""
    if value and not ctx.resilient_parsing:
        click.echo(f"jcg {package_version()}")
        ctx.exit()


def choose_language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """--lang zh|en (eager, so --help after it is in that language too)."""
    if value:
        try:
            activate(choose(value))
        except Refused as exc:
            raise click.BadParameter(text(exc), ctx=ctx, param=param) from None


def officer_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """--officer / $JCG_OFFICER checked like every officer name (domain.fields): exit 2."""
    from domain.fields import OFFICER_NAME

    try:
        return OFFICER_NAME(value)
    except Refused as exc:
        raise click.BadParameter(text(exc), ctx=ctx, param=param) from None
