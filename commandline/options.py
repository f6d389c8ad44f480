"""What every command shares: option types as officers write values, the session, writing options."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from domain import fields
from domain.errors import Refused
from domain.money import ascii_digits, parse_rate, parse_yuan
from i18n import _, text

if TYPE_CHECKING:  # the ledger, its commands and the rules load after a command's options are parsed,
    # once the officer's key has started opening beside them (Session.unlock_ahead)
    from ledger.application import Ledger
    from ledger.commands import Command, Outcome


class DateType(click.ParamType):
    """A date as ``2025-03-01``, ``2025年3月1日`` or ``2025/3/1`` (domain.fields.parse_date)."""

    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return fields.parse_date(str(value))
        except Refused as exc:
            self.fail(_text(exc), param, ctx)


class FieldType(click.ParamType):
    """A typed value checked by its boundary field type (domain.fields): bad usage, exit 2."""

    def __init__(self, field: fields.Text, metavar: str, *, optional: bool = False):
        self.field = field
        self.name = metavar
        self.optional = optional

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        try:
            return self.field(value, required=not self.optional)
        except Refused as exc:
            self.fail(_text(exc), param, ctx)


class BoundedType(click.ParamType):
    """A whole number within the limits of its field (domain.fields.Bounded)."""

    name = "INTEGER"

    def __init__(self, field: fields.Bounded):
        self.field = field

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        try:
            return self.field(value)
        except Refused as exc:
            self.fail(_text(exc), param, ctx)


def _text(exc: Refused) -> str:
    """A refusal in the officer's language."""
    return str(text(exc))


PARTY = FieldType(fields.PARTY_CODE, "CODE")
PARTY_OR_NONE = FieldType(fields.PARTY_CODE, "CODE", optional=True)
PROJECT = FieldType(fields.PROJECT_CODE, "CODE")
FUND = FieldType(fields.FUND_CODE, "CODE")
LOAN = FieldType(fields.LOAN_CODE, "CODE")
HOLDER = FieldType(fields.HOLDER_CODE, "CODE")
AWARD = FieldType(fields.AWARD_ID, "AWARD")
CLAUSE = FieldType(fields.CLAUSE, "CLAUSE")
OFFICER = FieldType(fields.OFFICER_NAME, "NAME")
NAME = FieldType(fields.NAME, "TEXT")
NAME_OR_NONE = FieldType(fields.NAME, "TEXT", optional=True)
REASON = FieldType(fields.REASON, "TEXT")
REASON_OR_NONE = FieldType(fields.REASON, "TEXT", optional=True)
REF = FieldType(fields.REF, "文号", optional=True)
REQUEST_ID = FieldType(fields.REQUEST_ID, "ID", optional=True)
VOUCHER = FieldType(fields.VOUCHER, "TEXT", optional=True)
SOURCE = FieldType(fields.SOURCE, "TEXT")
MATTER = FieldType(fields.MATTER, "TEXT")
QUALIFICATION = FieldType(fields.QUALIFICATION, "TEXT")
LEVEL = FieldType(fields.LEVEL, "TEXT", optional=True)
TERM_MONTHS = BoundedType(fields.TERM_MONTHS)
YEARS = BoundedType(fields.YEARS)
POSITION = BoundedType(fields.POSITION)
ENTITY = FieldType(fields.TEXT, "ENTITY")  # what `audit trail` looks up: a code, an award or request:<id>
YEAR = BoundedType(fields.YEAR)


class YuanType(click.ParamType):
    """Amounts as officers write them: 500000, 500,000.00, 50万, 50万元."""

    name = "YUAN"

    def convert(self, value: Any, param: Any, ctx: Any) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            return parse_yuan(str(value))
        except Refused as exc:
            self.fail(_text(exc), param, ctx)


class PartyKindType(click.ParamType):
    """A party kind as code or in Chinese: ``enterprise`` or ``企业`` (domain/aliases.py)."""

    name = "KIND"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        from domain.aliases import party_kind
        from domain.enterprise import KINDS

        code = party_kind(str(value))
        if code is None:
            choices = ", ".join(f"{k} ({v})" for k, v in KINDS.items())
            self.fail(_("{value!r} is not a party kind (one of {choices})").format(value=value, choices=choices),
                      param, ctx)
        return code

    def get_metavar(self, param: Any, ctx: Any = None) -> str:
        from domain.enterprise import KINDS

        return "[" + "|".join(f"{k}|{v}" for k, v in KINDS.items()) + "]"


DATE = DateType()


class DurationType(click.ParamType):
    """A length of time as ``90s``, ``15m``, ``2h`` or ``1h30m`` (a bare number is minutes); in seconds."""

    name = "DURATION"

    def __init__(self, longest: float):
        self.longest = longest

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        import re

        spoken = ascii_digits(str(value)).strip().lower()
        parts = re.fullmatch(r"(\d+)|(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", spoken)
        if parts is None or not any(parts.groups()):
            self.fail(_("{value!r} is not a length of time (e.g. 90s, 15m, 2h, 1h30m)").format(value=value), param, ctx)
        bare, hours, minutes, secs = (int(p or 0) for p in parts.groups())
        seconds = bare * 60 + hours * 3600 + minutes * 60 + secs
        if not 1 <= seconds <= self.longest:
            self.fail(_("{value!r}: give between 1 second and {hours:g} hours").format(
                value=value, hours=self.longest / 3600), param, ctx)
        return float(seconds)


AGENT_TIME = DurationType(longest=8 * 3600)  # ledger.infra.agent.LONGEST
PARTY_KIND = PartyKindType()


YUAN = YuanType()


def basis_pairs(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> dict[str, str]:
    """``--basis k=v`` (repeated) as a dict; a malformed pair is bad usage (exit 2)."""
    from domain.rules.basis import split_pairs

    try:
        return split_pairs(value)
    except Refused as exc:
        raise click.BadParameter(text(exc), ctx=ctx, param=param) from None


def officer_keyring() -> Any:
    """The officer's keys from $JCG_KEY_DIR, opened with $JCG_PASSPHRASE or a prompt."""
    from ledger.infra.keys import Keyring, KeyStore

    return Keyring(KeyStore.from_env(prompt=lambda text: click.prompt(text, hide_input=True, err=True)))


class Session:
    """What every command needs: the database URL, the acting officer, the ledger, and its
    read side (read models kept current after every write; a local cache for a reader who
    may not write the ledger). Only `init` and `demo` set ``create``: any other command on a
    database without a ledger is refused and creates nothing."""

    def __init__(self, url: str, officer: str):
        self.url = url
        self.officer = officer
        self.form = "text"  # a writing command's --format: text, or json (the recorded outcome)
        self.create = False
        self._ledger: Ledger | None = None
        self._read_side: Any = None
        self._keyring: Any = None

    @property
    def keyring(self) -> Any:
        if self._keyring is None:
            self._keyring = officer_keyring()
        return self._keyring

    def unlock_ahead(self) -> None:
        """A writing command signs as the officer: start opening the officer's key file now, on a
        background thread, so its scrypt derivation overlaps the imports and the opening of the
        ledger (ledger.infra.keys.Unlocking: same key, same refusals, handed over when signing),
        unless the key agent holds it (`jcg officer unlock`). Only when $JCG_PASSPHRASE gives the
        passphrase: a prompt is asked where it is asked today (after the other prompts and checks of
        the command), and the officer's typing dwarfs the derivation anyway."""
        if self._ledger is None:
            self.keyring.unlock_ahead(self.officer)

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            from ledger.application import Ledger

            try:
                self._ledger = Ledger.open(self.url, keyring=self.keyring, create=self.create)
            except ValueError as exc:
                raise click.UsageError(text(exc)) from None
            if not self._ledger.database.read_only:
                # the models are kept current without making the read side (nor importing SQLAlchemy)
                # unless the write's events cannot be applied directly (projections.after_write)
                from projections.after_write import keep_current

                keep_current(self._ledger, lambda: self.read_side, direct=self._direct)
            self.imported()
        return self._ledger

    @staticmethod
    def imported() -> None:
        """The command's imports are done: jcg's entry (cli.run) deferred collecting until now;
        what was imported is frozen (never walked again) and the collector enabled."""
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def _direct(self) -> bool:
        return self._read_side is None or bool(self._read_side.writes_ledger())

    @property
    def read_side(self) -> Any:
        if self._read_side is None:
            from projections.readside import ReadSide

            self._read_side = ReadSide(self.ledger)
        return self._read_side

    def close(self) -> None:
        """Release the database connections (and a temporary cache) when the command ends."""
        if self._read_side is not None:
            self._read_side.close()
            self._read_side = None
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None
        if self._keyring is not None:
            self._keyring.close()  # a key still being opened: its thread ends with the command
            self._keyring = None

    def run(self, command: Command) -> Outcome:
        outcome = self.ledger.execute(command)
        self.show(outcome, command.kind)
        return outcome

    def show(self, outcome: Outcome, kind: str) -> None:
        """What a writing command recorded, as text or (``--format json``) as JSON."""
        if self.form == "json":
            click.echo(outcome_json(outcome, kind))
            for warning in outcome.warnings:  # never silent, never mixed into the JSON
                click.echo(f"warning: {text(warning)}", err=True)
        else:
            report(outcome)


def _plain(value: Any) -> Any:
    """Amounts as exact strings, dates in ISO form, messages in English: JSON a program can rely on."""
    if isinstance(value, (Decimal, date)):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return str(value)


def outcome_json(outcome: Outcome, kind: str) -> str:
    """The recorded outcome of a writing command (``--format json``): what was recorded (or that it
    already was), its ids and amounts, the trace, the request id and the log position."""
    import json

    body = {
        "kind": kind,
        "recorded": not outcome.already_recorded,
        "already_recorded": outcome.already_recorded,
        "request_id": outcome.request_id,
        "position": outcome.position,
        "message": text(outcome.message),
        "trace": [text(line) for line in outcome.trace],
        "data": _plain({k: v for k, v in outcome.data.items() if k != "order"}),
    }
    return json.dumps(body, ensure_ascii=False, indent=2)


def _set_form(ctx: click.Context, param: click.Parameter, value: str) -> None:
    """``--format`` of a writing command, processed before its other options (eager): the outcome
    is printed in it, and, the command being one that signs, the officer's key starts opening
    (:meth:`Session.unlock_ahead`) while the options are checked and the command's code loads."""
    session = ctx.find_object(Session)
    if session is not None:
        session.form = value
        session.unlock_ahead()


def report(outcome: Outcome) -> None:
    """What a command did, its trace and request id, in the officer's language."""
    click.echo(text(outcome.message))
    for line in outcome.trace:
        click.echo(f"  {text(line)}")
    if outcome.request_id and not outcome.already_recorded:
        click.echo("  " + _("request id: {request_id}").format(request_id=outcome.request_id))
    for warning in outcome.warnings:  # e.g. a due checkpoint that could not be made: never silent
        click.echo(f"warning: {text(warning)}", err=True)


def writing(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options every writing command takes."""
    return _writing(fn, ref_required=False)


def writing_with_ref(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options of a writing command whose decision needs its reference (文号): --ref required."""
    return _writing(fn, ref_required=True)


def outcome_format(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--format text|json`` of a writing command (Session.show prints the outcome in it)."""
    return click.option("--format", "form", type=click.Choice(["text", "json"]), default="text", expose_value=False,
                        callback=_set_form, is_eager=True,
                        help="text, or json: the recorded outcome (ids, amounts as strings, trace, request id, "
                             "position).")(fn)


def _writing(fn: Callable[..., Any], *, ref_required: bool) -> Callable[..., Any]:
    fn = outcome_format(fn)
    fn = click.option("--request-id", type=REQUEST_ID, default="",
                      help="Idempotency key; generated and printed if absent.")(fn)
    fn = click.option("--ref", type=REF, default="", required=ref_required,
                      help="Decision reference (文号)" + (", required." if ref_required else "."))(fn)
    fn = click.option("--decided", type=DATE, required=True, help="Decision date, YYYY-MM-DD (G.1 window).")(fn)
    return fn


def common(decided: date, ref: str, request_id: str) -> dict[str, Any]:
    session = click.get_current_context().find_object(Session)
    assert session is not None
    return {"actor": session.officer, "decided": decided, "ref": ref, "request_id": request_id}


pass_session = click.make_pass_decorator(Session)


class SpentType(YuanType):
    """Like YUAN, but nothing spent (0) is a valid answer for a project's completion."""

    name = "YUAN"

    def convert(self, value: Any, param: Any, ctx: Any) -> Decimal:
        if str(value).strip(" ") in {"0", "0.0", "0.00", "0元"}:
            return Decimal("0.00")
        return super().convert(value, param, ctx)


SPENT = SpentType()


class RateType(click.ParamType):
    """A share rate as written: 0.45 or 45%."""

    name = "RATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            return parse_rate(str(value))
        except Refused as exc:
            self.fail(_text(exc), param, ctx)


class RateTextType(click.ParamType):
    """A rate checked at the boundary (``20%``, ``0.2``) but passed on as its text, for
    commands that record the rate as written (project conversion terms)."""

    name = "RATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        try:
            parse_rate(str(value), param.name if param is not None else "rate")
        except Refused as exc:
            self.fail(_text(exc), param, ctx)
        return ascii_digits(str(value)).strip(" ")


RATE_TEXT = RateTextType()


def time_travel(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options every report takes: output format and the point in history shown."""
    fn = click.option("--at-position", type=POSITION, default=None,
                      help="State after the first N recorded events (folded from the log).")(fn)
    fn = click.option("--as-of", type=DATE, default=None,
                      help="State as of a decision date, YYYY-MM-DD (folded from the log).")(fn)
    fn = click.option("--format", "form", type=click.Choice(["table", "csv", "json", "xlsx"]), default="table",
                      show_default=True,
                      help="table, csv (UTF-8 with BOM), json, or xlsx (a spreadsheet: redirect it to a file).")(fn)
    return fn
