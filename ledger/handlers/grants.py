"""Disbursements and clawbacks of awards.

Awards themselves are recorded only through the rules engine (ledger.handlers.rules.AwardByRule):
the ledger computes what the policy allows instead of taking an amount on trust;
officer-decided clauses (P2.1c, P2.3a, ...) pass their amount through the same engine,
which checks the clause's floor, cap and required reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from domain.counter import ClauseYearCounter
from domain.enterprise import Award, Enterprise
from domain.ids import counter_id, party_id
from domain.messages import N_, Message
from domain.money import fmt
from domain.provenance import Provenance
from ledger.commands import Command, Outcome, handles
from ledger.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class AwardStep(Command):
    """A payment or clawback of an award: G.1 was judged on the award's decision, so an award
    decided by 2028-12-31 may still be paid or recovered afterwards (never before the award)."""

    checks_policy_window: ClassVar[bool] = False


@dataclass(frozen=True, kw_only=True)
class Disburse(AwardStep):
    kind = "grant.disburse"
    recipient: str
    award: str
    amount: Decimal
    voucher: str = ""


@dataclass(frozen=True, kw_only=True)
class ClawBack(AwardStep):
    kind = "grant.claw-back"
    recipient: str
    award: str
    amount: Decimal
    reason: str


@handles(Disburse)
def disburse(uow: UnitOfWork, cmd: Disburse, by: Provenance) -> Outcome:
    party = uow.get(Enterprise, party_id(cmd.recipient), f"party {cmd.recipient}")
    party.disburse(by, cmd.award, cmd.amount, cmd.voucher)
    award = party.award(cmd.award)
    return Outcome(
        cmd.request_id,
        Message(N_("paid {amount} on award {award} to {recipient}; paid so far {disbursed} of {amount2}"), amount=fmt(cmd.amount), award=cmd.award, recipient=cmd.recipient, disbursed=fmt(award.disbursed), amount2=fmt(award.amount)),
    )


@handles(ClawBack)
def claw_back(uow: UnitOfWork, cmd: ClawBack, by: Provenance) -> Outcome:
    party = uow.get(Enterprise, party_id(cmd.recipient), f"party {cmd.recipient}")
    party.claw_back(by, cmd.award, cmd.amount, cmd.reason)
    award = party.award(cmd.award)
    when = Message(N_("same fiscal year: reduces spending")) if by.fiscal_year == award.fiscal_year else (
        Message(N_("later year: returned to the treasury as {year} revenue"), year=by.fiscal_year)
    )
    return Outcome(
        cmd.request_id,
        Message(N_("clawed back {amount} on award {award} from {recipient} ({when})"), amount=fmt(cmd.amount), award=cmd.award, recipient=cmd.recipient, when=when),
        trace=_release_place(uow, party, award, by, cmd.reason),
    )


def _release_place(uow: UnitOfWork, party: Enterprise, award: Award, by: Provenance, reason: str) -> list[str]:
    """A count-capped award (P4.2b: 10 people a year) recovered in full is as if never paid, so its
    place in the award's year is freed in the same command; a partial clawback keeps the place."""
    if award.clawed_back != award.amount:
        return []
    counter = uow.find(ClauseYearCounter, counter_id(award.clause, award.fiscal_year))
    if counter is None or not counter.holds(party.code):
        return []
    if any(a.clause == award.clause and a.fiscal_year == award.fiscal_year and a.amount > a.clawed_back
           for a in party.awards.values()):
        return []  # another award of the clause and year still stands on that place
    counter.release(by, party.code, f"award {award.award_id} clawed back in full: {reason}")
    return [f"{award.clause}: award {award.award_id} recovered in full ({fmt(award.amount)}): {party.code}'s "
            f"place in {award.fiscal_year} is freed ({len(counter.taken)} taken now)"]
