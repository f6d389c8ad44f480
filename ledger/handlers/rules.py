"""Awards computed by the policy rules, external awards (G.3), dry runs and CSV imports.

The handler evaluates the rule against the recipient aggregate loaded in the unit of work
(and the clause-year counter for count caps) and records the award on it; if another
officer saved first, the application's optimistic-concurrency retry re-loads and
re-evaluates, so annual caps, one-time caps, G.3 and count caps cannot be raced past.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from domain.clauses import canonical_id, money_clause
from domain.clauses import clause as find_clause
from domain.enterprise import Award, Enterprise, ExternalAward
from domain.errors import Refused
from domain.ids import counter_id, fund_id, party_id
from domain.journal import CITY
from domain.messages import N_, Message, message
from domain.money import fmt
from domain.parameters import payer
from domain.provenance import Provenance
from domain.rules import RULES, Entitlement, Split, evaluate, find_rule, split_of_basis
from domain.rules.basis import Key
from domain.rules.engine import SPLIT, canonical_basis, check_recipient_kind, shared_subject
from domain.rules.matters import check_external_matter, external_shared_subject
from domain.validity import check_in_force
from ledger.application import Ledger
from ledger.commands import Command, Outcome, handles
from ledger.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from domain.counter import ClauseYearCounter
    from domain.shared_subject import SharedSubject

# The aggregates of a few rules only (a shared subject, a count cap, a fund's record) and the void of
# an amendment are imported where they are used: an award under another rule loads none of their
# event classes (start-up time, bench/startup.py).

# commands -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AwardByRule(Command):
    """Compute the entitlement under CLAUSE from the basis, enforce caps and G.3, record it."""

    kind = "grant.award-by-rule"
    recipient: str
    clause: str
    basis: dict[str, str] = field(default_factory=dict)
    amount: Decimal | None = None
    reason: str = ""
    source: str = CITY  # must be the clause's paying source (the rule book's ``payer``)

    def __post_init__(self) -> None:
        # one spelling per clause id and per value, so p2.4/P2.4, 合同技术交易额/contract_value and
        # 50万/500,000.00 are the same request (idempotency)
        object.__setattr__(self, "clause", canonical_id(self.clause))
        object.__setattr__(self, "basis", canonical_basis(self.clause, self.basis))


@dataclass(frozen=True, kw_only=True)
class AmendAward(AwardByRule):
    """Correct an award recorded in error: void its unpaid part and record the right award, in
    one request (both or neither). The paid part of the old award still needs a claw-back."""

    kind = "grant.amend"
    award: str
    correction: str  # why the old award is voided


@dataclass(frozen=True, kw_only=True)
class RecordExternalAward(Command):
    """An award paid under another policy on a G.3 matter (no money of this ledger moves)."""

    kind = "grant.external"
    # another policy's decision (provincial 晋创谷, other city policies): not bound by this
    # policy's G.1 window, so G.3 can see a provincial award decided before 2024-11-05
    checks_policy_window: ClassVar[bool] = False
    recipient: str
    clause: str
    matter: str
    amount: Decimal
    source: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "clause", canonical_id(self.clause))


# awards ---------------------------------------------------------------------------------


def _shared_awards(uow: UnitOfWork, key: str, recipient: str
                   ) -> tuple[tuple[Award, ...], tuple[tuple[str, ExternalAward], ...]]:
    """The other recipients' awards, and external awards, on a subject that spans recipients
    (Rule.shared: P4.1a/P4.1c per person, P6.2 per project, P6.7 per patent)."""
    if not key:
        return (), ()
    from domain.shared_subject import SharedSubject, shared_subject_id

    subject = uow.find(SharedSubject, shared_subject_id(key))
    if subject is None:
        return (), ()
    awards = tuple(uow.get(Enterprise, party_id(code), f"party {code}").award(award_id)
                   for code, award_id in subject.awards if code != recipient)
    external = tuple((code, x) for code in subject.external if code != recipient
                     for x in uow.get(Enterprise, party_id(code), f"party {code}").external_awards)
    return awards, external


def _subject(uow: UnitOfWork, by: Provenance, key: str) -> SharedSubject:
    """The subject's aggregate, opened on its first award (two officers opening it at once
    conflict on save: the loser is re-run and sees the winner's award)."""
    from domain.shared_subject import SharedSubject, shared_subject_id

    subject = uow.find(SharedSubject, shared_subject_id(key))
    if subject is None:
        subject = SharedSubject.open(by, key)
        uow.add(subject, f"subject {key}")
    return subject


def recorded_facts(uow: UnitOfWork, keys: tuple[Key, ...], basis: Mapping[str, str]) -> dict[str, Any]:
    """Facts a rule reads from other records, named by its basis: the fund (P5.3: its recorded
    investments) and the contract's counterparty (P2.4: a registered platform enterprise)."""
    names = {k.name for k in keys}
    facts: dict[str, Any] = {}
    if "fund" in names and str(basis.get("fund", "")).strip():
        from domain.fund import Fund

        facts["fund"] = uow.find(Fund, fund_id(basis["fund"].strip()))
    if "counterparty" in names and str(basis.get("counterparty", "")).strip():
        facts["counterparty"] = uow.find(Enterprise, party_id(basis["counterparty"].strip()))
    return facts


def _entitlement(uow: UnitOfWork, cmd: AwardByRule) -> tuple[Enterprise, Entitlement, ClauseYearCounter | None]:
    rule = find_rule(cmd.clause)
    money_clause(rule.clause)
    party = uow.get(Enterprise, party_id(cmd.recipient), f"party {cmd.recipient}")
    counter = None
    if rule.counted:
        from domain.counter import ClauseYearCounter

        counter = uow.find(ClauseYearCounter, counter_id(rule.clause, cmd.decided.year))
    others, others_external = _shared_awards(uow, shared_subject(rule.clause, cmd.basis), party.code)
    entitlement = evaluate(
        rule.clause, party, cmd.basis, cmd.decided, uow.book, amount=cmd.amount, reason=cmd.reason,
        ref=cmd.ref, counter_taken=tuple(counter.taken) if counter else (), others=others,
        others_external=others_external, recorded=recorded_facts(uow, rule.keys, cmd.basis),
    )
    return party, entitlement, counter


@handles(AwardByRule)
def award_by_rule(uow: UnitOfWork, cmd: AwardByRule, by: Provenance) -> Outcome:
    party, ent, counter = _entitlement(uow, cmd)
    source, unit = payer(uow.book, ent.clause, cmd.decided)
    if cmd.source and cmd.source != source:
        raise Refused(N_("{clause} is paid by {source} (the clause's paying source), not {given}"), clause=ent.clause,
                      source=source, given=cmd.source)
    if ent.count_cap is not None:
        if counter is None:
            from domain.counter import ClauseYearCounter

            counter = ClauseYearCounter.open(by, ent.clause, ent.count_cap.year)
            uow.add(counter, f"counter {ent.clause} {ent.count_cap.year}")
        counter.take(by, party.code, ent.count_cap.limit)
    award_id = party.grant_award(
        by, ent.clause, ent.amount, source=source, matter=ent.matter, basis=dict(ent.basis),
        trace=ent.trace, versions=list(ent.versions), reason=cmd.reason,
    )
    key = shared_subject(ent.clause, ent.basis)
    if key:  # the subject spans recipients: its aggregate lists the award (two officers race there)
        _subject(uow, by, key).record(by, party.code, award_id)
    title = find_clause(ent.clause).title
    return Outcome(
        cmd.request_id,
        Message(N_("award {award_id}: {amount} to {recipient} under {clause} {title} ({ref})"), award_id=award_id, amount=fmt(ent.amount), recipient=cmd.recipient, clause=ent.clause, title=title, ref=cmd.ref),
        trace=[*ent.trace, Message(N_("parameters: {versions}"), versions=", ".join(ent.versions) or Message(N_("none")))]
        + ([Message(N_("G.3 matter: {matter}"), matter=ent.matter)] if ent.matter else [])
        + [Message(N_("paid by {source}, booked to {unit}"), source=source, unit=unit)],
        data={"award": award_id, "amount": ent.amount, "matter": ent.matter},
    )


@handles(AmendAward)
def amend_award(uow: UnitOfWork, cmd: AmendAward, by: Provenance) -> Outcome:
    party = uow.get(Enterprise, party_id(cmd.recipient), f"party {cmd.recipient}")
    from ledger.handlers.grants import void_words

    voided = void_words(uow, party, cmd.award, cmd.correction, cmd, by)
    awarded = award_by_rule(uow, cmd, by)
    return Outcome(cmd.request_id, Message(N_("{voided}; replaced by {awarded}"), voided=message(voided.message),
                                           awarded=message(awarded.message)),
                   trace=[*voided.trace, *awarded.trace],
                   data={"voided_award": cmd.award, "voided": voided.data["voided"], **awarded.data})


@handles(RecordExternalAward)
def record_external_award(uow: UnitOfWork, cmd: RecordExternalAward, by: Provenance) -> Outcome:
    c = find_clause(cmd.clause)
    rule = find_rule(c.id)
    matter = check_external_matter(rule, cmd.matter)  # G.3 must be able to match it
    party = uow.get(Enterprise, party_id(cmd.recipient), f"party {cmd.recipient}")
    check_recipient_kind(rule, party)  # the clause's recipients only (P6.7 is not paid to a bank)
    party.record_external_award(by, c.id, matter, cmd.amount, cmd.source)
    key = external_shared_subject(rule, matter)
    if key:  # another holder of the patent / employer of the person sees it (G.3 across recipients)
        _subject(uow, by, key).record_external(by, party.code)
    return Outcome(
        cmd.request_id,
        Message(N_("external award {amount} to {recipient} from {source} ({ref}) recorded on G.3 matter {matter}; received on it now {received_on}"), amount=fmt(cmd.amount), recipient=cmd.recipient, source=cmd.source, ref=cmd.ref, matter=matter, received_on=fmt(party.received_on(matter))),
    )


def calculate(
    ledger: Ledger,
    clause_id: str,
    recipient: str,
    basis: Mapping[str, str],
    decided: date,
    *,
    amount: Decimal | None = None,
    reason: str = "",
    ref: str = "",
) -> Entitlement | Split:
    """The dry run of `jcg policy calc`: the same computation as an award (or as a loan's claim,
    for a loss split), nothing written."""
    check_in_force(decided, ledger.rule_book())
    c = find_clause(clause_id)
    r = RULES.get(c.id)
    if r is not None and r.kind == SPLIT:
        return split_of_basis(c.id, basis, decided, ledger.rule_book())
    uow = UnitOfWork(ledger.repository, ledger.rule_book())
    cmd = AwardByRule(actor="dry-run", decided=decided, ref=ref, recipient=recipient, clause=clause_id,
                      basis=dict(basis), amount=amount, reason=reason)
    return _entitlement(uow, cmd)[1]


def is_split(clause_id: str) -> bool:
    """The clause's rule is a loss split (its dry run needs no recipient: the loan's bank bears the rest)."""
    r = RULES.get(canonical_id(clause_id))
    return r is not None and r.kind == SPLIT
