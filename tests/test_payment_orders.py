"""Money that cannot be paid twice, mistakes corrected by new events, two people on every payment,
and dates that make sense: payment references, `grant void`/`amend`, pending → post/void."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from domain.errors import CapExceeded, InvalidDate, Refused
from domain.ids import party_id
from ledger import Ledger
from ledger.commands import Outcome
from ledger.handlers.grants import ClawBack, Disburse, VoidAward
from ledger.handlers.parties import RegisterParty
from ledger.handlers.payments import VoidPayment
from ledger.handlers.rules import AmendAward, AwardByRule
from ledger.infra.clock import FixedClock
from projections import reports
from projections.runner import fold
from tests.conftest import APPROVER, OFFICER
from tests.posting import paid, post
from tests.racing import race, race_processes

D = Decimal
DAY = date(2025, 3, 1)


def register(ledger: Ledger, code: str = "U1", kind: str = "university") -> None:
    ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code=code, name=f"{code} 名称",
                                 party_kind=kind, entered=date(2024, 12, 1)))


def p24(ledger: Ledger, value: str = "10000000", contract: str = "HT-1", **kw: object) -> Outcome:
    """A P2.4 award: 2% of the contract value, capped at 500,000 a year for the recipient."""
    args = {"actor": OFFICER, "decided": DAY, "ref": "临科发〔2025〕12号", "recipient": "U1", "clause": "P2.4",
            "basis": {"contract_value": value, "contract": contract, "registered_on": "2024-11-01", "counterparty": "E1"}} | kw
    return ledger.execute(AwardByRule(**args))  # type: ignore[arg-type]  # kw may override any field (tests of bad input)


def disburse(amount: str = "50000", voucher: str = "付-2025-050", day: date = date(2025, 3, 15),
             **kw: object) -> Disburse:
    return Disburse(**{"actor": OFFICER, "decided": day, "recipient": "U1", "award": "U1-A1", "amount": D(amount),
                       "voucher": voucher, **kw})  # type: ignore[arg-type]  # kw may override any field (tests of bad input)


def award_state(ledger: Ledger, award_id: str = "U1-A1") -> tuple[Decimal, Decimal, Decimal]:
    a = ledger.aggregate(party_id("U1")).award(award_id)
    return a.amount, a.pending, a.disbursed


# unique references ---------------------------------------------------------------------------


def test_a_retried_disbursement_without_request_id_is_already_recorded(ledger: Ledger) -> None:
    register(ledger)
    p24(ledger)
    first = ledger.execute(disburse())
    assert first.data["status"] == "pending" and not first.already_recorded
    events = sum(1 for _ in ledger.read_log())
    again = ledger.execute(disburse())  # a new request id: only the voucher tells it is the same payment
    assert again.already_recorded and "already recorded" in again.message and "付-2025-050" in again.message
    assert sum(1 for _ in ledger.read_log()) == events, "a repeat writes nothing"
    assert award_state(ledger) == (D("200000.00"), D("50000.00"), D("0.00"))
    # another officer re-entering the same voucher with the same content: the same payment
    assert ledger.execute(disburse(actor=APPROVER)).already_recorded
    # the same voucher for something else is refused, naming the earlier record
    with pytest.raises(Refused, match=r"付-2025-050 of 市财政 is already used by an earlier record: "
                                      r"grant.disburse U1 U1-A1 50,000.00 on 2025-03-15 by officer-1"):
        ledger.execute(disburse(amount="60000"))
    assert sum(1 for _ in ledger.read_log()) == events


def test_a_payment_names_its_reference(ledger: Ledger) -> None:
    register(ledger)
    p24(ledger)
    with pytest.raises(Refused, match=r"voucher \(付款凭证号\) is required"):
        ledger.execute(disburse(voucher=""))


@pytest.mark.slow
def test_the_same_voucher_raced_from_eight_ledgers_is_paid_once(ledger: Ledger, ledger_url: str) -> None:
    register(ledger)
    p24(ledger)
    commands = [disburse(request_id=f"clerk-{i}") for i in range(8)]
    results, _ = race(ledger_url, commands)
    assert all(isinstance(r, Outcome) for r in results), results
    recorded = [r for r in results if isinstance(r, Outcome) and not r.already_recorded]
    assert len(recorded) == 1, [r.message for r in results if isinstance(r, Outcome)]
    fresh = Ledger.open(ledger_url)
    try:
        assert award_state(fresh) == (D("200000.00"), D("50000.00"), D("0.00"))
        paid_out = fresh.execute(post(recorded[0], date(2025, 3, 16)))
        assert "posted (已拨付)" in paid_out.message
        assert award_state(fresh) == (D("200000.00"), D("0.00"), D("50000.00"))
    finally:
        fresh.close()


@pytest.mark.parametrize("batch", [False, True], ids=["one command", "an import"])
@pytest.mark.parametrize(("amount", "answer"), [("60000", "refused"), ("50000", "already recorded")])
def test_a_voucher_taken_between_the_check_and_the_save_gets_the_answer_of_a_moment_later(
        ledger: Ledger, ledger_url: str, monkeypatch: pytest.MonkeyPatch, amount: str, answer: str,
        batch: bool) -> None:
    """Another officer's command records the same voucher after this one found it free and
    before it claims it: this one is evaluated again, and answered as if it had come a moment
    later (refused naming the record, or already recorded), never "payment … is already registered"."""
    from ledger.handlers import payments

    register(ledger)
    p24(ledger)
    other = Ledger.open(ledger_url)
    checked = payments.check_reference
    after_other: list[int] = []

    def the_other_officer_records_it_now(*args: object, **kw: object) -> str:
        reference = checked(*args, **kw)  # type: ignore[arg-type]  # the handler's own arguments, passed on
        if not after_other:
            after_other.append(0)  # once (the other officer's command checks its reference here too)
            other.execute(disburse(actor=APPROVER))  # 50,000 under the same voucher, recorded first
            after_other[0] = sum(1 for _ in other.read_log())
        return reference

    monkeypatch.setattr(payments, "check_reference", the_other_officer_records_it_now)
    try:
        run = (lambda c: ledger.execute_batch([c])[0]) if batch else ledger.execute
        if answer == "refused":
            with pytest.raises(Refused) as refused:
                run(disburse(amount=amount))
            reasons = [str(r) for _, r in getattr(refused.value, "problems", [(0, refused.value.message)])]
            assert len(reasons) == 1 and "付-2025-050 of 市财政 is already used by an earlier record: " in reasons[0]
        else:
            assert run(disburse(amount=amount)).already_recorded
        assert sum(1 for _ in ledger.read_log()) == after_other[0], "nothing but the other officer's order"
        assert award_state(ledger) == (D("200000.00"), D("50000.00"), D("0.00"))
    finally:
        other.close()


@pytest.mark.slow
def test_the_same_voucher_raced_from_eight_processes_is_paid_once(ledger: Ledger, provisioned_url: str,
                                                                  tmp_path: Path) -> None:
    """Eight `jcg grant disburse` processes with one voucher, four for 50,000 and four for 60,000,
    released together: one order is recorded; a process with the same content is answered
    "already recorded" (exit 0), one with other content is refused naming it (exit 1)."""
    register(ledger)
    p24(ledger)
    before = sum(1 for _ in ledger.read_log())
    amounts = ["50000", "60000"] * 4
    done = race_processes([["--db", provisioned_url, "--officer", OFFICER, "grant", "disburse", "U1-A1",
                            "--amount", a, "--voucher", "付-2025-050", "--decided", "2025-03-15", "--format", "json"]
                           for a in amounts], tmp_path)
    assert all("Traceback" not in f.stderr for f in done), [f.stderr for f in done]
    assert sorted(f.code for f in done) in ([0] * 4 + [1] * 4, [0] * 8), [(f.code, f.stderr) for f in done]
    bodies = {i: json.loads(f.stdout) for i, f in enumerate(done) if f.code == 0}
    recorded = [i for i, b in bodies.items() if b["recorded"]]
    assert len(recorded) == 1, [f.stdout + f.stderr for f in done]
    won = amounts[recorded[0]]
    for i, f in enumerate(done):
        if amounts[i] == won and i not in recorded:
            assert f.code == 0 and bodies[i]["already_recorded"] and "already recorded" in bodies[i]["message"]
        elif amounts[i] != won:
            assert f.code == 1 and f.stdout == "", f.stdout
            assert "付-2025-050 of 市财政 is already used by an earlier record" in f.stderr, f.stderr
            assert len(f.stderr.strip().splitlines()) == 1
    winner = bodies[recorded[0]]
    assert winner["data"]["amount"] == str(D(won).quantize(D("0.01"))) and winner["data"]["status"] == "pending"
    fresh = Ledger.open(provisioned_url, clock=FixedClock(datetime(2032, 1, 1, tzinfo=UTC)))
    try:  # nothing partial: one order, one request, the award reserves exactly the winner's amount
        log = [e for _, e in fresh.read_log()][before:]
        assert [type(e).__qualname__ for e in log if type(e).__qualname__ == "Payment.Ordered"] == ["Payment.Ordered"]
        assert award_state(fresh) == (D("200000.00"), D(won).quantize(D("0.01")), D("0.00"))
        assert fresh.recorded_request(winner["request_id"]) is not None
        assert all(fresh.recorded_request(b["request_id"]) is None for i, b in bodies.items() if i not in recorded)
    finally:
        fresh.close()


# two people on every payment -------------------------------------------------------------------


def test_a_payment_posted_by_its_recorder_is_refused_by_another_approver_accepted(ledger: Ledger) -> None:
    register(ledger)
    p24(ledger)
    order = ledger.execute(disburse(actor=APPROVER))  # an approver records it: not paid yet
    assert award_state(ledger) == (D("200000.00"), D("50000.00"), D("0.00"))
    with pytest.raises(Refused, match="approver-1 filed this request and cannot approve it too"):
        ledger.execute(post(order, date(2025, 3, 16), APPROVER))
    with pytest.raises(Refused, match="officer-1 is an officer; posting a payment order needs an approver"):
        ledger.execute(post(order, date(2025, 3, 16), OFFICER))
    order = ledger.execute(disburse(voucher="付-2025-051"))  # recorded by an officer
    out = ledger.execute(post(order, date(2025, 3, 16), APPROVER))
    assert "recorded by officer-1" in out.message and "paid so far 50,000.00 of 200,000.00" in out.message
    assert award_state(ledger) == (D("200000.00"), D("50000.00"), D("50000.00"))
    with pytest.raises(Refused, match="is 已拨付 posted; only a pending order can be posted"):
        ledger.execute(post(order, date(2025, 3, 17), APPROVER))


def test_pending_orders_reserve_the_award_and_show_in_budgets(ledger: Ledger) -> None:
    register(ledger)
    p24(ledger)  # 200,000
    ledger.execute(disburse(amount="150000"))
    with pytest.raises(Refused, match=r"exceeds what remains to pay \(50,000.00 of 200,000.00, 150,000.00 pending"):
        ledger.execute(disburse(amount="60000", voucher="付-2025-052"))
    budget = _budget(ledger)
    assert (budget["committed"], budget["pending"], budget["paid"]) == (D("200000.00"), D("150000.00"), D("0.00"))
    order = Outcome("", "", data={"source": "市财政", "payment": "付-2025-050"})
    voided = ledger.execute(VoidPayment(actor=APPROVER, decided=date(2025, 3, 16), source="市财政",
                                        reference="付-2025-050", reason="金额有误"))
    assert "voided (已作废)" in voided.message and "200,000.00 of 200,000.00 may be ordered again" in voided.message
    with pytest.raises(Refused, match="is 已作废 voided"):
        ledger.execute(post(order, date(2025, 3, 16)))
    budget = _budget(ledger)
    assert (budget["committed"], budget["pending"], budget["paid"]) == (D("200000.00"), D("0.00"), D("0.00"))
    paid(ledger, disburse(amount="200000", voucher="付-2025-053"))
    budget = _budget(ledger)
    assert (budget["pending"], budget["paid"]) == (D("0.00"), D("200000.00"))


def test_a_bureau_that_turns_the_second_person_off_says_so_in_the_book(ledger: Ledger) -> None:
    from domain.parameters import ParameterBook, load_values, parameter_book

    off = '''
[[value]]
clause = "内控"
name = "two_person.grant.disburse"
value = false
unit = "bool"
valid_from = 2025-03-10
quote = "(test) 本局决定小额拨付不再二人复核"
'''
    base = [p for c in parameter_book().clauses() for p in parameter_book().versions(c)]
    ledger.book = ParameterBook(base + load_values([("off.toml", off)]))
    register(ledger)
    p24(ledger)
    before = ledger.execute(disburse(amount="1000", voucher="V-1", day=date(2025, 3, 9)))
    assert before.data["status"] == "pending"  # the earlier value still applies to an earlier payment
    after = ledger.execute(disburse(amount="1000", voucher="V-2", day=date(2025, 3, 10)))
    assert after.data["status"] == "posted" and "paid 1,000.00 on award U1-A1" in after.message


# corrections -------------------------------------------------------------------------------------


def _caps(ledger: Ledger) -> tuple[Decimal, Decimal]:
    report = reports.caps(fold(ledger, report="caps")[0].rows)
    names = [c.name for c in report.columns]
    row = next(dict(zip(names, r, strict=True)) for r in report.rows if r[0] == "P2.4" and r[2] == "U1")
    return row["used"], row["remaining"]


def _budget(ledger: Ledger, year: int = 2025) -> dict[str, Decimal]:
    report = reports.budgets(fold(ledger, report="budgets")[0].rows)
    names = [c.name for c in report.columns]
    return next(dict(zip(names, r, strict=True)) for r in report.rows if r[0] == year and r[1] == "市财政")


def test_a_void_releases_cap_and_budget_exactly(ledger: Ledger) -> None:
    register(ledger)
    p24(ledger, "10000000", "HT-1")  # 200,000
    p24(ledger, "5000000", "HT-2")  # 100,000 (U1-A2)
    paid(ledger, disburse(amount="30000"))
    assert _caps(ledger) == (D("300000.00"), D("200000.00"))
    assert _budget(ledger)["committed"] == D("300000.00")
    with pytest.raises(Refused, match="a void needs a decision reference"):
        ledger.execute(VoidAward(actor=OFFICER, decided=date(2025, 4, 1), recipient="U1", award="U1-A1",
                                 reason="合同金额录入错误"))
    out = ledger.execute(VoidAward(actor=OFFICER, decided=date(2025, 4, 1), ref="临科发〔2025〕30号", recipient="U1",
                                   award="U1-A1", reason="合同金额录入错误"))
    assert "170,000.00 unpaid cancelled" in out.message and "paid 30,000.00 stands" in out.message
    assert _caps(ledger) == (D("130000.00"), D("370000.00"))  # exactly the unpaid 170,000 released
    budget = _budget(ledger)
    assert (budget["committed"], budget["paid"]) == (D("130000.00"), D("30000.00"))
    with pytest.raises(Refused, match="exceeds what remains to pay"):
        ledger.execute(disburse(amount="1", voucher="付-2025-099"))
    # the paid part still needs a claw-back; a second void has nothing to cancel
    with pytest.raises(Refused, match="paid in full"):
        ledger.execute(VoidAward(actor=OFFICER, decided=date(2025, 4, 2), ref="R", recipient="U1", award="U1-A1",
                                 reason="again"))
    ledger.execute(ClawBack(actor=OFFICER, decided=date(2025, 4, 2), ref="R", recipient="U1", award="U1-A1",
                            amount=D("30000"), reason="合同金额录入错误"))
    assert _caps(ledger) == (D("100000.00"), D("400000.00"))
    trail = reports.trail(fold(ledger, report="trail")[0].rows, "U1-A1")
    events = [r[2] for r in trail.rows]
    assert events.index("AwardGranted") < events.index("Ordered") < events.index("AwardVoided"), events


def test_a_void_refuses_while_an_order_is_pending(ledger: Ledger) -> None:
    register(ledger)
    p24(ledger)
    ledger.execute(disburse())
    with pytest.raises(Refused, match="pending in a payment order; post or void the order first"):
        ledger.execute(VoidAward(actor=OFFICER, decided=date(2025, 4, 1), ref="R", recipient="U1", award="U1-A1",
                                 reason="错误"))


def test_amend_voids_and_awards_again_in_one_request(ledger: Ledger) -> None:
    register(ledger)
    p24(ledger, "25000000")  # 500,000: the whole 2025 cap
    with pytest.raises(CapExceeded):
        p24(ledger, "1000000", "HT-2")
    out = ledger.execute(AmendAward(actor=OFFICER, decided=date(2025, 3, 5), ref="临科发〔2025〕31号", recipient="U1",
                                    clause="P2.4", basis={"contract_value": "2500000", "contract": "HT-1", "registered_on": "2024-11-01", "counterparty": "E1"},
                                    award="U1-A1", correction="合同金额多录一个0"))
    assert "award U1-A1 of U1 voided: 500,000.00 unpaid cancelled" in out.message
    assert "replaced by award U1-A2: 50,000.00" in out.message
    assert _caps(ledger) == (D("50000.00"), D("450000.00"))
    # an amend that cannot award voids nothing either (one request: both or neither)
    with pytest.raises(Refused):
        ledger.execute(AmendAward(actor=OFFICER, decided=date(2025, 3, 6), ref="R", recipient="U1", clause="P2.4",
                                  basis={"contract_value": "-1", "contract": "HT-1", "registered_on": "2024-11-01", "counterparty": "E1"}, award="U1-A2",
                                  correction="x"))
    assert award_state(ledger, "U1-A2") == (D("50000.00"), D("0.00"), D("0.00"))


# dates --------------------------------------------------------------------------------------------


def test_a_future_dated_decision_or_payment_is_refused(provisioned_url: str) -> None:
    # today is the ledger's clock in China (UTC+8): 2025-03-20 00:30 there
    ledger = Ledger.open(provisioned_url, clock=FixedClock(datetime(2025, 3, 19, 16, 30, tzinfo=UTC)))
    register(ledger)
    with pytest.raises(InvalidDate, match=r"decision date 2025-03-21 is after today \(2025-03-20\)"):
        p24(ledger, decided=date(2025, 3, 21))
    p24(ledger)
    ledger.execute(disburse(day=date(2025, 3, 20)))
    with pytest.raises(InvalidDate, match=r"decision date 2025-04-01 is after today"):
        ledger.execute(disburse(day=date(2025, 4, 1), voucher="付-2025-077"))
    with pytest.raises(InvalidDate, match=r"payment date 2025-02-01 is before the award \(2025-03-01\)"):
        ledger.execute(disburse(day=date(2025, 2, 1), voucher="付-2025-078"))


# qualifications: a fixed vocabulary; P6.5b takes its level from them --------------------------------


def test_an_unknown_qualification_is_refused_with_the_known_ones(ledger: Ledger) -> None:
    from ledger.handlers.parties import GrantQualification

    register(ledger, "E1", "enterprise")
    with pytest.raises(Refused, match=r"unknown qualification '高企': record one of 高新技术企业 \(high-tech enterprise: national\), "):
        ledger.execute(GrantQualification(actor=OFFICER, decided=date(2025, 1, 3), code="E1", qualification="高企",
                                          granted_on=date(2024, 12, 20)))
    with pytest.raises(Refused, match="专精特新小巨人企业: give its level"):
        ledger.execute(GrantQualification(actor=OFFICER, decided=date(2025, 1, 3), code="E1",
                                          qualification="little_giant", granted_on=date(2024, 12, 20)))
    out = ledger.execute(GrantQualification(actor=OFFICER, decided=date(2025, 1, 3), code="E1",
                                            qualification="high-tech enterprise", granted_on=date(2024, 12, 20)))
    assert out.data == {"party": "E1", "qualification": "高新技术企业", "level": "national"}  # stored by its Chinese name


def test_p6_5b_takes_the_level_from_the_recorded_qualification(ledger: Ledger) -> None:
    from ledger.handlers.parties import GrantQualification

    register(ledger, "E1", "enterprise")
    ledger.execute(GrantQualification(actor=OFFICER, decided=date(2025, 1, 3), code="E1",
                                      qualification="专精特新中小企业", granted_on=date(2024, 12, 20)))

    def p65b(**basis: str) -> Outcome:
        return ledger.execute(AwardByRule(actor=OFFICER, decided=DAY, ref="临工信发〔2025〕3号", recipient="E1",
                                          clause="P6.5b", basis=basis))

    with pytest.raises(Refused, match=r"level national_little_giant is not held by E1 on 2025-03-01 "
                                      r"\(recorded: 专精特新中小企业 provincial from 2024-12-20\)"):
        p65b(level="national_little_giant")
    out = p65b()  # no typed level: the one recorded
    assert out.data["amount"] == D("100000.00")
    assert any("E1 holds 专精特新中小企业 (provincial) from 2024-12-20" in line for line in out.trace)


def test_p6_5b_without_a_recorded_qualification_is_refused(ledger: Ledger) -> None:
    register(ledger, "E1", "enterprise")
    with pytest.raises(Refused, match="E1 holds no 专精特新 / 小巨人 qualification on 2025-03-01"):
        ledger.execute(AwardByRule(actor=OFFICER, decided=DAY, ref="R", recipient="E1", clause="P6.5b",
                                   basis={"level": "provincial_specialised"}))
