"""G.3 就高不重复: one entitlement per matter, across this policy and the others.

A matter key names the family of clauses and the subject (``P5.5:listing``,
``P3.1:LAB-7``, ``P6.7:ZL202310001``) and is kept on the recipient, so every award and every
external award recorded for the same key is seen. A new entitlement on a matter pays only
what exceeds everything already received on it (awards net of clawbacks, plus awards under
the provincial 晋创谷 policy or other city policies); an equal or lower one pays nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.errors import Refused
from domain.money import fmt

if TYPE_CHECKING:
    from domain.rules.engine import Calculation


def matter_key(family: str, *subject: object) -> str:
    """``matter_key("P3.1", "LAB-7")`` → ``P3.1:LAB-7``."""
    parts = [family, *(str(s).strip() for s in subject)]
    return ":".join(p for p in parts if p)


def apply_matter(calc: Calculation, key: str) -> None:
    """Reduce the calculation's amount to the difference on ``key``, or refuse at zero."""
    received = calc.recipient.received_on(key)
    if received <= 0:
        return
    sources = calc.recipient.received_sources(key)
    if calc.amount <= received:
        raise Refused(
            f"G.3 就高不重复: matter {key} of {calc.recipient.code} already received {fmt(received)} "
            f"({sources}), not less than this entitlement {fmt(calc.amount)} under {calc.clause}; nothing to pay"
        )
    calc.amount -= received
    calc.step(f"G.3 matter {key}: already received {fmt(received)} ({sources}), pays the difference {fmt(calc.amount)}")
