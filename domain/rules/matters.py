"""G.3 就高不重复: one entitlement per matter, across this policy and the others.

A matter key names the family of clauses and the subject (``P5.5:listing``,
``P3.1:LAB-7``, ``P6.7:ZL202310001``) and is kept on the recipient, so every award and every
external award recorded for the same key is seen. A new entitlement on a matter pays only
what exceeds everything already received on it (awards net of clawbacks, plus awards under
the provincial 晋创谷 policy or other city policies); an equal or lower one pays nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from domain.enterprise import Award, Enterprise, ExternalAward
from domain.errors import CapExceeded, Refused
from domain.messages import N_, Message
from domain.money import ZERO, fmt
from domain.rules.basis import subject_text


class Rule(Protocol):
    """What G.3 reads of a rule (the engine's ``Rule`` has it); declared here so the engine
    can import this module without this module importing the engine."""

    @property
    def clause(self) -> str: ...
    @property
    def matter_note(self) -> str: ...
    @property
    def shared(self) -> str: ...
    @property
    def shape(self) -> str: ...
    @property
    def subject_family(self) -> str: ...


class Calculation(Protocol):
    """What G.3 reads and reduces of a calculation in progress (the engine's ``Calculation``)."""

    amount: Decimal

    @property
    def clause(self) -> str: ...
    @property
    def year(self) -> int: ...
    @property
    def recipient(self) -> Enterprise: ...
    @property
    def others(self) -> Sequence[Award]: ...
    @property
    def others_external(self) -> Sequence[tuple[str, ExternalAward]]: ...
    def step(self, text: str) -> None: ...


def matter_key(family: str, *subject: object) -> str:
    """``matter_key("P3.1", "LAB-7")`` → ``P3.1:LAB-7``. Free-text subjects arrive already in
    their one spelling (basis kind ``subject``: upper-case, see basis.subject_text)."""
    parts = [family, *(str(s).strip() for s in subject)]
    return ":".join(p for p in parts if p)


def received(calc: Calculation, key: str) -> tuple[Decimal, str]:
    """What was already received on ``key``: the recipient's awards net of clawbacks and its
    external awards, and (a subject spanning recipients) the other recipients' too."""
    others = [a for a in calc.others if a.matter == key and a.amount > a.clawed_back]
    external = [(code, x) for code, x in calc.others_external if x.matter == key]
    total = (calc.recipient.received_on(key) + sum((a.amount - a.clawed_back for a in others), ZERO)
             + sum((x.amount for _, x in external), ZERO))
    sources = "; ".join(p for p in [calc.recipient.received_sources(key),
                                    *(f"{a.award_id} {a.clause} {fmt(a.amount - a.clawed_back)}" for a in others),
                                    *(f"{code}: {x.source} {x.clause} {fmt(x.amount)}" for code, x in external)]
                        if p)
    return total, sources


def apply_matter(calc: Calculation, key: str) -> None:
    """Reduce the calculation's amount to the difference on ``key``, or refuse at zero."""
    got, sources = received(calc, key)
    if got <= 0:
        return
    if calc.amount <= got:
        raise Refused(
            N_("G.3 就高不重复: matter {key} of {code} already received {received} ({sources}), not less than this entitlement {amount} under {clause}; nothing to pay"), key=key, code=calc.recipient.code, received=fmt(got), sources=sources, amount=fmt(calc.amount), clause=calc.clause
        )
    calc.amount -= got
    calc.step(Message(N_("G.3 matter {key}: already received {received} ({sources}), pays the difference {amount}"), key=key, received=fmt(got), sources=sources, amount=fmt(calc.amount)))


def within_room(calc: Calculation, key: str, cap: Decimal, label: str) -> None:
    """An officer's amount on a capped matter: what was received on it (this policy and the
    others, G.3) uses the cap; the amount must fit in the room left (refused, never cut).
    ``label`` names the cap with its amount (``cap 300,000 over the construction period``)."""
    got, sources = received(calc, key)
    room = max(cap - got, ZERO)
    seen = (Message(N_("; G.3 matter {key}: {sources}"), key=key, sources=sources) if sources
            else Message(N_("; G.3 matter {key}"), key=key))
    calc.step(Message(N_("{label}, used {used}, remaining {remaining}{seen}"), label=label, used=fmt(got),
                      remaining=fmt(room), seen=seen))
    if room <= 0:
        raise CapExceeded(N_("{clause}: {label} is used up (used {used}{seen}; awards under other policies count "
                             "too); nothing to award"), clause=calc.clause, label=label, used=fmt(got), seen=seen)
    if calc.amount > room:
        raise CapExceeded(N_("{clause}: amount decided {amount} exceeds the {remaining} remaining of the {label} "
                             "(used {used}{seen})"), clause=calc.clause, amount=fmt(calc.amount), remaining=fmt(room),
                          label=label, used=fmt(got), seen=seen)


def _held(calc: Calculation, key: str) -> list[Award]:
    """This policy's awards on ``key`` that still hold money (a fully clawed-back award does
    not count: the money came back)."""
    return [a for a in calc.recipient.awards.values() if a.matter == key and a.amount > a.clawed_back]


def refuse_second_award(calc: Calculation, key: str, subject: str) -> None:
    """一次性: a one-time clause pays once per recipient (or subject); no G.3 top-up."""
    held = _held(calc, key)
    if held:
        first = held[0]
        what = Message(N_(" for {subject}"), subject=subject) if subject else ""
        raise Refused(
            N_("{clause}: one-time (一次性){what}: {code} already received award {award_id} of {value} on {decided} (matter {key}); a second award is refused"), clause=calc.clause, what=what, code=calc.recipient.code, award_id=first.award_id, value=fmt(first.amount - first.clawed_back), decided=first.decided, key=key
        )


def refuse_another_year(calc: Calculation, key: str, subject: str) -> None:
    """A matter under a per-recipient-per-year cap belongs to the year it was first awarded:
    that year's cap is final, so another year cannot pay what it cut (reading of P2.4)."""
    held = _held(calc, key)
    if not held:
        return
    first_year = min(a.fiscal_year for a in held)
    if calc.year == first_year:
        return
    paid = sum((a.amount - a.clawed_back for a in held if a.fiscal_year == first_year), ZERO)
    when = Message(N_("a later")) if calc.year > first_year else Message(N_("an earlier"))
    raise Refused(
        N_("{clause}: {value} was subsidised in {first_year} ({paid}); {when} year cannot top it up (the {first_year} annual cap is final)"), clause=calc.clause, value=subject or Message(N_('matter {key}'), key=key), first_year=first_year, paid=fmt(paid), when=when
    )


def matter_shape(rule: Rule) -> str:
    """The matter key's shape from the rule's note: ``P6.7:<patent>`` ('' if it has none)."""
    return rule.shape


def _shape_pattern(shape: str) -> re.Pattern[str]:
    parts = re.split(r"(<[a-z_]+>)", shape)
    regex = "".join(
        r"(\d{4})" if p == "<year>" else r"([^:]*[^:\s])" if p.startswith("<") else re.escape(p)
        for p in parts if p
    )
    return re.compile(regex, re.IGNORECASE)


def external_shared_subject(rule: Rule, matter: str) -> str:
    """The subject aggregate's key of an external award's (canonical) matter under a rule whose
    subject spans recipients: ``P6.2:ZX-1:2025`` → ``P6.2:ZX-1``; '' if the rule has none."""
    if not rule.shared:
        return ""
    shape = matter_shape(rule)
    names = re.findall(r"<([a-z_]+)>", shape)
    found = _shape_pattern(shape).fullmatch(matter)
    if not found or rule.shared not in names:
        return ""
    return f"{rule.subject_family}:{subject_text(found.group(names.index(rule.shared) + 1))}"


def check_external_matter(rule: Rule, matter: str) -> str:
    """An external award's matter must have the rule's shape, or G.3 would never match it; it
    is returned in the one spelling the rules use (the shape's fixed words as written, each
    free-text subject upper-case), so ``p6.7:zl-1`` is matter ``P6.7:ZL-1``."""
    matter = matter.strip()
    shape = matter_shape(rule)
    if not shape:
        raise Refused(
            N_("{clause} has no G.3 matter (its awards are not matched by 就高不重复), so an external award under it would never be counted"), clause=rule.clause
        )
    found = _shape_pattern(shape).fullmatch(matter)
    if not found:
        raise Refused(N_("{clause}: matter {matter!r} does not have the shape {shape} that G.3 matches"), clause=rule.clause, matter=matter, shape=shape)
    subjects = iter(found.groups())
    return "".join(subject_text(next(subjects)) if p.startswith("<") else p
                   for p in re.split(r"(<[a-z_]+>)", shape) if p)
