"""Parse types of the feature steps: amounts and dates the way officers write them.

Amounts go through domain.money.parse_yuan, the same parser as the command line, so a
feature and `jcg` can never disagree on what ``50万元`` or ``1,000,000.01元`` means.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pytest_bdd import parsers

from domain.money import parse_yuan

_AMOUNT = r"-?\d[\d,]*(?:\.\d+)?(?:万元|万|元)?"


def _yuan(text: str) -> Decimal:
    return parse_yuan(text, positive=False)


_yuan.pattern = _AMOUNT  # type: ignore[attr-defined]  # parse type converters carry their pattern as a function attribute


def _date(text: str) -> date:
    return date.fromisoformat(text)


_date.pattern = r"\d{4}-\d{2}-\d{2}"  # type: ignore[attr-defined]  # parse type converters carry their pattern as a function attribute


def _word(text: str) -> str:
    return text


_word.pattern = r"[^\s,，:：\"]+"  # type: ignore[attr-defined]  # parse type converters carry their pattern as a function attribute

TYPES: dict[str, Any] = {"Yuan": _yuan, "Date": _date, "Word": _word}


def step(text: str) -> parsers.parse:
    """A step pattern with the custom types {x:Yuan}, {x:Date} and {x:Word}."""
    return parsers.parse(text, extra_types=TYPES)
