"""Yuan amounts: exact Decimals with two places, parsed the way officers write them.

Money never touches float. Rounding (ROUND_HALF_UP to the fen) happens only where a rule
says so, through :func:`round_fen`; everything else refuses amounts that are not already
exact to the fen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.errors import InvalidAmount
from domain.messages import N_

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
WAN = Decimal(10000)
YI = Decimal(100000000)
# Larger than any sum the policies could move (the city's whole budget is far smaller), and
# small enough that every rule's arithmetic stays exact in Decimal's 28 digits.
MAX_YUAN = Decimal(10) ** 15
MAX_AMOUNT_TEXT = 40  # "999,999,999,999,999.99元" is 24 characters

# ASCII digits only (``\d`` would take Arabic-Indic or Devanagari digits, and Decimal would
# read them and ``1_000``); full-width digits and punctuation are folded to ASCII first.
_GROUPED = re.compile(r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")
_PLAIN = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_RATE = re.compile(r"[0-9]+(\.[0-9]+)?%?")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．％－", "0123456789,.%-")


def ascii_digits(text: str) -> str:
    """Full-width digits, comma, point, percent and minus (as an IME types them) → ASCII."""
    return text.translate(_FULL_WIDTH)


def parse_yuan(text: str | int | Decimal, *, positive: bool = True) -> Decimal:
    """Parse an amount as written on a decision: ``500000``, ``500,000.00``, ``50万元``, ``1.5亿元``.

    Refuses floats, exponents, more than two decimals (in yuan), empty and non-numeric
    input, and (unless ``positive`` is False) zero or negative amounts.
    """
    if isinstance(text, float) or isinstance(text, bool):
        raise InvalidAmount(N_("amount {text!r}: floats are not accepted for money"), text=text)
    if isinstance(text, Decimal):
        return _exact(text, str(text), positive)
    if isinstance(text, int):
        return _exact(Decimal(text), str(text), positive)
    raw = str(text)
    if len(raw) > MAX_AMOUNT_TEXT:
        raise InvalidAmount(N_("amount {value}… is {length} characters long; an amount is at most {limit}"),
                            value=repr(raw[:20]), length=len(raw), limit=MAX_AMOUNT_TEXT)
    s = ascii_digits(raw).strip(" ").replace(" ", "")
    if not s:
        raise InvalidAmount(N_("amount is empty"))
    multiplier = Decimal(1)
    for suffix, factor in (("万元", WAN), ("万", WAN), ("亿元", YI), ("亿", YI)):
        if s.endswith(suffix):
            s, multiplier = s[: -len(suffix)], factor
            break
    else:
        if s.endswith("元"):
            s = s[:-1]
    if "e" in s.lower():
        raise InvalidAmount(N_("amount {raw!r}: exponents are not accepted"), raw=raw)
    if _GROUPED.fullmatch(s):
        s = s.replace(",", "")
    elif not _PLAIN.fullmatch(s):
        raise InvalidAmount(N_("amount {raw!r} is not a number of yuan"), raw=raw)
    try:
        value = Decimal(s) * multiplier
    except InvalidOperation as exc:  # pragma: no cover - guarded by the patterns
        raise InvalidAmount(N_("amount {raw!r} is not a number of yuan"), raw=raw) from exc
    return _exact(value, raw, positive)


def _exact(value: Decimal, raw: str, positive: bool) -> Decimal:
    if not value.is_finite():
        raise InvalidAmount(N_("amount {raw!r} is not a finite number"), raw=raw)
    if abs(value) >= MAX_YUAN:
        raise InvalidAmount(N_("amount {raw!r} is beyond any sum the ledger keeps (below {max_yuan:,.0f} yuan)"), raw=raw, max_yuan=MAX_YUAN)
    if value != value.quantize(FEN):
        raise InvalidAmount(N_("amount {raw!r} has more than 2 decimals (fen)"), raw=raw)
    if positive and value <= 0:
        raise InvalidAmount(N_("amount {raw!r} must be positive"), raw=raw)
    if value < 0:
        raise InvalidAmount(N_("amount {raw!r} must not be negative"), raw=raw)
    return value.quantize(FEN)


def yuan(value: Decimal | int | str) -> Decimal:
    """An exact amount to the fen (refuses anything that would need rounding)."""
    d = Decimal(value)
    if not d.is_finite() or abs(d) >= MAX_YUAN:
        raise InvalidAmount(N_("amount {value} is beyond any sum the ledger keeps (below {max_yuan:,.0f} yuan)"), value=value, max_yuan=MAX_YUAN)
    if d != d.quantize(FEN):
        raise InvalidAmount(N_("amount {value} has more than 2 decimals (fen)"), value=value)
    return d.quantize(FEN)


def round_fen(value: Decimal) -> Decimal:
    """ROUND_HALF_UP to the fen: call only at the points a rule says."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def split(total: Decimal, ratios: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` by ``ratios``: each share but the last is rounded half-up to the fen,
    and the last takes the remainder, so the parts always add up exactly to the whole.

    The ratios may sum to 1 (a full split) or less (then pass the remainder holder last
    with its own ratio; it still takes the exact rest).
    """
    total = yuan(total)
    if not ratios:
        raise ValueError("split needs at least one ratio")
    if any(r < 0 for r in ratios):
        raise ValueError("split ratios must not be negative")
    if sum(ratios, Decimal(0)) != 1:
        raise ValueError(f"split ratios must add up to 1, got {sum(ratios, Decimal(0))}")
    parts = [round_fen(total * r) for r in ratios[:-1]]
    parts.append(total - sum(parts, ZERO))
    return parts


def pro_rata(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Share ``total`` in proportion to ``weights`` (e.g. what each payer compensated),
    rounded half-up to the fen, the last weight taking the exact remainder."""
    whole = sum(weights, Decimal(0))
    if whole <= 0:
        raise ValueError("pro-rata weights must add up to more than zero")
    total = yuan(total)
    parts = [round_fen(total * w / whole) for w in weights[:-1]]
    parts.append(total - sum(parts, ZERO))
    return parts


def parse_rate(value: str | Decimal, what: str = "rate") -> Decimal:
    """A rate as written: ``4%`` or ``0.04`` (full-width digits too), between 0 and 100 %;
    never a float, an exponent, ``_`` or another script's digits."""
    if isinstance(value, float):
        raise InvalidAmount(N_("{what} {value!r}: floats are not accepted"), what=what, value=value)
    if isinstance(value, Decimal):
        rate = value
    else:
        text = ascii_digits(str(value)).strip(" ")
        if not _RATE.fullmatch(text):
            raise InvalidAmount(N_("{what} {value} is not a rate (write 0.04 or 4%)"), what=what,
                                value=repr(str(value)[:40]))
        rate = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    if not rate.is_finite() or not 0 <= rate <= 1:
        raise InvalidAmount(N_("{what} {value!r} must be between 0 and 1 (or 0% and 100%)"), what=what, value=value)
    return rate


def fmt(value: Decimal) -> str:
    """``7654321.09`` → ``7,654,321.09`` for traces and tables."""
    return f"{value:,.2f}"


def fmt_plain(value: Decimal) -> str:
    """Amounts in traces: thousands separators, no trailing ``.00`` for whole caps."""
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,.2f}"
