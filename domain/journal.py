"""Double-entry postings: every money event maps to entries that sum to zero.

Debits are positive, credits negative. Account names say what the money is:

- ``funding:<source>``              cash of a funding source (市财政, 省财政, 开发区, a bank)
- ``budget:<clause>:<year>``        a clause's spending in a fiscal year (the budget line)
- ``payable:<party>``               awarded to a party and not yet paid
- ``revenue:returned:<year>``       clawbacks of an earlier year's spending, returned to the treasury

Each aggregate module registers the postings of its own events on :func:`postings`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import singledispatch
from typing import Any, NamedTuple

CITY = "市财政"
PROVINCE = "省财政"


class Posting(NamedTuple):
    """One leg of an entry (a named tuple: immutable, and made twice per money event on every
    fold, where a frozen dataclass's ``__init__`` cost a rebuild 2 µs per event)."""

    account: str
    amount: Decimal


class UnbalancedEntry(ValueError):
    pass


def entry(*legs: tuple[str, Decimal]) -> tuple[Posting, ...]:
    """A balanced journal entry; refuses to build one that does not sum to zero."""
    result = tuple(Posting(account, amount) for account, amount in legs if amount != 0)
    total = sum((p.amount for p in result), Decimal(0))
    if total != 0:
        raise UnbalancedEntry(f"journal entry does not balance: {result} sums to {total}")
    return result


def transfer(debit: str, credit: str, amount: Decimal) -> tuple[Posting, ...]:
    """Move ``amount`` from ``credit`` to ``debit`` (two opposite legs: balanced by construction,
    so not summed again; every money event posts through here or :func:`entry`)."""
    if not amount.is_finite():
        return entry((debit, amount), (credit, -amount))  # refused as before
    if amount == 0:
        return ()
    return Posting(debit, amount), Posting(credit, -amount)


def funding(source: str) -> str:
    return f"funding:{source}"


def budget(clause: str, year: int) -> str:
    return f"budget:{clause}:{year}"


def payable(party: str) -> str:
    return f"payable:{party}"


def returned(year: int) -> str:
    return f"revenue:returned:{year}"


@singledispatch
def postings(event: Any) -> tuple[Posting, ...]:
    """The journal entry of an event; events that move no money post nothing."""
    return ()


def trial_balance(events: Iterable[Any]) -> dict[str, Decimal]:
    """Every account's balance over the given events; the balances always sum to zero."""
    totals: dict[str, Decimal] = {}
    for event in events:
        for p in postings(event):
            totals[p.account] = totals.get(p.account, Decimal("0.00")) + p.amount
    return totals
