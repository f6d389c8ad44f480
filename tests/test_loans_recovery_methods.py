"""P5.6 recoveries: three ways of returning a sequence of recoveries to the bearers of a loss.

- fixed:      each recovery split by the original shares, half-up, the bank taking the remainder
- remaining:  each recovery split by what each bearer still bears
- cumulative: (chosen, domain.compensation.recovery_return) each bearer's total returned is its
              share of the total recovered, half-up, the bank the remainder, kept within [0, share]

`python tests/test_loans_recovery_methods.py 20000` prints the figures in docs/decisions.md.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal as D

from domain.compensation import BEARERS, recovery_return
from domain.money import pro_rata
from domain.parameters import parameter_book
from domain.rules import split_loss

Method = Callable[[D, dict[str, D], dict[str, D]], dict[str, D]]


def m_fixed(a: D, shares: dict[str, D], got: dict[str, D]) -> dict[str, D]:
    return dict(zip(BEARERS, pro_rata(a, [shares[k] for k in BEARERS]), strict=True))


def m_remaining(a: D, shares: dict[str, D], got: dict[str, D]) -> dict[str, D]:
    return dict(zip(BEARERS, pro_rata(a, [shares[k] - got[k] for k in BEARERS]), strict=True))


def m_cumulative(a: D, shares: dict[str, D], got: dict[str, D]) -> dict[str, D]:
    return recovery_return("P5.6a", a, shares, got).parts


METHODS: dict[str, Method] = {"fixed": m_fixed, "remaining": m_remaining, "cumulative": m_cumulative}


def run(seqs: list[tuple[D, list[D]]]) -> dict[str, tuple[int, int, D]]:
    """Per method: steps returning < 0 or beyond a share, full recoveries not giving back exactly
    the shares, and the largest distance of a bearer's total from exact pro rata."""
    out = {}
    for name, method in METHODS.items():
        bad_step = final_mismatch = 0
        drift = D(0)
        for loss, amounts in seqs:
            shares = split_loss("P5.6a", loss, date(2025, 6, 1), parameter_book()).shares
            got = dict.fromkeys(BEARERS, D(0))
            total = D(0)
            for a in amounts:
                parts = method(a, shares, got)
                assert sum(parts.values()) == a
                total += a
                for k in BEARERS:
                    got[k] += parts[k]
                bad_step += any(parts[k] < 0 or got[k] > shares[k] for k in BEARERS)
                drift = max(drift, *(abs(got[k] - total * shares[k] / loss) for k in BEARERS))
            if total == loss:
                final_mismatch += got != shares
        out[name] = (bad_step, final_mismatch, drift.quantize(D("0.0001")))
    return out


def sequences(n: int, seed: int = 20260101) -> list[tuple[D, list[D]]]:
    """Random losses up to 10,000,000.00 with 1-8 recoveries, the last completing the loss."""
    rnd = random.Random(seed)
    seqs = []
    for _ in range(n):
        loss = D(rnd.randint(1, 10**9)) / 100
        k = rnd.randint(1, 8)
        left, amounts = loss, []
        for i in range(k):
            a = left if i == k - 1 else min(left, (D(rnd.randint(1, int(loss * 100))) / 100 / k).quantize(D("0.01")))
            if a <= 0:
                break
            amounts.append(a)
            left -= a
        seqs.append((loss, amounts))
    return seqs


TINY = [(D("333333.33"), [D("0.01")] * 300), (D("100.00"), [D("0.01")] * 10000), (D("0.03"), [D("0.01")] * 3)]


def test_the_chosen_method_never_over_returns_and_stays_within_a_fen() -> None:
    for seqs in (sequences(300), TINY):
        bad, mismatch, drift = run(seqs)["cumulative"]
        assert (bad, mismatch) == (0, 0)
        assert drift <= D("0.01")


if __name__ == "__main__":
    N = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    for label, s in [(f"{N} random losses, 1-8 recoveries, the last completing the loss", sequences(N)),
                     ("recoveries of one fen (333,333.33 x300; 100.00 to the end; 0.03)", TINY)]:
        print(label)
        for name, (bad, mism, drift) in run(s).items():
            print(f"  {name:<10} steps returning <0 or beyond a share: {bad:>6}; full recovery != shares: "
                  f"{mism:>5}; max drift from exact pro rata: {drift}")
