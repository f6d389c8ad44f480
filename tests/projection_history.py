"""A small hand-computed history shared by the projection tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger import Ledger
from ledger.grants import ClawBack, Disburse, RecordAward
from ledger.parties import RegisterParty
from tests.conftest import OFFICER

D = Decimal


def record_small_history(ledger: Ledger) -> None:
    """Nine commands, two events each (the fact and its request record): 18 positions.

    positions  1-2  register U1 (university)        2025-01-02
               3-4  register E1 (enterprise)        2025-01-02
               5-6  award U1-A1 P2.4 100,000 市财政  2025-03-01
               7-8  award E1-A1 P2.3a 50,000 省财政  2025-04-01
              9-10  pay U1-A1 60,000                 2025-05-01
             11-12  pay E1-A1 50,000                 2025-06-01
             13-14  claw back E1-A1 10,000           2025-09-01 (same year)
             15-16  pay U1-A1 40,000                 2026-02-01
             17-18  claw back U1-A1 5,000            2026-03-01 (later year: revenue)
    """
    a = {"actor": OFFICER}
    ledger.execute(RegisterParty(code="U1", name="山西师范大学", party_kind="university", entered=date(2025, 1, 1),
                                 decided=date(2025, 1, 2), **a))
    ledger.execute(RegisterParty(code="E1", name="临汾光电科技有限公司", party_kind="enterprise",
                                 entered=date(2025, 1, 1), decided=date(2025, 1, 2), **a))
    ledger.execute(RecordAward(recipient="U1", clause="P2.4", amount=D("100000.00"), decided=date(2025, 3, 1),
                               ref="临科发〔2025〕1号", **a))
    ledger.execute(RecordAward(recipient="E1", clause="P2.3a", amount=D("50000.00"), source="省财政",
                               decided=date(2025, 4, 1), ref="临科发〔2025〕2号", **a))
    ledger.execute(Disburse(recipient="U1", award="U1-A1", amount=D("60000"), decided=date(2025, 5, 1), **a))
    ledger.execute(Disburse(recipient="E1", award="E1-A1", amount=D("50000"), decided=date(2025, 6, 1), **a))
    ledger.execute(ClawBack(recipient="E1", award="E1-A1", amount=D("10000"), reason="考核不合格",
                            decided=date(2025, 9, 1), ref="临科发〔2025〕9号", **a))
    ledger.execute(Disburse(recipient="U1", award="U1-A1", amount=D("40000"), decided=date(2026, 2, 1), **a))
    ledger.execute(ClawBack(recipient="U1", award="U1-A1", amount=D("5000"), reason="审计追回",
                            decided=date(2026, 3, 1), ref="临审〔2026〕3号", **a))
