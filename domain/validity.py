"""G.1: the notice is in force from 2024-11-05 to 2028-12-31, judged by decision date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from domain.errors import InvalidDate
from domain.messages import N_, message
from domain.parameters import ParameterBook


def check_in_force(decided: date, book: ParameterBook) -> None:
    """Refuse a decision dated outside the policy window (back-dated recording is fine)."""
    window = book.versions("G.1")
    start = min(p.value for p in window if p.name == "in_force_from")
    until = max(p.value for p in window if p.name == "in_force_until")
    if not start <= decided <= until:
        raise InvalidDate(
            N_("G.1: decision date {isoformat} is outside the policy window {isoformat2} to {isoformat3}"), isoformat=decided.isoformat(), isoformat2=start.isoformat(), isoformat3=until.isoformat()
        )


# The ledger's "today" is the date in China (UTC+8) of the recording clock, so a fixed clock
# makes the check deterministic in tests and a bureau's evening entry is not a day early.
CHINA = timezone(timedelta(hours=8))


def today_of(now: datetime) -> date:
    """The calendar date in China at the instant ``now`` (the ledger's clock)."""
    return now.astimezone(CHINA).date()


def check_not_future(day: date, now: datetime, what: str = N_("decision date")) -> None:
    """Refuse a decision or payment dated after today: it has not happened yet."""
    today = today_of(now)
    if day > today:
        raise InvalidDate(N_("{what} {day} is after today ({today}): record a decision or payment once it has been "
                             "made"), what=message(what), day=day.isoformat(), today=today.isoformat())
