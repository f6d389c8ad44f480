"""Paying as the two-person rule wants it, for tests about something else: the officer records
the payment order, the test approver (who did not record it) posts it the same day.

A payment command without a reference gets a fresh one, so tests that do not care about
vouchers still record each payment under its own."""

from __future__ import annotations

import itertools
from dataclasses import fields, replace
from typing import Any

from domain.errors import Refused
from ledger import Ledger
from ledger.commands import Command, Outcome
from ledger.handlers.payments import PostPayment
from tests.conftest import APPROVER

REFERENCE_FIELDS = ("voucher", "receipt")
_numbers = itertools.count(1)


def with_reference(command: Command) -> Command:
    """The command with a voucher/receipt of its own if it names none."""
    names = {f.name for f in fields(command)}
    for name in REFERENCE_FIELDS:
        if name in names and not getattr(command, name):
            return replace(command, **{name: f"T-{type(command).__name__}-{next(_numbers)}-{id(command) % 10**6}"})
    return command


SECOND_APPROVER = "approver-2"  # posts what APPROVER recorded (registered the first time it is needed)


def second_approver(ledger: Ledger) -> str:
    """An approver APPROVER did not register (the two-people rule refuses one they did)."""
    from domain.officer import ROSTER_ID
    from tests.conftest import independent_approver

    if SECOND_APPROVER not in ledger.aggregate(ROSTER_ID).officers:
        independent_approver(ledger, SECOND_APPROVER)
    return SECOND_APPROVER


def paid(ledger: Ledger, command: Command, *, approver: str = "") -> Outcome:
    """Record the payment and, if it is a pending order, post it as ``approver`` (default: the
    test approver, or a second one when the test approver recorded it); the posting's outcome
    (or the direct one) is returned, with the order's outcome in ``data["order"]``."""
    order = ledger.execute(with_reference(command))
    if order.data.get("status") != "pending" or order.already_recorded:
        return order
    if approver:
        posted = ledger.execute(post(order, command.decided, approver))
    else:
        try:  # the test approver, unless they recorded the order or approved what it pays (two people)
            if command.actor == APPROVER:
                raise Refused("recorded by the test approver")
            posted = ledger.execute(post(order, command.decided, APPROVER))
        except Refused:
            posted = ledger.execute(post(order, command.decided, second_approver(ledger)))
    posted.data["order"] = order
    return posted


def post(order: Outcome, decided: Any, approver: str = APPROVER, **kw: Any) -> PostPayment:
    return PostPayment(actor=approver, decided=decided, source=order.data["source"],
                       reference=order.data["payment"], **kw)


def approver_cli(url: str, approver: str = APPROVER) -> Any:
    """Run `jcg` as the test approver (who posts what the test officer recorded)."""
    from click.testing import CliRunner

    import cli

    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(cli.main, ["--db", url, "--officer", approver, *args])

    return invoke


def second_approver_at(url: str) -> str:
    """The second approver on the ledger at ``url`` (for command-line tests), registered if needed."""
    from tests.conftest import fixed_clock

    ledger = Ledger.open(url, clock=fixed_clock())
    try:
        return second_approver(ledger)
    finally:
        ledger.close()
