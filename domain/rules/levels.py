"""The level of a level-based award (P3.1, P3.2a, P6.4, as P6.5b), read from the recipient's
recorded qualifications on the decision date (CLAUSES.md: "the level comes from the recipient's
recorded qualifications on the decision date, never from a typed value"): a typed level is
only a choice among the levels held, so a level above the recorded one is refused."""

from __future__ import annotations

from datetime import date

from domain.messages import N_, Message
from domain.qualifications import LEVEL_ORDER
from domain.rules.engine import Calculation

# clause → the qualifications (stored Chinese names, domain/qualifications.toml) whose level it pays
CLAUSE_QUALIFICATIONS: dict[str, tuple[str, ...]] = {
    "P3.1a": ("重点实验室", "省部共建国家重点实验室", "技术创新中心", "临床医学研究中心"),  # 国家级 only
    "P3.1b": ("重点实验室", "技术创新中心", "中试基地"),
    "P3.1c": ("企业技术中心",),
    "P3.2a": ("新型研发机构",),  # 省级 only
    "P6.4a": ("科技企业孵化器",),
    "P6.4b": ("众创空间",),
}


def recorded_level(calc: Calculation, levels: tuple[str, ...], key: str = "level") -> str:
    """The level the award pays: the basis ``key`` if typed (it must be held), else the highest of
    ``levels`` at which the recipient holds one of the clause's qualifications on the decision date;
    the qualification it comes from is shown in the trace."""
    names = CLAUSE_QUALIFICATIONS[calc.clause]
    recipient, on = calc.recipient, calc.decided
    held = sorted({lv for lv in levels for n in names if recipient.holds(n, lv, on)}, key=LEVEL_ORDER.index)
    recorded = [Message(N_("{name} {level} from {granted}"), name=q.name, level=Message(q.level), granted=q.granted_on)
                for q in recipient.qualifications if q.name in names] or Message(N_("none"))
    calc.require(bool(held), Message(N_("{code} holds no {names} qualification at {levels} on {decided} (recorded: "
                                        "{recorded}); record the qualification first (jcg party qualify)"),
                                     code=recipient.code, names=" / ".join(names), levels=" / ".join(levels),
                                     decided=on, recorded=recorded))
    typed = calc.basis.get(key)
    if typed:
        calc.require(typed in held, Message(N_("level {level} is not held by {code} on {decided} (recorded: "
                                               "{recorded}); the level comes from the recorded qualifications"),
                                            level=typed, code=recipient.code, decided=on, recorded=recorded,
                                            level_label=Message(typed)))
    level: str = typed or held[-1]
    name, granted = _first_grant(calc, names, level, on)
    calc.step(Message(N_("{code} holds {name} ({level}) from {granted}: level {level2}"), code=recipient.code,
                      name=name, level=Message(level), granted=granted, level2=Message(level)))
    return level


def _first_grant(calc: Calculation, names: tuple[str, ...], level: str, on: date) -> tuple[str, date]:
    grants = [(q.granted_on, q.name) for q in calc.recipient.qualifications
              if q.name in names and q.level == level and q.holds_on(on)]
    granted, name = min(grants)
    return name, granted
