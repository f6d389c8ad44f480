"""The rules engine: a rule per money clause, evaluated to an entitlement with a trace.

A rule body reads its typed basis and dated parameters through a :class:`Calculation`,
which records every step (``2% × 7,654,321.09 = 153,086.42``), every parameter version
used (G.4) and the G.3 matter, and applies caps against the recipient's recorded awards.
The result is an :class:`Entitlement`: the amount, the one-line derivation a person can
read, and what the award must record. A failed condition is a one-line ``Refused``.

Rules are of two kinds, in one registry: an award to a recipient (``@rule``, here) and a loss
shared between bearers (``@loss_split``, P5.6, :mod:`domain.rules.split`). Both read their
parameters through :class:`Derivation` and write their trace with :func:`trace_line`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn

from domain.clauses import canonical_id
from domain.clauses import clause as find_clause
from domain.enterprise import KINDS, Award, Enterprise, ExternalAward
from domain.errors import CapExceeded, InvalidAmount, Refused
from domain.messages import N_, Message, message
from domain.money import ZERO, fmt, fmt_plain, round_fen, yuan
from domain.parameters import ParameterBook
from domain.rules.basis import Basis, Key, canonical_text, parse_basis, subject_text, with_key_names
from domain.rules.matters import apply_matter, refuse_another_year, refuse_second_award, within_room


def pct(rate: Decimal) -> str:
    """``Decimal("0.02")`` → ``2%``, ``Decimal("0.005")`` → ``0.5%`` (for traces)."""
    return f"{(rate * 100).normalize():f}%"


def trace_line(clause: str, steps: Sequence[str], outcome: str | Message) -> Message:
    """The one derivation line of every rule: ``<clause>: <step>; <step> → <outcome>``. The outcome
    is an amount (an award) or a Message naming each bearer's share (a loss split)."""
    if isinstance(outcome, Message):
        return Message(N_("{clause}: {steps} → {shares}"), clause=clause, steps=list(steps), shares=outcome)
    return Message(N_("{clause}: {steps} → {amount}"), clause=clause, steps=list(steps), amount=outcome)


AWARD = "award"  # an amount to a recipient (Entitlement)
SPLIT = "split"  # a loss shared between bearers (domain.rules.split.Split)


@dataclass(frozen=True)
class CountCap:
    """A count cap (e.g. P4.2b: at most 10 people a year), enforced on the clause-year counter."""

    clause: str
    year: int
    limit: int


@dataclass(frozen=True)
class Entitlement:
    """What a rule allows for one recipient on one decision date, and how it was derived."""

    clause: str
    recipient: str
    amount: Decimal
    steps: tuple[str, ...]
    versions: tuple[str, ...]
    matter: str
    basis: Mapping[str, str]
    reason: str = ""
    count_cap: CountCap | None = None

    @property
    def line(self) -> str:
        """``P2.4: 2% × 7,654,321.09 = 153,086.42; cap … → 100,000.00``."""
        return trace_line(self.clause, self.steps, fmt(self.amount))

    @property
    def trace(self) -> list[str]:
        return [self.line]


@dataclass(frozen=True)
class Rule:
    """One money clause: its basis keys, who may receive it and how the amount arises.

    ``decided`` rules take an officer's amount (``--amount``) and check it against the
    clause's floor or cap; formula rules compute the amount and refuse a differing one.
    ``once`` rules (一次性, a single amount per recipient or subject, no levels) refuse a
    second award on their matter instead of paying a G.3 difference; ``year_final`` rules
    (a per-recipient-per-year cap) keep a matter in the year it was first awarded, so a
    later year cannot top up what that year's cap cut. ``kinds`` are the recipient kinds the
    clause's text allows (default-deny: a rule without kinds is a programming error).
    ``shared`` names the basis key whose subject spans recipients (P4.1a: a person is paid
    for once, whichever enterprise hires them; P3.1: a platform is paid for once, whoever built
    it): its awards are kept on a subject aggregate keyed ``<family>:<subject>`` (``family``
    defaults to the clause; P3.1a/b/c share ``P3.1``). ``matter_note``'s first word is the
    shape of the G.3 matter key (``P3.1:<platform>``): the key is computed from it, so the
    documented key is the key recorded. ``readings`` are the product readings the rule
    implements (CLAUSES.md), printed by `jcg policy show` and docs/rules.md. ``kind`` is
    ``award`` (an Entitlement to a recipient) or ``split`` (a loss shared between bearers, P5.6):
    the body takes the calculation of its kind (:class:`Calculation` or ``SplitCalculation``),
    so it is stored untyped here and typed by its decorator.
    """

    clause: str
    keys: tuple[Key, ...]
    body: Callable[[Any], None]
    kinds: tuple[str, ...] = ()
    decided: bool = False
    needs_reason: bool = False
    matter_note: str = ""
    counted: bool = False
    once: bool = False
    year_final: bool = False
    shared: str = ""
    family: str = ""
    readings: tuple[str, ...] = ()
    kind: str = AWARD

    @property
    def title(self) -> str:
        return find_clause(self.clause).title

    @property
    def shape(self) -> str:
        """The G.3 matter key's shape (``P6.7:<patent>``), '' if the rule has no matter."""
        return self.matter_note.split(" ", 1)[0]

    @property
    def subject_family(self) -> str:
        return self.family or self.clause


RULES: dict[str, Rule] = {}  # every money clause's rule, of either kind


def register(r: Rule) -> None:
    """Add ``r`` to the registry (one rule per clause, whatever its kind)."""
    find_clause(r.clause)  # refuses an id that is not in the clause index
    if r.clause in RULES:
        raise RuntimeError(f"rule {r.clause} is defined twice")
    if not r.kinds or set(r.kinds) - set(KINDS):
        raise RuntimeError(f"rule {r.clause} must name the recipient kinds its text allows (default-deny)")
    RULES[r.clause] = r


def rule(
    clause: str,
    *keys: Key,
    kinds: tuple[str, ...] = (),
    decided: bool = False,
    needs_reason: bool = False,
    matter: str = "",
    counted: bool = False,
    once: bool = False,
    year_final: bool = False,
    shared: str = "",
    family: str = "",
    readings: tuple[str, ...] = (),
) -> Callable[[Callable[[Calculation], None]], Callable[[Calculation], None]]:
    """Register the body of the rule for ``clause`` (one per clause)."""

    def add(body: Callable[[Calculation], None]) -> Callable[[Calculation], None]:
        if shared and shared not in {k.name for k in keys}:
            raise RuntimeError(f"rule {clause}: shared subject {shared} is not one of its basis keys")
        shape = matter.split(" ", 1)[0]
        names = {k.name for k in keys} | {"year", "recipient"}
        if set(re.findall(r"<([a-z_]+)>", shape)) - names:
            raise RuntimeError(f"rule {clause}: matter shape {shape} names a value that is not a basis key")
        register(Rule(clause, tuple(keys), body, kinds, decided, needs_reason, matter, counted, once,
                      year_final, shared, family, tuple(readings)))
        return body

    return add


def find_rule(clause_id: str, kind: str = AWARD) -> Rule:
    """The rule of a clause, of the kind the caller computes (an award, or a loss split)."""
    c = find_clause(clause_id)
    clause_id = c.id
    if clause_id not in RULES:
        raise Refused(N_("clause {clause_id} has no rule in the engine (see `jcg policy list`)"), clause_id=clause_id)
    r = RULES[clause_id]
    if r.kind != kind and r.kind == SPLIT:
        raise Refused(N_("{clause_id} ({title}) is a loan-loss split, not an award: it is recorded on the loan"), clause_id=clause_id, title=c.title)
    if r.kind != kind:
        raise Refused(N_("{clause_id} ({title}) is an award, not a loan-loss split"), clause_id=clause_id, title=c.title)
    return r


@dataclass
class Derivation:
    """What a rule body of either kind works on: its typed basis, the parameters in force on the
    decision date (each version used is recorded, G.4) and the steps of its trace."""

    rule: Rule
    book: ParameterBook
    decided: date
    basis: Basis
    steps: list[str] = field(default_factory=list, kw_only=True)
    versions: list[str] = field(default_factory=list, kw_only=True)

    @property
    def clause(self) -> str:
        return self.rule.clause

    @property
    def year(self) -> int:
        return self.decided.year

    # reading --------------------------------------------------------------------------
    def param(self, name: str, clause: str | None = None) -> Any:
        """The value in force on the decision date; its version is recorded (G.4)."""
        p = self.book.at(clause or self.clause, name, on=self.decided)
        if p.version not in self.versions:
            self.versions.append(p.version)
        return p.value

    def refuse(self, why: str | Message) -> NoReturn:
        raise Refused(N_("{clause}: {why}"), clause=self.clause, why=why)

    def require(self, condition: bool, why: str) -> None:
        """Refuse naming the condition that failed."""
        if not condition:
            self.refuse(why)

    def step(self, text: str) -> None:
        self.steps.append(text)


@dataclass
class Calculation(Derivation):
    """The working state of one award's evaluation; rule bodies call its methods in order."""

    recipient: Enterprise
    requested: Decimal | None = None
    reason: str = ""
    counter_taken: tuple[str, ...] = ()
    others: tuple[Award, ...] = ()  # other recipients' awards on the shared subject (Rule.shared)
    others_external: tuple[tuple[str, ExternalAward], ...] = ()  # (recipient, award) on the shared subject
    recorded: Mapping[str, Any] = field(default_factory=dict)  # facts recorded elsewhere (P5.3: the fund)
    amount: Decimal = ZERO
    matter_key: str = ""
    count_cap: CountCap | None = None

    def basis_year(self, what: str, why: str, key: str = "year") -> int:
        """A past year the award is for (rent paid, financing provided, an assessment; default:
        the decision year): not after the decision year, not before the policy's start year
        (G.1) nor the year the recipient entered the platform."""
        year = int(self.basis.get(key, self.year))
        start = self.param("in_force_from", "G.1")
        entered = self.recipient.entered
        what, why = message(what), message(why)
        self.require(year <= self.year, Message(N_("{what} {year} is after the decision year {year2} ({why})"), what=what, year=year, year2=self.year, why=why))
        self.require(year >= start.year, Message(N_("{what} {year} is before the policy's start year {year2} (G.1: in force from {start})"), what=what, year=year, year2=start.year, start=start))
        self.require(year >= entered.year, Message(N_("{what} {year} is before {code} entered the platform ({entered})"), what=what, year=year, code=self.recipient.code, entered=entered))
        return year

    def first_recognition(self, what: str) -> None:
        """新认定/首次认定: the recognition this award is for is dated (on or before the decision)
        and is the subject's first at this level; both facts are required and shown in the trace."""
        on: date = self.basis["recognised_on"]
        self.require(on <= self.decided, Message(N_("recognised on {on}, after the decision date {decided}"), on=on,
                                                 decided=self.decided))
        self.require(self.basis["first_recognition"],
                     Message(N_("{what} is not a first recognition at this level (新认定/首次认定 is required)"),
                             what=what))
        self.step(Message(N_("first recognition of {what} on {on}"), what=what, on=on))

    # amounts --------------------------------------------------------------------------
    def rate_of(self, base: Decimal, rate: Decimal, label: str = "") -> Decimal:
        """``rate × base`` rounded half-up to the fen (the one rounding point of a formula)."""
        self.amount = round_fen(rate * base)
        if label:
            self.step(Message(N_("{rate} × {label} {base} = {amount}"), rate=pct(rate), label=message(label),
                              base=fmt(base), amount=fmt(self.amount)))
        else:
            self.step(Message(N_("{rate} × {base} = {amount}"), rate=pct(rate), base=fmt(base), amount=fmt(self.amount)))
        return self.amount

    def fixed(self, name: str, label: str) -> Decimal:
        """A fixed amount from the parameters (e.g. national incubator 1,000,000)."""
        self.amount = yuan(self.param(name))
        self.step(Message(N_("{label} {amount}"), label=message(label), amount=fmt_plain(self.amount)))
        return self.amount

    def officer_amount(self, *, floor: Decimal | None = None, cap: Decimal | None = None,
                       label: str = "") -> Decimal:
        """The amount decided by the officer, within the clause's floor and cap."""
        if self.requested is None:
            self.refuse(Message(N_("the amount is decided by the officer, and none was given")))
        amount = yuan(self.requested)
        what = Message(N_(" {label}"), label=message(label)) if label else ""
        if floor is not None and amount < floor:
            raise InvalidAmount(N_("{clause}: amount {amount} is below the floor of {floor}{what}"), clause=self.clause, amount=fmt(amount), floor=fmt_plain(floor), what=what)
        if cap is not None and amount > cap:
            raise CapExceeded(N_("{clause}: amount {amount} exceeds the cap of {cap}{what}"), clause=self.clause, amount=fmt(amount), cap=fmt_plain(cap), what=what)
        bounds = []
        if floor is not None:
            bounds.append(Message(N_("floor {floor}"), floor=fmt_plain(floor)))
        if cap is not None:
            bounds.append(Message(N_("cap {cap}"), cap=fmt_plain(cap)))
        within = Message(N_(" (within {bounds}{what})"), bounds=Message("{a}, {b}", a=bounds[0], b=bounds[1])
                         if len(bounds) == 2 else bounds[0], what=what) if bounds else ""
        self.amount = amount
        self.step(Message(N_("amount decided {amount}{within}"), amount=fmt(amount), within=within))
        return amount

    # caps -----------------------------------------------------------------------------
    def cap_per_award(self, cap: Decimal, label: str = "per award") -> None:
        if self.amount > cap:
            self.amount = cap  # the line ends with "→ <amount>": one arrow, not two
            self.step(Message(N_("cap {cap} {label}"), cap=fmt_plain(cap), label=message(label)))

    def cap_per_year(self, cap: Decimal, year: int | None = None, what: str = "") -> None:
        """Per recipient per calendar year, cumulative. ``used`` is net of clawbacks (reading:
        a clawback gives the room back, so a wrong award can be clawed back and re-awarded).
        The year is the decision's, or ``year`` when the basis names the year the money is
        for (P5.4: the financing year; awards without a basis year count in their fiscal year)."""
        if year is None:
            awards = [a for a in self.recipient.awards.values()
                      if a.clause == self.clause and a.fiscal_year == self.year]
            scope = Message(N_("in {year}"), year=self.year)
        else:
            awards = [a for a in self.recipient.awards.values()
                      if a.clause == self.clause and int(a.basis.get("year") or a.fiscal_year) == year]
            scope = Message(N_("for {what} {year}"), what=message(what or N_("year")), year=year)
        self._cap_remaining(cap, awards, Message(N_("cap {cap}/yr for {code}"), cap=fmt_plain(cap),
                                                 code=self.recipient.code), scope)

    def cap_over(self, cap: Decimal, scope: str, **basis: str) -> None:
        """A cumulative cap over a period or a subject (construction period, a project):
        the clause's awards whose basis has the given values, net of clawbacks."""
        awards = [a for a in (*self.recipient.awards.values(), *self.others)
                  if a.clause == self.clause and all(a.basis.get(k) == v for k, v in basis.items())]
        self._cap_remaining(cap, awards, Message(N_("cap {cap} {scope}"), cap=fmt_plain(cap), scope=message(scope)), "")

    def _cap_remaining(self, cap: Decimal, awards: list[Award], label: str, scope: str) -> None:  # label, scope: Messages
        clawed = sum((a.clawed_back for a in awards), ZERO)
        used = sum((a.amount for a in awards), ZERO) - clawed
        net = Message(N_(" net of clawbacks ({awarded} awarded − {clawed} clawed back)"), awarded=fmt(used + clawed),
                      clawed=fmt(clawed)) if clawed else ""
        remaining = max(cap - used, ZERO)
        self.step(Message(N_("{label}, used {used}{net}, remaining {remaining}"), label=label, used=fmt(used), net=net, remaining=fmt(remaining)))
        where = Message(N_(" {scope}"), scope=scope) if scope else ""
        if remaining <= 0:
            raise CapExceeded(N_("{clause}: {label} is used up{where} (used {used}{net}); nothing to award"), clause=self.clause, label=label, where=where, used=fmt(used), net=net)
        if self.rule.decided and self.amount > remaining:  # an officer's amount is refused, never cut
            raise CapExceeded(N_("{clause}: amount decided {amount} exceeds the {remaining} remaining of the {label}{where} (used {used}{net})"), clause=self.clause, amount=fmt(self.amount), remaining=fmt(remaining), label=label, where=where, used=fmt(used), net=net)
        self.amount = min(self.amount, remaining)

    def count_per_year(self, limit: int, what: str) -> None:
        """A count cap, checked here for the trace and enforced on the clause-year counter."""
        taken = len(self.counter_taken)
        if self.recipient.code in self.counter_taken:
            self.refuse(Message(N_("{code} is already one of the {what} of {year}"), code=self.recipient.code,
                                what=message(what), year=self.year))
        if taken >= limit:
            raise CapExceeded(N_("{clause}: at most {limit} {what} a year; {year} has {taken} already"), clause=self.clause,
                              limit=limit, what=message(what), year=self.year, taken=taken)
        self.count_cap = CountCap(self.clause, self.year, limit)
        self.step(Message(N_("at most {limit} {what}/yr, {taken} so far, this is no. {value}"), limit=limit,
                          what=message(what), taken=taken, value=taken + 1))

    # G.3 ------------------------------------------------------------------------------
    def shape_key(self) -> str:
        """The matter key from the rule's shape: each ``<key>`` is the basis value in its one
        spelling, ``<year>`` the basis year (default: the decision year), ``<recipient>`` the
        recipient's code; '' when an optional key of the shape was not given (P2.1c)."""
        shape = self.rule.shape
        parts = re.split(r"(<[a-z_]+>)", shape)
        out = []
        for p in parts:
            if not p.startswith("<"):
                out.append(p)
                continue
            name = p[1:-1]
            if name == "recipient":
                out.append(self.recipient.code)
            elif name == "year" and self.basis.get("year") is None:
                out.append(str(self.year))
            elif self.basis.get(name) is None:
                return ""
            else:
                kinds = {k.name: k.kind for k in self.rule.keys}
                value = self.basis[name]
                out.append(subject_text(value) if kinds.get(name) == "subject" else str(value))
        return "".join(out)

    def matter(self, key: str | None = None, subject: str = "", *, cap: Decimal | None = None,
               label: str = "") -> None:
        """就高不重复: pay only the difference up to this entitlement on the same matter.

        The key is the rule's documented shape filled in (a key given by the body must equal
        it). ``subject`` names the matter in a refusal (``contract HT-3``); a one-time rule
        refuses a second award on it, a year-final rule refuses an award in another year
        (engine readings; see docs/decisions.md). With ``cap`` (an amount the officer
        decides, P2.3a/P3.2b/P4.1b), everything received on the matter, here and under other
        policies, uses the cap's room: an amount over the room is refused, never cut."""
        computed = self.shape_key()
        if key is not None and key != computed:
            raise RuntimeError(f"rule {self.clause}: matter {key} is not its documented shape {self.rule.shape}")
        key = computed
        self.matter_key = key
        if self.rule.once:
            refuse_second_award(self, key, subject)
        if self.rule.year_final:
            refuse_another_year(self, key, subject)
        if cap is not None:
            within_room(self, key, cap, label)
        else:
            apply_matter(self, key)

    def share(self, subject: str) -> None:
        """联合建设: a co-builder's part of the subject's award as the decision splits it
        (basis ``share``; default: all that remains). The parts of all co-builders together
        never exceed the clause amount: a part over what remains is refused, never cut."""
        part = self.basis.get("share")
        if part is None:
            return
        if part <= 0:
            self.refuse(Message(N_("share must be more than 0.00")))
        if part > self.amount:
            raise CapExceeded(N_("{clause}: share {share} exceeds the {remaining} that remains on {subject} (the "
                                 "co-builders' shares together never exceed the amount)"), clause=self.clause,
                              share=fmt(part), remaining=fmt(self.amount), subject=subject)
        self.step(Message(N_("co-builder's share {share} of the {remaining} remaining on {subject}"), share=fmt(part),
                          remaining=fmt(self.amount), subject=subject))
        self.amount = part


def evaluate(
    clause_id: str,
    recipient: Enterprise,
    raw_basis: Mapping[str, str],
    decided: date,
    book: ParameterBook,
    *,
    amount: Decimal | None = None,
    reason: str = "",
    ref: str = "",
    counter_taken: tuple[str, ...] = (),
    others: tuple[Award, ...] = (),
    others_external: tuple[tuple[str, ExternalAward], ...] = (),
    recorded: Mapping[str, Any] | None = None,
) -> Entitlement:
    """What ``recipient`` is entitled to under ``clause_id`` on ``decided``, with its trace."""
    r = find_rule(clause_id)
    check_recipient_kind(r, recipient)
    if recipient.entered > decided:
        raise Refused(N_("G.2: {code} entered the platform on {entered}, after the decision"), code=recipient.code, entered=recipient.entered)
    if amount is not None and amount <= 0:  # an officer-decided amount too (not "entitlement is 0.00")
        raise InvalidAmount(N_("{clause}: amount must be positive"), clause=r.clause)
    if r.needs_reason and (not reason.strip() or not ref.strip()):
        raise Refused(N_("{clause}: 一事一议 needs a decision reference (文号) and a reason"), clause=r.clause)
    basis = parse_basis(r.clause, r.keys, raw_basis)
    calc = Calculation(r, book, decided, basis, recipient=recipient, requested=amount, reason=reason,
                       counter_taken=counter_taken, others=tuple(others), others_external=tuple(others_external),
                       recorded=dict(recorded or {}))
    r.body(calc)
    if calc.amount <= 0:
        raise Refused(N_("{clause}: the entitlement is 0.00; nothing is recorded ({steps})"), clause=r.clause, steps='; '.join(calc.steps))
    if amount is not None and not r.decided and yuan(amount) != calc.amount:
        raise InvalidAmount(
            N_("{clause}: the amount given {amount} differs from the computed entitlement {amount2} ({steps})"), clause=r.clause, amount=fmt(yuan(amount)), amount2=fmt(calc.amount), steps='; '.join(calc.steps)
        )
    return Entitlement(
        clause=r.clause,
        recipient=recipient.code,
        amount=calc.amount,
        steps=tuple(calc.steps),
        versions=tuple(calc.versions),
        matter=calc.matter_key,
        basis=stored_basis(r, basis),
        reason=reason,
        count_cap=calc.count_cap,
    )


def check_recipient_kind(r: Rule, recipient: Enterprise) -> None:
    """The clause pays only the recipient kinds its text names (an award and an external award
    under it alike: an external P6.7 award to a bank is no patent award G.3 could match)."""
    if recipient.kind not in r.kinds:
        allowed = ", ".join(f"{k} ({KINDS[k]})" for k in r.kinds)
        article = "an" if recipient.kind[0] in "aeio" else "a"
        # kind_label, allowed_labels: the Chinese words, for the translation
        raise Refused(N_("{clause}: recipient {code} is {article} {kind}; the clause pays {allowed}"), clause=r.clause,
                      code=recipient.code, article=article, kind=recipient.kind, allowed=allowed,
                      kind_label=KINDS[recipient.kind], allowed_labels="、".join(KINDS[k] for k in r.kinds))


def stored_basis(r: Rule, basis: Basis) -> dict[str, str]:
    """The basis an award records: each value in its canonical spelling (subjects upper-case),
    so caps and G.3 compare ``h1`` and ``H1`` as the same contract."""
    keys = {k.name: k for k in r.keys}
    return {name: canonical_text(keys[name], basis[name]) for name in basis.raw if name in keys}


def shared_subject(clause_id: str, raw: Mapping[str, str]) -> str:
    """The subject aggregate's key of a rule with a subject spanning recipients
    (``P4.1a:ID-1``), or '' (no shared subject, or its basis key is missing/empty)."""
    r = RULES.get(clause_id)
    if r is None or not r.shared or not str(raw.get(r.shared, "")).strip():
        return ""
    return f"{r.subject_family}:{subject_text(raw[r.shared])}"


def canonical_basis(clause_id: str, raw: Mapping[str, str]) -> dict[str, str]:
    """The basis as a command stores it: each known key's value in one canonical spelling
    (unknown keys and unparsable values are kept as typed; the handler refuses them)."""
    r = RULES.get(canonical_id(clause_id))
    if r is None:
        return dict(raw)
    keys = {k.name: k for k in r.keys}
    result = {}
    try:
        raw = with_key_names(raw, keys)
    except Refused:
        return dict(raw)
    for name, value in raw.items():
        key = keys.get(name)
        try:
            result[name] = canonical_text(key, key.parse(clause_id, value)) if key else value
        except Refused:
            result[name] = value
    return result
