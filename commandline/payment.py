"""`jcg payment`: the second person on every payment (post or void a pending order) and the list
of orders waiting for one."""

from __future__ import annotations

from datetime import date

import click

from commandline.options import REASON, Session, common, pass_session, writing, writing_with_ref
from i18n.clicktools import I18nGroup
from ledger.handlers.payments import PostPayment, ReversePayment, VoidPayment


@click.group(cls=I18nGroup)
def payment() -> None:
    """Payment orders: post (已拨付) or void what another officer recorded (待审核)."""


@payment.command("post")
@click.argument("reference")
@click.option("--source", required=True, help="Paying source of the order (市财政, 省财政, a fund code …).")
@writing
@pass_session
def payment_post(session: Session, reference: str, source: str, decided: date, ref: str, request_id: str) -> None:
    """Release the pending order REFERENCE of SOURCE (已拨付): an approver who did not record it.

    \b
    Example:
      jcg payment post 付-2025-031 --source 市财政 --decided 2025-03-11
    """
    session.run(PostPayment(source=source, reference=reference, **common(decided, ref, request_id)))


@payment.command("void")
@click.argument("reference")
@click.option("--source", required=True, help="Paying source of the order.")
@click.option("--reason", required=True, help="Why the order is cancelled.")
@writing
@pass_session
def payment_void(session: Session, reference: str, source: str, reason: str, decided: date, ref: str,
                 request_id: str) -> None:
    """Cancel the pending order REFERENCE of SOURCE (已作废): nothing is paid, its reservation is released.

    \b
    Example:
      jcg payment void 付-2025-031 --source 市财政 --reason 金额有误 --decided 2025-03-11
    """
    session.run(VoidPayment(source=source, reference=reference, reason=reason, **common(decided, ref, request_id)))


@payment.command("reverse")
@click.argument("reference")
@click.option("--source", required=True, help="Paying source of the movement (市财政, 省财政, the bank's code …).")
@click.option("--reason", type=REASON, required=True, help="Why the movement was recorded in error.")
@writing_with_ref
@pass_session
def payment_reverse(session: Session, reference: str, source: str, reason: str, decided: date, ref: str,
                    request_id: str) -> None:
    """Reverse the posted movement REFERENCE of SOURCE, recorded in error (已冲销): a tranche, a P5.6
    compensation payment, a loan repayment or recovery. A new event in red, never an edit: what it
    consumed is released exactly; by an approver other than its recorder. Refused where the domain
    does not allow it (a converted tranche, a payment a recovery was returned on, a repayment the
    declared loss was measured on, a recovery before a later one).

    \b
    Example:
      jcg --officer zhang payment reverse 付-2025-031 --source 市财政 --reason 重复录入 \\
          --decided 2025-03-20 --ref 临科发〔2025〕33号
    """
    session.run(ReversePayment(source=source, reference=reference, reason=reason, **common(decided, ref, request_id)))


@payment.command("pending")
@pass_session
def payment_pending(session: Session) -> None:
    """List the payment orders waiting for a second person (待审核).

    \b
    Example:
      jcg payment pending
    """
    from projections.payments import PAYMENTS
    from projections.views.payments import pending_lines

    rows = session.read_side.list_rows(PAYMENTS, PAYMENTS.c.status == "pending", order_by=[PAYMENTS.c.ordered_at])
    click.echo("\n".join(pending_lines(rows)))
