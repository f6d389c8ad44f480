"""拨投结合 projects (P2.2, P6.1): approval, tranches, trigger, conversion, exits, failure, reassignment,
and the repayment or write-off of a grant converted into debt.

A conversion, a buyback or a sale changes the project, its holder fund and the enterprise's
share register in one command, so they are saved together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import ClassVar

from domain.captable import ShareRegister, share_register_id
from domain.conversion_terms import ConversionTerms
from domain.enterprise import Enterprise
from domain.errors import Refused
from domain.fund import Fund, failure_tolerance
from domain.ids import fund_id, party_id, project_id
from domain.journal import CITY
from domain.messages import N_, Message
from domain.money import fmt, yuan
from domain.payment import Payment, Target
from domain.project import Project
from domain.provenance import Provenance
from ledger.commands import APPROVERS, Command, Outcome, handles
from ledger.handlers.officers import require_two_people
from ledger.handlers.payments import (
    check_reference,
    is_pending,
    outcome_data,
    pending_words,
    record_payment,
    reverses,
    reversing_journal,
    settles,
)
from ledger.unit_of_work import UnitOfWork

TRANCHE = "project.tranche"
BUYBACK = "project.buyback"


@dataclass(frozen=True, kw_only=True)
class RegisterHolders(Command):
    """Existing holders of an enterprise's registered capital (e.g. founders), before any conversion."""

    kind = "captable.register"
    enterprise: str
    holders: tuple[tuple[str, str, Decimal], ...]  # (code, name, registered capital)
    premium: Decimal = Decimal("0.00")


@dataclass(frozen=True, kw_only=True)
class ApproveProject(Command):
    """Approval of a 拨投结合 project with its conversion terms: an approver's decision."""

    kind = "project.approve"
    roles: ClassVar[frozenset[str]] = APPROVERS
    code: str
    title: str
    enterprise: str
    fund: str
    amount: Decimal
    clause: str = "P2.2"
    trigger: str = "financing"
    trigger_on: date | None = None
    pricing: str = "round"
    pre_money: Decimal | None = None
    discount: str | None = None
    max_stake: str
    exit_formula: str = "principal"
    exit_price: Decimal | None = None
    exit_rate: str | None = None
    window_from_years: int = 0
    window_until_years: int = 5
    ratio: str = "1"
    debt_rate: str | None = None
    debt_years: int | None = None
    source: str = CITY
    early_stage: bool = True


@dataclass(frozen=True, kw_only=True)
class ProjectStep(Command):
    """A step after an approval: G.1 is judged on the approval, so an agreed buyback window
    or tranche may run past 2028-12-31 (docs/decisions.md)."""

    checks_policy_window: ClassVar[bool] = False


@dataclass(frozen=True, kw_only=True)
class PayTranche(ProjectStep):
    """A tranche under its payment order (unique per paying source); pending until an approver
    posts it, where the two-person rule is on."""

    kind = "project.disburse"
    project: str
    amount: Decimal
    voucher: str = ""


@dataclass(frozen=True, kw_only=True)
class RecordTrigger(ProjectStep):
    kind = "project.trigger"
    project: str
    investor: str = ""
    round_pre_money: Decimal | None = None
    round_amount: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class ConvertProject(ProjectStep):
    kind = "project.convert"
    project: str
    into: str = "equity"
    amount: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class BuyBack(ProjectStep):
    """The team's buyback, under the bank receipt of the money the fund receives (unique per
    fund); pending until an approver posts it, where the two-person rule is on."""

    kind = "project.buyback"
    project: str
    buyer: str
    buyer_name: str = ""
    units: Decimal | None = None
    receipt: str = ""


@dataclass(frozen=True, kw_only=True)
class SellStake(ProjectStep):
    kind = "project.sell"
    project: str
    buyer: str
    price: Decimal
    buyer_name: str = ""
    units: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class FailProject(ProjectStep):
    kind = "project.fail"
    project: str
    reason: str
    misuse: str = ""
    clawback: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class RepayDebt(ProjectStep):
    """The enterprise pays the holder fund on a grant converted into debt (interest first, then principal)."""

    kind = "project.repay"
    project: str
    amount: Decimal | None = None  # default: everything owed on the decision date (early or final repayment)


@dataclass(frozen=True, kw_only=True)
class WriteOffDebt(ProjectStep):
    """Default: the principal still owed is written off by the fund; unpaid interest is forgone."""

    kind = "project.write-off-debt"
    project: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class FinishProject(ProjectStep):
    """The project's work is accepted (结题验收); ``ref`` is the acceptance reference (验收文号)."""

    kind = "project.finish"
    project: str
    # what the team spent on the research (P6.1 unspent = paid − spent − …); the CLI requires it,
    # the default only keeps callers written before it existed working
    spent: Decimal = Decimal("0.00")


@dataclass(frozen=True, kw_only=True)
class ReassignUnspent(ProjectStep):
    kind = "project.reassign"
    project: str
    target: str
    amount: Decimal | None = None


def _project(uow: UnitOfWork, code: str) -> Project:
    return uow.get(Project, project_id(code), f"project {code}")


def _fund(uow: UnitOfWork, code: str) -> Fund:
    return uow.get(Fund, fund_id(code), f"fund {code}")


def _register(uow: UnitOfWork, enterprise: str, by: Provenance, create: bool = False) -> ShareRegister:
    found = uow.find(ShareRegister, share_register_id(enterprise))
    if found is not None:
        return found
    if not create:
        raise Refused(N_("{enterprise} has no registered capital on record: record its holders first (jcg captable register)"), enterprise=enterprise)
    register = ShareRegister.open(by, enterprise)
    uow.add(register, f"share register of {enterprise}")
    return register


def _stake_line(register: ShareRegister, fund: Fund, on: date) -> str:
    table = register.table(on)
    share = table.share_of(fund.code)
    return (Message(N_("{code} now holds {units_of} of {registered_capital} registered capital of {enterprise} = {quantize}%"), code=fund.code, units_of=fmt(table.units_of(fund.code)), registered_capital=fmt(table.registered_capital), enterprise=register.enterprise, quantize=(share * 100).quantize(Decimal('0.01'))))


@handles(RegisterHolders)
def register_holders(uow: UnitOfWork, cmd: RegisterHolders, by: Provenance) -> Outcome:
    party = uow.get(Enterprise, party_id(cmd.enterprise), f"party {cmd.enterprise}")
    if party.kind != "enterprise":
        raise Refused(N_("party {enterprise} is a {kind}, not an enterprise: it has no cap table"), enterprise=cmd.enterprise, kind=party.kind)
    if not cmd.holders:
        raise Refused(N_("give at least one holder (CODE=CAPITAL)"))
    register = _register(uow, cmd.enterprise, by, create=True)
    premium = cmd.premium
    for code, name, capital in cmd.holders:
        register.issue(by, code, name, capital, premium, "registered capital on record")
        premium = Decimal("0.00")  # the premium, if any, is recorded once
    table = register.table(by.decided)
    return Outcome(
        cmd.request_id,
        Message(N_("recorded {count_holders} holder(s) of {enterprise}; registered capital now {registered_capital}"), count_holders=len(cmd.holders), enterprise=cmd.enterprise, registered_capital=fmt(table.registered_capital)),
        data={"registered_capital": table.registered_capital},
    )


@handles(ApproveProject)
def approve_project(uow: UnitOfWork, cmd: ApproveProject, by: Provenance) -> Outcome:
    party = uow.get(Enterprise, party_id(cmd.enterprise), f"party {cmd.enterprise}")
    if party.kind != "enterprise":
        raise Refused(N_("party {enterprise} is a {kind}: a 拨投结合 grant goes to an enterprise (G.2)"), enterprise=cmd.enterprise, kind=party.kind)
    fund = _fund(uow, cmd.fund)
    terms = ConversionTerms.build(
        trigger=cmd.trigger, trigger_on=cmd.trigger_on, pricing=cmd.pricing, pre_money=cmd.pre_money,
        discount=cmd.discount, max_stake=cmd.max_stake, exit_formula=cmd.exit_formula,
        exit_price=cmd.exit_price, exit_rate=cmd.exit_rate, window_from_years=cmd.window_from_years,
        window_until_years=cmd.window_until_years, ratio=cmd.ratio, debt_rate=cmd.debt_rate,
        debt_years=cmd.debt_years,
    )
    project = Project.approve(
        by, code=cmd.code, title=cmd.title, clause=cmd.clause, enterprise=cmd.enterprise, fund=cmd.fund,
        amount=cmd.amount, terms=terms, source=cmd.source, early_stage=cmd.early_stage,
    )
    uow.add(project, f"project {cmd.code}")
    fund.follow(by, cmd.code, cmd.enterprise, cmd.early_stage)
    return Outcome(
        cmd.request_id,
        Message(N_("approved project {code} under {clause}: grant {amount} to {enterprise}, stake to be held by {fund} ({ref})"), code=cmd.code, clause=cmd.clause, amount=fmt(project.amount), enterprise=cmd.enterprise, fund=cmd.fund, ref=cmd.ref),
        trace=[Message(N_("{clause}: {line}"), clause=cmd.clause, line=line) for line in terms.describe()],
    )


@handles(PayTranche)
def pay_tranche(uow: UnitOfWork, cmd: PayTranche, by: Provenance) -> Outcome:
    project = _project(uow, cmd.project)
    payment = record_payment(uow, cmd, by, source=project.source, reference=cmd.voucher,
                             operation=TRANCHE, target=Target(project.code, "", project.clause, yuan(cmd.amount)),
                             summary=f"tranche of project {project.code}")
    if is_pending(payment):
        project.order_tranche(by, cmd.amount, payment.reference)
        return Outcome(cmd.request_id, Message(N_("project {project}: {order}; paid so far {disbursed} of {amount}"),
                                               project=cmd.project, order=pending_words(payment),
                                               disbursed=fmt(project.disbursed), amount=fmt(project.amount)),
                       data={"disbursed": project.disbursed, **outcome_data(payment)})
    project.disburse(by, cmd.amount, payment.reference)
    return _tranche_outcome(cmd.request_id, project, cmd.amount, data=outcome_data(payment))


def _tranche_outcome(request_id: str, project: Project, amount: Decimal, data: dict[str, str]) -> Outcome:
    return Outcome(
        request_id,
        Message(N_("paid tranche {count_tranches} of project {project}: {amount} to {enterprise} from {source}; paid so far {disbursed} of {amount2}"), count_tranches=len(project.tranches), project=project.code, amount=fmt(amount), enterprise=project.enterprise, source=project.source, disbursed=fmt(project.disbursed), amount2=fmt(project.amount)),
        data={"disbursed": project.disbursed, **data},
    )


def _post_tranche(uow: UnitOfWork, payment: Payment, by: Provenance) -> Outcome:
    project = _project(uow, payment.entity)
    if project.approved_by:  # one approver cannot approve a project and release its money alone
        require_two_people(uow, project.approved_by, by.actor, by.recorded_at)
    project.disburse(by, payment.amount, payment.reference, ordered=True)
    return _tranche_outcome(by.request_id, project, payment.amount, {})


def _void_tranche(uow: UnitOfWork, payment: Payment, by: Provenance, reason: str) -> Message:
    project = _project(uow, payment.entity)
    project.void_tranche_order(by, payment.amount, payment.reference, reason)
    return Message(N_("project {project}: {left} may be ordered again"), project=project.code,
                   left=fmt(project.amount - project.disbursed - project.pending))


settles(TRANCHE, _post_tranche, _void_tranche)


def _reverse_tranche(uow: UnitOfWork, payment: Payment, by: Provenance, reason: str) -> Outcome:
    project = _project(uow, payment.entity)
    if project.approved_by:  # nor does the approver of the project undo its money alone
        require_two_people(uow, project.approved_by, by.actor, by.recorded_at)
    paid_year = (payment.settled_on or payment.ordered_on).year
    project.reverse_tranche(by, payment.amount, payment.reference, paid_year, reason)
    return Outcome(by.request_id, Message(N_("project {project}: tranche of {amount} reversed, back to {source}; paid "
                                             "so far {disbursed} of {amount2}"), project=project.code,
                                          amount=fmt(payment.amount), source=project.source,
                                          disbursed=fmt(project.disbursed), amount2=fmt(project.amount)),
                   trace=[reversing_journal(project)], data={"project": project.code, "disbursed": project.disbursed})


reverses(TRANCHE, _reverse_tranche)


@handles(RecordTrigger)
def record_trigger(uow: UnitOfWork, cmd: RecordTrigger, by: Provenance) -> Outcome:
    project = _project(uow, cmd.project)
    project.record_trigger(by, cmd.round_pre_money, cmd.investor, cmd.round_amount)
    what = (Message(N_("financing round by {investor} at pre-money {round_pre_money}"), investor=cmd.investor, round_pre_money=fmt(cmd.round_pre_money))
            if cmd.round_pre_money is not None else Message(N_("conversion date {on} reached"), on=project.terms.trigger.on))
    return Outcome(cmd.request_id, Message(N_("project {project}: trigger recorded on {decided}: {what}"), project=cmd.project, decided=cmd.decided, what=what))


@handles(ConvertProject)
def convert_project(uow: UnitOfWork, cmd: ConvertProject, by: Provenance) -> Outcome:
    project = _project(uow, cmd.project)
    fund = _fund(uow, project.fund)
    price_base = None
    if cmd.into == "equity":
        register = _register(uow, project.enterprise, by)
        capital_before = register.table(by.decided).registered_capital
        if project.trigger is not None and project.trigger.get("round_pre_money") is not None:
            # a round's price is its pre-money over the capital before the round (the trigger's date),
            # not over capital issued in or after it (the round's own shares, this project's conversions)
            price_base = register.table(project.trigger["on"] - timedelta(days=1)).registered_capital
    else:
        register, capital_before = None, Decimal("0.00")
    plan = project.convert(by, cmd.into, cmd.amount, capital_before, price_base)
    fund.receive_stake(by, project.code, project.enterprise, plan.into, plan.units, plan.amount, plan.premium)
    trace = list(plan.trace)
    if register is not None:
        register.issue(by, fund.code, fund.name, plan.units, plan.premium, Message(N_("conversion of project {code}"), code=project.code))
        trace.append(_stake_line(register, fund, by.decided))
    return Outcome(
        cmd.request_id,
        Message(N_("project {project}: converted {amount} of the grant into {into} held by {code}"), project=cmd.project, amount=fmt(plan.amount), into=plan.into, code=fund.code),
        trace=trace,
        data={"units": plan.units, "premium": plan.premium, "stake": plan.stake},
    )


def _exit_outcome(cmd: Command, verb: str, project: Project, fund: Fund, register: ShareRegister,
                  units: Decimal, price: Decimal, gain: Decimal, trace: list[str], on: date) -> Outcome:
    return _exit_outcome_for(cmd.request_id, verb, project, fund, register, units, price, gain, trace, on)


def _exit_outcome_for(request_id: str, verb: str, project: Project, fund: Fund, register: ShareRegister,
                      units: Decimal, price: Decimal, gain: Decimal, trace: list[str], on: date) -> Outcome:
    lot = fund.lot(project.code)
    result = Message(N_("gain")) if gain >= 0 else Message(N_("loss"))
    trace = [
        *trace,
        Message(N_("cost of {units} registered capital sold = {value}; realised {result} {price} − {value} = {gain}"), units=fmt(units), value=fmt(price - gain), result=result, price=fmt(price), gain=fmt(abs(gain))),
        _stake_line(register, fund, on),
        Message(N_("{code}: cash {cash}; still held from {code2}: {units} at cost {cost}; realised net {realised}"), code=fund.code, cash=fmt(fund.cash), code2=project.code, units=fmt(lot.units), cost=fmt(lot.cost), realised=fmt(fund.realised)),
    ]
    return Outcome(
        request_id,
        Message(N_("project {code}: {verb} {units} registered capital of {enterprise} for {price}"), code=project.code, verb=verb, units=fmt(units), enterprise=project.enterprise, price=fmt(price)),
        trace=trace,
        data={"units": units, "price": price, "gain": gain, "cash": fund.cash,
              "stake": register.table(on).share_of(fund.code)},
    )


@handles(BuyBack)
def buy_back(uow: UnitOfWork, cmd: BuyBack, by: Provenance) -> Outcome:
    project = _project(uow, cmd.project)
    fund = _fund(uow, project.fund)
    check_reference(uow, cmd, source=fund.code, reference=cmd.receipt, operation=BUYBACK)
    register = _register(uow, project.enterprise, by)
    _check_buyer(project, fund, register, cmd.buyer, by.decided)
    quote = project.quote_buyback(by.decided, cmd.units)
    details = (("buyer_name", cmd.buyer_name), ("units", str(quote.units)))
    payment = record_payment(uow, cmd, by, source=fund.code, reference=cmd.receipt, operation=BUYBACK,
                             target=Target(project.code, cmd.buyer, project.clause, quote.price, details),
                             summary=f"buyback of project {project.code} by {cmd.buyer}")
    if is_pending(payment):
        return Outcome(cmd.request_id, Message(N_("project {project}: buyback of {units} by {buyer} for {price} priced "
                                                  "on {decided}: {order}"), project=project.code,
                                               units=fmt(quote.units), buyer=cmd.buyer, price=fmt(quote.price),
                                               decided=by.decided, order=pending_words(payment)),
                       trace=list(quote.trace), data={"units": quote.units, "price": quote.price,
                                                      **outcome_data(payment)})
    return _buy_back(uow, cmd.request_id, project, cmd.buyer, cmd.buyer_name, cmd.units, by)


def _check_buyer(project: Project, fund: Fund, register: ShareRegister, buyer: str, on: date) -> None:
    if buyer != project.enterprise:
        holding = register.table(on).units_of(buyer)
        if buyer == fund.code or holding <= 0:
            raise Refused(
                N_("project {code}: a buyback is by the team: {buyer} is not a holder on {enterprise}'s register on {decided} (give a team member who holds registered capital, or {enterprise} itself to repurchase); to sell to a third party use jcg project sell {code} --buyer CODE --price AMOUNT"), code=project.code, buyer=buyer, enterprise=project.enterprise, decided=on
            )


def _buy_back(uow: UnitOfWork, request_id: str, project: Project, buyer: str, buyer_name: str,
              units: Decimal | None, by: Provenance) -> Outcome:
    fund = _fund(uow, project.fund)
    register = _register(uow, project.enterprise, by)
    _check_buyer(project, fund, register, buyer, by.decided)
    quote = project.buy_back(by, units, buyer)
    gain = fund.dispose(by, project.code, quote.units, quote.price, buyer, Message(N_("buyback")))
    source = Message(N_("buyback of project {code}"), code=project.code)
    if buyer == project.enterprise:
        register.repurchase(by, fund.code, quote.units, quote.price, source)
    else:
        register.transfer(by, fund.code, buyer, buyer_name, quote.units, quote.price, source)
    return _exit_outcome_for(request_id, Message(N_("bought back by {buyer}:"), buyer=buyer), project, fund, register,
                             quote.units,
                             quote.price, gain, quote.trace, by.decided)


def _post_buyback(uow: UnitOfWork, payment: Payment, by: Provenance) -> Outcome:
    """The buyback is carried out as of the receipt's date (its price was quoted then)."""
    project = _project(uow, payment.entity)
    on = replace(by, decided=payment.ordered_on)
    out = _buy_back(uow, by.request_id, project, payment.item, payment.details.get("buyer_name", ""),
                    Decimal(payment.details["units"]), on)
    return out


def _void_buyback(uow: UnitOfWork, payment: Payment, by: Provenance, reason: str) -> Message:
    return Message(N_("project {project}: the buyback by {buyer} is not recorded"), project=payment.entity,
                   buyer=payment.item)


settles(BUYBACK, _post_buyback, _void_buyback)


@handles(SellStake)
def sell_stake(uow: UnitOfWork, cmd: SellStake, by: Provenance) -> Outcome:
    project = _project(uow, cmd.project)
    fund = _fund(uow, project.fund)
    register = _register(uow, project.enterprise, by)
    if cmd.buyer == project.enterprise or register.table(by.decided).units_of(cmd.buyer) > 0:
        # the team (a holder on the register, or the enterprise itself) buys back only on the agreed
        # terms: ratio, window and formula (P2.2); a sale at a negotiated price would bypass them
        if cmd.buyer == project.enterprise:
            raise Refused(N_("project {code}: {buyer} is the enterprise itself: the team buys back at the agreed "
                             "terms only: use jcg project buyback {code} --buyer {buyer}"),
                          code=project.code, buyer=cmd.buyer)
        raise Refused(N_("project {code}: {buyer} holds registered capital of {enterprise} (the team): the team buys "
                         "back at the agreed terms only: use jcg project buyback {code} --buyer {buyer}"),
                      code=project.code, buyer=cmd.buyer, enterprise=project.enterprise)
    units = project.sell(by, cmd.units, cmd.price, cmd.buyer)
    gain = fund.dispose(by, project.code, units, cmd.price, cmd.buyer, Message(N_("sale")))
    register.transfer(by, fund.code, cmd.buyer, cmd.buyer_name, units, cmd.price, Message(N_("sale from project {code}"), code=project.code))
    return _exit_outcome(cmd, Message(N_("sold to {buyer}:"), buyer=cmd.buyer), project, fund, register, units, cmd.price, gain,
                         [Message(N_("{clause}: sale to a third party at the agreed price {price}"), clause=project.clause, price=fmt(cmd.price))], by.decided)


@handles(FailProject)
def fail_project(uow: UnitOfWork, cmd: FailProject, by: Provenance) -> Outcome:
    project = _project(uow, cmd.project)
    fund = _fund(uow, project.fund)
    project.fail(by, cmd.reason, cmd.misuse, cmd.clawback)
    fund.project_failed(by, project.code, cmd.reason)
    trace: list[str] = [Message(N_("{clause}: unpaid grant released from the commitment: {amount} granted − {paid} paid = "
                        "{released} (never paid)"), clause=project.clause, amount=fmt(project.amount),
                     paid=fmt(project.disbursed), released=fmt(project.released))]
    loss = Decimal("0.00")
    if project.code in fund.lots and not fund.lots[project.code].written_off:
        loss = fund.write_off(by, project.code, cmd.reason)
        trace.append(Message(N_("{fund}: holding from {project} written off, loss {loss} (no recovery)"),
                             fund=fund.code, project=project.code, loss=fmt(loss)))
    if cmd.clawback is not None:
        trace.append(Message(N_("misuse recorded ({misuse}): {clawback} clawed back from {enterprise}"), misuse=cmd.misuse, clawback=fmt(cmd.clawback), enterprise=project.enterprise))
    else:
        trace.append(Message(N_("no misuse recorded: nothing is recovered from the enterprise")))
    tolerance = failure_tolerance(uow.book, by.decided)
    report = fund.failure_report(tolerance)
    trace.append(report.describe())
    return Outcome(
        cmd.request_id,
        Message(N_("project {project} failed: {reason}"), project=cmd.project, reason=cmd.reason),
        trace=trace,
        data={"loss": loss, "failure_ratio": report.ratio, "flagged": report.flagged, "released": project.released},
    )


@handles(RepayDebt)
def repay_debt(uow: UnitOfWork, cmd: RepayDebt, by: Provenance) -> Outcome:
    project = _project(uow, cmd.project)
    fund = _fund(uow, project.fund)
    paid = project.repay(by, cmd.amount)
    fund.receive_repayment(by, project.code, paid.principal, paid.interest)
    trace = [
        *paid.trace,
        Message(N_("{code}: cash {cash}; debt of {enterprise} from {code2} {cost}; interest income so far {interest_income}"), code=fund.code, cash=fmt(fund.cash), enterprise=project.enterprise, code2=project.code, cost=fmt(fund.lot(project.code).cost), interest_income=fmt(fund.interest_income)),
    ]
    state = Message(N_("repaid in full")) if project.status == "repaid" else Message(N_("outstanding {outstanding_after}"), outstanding_after=fmt(paid.outstanding_after))
    return Outcome(
        cmd.request_id,
        Message(N_("project {project}: {enterprise} paid {amount} to {code} (interest {interest}, principal {principal}); {state}"), project=cmd.project, enterprise=project.enterprise, amount=fmt(paid.amount), code=fund.code, interest=fmt(paid.interest), principal=fmt(paid.principal), state=state),
        trace=trace,
        data={"amount": paid.amount, "interest": paid.interest, "principal": paid.principal,
              "outstanding": paid.outstanding_after, "cash": fund.cash},
    )


@handles(WriteOffDebt)
def write_off_debt(uow: UnitOfWork, cmd: WriteOffDebt, by: Provenance) -> Outcome:
    project = _project(uow, cmd.project)
    fund = _fund(uow, project.fund)
    principal, interest = project.write_off_debt(by, cmd.reason)
    loss = fund.write_off(by, project.code, cmd.reason)
    return Outcome(
        cmd.request_id,
        Message(N_("project {project}: debt of {enterprise} written off ({reason}): principal {principal}"), project=cmd.project, enterprise=project.enterprise, reason=cmd.reason, principal=fmt(principal)),
        trace=[
            Message(N_("{clause}: principal outstanding {principal} written off by {code}: loss {loss}"), clause=project.clause, principal=fmt(principal), code=fund.code, loss=fmt(loss)),
            Message(N_("{clause}: unpaid interest {interest} forgone (interest is booked only when paid)"), clause=project.clause, interest=fmt(interest)),
            Message(N_("{code}: realised net {realised}"), code=fund.code, realised=fmt(fund.realised)),
        ],
        data={"principal": principal, "interest_forgone": interest, "loss": loss},
    )


@handles(FinishProject)
def finish_project(uow: UnitOfWork, cmd: FinishProject, by: Provenance) -> Outcome:
    project = _project(uow, cmd.project)
    project.finish(by, cmd.spent)
    released = project.released
    return Outcome(
        cmd.request_id,
        Message(N_("project {project} finished on {decided} (acceptance {ref}); no further tranches"), project=cmd.project, decided=cmd.decided, ref=cmd.ref),
        trace=[Message(N_("{clause}: unpaid grant released from the commitment: {amount} granted − {disbursed} paid = {released}"), clause=project.clause, amount=fmt(project.amount), disbursed=fmt(project.disbursed), released=fmt(released)),
               Message(N_("{unspent_trace}; the team may reassign it to another project of {enterprise} (jcg project reassign)"), unspent_trace=project.unspent_trace(), enterprise=project.enterprise)],
        data={"unspent": project.unspent, "released": released, "spent": project.spent},
    )


@handles(ReassignUnspent)
def reassign_unspent(uow: UnitOfWork, cmd: ReassignUnspent, by: Provenance) -> Outcome:
    source = _project(uow, cmd.project)
    target = _project(uow, cmd.target)
    amount = source.reassign_to(by, target, cmd.amount)
    return Outcome(
        cmd.request_id,
        Message(N_("P6.1: {amount} unspent fiscal money of project {project} reassigned to project {target} (a transfer between projects, not new spending)"), amount=fmt(amount), project=cmd.project, target=cmd.target),
        data={"amount": amount},
    )
