"""P3 R&D institutions and platforms (P3.1–P3.4): fixed amounts, floors, construction-period caps.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import CapExceeded, InvalidAmount, Refused
from tests.builders import (
    D,
    award,
    calc,
    covers,
    party,
)


@covers("P3.1a", "P3.1c", "P3.1b")
def test_p3_1_platform_fixed_amounts_and_upgrade_pays_the_difference() -> None:
    p = party()
    assert calc("P3.1a", p, platform="LAB-1").amount == D("3000000.00")
    assert calc("P3.1c", p, platform="ETC-1", level="national").amount == D("500000.00")
    assert calc("P3.1c", p, platform="ETC-1", level="municipal").amount == D("100000.00")
    award("P3.1b", p, platform="LAB-1", level="municipal")
    with pytest.raises(Refused, match=r"G.3 .* matter P3.1:LAB-1 .* already received 100,000.00"):
        calc("P3.1b", p, platform="LAB-1", level="municipal")  # one-time per platform and level
    e = award("P3.1b", p, platform="LAB-1", level="provincial")
    assert e.amount == D("400000.00") and "pays the difference 400,000.00" in e.line
    e = calc("P3.1a", p, platform="LAB-1")  # upgrade to national
    assert e.amount == D("2500000.00")
    with pytest.raises(Refused, match=r"level=.* must be one of provincial, municipal"):
        calc("P3.1b", p, platform="LAB-2", level="national")


@covers("P3.2a")
def test_p3_2a_floor_one_time() -> None:
    p = party("institute", "N1")
    assert calc("P3.2a", p, amount="500000").amount == D("500000.00")  # at the floor
    assert calc("P3.2a", p, amount="800000").amount == D("800000.00")
    with pytest.raises(InvalidAmount, match=r"below the floor of 500,000"):
        calc("P3.2a", p, amount="499999.99")
    award("P3.2a", p, amount="600000")
    with pytest.raises(Refused, match=r"P3.2a: one-time \(一次性\): N1 already received award N1-A1 of 600,000.00"):
        calc("P3.2a", p, amount="900000")  # a higher second amount is not a G.3 difference


@covers("P3.2b")
def test_p3_2b_cumulative_over_the_construction_period() -> None:
    p = party("institute", "N1")
    award("P3.2b", p, amount="100000")
    award("P3.2b", p, date(2026, 3, 1), amount="150000")
    with pytest.raises(CapExceeded, match=r"^P3.2b: amount decided 100,000.00 exceeds the 50,000.00 remaining"):
        calc("P3.2b", p, date(2027, 3, 1), amount="100000")
    e = calc("P3.2b", p, date(2027, 3, 1), amount="50000")
    assert e.amount == D("50000.00") and "used 250,000.00, remaining 50,000.00" in e.line
    award("P3.2b", p, date(2027, 3, 1), amount="50000")
    with pytest.raises(CapExceeded, match=r"cap 300,000 over the construction period is used up"):
        calc("P3.2b", p, date(2028, 3, 1), amount="1")
    with pytest.raises(CapExceeded, match=r"exceeds the cap of 300,000"):
        calc("P3.2b", party("institute", "N2"), amount="300000.01")


@covers("P3.2b")
def test_p3_2b_over_the_remaining_room_is_refused_not_cut() -> None:
    n = party("institute", "N1")
    award("P3.2b", n, amount="200000")
    with pytest.raises(CapExceeded) as refused:
        calc("P3.2b", n, date(2026, 3, 1), amount="100000.01")
    assert str(refused.value) == ("P3.2b: amount decided 100,000.01 exceeds the 100,000.00 remaining of the cap "
                                  "300,000 over the construction period (used 200,000.00; G.3 matter P3.2b: N1-A1 P3.2b 200,000.00)")
    assert calc("P3.2b", n, date(2026, 3, 1), amount="100000").amount == D("100000.00")


@covers("P3.3", "P3.4")
def test_p3_3_and_p3_4() -> None:
    p = party("university", "U1")
    assert calc("P3.3", p, institute="INST-1").amount == D("100000.00")
    assert calc("P3.4", p, platform="NL-1", output_value="100000000.01").amount == D("3000000.00")
    with pytest.raises(Refused, match=r"does not exceed 100,000,000"):
        calc("P3.4", p, platform="NL-1", output_value="100000000")  # 超过: at the threshold is not enough
    award("P3.3", p, institute="INST-1")
    with pytest.raises(Refused, match=r"P3.3: one-time \(一次性\) for institute INST-1: U1 already received"):
        calc("P3.3", p, institute="INST-1")
    assert calc("P3.3", p, institute="INST-2").amount == D("100000.00")  # another institute
    award("P3.4", p, platform="NL-1", output_value="100000000.01")
    with pytest.raises(Refused, match=r"P3.4: one-time \(一次性\) for platform NL-1"):
        calc("P3.4", p, date(2026, 3, 1), platform="NL-1", output_value="200000000")
