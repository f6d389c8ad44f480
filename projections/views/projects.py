"""`project show`: a 拨投结合 project's grant, tranches, terms, trigger, conversions and exits,
made from the project as ledger.queries.get_project returns it."""

from __future__ import annotations

from domain.messages import N_, Message
from domain.money import fmt
from domain.project import Project
from i18n import text


def project_lines(p: Project) -> list[str]:
    """What `jcg project show` prints."""
    lines: list[Message] = [
        Message(N_("{code}  {title}  ({clause}, {status}); enterprise {enterprise}, holder {fund}, approved "
                   "{approved_on}"), code=p.code, title=p.title, clause=p.clause, status=Message(p.status),
                enterprise=p.enterprise, fund=p.fund, approved_on=p.approved_on),
        Message(N_("  grant {amount}; paid {disbursed} in {count_tranches} tranche(s); reassigned in {reassigned_in}, "
                   "out {reassigned_out}; clawed back {clawed_back}; unpaid grant released {released}, still "
                   "committed {outstanding}"), amount=fmt(p.amount), disbursed=fmt(p.disbursed),
                count_tranches=len(p.tranches), reassigned_in=fmt(p.reassigned_in),
                reassigned_out=fmt(p.reassigned_out), clawed_back=fmt(p.clawed_back), released=fmt(p.released),
                outstanding=fmt(p.outstanding)),
    ]
    lines += [Message(N_("  terms: {line}"), line=line) for line in p.terms.describe()]
    if p.finished_on is not None:
        lines.append(Message(N_("  finished (accepted) {finished_on}, acceptance {acceptance_ref}; spent {spent}; "
                                "unspent fiscal money {unspent} may be reassigned to another project of the team "
                                "(P6.1)"), finished_on=p.finished_on, acceptance_ref=p.acceptance_ref,
                             spent=fmt(p.spent), unspent=fmt(p.unspent)))
    elif p.status != "failed":
        lines.append(Message(N_("  not finished: no acceptance recorded (jcg project finish)")))
    if p.trigger:
        extra = (Message(N_(" ({investor}, pre-money {round_pre_money})"), investor=p.trigger["investor"],
                         round_pre_money=fmt(p.trigger["round_pre_money"]))
                 if p.trigger["round_pre_money"] is not None else "")
        lines.append(Message(N_("  trigger recorded {on}{extra}"), on=p.trigger["on"], extra=extra))
    if p.into:
        lines.append(Message(N_("  converted {converted} into {into} in {count_lots} conversion(s): registered capital "
                                "{units}, premium {premium}"), converted=fmt(p.converted), into=Message(p.into),
                             count_lots=len(p.lots), units=fmt(p.units), premium=fmt(p.premium)))
        for lot in p.lots:
            if p.into == "debt":
                lines.append(Message(N_("    converted {amount} into debt on {on}; matures {maturity}"),
                                     amount=fmt(lot["amount"]), on=lot["on"], maturity=p.terms.maturity(lot["on"])))
            else:
                opens, closes = p.terms.window(lot["on"])
                lines.append(Message(N_("    converted {amount} into equity on {on}: registered capital {units}, held "
                                        "{lot_held}; buyback window {opens} to {closes}"), amount=fmt(lot["amount"]),
                                     on=lot["on"], units=fmt(lot["units"]), lot_held=fmt(p.lot_held(lot)),
                                     opens=opens, closes=closes))
        if p.into == "debt":
            matures = [Message(N_("{amount} on {day}"), amount=fmt(amount), day=day) for day, amount in p.maturities()]
            lines.append(Message(N_("  debt: principal repaid {debt_repaid}, written off {debt_written_off}, outstanding "
                                    "{debt_outstanding}; interest paid {interest_paid}, unpaid carried "
                                    "{interest_carried} to {debt_accrued_to}; matures {matures}"),
                                 debt_repaid=fmt(p.debt_repaid), debt_written_off=fmt(p.debt_written_off),
                                 debt_outstanding=fmt(p.debt_outstanding), interest_paid=fmt(p.interest_paid),
                                 interest_carried=fmt(p.interest_carried), debt_accrued_to=p.debt_accrued_to,
                                 matures=matures))
        else:
            lines.append(Message(N_("  held {held}; bought back {bought_back}, sold {sold}, written off {written_off}; "
                                    "proceeds {proceeds}"), held=fmt(p.held), bought_back=fmt(p.bought_back),
                                 sold=fmt(p.sold), written_off=fmt(p.written_off), proceeds=fmt(p.proceeds)))
    return [text(line) for line in lines]
