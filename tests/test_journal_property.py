"""Over any sequence of valid and invalid commands, the journal balances, no payment
exceeds its award and no annual cap is passed: refused commands leave no trace.

Awards go through the rules engine like every award: P2.1c 一事一议 with a random officer-decided
amount, and P6.3b vouchers of a random face value (capped at 200,000 per enterprise per year)."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import Refused
from domain.ids import party_id
from domain.journal import trial_balance
from ledger import Ledger
from ledger.handlers.grants import ClawBack, Disburse
from ledger.handlers.officers import enrol
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from ledger.infra.keys import Keyring, KeyStore
from tests.conftest import APPROVER, KEY_PASSPHRASE, OFFICER, fixed_clock
from tests.posting import paid

PARTIES = ["ENT-1", "ENT-2", "U-1"]
START = date(2024, 11, 5)

P6_3B_CAP = Decimal("200000.00")  # P6.3b annual cap per enterprise (domain/params), checked below

# mostly valid amounts, sometimes invalid ones (zero, negative, fractions of a fen) that must be refused
amounts = st.one_of(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000000"), places=2),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("250000"), places=2),
    st.sampled_from([Decimal("0.00"), Decimal("-1.00"), Decimal("0.001"), Decimal("-150000.00")]),
)
days = st.integers(min_value=0, max_value=(date(2028, 12, 31) - START).days)
operation = st.one_of(
    st.tuples(st.just("award"), st.sampled_from(PARTIES), amounts, days, st.sampled_from(["P2.1c", "P6.3b"])),
    st.tuples(st.just("disburse"), st.sampled_from(PARTIES), amounts, days, st.integers(1, 3)),
    st.tuples(st.just("claw"), st.sampled_from(PARTIES), amounts, days, st.integers(1, 3)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=25))
def test_postings_always_sum_to_zero_and_payments_never_exceed_awards(ops: list[tuple]) -> None:
    ledger = Ledger({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"}, clock=fixed_clock(),
                    keyring=Keyring(KeyStore(tempfile.mkdtemp(prefix="jcg-property-keys-"), KEY_PASSPHRASE)))
    enrol(ledger, APPROVER, "approver", decided=START)  # the first officer registers themself
    enrol(ledger, OFFICER, "officer", actor=APPROVER, decided=START)  # the approver posts OFFICER's payments
    officer_events = sum(1 for _ in ledger.read_log())
    for code in PARTIES:
        ledger.execute(RegisterParty(actor=OFFICER, decided=START, code=code, name=code, party_kind="enterprise",
                                     entered=START))
    accepted = payments = 0
    for n, op in enumerate(ops):
        kind, code, amount, day = op[:4]
        decided = START + timedelta(days=day)
        try:
            if kind == "award" and op[4] == "P2.1c":
                ledger.execute(AwardByRule(actor=OFFICER, decided=decided, recipient=code, clause="P2.1c",
                                           amount=amount, reason="一事一议", ref="R"))
            elif kind == "award":
                ledger.execute(AwardByRule(actor=OFFICER, decided=decided, recipient=code, clause="P6.3b",
                                           basis={"vouchers": str(amount), "voucher": f"Q-{n}"}, ref="R"))
            elif kind == "disburse":
                paid(ledger, Disburse(actor=OFFICER, decided=decided, recipient=code, award=f"{code}-A{op[4]}",
                                      amount=amount))
                payments += 1  # the order and its posting: two requests of three events
            else:
                ledger.execute(ClawBack(actor=OFFICER, decided=decided, recipient=code, award=f"{code}-A{op[4]}",
                                        amount=amount, reason="追回"))
            accepted += 1
        except Refused:
            pass

    totals = trial_balance(e for _, e in ledger.read_log())
    assert sum(totals.values(), Decimal(0)) == 0

    for code in PARTIES:
        party = ledger.aggregate(party_id(code))
        for award in party.awards.values():
            assert Decimal(0) <= award.disbursed <= award.amount
            assert Decimal(0) <= award.clawed_back <= award.disbursed
        net_p63b: dict[int, Decimal] = {}
        for award in party.awards.values():
            assert award.amount > 0 and award.amount == award.amount.quantize(Decimal("0.01"))
            if award.clause == "P6.3b":
                net_p63b[award.fiscal_year] = net_p63b.get(award.fiscal_year, Decimal(0)) + award.amount \
                    - award.clawed_back
        assert all(net <= P6_3B_CAP for net in net_p63b.values()), net_p63b
        t = party.totals()
        # the journal and the aggregate tell the same story
        assert -totals.get(f"payable:{code}", Decimal(0)) == t["awarded"] - t["disbursed"]
    assert sum(1 for _ in ledger.read_log()) == officer_events + 2 * (len(PARTIES) + accepted) + 4 * payments
